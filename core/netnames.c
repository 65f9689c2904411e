/*
 * /etc/services, /etc/protocols and /etc/networks, read whole into a
 * small table.  musl has no getnetbyaddr(3) and its getservbyport(3)
 * answers the first entry where net-tools shows the last, so the
 * files are read here.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limits.h"
#include "netnames.h"
#include "procnet.h"

void
netnames_init(struct netnames *nn)
{
	memset(nn, 0, sizeof(*nn));
	buf_init(&nn->pool, 0);
}

void
netnames_free(struct netnames *nn)
{
	free(nn->ents);
	buf_free(&nn->pool);
	memset(nn, 0, sizeof(*nn));
}

static int
isblank_(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* The next blank-separated word of [*p, e); NULL when none is left. */
static const char *
nextword(const char **p, const char *e, size_t *n)
{
	const char	*s = *p, *w;

	while (s < e && isblank_((unsigned char)*s))
		s++;
	for (w = s; s < e && !isblank_((unsigned char)*s); s++)
		;
	*p = s;
	*n = (size_t)(s - w);
	return *n ? w : NULL;
}

/* The line without its comment, cut at LIM_NETNAMES_LINE. */
static const char *
body(const char *line, size_t len)
{
	const char	*hash;

	if (len > LIM_NETNAMES_LINE)
		len = LIM_NETNAMES_LINE;
	hash = memchr(line, '#', len);
	return hash ? hash : line + len;
}

static int
number(const char *s, size_t n, unsigned long max, unsigned long *v)
{
	unsigned long	 r = 0;
	size_t		 i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		r = r * 10 + (unsigned long)(s[i] - '0');
		if (r > max)
			return -1;
	}
	*v = r;
	return 0;
}

int
netnames_service_line(const char *line, size_t len, const char **name,
    size_t *namelen, unsigned long *port, int *proto)
{
	const char	*p = line, *e = body(line, len), *w, *slash;
	size_t		 n;

	if ((*name = nextword(&p, e, namelen)) == NULL ||
	    (w = nextword(&p, e, &n)) == NULL ||
	    (slash = memchr(w, '/', n)) == NULL ||
	    number(w, (size_t)(slash - w), 65535, port) == -1)
		return 0;
	n -= (size_t)(slash + 1 - w);
	w = slash + 1;
	if (n == 3 && memcmp(w, "tcp", 3) == 0)
		*proto = NETNAMES_TCP;
	else if (n == 3 && memcmp(w, "udp", 3) == 0)
		*proto = NETNAMES_UDP;
	else if (n == 3 && memcmp(w, "raw", 3) == 0)
		*proto = NETNAMES_RAW;
	else
		return 0;
	return 1;
}

/* inet_network(3): "a", "a.b", "a.b.c" or "a.b.c.d", parts shifted in. */
static int
dotted(const char *s, size_t n, unsigned long *v)
{
	unsigned long	 r = 0, part;
	const char	*dot, *e = s + n;
	int		 parts = 0;

	while (s < e) {
		dot = memchr(s, '.', (size_t)(e - s));
		if (dot == NULL)
			dot = e;
		if (++parts > 4 || number(s, (size_t)(dot - s), 255, &part) == -1)
			return -1;
		r = r << 8 | part;
		s = dot < e ? dot + 1 : e;
		if (dot < e && s == e)
			return -1;
	}
	*v = r;
	return parts ? 0 : -1;
}

int
netnames_number_line(const char *line, size_t len, const char **name,
    size_t *namelen, unsigned long *num, int isdotted)
{
	const char	*p = line, *e = body(line, len), *w;
	size_t		 n;

	if ((*name = nextword(&p, e, namelen)) == NULL ||
	    (w = nextword(&p, e, &n)) == NULL)
		return 0;
	if (isdotted)
		return dotted(w, n, num) == 0;
	return number(w, n, 255, num) == 0;
}

static int
add(struct netnames *nn, unsigned long num, int proto, const char *name,
    size_t n)
{
	struct netnames_ent	*e;
	size_t			 cap;

	if (nn->n == nn->cap) {
		cap = nn->cap ? nn->cap * 2 : 256;
		if ((e = realloc(nn->ents, cap * sizeof(*e))) == NULL)
			return -1;
		nn->ents = e;
		nn->cap = cap;
	}
	if (nn->pool.len > 0xffffffffUL - n - 1) {
		errno = ENOMEM;
		return -1;
	}
	e = &nn->ents[nn->n];
	e->num = num;
	e->proto = proto;
	e->name = (unsigned)nn->pool.len;
	if (buf_add(&nn->pool, name, n) == -1 || buf_addc(&nn->pool, '\0') == -1)
		return -1;
	nn->n++;
	return 0;
}

/* kind: 0 services, 1 protocols, 2 networks. */
static int
load(struct netnames *nn, const char *path, int kind)
{
	struct buf	 b;
	const char	*p, *e, *line, *name;
	size_t		 len, n;
	unsigned long	 num;
	int		 proto = NETNAMES_RAW, ok, rc = 0;

	buf_init(&b, 0);
	if (procnet_slurp(path, &b) == -1) {
		buf_free(&b);
		return errno == ENOMEM ? -1 : 0;
	}
	p = b.s;
	e = b.s + b.len;
	while (rc == 0 && (line = procnet_line(&p, e, &len)) != NULL) {
		if (kind == 0)
			ok = netnames_service_line(line, len, &name, &n, &num,
			    &proto);
		else
			ok = netnames_number_line(line, len, &name, &n, &num,
			    kind == 2);
		if (ok)
			rc = add(nn, num, kind == 2 ? -1 : proto, name, n);
	}
	buf_free(&b);
	return rc;
}

int
netnames_load_services(struct netnames *nn, const char *services,
    const char *protocols)
{
	if (load(nn, services, 0) == -1 || load(nn, protocols, 1) == -1)
		return -1;
	return 0;
}

int
netnames_load_networks(struct netnames *nn, const char *networks)
{
	return load(nn, networks, 2);
}

const char *
netnames_port(const struct netnames *nn, unsigned port, int proto)
{
	size_t	 i;

	for (i = nn->n; i-- > 0;)
		if (nn->ents[i].num == port && nn->ents[i].proto == proto)
			return nn->pool.s + nn->ents[i].name;
	return NULL;
}

const char *
netnames_net(const struct netnames *nn, unsigned long net)
{
	size_t	 i;

	for (i = 0; i < nn->n; i++)
		if (nn->ents[i].proto == -1 && nn->ents[i].num == net)
			return nn->pool.s + nn->ents[i].name;
	return NULL;
}

int
netnames_hosts(const char *hosts, int family, const unsigned char *a,
    char *name, size_t len)
{
	struct buf	 b;
	const char	*p, *e, *line, *w, *nm;
	char		 addr[64];
	unsigned char	 bin[16];
	size_t		 l, n, nl;
	int		 rc = -1;

	buf_init(&b, 0);
	if (procnet_slurp(hosts, &b) == -1) {
		buf_free(&b);
		return -1;
	}
	p = b.s;
	e = b.s + b.len;
	while (rc == -1 && (line = procnet_line(&p, e, &l)) != NULL) {
		const char	*q = line, *be = body(line, l);

		if ((w = nextword(&q, be, &n)) == NULL || n >= sizeof(addr) ||
		    (nm = nextword(&q, be, &nl)) == NULL)
			continue;
		memcpy(addr, w, n);
		addr[n] = '\0';
		if (inet_pton(family, addr, bin) != 1 ||
		    memcmp(bin, a, family == AF_INET ? 4 : 16) != 0 ||
		    nl >= len)
			continue;
		memcpy(name, nm, nl);
		name[nl] = '\0';
		rc = 0;
	}
	buf_free(&b);
	return rc;
}

void
netnames_ptrname(int family, const unsigned char *a, char *q, size_t len)
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

int
netnames_ptr_answer(const unsigned char *ans, size_t n, char *name,
    size_t len)
{
	const unsigned char	*p, *e = ans + n;
	int			 qd, an, k;

	if (n < 12 || (ans[3] & 15) != 0)
		return -1;
	qd = ans[4] << 8 | ans[5];
	an = ans[6] << 8 | ans[7];
	for (p = ans + 12; qd-- > 0; p += k + 4)
		if ((k = dn_skipname(p, e)) < 0 || k + 4 > e - p)
			return -1;
	for (; an-- > 0; p += 10 + (p[8] << 8 | p[9])) {
		if ((k = dn_skipname(p, e)) < 0 || k + 10 > e - p)
			return -1;
		p += k;
		if ((p[8] << 8 | p[9]) > e - p - 10)
			return -1;
		if ((p[0] << 8 | p[1]) == 12 && (p[2] << 8 | p[3]) == 1)
			return dn_expand(ans, e, p + 10, name, (int)len) < 0 ?
			    -1 : 0;
	}
	return -1;
}

struct resolver {
	struct sockaddr_storage	 ns[3];
	socklen_t		 nslen[3];
	int			 n, timeout, attempts;
};

/* Up to three servers, as the resolver takes them. */
static void
nameserver(struct resolver *r, const char *t)
{
	struct sockaddr_in	*s4;
	struct sockaddr_in6	*s6;

	if (r->n == 3)
		return;
	s4 = (struct sockaddr_in *)&r->ns[r->n];
	s6 = (struct sockaddr_in6 *)&r->ns[r->n];
	if (inet_pton(AF_INET, t, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(53);
		r->nslen[r->n++] = sizeof(*s4);
	} else if (inet_pton(AF_INET6, t, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(53);
		r->nslen[r->n++] = sizeof(*s6);
	}
}

static void
resolvconf(const char *path, struct resolver *r)
{
	struct buf		 b;
	const char		*p, *e, *line, *w, *v;
	char			 t[64];
	size_t			 l, n, vn;
	struct sockaddr_in	*s4;
	unsigned long		 num;

	memset(r, 0, sizeof(*r));
	r->timeout = 5;
	r->attempts = 2;
	buf_init(&b, 0);
	if (procnet_slurp(path, &b) == 0) {
		p = b.s;
		e = b.s + b.len;
		while ((line = procnet_line(&p, e, &l)) != NULL) {
			const char	*q = line, *be = body(line, l);

			if ((w = nextword(&q, be, &n)) == NULL)
				continue;
			while ((v = nextword(&q, be, &vn)) != NULL &&
			    vn < sizeof(t)) {
				memcpy(t, v, vn);
				t[vn] = '\0';
				if (n == 10 && memcmp(w, "nameserver", 10) == 0) {
					nameserver(r, t);
					break;
				}
				if (n == 7 && memcmp(w, "options", 7) == 0) {
					if (strncmp(t, "timeout:", 8) == 0 &&
					    number(t + 8, strlen(t + 8), 30, &num) == 0)
						r->timeout = num ? (int)num : 1;
					if (strncmp(t, "attempts:", 9) == 0 &&
					    number(t + 9, strlen(t + 9), 5, &num) == 0)
						r->attempts = num ? (int)num : 1;
				}
			}
		}
	}
	buf_free(&b);
	if (r->n == 0) {
		s4 = (struct sockaddr_in *)&r->ns[0];
		s4->sin_family = AF_INET;
		s4->sin_port = htons(53);
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		r->nslen[r->n++] = sizeof(*s4);
	}
}

/* One query to one server: 1 answered, 0 no answer, -1 unreachable. */
static int
ask(const struct sockaddr_storage *ns, socklen_t nl, const unsigned char *q,
    int ql, unsigned char *ans, size_t anslen, int timeout, ssize_t *got)
{
	struct pollfd	 pfd;
	int		 fd, rc = -1;

	if ((fd = socket(ns->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (const struct sockaddr *)ns, nl) == -1 ||
	    send(fd, q, (size_t)ql, MSG_NOSIGNAL) != ql)
		goto out;
	pfd.fd = fd;
	pfd.events = POLLIN;
	rc = 0;
	while (poll(&pfd, 1, timeout * 1000) == 1) {
		if ((*got = recv(fd, ans, anslen, 0)) == -1) {
			rc = -1;
			break;
		}
		if (*got >= 12 && ans[0] == q[0] && ans[1] == q[1] &&
		    (ans[2] & 0x80)) {
			rc = 1;
			break;
		}
	}
out:
	close(fd);
	return rc;
}

int
netnames_ptr(const char *path, int family, const unsigned char *a,
    char *name, size_t len)
{
	struct resolver	 r;
	unsigned char	 q[512], ans[4096];
	char		 qname[80];
	ssize_t		 got = 0;
	int		 ql, i, att, rc, tried;

	netnames_ptrname(family, a, qname, sizeof(qname));
	if ((ql = res_mkquery(0, qname, 1, 12, NULL, 0, NULL, q,
	    sizeof(q))) <= 0)
		return -1;
	resolvconf(path, &r);
	for (att = 0; att < r.attempts; att++) {
		for (i = tried = 0; i < r.n; i++) {
			rc = ask(&r.ns[i], r.nslen[i], q, ql, ans, sizeof(ans),
			    r.timeout, &got);
			if (rc == 1)
				return netnames_ptr_answer(ans, (size_t)got, name,
				    len);
			tried += rc == 0;
		}
		if (!tried)
			break;
	}
	return -1;
}
