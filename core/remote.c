/*
 * Remote delivery: the runner's side of the delivery agent, and the
 * agent.
 *
 * The two speak over a socket pair in lines of tab-separated fields (an
 * address never holds a tab or a line break: core/addr.c refuses them).
 * A request is one byte carrying the message's descriptor (SCM_RIGHTS),
 * then
 *	M <domain> <ret> <smtputf8> <sender given> <envid> <sender>
 *	R <notify> <orcpt> <address>		(one per recipient)
 *	.
 * and the answer one line per recipient, in order:
 *	<O|T|P> <dsn> <relay> <why>
 * before them, when a new TLS session was made for it, a line for the log:
 *	L <Verified|Untrusted> TLS connection established to ...
 *
 * The agent closes every descriptor it inherited but its socket and
 * the standard ones before it reads a request: the runner's locked
 * queue files must not stay locked by it, and it has no business with
 * the spool.  It logs nothing; the runner logs what it answers.
 *
 * For each hop the agent first tries a connection it still holds to
 * the same next hop; then the route (core/route.c), host by host and
 * address by address, until one takes the transaction.  A host that
 * cannot be reached, refuses to talk, fails TLS that the policy
 * requires, or drops the session before the final dot leaves its
 * recipients to the next; after the dot, nothing is tried elsewhere,
 * so that a message is not sent twice.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "addr.h"
#include "buf.h"
#include "fdio.h"
#include "io.h"
#include "log.h"
#include "privs.h"
#include "remote.h"
#include "route.h"
#include "smtpc.h"
#include "str.h"
#include "tls.h"
#include "wire.h"

#define CACHE		4	/* connections kept open by the agent */
#define CACHE_IDLE	30	/* seconds one may wait for its next use */

/* ---- relay_auth ---- */

struct cred {
	char	 user[LIM_ADDR + 1];
	char	 pass[LIM_PASS + 1];
};

/* Does this relay_auth key name the relayhost?  The value as written
   ("[smtp.example.net]:587"), or its host with or without brackets. */
static int
auth_key_matches(const struct conf *c, const char *key)
{
	char	 host[LIM_DOMAIN + 1], why[LIM_ERR];
	int	 port, mx;
	size_t	 kl = strlen(key);

	if (strcasecmp(key, c->relayhost) == 0)
		return 1;
	if (route_parse_relayhost(c->relayhost, host, sizeof(host), &port,
	    &mx, why, sizeof(why)) == -1)
		return 0;
	if (strcasecmp(key, host) == 0)
		return 1;
	return kl == strlen(host) + 2 && key[0] == '[' && key[kl - 1] == ']' &&
	    strncasecmp(key + 1, host, kl - 2) == 0;
}

/* One line "host user password" (the password is the rest of the line,
   spaces and all).  1 when it is the relayhost's, 0 when not, -1 bad. */
static int
auth_line(const struct conf *c, char *line, struct cred *cr)
{
	char	*key, *user, *pass;
	size_t	 n;

	key = line + strspn(line, " \t");
	if (*key == '\0' || *key == '#')
		return 0;
	user = key + strcspn(key, " \t");
	if (*user == '\0')
		return -1;
	*user++ = '\0';
	user += strspn(user, " \t");
	pass = user + strcspn(user, " \t");
	if (*pass == '\0')
		return -1;
	*pass++ = '\0';
	pass += strspn(pass, " \t");
	for (n = strlen(pass); n > 0 && (pass[n - 1] == ' ' ||
	    pass[n - 1] == '\t'); n--)
		pass[n - 1] = '\0';
	if (*pass == '\0' || strlen(user) > LIM_ADDR || n > LIM_PASS)
		return -1;
	if (!auth_key_matches(c, key))
		return 0;
	snprintf(cr->user, sizeof(cr->user), "%s", user);
	snprintf(cr->pass, sizeof(cr->pass), "%s", pass);
	return 1;
}

static int
auth_open(const struct conf *c, char *err, size_t errlen)
{
	struct stat	 st;
	int		 fd;

	if ((fd = open(c->relay_auth, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) == -1) {
		snprintf(err, errlen, "relay_auth %s: %s", c->relay_auth,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		snprintf(err, errlen, "relay_auth %s: not a regular file",
		    c->relay_auth);
	else if (st.st_mode & (S_IROTH | S_IWOTH | S_IWGRP))
		snprintf(err, errlen, "relay_auth %s: readable or writable by "
		    "others (mode %04o): it holds passwords; chmod 600 it",
		    c->relay_auth, (unsigned)(st.st_mode & 07777));
	else if (st.st_uid != 0 && st.st_uid != geteuid())
		snprintf(err, errlen, "relay_auth %s: owned by uid %lu, not "
		    "by root", c->relay_auth, (unsigned long)st.st_uid);
	else
		return fd;
	close(fd);
	return -1;
}

/* The relayhost's credentials: 0, or -1 with err (a file that has no
   line for it is an error too: sending without AUTH would only have
   the smarthost bounce every message for a typo). */
static int
auth_read(const struct conf *c, struct cred *cr, char *err, size_t errlen)
{
	char		 line[LIM_CONF_LINE + 2];
	struct cred	 later;		/* lines after the first match: only
					   checked, the first one wins */
	FILE		*fp;
	int		 fd, r, found = 0, lineno = 0;

	if ((fd = auth_open(c, err, errlen)) == -1)
		return -1;
	if ((fp = fdopen(fd, "r")) == NULL) {
		close(fd);
		snprintf(err, errlen, "relay_auth %s: %s", c->relay_auth,
		    strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp))
			goto bad;
		line[strcspn(line, "\r\n")] = '\0';
		if ((r = auth_line(c, line, found ? &later : cr)) == -1)
			goto bad;
		found |= r == 1;
	}
	explicit_bzero(line, sizeof(line));
	explicit_bzero(&later, sizeof(later));
	fclose(fp);
	if (!found) {
		snprintf(err, errlen, "relay_auth %s: no line for the "
		    "relayhost %s", c->relay_auth, c->relayhost);
		return -1;
	}
	return 0;
bad:
	explicit_bzero(line, sizeof(line));
	explicit_bzero(&later, sizeof(later));
	fclose(fp);
	explicit_bzero(cr, sizeof(*cr));
	snprintf(err, errlen, "relay_auth %s:%d: want 'host user password'",
	    c->relay_auth, lineno);
	return -1;
}

int
remote_check_auth(const struct conf *c, char *err, size_t errlen)
{
	struct cred	 cr;
	int		 r;

	if (c->relay_auth == NULL || c->relayhost == NULL)
		return 0;
	r = auth_read(c, &cr, err, errlen);
	explicit_bzero(&cr, sizeof(cr));
	return r;
}

/* ---- the agent ---- */

struct conn {
	char		 key[LIM_DOMAIN + 1];	/* the next hop */
	struct smtpc	 s;
	time_t		 used;
	int		 open;
};

struct agent {
	const struct conf	*c;
	enum conf_tls		 policy;
	struct tls_anchors	 anchors;
	int			 have_anchors;
	char			 anchors_err[LIM_ERR];
	struct cred		 cred;
	int			 have_cred;
	char			 cred_err[LIM_ERR];
	struct conn		 cache[CACHE];
};

/* One request, as the agent reads it. */
struct req {
	char			 domain[LIM_DOMAIN + 1];
	int			 ret, smtputf8, sender_given;
	char			 envid[LIM_DSN_ENVID + 1];
	char			 sender[LIM_ADDR + 1];
	struct smtpc_rcpt	*rcpt;	/* addr and orcpt on the heap */
	int			 n;
	const char		*data;		/* the message, mapped */
	size_t			 len;
	struct wire		 w;
	struct buf		 out;		/* its outbound form */
	char			 relay[LIM_DOMAIN + 64];
	int			 dsn;		/* the hop took NOTIFY */
	char			 tls[LIM_DOMAIN + 192];	/* a new TLS session,
							   for the log */
};

static enum conf_tls
policy(const struct conf *c)
{
	if (c->tls_set)
		return c->tls;
	return c->relayhost != NULL ? TLS_VERIFY : TLS_MAY;
}

/* Before the drop: what only root may read, and the trust anchors. */
static void
agent_load(struct agent *a)
{
	const struct conf	*c = a->c;
	char			 e[LIM_ERR];
	int			 r;

	/* each error as the recipients will be deferred with it */
	a->policy = policy(c);
	if (a->policy == TLS_VERIFY) {
		if (tls_anchors_load(&a->anchors, c->tls_ca, e,
		    sizeof(e)) == 0)
			a->have_anchors = 1;
		else
			snprintf(a->anchors_err, sizeof(a->anchors_err),
			    "4.7.5 %.400s", e);
	}
	if (c->relayhost != NULL && c->relay_auth != NULL) {
		r = auth_read(c, &a->cred, e, sizeof(e));
		a->have_cred = r == 0;
		if (r == -1)
			snprintf(a->cred_err, sizeof(a->cred_err),
			    "4.7.0 %.400s", e);
	}
}

/* Close every descriptor above stderr but keep: those /proc lists
   (a few), else all up to the limit. */
static void
close_inherited(int keep)
{
	DIR		*d;
	struct dirent	*e;
	long		 max;
	int		 fd, dfd;

	if ((d = opendir("/proc/self/fd")) != NULL) {
		dfd = dirfd(d);
		while ((e = readdir(d)) != NULL)
			if ((fd = atoi(e->d_name)) > 2 && fd != keep &&
			    fd != dfd)
				close(fd);
		closedir(d);
		return;
	}
	if ((max = sysconf(_SC_OPEN_MAX)) < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; fd++)
		if (fd != keep)
			close(fd);
}

static int
agent_drop(const struct conf *c, char *err, size_t errlen)
{
	struct passwd	*pw;

	if (geteuid() != 0)
		return 0;
	if ((pw = getpwnam(c->user)) == NULL || pw->pw_uid == 0) {
		snprintf(err, errlen, "user %s: no such unprivileged user",
		    c->user);
		return -1;
	}
	return privs_drop(pw->pw_uid, pw->pw_gid, NULL, 0, err, errlen);
}

/* ---- the connection cache ---- */

static struct conn *
cache_find(struct agent *a, const char *key, time_t now)
{
	for (int i = 0; i < CACHE; i++) {
		struct conn *k = &a->cache[i];

		if (!k->open)
			continue;
		if (now - k->used > CACHE_IDLE || k->s.broken) {
			smtpc_close(&k->s, 1);
			k->open = 0;
		} else if (strcmp(k->key, key) == 0)
			return k;
	}
	return NULL;
}

/* Keep s open for the next message to key (or QUIT the oldest). */
static void
cache_put(struct agent *a, const char *key, struct smtpc *s, time_t now)
{
	struct conn	*k = &a->cache[0];

	if (s->broken) {
		smtpc_close(s, 0);
		return;
	}
	for (int i = 0; i < CACHE; i++) {
		if (!a->cache[i].open) {
			k = &a->cache[i];
			break;
		}
		if (a->cache[i].used < k->used)
			k = &a->cache[i];
	}
	if (k->open)
		smtpc_close(&k->s, 1);
	snprintf(k->key, sizeof(k->key), "%s", key);
	k->s = *s;
	k->used = now;
	k->open = 1;
}

/* ---- one hop ---- */

/* Every recipient not decided yet gets res and why. */
static void
settle(struct req *q, enum smtpc_res res, const char *why)
{
	for (int i = 0; i < q->n; i++)
		if (q->rcpt[i].res == SMTPC_NONE) {
			q->rcpt[i].res = res;
			snprintf(q->rcpt[i].why, sizeof(q->rcpt[i].why), "%s",
			    why);
		}
}

/* The envelope sender as it leaves: masquerade rewrites user@hostname
   (the queue has qualified a bare user so) unless -f gave it. */
static void
out_sender(const struct conf *c, const struct req *q, char *out,
    size_t len)
{
	char	 local[LIM_ADDR], domain[LIM_ADDR];

	snprintf(out, len, "%s", q->sender);
	if (c->masquerade == NULL || q->sender_given || q->sender[0] == '\0' ||
	    addr_split(q->sender, local, sizeof(local), domain,
	    sizeof(domain)) == -1 || (domain[0] != '\0' &&
	    strcasecmp(domain, c->hostname) != 0))
		return;
	if ((size_t)snprintf(out, len, "%s@%s", local, c->masquerade) >= len)
		snprintf(out, len, "%s", q->sender);
}

/*
 * The transaction on an open session, for the recipients not decided
 * yet.  0: each has its result; -1: the session failed before the dot
 * (the next host may take them); 1: after it (they wait).
 */
static int
transact(struct agent *a, struct req *q, struct smtpc *s)
{
	struct smtpc_tx	 tx;
	struct smtpc_rcpt *r;
	char		 sender[LIM_ADDR + 1];
	int		 n = 0, rc, eight = (s->caps & SMTP_CAP_8BITMIME) != 0;

	if ((r = calloc((size_t)q->n, sizeof(*r))) == NULL) {
		snprintf(s->why, sizeof(s->why), "4.3.0 %s", strerror(errno));
		return 1;
	}
	for (int i = 0; i < q->n; i++)
		if (q->rcpt[i].res == SMTPC_NONE)
			r[n++] = q->rcpt[i];
	memset(&tx, 0, sizeof(tx));
	out_sender(a->c, q, sender, sizeof(sender));
	tx.sender = sender;
	tx.ret = (enum dsn_ret)q->ret;
	tx.envid = q->envid[0] ? q->envid : NULL;
	tx.smtputf8 = q->smtputf8;
	tx.eightbit = q->w.eightbit;
	tx.rcpt = r;
	tx.nrcpt = n;
	buf_reset(&q->out);
	if (wire_prepare(q->data, q->len, &q->w, eight, a->c->hostname,
	    a->c->masquerade, &q->out) == -1) {
		free(r);
		snprintf(s->why, sizeof(s->why), "4.3.0 %s", strerror(errno));
		return 1;
	}
	tx.data = q->out.len > 0 ? q->out.s : q->data;
	tx.len = q->out.len > 0 ? q->out.len : q->len;
	rc = smtpc_send(s, &tx);
	for (int i = 0, k = 0; i < q->n; i++)
		if (q->rcpt[i].res == SMTPC_NONE) {
			q->rcpt[i].res = r[k].res;
			memcpy(q->rcpt[i].why, r[k].why, sizeof(r[k].why));
			k++;
		}
	free(r);
	snprintf(q->relay, sizeof(q->relay), "%s", s->peer);
	q->dsn = tx.dsn;
	if (rc == 0)
		return 0;
	return tx.dot ? 1 : -1;
}

/* TLS as the policy wants it, after EHLO.  0, -1 (this host fails),
   or 2 (opportunistic TLS failed: try the host again in the clear). */
static int
starttls(struct agent *a, struct smtpc *s, const char *name)
{
	if (a->policy == TLS_NONE)
		return 0;
	if (!(s->caps & SMTP_CAP_STARTTLS)) {
		if (a->policy == TLS_MAY)
			return 0;
		snprintf(s->why, sizeof(s->why), "4.7.4 TLS is required, but "
		    "was not offered by host %s", s->peer);
		return -1;
	}
	if (a->policy == TLS_VERIFY && !a->have_anchors) {
		snprintf(s->why, sizeof(s->why), "%s", a->anchors_err);
		return -1;
	}
	if (smtpc_starttls(s, a->policy == TLS_VERIFY ? &a->anchors : NULL,
	    name, a->c->hostname) == 0)
		return 0;
	return a->policy == TLS_MAY && s->tls != NULL ? 2 : -1;
}

/* One address of one host: connect, greet, TLS, AUTH, transact.
   As transact, and 2 for "again without TLS". */
static int
attempt(struct agent *a, struct req *q, const struct route *rt,
    const struct route_host *h, int i, struct smtpc *s, int clear)
{
	int	 implicit = rt->relay && rt->port == 465, r;

	if (smtpc_connect(s, (const struct sockaddr *)&h->addr[i], h->name,
	    a->c->smtp_timeout) == -1)
		return -1;
	snprintf(q->relay, sizeof(q->relay), "%s", s->peer);
	if (implicit && (a->policy == TLS_VERIFY && !a->have_anchors)) {
		snprintf(s->why, sizeof(s->why), "%s", a->anchors_err);
		return -1;
	}
	if (implicit && smtpc_tls(s, a->policy == TLS_VERIFY ? &a->anchors :
	    NULL, h->name) == -1)
		return -1;
	if (smtpc_greeting(s) == -1 || smtpc_ehlo(s, a->c->hostname) == -1)
		return -1;
	if (!implicit && !clear && (r = starttls(a, s, h->name)) != 0)
		return r;
	if (rt->relay && a->have_cred && s->auth != 0 &&
	    smtpc_auth(s, a->cred.user, a->cred.pass) == -1)
		return -1;
	return transact(a, q, s);
}

/* Postfix's line for a TLS session just made, for the runner's log. */
static void
tls_note(struct req *q, const struct smtpc *s)
{
	if (s->tls == NULL || tls_version(s->tls) == NULL)
		return;
	snprintf(q->tls, sizeof(q->tls), "%s TLS connection established to "
	    "%s: %s with cipher %s", tls_verified(s->tls) ? "Verified" :
	    "Untrusted", s->peer, tls_version(s->tls), tls_cipher(s->tls));
}

/* Host by host, address by address, until one takes the message. */
static void
walk(struct agent *a, struct req *q, const struct route *rt,
    const char *key)
{
	char		 last[LIM_ERR] = "";
	struct smtpc	 s;
	int		 r;

	for (int h = 0; h < rt->nhost; h++) {
		const struct route_host *rh = &rt->host[h];

		if (rh->naddr == 0 && last[0] == '\0')
			snprintf(last, sizeof(last), "4.4.3 %s", rh->err);
		for (int i = 0; i < rh->naddr; i++) {
			r = attempt(a, q, rt, rh, i, &s, 0);
			if (r == 2) {
				smtpc_close(&s, 0);
				r = attempt(a, q, rt, rh, i, &s, 1);
			}
			if (r == 0) {
				tls_note(q, &s);
				cache_put(a, key, &s, time(NULL));
				return;
			}
			snprintf(last, sizeof(last), "%s", s.why);
			smtpc_close(&s, !s.broken);
			if (r == 1) {
				settle(q, SMTPC_TEMP, last);
				return;
			}
		}
	}
	settle(q, SMTPC_TEMP, last[0] ? last : "4.4.1 no host to try");
}

static void
agent_hop(struct agent *a, struct req *q)
{
	char		 key[LIM_DOMAIN + 1], why[LIM_ERR];
	struct conn	*k;
	struct route	*rt;
	time_t		 now = time(NULL);
	int		 r;

	snprintf(q->relay, sizeof(q->relay), "none");
	if (a->c->relayhost != NULL && a->cred_err[0] != '\0') {
		settle(q, SMTPC_TEMP, a->cred_err);
		return;
	}
	snprintf(key, sizeof(key), "%s", a->c->relayhost != NULL ?
	    a->c->relayhost : q->domain);
	str_lower(key);
	wire_scan(q->data, q->len, &q->w);
	if ((k = cache_find(a, key, now)) != NULL) {
		r = transact(a, q, &k->s);
		if (r == 0 && !k->s.broken) {
			k->used = now;
			return;
		}
		smtpc_close(&k->s, !k->s.broken);
		k->open = 0;
		if (r != -1) {
			if (r == 1)
				settle(q, SMTPC_TEMP, k->s.why);
			return;
		}
	}
	if ((rt = calloc(1, sizeof(*rt))) == NULL) {
		settle(q, SMTPC_TEMP, "4.3.0 out of memory");
		return;
	}
	switch (route_domain(a->c, q->domain, rt, why, sizeof(why))) {
	case ROUTE_OK:
		walk(a, q, rt, key);
		break;
	case ROUTE_TEMP:
		settle(q, SMTPC_TEMP, why);
		break;
	case ROUTE_PERM:
		settle(q, SMTPC_PERM, why);
		break;
	}
	free(rt);
}

/* ---- the agent's loop ---- */

static char *
field(char **p)
{
	char	*f = strsep(p, "\t");

	return f != NULL ? f : (char *)"";
}

/* The request's lines after the descriptor.  0, or -1 (malformed). */
static int
read_req(struct io *io, struct req *q)
{
	char		 line[LIM_ENV_LINE * 2], *p;
	size_t		 n;
	enum io_term	 t;

	if (io_getline(io, line, sizeof(line), &n, &t) != 1 ||
	    line[0] != 'M' || line[1] != '\t')
		return -1;
	p = line + 2;
	snprintf(q->domain, sizeof(q->domain), "%s", field(&p));
	q->ret = atoi(field(&p));
	q->smtputf8 = atoi(field(&p));
	q->sender_given = atoi(field(&p));
	snprintf(q->envid, sizeof(q->envid), "%s", field(&p));
	snprintf(q->sender, sizeof(q->sender), "%s", field(&p));
	for (;;) {
		struct smtpc_rcpt *r;
		char *orcpt;

		if (io_getline(io, line, sizeof(line), &n, &t) != 1)
			return -1;
		if (strcmp(line, ".") == 0)
			return 0;
		if (line[0] != 'R' || line[1] != '\t' || q->n >= LIM_RCPT_HARD)
			return -1;
		if ((q->n % 64) == 0 && ((r = reallocarray(q->rcpt,
		    (size_t)q->n + 64, sizeof(*r))) == NULL || (q->rcpt = r,
		    0)))
			return -1;
		r = &q->rcpt[q->n];
		memset(r, 0, sizeof(*r));
		p = line + 2;
		r->notify = (unsigned)atoi(field(&p));
		orcpt = field(&p);
		q->n++;		/* req_free frees what is set */
		if ((*orcpt != '\0' && (r->orcpt = strdup(orcpt)) == NULL) ||
		    (r->addr = strdup(field(&p))) == NULL)
			return -1;
	}
}

static void
req_free(struct req *q)
{
	for (int i = 0; i < q->n; i++) {
		free((char *)q->rcpt[i].addr);
		free((char *)q->rcpt[i].orcpt);
	}
	free(q->rcpt);
	buf_free(&q->out);
	memset(q, 0, sizeof(*q));
}

static int
answer(struct io *io, const struct req *q)
{
	static const char res[] = { 'T', 'O', 'T', 'P' };	/* smtpc_res */

	if (q->tls[0] != '\0')
		io_printf(io, "L\t%s\n", q->tls);
	for (int i = 0; i < q->n; i++)
		io_printf(io, "%c\t%d\t%s\t%s\n", res[q->rcpt[i].res],
		    q->rcpt[i].res == SMTPC_OK && q->dsn, q->relay,
		    q->rcpt[i].why);
	return io_flush(io);
}

/* A message, mapped (an empty one is a valid "" of length 0). */
static int
map_msg(int fd, struct req *q)
{
	struct stat	 st;
	void		*p;

	if (fstat(fd, &st) == -1)
		return -1;
	q->len = (size_t)st.st_size;
	q->data = "";
	if (q->len == 0)
		return 0;
	if ((p = mmap(NULL, q->len, PROT_READ, MAP_PRIVATE, fd, 0)) ==
	    MAP_FAILED)
		return -1;
	q->data = p;
	return 0;
}

static void __attribute__((noreturn))
agent_main(const struct conf *c, int sock)
{
	static struct agent	 a;
	struct io		*io;
	struct req		 q;
	char			 fatal[LIM_ERR] = "", b;
	int			 fd = -1, r;

	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_NAME, "hikyaku-smtp");
	close_inherited(sock);
	a.c = c;
	if ((io = malloc(sizeof(*io))) == NULL)
		_exit(1);
	io_init(io, sock, sock, 0);
	agent_load(&a);
	if (agent_drop(c, fatal, sizeof(fatal)) == -1) {
		memmove(fatal + 6, fatal, sizeof(fatal) - 6);
		memcpy(fatal, "4.3.0 ", 6);
		fatal[sizeof(fatal) - 1] = '\0';
	}
	memset(&q, 0, sizeof(q));
	while (fdio_recv_fd(sock, &b, 1, &fd) == 1) {
		buf_init(&q.out, 0);
		if (read_req(io, &q) == -1 || map_msg(fd, &q) == -1) {
			close(fd);
			break;
		}
		close(fd);
		if (fatal[0] != '\0') {
			snprintf(q.relay, sizeof(q.relay), "none");
			settle(&q, SMTPC_TEMP, fatal);
		} else
			agent_hop(&a, &q);
		if (q.len > 0)
			munmap((void *)q.data, q.len);
		r = answer(io, &q);
		req_free(&q);
		if (r == -1)
			break;
	}
	for (int i = 0; i < CACHE; i++)
		if (a.cache[i].open)
			smtpc_close(&a.cache[i].s, 1);
	_exit(0);
}

/* ---- the runner's side ---- */

static struct {
	pid_t		 pid;
	int		 fd;
	struct io	*io;
} ag = { -1, -1, NULL };

static int
agent_start(const struct conf *c, char *err, size_t errlen)
{
	int	 sv[2];

	if ((ag.io = malloc(sizeof(*ag.io))) == NULL)
		goto fail;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		goto fail;
	if ((ag.pid = fork()) == -1) {
		close(sv[0]);
		close(sv[1]);
		goto fail;
	}
	if (ag.pid == 0) {
		close(sv[0]);
		agent_main(c, sv[1]);
	}
	close(sv[1]);
	ag.fd = sv[0];
	io_init(ag.io, ag.fd, ag.fd, 0);
	return 0;
fail:
	snprintf(err, errlen, "cannot start the delivery agent: %s",
	    strerror(errno));
	free(ag.io);
	ag.io = NULL;
	return -1;
}

void
remote_end(void)
{
	if (ag.fd == -1)
		return;
	close(ag.fd);
	free(ag.io);
	while (waitpid(ag.pid, NULL, 0) == -1 && errno == EINTR)
		;
	ag.fd = ag.pid = -1;
	ag.io = NULL;
}

static int
ask(const struct qenv *env, const struct qhop *h, int msgfd)
{
	if (fdio_send_fd(ag.fd, "Q", 1, msgfd) == -1)
		return -1;
	io_printf(ag.io, "M\t%s\t%d\t%d\t%d\t%s\t%s\n", h->domain,
	    (int)env->ret, env->smtputf8, env->sender_given,
	    env->envid != NULL ? env->envid : "", env->sender);
	for (int k = 0; k < h->n; k++) {
		const struct qrcpt *r = &env->rcpt[h->rcpt[k]];

		io_printf(ag.io, "R\t%u\t%s\t%s\n", r->notify,
		    r->orcpt != NULL ? r->orcpt : "", r->addr);
	}
	io_printf(ag.io, ".\n");
	return io_flush(ag.io);
}

/* One answer line into res. */
static int
parse_answer(char *line, struct remote_result *res)
{
	char	*p = line, *st = field(&p), *dsn = field(&p);
	char	*relay = field(&p);

	if (p == NULL || strlen(st) != 1 || strchr("OTP", st[0]) == NULL)
		return -1;
	res->res = st[0] == 'O' ? REMOTE_OK : st[0] == 'P' ? REMOTE_PERM :
	    REMOTE_TEMP;
	res->dsn = strcmp(dsn, "1") == 0;
	snprintf(res->relay, sizeof(res->relay), "%s", relay);
	snprintf(res->why, sizeof(res->why), "%s", p);
	return 0;
}

int
remote_deliver(const struct conf *c, const struct qenv *env,
    const struct qhop *h, int msgfd, struct remote_result *res,
    char *err, size_t errlen)
{
	char		 line[LIM_ERR + LIM_DOMAIN + 128];
	size_t		 n;
	enum io_term	 t;
	int		 k = 0;

	if (ag.fd == -1 && agent_start(c, err, errlen) == -1)
		goto fail;
	if (ask(env, h, msgfd) == -1) {
		snprintf(err, errlen, "delivery agent: %s", strerror(errno));
		goto ended;
	}
	while (k < h->n) {
		if (io_getline(ag.io, line, sizeof(line), &n, &t) != 1) {
			snprintf(err, errlen, "the delivery agent ended");
			goto ended;
		}
		if (line[0] == 'L' && line[1] == '\t')
			log_info("%s: %s", env->id, line + 2);
		else if (parse_answer(line, &res[k++]) == -1) {
			k--;
			snprintf(err, errlen, "the delivery agent ended");
			goto ended;
		}
	}
	return 0;
ended:
	remote_end();
fail:
	for (; k < h->n; k++) {
		res[k].res = REMOTE_TEMP;
		res[k].dsn = 0;
		snprintf(res[k].relay, sizeof(res[k].relay), "none");
		snprintf(res[k].why, sizeof(res[k].why), "4.3.0 %s", err);
	}
	return -1;
}
