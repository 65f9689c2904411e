/*
 * Submission: one message from a local program or an SMTP session into
 * the queue.  Used by sendmail (stdin, argv or -t recipients) and by
 * SMTP sessions (sendmail -bs, mtad).
 *
 *   s = submit_new(c, &opts)       the envelope's sender; no file yet
 *   submit_rcpt(s, addr) ...       each recipient, max_rcpt checked here
 *                                  (and nowhere else); or
 *   submit_rcpt_dsn(s, addr, notify, orcpt)
 *                                  one with its DSN NOTIFY and ORCPT
 *   submit_data(s)                 the queue file is opened
 *   submit_line(s, line, len) ...  the message, line by line
 *   submit_commit(s, qid, len)     fsync'd and renamed into the queue
 *   submit_free(s)                 aborts whatever is not committed
 *
 * Each step returns 0, or -1 with the error kept in s: one error type,
 * read through submit_error, and mapped once to a sysexits(3) code
 * (submit_exit_code) and once to an SMTP reply (submit_smtp_reply).
 * Nothing else looks inside a submission.
 *
 * The Received: field put on top:
 *   by HOST (hikyaku, from userid UID)\n\tid QID; DATE          (no from clause)
 *   from FROM\n\tby HOST (hikyaku) with WITH id QID;\n\tDATE  (with one)
 */
#ifndef HIKYAKU_SUBMIT_H
#define HIKYAKU_SUBMIT_H

#include <stddef.h>
#include <sys/types.h>

#include "conf.h"
#include "dsn.h"
#include "limits.h"

struct submit_opts {
	const char	*sender;	/* canonical envelope sender, "" for <> */
	const char	*received_from;	/* "HELO (uid 1000)" for the Received:
					   field's from clause, or NULL */
	const char	*received_with;	/* "ESMTP", "SMTP", or NULL */
	int		 add_missing;	/* add From:, Date:, Message-ID: */
	const char	*from_name;	/* display name for an added From: */
	int		 extract_rcpts;	/* -t */
	uid_t		 uid;		/* the submitting user */
	/* DSN (RFC 3461), as dsn.h checks them (submit_new refuses others
	   with EINVAL) */
	enum dsn_ret	 ret;		/* RET */
	const char	*envid;		/* ENVID, decoded, or NULL */
	unsigned	 notify;	/* NOTIFY of the recipients given
					   without one (submit_rcpt, -t);
					   0: none */
	int		 smtputf8;	/* the message needs SMTPUTF8 */
	int		 sender_given;	/* sendmail -f: not masqueraded */
};

enum submit_err {
	SUBMIT_OK,
	SUBMIT_NORCPT,		/* no recipient at all */
	SUBMIT_ADDR,		/* an address too long or malformed */
	SUBMIT_TOOMANY,		/* more than max_rcpt recipients */
	SUBMIT_NUL,		/* a NUL byte in the message */
	SUBMIT_SIZE,		/* over max_size, or a header section over
				   LIM_HEADERS */
	SUBMIT_HEADER_RCPT,	/* -t: a bad or too many header addresses */
	SUBMIT_SYSTEM		/* a system call failed: sys_errno says */
};

struct submit_error {
	enum submit_err	 code;
	int		 sys_errno;	/* SUBMIT_SYSTEM: ENOSPC, EACCES... */
	char		 text[LIM_ERR];	/* for people: what and where */
};

struct submit;

/* A new submission, or NULL (ENOMEM; EINVAL for a bad ENVID or
   NOTIFY). */
struct submit	*submit_new(const struct conf *c, const struct submit_opts *o);
/* A recipient, already canonical; unqualified ones get @hostname;
   duplicates cost nothing (the first one's DSN parameters stay).  Its
   NOTIFY is the options' notify. */
int	submit_rcpt(struct submit *s, const char *addr);
/* The same with its own NOTIFY (DSN_NOTIFY_* bits, 0 for none) and
   ORCPT ("type;address" decoded, or NULL); bad ones are SUBMIT_ADDR. */
int	submit_rcpt_dsn(struct submit *s, const char *addr, unsigned notify,
	    const char *orcpt);
int	submit_nrcpt(const struct submit *s);
/* Open the queue file and start the message (recipients may still come
   from the headers with -t). */
int	submit_data(struct submit *s);
/* One line of the message without its terminator; after -1 the
   submission is lost: stop feeding it. */
int	submit_line(struct submit *s, const char *line, size_t len);
/* Recipients taken from the headers with -t are added; then the entry
   is committed, fsync'd, and its ID put in qid.  On failure nothing of
   it stays in the spool. */
int	submit_commit(struct submit *s, char *qid, size_t qidlen);
void	submit_free(struct submit *s);
/* From a signal handler: remove the queue file being written. */
void	submit_abort_signal(struct submit *s);

const struct submit_error *submit_error(const struct submit *s);
/* The sysexits(3) code for an error: 64 no recipient, 65 bad data or
   addresses, 75 temporary (disk full...), 77 permission... */
int	submit_exit_code(const struct submit_error *e);
/* The SMTP reply for an error, "452 4.5.3 text" (no CRLF). */
void	submit_smtp_reply(const struct submit_error *e, char *out,
	    size_t len);

#endif
