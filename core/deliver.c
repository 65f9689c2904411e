/*
 * The queue runner.
 *
 * Order matters for "at least once, never lost": a bounce is committed
 * before the failed recipients are recorded as failed, and a delivered
 * recipient is recorded before the entry goes on to the next one, so a
 * crash at any point repeats work rather than losing it.  A success
 * report (NOTIFY=SUCCESS) is owed from the moment its recipient is
 * recorded as sent, in the same envelope write, and the mark goes only
 * once the report is committed.
 *
 * What the sender asked for (RFC 3461) decides which reports go out:
 * a failure report only for recipients whose NOTIFY has FAILURE (or
 * who have none), a delay warning only for those with DELAY (or none),
 * a success report for those with SUCCESS, "delivered" when local
 * delivery is done, "expanded" when it also forwarded to other
 * addresses, which inherit NOTIFY and ORCPT as RFC 3461 has aliases
 * pass them on, and "relayed" when a next hop took it (run_remote).
 * NOTIFY=NEVER: a recipient fails, is logged and leaves the queue in
 * silence.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "bounce.h"
#include "deliver.h"
#include "dsn.h"
#include "expand.h"
#include "limits.h"
#include "local.h"
#include "log.h"
#include "queue.h"
#include "remote.h"
#include "str.h"
#include "users.h"


enum outcome { OUT_OK, OUT_TEMP, OUT_PERM, OUT_SKIP };

/* What one recipient's expansion came to, destination by destination. */
struct tally {
	int	 ok, temp, skip;
	char	 why[LIM_ERR];		/* the first temporary failure's */
	char	 done[LIM_ERR];		/* the single delivery's */
	struct qrcpt *perm;		/* destinations that failed for good */
	int	 nperm;
	int	 changed;		/* the done list grew */
	struct deliver_made *made;	/* reports queued: the runner's */
};

/* A report queued by this run, for the runner to deliver after it.  A
   failure to remember it only delays it to the next queue run. */
static void
made_add(struct deliver_made *m, const char *id)
{
	char	**v;

	if (m == NULL || (v = realloc(m->ids, sizeof(*v) *
	    ((size_t)m->n + 1))) == NULL)
		return;
	m->ids = v;
	if ((v[m->n] = strdup(id)) != NULL)
		m->n++;
}

void
deliver_made_free(struct deliver_made *m)
{
	for (int i = 0; i < m->n; i++)
		free(m->ids[i]);
	free(m->ids);
	m->ids = NULL;
	m->n = 0;
}

static void
log_dest(const struct qenv *env, const char *to, const char *orig,
    const char *via, const char *relay, const char *status, const char *why)
{
	log_info("%s: to=<%s>, orig_to=<%s>, via=%s, relay=%s, delay=%lld, "
	    "status=%s (%s)", env->id, to, orig, via, relay,
	    (long long)(time(NULL) - env->arrival), status, why);
}

/* A destination that failed for good; key marks it done once bounced. */
static void
tally_perm(struct tally *t, const char *what, const char *orig,
    const char *why, const char *key)
{
	struct qrcpt	*p;

	if ((p = realloc(t->perm, (size_t)(t->nperm + 1) * sizeof(*p))) ==
	    NULL) {
		t->temp++;	/* try again rather than lose it */
		return;
	}
	t->perm = p;
	p += t->nperm;
	memset(p, 0, sizeof(*p));
	p->status = RCPT_FAILED;
	if ((p->addr = strdup(what)) == NULL ||
	    (p->orig = strdup(orig)) == NULL ||
	    (p->error = strdup(why)) == NULL ||
	    (p->done = strdup(key)) == NULL) {
		free(p->addr);
		free(p->orig);
		free(p->error);
		t->temp++;
		return;
	}
	t->nperm++;
}

static void
tally_free(struct tally *t)
{
	for (int i = 0; i < t->nperm; i++) {
		free(t->perm[i].addr);
		free(t->perm[i].orig);
		free(t->perm[i].error);
		free(t->perm[i].done);
	}
	free(t->perm);
}

/* A forwarded address joins the envelope as a recipient of its own,
   with the NOTIFY and ORCPT of the one it came from. */
static int
add_forward(struct qenv *env, int i, const char *addr)
{
	unsigned	 notify = env->rcpt[i].notify;
	char		*orcpt = NULL;

	for (int j = 0; j < env->nrcpt; j++)
		if (strcmp(env->rcpt[j].addr, addr) == 0 &&
		    env->rcpt[j].status == RCPT_PENDING)
			return 0;
	if (env->rcpt[i].orcpt != NULL &&
	    (orcpt = strdup(env->rcpt[i].orcpt)) == NULL)
		return -1;
	if (qenv_add_rcpt(env, addr, env->rcpt[i].orig != NULL ?
	    env->rcpt[i].orig : env->rcpt[i].addr) == -1) {
		free(orcpt);
		return -1;
	}
	env->rcpt[env->nrcpt - 1].notify = notify;
	env->rcpt[env->nrcpt - 1].orcpt = orcpt;
	return 0;
}

/* to: the final address of a mailbox reached through aliases, or NULL. */
static enum delivery
one_dest(const struct conf *c, struct qenv *env, int i,
    const struct xdest *d, const char *to, int msgfd, char *why, size_t len)
{
	struct local_msg	 m;

	memset(&m, 0, sizeof(m));
	m.fd = msgfd;
	m.sender = env->sender;
	m.rcpt = to != NULL ? to : env->rcpt[i].addr;
	m.arrival = env->arrival;
	switch (d->kind) {
	case X_MAILBOX:
		return local_deliver(c, &d->user, &m, why, len);
	case X_PIPE:
		return local_deliver_pipe(c, &d->user, d->value, &m, why, len);
	case X_FILE:
		return local_deliver_file(c, &d->user, d->value, &m, why, len);
	case X_REMOTE:
		if (add_forward(env, i, d->value) == -1) {
			snprintf(why, len, "4.3.0 cannot add %s: %s", d->value,
			    strerror(errno));
			return DELIVERY_TEMPFAIL;
		}
		snprintf(why, len, "2.0.0 forwarded to %s", d->value);
		return DELIVERY_OK;
	}
	return DELIVERY_TEMPFAIL;
}

static void
try_dest(const struct conf *c, struct qenv *env, int i,
    const struct xdest *d, const char *domain, int msgfd, struct tally *t)
{
	static const char *const relay[] = { "local", "forward", "command",
					     "file" };
	char		 why[LIM_ERR], to[LIM_ADDR + LIM_USER + 2];
	const char	*what = d->value;

	if (qrcpt_done(&env->rcpt[i], d->key)) {
		t->ok++;
		return;
	}
	if (d->kind != X_REMOTE && geteuid() != 0 && geteuid() != d->user.uid) {
		t->skip++;	/* another user's: root's job */
		return;
	}
	if (d->kind == X_MAILBOX) {
		snprintf(to, sizeof(to), "%s@%s", d->user.name, domain);
		what = to;
	}
	why[0] = '\0';
	switch (one_dest(c, env, i, d, d->kind == X_MAILBOX &&
	    d->via[0] != '\0' ? to : NULL, msgfd, why, sizeof(why))) {
	case DELIVERY_OK:
		if (qrcpt_set_done(&env->rcpt[i], d->key) == -1) {
			t->temp++;
			break;
		}
		t->ok++;
		t->changed = 1;
		snprintf(t->done, sizeof(t->done), "%s", why);
		if (d->via[0] != '\0')
			log_dest(env, what, env->rcpt[i].addr, d->via,
			    relay[d->kind], "sent", why);
		break;
	case DELIVERY_TEMPFAIL:
		if (t->temp++ == 0)
			snprintf(t->why, sizeof(t->why), "%s", why);
		if (d->via[0] != '\0')
			log_dest(env, what, env->rcpt[i].addr, d->via,
			    relay[d->kind], "deferred", why);
		break;
	case DELIVERY_PERMFAIL:
		tally_perm(t, what, env->rcpt[i].addr, why, d->key);
		break;
	}
}

/*
 * The destinations of one recipient that failed for good while others
 * did not: a bounce of their own, then they count as done, so that a
 * retry of the rest does not bounce them again.
 */
static void
bounce_dests(const struct conf *c, struct qenv *env, int i, int msgfd,
    struct tally *t)
{
	struct qenv	 b = *env;
	char		 bid[LIM_QID] = "", err[LIM_ERR];
	int		*which, r = 0;

	if ((which = calloc((size_t)t->nperm, sizeof(int))) == NULL) {
		t->temp++;
		return;
	}
	/* the report names the recipient's ORCPT; the array stays ours */
	for (int j = 0; j < t->nperm; j++) {
		which[j] = j;
		t->perm[j].orcpt = env->rcpt[i].orcpt;
	}
	b.rcpt = t->perm;
	b.nrcpt = t->nperm;
	if (dsn_wants(env->rcpt[i].notify, DSN_NOTIFY_FAILURE))
		r = bounce_queue(c, &b, msgfd, which, t->nperm,
		    DSN_ACTION_FAILED, bid, sizeof(bid), err, sizeof(err));
	else
		log_info("%s: <%s>: no failure report (NOTIFY)", env->id,
		    env->rcpt[i].addr);
	for (int j = 0; j < t->nperm; j++)
		t->perm[j].orcpt = NULL;
	free(which);
	if (r == -1) {
		log_warn("%s: cannot queue bounce, will retry: %s", env->id,
		    err);
		t->temp++;
		return;
	}
	for (int j = 0; j < t->nperm; j++)
		log_dest(env, t->perm[j].addr, env->rcpt[i].addr, "-", "local",
		    "bounced", t->perm[j].error);
	if (bid[0] != '\0') {
		log_info("%s: sender non-delivery notification: %s", env->id,
		    bid);
		made_add(t->made, bid);
	}
	/* mark them done by their keys: destinations' and failures' */
	for (int j = 0; j < t->nperm; j++)
		qrcpt_set_done(&env->rcpt[i], t->perm[j].done);
	t->changed = 1;
}

static void
tally_failures(const struct expansion *x, const struct qrcpt *r,
    struct tally *t)
{
	for (size_t j = 0; j < x->nf; j++) {
		const struct xfail *f = &x->f[j];

		if (qrcpt_done(r, f->key))
			continue;	/* bounced before */
		if (f->kind == XF_PERM)
			tally_perm(t, f->what, r->addr, f->why, f->key);
		else if (f->kind == XF_SKIP)
			t->skip++;
		else if (t->temp++ == 0)
			snprintf(t->why, sizeof(t->why), "%s", f->why);
	}
}

/*
 * A recipient in one of our domains: aliases, .forward and includes
 * expanded, then every destination tried.  *changed is set when the
 * envelope gained a forwarded recipient or a done mark.
 */
static enum outcome
deliver_local(const struct conf *c, struct qenv *env, int i,
    const char *localpart, const char *domain, int msgfd, char *why,
    size_t len, int *changed, struct deliver_made *made)
{
	struct expansion x;
	struct tally	 t;
	enum outcome	 o;

	memset(&t, 0, sizeof(t));
	t.made = made;
	if (expand_local(c, localpart, &x) == -1) {
		expand_free(&x);
		snprintf(why, len, "4.3.0 alias expansion: %s",
		    strerror(ENOMEM));
		return OUT_TEMP;
	}
	for (size_t j = 0; j < x.n; j++)
		try_dest(c, env, i, &x.d[j], domain, msgfd, &t);
	tally_failures(&x, &env->rcpt[i], &t);
	if (t.nperm > 0 && t.ok == 0 && t.temp == 0 && t.skip == 0) {
		snprintf(why, len, "%s", t.perm[0].error);
		o = OUT_PERM;
	} else {
		if (t.nperm > 0)
			bounce_dests(c, env, i, msgfd, &t);
		if (t.temp > 0) {
			snprintf(why, len, "%s", t.why[0] ? t.why :
			    "4.3.0 a bounce could not be queued");
			o = OUT_TEMP;
		} else if (t.skip > 0)
			o = OUT_SKIP;
		else {
			if (x.n == 1 && t.done[0] != '\0')
				snprintf(why, len, "%s", t.done);
			else
				snprintf(why, len, "2.0.0 delivered to %d "
				    "destinations", t.ok);
			o = OUT_OK;
		}
	}
	*changed |= t.changed;
	tally_free(&t);
	expand_free(&x);
	return o;
}

/* Is this recipient for another domain (a next hop's)? */
static int
is_remote(const struct conf *c, const char *addr)
{
	char	 local[LIM_ADDR], domain[LIM_ADDR];

	return addr_split(addr, local, sizeof(local), domain,
	    sizeof(domain)) == 0 && domain[0] != '\0' &&
	    !conf_is_local_domain(c, domain);
}

/* A recipient of one of our domains. */
static enum outcome
route_local(const struct conf *c, struct qenv *env, int i, int msgfd,
    char *why, size_t len, int *changed, struct deliver_made *made)
{
	char	 local[LIM_ADDR], domain[LIM_ADDR];

	if (addr_split(env->rcpt[i].addr, local, sizeof(local), domain,
	    sizeof(domain)) == -1) {
		snprintf(why, len, "5.1.3 bad address syntax");
		return OUT_PERM;
	}
	if (domain[0] == '\0')
		snprintf(domain, sizeof(domain), "%s", c->hostname);
	return deliver_local(c, env, i, local, domain, msgfd, why, len,
	    changed, made);
}

static time_t
retry_wait(const struct conf *c, int attempts)
{
	int	 i = attempts - 1;

	if (i < 0)
		i = 0;
	if (i >= c->nretry)
		i = c->nretry - 1;
	return c->retry[i];
}

static void
log_result(const struct qenv *env, const struct qrcpt *r, const char *relay,
    const char *status, const char *why)
{
	log_info("%s: to=<%s>%s%s%s, relay=%s, delay=%lld, status=%s (%s)",
	    env->id, r->addr, r->orig ? ", orig_to=<" : "",
	    r->orig ? r->orig : "", r->orig ? ">" : "", relay,
	    (long long)(time(NULL) - env->arrival), status, why);
}

static int
pending(const struct qenv *env)
{
	int	 n = 0;

	for (int i = 0; i < env->nrcpt; i++)
		n += env->rcpt[i].status == RCPT_PENDING;
	return n;
}

/* "5d", "3h", "20m", "7s": the largest unit that fits. */
static void
duration(time_t t, char *out, size_t len)
{
	if (t >= 86400)
		snprintf(out, len, "%lldd", (long long)(t / 86400));
	else if (t >= 3600)
		snprintf(out, len, "%lldh", (long long)(t / 3600));
	else if (t >= 60)
		snprintf(out, len, "%lldm", (long long)(t / 60));
	else
		snprintf(out, len, "%llds", (long long)t);
}

/* Record one recipient's outcome; returns 1 if it failed for good. */
static int
record(const struct conf *c, struct qenv *env, int i, enum outcome o,
    const char *relay, const char *why, time_t now)
{
	char		 expired[LIM_ERR + 128], age[32];
	struct qrcpt	*r = &env->rcpt[i];

	switch (o) {
	case OUT_SKIP:
		return 0;
	case OUT_OK:
		r->status = RCPT_SENT;
		log_result(env, r, relay, "sent", why);
		return 0;
	case OUT_TEMP:
		r->attempts++;
		r->next_try = now + retry_wait(c, r->attempts);
		if (now - env->arrival < c->queue_lifetime) {
			str_set(&r->error, why);
			log_result(env, r, relay, "deferred", why);
			return 0;
		}
		duration(now - env->arrival, age, sizeof(age));
		snprintf(expired, sizeof(expired), "5.4.7 message expired "
		    "after %s in the queue; last error: %s", age, why);
		str_set(&r->error, expired);
		log_result(env, r, relay, "bounced", expired);
		return 1;
	case OUT_PERM:
		r->attempts++;
		str_set(&r->error, why);
		log_result(env, r, relay, "bounced", why);
		return 1;
	}
	return 0;
}

/* Bounce the failed ones that want it (NOTIFY), then record them all
   as failed.  bid gets the bounce's ID, or "". */
static void
settle_failures(const struct conf *c, struct qenv *env, int msgfd,
    const int *failed, int nfailed, char *bid)
{
	char	 err[LIM_ERR];
	int	*report, n = 0, r = 0;

	bid[0] = '\0';
	if (nfailed == 0 || (report = calloc((size_t)nfailed,
	    sizeof(int))) == NULL)
		return;		/* none, or they stay pending: next run */
	for (int i = 0; i < nfailed; i++)
		if (dsn_wants(env->rcpt[failed[i]].notify, DSN_NOTIFY_FAILURE))
			report[n++] = failed[i];
		else
			log_info("%s: <%s>: no failure report (NOTIFY)",
			    env->id, env->rcpt[failed[i]].addr);
	if (n > 0)
		r = bounce_queue(c, env, msgfd, report, n, DSN_ACTION_FAILED,
		    bid, LIM_QID, err, sizeof(err));
	free(report);
	if (r == -1) {
		log_warn("%s: cannot queue bounce, will retry: %s", env->id, err);
		for (int i = 0; i < nfailed; i++)
			env->rcpt[failed[i]].next_try = 0;
		return;
	}
	for (int i = 0; i < nfailed; i++)
		env->rcpt[failed[i]].status = RCPT_FAILED;
	if (bid[0] != '\0')
		log_info("%s: %s non-delivery notification: %s", env->id,
		    env->sender[0] ? "sender" : "postmaster", bid);
	else if (n > 0)
		log_info("%s: a report to the postmaster failed: dropped, "
		    "%d recipient(s)", env->id, n);
}

/* A recipient just recorded as sent: its success report is owed if it
   asked for one. */
static void
owe(struct qrcpt *r, enum dsn_action a)
{
	if (r->status == RCPT_SENT && dsn_wants(r->notify, DSN_NOTIFY_SUCCESS))
		r->owed = a;
}

/*
 * The success reports owed, one per kind of action; a recipient's mark
 * goes once its report is committed (a null sender's at once: it never
 * gets one).  *changed is set when a mark went.  Returns how many are
 * still owed.
 */
static int
settle_successes(const struct conf *c, struct qenv *env, int msgfd,
    struct deliver_made *made, int *changed)
{
	static const enum dsn_action acts[] = { DSN_ACTION_DELIVERED,
	    DSN_ACTION_RELAYED, DSN_ACTION_EXPANDED };
	char	 sid[LIM_QID], err[LIM_ERR];
	int	*which, n, left = 0;

	if ((which = calloc((size_t)env->nrcpt + 1, sizeof(int))) == NULL)
		return 1;	/* next run */
	for (size_t a = 0; a < sizeof(acts) / sizeof(acts[0]); a++) {
		n = 0;
		for (int i = 0; i < env->nrcpt; i++)
			if (env->rcpt[i].owed == acts[a])
				which[n++] = i;
		if (n == 0)
			continue;
		if (bounce_queue(c, env, msgfd, which, n, acts[a], sid,
		    sizeof(sid), err, sizeof(err)) == -1) {
			log_warn("%s: cannot queue success report, will retry: "
			    "%s", env->id, err);
			left += n;
			continue;
		}
		for (int k = 0; k < n; k++)
			env->rcpt[which[k]].owed = DSN_ACTION_NONE;
		*changed = 1;
		if (sid[0] != '\0') {
			log_info("%s: sender delivery status notification: %s",
			    env->id, sid);
			made_add(made, sid);
		}
	}
	free(which);
	return left;
}

/*
 * delay_warning: once a message has waited that long, its sender hears
 * which recipients are still being tried and why (once).  Returns 1 if
 * a warning was queued (its ID in wid).
 */
static int
warn_delayed(const struct conf *c, struct qenv *env, int msgfd, time_t now,
    char *wid)
{
	char	 err[LIM_ERR];
	int	*which, n = 0;

	wid[0] = '\0';
	if (c->delay_warning == 0 || env->warned || env->sender[0] == '\0' ||
	    now - env->arrival < c->delay_warning)
		return 0;
	if ((which = calloc((size_t)env->nrcpt + 1, sizeof(int))) == NULL)
		return 0;
	for (int i = 0; i < env->nrcpt; i++)
		if (env->rcpt[i].status == RCPT_PENDING &&
		    env->rcpt[i].error != NULL &&
		    dsn_wants(env->rcpt[i].notify, DSN_NOTIFY_DELAY))
			which[n++] = i;
	if (n > 0 && bounce_queue(c, env, msgfd, which, n,
	    DSN_ACTION_DELAYED, wid, LIM_QID, err, sizeof(err)) == -1) {
		log_warn("%s: cannot queue delay warning: %s", env->id, err);
		n = 0;
	}
	free(which);
	if (n == 0)
		return 0;
	env->warned = 1;
	log_info("%s: sender delay notification: %s", env->id, wid);
	return 1;
}

/* Room in failed[] for every recipient, after forwards were added. */
static int
grow(int **failed, int n)
{
	int	*f;

	if ((f = realloc(*failed, ((size_t)n + 1) * sizeof(int))) == NULL)
		return -1;
	*failed = f;
	return 0;
}

static int
due(const struct qrcpt *r, int force, time_t now)
{
	return r->status == RCPT_PENDING && (force || r->next_try <= now);
}

/* The local recipients, one by one; forwards join the envelope. */
static int
run_local(const struct conf *c, struct qenv *env, int msgfd, int force,
    time_t now, int **failed, int *nfailed, int *changed,
    struct deliver_made *made, char *err, size_t errlen)
{
	char	 why[LIM_ERR];

	for (int i = 0; i < env->nrcpt; i++) {
		struct qrcpt *r = &env->rcpt[i];
		int att = r->attempts, st, n = env->nrcpt, grew = 0;
		enum outcome o;

		if (!due(r, force, now) || is_remote(c, r->addr))
			continue;
		why[0] = '\0';
		o = route_local(c, env, i, msgfd, why, sizeof(why), &grew,
		    made);
		if (env->nrcpt > n && grow(failed, env->nrcpt) == -1) {
			snprintf(err, errlen, "%s", strerror(errno));
			return -1;
		}
		if (record(c, env, i, o, "local", why, now))
			(*failed)[(*nfailed)++] = i;
		r = &env->rcpt[i];	/* the envelope may have grown */
		owe(r, env->nrcpt > n ? DSN_ACTION_EXPANDED :
		    DSN_ACTION_DELIVERED);
		st = r->status;
		*changed |= grew || st != RCPT_PENDING || r->attempts != att;
		/* record a delivery before the next one, unless it's the last */
		if ((st == RCPT_SENT || grew) && pending(env) > *nfailed &&
		    queue_write_env(env, err, errlen) == -1)
			log_warn("%s", err);
	}
	return 0;
}

/*
 * The other domains' recipients (forwards made just now included), one
 * transaction per next hop (so that a domain's recipients share one
 * SMTP session and one copy of the message), each recipient with its
 * own result.  A hop that offers DSN is handed NOTIFY, ORCPT, RET and
 * ENVID and reports for itself (RFC 3461 5.2.2); one that does not is
 * owed a "relayed" report by us for each recipient whose NOTIFY has
 * SUCCESS (5.2.3).
 */
static int
run_remote(const struct conf *c, struct qenv *env, int msgfd, int force,
    time_t now, int *failed, int *nfailed, int *changed, char *err,
    size_t errlen)
{
	struct remote_result *res = NULL;
	struct qhop	*hops = NULL;
	int		*which, n = 0, nhops = 0;
	enum outcome	 o;

	if ((which = calloc((size_t)env->nrcpt + 1, sizeof(int))) == NULL)
		goto nomem;
	for (int i = 0; i < env->nrcpt; i++)
		if (due(&env->rcpt[i], force, now) &&
		    is_remote(c, env->rcpt[i].addr))
			which[n++] = i;
	if (n == 0 || qenv_hops(env, which, n, &hops, &nhops) == -1 ||
	    (res = calloc((size_t)n, sizeof(*res))) == NULL) {
		free(which);
		if (n == 0)
			return 0;
		qhops_free(hops, nhops);
		goto nomem;
	}
	free(which);
	for (int h = 0; h < nhops; h++) {
		if (remote_deliver(c, env, &hops[h], msgfd, res, err,
		    errlen) == -1)
			log_warn("%s: %s", env->id, err);
		for (int k = 0; k < hops[h].n; k++) {
			int i = hops[h].rcpt[k];

			o = res[k].res == REMOTE_OK ? OUT_OK : res[k].res ==
			    REMOTE_PERM ? OUT_PERM : OUT_TEMP;
			if (record(c, env, i, o, res[k].relay, res[k].why,
			    now))
				failed[(*nfailed)++] = i;
			if (!res[k].dsn)
				owe(&env->rcpt[i], DSN_ACTION_RELAYED);
		}
		*changed = 1;
	}
	free(res);
	qhops_free(hops, nhops);
	return 0;
nomem:
	snprintf(err, errlen, "%s", strerror(errno));
	return -1;
}

static int
run_entry(const struct conf *c, struct qenv *env, int msgfd, int force,
    struct deliver_made *made, char *err, size_t errlen)
{
	char	 bid[LIM_QID], wid[LIM_QID];
	int	*failed, nfailed = 0, changed = 0, owed;
	time_t	 now = time(NULL);

	if ((failed = calloc((size_t)env->nrcpt + 1, sizeof(int))) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if (run_local(c, env, msgfd, force, now, &failed, &nfailed, &changed,
	    made, err, errlen) == -1 || run_remote(c, env, msgfd, force, now,
	    failed, &nfailed, &changed, err, errlen) == -1) {
		free(failed);
		return -1;
	}
	settle_failures(c, env, msgfd, failed, nfailed, bid);
	free(failed);
	if (bid[0] != '\0')
		made_add(made, bid);
	owed = settle_successes(c, env, msgfd, made, &changed);
	if (pending(env) == 0 && owed == 0) {
		if (queue_remove(env->id) == -1) {
			snprintf(err, errlen, "cannot remove %s: %s", env->id,
			    strerror(errno));
			return -1;
		}
		log_info("%s: removed", env->id);
		return 0;
	}
	if (warn_delayed(c, env, msgfd, now, wid)) {
		changed = 1;
		made_add(made, wid);
	}
	if (changed && queue_write_env(env, err, errlen) == -1)
		return -1;
	return 0;
}

int
deliver_entry(const struct conf *c, const char *id, int force,
    struct deliver_made *made, char *err, size_t errlen)
{
	struct qenv	 env;
	int		 fd, r;

	err[0] = '\0';
	if ((fd = queue_lock(id, 0)) == -1) {
		if (errno == EWOULDBLOCK)
			return 0;	/* another runner has it */
		if (errno == ENOENT) {
			/* an envelope without its message: drop it */
			queue_remove(id);
			return 0;
		}
		snprintf(err, errlen, "cannot lock %s: %s", id, strerror(errno));
		return -1;
	}
	if (queue_read_env(id, &env, err, errlen) == -1) {
		close(fd);
		return errno == ENOENT ? (err[0] = '\0', 0) : -1;
	}
	r = run_entry(c, &env, fd, force, made, err, errlen);
	qenv_free(&env);
	close(fd);
	return r;
}

int
deliver_ids(const struct conf *c, char *const *ids, int n, int force)
{
	struct deliver_made	 made = { NULL, 0 }, next;
	char			 e[LIM_ERR];
	int			 bad = 0;

	for (int i = 0; i < n; i++)
		if (deliver_entry(c, ids[i], force, &made, e, sizeof(e)) == -1) {
			log_warn("%s", e);
			bad++;
		}
	/* the reports those runs made, with no entry locked meanwhile;
	   a report's own reports (there are none: its sender is <>) would
	   go round again */
	while (made.n > 0) {
		next = made;
		made.ids = NULL;
		made.n = 0;
		for (int i = 0; i < next.n; i++)
			if (deliver_entry(c, next.ids[i], 0, &made, e,
			    sizeof(e)) == -1)
				log_warn("%s", e);
		deliver_made_free(&next);
	}
	remote_end();
	return bad;
}

int
deliver_queue(const struct conf *c, int force, char *err, size_t errlen)
{
	char	**ids;
	int	 n, bad;

	queue_clean(QUEUE_TMP_MAX_AGE);
	if (queue_list(&ids, &n) == -1) {
		snprintf(err, errlen, "cannot list the queue: %s",
		    strerror(errno));
		return -1;
	}
	bad = deliver_ids(c, ids, n, force);
	queue_list_free(ids, n);
	return bad;
}
