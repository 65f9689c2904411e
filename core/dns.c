/*
 * MX, AAAA and A lookups over UDP, then TCP on truncation (RFC 1035
 * 4.2, RFC 7766).  A reply is checked whole before a record is used:
 * every name through dn_expand's bounds, every rdlength within the
 * reply, nothing after the last record.  Why res_send is not used: see
 * dns.h.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "rand.h"
#include "str.h"

#define DNS_PORT	53
#define TIMEOUT		5	/* seconds, as resolv.conf(5) */
#define ATTEMPTS	2
#define UDP_MAX		4096	/* no EDNS0 is sent: 512 in practice */
#define TCP_MAX		65535

const char	*dns_resolv_conf = "/etc/resolv.conf";
int		 dns_port = DNS_PORT;

struct nsconf {
	struct sockaddr_storage	 ns[LIM_DNS_SERVERS];
	socklen_t		 nslen[LIM_DNS_SERVERS];
	int			 n, timeout, attempts;
};

/* A reply checked whole: its bounds and its answer section. */
struct reply {
	const unsigned char	*base, *end;
	const unsigned char	*an;		/* the first answer record */
	int			 nan;
};

/* One record as read: owner, type, class, and its rdata in the reply. */
struct rr {
	char			 name[NS_MAXDNAME];
	int			 type, class, rdlen;
	const unsigned char	*rdata;
};

/* What one reply parse collects, by the record type asked. */
struct take {
	int		 type;
	struct dns_mx	*mx;
	struct dns_addr	*addr;
	int		 max, n;
	int		 nulls;		/* MX records with the target "." */
	int		 bad;		/* MX or PTR targets that are no host
					   names */
	char		*ptr;		/* the PTR name, ptrlen bytes */
	size_t		 ptrlen;
};

int
dns_valid_name(const char *s)
{
	size_t	 label = 0, n = 0;

	for (; s[n] != '\0'; n++) {
		char	 ch = s[n];

		if (ch == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return 0;
		if (++label > 63)
			return 0;
	}
	return n > 0 && n <= LIM_DOMAIN;
}

/* A name as dn_expand or the caller gives it, without the root's dot,
   into out (LIM_DOMAIN + 1); -1 when too long. */
static int
plain_name(const char *s, char *out)
{
	size_t	 n = strlen(s);

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n > LIM_DOMAIN)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

static int
same_name(const char *a, const char *b)
{
	size_t	 na = strlen(a), nb = strlen(b);

	if (na > 0 && a[na - 1] == '.')
		na--;
	if (nb > 0 && b[nb - 1] == '.')
		nb--;
	return na == nb && strncasecmp(a, b, na) == 0;
}

static enum dns_status
malformed(char *why, size_t len, const char *what)
{
	snprintf(why, len, "malformed reply: %s", what);
	return DNS_TEMP;
}

/* The record at *p (a question when q), *p moved past it; -1 when it
   or its owner name goes past the end. */
static int
read_rr(const struct reply *m, const unsigned char **p, int q, struct rr *rr)
{
	const unsigned char	*c = *p;
	int			 k;

	if ((k = dn_expand(m->base, m->end, c, rr->name, NS_MAXDNAME)) < 0 ||
	    m->end - c - k < (q ? 4 : 10))
		return -1;
	c += k;
	rr->type = c[0] << 8 | c[1];
	rr->class = c[2] << 8 | c[3];
	rr->rdlen = 0;
	rr->rdata = NULL;
	if (!q) {
		rr->rdlen = c[8] << 8 | c[9];
		if (rr->rdlen > m->end - c - 10)
			return -1;
		rr->rdata = c + 10;
		c += rr->rdlen;
	}
	*p = c + (q ? 4 : 10);
	return 0;
}

/* Every record of the reply within its bounds, and nothing after the
   last one (as ns_initparse has it): 0, or -1. */
static int
read_all(struct reply *m, struct rr *rr)
{
	const unsigned char	*p = m->base + NS_HFIXEDSZ;
	int			 i, n;

	for (i = 0; i < 4; i++) {
		n = m->base[4 + 2 * i] << 8 | m->base[5 + 2 * i];
		if (i == 1) {
			m->an = p;
			m->nan = n;
		}
		while (n-- > 0)
			if (read_rr(m, &p, i == 0, rr) == -1)
				return -1;
	}
	return p == m->end ? 0 : -1;
}

/*
 * The header and the question of a reply: DNS_OK when it answers qname
 * and type (its answers then in m), else the outcome.
 */
static enum dns_status
reply_open(const unsigned char *ans, size_t n, const char *qname, int type,
    struct reply *m, char *why, size_t len)
{
	const unsigned char	*p;
	struct rr		 rr;
	int			 rcode;

	if (n < NS_HFIXEDSZ || n > TCP_MAX)
		return malformed(why, len, n < NS_HFIXEDSZ ? "shorter than "
		    "its header" : "longer than 65535 bytes");
	if (!(ans[2] & 0x80) || (ans[2] & 0x78) != 0)
		return malformed(why, len, "not an answer to a query");
	if (ans[2] & 0x02)
		return malformed(why, len, "truncated");
	rcode = ans[3] & 15;
	if (rcode != ns_r_noerror && rcode != ns_r_nxdomain) {
		if (rcode == ns_r_servfail)
			snprintf(why, len, "SERVFAIL");
		else if (rcode == ns_r_refused)
			snprintf(why, len, "REFUSED");
		else
			snprintf(why, len, "error %d", rcode);
		return DNS_TEMP;
	}
	m->base = ans;
	m->end = ans + n;
	if (read_all(m, &rr) == -1)
		return malformed(why, len, "records past its end");
	p = ans + NS_HFIXEDSZ;
	if (ans[4] != 0 || ans[5] != 1 || read_rr(m, &p, 1, &rr) == -1 ||
	    !same_name(rr.name, qname) || rr.type != type ||
	    rr.class != ns_c_in)
		return malformed(why, len, "not the question asked");
	if (rcode == ns_r_nxdomain) {
		snprintf(why, len, "%s not found", qname);
		return DNS_NXDOMAIN;
	}
	return DNS_OK;
}

/* An MX record's target, or -1 when it does not fill its rdata. */
static int
mx_target(const struct reply *m, const struct rr *rr, char *name, size_t len)
{
	int	 k;

	if (rr->rdlen < 3)
		return -1;
	k = dn_expand(m->base, m->end, rr->rdata + 2, name, (int)len);
	return k < 0 || k + 2 != rr->rdlen ? -1 : 0;
}

/* An MX record into t: each target once with its best preference; when
   t is full, a better record replaces the worst one. */
static int
take_mx(struct take *t, const struct reply *m, const struct rr *rr)
{
	char		 raw[NS_MAXDNAME], name[LIM_DOMAIN + 1];
	unsigned	 pref;
	int		 i, worst = 0;

	if (mx_target(m, rr, raw, sizeof(raw)) == -1)
		return -1;
	pref = (unsigned)(rr->rdata[0] << 8 | rr->rdata[1]);
	if (plain_name(raw, name) == -1 || (name[0] != '\0' &&
	    !dns_valid_name(name))) {
		t->bad++;
		return 0;
	}
	if (name[0] == '\0') {
		t->nulls++;
		return 0;
	}
	str_lower(name);
	for (i = 0; i < t->n; i++) {
		if (strcmp(t->mx[i].name, name) == 0) {
			if (pref < t->mx[i].pref)
				t->mx[i].pref = pref;
			return 0;
		}
		if (t->mx[i].pref > t->mx[worst].pref)
			worst = i;
	}
	if (t->n < t->max)
		i = t->n++;
	else if (t->n > 0 && pref < t->mx[worst].pref)
		i = worst;
	else
		return 0;
	memcpy(t->mx[i].name, name, sizeof(name));
	t->mx[i].pref = pref;
	return 0;
}

/* An A or AAAA record; past max, the rest are not kept (a host's first
   few addresses are all a delivery tries). */
static int
take_addr(struct take *t, const struct rr *rr)
{
	int	 want = t->type == ns_t_a ? 4 : 16;

	if (rr->rdlen != want)
		return -1;
	if (t->n < t->max) {
		t->addr[t->n].family = want == 4 ? AF_INET : AF_INET6;
		memset(t->addr[t->n].a, 0, sizeof(t->addr[t->n].a));
		memcpy(t->addr[t->n].a, rr->rdata, (size_t)want);
		t->n++;
	}
	return 0;
}

/* A PTR record: the first host name is kept, in the case the server
   gave it (as gethostbyaddr does); names that are none (glibc's
   res_hnok would refuse them too) are skipped. */
static int
take_ptr(struct take *t, const struct reply *m, const struct rr *rr)
{
	char	 raw[NS_MAXDNAME], name[LIM_DOMAIN + 1];
	int	 k;

	if (rr->rdlen < 1 || (k = dn_expand(m->base, m->end, rr->rdata, raw,
	    sizeof(raw))) != rr->rdlen)
		return -1;
	if (plain_name(raw, name) == -1 || !dns_valid_name(name)) {
		t->bad++;
		return 0;
	}
	if (t->n++ == 0)
		snprintf(t->ptr, t->ptrlen, "%s", name);	/* as given,
							   as glibc's */
	return 0;
}

/*
 * One pass over the answer section: the records of t->type owned by
 * cur go into t; the target of a CNAME owned by cur into next.
 */
static enum dns_status
answer_pass(const struct reply *m, const char *cur, struct take *t,
    int *found, char *next, char *why, size_t len)
{
	const unsigned char	*p = m->an;
	struct rr		 rr;
	int			 i, r;

	for (i = 0; i < m->nan; i++) {
		if (read_rr(m, &p, 0, &rr) == -1)
			return malformed(why, len, "a record past its end");
		if (rr.class != ns_c_in || !same_name(rr.name, cur))
			continue;
		if (rr.type == t->type) {
			(*found)++;
			r = t->type == ns_t_mx ? take_mx(t, m, &rr) :
			    t->type == ns_t_ptr ? take_ptr(t, m, &rr) :
			    take_addr(t, &rr);
			if (r == -1)
				return malformed(why, len, "a record that does "
				    "not fill its length");
		} else if (rr.type == ns_t_cname && next[0] == '\0') {
			if (rr.rdlen < 1 || dn_expand(m->base, m->end,
			    rr.rdata, next, NS_MAXDNAME) != rr.rdlen)
				return malformed(why, len, "a CNAME that does "
				    "not fill its length");
			if (next[0] == '\0')
				return malformed(why, len, "a CNAME to the root");
		}
	}
	return DNS_OK;
}

/*
 * The records of t->type for qname in the answer section, following a
 * CNAME chain from qname (only the records owned by the chain's current
 * name count), at most LIM_DNS_CNAME links long.
 */
static enum dns_status
walk(const struct reply *m, const char *qname, struct take *t, char *why,
    size_t len)
{
	char		 cur[NS_MAXDNAME], next[NS_MAXDNAME];
	enum dns_status	 s;
	int		 hops, found;

	snprintf(cur, sizeof(cur), "%s", qname);
	for (hops = 0;; hops++) {
		found = 0;
		next[0] = '\0';
		if ((s = answer_pass(m, cur, t, &found, next, why, len)) !=
		    DNS_OK)
			return s;
		if (found > 0)
			return DNS_OK;
		if (next[0] == '\0') {
			snprintf(why, len, "%s has no %s record", qname,
			    t->type == ns_t_mx ? "MX" : t->type == ns_t_a ?
			    "A" : t->type == ns_t_ptr ? "PTR" : "AAAA");
			return DNS_NODATA;
		}
		if (hops == LIM_DNS_CNAME)
			return malformed(why, len, "a CNAME loop or a chain "
			    "longer than 8");
		memcpy(cur, next, sizeof(cur));
	}
}

/* Sort by preference (n is small: insertion), then shuffle each run of
   equal preferences, so that equal MX hosts share the load. */
static void
sort_mx(struct dns_mx *mx, int n)
{
	struct dns_mx	 tmp;
	int		 i, j, k;

	for (i = 1; i < n; i++) {
		tmp = mx[i];
		for (j = i; j > 0 && mx[j - 1].pref > tmp.pref; j--)
			mx[j] = mx[j - 1];
		mx[j] = tmp;
	}
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && mx[j].pref == mx[i].pref; j++)
			;
		for (k = j - 1; k > i; k--) {
			int	 r = i + (int)(rand_u32() % (uint32_t)(k - i + 1));

			tmp = mx[k];
			mx[k] = mx[r];
			mx[r] = tmp;
		}
	}
}

enum dns_status
dns_parse_mx(const unsigned char *ans, size_t n, const char *qname,
    struct dns_mx *mx, int max, int *nmx, char *why, size_t len)
{
	struct take	 t = { ns_t_mx, mx, NULL, max, 0, 0, 0, NULL, 0 };
	struct reply	 m;
	enum dns_status	 s;

	*nmx = 0;
	if ((s = reply_open(ans, n, qname, ns_t_mx, &m, why, len)) != DNS_OK ||
	    (s = walk(&m, qname, &t, why, len)) != DNS_OK)
		return s;
	if (t.n == 0 && t.bad > 0)
		return malformed(why, len, "MX targets that are no host names");
	if (t.n == 0) {
		snprintf(why, len, "%s does not accept mail (null MX)", qname);
		return DNS_NULLMX;
	}
	sort_mx(mx, t.n);
	*nmx = t.n;
	return DNS_OK;
}

enum dns_status
dns_parse_addrs(const unsigned char *ans, size_t n, const char *qname,
    int type, struct dns_addr *a, int max, int *na, char *why, size_t len)
{
	struct take	 t = { type, NULL, a, max, *na, 0, 0, NULL, 0 };
	struct reply	 m;
	enum dns_status	 s;

	if (type != ns_t_a && type != ns_t_aaaa)
		return malformed(why, len, "not an address type");
	if ((s = reply_open(ans, n, qname, type, &m, why, len)) != DNS_OK ||
	    (s = walk(&m, qname, &t, why, len)) != DNS_OK)
		return s;
	*na = t.n;
	return DNS_OK;
}

enum dns_status
dns_parse_ptr(const unsigned char *ans, size_t n, const char *qname,
    char *name, size_t namelen, char *why, size_t len)
{
	struct take	 t = { ns_t_ptr, NULL, NULL, 1, 0, 0, 0, name, namelen };
	struct reply	 m;
	enum dns_status	 s;

	if ((s = reply_open(ans, n, qname, ns_t_ptr, &m, why, len)) != DNS_OK ||
	    (s = walk(&m, qname, &t, why, len)) != DNS_OK)
		return s;
	if (t.n == 0)
		return malformed(why, len, "PTR names that are no host names");
	return DNS_OK;
}

void
dns_ptr_name(int family, const unsigned char *a, char *q, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 n = 0;
	int			 i;

	if (family == AF_INET6 &&
	    memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		a += 12;
		family = AF_INET;
	}
	if (family == AF_INET) {
		snprintf(q, len, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1],
		    a[0]);
		return;
	}
	for (i = 15; i >= 0 && n + 4 < len; i--) {
		q[n++] = hex[a[i] & 15];
		q[n++] = '.';
		q[n++] = hex[a[i] >> 4];
		q[n++] = '.';
	}
	snprintf(q + n, len - n, "ip6.arpa");
}

static void
add_server(struct nsconf *r, const char *t)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&r->ns[r->n];
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&r->ns[r->n];

	if (r->n == LIM_DNS_SERVERS)
		return;
	memset(&r->ns[r->n], 0, sizeof(r->ns[r->n]));
	if (inet_pton(AF_INET, t, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)dns_port);
		r->nslen[r->n++] = sizeof(*s4);
	} else if (inet_pton(AF_INET6, t, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)dns_port);
		r->nslen[r->n++] = sizeof(*s6);
	}
}

/* "timeout:N" or "attempts:N" of an options line, kept within 1..max. */
static void
option(const char *w, const char *key, int max, int *out)
{
	size_t	 k = strlen(key);
	char	*end;
	long	 v;

	if (strncmp(w, key, k) != 0 || w[k] == '\0')
		return;
	v = strtol(w + k, &end, 10);
	if (*end == '\0' && v >= 0)
		*out = v < 1 ? 1 : v > max ? max : (int)v;
}

/* The nameservers and options of resolv.conf, as libc takes them; none
   (or no file) means 127.0.0.1. */
static void
read_resolv_conf(struct nsconf *r)
{
	char	 line[512], *w, *save;
	FILE	*f;

	memset(r, 0, sizeof(*r));
	r->timeout = TIMEOUT;
	r->attempts = ATTEMPTS;
	if ((f = fopen(dns_resolv_conf, "re")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			if ((w = strtok_r(line, " \t\r\n", &save)) == NULL)
				continue;
			if (strcmp(w, "nameserver") == 0) {
				if ((w = strtok_r(NULL, " \t\r\n", &save)) !=
				    NULL)
					add_server(r, w);
			} else if (strcmp(w, "options") == 0) {
				while ((w = strtok_r(NULL, " \t\r\n", &save)) !=
				    NULL) {
					option(w, "timeout:", 30, &r->timeout);
					option(w, "attempts:", 5, &r->attempts);
				}
			}
		}
		fclose(f);
	}
	if (r->n == 0)
		add_server(r, "127.0.0.1");
}

static void
server_name(const struct sockaddr_storage *ss, char *out, size_t len)
{
	const void	*a = ss->ss_family == AF_INET ?
	    (const void *)&((const struct sockaddr_in *)ss)->sin_addr :
	    (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;

	if (inet_ntop(ss->ss_family, a, out, (socklen_t)len) == NULL)
		snprintf(out, len, "?");
}

static long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for fd to be ready for ev until the deadline: 1, 0 on timeout,
   -1 on error. */
static int
wait_fd(int fd, short ev, long deadline)
{
	struct pollfd	 p = { fd, ev, 0 };
	long		 left;
	int		 r;

	for (;;) {
		if ((left = deadline - now_ms()) <= 0)
			return 0;
		if ((r = poll(&p, 1, (int)left)) == 1)
			return 1;
		if (r == -1 && errno != EINTR)
			return -1;
	}
}

/* Is ans (n bytes) the reply to query q (ql bytes)?  The same id, QR
   set, and the same question; a failure without a question counts
   too (some servers send SERVFAIL with none). */
static int
is_reply(const unsigned char *q, int ql, const unsigned char *ans, size_t n)
{
	int	 rcode;

	if (n < NS_HFIXEDSZ || ans[0] != q[0] || ans[1] != q[1] ||
	    !(ans[2] & 0x80))
		return 0;
	rcode = ans[3] & 15;
	if (ans[4] == 0 && ans[5] == 0)
		return rcode != ns_r_noerror && rcode != ns_r_nxdomain;
	return ans[4] == 0 && ans[5] == 1 && n >= (size_t)ql &&
	    memcmp(ans + NS_HFIXEDSZ, q + NS_HFIXEDSZ,
	    (size_t)ql - NS_HFIXEDSZ) == 0;
}

/* One question over UDP to one server: the reply's length, 0 when none
   came in time, -1 on a network error (errno). */
static ssize_t
udp_ask(const struct nsconf *r, int i, const unsigned char *q, int ql,
    unsigned char *ans, size_t cap)
{
	long	 deadline = now_ms() + r->timeout * 1000L;
	ssize_t	 got = -1;
	int	 fd, w, e;

	if ((fd = socket(r->ns[i].ss_family, SOCK_DGRAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1)
		return -1;
	if (connect(fd, (const struct sockaddr *)&r->ns[i], r->nslen[i]) ==
	    -1 || send(fd, q, (size_t)ql, MSG_NOSIGNAL) != ql)
		goto out;
	while ((w = wait_fd(fd, POLLIN, deadline)) == 1) {
		if ((got = recv(fd, ans, cap, 0)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			goto out;
		}
		if (is_reply(q, ql, ans, (size_t)got))
			goto out;
	}
	got = w == 0 ? 0 : -1;
out:
	e = errno;
	close(fd);
	errno = e;
	return got;
}

/* All n bytes of buf, read or written before the deadline: 0, or -1
   with errno (ETIMEDOUT, ECONNRESET for an early end). */
static int
tcp_io(int fd, int wr, unsigned char *buf, size_t n, long deadline)
{
	ssize_t	 k;
	int	 w;

	while (n > 0) {
		if ((w = wait_fd(fd, wr ? POLLOUT : POLLIN, deadline)) != 1) {
			if (w == 0)
				errno = ETIMEDOUT;
			return -1;
		}
		k = wr ? send(fd, buf, n, MSG_NOSIGNAL) : recv(fd, buf, n, 0);
		if (k == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = ECONNRESET;
			return -1;
		}
		buf += k;
		n -= (size_t)k;
	}
	return 0;
}

/* The same question over TCP (RFC 7766): the reply's length, or -1
   with errno. */
static ssize_t
tcp_ask(const struct nsconf *r, int i, const unsigned char *q, int ql,
    unsigned char *ans, size_t cap)
{
	long		 deadline = now_ms() + r->timeout * 1000L;
	unsigned char	 msg[2 + NS_PACKETSZ], lb[2];
	size_t		 n;
	ssize_t		 rc = -1;
	int		 fd, e;

	if ((fd = socket(r->ns[i].ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1)
		return -1;
	if (connect(fd, (const struct sockaddr *)&r->ns[i], r->nslen[i]) ==
	    -1 && errno != EINPROGRESS)
		goto out;
	msg[0] = (unsigned char)(ql >> 8);
	msg[1] = (unsigned char)ql;
	memcpy(msg + 2, q, (size_t)ql);
	if (tcp_io(fd, 1, msg, (size_t)ql + 2, deadline) == -1 ||
	    tcp_io(fd, 0, lb, 2, deadline) == -1)
		goto out;
	n = (size_t)lb[0] << 8 | lb[1];
	if (n > cap || tcp_io(fd, 0, ans, n, deadline) == -1)
		goto out;
	if (!is_reply(q, ql, ans, n)) {
		errno = EPROTO;
		goto out;
	}
	rc = (ssize_t)n;
out:
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

/* One server's reply to q, over TCP when the UDP one was truncated:
   1 with a usable reply (NOERROR or NXDOMAIN), 0 when it answered with
   a failure or an error, -1 when it did not answer in time; why says
   which. */
static int
ask_server(const struct nsconf *r, int i, const unsigned char *q, int ql,
    unsigned char *ans, size_t *n, char *why, size_t len)
{
	char	 ns[INET6_ADDRSTRLEN], what[64];
	ssize_t	 got;
	int	 rcode;

	server_name(&r->ns[i], ns, sizeof(ns));
	if ((got = udp_ask(r, i, q, ql, ans, UDP_MAX)) == 0) {
		snprintf(why, len, "timed out asking %s", ns);
		return -1;
	}
	if (got > 0 && (ans[2] & 0x02) &&
	    (got = tcp_ask(r, i, q, ql, ans, TCP_MAX)) == -1) {
		snprintf(why, len, "truncated reply from %s, and over TCP: %s",
		    ns, strerror(errno));
		return errno == ETIMEDOUT ? -1 : 0;
	}
	if (got == -1) {
		snprintf(why, len, "%s: %s", ns, strerror(errno));
		return 0;
	}
	rcode = ans[3] & 15;
	if (rcode == ns_r_noerror || rcode == ns_r_nxdomain) {
		*n = (size_t)got;
		return 1;
	}
	if (rcode == ns_r_servfail)
		snprintf(what, sizeof(what), "SERVFAIL");
	else if (rcode == ns_r_refused)
		snprintf(what, sizeof(what), "REFUSED");
	else
		snprintf(what, sizeof(what), "error %d", rcode);
	snprintf(why, len, "%s from %s", what, ns);
	return 0;
}

/*
 * Ask qname's records of type of the servers in turn, each round over
 * again while one of them did not answer (resolv.conf's attempts).
 * DNS_OK with the reply in ans (*n bytes, ans has TCP_MAX), else
 * DNS_TEMP with the first server's failure.
 */
static enum dns_status
exchange(const char *qname, int type, unsigned char *ans, size_t *n,
    char *why, size_t len)
{
	struct nsconf	 r;
	unsigned char	 q[NS_PACKETSZ];
	char		 e[LIM_ERR];
	uint32_t	 id;
	int		 ql, att, i, rc, silent;

	if ((ql = res_mkquery(ns_o_query, qname, ns_c_in, type, NULL, 0, NULL,
	    q, sizeof(q))) < NS_HFIXEDSZ) {
		snprintf(why, len, "cannot ask for %s", qname);
		return DNS_TEMP;
	}
	/* libc's id is not random (musl: the clock); spoofing is harder
	   with one that is */
	id = rand_u32();
	q[0] = (unsigned char)(id >> 8);
	q[1] = (unsigned char)id;
	read_resolv_conf(&r);
	why[0] = '\0';
	for (att = 0; att < r.attempts; att++) {
		for (i = silent = 0; i < r.n; i++) {
			rc = ask_server(&r, i, q, ql, ans, n, e, sizeof(e));
			if (rc == 1)
				return DNS_OK;
			silent += rc == -1;
			if (why[0] == '\0')
				snprintf(why, len, "%s", e);
		}
		if (silent == 0)
			break;
	}
	return DNS_TEMP;
}

/* A reply's records of type for name, through parse; the reply buffer
   is on the heap (a TCP reply may take 64 KB). */
static enum dns_status
lookup(const char *name, int type, struct dns_mx *mx, struct dns_addr *a,
    int max, int *n, char *why, size_t len)
{
	unsigned char	*ans;
	size_t		 got = 0;
	enum dns_status	 s;

	if ((ans = malloc(TCP_MAX)) == NULL) {
		snprintf(why, len, "%s", strerror(errno));
		return DNS_TEMP;
	}
	if ((s = exchange(name, type, ans, &got, why, len)) == DNS_OK)
		s = type == ns_t_mx ? dns_parse_mx(ans, got, name, mx, max, n,
		    why, len) : dns_parse_addrs(ans, got, name, type, a, max,
		    n, why, len);
	free(ans);
	return s;
}

enum dns_status
dns_ptr(int family, const unsigned char *a, char *name, size_t namelen,
    char *why, size_t len)
{
	unsigned char	*ans;
	char		 q[80];
	size_t		 got = 0;
	enum dns_status	 s;

	dns_ptr_name(family, a, q, sizeof(q));
	if ((ans = malloc(TCP_MAX)) == NULL) {
		snprintf(why, len, "%s", strerror(errno));
		return DNS_TEMP;
	}
	if ((s = exchange(q, ns_t_ptr, ans, &got, why, len)) == DNS_OK)
		s = dns_parse_ptr(ans, got, q, name, namelen, why, len);
	free(ans);
	return s;
}

enum dns_status
dns_mx(const char *domain, struct dns_mx *mx, int max, int *n, char *why,
    size_t len)
{
	char	 name[LIM_DOMAIN + 1];

	*n = 0;
	if (plain_name(domain, name) == -1 || !dns_valid_name(name)) {
		snprintf(why, len, "%.*s is not a domain name", LIM_DOMAIN,
		    domain);
		return DNS_NXDOMAIN;
	}
	return lookup(name, ns_t_mx, mx, NULL, max, n, why, len);
}

int
dns_ip_literal(const char *host, struct dns_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, host, a->a) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, host, a->a) == 1)
		a->family = AF_INET6;
	return a->family != 0;
}

enum dns_status
dns_addrs(const char *host, struct dns_addr *a, int max, int *n, char *why,
    size_t len)
{
	char		 name[LIM_DOMAIN + 1], e4[LIM_ERR];
	enum dns_status	 s6, s4;

	*n = 0;
	if (max > 0 && dns_ip_literal(host, a)) {
		*n = 1;
		return DNS_OK;
	}
	if (plain_name(host, name) == -1 || !dns_valid_name(name)) {
		snprintf(why, len, "%.*s is not a host name", LIM_DOMAIN, host);
		return DNS_NXDOMAIN;
	}
	s6 = lookup(name, ns_t_aaaa, NULL, a, max, n, why, len);
	/* a name that does not exist has no A record either */
	if (s6 == DNS_NXDOMAIN) {
		snprintf(why, len, "host %s not found", name);
		return DNS_NXDOMAIN;
	}
	s4 = lookup(name, ns_t_a, NULL, a, max, n, e4, sizeof(e4));
	if (*n > 0)
		return DNS_OK;
	if (s6 == DNS_TEMP)
		return DNS_TEMP;
	if (s4 == DNS_TEMP) {
		snprintf(why, len, "%s", e4);
		return DNS_TEMP;
	}
	snprintf(why, len, "host %s not found", name);
	return s4 == DNS_NXDOMAIN ? DNS_NXDOMAIN : DNS_NODATA;
}
