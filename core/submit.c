/*
 * Submission into the queue: a queue file, the message through msg_in,
 * the envelope, the commit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "buf.h"
#include "conf.h"
#include "msg.h"
#include "queue.h"
#include "submit.h"

static int
received(struct buf *b, const struct conf *c, const struct submit_opts *o,
    const char *qid, time_t now)
{
	char	 date[64];

	msg_date(now, date, sizeof(date));
	if (o->received_from == NULL)
		buf_printf(b, "by %s (hikyaku, from userid %lu)\n\tid %s; %s",
		    c->hostname, (unsigned long)o->uid, qid, date);
	else
		buf_printf(b, "from %s\n\tby %s (hikyaku) with %s id %s;\n\t%s",
		    o->received_from, c->hostname,
		    o->received_with ? o->received_with : "SMTP", qid, date);
	return buf_failed(b) ? -1 : 0;
}

int
submit_begin(struct submit *s, const struct conf *c,
    const struct submit_opts *o, char *err, size_t errlen)
{
	struct msg_opts	 mo;
	struct buf	 rcv;
	time_t		 now = time(NULL);

	memset(s, 0, sizeof(*s));
	s->c = c;
	if (queue_open(&s->w, err, errlen) == -1)
		return -1;
	s->open = 1;
	s->env.arrival = now;
	s->env.uid = o->uid;
	buf_init(&rcv, 4096);
	if ((s->env.sender = strdup(o->sender)) == NULL ||
	    received(&rcv, c, o, s->w.id, now) == -1 ||
	    (s->received = strdup(buf_str(&rcv))) == NULL) {
		buf_free(&rcv);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		submit_abort(s);
		errno = ENOMEM;
		return -1;
	}
	buf_free(&rcv);
	memset(&mo, 0, sizeof(mo));
	mo.hostname = c->hostname;
	mo.qid = s->w.id;
	mo.now = now;
	mo.received = s->received;
	mo.add_missing = o->add_missing;
	mo.from_addr = *o->sender ? s->env.sender : NULL;
	mo.from_name = o->from_name;
	mo.extract_rcpts = o->extract_rcpts;
	mo.max_size = c->max_size;
	msg_in_begin(&s->m, s->w.fp, &mo);
	return 0;
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
submit_rcpt(struct submit *s, const char *addr, char *err, size_t errlen)
{
	char	 a[LIM_ADDR + LIM_HOSTNAME + 2];

	if ((size_t)snprintf(a, sizeof(a), "%s", addr) >= sizeof(a) ||
	    addr_qualify(a, sizeof(a), s->c->hostname) == -1) {
		snprintf(err, errlen, "address too long: %.64s...", addr);
		errno = EINVAL;
		return -1;
	}
	if (has_rcpt(&s->env, a))
		return 0;
	if (s->env.nrcpt >= s->c->max_rcpt) {
		snprintf(err, errlen, "too many recipients (max_rcpt is %d)",
		    s->c->max_rcpt);
		errno = E2BIG;
		return -1;
	}
	if (qenv_add_rcpt(&s->env, a, NULL) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	return 0;
}

int
submit_line(struct submit *s, const char *line, size_t len)
{
	return msg_in_line(&s->m, line, len);
}

int
submit_commit(struct submit *s, char *qid, size_t qidlen, char *err,
    size_t errlen)
{
	if (msg_in_end(&s->m) == -1) {
		snprintf(err, errlen, "%s", s->m.errtext);
		errno = s->m.err == MSG_ERR_IO ? s->m.sys_errno : EINVAL;
		goto fail;
	}
	for (int i = 0; i < s->m.nrcpts; i++)
		if (submit_rcpt(s, s->m.rcpts[i], err, errlen) == -1)
			goto fail;
	if (s->env.nrcpt == 0) {
		snprintf(err, errlen, "no recipients given (on the command "
		    "line%s)", s->m.o.extract_rcpts ? " or in To:, Cc:, Bcc:" :
		    "");
		errno = EDESTADDRREQ;
		goto fail;
	}
	if (queue_commit(&s->w, &s->env, err, errlen) == -1)
		goto fail;
	s->open = 0;
	snprintf(qid, qidlen, "%s", s->env.id);
	submit_abort(s);
	return 0;
fail:
	submit_abort(s);
	return -1;
}

void
submit_abort(struct submit *s)
{
	int	 saved = errno;

	if (s->open)
		queue_abort(&s->w);
	s->open = 0;
	msg_in_free(&s->m);
	qenv_free(&s->env);
	free(s->received);
	s->received = NULL;
	errno = saved;
}
