/*
 * Submission into the queue: the envelope, a queue file, the message
 * through msg_in, the commit; and the one error type, with its two
 * mappings (sysexits, SMTP).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>

#include "addr.h"
#include "buf.h"
#include "conf.h"
#include "dsn.h"
#include "exits.h"
#include "msg.h"
#include "queue.h"
#include "submit.h"

struct submit {
	const struct conf	*c;
	struct submit_opts	 o;
	char			*sender;
	char			*from_name;
	char			*received_from;
	struct queue_writer	 w;
	struct msg_in		 m;
	struct qenv		 env;
	char			*received;
	int			 open;		/* the queue file exists */
	struct submit_error	 e;
};

static int fail(struct submit *, enum submit_err, int, const char *, ...)
    __attribute__((format(printf, 4, 5)));

/* Keep the error in s; -1. */
static int
fail(struct submit *s, enum submit_err code, int e, const char *fmt, ...)
{
	va_list	 ap;

	s->e.code = code;
	s->e.sys_errno = e;
	va_start(ap, fmt);
	vsnprintf(s->e.text, sizeof(s->e.text), fmt, ap);
	va_end(ap);
	return -1;
}

static int
received(struct buf *b, const struct submit *s, const char *qid,
    time_t now)
{
	char	 date[64];

	msg_date(now, date, sizeof(date));
	if (s->o.received_from == NULL)
		buf_printf(b, "by %s (hikyaku, from userid %lu)\n\tid %s; %s",
		    s->c->hostname, (unsigned long)s->o.uid, qid, date);
	else
		buf_printf(b, "from %s\n\tby %s (hikyaku) with %s id %s;\n\t%s",
		    s->o.received_from, s->c->hostname,
		    s->o.received_with ? s->o.received_with : "SMTP", qid, date);
	return buf_failed(b) ? -1 : 0;
}

static char *
dup_or_null(const char *p, int *bad)
{
	char	*d;

	if (p == NULL)
		return NULL;
	if ((d = strdup(p)) == NULL)
		*bad = 1;
	return d;
}

struct submit *
submit_new(const struct conf *c, const struct submit_opts *o)
{
	struct submit	*s;
	int		 bad = 0;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->c = c;
	s->o = *o;
	if ((o->envid != NULL && !dsn_envid_valid(o->envid)) ||
	    !dsn_notify_valid(o->notify)) {
		free(s);
		errno = EINVAL;
		return NULL;
	}
	s->sender = dup_or_null(o->sender, &bad);
	s->from_name = dup_or_null(o->from_name, &bad);
	s->received_from = dup_or_null(o->received_from, &bad);
	s->env.envid = dup_or_null(o->envid, &bad);
	s->o.sender = s->sender;
	s->o.from_name = s->from_name;
	s->o.received_from = s->received_from;
	s->o.envid = s->env.envid;
	if (bad || s->sender == NULL) {
		submit_free(s);
		errno = ENOMEM;
		return NULL;
	}
	s->env.uid = o->uid;
	s->env.ret = o->ret;
	s->env.smtputf8 = o->smtputf8;
	s->env.sender_given = o->sender_given;
	return s;
}

static int
has_rcpt(const struct qenv *env, const char *addr)
{
	for (int i = 0; i < env->nrcpt; i++)
		if (strcasecmp(env->rcpt[i].addr, addr) == 0)
			return 1;
	return 0;
}

int
submit_rcpt(struct submit *s, const char *addr)
{
	return submit_rcpt_dsn(s, addr, s->o.notify, NULL);
}

int
submit_rcpt_dsn(struct submit *s, const char *addr, unsigned notify,
    const char *orcpt)
{
	char	 a[LIM_ADDR + LIM_HOSTNAME + 2], *oc = NULL;

	if (!dsn_notify_valid(notify) || (orcpt != NULL &&
	    !dsn_orcpt_valid(orcpt)))
		return fail(s, SUBMIT_ADDR, 0, "bad NOTIFY or ORCPT for "
		    "%.64s", addr);
	if ((size_t)snprintf(a, sizeof(a), "%s", addr) >= sizeof(a) ||
	    addr_qualify(a, sizeof(a), s->c->hostname) == -1)
		return fail(s, SUBMIT_ADDR, 0, "address too long: %.64s...",
		    addr);
	if (has_rcpt(&s->env, a))
		return 0;
	if (s->env.nrcpt >= s->c->max_rcpt || s->env.nrcpt >= LIM_RCPT_HARD)
		return fail(s, SUBMIT_TOOMANY, 0, "too many recipients "
		    "(max_rcpt is %d)", s->c->max_rcpt);
	if ((orcpt != NULL && (oc = strdup(orcpt)) == NULL) ||
	    qenv_add_rcpt(&s->env, a, NULL) == -1) {
		free(oc);
		return fail(s, SUBMIT_SYSTEM, errno, "%s", strerror(errno));
	}
	s->env.rcpt[s->env.nrcpt - 1].notify = notify;
	s->env.rcpt[s->env.nrcpt - 1].orcpt = oc;
	return 0;
}

int
submit_nrcpt(const struct submit *s)
{
	return s->env.nrcpt;
}

int
submit_data(struct submit *s)
{
	struct msg_opts	 mo;
	struct buf	 rcv;
	char		 err[LIM_ERR];
	time_t		 now = time(NULL);

	if (queue_open(&s->w, err, sizeof(err)) == -1)
		return fail(s, SUBMIT_SYSTEM, errno, "%s", err);
	s->open = 1;
	s->env.arrival = now;
	buf_init(&rcv, 4096);
	if ((s->env.sender = strdup(s->sender)) == NULL ||
	    received(&rcv, s, s->w.id, now) == -1 ||
	    (s->received = strdup(buf_str(&rcv))) == NULL) {
		buf_free(&rcv);
		return fail(s, SUBMIT_SYSTEM, ENOMEM, "%s", strerror(ENOMEM));
	}
	buf_free(&rcv);
	memset(&mo, 0, sizeof(mo));
	mo.hostname = s->c->hostname;
	mo.qid = s->w.id;
	mo.now = now;
	mo.received = s->received;
	mo.add_missing = s->o.add_missing;
	mo.from_addr = *s->sender ? s->env.sender : NULL;
	mo.from_name = s->o.from_name;
	mo.extract_rcpts = s->o.extract_rcpts;
	mo.max_size = s->c->max_size;
	msg_in_begin(&s->m, s->w.fp, &mo);
	return 0;
}

/* The message module's error as ours. */
static int
msg_failed(struct submit *s)
{
	static const enum submit_err code[] = {
		[MSG_OK] = SUBMIT_SYSTEM,
		[MSG_ERR_NUL] = SUBMIT_NUL,
		[MSG_ERR_SIZE] = SUBMIT_SIZE,
		[MSG_ERR_HEADERS] = SUBMIT_SIZE,
		[MSG_ERR_RCPT] = SUBMIT_HEADER_RCPT,
		[MSG_ERR_TOOMANY] = SUBMIT_HEADER_RCPT,
		[MSG_ERR_IO] = SUBMIT_SYSTEM,
		[MSG_ERR_NOMEM] = SUBMIT_SYSTEM,
	};
	enum msg_err	 m = s->m.err;
	int		 e = m == MSG_ERR_IO ? s->m.sys_errno :
			     m == MSG_ERR_NOMEM ? ENOMEM : 0;

	if ((size_t)m >= sizeof(code) / sizeof(code[0]))
		m = MSG_OK;
	return fail(s, code[m], e, "%s", s->m.errtext);
}

int
submit_line(struct submit *s, const char *line, size_t len)
{
	if (!s->open)
		return fail(s, SUBMIT_SYSTEM, EINVAL, "no queue file");
	return msg_in_line(&s->m, line, len) == 0 ? 0 : msg_failed(s);
}

static void
discard(struct submit *s)
{
	if (s->open)
		queue_abort(&s->w);
	s->open = 0;
	msg_in_free(&s->m);
}

int
submit_commit(struct submit *s, char *qid, size_t qidlen)
{
	char	 err[LIM_ERR];

	if (!s->open)
		return fail(s, SUBMIT_SYSTEM, EINVAL, "no queue file");
	if (msg_in_end(&s->m) == -1) {
		msg_failed(s);
		goto fail;
	}
	for (int i = 0; i < s->m.nrcpts; i++)
		if (submit_rcpt(s, s->m.rcpts[i]) == -1)
			goto fail;
	if (s->env.nrcpt == 0) {
		fail(s, SUBMIT_NORCPT, 0, "no recipients given (on the command "
		    "line%s)", s->m.o.extract_rcpts ? " or in To:, Cc:, Bcc:" :
		    "");
		goto fail;
	}
	if (queue_commit(&s->w, &s->env, err, sizeof(err)) == -1) {
		s->open = 0;	/* queue_commit removed what it had */
		fail(s, SUBMIT_SYSTEM, errno, "%s", err);
		goto fail;
	}
	s->open = 0;
	snprintf(qid, qidlen, "%s", s->env.id);
	discard(s);
	return 0;
fail:
	discard(s);
	return -1;
}

void
submit_free(struct submit *s)
{
	int	 saved = errno;

	if (s == NULL)
		return;
	discard(s);
	qenv_free(&s->env);
	free(s->received);
	free(s->sender);
	free(s->from_name);
	free(s->received_from);
	free(s);
	errno = saved;
}

void
submit_abort_signal(struct submit *s)
{
	if (s != NULL && s->open)
		queue_abort_signal(&s->w);
}

const struct submit_error *
submit_error(const struct submit *s)
{
	return &s->e;
}

int
submit_exit_code(const struct submit_error *e)
{
	switch (e->code) {
	case SUBMIT_OK:
		return 0;
	case SUBMIT_NORCPT:
		return EX_USAGE;
	case SUBMIT_ADDR: case SUBMIT_TOOMANY: case SUBMIT_NUL:
	case SUBMIT_SIZE: case SUBMIT_HEADER_RCPT:
		return EX_DATAERR;
	case SUBMIT_SYSTEM:
		break;
	}
	return exits_errno(e->sys_errno);
}

void
submit_smtp_reply(const struct submit_error *e, char *out, size_t len)
{
	const char	*code;

	switch (e->code) {
	case SUBMIT_NORCPT:
		code = "554 5.5.1";
		break;
	case SUBMIT_ADDR:
		code = "501 5.1.3";
		break;
	case SUBMIT_TOOMANY:
		code = "452 4.5.3";
		break;
	case SUBMIT_NUL: case SUBMIT_HEADER_RCPT:
		code = "554 5.6.0";
		break;
	case SUBMIT_SIZE:
		code = "552 5.3.4";
		break;
	default:
		code = e->sys_errno == ENOSPC || e->sys_errno == EDQUOT ?
		    "452 4.3.1" : "451 4.3.0";
		break;
	}
	snprintf(out, len, "%s %.400s", code, e->text);
}
