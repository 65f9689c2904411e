/*
 * The queue runner.
 *
 * Order matters for "at least once, never lost": a bounce is committed
 * before the failed recipients are recorded as failed, and a delivered
 * recipient is recorded before the entry goes on to the next one, so a
 * crash at any point repeats work rather than losing it.
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
#include "limits.h"
#include "local.h"
#include "log.h"
#include "queue.h"
#include "str.h"
#include "users.h"

#define TMP_MAX_AGE	(24 * 3600)	/* a tmp/ file this old is abandoned */

enum outcome { OUT_OK, OUT_TEMP, OUT_PERM, OUT_SKIP };

static enum outcome
deliver_local(const struct conf *c, const struct qenv *env,
    const struct qrcpt *r, const char *localpart, int msgfd, char *why,
    size_t len)
{
	struct user		 u;
	struct local_msg	 m;
	int			 found;

	if ((found = users_by_localpart(c->passwd, localpart, &u)) == -1) {
		snprintf(why, len, "4.3.0 cannot read %s: %s", c->passwd,
		    strerror(errno));
		return OUT_TEMP;
	}
	if (found == 0) {
		snprintf(why, len, "5.1.1 unknown user: \"%s\"", localpart);
		return OUT_PERM;
	}
	if (geteuid() != 0 && geteuid() != u.uid)
		return OUT_SKIP;	/* another user's mailbox: root's job */
	memset(&m, 0, sizeof(m));
	m.fd = msgfd;
	m.sender = env->sender;
	m.rcpt = r->addr;
	m.arrival = env->arrival;
	switch (local_deliver(c, &u, &m, why, len)) {
	case DELIVERY_OK:
		return OUT_OK;
	case DELIVERY_PERMFAIL:
		return OUT_PERM;
	default:
		return OUT_TEMP;
	}
}

static enum outcome
route(const struct conf *c, const struct qenv *env, const struct qrcpt *r,
    int msgfd, char *why, size_t len, const char **relay)
{
	char	 local[LIM_ADDR], domain[LIM_ADDR];

	*relay = "local";
	if (addr_split(r->addr, local, sizeof(local), domain,
	    sizeof(domain)) == -1) {
		snprintf(why, len, "5.1.3 bad address syntax");
		return OUT_PERM;
	}
	if (domain[0] == '\0' || conf_is_local_domain(c, domain))
		return deliver_local(c, env, r, local, msgfd, why, len);
	*relay = "none";
	snprintf(why, len, "4.4.0 remote delivery is not available in this "
	    "build (domain %s)", domain);
	return OUT_TEMP;
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

/* Try one recipient; returns 1 if it failed for good. */
static int
try_rcpt(const struct conf *c, struct qenv *env, struct qrcpt *r, int msgfd,
    time_t now)
{
	char		 why[LIM_ERR], expired[LIM_ERR + 128], age[32];
	const char	*relay;

	why[0] = '\0';
	switch (route(c, env, r, msgfd, why, sizeof(why), &relay)) {
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

/* Bounce the failed ones, then record them as failed.  bid gets the
   bounce's ID, or "". */
static void
settle_failures(const struct conf *c, struct qenv *env, int msgfd,
    const int *failed, int nfailed, char *bid)
{
	char	 err[LIM_ERR];

	bid[0] = '\0';
	if (nfailed == 0)
		return;
	if (bounce_queue(c, env, msgfd, failed, nfailed, "failed", bid,
	    LIM_QID, err, sizeof(err)) == -1) {
		log_warn("%s: cannot queue bounce, will retry: %s", env->id, err);
		for (int i = 0; i < nfailed; i++)
			env->rcpt[failed[i]].next_try = 0;
		return;
	}
	for (int i = 0; i < nfailed; i++)
		env->rcpt[failed[i]].status = RCPT_FAILED;
	if (bid[0] != '\0')
		log_info("%s: sender non-delivery notification: %s", env->id, bid);
	else
		log_info("%s: null sender: no bounce for the %d failed "
		    "recipient(s)", env->id, nfailed);
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
		    env->rcpt[i].error != NULL)
			which[n++] = i;
	if (n > 0 && bounce_queue(c, env, msgfd, which, n, "delayed", wid,
	    LIM_QID, err, sizeof(err)) == -1) {
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

static int
run_entry(const struct conf *c, struct qenv *env, int msgfd, int force,
    char *bid, char *wid, char *err, size_t errlen)
{
	int	*failed, nfailed = 0, changed = 0;
	time_t	 now = time(NULL);

	if ((failed = calloc((size_t)env->nrcpt + 1, sizeof(int))) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < env->nrcpt; i++) {
		struct qrcpt *r = &env->rcpt[i];
		int att = r->attempts, st;

		if (r->status != RCPT_PENDING || (!force && r->next_try > now))
			continue;
		if (try_rcpt(c, env, r, msgfd, now))
			failed[nfailed++] = i;
		st = r->status;
		changed |= st != RCPT_PENDING || r->attempts != att;
		/* record a delivery before the next one, unless it's the last */
		if (st == RCPT_SENT && pending(env) > nfailed &&
		    queue_write_env(env, err, errlen) == -1)
			log_warn("%s", err);
	}
	settle_failures(c, env, msgfd, failed, nfailed, bid);
	free(failed);
	wid[0] = '\0';
	if (pending(env) == 0) {
		if (queue_remove(env->id) == -1) {
			snprintf(err, errlen, "cannot remove %s: %s", env->id,
			    strerror(errno));
			return -1;
		}
		log_info("%s: removed", env->id);
		return 0;
	}
	changed |= warn_delayed(c, env, msgfd, now, wid);
	if (changed && queue_write_env(env, err, errlen) == -1)
		return -1;
	return 0;
}

int
deliver_entry(const struct conf *c, const char *id, int force, char *err,
    size_t errlen)
{
	struct qenv	 env;
	char		 bid[LIM_QID], wid[LIM_QID], berr[LIM_ERR];
	int		 fd, r;

	err[0] = '\0';
	bid[0] = wid[0] = '\0';
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
	r = run_entry(c, &env, fd, force, bid, wid, err, errlen);
	qenv_free(&env);
	close(fd);
	/* reports go out now too (they never bounce: their sender is <>) */
	if (bid[0] != '\0' && deliver_entry(c, bid, 0, berr, sizeof(berr)) == -1)
		log_warn("%s", berr);
	if (wid[0] != '\0' && deliver_entry(c, wid, 0, berr, sizeof(berr)) == -1)
		log_warn("%s", berr);
	return r;
}

int
deliver_queue(const struct conf *c, int force, char *err, size_t errlen)
{
	char	**ids, e[LIM_ERR];
	int	 n, bad = 0;

	queue_clean(TMP_MAX_AGE);
	if (queue_list(&ids, &n) == -1) {
		snprintf(err, errlen, "cannot list the queue: %s",
		    strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (deliver_entry(c, ids[i], force, e, sizeof(e)) == -1) {
			log_warn("%s", e);
			bad++;
		}
	queue_list_free(ids, n);
	return bad;
}
