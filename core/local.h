/*
 * The MDA: appending one queued message to a local user's mailbox.
 */
#ifndef HIKYAKU_LOCAL_H
#define HIKYAKU_LOCAL_H

#include <stddef.h>
#include <time.h>

#include "conf.h"
#include "users.h"

enum delivery { DELIVERY_OK, DELIVERY_TEMPFAIL, DELIVERY_PERMFAIL };

struct local_msg {
	int		 fd;		/* the queued message (LF line ends),
					   read from offset 0 with pread */
	const char	*sender;	/* envelope sender, "" for <> */
	const char	*rcpt;		/* the recipient, for Delivered-To: */
	time_t		 arrival;
};

/*
 * Deliver m to u's mailbox as the `mailbox` setting says (mbox: or
 * maildir:, with %u and %h expanded).  Both get "Return-Path: <sender>"
 * and "Delivered-To: rcpt" on top.
 *
 * mbox: "From sender asctime-date" line, mboxrd quoting (">From ",
 * ">>From ", ...), a blank line after the message; a dotlock (PATH.lock,
 * O_EXCL, stale after 5 minutes; skipped when the directory does not
 * allow it) plus an fcntl write lock on the mailbox; fsync; on any
 * failure the mailbox is truncated back to its size before, so it is
 * byte-identical to what it was.  A missing mailbox is created 0600.
 * A mailbox that is a symlink, not a regular file, or has more than one
 * link is refused.
 *
 * maildir: tmp/ -> new/ with fsync of the file and of new/; the
 * directories are created when missing.
 *
 * When the process runs as root the writing happens in a child that
 * has become the user (privs_drop to u->uid/u->gid; for an mbox whose
 * template has no %h, supplementary group the gid of the `user`
 * setting's account, so that a setgid-mail spool like /var/mail can be
 * written; none for a path in the user's home), that dies with the
 * runner (SIGTERM), and whose result comes back through a pipe.
 * Otherwise it is done by this process.
 *
 * why gets "X.Y.Z text" (RFC 3463 code first): "2.0.0 delivered to
 * mailbox /var/mail/bob", "4.2.0 cannot lock mailbox ...: ...",
 * "4.3.0 cannot write mailbox ...: No space left on device",
 * "5.2.2 ..." etc.  Local write errors are temporary.
 */
enum delivery	local_deliver(const struct conf *c, const struct user *u,
		    const struct local_msg *m, char *why, size_t whylen);

/*
 * A /file destination of an alias or .forward: appended to in mbox
 * format with the same locks and rollback as a mailbox, written as u
 * (when root, by a child that has become u, with u's supplementary
 * groups from the system group database: users_groups).  u may not be
 * root.
 */
enum delivery	local_deliver_file(const struct conf *c, const struct user *u,
		    const char *path, const struct local_msg *m, char *why,
		    size_t whylen);

/*
 * A |command destination: /bin/sh -c command as u (never root; when
 * root, with u's supplementary groups as for a /file), in its
 * own process group, in u's home directory, with only SENDER,
 * RECIPIENT, USER, LOGNAME, HOME, PATH=/usr/bin:/bin and SHELL=/bin/sh
 * in its environment, the message (From_ line, Return-Path:,
 * Delivered-To:, then as queued) on stdin, stdout discarded.  Exit 0
 * is delivered; 75 (EX_TEMPFAIL) a temporary failure; anything else a
 * permanent one with the first line of its stderr; past
 * command_timeout its process group is killed and the delivery fails.
 */
enum delivery	local_deliver_pipe(const struct conf *c, const struct user *u,
		    const char *command, const struct local_msg *m,
		    char *why, size_t whylen);

#endif
