/*
 * A domain to a list of hosts and addresses, as Postfix routes it: MX
 * records by preference, the implicit MX, null MX, the relayhost, and
 * the loop rule of RFC 5321 5.1 (drop this host and every host not
 * better than it).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ifaddrs.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "route.h"

#define SMTP_PORT	25

/* What a route is being made for, and what counts as "myself". */
struct ctx {
	const struct conf *c;
	const char	*domain;	/* the recipient domain, or relayhost */
	int		 port;		/* of the hosts, and of the listeners
					   that are me */
	int		 all_lists;	/* relayhost: listen, submission and
					   smtps are me on that port */
	struct ifaddrs	*ifs;		/* this machine's addresses, once */
	int		 ifs_read;
};

/* a's address in 16 bytes, a v4-mapped IPv6 address as IPv4. */
static int
addr_bytes(const struct dns_addr *in, struct dns_addr *out)
{
	*out = *in;
	if (in->family == AF_INET6 &&
	    memcmp(in->a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		memset(out->a, 0, sizeof(out->a));
		memcpy(out->a, in->a + 12, 4);
		out->family = AF_INET;
	}
	return out->family;
}

static int
same_addr(const struct dns_addr *x, const struct dns_addr *y)
{
	struct dns_addr	 a, b;

	addr_bytes(x, &a);
	addr_bytes(y, &b);
	return a.family == b.family &&
	    memcmp(a.a, b.a, a.family == AF_INET ? 4 : 16) == 0;
}

static void
from_sockaddr(const struct sockaddr *sa, struct dns_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = sa->sa_family;
	if (sa->sa_family == AF_INET)
		memcpy(a->a, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	else if (sa->sa_family == AF_INET6)
		memcpy(a->a, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
}

/* Is a one of this machine's addresses (a wildcard listener takes it)?
   Loopback and the unspecified address always are. */
static int
is_local(struct ctx *x, const struct dns_addr *in)
{
	static const unsigned char	 zero[16];
	struct dns_addr			 a, b;
	struct ifaddrs			*i;

	addr_bytes(in, &a);
	if (a.family == AF_INET && (a.a[0] == 127 ||
	    memcmp(a.a, zero, 4) == 0))
		return 1;
	if (a.family == AF_INET6 && (memcmp(a.a, zero, 15) == 0 &&
	    (a.a[15] == 0 || a.a[15] == 1)))
		return 1;
	if (!x->ifs_read) {
		x->ifs_read = 1;
		if (getifaddrs(&x->ifs) == -1)
			x->ifs = NULL;
	}
	for (i = x->ifs; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || (i->ifa_addr->sa_family != AF_INET &&
		    i->ifa_addr->sa_family != AF_INET6))
			continue;
		from_sockaddr(i->ifa_addr, &b);
		if (same_addr(&a, &b))
			return 1;
	}
	return 0;
}

/* Does this listener take connections to a?  A host name in a listener
   means the addresses listen.c binds for it (getaddrinfo). */
static int
listener_takes(struct ctx *x, const struct conf_addr *l,
    const struct dns_addr *a)
{
	static const unsigned char	 zero[16];
	struct addrinfo			 hints, *res, *p;
	struct dns_addr			 la;
	int				 hit = 0;

	if (l->host[0] == '\0' || (dns_ip_literal(l->host, &la) &&
	    memcmp(la.a, zero, 16) == 0))
		return is_local(x, a);
	if (la.family != 0)
		return same_addr(&la, a);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(l->host, NULL, &hints, &res) != 0)
		return 0;
	for (p = res; p != NULL && !hit; p = p->ai_next) {
		from_sockaddr(p->ai_addr, &la);
		hit = same_addr(&la, a);
	}
	freeaddrinfo(res);
	return hit;
}

/* Is a, on the route's port, where this mtad listens? */
static int
is_me(struct ctx *x, const struct dns_addr *a)
{
	const struct conf_addrs	*lists[3] = { &x->c->listen,
	    &x->c->submission, &x->c->smtps };
	int			 i, j;

	for (i = 0; i < (x->all_lists ? 3 : 1); i++)
		for (j = 0; j < lists[i]->n; j++)
			if (lists[i]->v[j].port == x->port &&
			    listener_takes(x, &lists[i]->v[j], a))
				return 1;
	return 0;
}

static void
to_sockaddr(const struct dns_addr *a, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		memcpy(&s4->sin_addr, a->a, 4);
	} else {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		memcpy(&s6->sin6_addr, a->a, 16);
	}
}

/*
 * The addresses of h into it; 1 when h is this mtad (by its name on
 * port 25, or by an address), else 0.  *st gets the lookup's outcome.
 */
static int
resolve(struct ctx *x, struct route_host *h, enum dns_status *st)
{
	struct dns_addr	 a[LIM_ROUTE_ADDRS];
	int		 i, n, me = 0;

	if (!x->all_lists && x->c->hostname != NULL &&
	    strcasecmp(h->name, x->c->hostname) == 0)
		return 1;
	*st = dns_addrs(h->name, a, LIM_ROUTE_ADDRS, &n, h->err,
	    sizeof(h->err));
	h->naddr = *st == DNS_OK ? n : 0;
	for (i = 0; i < h->naddr; i++) {
		to_sockaddr(&a[i], x->port, &h->addr[i]);
		me |= is_me(x, &a[i]);
	}
	return me;
}

/* The route's outcome once its hosts are looked up: at least one with
   an address, else the first failure. */
static enum route_status
outcome(struct ctx *x, struct route *r, const enum dns_status *st,
    char *why, size_t len)
{
	int	 i, notfound = 0;

	for (i = 0; i < r->nhost; i++) {
		if (r->host[i].naddr > 0)
			return ROUTE_OK;
		notfound += st[i] == DNS_NXDOMAIN || st[i] == DNS_NODATA;
	}
	if (r->implicit && !r->relay && notfound == r->nhost) {
		snprintf(why, len, "5.1.2 domain %s has no address (host not "
		    "found)", x->domain);
		return ROUTE_PERM;
	}
	if (r->relay && notfound == r->nhost)
		snprintf(why, len, "4.4.3 relayhost %s not found", x->domain);
	else if (r->relay)
		snprintf(why, len, "4.4.3 relayhost %s: %s", x->domain,
		    r->host[0].err);
	else
		snprintf(why, len, "4.4.3 %s", r->host[0].err);
	return ROUTE_TEMP;
}

/*
 * The hosts of mx (sorted) into r, each with its addresses, up to
 * LIM_ROUTE_HOSTS.  A host that is this mtad ends the list, and takes
 * the hosts of its preference with it (RFC 5321 5.1).
 */
static enum route_status
fill(struct ctx *x, struct route *r, const struct dns_mx *mx, int n,
    char *why, size_t len)
{
	enum dns_status	 st[LIM_ROUTE_HOSTS];
	struct route_host *h;
	int		 i, me = 0;

	for (i = 0; i < n && r->nhost < LIM_ROUTE_HOSTS; i++) {
		h = &r->host[r->nhost];
		memset(h, 0, sizeof(*h));
		snprintf(h->name, sizeof(h->name), "%s", mx[i].name);
		h->pref = mx[i].pref;
		st[r->nhost] = DNS_OK;
		if ((me = resolve(x, h, &st[r->nhost])) != 0) {
			while (r->nhost > 0 &&
			    r->host[r->nhost - 1].pref >= mx[i].pref)
				r->nhost--;
			break;
		}
		r->nhost++;
	}
	if (r->nhost == 0 && me) {
		snprintf(why, len, "5.4.6 mail for %s loops back to myself",
		    x->domain);
		return ROUTE_PERM;
	}
	if (r->nhost == 0) {
		snprintf(why, len, "4.4.3 no host for %s", x->domain);
		return ROUTE_TEMP;
	}
	return outcome(x, r, st, why, len);
}

/* The MX records of x->domain (the recipient's domain or a relayhost)
   into r. */
static enum route_status
via_mx(struct ctx *x, struct route *r, char *why, size_t len)
{
	struct dns_mx	*mx;
	char		 e[LIM_ERR];
	int		 n = 0;
	enum route_status rs = ROUTE_TEMP;

	if ((mx = calloc(LIM_DNS_MX, sizeof(*mx))) == NULL) {
		snprintf(why, len, "4.3.0 out of memory");
		return ROUTE_TEMP;
	}
	switch (dns_mx(x->domain, mx, LIM_DNS_MX, &n, e, sizeof(e))) {
	case DNS_OK:
		rs = fill(x, r, mx, n, why, len);
		break;
	case DNS_NODATA:
		r->implicit = 1;
		snprintf(mx[0].name, sizeof(mx[0].name), "%s", x->domain);
		mx[0].pref = 0;
		rs = fill(x, r, mx, 1, why, len);
		break;
	case DNS_NXDOMAIN:
		if (r->relay)
			snprintf(why, len, "4.4.3 relayhost %s not found",
			    x->domain);
		else
			snprintf(why, len, "5.1.2 domain %s not found",
			    x->domain);
		rs = r->relay ? ROUTE_TEMP : ROUTE_PERM;
		break;
	case DNS_NULLMX:
		snprintf(why, len, "%s %s %s does not accept mail (null MX)",
		    r->relay ? "4.4.3" : "5.1.10", r->relay ? "relayhost" :
		    "domain", x->domain);
		rs = r->relay ? ROUTE_TEMP : ROUTE_PERM;
		break;
	case DNS_TEMP:
		snprintf(why, len, "4.4.3 cannot find the mail exchangers of "
		    "%s: %s", x->domain, e);
		break;
	}
	free(mx);
	return rs;
}

/* One host and no MX lookup: a bracketed relayhost, or an address
   literal as the recipient's domain. */
static enum route_status
one_host(struct ctx *x, struct route *r, const char *host, char *why,
    size_t len)
{
	struct dns_mx	 h;

	snprintf(h.name, sizeof(h.name), "%s", host);
	h.pref = 0;
	return fill(x, r, &h, 1, why, len);
}

int
route_parse_relayhost(const char *s, char *host, size_t hostlen, int *port,
    int *mx, char *why, size_t len)
{
	const char	*h = s, *e, *p = NULL;
	struct dns_addr	 a;
	size_t		 hl;
	char		*end;
	long		 v;

	*port = SMTP_PORT;
	*mx = 1;
	if (*s == '[') {
		if ((e = strchr(++h, ']')) == NULL || (e[1] != '\0' &&
		    e[1] != ':'))
			goto bad;
		p = e[1] == ':' ? e + 2 : NULL;
		*mx = 0;
	} else {
		e = strchr(s, ':');
		if (e != NULL && strchr(e + 1, ':') != NULL) {
			snprintf(why, len, "relayhost %s: an IPv6 address "
			    "goes in brackets: [2001:db8::1]:25", s);
			return -1;
		}
		p = e != NULL ? e + 1 : NULL;
		if (e == NULL)
			e = s + strlen(s);
	}
	if ((hl = (size_t)(e - h)) == 0 || hl > LIM_DOMAIN || hl >= hostlen)
		goto bad;
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (dns_ip_literal(host, &a)) {
		if (*mx && a.family == AF_INET6)
			goto bad;
		*mx = 0;
	} else if (!dns_valid_name(host))
		goto bad;
	if (p != NULL) {
		v = (*p >= '0' && *p <= '9') ? strtol(p, &end, 10) : 0;
		if (v < 1 || v > 65535 || *end != '\0')
			goto bad;
		*port = (int)v;
	}
	return 0;
bad:
	snprintf(why, len, "relayhost %s: not [host]:port, [host], host:port "
	    "or host", s);
	return -1;
}

/* A domain literal ("[192.0.2.1]", "[IPv6:2001:db8::1]", RFC 5321
   4.1.3) into host; 0 when domain is none. */
static int
domain_literal(const char *domain, char *host, size_t len)
{
	struct dns_addr	 a;
	size_t		 n = strlen(domain);

	if (n < 3 || domain[0] != '[' || domain[n - 1] != ']')
		return 0;
	domain++;
	n -= 2;
	if (n > 5 && strncasecmp(domain, "IPv6:", 5) == 0) {
		domain += 5;
		n -= 5;
	}
	if (n >= len)
		return 0;
	memcpy(host, domain, n);
	host[n] = '\0';
	return dns_ip_literal(host, &a);
}

enum route_status
route_domain(const struct conf *c, const char *domain, struct route *r,
    char *why, size_t len)
{
	struct ctx	 x = { c, domain, SMTP_PORT, 0, NULL, 0 };
	char		 host[LIM_DOMAIN + 1], e[LIM_ERR];
	enum route_status rs;
	int		 mx;

	memset(r, 0, sizeof(*r));
	r->port = SMTP_PORT;
	if (c->relayhost != NULL && c->relayhost[0] != '\0') {
		if (route_parse_relayhost(c->relayhost, host, sizeof(host),
		    &r->port, &mx, e, sizeof(e)) == -1) {
			snprintf(why, len, "4.3.5 %s", e);
			return ROUTE_TEMP;
		}
		r->relay = 1;
		x.domain = host;
		x.port = r->port;
		x.all_lists = 1;
		rs = mx ? via_mx(&x, r, why, len) : one_host(&x, r, host, why,
		    len);
	} else if (domain_literal(domain, host, sizeof(host)))
		rs = one_host(&x, r, host, why, len);
	else
		rs = via_mx(&x, r, why, len);
	if (x.ifs != NULL)
		freeifaddrs(x.ifs);
	return rs;
}
