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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns.h"
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

int
netnames_ptr(int family, const unsigned char *a, char *name, size_t len)
{
	char	 why[LIM_ERR];

	return dns_ptr(family, a, name, len, why, sizeof(why)) == DNS_OK ?
	    0 : -1;
}
