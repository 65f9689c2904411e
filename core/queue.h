/*
 * The spool.  Layout under the `spool` setting:
 *   tmp/ID, tmp/ID.env   files being written; never read by a runner
 *   msg/ID               the message (LF line ends), immutable once there
 *   env/ID               the envelope; its appearance is the commit point
 *
 * Commit: write the message, fsync; write the envelope, fsync; rename
 * the message then the envelope into place; fsync msg/ and env/.  Only
 * then is anything acknowledged.
 *
 * A runner locks msg/ID (flock, never renamed, so the lock means the
 * same file to everyone) before it reads env/ID, rewrites the envelope
 * through tmp/ID.env + rename as each recipient's result comes in, and
 * removes env/ID then msg/ID when no recipient is pending.
 *
 * An envelope file is lines of "LETTER value", in this order:
 *   V 1                 the format
 *   T seconds           arrival time
 *   U uid               who submitted it
 *   W 0|1               a delay warning was sent
 *   S sender            "" for <>
 *   I envid             the sender's DSN ENVID (RFC 3461 4.4), decoded;
 *                       none when not given
 *   B FULL|HDRS         DSN RET: what a failure report gives back of the
 *                       message; none when not given (the headers)
 *   X SMTPUTF8          the message needs SMTPUTF8 (RFC 6531) to be
 *                       passed on: the transaction asked for it
 *   K 1                 the sender was given by the caller (sendmail
 *                       -f): masquerade leaves it as it is
 * then per recipient:
 *   R P|S|F attempts next-try address
 *                       pending, sent or failed; tries so far; when next
 *   O address           as first given (before aliases)
 *   N NEVER | SUCCESS,FAILURE,DELAY (any of the three, in that order)
 *                       its DSN NOTIFY (RFC 3461 4.1); none when not
 *                       given (failure and delay reports)
 *   A type;address      its DSN ORCPT (RFC 3461 4.2), decoded
 *   Y delivered|relayed|expanded
 *                       a success report is owed to the sender: set
 *                       when the recipient is recorded as sent, cleared
 *                       once the report is queued, so that a crash in
 *                       between repeats it rather than loses it
 *   E X.Y.Z text        the last result, when there is one
 *   D key key ...       destinations of its alias or .forward already
 *                       delivered (several D lines when many)
 * Values never hold a control character; a line that does is damaged.
 * An envelope written before I, B, X, N, A and Y existed reads as one
 * that has none of them.
 */
#ifndef HIKYAKU_QUEUE_H
#define HIKYAKU_QUEUE_H

#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "dsn.h"
#include "limits.h"

enum rcpt_status { RCPT_PENDING, RCPT_SENT, RCPT_FAILED };

/* A destination's key in a done list: the first 128 bits of a SHA-256,
   in lower-case hex (expand_key makes them). */
#define QUEUE_KEY_LEN	32

struct qrcpt {
	char		*addr;		/* canonical address */
	char		*orig;		/* as first given (before aliases) */
	enum rcpt_status status;
	int		 attempts;
	time_t		 next_try;	/* 0: now */
	char		*error;		/* last result, "X.Y.Z text", or NULL */
	char		*done;		/* destinations of an alias or .forward
					   already delivered: keys of
					   QUEUE_KEY_LEN hex digits separated
					   by spaces, or NULL */
	unsigned	 notify;	/* DSN NOTIFY: DSN_NOTIFY_* bits, 0 when
					   not given */
	char		*orcpt;		/* DSN ORCPT "type;address", or NULL */
	enum dsn_action	 owed;		/* a success report owed to the
					   sender (DELIVERED, RELAYED or
					   EXPANDED), or DSN_ACTION_NONE */
};

struct qenv {
	char		 id[LIM_QID];
	time_t		 arrival;
	char		*sender;	/* "" for <> */
	uid_t		 uid;		/* who submitted */
	int		 warned;	/* delay warning sent */
	char		*envid;		/* DSN ENVID, decoded, or NULL */
	enum dsn_ret	 ret;		/* DSN RET */
	int		 smtputf8;	/* needs SMTPUTF8 to go on */
	int		 sender_given;	/* set by sendmail -f: masquerade
					   keeps it */
	int		 nrcpt;
	struct qrcpt	*rcpt;
};

/*
 * The spool is opened once, by queue_init, and checked: the spool and
 * its tmp/ msg/ env/ must be real directories (never followed through
 * a symbolic link), owned by root or `owner` (the `user` setting's
 * account) or, for a private spool of a process that is neither root
 * nor set-group-ID, by the caller; and not writable by everyone.
 * Every file operation after that is relative to the descriptors it
 * opened (openat, renameat, unlinkat).
 *
 * create: make what is missing, and the trigger FIFO: as root owned by
 * owner/group, mode 0755 (spool) and 0770 (tmp/ msg/ env/), else 0700
 * for the caller.  Without create nothing is made (mailq).
 * Returns 0; -1 with errno (ENOENT: no spool yet); or -2 when the
 * spool is there but fails a check (a configuration error), with err
 * naming the directory and what is wrong.
 */
int	queue_init(const char *spool, int create, uid_t owner, gid_t group,
	    char *err, size_t errlen);
void	queue_close(void);

/*
 * Set-group-ID: keep gid (the spool group) as the saved gid only; the
 * queue takes it back around its own system calls (creating, listing,
 * reading and removing entries) and nothing else ever runs with it.
 * queue_drop_group gives it up for good, verified.
 */
int	queue_keep_group(gid_t gid);
int	queue_group_kept(void);
int	queue_drop_group(char *err, size_t errlen);

/*
 * The trigger, SPOOL/trigger: a FIFO a running daemon reads, so that
 * a submission is delivered at once.  Returns 1 when a reader was
 * there, 0 when none is (no daemon), -1 with errno.
 */
int	queue_poke(void);
/* The trigger's read side for the daemon's runner: opened read-write,
   so that it never reads end of file, and non-blocking.  A descriptor,
   or -1 with errno (EINVAL: it is not a FIFO). */
int	queue_trigger_open(void);

/* A message being written. */
struct queue_writer {
	char	 id[LIM_QID];
	FILE	*fp;		/* write the message here */
	char	 tmp[LIM_QID];	/* its name in tmp/, "" once committed */
};

/* Create tmp/ID with O_EXCL and a fresh time-sortable ID. */
int	queue_open(struct queue_writer *w, char *err, size_t errlen);
/* fsync and rename into place as described above; env->id is set from w.
   On failure nothing of the entry remains.  ENOSPC and friends are
   temporary: errno is kept for the caller's exit code. */
int	queue_commit(struct queue_writer *w, struct qenv *env, char *err,
	    size_t errlen);
void	queue_abort(struct queue_writer *w);
/* From a signal handler: remove the file being written, no more. */
void	queue_abort_signal(const struct queue_writer *w);

/* A next hop: the recipients of one domain, as indexes into env->rcpt. */
struct qhop {
	char	 domain[LIM_DOMAIN + 1];
	int	*rcpt;
	int	 n;
};

/*
 * Group the recipients which[0..n) by domain (compared without regard
 * to case), hops in the order their first recipient comes; free with
 * qhops_free.  0, or -1 with errno (ENOMEM; EINVAL for an address
 * without a domain or with one longer than LIM_DOMAIN).
 */
int	qenv_hops(const struct qenv *env, const int *which, int n,
	    struct qhop **hops, int *nhops);
void	qhops_free(struct qhop *hops, int nhops);

/* When the entry is next due: the earliest next try of its pending
   recipients (0: now), or -1 when none is pending. */
time_t	qenv_next_try(const struct qenv *env);

/* Envelopes. */
int	qenv_add_rcpt(struct qenv *env, const char *addr, const char *orig);
void	qenv_free(struct qenv *env);
/* Is key (QUEUE_KEY_LEN hex digits) in r's done list?  Add it (0, or
   -1 with ENOMEM, or EINVAL for what is not a key). */
int	qrcpt_done(const struct qrcpt *r, const char *key);
int	qrcpt_set_done(struct qrcpt *r, const char *key);
/* Read env/ID: 0, or -1 with errno (ENOENT: the entry is gone). */
int	queue_read_env(const char *id, struct qenv *env, char *err,
	    size_t errlen);
/* Rewrite env/ID whole via tmp/ID.env + rename, fsync'd. */
int	queue_write_env(const struct qenv *env, char *err, size_t errlen);

/* Lock an entry for delivery: a descriptor of msg/ID, opened read-only
   and flock'd exclusively.  wait = 0: -1 with EWOULDBLOCK if another
   runner has it. */
int	queue_lock(const char *id, int wait);
/* Is this entry locked by a runner right now? */
int	queue_is_locked(const char *id);
/* Remove env/ID then msg/ID (call with the lock held). */
int	queue_remove(const char *id);

/* The committed IDs, oldest first; free with queue_list_free. */
int	queue_list(char ***ids, int *n);
void	queue_list_free(char **ids, int n);
/* Size of msg/ID in bytes, or -1. */
off_t	queue_msg_size(const char *id);

#define QUEUE_TMP_MAX_AGE	(24 * 3600)	/* a tmp/ file this old is
						   abandoned */

/* Remove files in tmp/ older than max_age seconds, and messages in msg/
   that old with no envelope (a crash between the two renames of a
   commit): only regular files with names of the queue's own form
   (ID, ID.env).  Returns how many, or -1. */
int	queue_clean(time_t max_age);

/* Is s a well-formed queue ID? */
int	queue_valid_id(const char *s);

#endif
