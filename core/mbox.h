/*
 * Mailboxes as a mail reader sees them: an index of the messages of an
 * mbox file or a Maildir, built by one scan; the raw text of a message;
 * the rewrite at the end of a session (delete, keep with a new status,
 * move to another mbox) that never loses mail delivered meanwhile; and
 * copying one message to another mailbox (save, copy).  What is
 * appended to another mailbox (the move, save, copy) is written by
 * mailbox.h, the one writer of mailboxes.
 *
 * mbox files are read and written as mboxrd: a message starts with a
 * "From sender date" line at the start of the file or after an empty
 * line; inside a message ">From ", ">>From " ... are quoted forms of
 * "From ", ">From " ...; each message is followed by an empty line.
 * The locks are lock.h's, as local delivery takes them: a read fcntl
 * lock while scanning; the dotlock and a write fcntl lock while
 * writing.  Each waits up to $HIKYAKU_LOCK_WAIT seconds.
 *
 * Every function returns 0 (or a count) on success, -1 with errno set
 * and a human reason in why (at most len bytes, NUL-terminated, naming
 * the file) on failure.  Nothing is printed.
 */
#ifndef HIKYAKU_MBOX_H
#define HIKYAKU_MBOX_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

/* Captured field values (mbox_msg from, subject ...) longer than this
   are cut there, at a UTF-8 character boundary; mbox_header() gives
   the whole field. */

enum mbox_kind { MBOX_MBOX, MBOX_MAILDIR };

/* mbox_msg.flags: what the mailbox says of a message. */
#define MBOX_READ	0x01	/* Status: R, Maildir info S */
#define MBOX_OLD	0x02	/* Status: O, Maildir cur/ */
#define MBOX_ANSWERED	0x04	/* X-Status: A, Maildir info R */
#define MBOX_FLAGGED	0x08	/* X-Status: F, Maildir info F */
#define MBOX_DRAFT	0x10	/* X-Status: T, Maildir info D */

/* mbox_msg.disp: what mbox_sync does with the message. */
enum mbox_disp {
	MBOX_KEEP = 0,		/* stays, with the status of flags */
	MBOX_DELETE,		/* removed */
	MBOX_MOVE		/* appended to the move path, then removed */
};

struct mbox_msg {
	/*
	 * Set by the scan.  Strings are never NULL ("" when absent) and
	 * stay valid until mbox_close.  Field values are raw: unfolded,
	 * white space at both ends trimmed, RFC 2047 words not decoded.
	 */
	const char	*env_from;	/* mbox: the From_ line's sender;
					   Maildir: Return-Path: value */
	const char	*env_date;	/* mbox: the From_ line's date
					   ("Sat Nov 28 00:19:43 2026") */
	const char	*from;		/* From: */
	const char	*to;		/* To: */
	const char	*subject;	/* Subject: */
	const char	*date;		/* Date: */
	const char	*status;	/* Status: */
	const char	*xstatus;	/* X-Status: */
	const char	*file;		/* Maildir: "new/NAME" or "cur/NAME",
					   relative to the Maildir; mbox: "" */
	off_t		 size;		/* bytes, as mailx counts them: mbox:
					   From_ line to the next one (so
					   with the empty line after it);
					   Maildir: the file's size */
	size_t		 lines;		/* lines of the same bytes */

	/*
	 * The applet's: the scan sets flags from the mailbox and
	 * zeroes the others.  mbox_sync writes flags back (Status: R and
	 * O for mbox, cur/ and info S, R, F, D for Maildir) and applies
	 * disp; user is free for the applet (deleted, preserved, saved,
	 * touched ...) and never looked at.
	 */
	unsigned	 flags;		/* MBOX_READ ... */
	enum mbox_disp	 disp;
	unsigned	 user;

	/* mbox's own, do not change. */
	off_t		 off;		/* mbox: the From_ line */
	off_t		 hoff;		/* mbox: the header section */
	off_t		 end;		/* mbox: the next From_ line or EOF */
	unsigned	 flags0;	/* flags as scanned */
	int		 sepblank;	/* octets of the empty line that
					   ends it in the file (0-2) */
};

struct mbox;

/* mbox_open flags */
#define MBOX_NOFOLLOW	0x01	/* refuse a symlink (the user's own
				   mailbox: O_NOFOLLOW) */

/*
 * Open path and index it: a regular file is an mbox (empty: no
 * messages); a directory with cur/ and new/ is a Maildir (messages
 * sorted by delivery time, as their names begin with it).
 * NULL with errno: ENOENT when path is missing (the caller says "No mail
 * for USER" or names the file); EINVAL with "PATH:1: not an mbox ..."
 * when the first line is not a From_ line, and for a directory that is
 * not a Maildir or a path that is neither a file nor a directory;
 * EAGAIN with the lock's reason ("mailbox PATH is locked") when another
 * program holds the lock longer than $HIKYAKU_LOCK_WAIT; ELOOP for a
 * symlink with MBOX_NOFOLLOW; EACCES ... as open(2) says.
 * The size of the mbox at open is remembered (see mbox_grew, mbox_sync).
 */
struct mbox	*mbox_open(const char *path, int flags, char *why, size_t len);
void		 mbox_close(struct mbox *mb);

size_t		 mbox_count(const struct mbox *mb);
/* Message i (0-based, i < mbox_count), NULL when out of range. */
struct mbox_msg	*mbox_get(struct mbox *mb, size_t i);
enum mbox_kind	 mbox_kind(const struct mbox *mb);
const char	*mbox_path(const struct mbox *mb);

/*
 * Append message i to out as the sender sent it: header section, empty
 * line, body; LF line ends (a CR before LF dropped), ">From " lines
 * unquoted, no From_ line, not the empty line that separates it from
 * the next message.  A message missing its final LF gets one.
 * mbox_header appends only the header section, each field with its LF
 * (the empty line not included); mbox_body only the body.
 * -1 when the mailbox changed under us (it no longer has the message
 * where the scan found it) or on a read error.
 */
int	mbox_read(struct mbox *mb, size_t i, struct buf *out, char *why,
	    size_t len);
int	mbox_header(struct mbox *mb, size_t i, struct buf *out, char *why,
	    size_t len);
int	mbox_body(struct mbox *mb, size_t i, struct buf *out, char *why,
	    size_t len);

/* Where the header section of a raw message (as mbox_read gives it)
   ends (*hlen: its length with each field's LF) and where the body
   starts (*boff, after the empty line; n when there is none). */
void	mbox_split(const char *msg, size_t n, size_t *hlen, size_t *boff);

/* 1 when the mailbox grew (new mail) since mbox_open, 0 when not, -1
   on error.  Maildir: 1 when new/ has a file the index does not. */
int	mbox_grew(struct mbox *mb);

struct mbox_result {
	size_t	 kept;		/* still in the mailbox */
	size_t	 deleted;
	size_t	 moved;		/* appended to the move path */
	int	 rewritten;	/* 0 when nothing needed to change */
};

/*
 * Apply the dispositions and flags of every message, under the dotlock
 * and a write fcntl lock:
 *  1. messages with MBOX_MOVE are appended to the mbox movepath (e.g.
 *     ~/mbox; created 0600) by mailbox.h, with the sender and date of
 *     their From_ line and their new Status:, fsync'd (truncated back
 *     on failure);
 *  2. mbox: the file is rewritten in place from the first message that
 *     changes: deleted and moved ones left out, "Status: RO" / "Status:
 *     O" / no Status for the kept ones as their flags say, and every
 *     byte appended after mbox_open (new mail) kept as it was; fsync'd.
 *     Maildir: unlink, or rename to cur/NAME:2,FLAGS.
 * Any failure leaves the mailbox as it was (a move already appended is
 * truncated back), with the reason.  A mailbox replaced or shrunk by
 * another program since mbox_open is not touched (EAGAIN, reason).
 * movepath may be NULL when no message is MBOX_MOVE.  res (may be
 * NULL) gets the counts: "Held N messages in PATH", "Saved N messages
 * in MOVEPATH".  Afterwards the index no longer matches the mailbox:
 * mbox_close it (and mbox_open again to go on reading).
 */
int	mbox_sync(struct mbox *mb, const char *movepath,
	    struct mbox_result *res, char *why, size_t len);

/*
 * Append message i of mb as it is in the mailbox (CRs kept), with the
 * status of its flags, to the mbox path, or into the Maildir path is
 * (save, copy): through mailbox.h, with the sender and date of its own
 * From_ line.  flags: MBOX_NOFOLLOW.
 */
int	mbox_copy(struct mbox *mb, size_t i, const char *path, int flags,
	    char *why, size_t len);

#endif
