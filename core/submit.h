/*
 * The Received: field put on top:
 *   by HOST (hikyaku, from userid UID)\n\tid QID; DATE          (no from clause)
 *   from FROM\n\tby HOST (hikyaku) with WITH id QID;\n\tDATE  (with one)
 *
 * Submission: one message from a local program or an SMTP session into
 * the queue.  Used by sendmail (stdin, argv or -t recipients) and by
 * SMTP sessions (sendmail -bs, later mtad).
 */
#ifndef HIKYAKU_SUBMIT_H
#define HIKYAKU_SUBMIT_H

#include <stddef.h>
#include <sys/types.h>

#include "conf.h"
#include "msg.h"
#include "queue.h"

struct submit_opts {
	const char	*sender;	/* canonical envelope sender, "" for <> */
	const char	*received_from;	/* "HELO (uid 1000)" for the Received:
					   field's from clause, or NULL */
	const char	*received_with;	/* "ESMTP", "SMTP", or NULL */
	int		 add_missing;	/* add From:, Date:, Message-ID: */
	const char	*from_name;	/* display name for an added From: */
	int		 extract_rcpts;	/* -t */
	uid_t		 uid;		/* the submitting user */
};

struct submit {
	const struct conf	*c;
	struct queue_writer	 w;
	struct msg_in		 m;
	struct qenv		 env;
	char			*received;
	int			 open;
};

/*
 * Open a queue file and start the message.  0, or -1 with err set and
 * errno kept (for the caller's exit code).
 */
int	submit_begin(struct submit *s, const struct conf *c,
	    const struct submit_opts *o, char *err, size_t errlen);
/* A recipient, already canonical; unqualified ones get @hostname;
   duplicates are dropped.  0, or -1 when over max_rcpt (err set). */
int	submit_rcpt(struct submit *s, const char *addr, char *err,
	    size_t errlen);
/* One line of the message without its terminator.  0, or -1 with
   s->m.err / s->m.errtext (the message must then be aborted). */
int	submit_line(struct submit *s, const char *line, size_t len);
/* Finish: recipients taken from the headers with -t are added.  On
   success the entry is committed, fsync'd, and its ID in qid.  On
   failure nothing stays in the spool; errno says what kind:
   EDESTADDRREQ no recipient at all, EINVAL bad message data (a NUL, the
   size, a bad header address), E2BIG too many recipients, else the
   system error of the queue (ENOSPC ...). */
int	submit_commit(struct submit *s, char *qid, size_t qidlen, char *err,
	    size_t errlen);
void	submit_abort(struct submit *s);

#endif
