/*
 * Where a local recipient's mail goes: the aliases database, the
 * user's ~/.forward and :include: files, expanded recursively into
 * final destinations (mailboxes, remote addresses, commands, files).
 *
 * Rules, as sendmail and Postfix users know them:
 *  - an alias is looked up first (names case-insensitive); a user
 *    without one gets their ~/.forward, a user without that their
 *    mailbox; \user is that mailbox with nothing further;
 *  - a name among its own destinations ("alice: alice, bob", or
 *    "alice" in alice's .forward) means that user (their .forward
 *    still applies after an alias; after a .forward, the mailbox);
 *  - any other return to a name on the way is a loop, and a chain
 *    deeper than LIM_ALIAS_DEPTH is refused: both fail for good, with
 *    the chain in the reason, and the sender gets a bounce;
 *  - the same final destination twice is delivered once;
 *  - |command and /file run as `default_user` when they come from the
 *    aliases, as the user when from their .forward (as default_user
 *    when that user is root), never as root; `allow_commands` and
 *    `allow_files` say where they are obeyed;
 *  - a .forward is ignored, with a warning logged, when it is not a
 *    regular file owned by the user or root, is writable by group or
 *    others, or its directory is; also when it has a syntax error;
 *  - an :include: file from the aliases must belong to root or
 *    default_user and not be writable by others (else it is ignored
 *    with a warning); one from a .forward must belong to that user (or
 *    be root's and readable by all); a missing one is a temporary
 *    failure, so the message waits until it is back.
 *
 * Who reads what, when this process is root (asuser.h: a child that
 * has become the reader, uid, gid and the supplementary groups of
 * users_groups, opens the file; the checks above are made here on
 * what it reports):
 *  - a user's ~/.forward, and an :include: named in it: that user, so
 *    that a file they may not read (a directory of root's on the way)
 *    is not read: "Permission denied", a temporary failure;
 *  - an :include: named in the aliases: default_user; when that is
 *    root or does not exist the include fails as a command would.
 * Not root, the process reads them itself: a .forward and its
 * includes only when it runs as their owner (else XF_SKIP, for root's
 * queue run), the aliases' includes as it can.
 */
#ifndef HIKYAKU_EXPAND_H
#define HIKYAKU_EXPAND_H

#include <stddef.h>

#include "conf.h"
#include "local.h"
#include "queue.h"
#include "users.h"

enum xkind { X_MAILBOX, X_REMOTE, X_PIPE, X_FILE };

struct xdest {
	enum xkind	 kind;
	char		*value;		/* user name, address, command, path */
	struct user	 user;		/* the mailbox's owner, or who runs
					   the command / writes the file */
	char		*via;		/* "alias root > /home/bob/.forward",
					   "" for the address itself */
	char		 key[QUEUE_KEY_LEN + 1];	/* hex id of the destination, stable
					   across runs (done-lists in the queue) */
};

/* XF_SKIP: this process may not look (not root); root's queue run will */
enum xfail_kind { XF_PERM, XF_TEMP, XF_SKIP };

struct xfail {
	enum xfail_kind	 kind;
	char		 key[QUEUE_KEY_LEN + 1];	/* as xdest's, for done-lists */
	char		*what;		/* the destination that failed */
	char		*why;		/* "X.Y.Z reason" */
	char		*via;
};

struct expansion {
	struct xdest	*d;
	size_t		 n;
	struct xfail	*f;
	size_t		 nf;
};

/*
 * Expand the local part of a recipient in one of our domains.  Every
 * outcome is in x: destinations and failures (unknown users, loops,
 * missing includes...), XF_SKIP for what this process may not look
 * into (not root), left for root's queue run.  Returns 0, or -1 when
 * memory ran out (x then holds what was found so far).
 */
int	expand_local(const struct conf *c, const char *localpart,
	    struct expansion *x);
void	expand_free(struct expansion *x);

/*
 * Is there anyone to deliver this local part to: an alias, or a user of
 * the passwd setting?  What they forward to is not looked at (a check at
 * RCPT time, so that no bounce is ever made for an unknown user).
 * 1 yes, 0 no, -1 with errno when the aliases or passwd file cannot be
 * read (a temporary failure).
 */
int	expand_known(const struct conf *c, const char *localpart);

#endif
