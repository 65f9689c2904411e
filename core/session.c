/*
 * SMTP session policies.  For now the one of `sendmail -bs`: a local
 * user speaking SMTP on stdin/stdout is trusted as sendmail's command
 * line is, so every sender and recipient that parses is taken; the
 * limits (max_rcpt, max_size) still hold.  Each message goes to the
 * queue through submit, and its 250 is given only once submit_commit
 * has returned 0, i.e. once the entry is on disk and fsync'd.
 *
 * Recipients are collected as RCPT comes and handed to submit at DATA,
 * so that a transaction that never gets to DATA never opens a queue
 * file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "io.h"
#include "limits.h"
#include "session.h"
#include "smtp.h"
#include "submit.h"

#define SESSION_TIMEOUT_MS	(300 * 1000)	/* RFC 5321 4.5.3.2.7 */

struct local {
	const struct conf	*c;
	uid_t			 uid;
	char			 helo[LIM_SMTP_CMD];
	int			 esmtp;
	char			 sender[LIM_ADDR + LIM_HOSTNAME + 2];
	char			**rcpts;
	int			 nrcpt;
	struct submit		 sub;
	int			 open;		/* sub is in use */
	char			 fail[LIM_SMTP_REPLY];	/* from data_line */
	char			***qids;
	int			*nqids;
};

static void
clear(struct local *l)
{
	if (l->open)
		submit_abort(&l->sub);
	l->open = 0;
	for (int i = 0; i < l->nrcpt; i++)
		free(l->rcpts[i]);
	free(l->rcpts);
	l->rcpts = NULL;
	l->nrcpt = 0;
	l->sender[0] = '\0';
	l->fail[0] = '\0';
}

static int
op_helo(void *ctx, const char *name, int esmtp, char *reply, size_t len)
{
	struct local	*l = ctx;

	(void)reply;
	(void)len;
	snprintf(l->helo, sizeof(l->helo), "%s", name);
	l->esmtp = esmtp;
	return 0;
}

static int
op_mail(void *ctx, const char *addr, off_t size, char *reply, size_t len)
{
	struct local	*l = ctx;

	(void)size;		/* the session checked it against max_size */
	snprintf(l->sender, sizeof(l->sender), "%s", addr);
	if (*addr != '\0' &&
	    addr_qualify(l->sender, sizeof(l->sender), l->c->hostname) == -1) {
		snprintf(reply, len, "501 5.1.7 Sender address too long");
		return -1;
	}
	return 0;
}

static int
op_rcpt(void *ctx, const char *addr, char *reply, size_t len)
{
	struct local	*l = ctx;
	char		**nr, *a;

	for (int i = 0; i < l->nrcpt; i++)
		if (strcasecmp(l->rcpts[i], addr) == 0)
			return 0;	/* a duplicate costs nothing */
	if (l->nrcpt >= l->c->max_rcpt) {
		snprintf(reply, len, "452 4.5.3 Too many recipients "
		    "(max_rcpt is %d)", l->c->max_rcpt);
		return -1;
	}
	nr = realloc(l->rcpts, sizeof(*nr) * ((size_t)l->nrcpt + 1));
	if (nr == NULL)
		goto nomem;
	l->rcpts = nr;
	if ((a = strdup(addr)) == NULL)
		goto nomem;
	l->rcpts[l->nrcpt++] = a;
	return 0;
nomem:
	snprintf(reply, len, "451 4.3.0 Out of memory");
	return -1;
}

static int
op_data_begin(void *ctx, char *reply, size_t len)
{
	struct local		*l = ctx;
	struct submit_opts	 o;
	char			 from[LIM_SMTP_CMD + 32], err[LIM_ERR];

	snprintf(from, sizeof(from), "%s (uid %lu)", l->helo,
	    (unsigned long)l->uid);
	memset(&o, 0, sizeof(o));
	o.sender = l->sender;
	o.received_from = from;
	o.received_with = l->esmtp ? "ESMTP" : "SMTP";
	o.add_missing = 1;
	o.extract_rcpts = 0;
	o.uid = l->uid;
	l->fail[0] = '\0';
	if (submit_begin(&l->sub, l->c, &o, err, sizeof(err)) == -1) {
		snprintf(reply, len, "451 4.3.0 %s", err);
		return -1;
	}
	l->open = 1;
	for (int i = 0; i < l->nrcpt; i++) {
		if (submit_rcpt(&l->sub, l->rcpts[i], err, sizeof(err)) == 0)
			continue;
		snprintf(reply, len, "%s %s", errno == E2BIG ?
		    "452 4.5.3" : "451 4.3.0", err);
		submit_abort(&l->sub);
		l->open = 0;
		return -1;
	}
	return 0;
}

static int
op_data_line(void *ctx, const char *line, size_t len)
{
	struct local	*l = ctx;
	const char	*code;

	if (submit_line(&l->sub, line, len) == 0)
		return 0;
	switch (l->sub.m.err) {
	case MSG_ERR_NUL:
		code = "554 5.6.0";
		break;
	case MSG_ERR_SIZE:
	case MSG_ERR_HEADERS:
		code = "552 5.3.4";
		break;
	case MSG_ERR_RCPT:
	case MSG_ERR_TOOMANY:
		code = "554 5.6.0";
		break;
	default:	/* MSG_ERR_IO, MSG_ERR_NOMEM: try again later */
		code = "451 4.3.0";
		break;
	}
	snprintf(l->fail, sizeof(l->fail), "%s %.400s", code,
	    l->sub.m.errtext);
	return -1;
}

static int
keep_qid(struct local *l, const char *qid)
{
	char	**nq, *s;

	nq = realloc(*l->qids, sizeof(*nq) * ((size_t)*l->nqids + 1));
	if (nq == NULL)
		return -1;
	*l->qids = nq;
	if ((s = strdup(qid)) == NULL)
		return -1;
	nq[(*l->nqids)++] = s;
	return 0;
}

static int
op_data_end(void *ctx, int ok, char *reply, size_t len)
{
	struct local	*l = ctx;
	char		 qid[LIM_QID], err[LIM_ERR];

	if (!l->open) {
		snprintf(reply, len, "451 4.3.0 Error: no queue file");
		return -1;
	}
	if (!ok) {
		snprintf(reply, len, "%s", l->fail);
		submit_abort(&l->sub);
		l->open = 0;
		return 0;
	}
	l->open = 0;		/* submit_commit cleans up either way */
	if (submit_commit(&l->sub, qid, sizeof(qid), err, sizeof(err)) == -1) {
		snprintf(reply, len, "451 4.3.0 %s", err);
		return -1;
	}
	/* Committed: say so even if we cannot remember the ID, as the
	   queue runner will deliver it anyway. */
	(void)keep_qid(l, qid);
	snprintf(reply, len, "250 2.0.0 Ok: queued as %s", qid);
	return 0;
}

static void
op_rset(void *ctx)
{
	clear(ctx);
}

static const struct smtp_server_ops local_ops = {
	.helo = op_helo,
	.mail = op_mail,
	.rcpt = op_rcpt,
	.data_begin = op_data_begin,
	.data_line = op_data_line,
	.data_end = op_data_end,
	.rset = op_rset,
};

int
session_local(const struct conf *c, uid_t uid, int rfd, int wfd,
    char ***qids, int *nqids)
{
	struct smtp_server	 s;
	struct local		*l;
	struct io		*io;
	int			 r;

	if ((io = malloc(sizeof(*io))) == NULL)
		return -1;
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		free(io);
		return -1;
	}
	io_init(io, rfd, wfd, SESSION_TIMEOUT_MS);
	l->c = c;
	l->uid = uid;
	l->qids = qids;
	l->nqids = nqids;
	memset(&s, 0, sizeof(s));
	s.io = io;
	s.hostname = c->hostname;
	s.max_size = c->max_size;
	s.max_rcpt = c->max_rcpt;
	s.ops = &local_ops;
	s.ctx = l;
	r = smtp_server_run(&s);
	clear(l);
	free(l);
	free(io);
	return r;
}
