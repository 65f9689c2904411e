/*
 * Message intake: the header section parsed and completed, the body
 * streamed, as a message is handed to the queue (from sendmail's stdin
 * or an SMTP DATA phase).  Also the header helpers others need.
 *
 * Lines are given without their terminator (no LF, no CRLF).  The
 * message is written to `out` with LF line ends, in this order:
 *   Received: (when opts->received is set)
 *   the original header fields, in order, minus Bcc: when extracting
 *   the fields that were missing: From:, Date:, Message-ID: (only with
 *   opts->add_missing)
 *   an empty line
 *   the body, as given.
 * A first line that is not a header field (no "name:" with a printable
 * name, and not a continuation) ends the header section: it and what
 * follows are the body, after an added empty line.
 */
#ifndef HIKYAKU_MSG_H
#define HIKYAKU_MSG_H

#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "limits.h"

enum msg_err {
	MSG_OK = 0,
	MSG_ERR_NUL,		/* a NUL byte: "message contains a NUL byte (line N)" */
	MSG_ERR_SIZE,		/* over max_size */
	MSG_ERR_HEADERS,	/* header section over LIM_HEADERS */
	MSG_ERR_RCPT,		/* a bad address in To/Cc/Bcc with extract_rcpts */
	MSG_ERR_TOOMANY,	/* more than LIM_HEADER_RCPTS addresses */
	MSG_ERR_IO,		/* writing out failed (errno kept in m->sys_errno) */
	MSG_ERR_NOMEM
};

struct msg_opts {
	const char	*hostname;	/* for Message-ID */
	const char	*qid;		/* for Message-ID and Received */
	time_t		 now;
	const char	*received;	/* whole value of a Received: field to put
					   first (may contain "\n\t" folds), or NULL */
	int		 add_missing;	/* add From:, Date:, Message-ID: if absent */
	const char	*from_addr;	/* addr-spec for an added From: */
	const char	*from_name;	/* display name for it, NULL or "" for none */
	int		 extract_rcpts;	/* -t: collect To/Cc/Bcc, drop Bcc */
	off_t		 max_size;	/* limit on the bytes given (lines + 1 each) */
};

struct msg_in {
	struct msg_opts	 o;
	FILE		*out;
	int		 in_body;
	int		 seen_from, seen_date, seen_msgid;
	struct buf	 hdr;		/* header section so far */
	off_t		 size;		/* bytes given so far */
	long		 lineno;
	enum msg_err	 err;
	int		 sys_errno;
	char		 errtext[LIM_ERR];	/* human detail for err */
	char		**rcpts;	/* with extract_rcpts: canonical addresses */
	int		 nrcpts;
};

void	msg_in_begin(struct msg_in *m, FILE *out, const struct msg_opts *o);
/* 0, or -1 with m->err and m->errtext set; after -1, stop feeding. */
int	msg_in_line(struct msg_in *m, const char *line, size_t len);
/* Flush the header section if the body never started.  0 or -1. */
int	msg_in_end(struct msg_in *m);
void	msg_in_free(struct msg_in *m);

/* "Sat, 28 Nov 2026 09:19:43 +0900" in local time. */
void	msg_date(time_t t, char *out, size_t len);

/*
 * A display name as a header phrase: as is when it is all atext and
 * spaces, in double quotes (with \" and \\) when it is ASCII with
 * specials, an RFC 2047 "=?UTF-8?B?...?=" word when it is not ASCII
 * (several words of at most 75 characters, separated by a space, when
 * long).  Returns 0, or -1 with errno EINVAL for a control character
 * or bad UTF-8 (nothing is appended then), ENOMEM when out failed.
 */
int	msg_phrase(const char *name, struct buf *out);

#endif
