/*
 * The SMTP policy (see session.h for the table).  The transaction is a
 * submission from MAIL on: recipients are checked by it as RCPT comes
 * (max_rcpt lives there), and the queue file is opened only at DATA, so
 * that a transaction that never gets that far leaves nothing behind.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "conf.h"
#include "expand.h"
#include "io.h"
#include "limits.h"
#include "log.h"
#include "queue.h"
#include "session.h"
#include "smtp.h"
#include "submit.h"

#define SESSION_TIMEOUT_MS	(300 * 1000)	/* RFC 5321 4.5.3.2.7 */

struct sess {
	const struct conf		*c;
	const struct session_peer	*p;
	struct smtp_server		*srv;
	struct io			*io;
	char				 helo[LIM_SMTP_CMD];
	int				 esmtp;
	char				 user[LIM_SMTP_CMD];	/* after AUTH */
	int				 auth_fails;
	char				 sender[LIM_ADDR];	/* for the log */
	struct submit			*sub;
	int				 data;		/* sub has its file */
	char				 fail[LIM_SMTP_REPLY];	/* data_line's */
	char				***qids;
	int				*nqids;
};

static void
clear(struct sess *l)
{
	submit_free(l->sub);
	l->sub = NULL;
	l->data = 0;
	l->fail[0] = '\0';
}

static int
op_helo(void *ctx, const char *name, int esmtp, char *reply, size_t len)
{
	struct sess	*l = ctx;

	(void)reply;
	(void)len;
	snprintf(l->helo, sizeof(l->helo), "%s", name);
	l->esmtp = esmtp;
	return 0;
}

static int
op_starttls(void *ctx)
{
	struct sess	*l = ctx;

	if (l->p->starttls == NULL || l->p->starttls(l->p->arg, l->io) == -1)
		return -1;
	l->helo[0] = '\0';
	if (l->p->check_password != NULL && l->p->kind != SESSION_LOCAL)
		l->srv->caps |= SMTP_CAP_AUTH;
	return 0;
}

static int
op_auth(void *ctx, const char *user, const char *pass, char *reply,
    size_t len)
{
	struct sess	*l = ctx;
	int		 r;

	if (!l->srv->tls || l->p->check_password == NULL) {
		snprintf(reply, len, "538 5.7.11 Encryption required for "
		    "requested authentication mechanism");
		return -1;
	}
	if ((r = l->p->check_password(l->p->arg, user, pass)) == 1) {
		snprintf(l->user, sizeof(l->user), "%s", user);
		return 0;
	}
	if (r == -1) {
		snprintf(reply, len, "454 4.7.0 Temporary authentication "
		    "failure");
		return -1;
	}
	/* a guesser pays for each try, and gets a few per connection */
	log_warn("%s[%s]: SASL authentication failed for user %s",
	    l->p->name, l->p->addr_text, user);
	poll(NULL, 0, SESSION_AUTH_DELAY_MS);
	if (++l->auth_fails >= SESSION_AUTH_TRIES)
		snprintf(reply, len, "421 4.7.0 %s Error: too many "
		    "authentication failures", l->c->hostname);
	return -1;
}

/*
 * The Received: field's from clause: "HELO (uid N)" for a local peer;
 * "HELO (name [addr])" for a network one, then the TLS in use and the
 * authenticated user on lines of their own, as Postfix writes them.
 */
static void
from_clause(const struct sess *l, char *out, size_t len)
{
	const char	*tls = NULL;
	int		 n;

	if (l->p->kind == SESSION_LOCAL) {
		snprintf(out, len, "%s (uid %lu)", l->helo,
		    (unsigned long)l->p->uid);
		return;
	}
	n = snprintf(out, len, "%s (%s [%s])", l->helo, l->p->name,
	    l->p->addr_text);
	if (l->srv->tls && l->p->tls_desc != NULL)
		tls = l->p->tls_desc(l->p->arg);
	if (tls != NULL && n >= 0 && (size_t)n < len)
		n += snprintf(out + n, len - (size_t)n, "\n\t(using %s)", tls);
	if (l->user[0] != '\0' && n >= 0 && (size_t)n < len)
		snprintf(out + n, len - (size_t)n, "\n\t(Authenticated sender: "
		    "%s)", l->user);
}

/* ESMTP, ESMTPS, ESMTPA, ESMTPSA (RFC 3848), or SMTP. */
static const char *
protocol(const struct sess *l)
{
	static const char *const with[] = { "ESMTP", "ESMTPS", "ESMTPA",
	    "ESMTPSA" };

	if (!l->esmtp)
		return "SMTP";
	return with[(l->srv->tls ? 1 : 0) + (l->user[0] != '\0' ? 2 : 0)];
}

/* "NOQUEUE: reject: RCPT from name[addr]: REPLY; from=<S> to=<R>
   proto=ESMTP helo=<H>", as Postfix's smtpd logs a refusal. */
static void
log_reject(const struct sess *l, const char *cmd, const char *addr,
    const char *reply)
{
	if (l->p->kind == SESSION_LOCAL)
		return;
	log_info("NOQUEUE: reject: %s from %s[%s]: %s; from=<%s>%s%s%s "
	    "proto=%s helo=<%s>", cmd, l->p->name, l->p->addr_text, reply,
	    l->sender, *cmd == 'R' ? " to=<" : "", *cmd == 'R' ? addr : "",
	    *cmd == 'R' ? ">" : "", l->esmtp ? "ESMTP" : "SMTP", l->helo);
}

static int
op_mail(void *ctx, const char *addr, const struct smtp_mail_params *mp,
    char *reply, size_t len)
{
	struct sess		*l = ctx;
	struct submit_opts	 o;
	char			 sender[LIM_ADDR + LIM_HOSTNAME + 2];
	char			 from[2 * LIM_SMTP_CMD + LIM_DOMAIN + 256];

	/* mp->size: the session checked it against max_size */
	snprintf(l->sender, sizeof(l->sender), "%s", addr);
	if (l->p->kind == SESSION_MSA && l->user[0] == '\0') {
		snprintf(reply, len, "530 5.7.0 Authentication required");
		log_reject(l, "MAIL", addr, reply);
		return -1;
	}
	snprintf(sender, sizeof(sender), "%s", addr);
	if (*addr != '\0' &&
	    addr_qualify(sender, sizeof(sender), l->c->hostname) == -1) {
		snprintf(reply, len, "501 5.1.7 Sender address too long");
		return -1;
	}
	from_clause(l, from, sizeof(from));
	memset(&o, 0, sizeof(o));
	o.sender = sender;
	o.received_from = from;
	o.received_with = protocol(l);
	o.add_missing = l->p->kind != SESSION_MTA;
	o.uid = l->p->kind == SESSION_LOCAL ? l->p->uid : 0;
	o.ret = mp->ret;
	o.envid = mp->envid[0] != '\0' ? mp->envid : NULL;
	o.smtputf8 = mp->smtputf8;
	clear(l);
	if ((l->sub = submit_new(l->c, &o)) == NULL) {
		snprintf(reply, len, "451 4.3.0 Out of memory");
		return -1;
	}
	return 0;
}

/* May this peer send to a domain that is not ours? */
static int
may_relay(const struct sess *l)
{
	switch (l->p->kind) {
	case SESSION_LOCAL:
		return 1;
	case SESSION_MSA:
		return l->user[0] != '\0';
	case SESSION_MTA:
		return l->user[0] != '\0' || (l->p->family != 0 &&
		    conf_in_mynetworks(l->c, l->p->family, l->p->addr));
	}
	return 0;
}

/* The recipient, as policy sees it: 0 taken, or -1 with the reply. */
static int
check_rcpt(struct sess *l, const char *addr, char *reply, size_t len)
{
	char	 a[LIM_ADDR + LIM_HOSTNAME + 2];
	char	 local[LIM_ADDR], domain[LIM_ADDR];
	int	 r;

	snprintf(a, sizeof(a), "%s", addr);
	if (addr_qualify(a, sizeof(a), l->c->hostname) == -1 ||
	    addr_split(a, local, sizeof(local), domain, sizeof(domain)) ==
	    -1) {
		snprintf(reply, len, "501 5.1.3 <%.300s>: Bad recipient "
		    "address syntax", addr);
		return -1;
	}
	if (!conf_is_local_domain(l->c, domain)) {
		if (may_relay(l))
			return 0;
		snprintf(reply, len, "554 5.7.1 <%.300s>: Relay access denied",
		    addr);
		return -1;
	}
	if ((r = expand_known(l->c, local)) == 1)
		return 0;
	if (r == 0)
		snprintf(reply, len, "550 5.1.1 <%.300s>: Recipient address "
		    "rejected: User unknown in local recipient table", addr);
	else
		snprintf(reply, len, "451 4.3.0 <%.300s>: Temporary lookup "
		    "failure", addr);
	return -1;
}

static int
op_rcpt(void *ctx, const char *addr, const struct smtp_rcpt_params *rp,
    char *reply, size_t len)
{
	struct sess	*l = ctx;

	if (check_rcpt(l, addr, reply, len) == -1) {
		log_reject(l, "RCPT", addr, reply);
		return -1;
	}
	if (submit_rcpt_dsn(l->sub, addr, rp->notify, rp->orcpt[0] != '\0' ?
	    rp->orcpt : NULL) == -1) {
		submit_smtp_reply(submit_error(l->sub), reply, len);
		return -1;
	}
	return 0;
}

static int
op_data_begin(void *ctx, char *reply, size_t len)
{
	struct sess	*l = ctx;

	l->fail[0] = '\0';
	if (submit_data(l->sub) == -1) {
		submit_smtp_reply(submit_error(l->sub), reply, len);
		clear(l);
		return -1;
	}
	l->data = 1;
	return 0;
}

static int
op_data_line(void *ctx, const char *line, size_t len)
{
	struct sess	*l = ctx;

	if (submit_line(l->sub, line, len) == 0)
		return 0;
	submit_smtp_reply(submit_error(l->sub), l->fail, sizeof(l->fail));
	return -1;
}

static int
keep_qid(struct sess *l, const char *qid)
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

static void
log_committed(const struct sess *l, const char *qid)
{
	if (l->p->kind != SESSION_LOCAL && l->user[0] != '\0')
		log_info("%s: client=%s[%s], sasl_username=%s", qid,
		    l->p->name, l->p->addr_text, l->user);
	else if (l->p->kind != SESSION_LOCAL)
		log_info("%s: client=%s[%s]", qid, l->p->name,
		    l->p->addr_text);
	log_info("%s: from=<%s>, size=%lld, nrcpt=%d (queue active)", qid,
	    l->sender, (long long)queue_msg_size(qid), submit_nrcpt(l->sub));
}

static int
op_data_end(void *ctx, int ok, char *reply, size_t len)
{
	struct sess	*l = ctx;
	char		 qid[LIM_QID];

	if (!l->data) {
		snprintf(reply, len, "451 4.3.0 Error: no queue file");
		return -1;
	}
	if (!ok) {
		snprintf(reply, len, "%s", l->fail);
		clear(l);
		return 0;
	}
	if (submit_commit(l->sub, qid, sizeof(qid)) == -1) {
		submit_smtp_reply(submit_error(l->sub), reply, len);
		clear(l);
		return -1;
	}
	log_committed(l, qid);
	clear(l);
	/* Committed: say so even if we cannot remember the ID, as the
	   queue runner will deliver it anyway. */
	(void)keep_qid(l, qid);
	if (l->p->queued != NULL)
		l->p->queued(l->p->arg, qid);
	snprintf(reply, len, "250 2.0.0 Ok: queued as %s", qid);
	return 0;
}

static void
op_rset(void *ctx)
{
	clear(ctx);
}

static const struct smtp_server_ops ops = {
	.helo = op_helo,
	.starttls = op_starttls,
	.auth = op_auth,
	.mail = op_mail,
	.rcpt = op_rcpt,
	.data_begin = op_data_begin,
	.data_line = op_data_line,
	.data_end = op_data_end,
	.rset = op_rset,
};

int
session_run(const struct conf *c, const struct session_peer *p, int rfd,
    int wfd, char ***qids, int *nqids)
{
	struct smtp_server	 s;
	struct sess		*l;
	struct io		*io;
	int			 r;

	if ((io = malloc(sizeof(*io))) == NULL)
		return -1;
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		free(io);
		return -1;
	}
	io_init(io, rfd, wfd, SESSION_TIMEOUT_MS);
	memset(&s, 0, sizeof(s));
	l->c = c;
	l->p = p;
	l->srv = &s;
	l->io = io;
	l->qids = qids;
	l->nqids = nqids;
	s.io = io;
	s.hostname = c->hostname;
	s.max_size = c->max_size;
	s.tls = p->tls;
	s.caps = SMTP_CAPS_BASE;
	if (p->kind != SESSION_LOCAL && p->starttls != NULL)
		s.caps |= SMTP_CAP_STARTTLS;
	if (p->kind != SESSION_LOCAL && p->tls && p->check_password != NULL)
		s.caps |= SMTP_CAP_AUTH;
	s.ops = &ops;
	s.ctx = l;
	if (p->kind != SESSION_LOCAL)
		log_info("connect from %s[%s]", p->name, p->addr_text);
	/* implicit TLS (465): the handshake comes before the greeting */
	if (p->tls && (p->starttls == NULL || p->starttls(p->arg, io) == -1))
		r = -1;
	else
		r = smtp_server_run(&s);
	if (p->kind != SESSION_LOCAL)
		log_info("disconnect from %s[%s]", p->name, p->addr_text);
	clear(l);
	free(l);
	free(io);
	return r;
}

int
session_local(const struct conf *c, uid_t uid, int rfd, int wfd,
    char ***qids, int *nqids)
{
	struct session_peer	 p;

	memset(&p, 0, sizeof(p));
	p.kind = SESSION_LOCAL;
	p.uid = uid;
	snprintf(p.name, sizeof(p.name), "localhost");
	return session_run(c, &p, rfd, wfd, qids, nqids);
}
