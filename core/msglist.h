/*
 * mailx message lists ("3", "2-5", "*", "$", "^", ".", ":n :u :r :o
 * :d", "/string", "user"; POSIX mailx, "Specifying Messages") and the
 * one-line summary of a message as bsd-mailx prints it:
 *
 *   >N  1 alice@test.examp  Sat Nov 28 09:19   14/420   hello
 *
 * (Debian 12's bsd-mailx: "%c%c%3d %-17.17s  %16.16s %4d/%-5d %.*s":
 * the current-message mark, the status letter, the number, the
 * sender, the date of the From_ line, lines/bytes, the subject cut to
 * the width left of the screen; widths counted in terminal columns, so
 * that Japanese text is cut between characters and lines up).
 */
#ifndef HIKYAKU_MSGLIST_H
#define HIKYAKU_MSGLIST_H

#include <stddef.h>

#include "buf.h"

#define MSGLIST_DELETED	0x01	/* deleted in this session */
#define MSGLIST_READ	0x02	/* read (in the mailbox, or printed now) */
#define MSGLIST_NEW	0x04	/* arrived since the last session (no
				   Status: O) */

struct msglist_view {
	size_t		 n;		/* messages, numbered 1..n */
	size_t		 dot;		/* the current message, 1..n (0: none) */
	/* i is 0-based */
	unsigned	(*flags)(void *arg, size_t i);
	const char	*(*from)(void *arg, size_t i);	/* the address */
	const char	*(*subject)(void *arg, size_t i); /* decoded */
	void		*arg;
};

/*
 * Select the messages spec names: sel (n bytes) gets 1 for each.  An
 * empty spec is the current message.  Deleted messages are never
 * selected unless deleted is set (undelete), and then only deleted
 * ones are.  Returns how many were selected (at least 1), or -1 with
 * err set: "No applicable messages", "7: Invalid message number",
 * "3: Inappropriate message", "bad message list near 'x'".
 */
int	msglist_parse(const struct msglist_view *v, const char *spec,
	    int deleted, unsigned char *sel, char *err, size_t errlen);

/*
 * The summary line, with its LF (the subject left out when the screen
 * has no room for it).  cur: '>' or ' '; disp: 'N', 'U',
 * ' ', 'P', '*', 'M'; date16: "Sat Nov 28 09:19" (16 columns);
 * subject already decoded to UTF-8; width: the screen's columns.
 */
void	msglist_summary(struct buf *out, int cur, int disp, size_t num,
	    const char *from, const char *date16, size_t lines,
	    long long size, const char *subject, int width);

/*
 * Append s (UTF-8) cut to at most cols terminal columns (a wide East
 * Asian character takes two); as mime_clean() shows a header value:
 * TAB, CR, LF as a space, the other controls and bytes that are not
 * UTF-8 as U+FFFD (one column).  pad: fill with spaces up to cols.  Returns
 * the columns written.
 */
int	msglist_cols(struct buf *out, const char *s, int cols, int pad);

/*
 * The sender as bsd-mailx shows it (its skin() and nameof()), into out
 * (len bytes): "Alice <a@x>" -> "a@x", "a@x (Alice)" -> "a@x",
 * "pete(his account)@silly.test" -> "pete@silly.test", "Big Bug
 * bb@bug.com" stays (spaces kept, runs made one), "a at b" -> "a@b",
 * quotes taken off, "h1!h2!h3!u" -> "h3!u".
 */
void	msglist_skin(const char *from, char *out, size_t len);

/*
 * Every field called name (any case) of a header section, as
 * bsd-mailx's hfield() reads it: the name is the printable text
 * before the first ':' of a line; the value has its leading blanks
 * skipped, each line's trailing ones cut, folds joined with one space,
 * and the fields of the same name joined with one space.  hdr may
 * start with the From_ line (it is no field); the first empty line
 * ends the section; CR LF counts as LF.  Appended to out (NUL
 * terminated); 1 when a field was found (even empty), else 0.
 */
int	msglist_field(struct buf *out, const char *hdr, size_t n,
	    const char *name);

/*
 * Lines and bytes of a message (From_ line to the next one) as
 * bsd-mailx counts them: it reads lines of at most 8,191 bytes (a
 * longer line counts as several), counts a line up to a NUL byte in
 * it, and a line that ends in CR LF one byte shorter.
 */
void	msglist_count(const char *msg, size_t n, size_t *lines,
	    long long *bytes);

/* An RFC 5322 date ("Sat, 28 Nov 2026 09:19:43 +0900") as the From_
   line shows it ("Sat Nov 28 09:19:43 2026"), in the zone it was
   written in.  0, or -1 (out "") when it cannot be read. */
int	msglist_date(const char *rfc5322, char *out, size_t len);

#endif
