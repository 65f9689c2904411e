/*
 * The one writer of mailboxes: appending messages to an mbox file, or
 * writing one message into a Maildir.  Local delivery and /file
 * destinations (local.c) and mail's save, copy, record and the move to
 * ~/mbox (mbox.c) all write through it, so every reader sees the same
 * format whoever wrote it.
 *
 *	mailbox_open		locks (mbox) or makes the directories (Maildir)
 *	mailbox_begin		a message: the From_ line (mbox)
 *	mailbox_write ...	its text, mboxrd-quoted for mbox, streamed
 *	(mailbox_begin ...)	more messages (mbox only)
 *	mailbox_commit		on disk, or
 *	mailbox_abort		the file as it was before
 *	mailbox_close		unlock (an uncommitted append is aborted)
 *
 * mbox: the dotlock and a write fcntl lock (lock.h); opened O_NONBLOCK
 * (a FIFO planted at the path cannot hang us) and O_APPEND, created
 * 0600 when missing, refused unless a regular file; with
 * MAILBOX_NOFOLLOW also refused when a symbolic link or with more than
 * one link; with MAILBOX_OWNER refused unless owned by our effective
 * uid.  The size under the locks is the rollback point.  When the file
 * is not empty and does not end with an empty line, what is missing
 * ("\n" or "\n\n") is written first, as part of the append, so that the
 * last message already there stays a message of its own for every
 * reader.  Each message gets its final newline, when missing, and the
 * empty line that separates it from the next.  Commit is fsync; abort
 * (also after a commit, for a caller that must undo the append) is
 * ftruncate back to the rollback point and fsync.
 *
 * The From_ line is "From SENDER DATE\n": SENDER is the envelope
 * sender without its angle brackets, every space, tab or other control
 * character in it (a quoted local part such as "john doe"@ex.org)
 * replaced by '_', so that it stays one word and a reader's date
 * column starts where it should ("john_doe"@ex.org), and so is every
 * byte over 0x7f (an SMTPUTF8 sender, jörg@ex.org, is j__rg@ex.org:
 * readers such as Python's mailbox take the line as ASCII, and the
 * exact sender is in Return-Path:); an empty sender (<>) is
 * MAILER-DAEMON.  DATE is in asctime's layout ("Sat Nov 28
 * 00:19:43 2026"), CR and LF in it replaced by spaces.  mboxrd quoting:
 * a line matching ^>*From  gets one more '>', whatever the chunks the
 * text comes in.
 *
 * Maildir: one message per mailbox_open, written as is (no From_ line,
 * no quoting) to tmp/SECONDS.M<usec>P<pid>Q<n>.HOST ('/' and ':' of
 * HOST escaped as \057 and \072), fsync'd, then link()ed into new/ -
 * never renamed over an existing name: a name already taken gets a
 * new one - and new/ fsync'd.  The directories are made 0700 when
 * missing.  Abort unlinks the file in tmp/ (after a commit, the one in
 * new/).
 *
 * While a mailbox is open SIGXFSZ is ignored, so that a file size
 * limit ends in EFBIG and a rollback, not in death half-way through.
 *
 * Failures return -1 with errno set and a reason without a status code
 * in why ("mailbox PATH is a symbolic link, refused", "cannot write
 * mailbox PATH: No space left on device").  mailbox_write keeps its
 * error until mailbox_begin or mailbox_commit reports it.
 */
#ifndef HIKYAKU_MAILBOX_H
#define HIKYAKU_MAILBOX_H

#include <signal.h>
#include <stddef.h>
#include <time.h>
#include <sys/types.h>

#include "conf.h"
#include "limits.h"
#include "users.h"

/* mailbox_open flags */
#define MAILBOX_NOFOLLOW	0x01	/* mbox: no symlink, one link only */
#define MAILBOX_OWNER		0x02	/* mbox: must be owned by our euid */
#define MAILBOX_DETECT		0x04	/* a directory at path: a Maildir,
					   whatever kind says */

/* mboxrd quoting state: how much of ">*From " a line start has shown */
struct mailbox_quote {
	int	 held;		/* at the start of a line, still deciding */
	size_t	 ngt;		/* '>' seen */
	size_t	 nfrom;		/* bytes of "From " matched after them */
};

/* The caller's to hold; the fields are mailbox.c's. */
struct mailbox {
	enum conf_mailbox	 kind;
	int			 fd, have, err;
	int			 state;		/* see mailbox.c */
	off_t			 size0;		/* mbox: the rollback point */
	char			*buf;		/* output, MAILBOX_CHUNK */
	size_t			 len;
	int			 last;		/* last byte written, -1: none */
	struct mailbox_quote	 q;
	struct sigaction	 xfsz;		/* SIGXFSZ as it was */
	const char		*host;		/* Maildir: for the name */
	char			 path[LIM_PATH];	/* mbox file, Maildir */
	char			 tmp[LIM_PATH];	/* Maildir: tmp/NAME */
	char			 new[LIM_PATH];	/* Maildir: new/NAME */
};

/*
 * The mailbox path for u: the `mailbox` setting's template with %u
 * (login name), %h (home) and %% expanded.  -1 with errno (EINVAL,
 * ENAMETOOLONG) when it cannot be made.
 */
int	mailbox_path(const struct conf *c, const struct user *u, char *out,
	    size_t len);

/* t in asctime's layout without its newline ("Sat Nov 28 00:19:43 2026"). */
void	mailbox_date(time_t t, char *out, size_t size);

/* The From_ line (see above) with its newline; its length, or 0 when it
   does not fit.  date NULL or "": now. */
size_t	mailbox_from_line(const char *sender, const char *date, char *out,
	    size_t size);

/*
 * Open path for appending (kind MAILBOX_MBOX) or writing into (kind
 * MAILBOX_MAILDIR); host names the Maildir file (NULL: gethostname).
 * On failure nothing is left open or locked.
 */
int	mailbox_open(struct mailbox *mb, const char *path,
	    enum conf_mailbox kind, int flags, const char *host, char *why,
	    size_t len);

/* Start a message: ends the one before (mbox), then the From_ line. */
int	mailbox_begin(struct mailbox *mb, const char *sender, const char *date,
	    char *why, size_t len);
void	mailbox_write(struct mailbox *mb, const void *p, size_t n);
int	mailbox_commit(struct mailbox *mb, char *why, size_t len);
/* Undo; a failure of the undo itself is added to why. */
void	mailbox_abort(struct mailbox *mb, char *why, size_t len);
/* Unlock and free; an append neither committed nor aborted is aborted. */
void	mailbox_close(struct mailbox *mb);

/*
 * The whole sequence for one message (msg: header section, empty line,
 * body), into an mbox, or a Maildir with MAILBOX_DETECT; host NULL.
 */
int	mailbox_put(const char *path, int flags, const char *sender,
	    const char *date, const char *msg, size_t n, char *why,
	    size_t len);

#endif
