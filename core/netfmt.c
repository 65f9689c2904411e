/*
 * netstat's lines, column for column as net-tools prints them, built
 * by hand (no printf per field: netstat runs over tens of thousands of
 * sockets).
 */
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netfmt.h"

#define HOSTNAME_MAX	1025	/* NI_MAXHOST */

struct netfmt_host {
	struct netfmt_host	*next;
	int			 family, net;
	unsigned char		 a[16];
	char			 name[];
};

void
netfmt_init(struct netfmt *f, struct buf *out)
{
	memset(f, 0, sizeof(*f));
	f->out = out;
}

void
netfmt_free(struct netfmt *f)
{
	struct netfmt_host	*h, *next;
	size_t			 i;

	for (i = 0; i < 256; i++)
		for (h = f->hosts[i]; h != NULL; h = next) {
			next = h->next;
			free(h);
		}
	if (f->svc_loaded)
		netnames_free(&f->svc);
	if (f->nets_loaded)
		netnames_free(&f->nets);
	memset(f->hosts, 0, sizeof(f->hosts));
	f->svc_loaded = f->nets_loaded = 0;
}

/* ---------------------------------------------------------- columns */

static void
put(struct netfmt *f, const char *s, size_t n)
{
	if (buf_add(f->out, s, n) == -1)
		f->err = ENOMEM;
}

static void
puts_(struct netfmt *f, const char *s)
{
	put(f, s, strlen(s));
}

static void
spaces(struct netfmt *f, size_t n)
{
	static const char	 sp[] = "                                ";

	while (n > 0) {
		size_t	 k = n < sizeof(sp) - 1 ? n : sizeof(sp) - 1;

		put(f, sp, k);
		n -= k;
	}
}

void
netfmt_left(struct netfmt *f, const char *s, size_t width)
{
	size_t	 n = strlen(s);

	put(f, s, n);
	if (n < width)
		spaces(f, width - n);
}

void
netfmt_num(struct netfmt *f, unsigned long long v, size_t width, int left)
{
	char	 d[24];
	size_t	 n = 0;

	do
		d[sizeof(d) - 1 - n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	if (!left && n < width)
		spaces(f, width - n);
	put(f, d + sizeof(d) - n, n);
	if (left && n < width)
		spaces(f, width - n);
}

/* The columns net-tools prints with %d. */
static void
snum(struct netfmt *f, long long v, size_t width, int left)
{
	char	 t[32];
	size_t	 n;

	if (v >= 0) {
		netfmt_num(f, (unsigned long long)v, width, left);
		return;
	}
	snprintf(t, sizeof(t), "%lld", v);
	n = strlen(t);
	if (!left && n < width)
		spaces(f, width - n);
	put(f, t, n);
	if (left && n < width)
		spaces(f, width - n);
}

#define SP(f)	put((f), " ", 1)
#define NL(f)	put((f), "\n", 1)

/* ------------------------------------------------------------ names */

static const char *
cache_get(const struct netfmt *f, int family, const unsigned char *a,
    int net)
{
	struct netfmt_host	*h;

	for (h = f->hosts[a[15] ^ a[3]]; h != NULL; h = h->next)
		if (h->family == family && h->net == net &&
		    memcmp(h->a, a, 16) == 0)
			return h->name;
	return NULL;
}

/* The name, kept; when memory runs out, the name still (not kept). */
static const char *
cache_put(struct netfmt *f, int family, const unsigned char *a, int net,
    const char *name)
{
	struct netfmt_host	*h;
	size_t			 n = strlen(name);

	if ((h = malloc(sizeof(*h) + n + 1)) == NULL) {
		f->err = ENOMEM;
		return name;
	}
	h->family = family;
	h->net = net;
	memcpy(h->a, a, 16);
	memcpy(h->name, name, n + 1);
	h->next = f->hosts[a[15] ^ a[3]];
	f->hosts[a[15] ^ a[3]] = h;
	return h->name;
}

/* gethostbyaddr(3) as net-tools calls it: /etc/hosts, then DNS. */
static int
lookup_host(int family, const unsigned char *a, char *name, size_t len)
{
	if (netnames_hosts("/etc/hosts", family, a, name, len) == 0)
		return 0;
	return netnames_ptr(family, a, name, len);
}

/*
 * An IPv4 address as net-tools' INET_rresolve() names it: with host
 * set, or any bit outside mask set, a host (gethostbyaddr), else a
 * network (/etc/networks); 0.0.0.0 is "default" under a zero mask
 * (when dflt), "*" without dflt, else itself.
 */
static const char *
name4(struct netfmt *f, const unsigned char *a, int numeric, int dflt,
    int host, const unsigned char *mask)
{
	static char	 buf[HOSTNAME_MAX];
	char		 h[HOSTNAME_MAX];
	unsigned char	 key[16];
	const char	*n;
	unsigned long	 net;
	int		 i;

	procnet_ntop(AF_INET, a, buf, sizeof(buf));
	if (numeric)
		return buf;
	if (memcmp(a, "\0\0\0\0", 4) == 0)
		return memcmp(mask, "\0\0\0\0", 4) == 0 ?
		    (dflt ? "default" : "*") : buf;
	for (i = 0; i < 4; i++)
		if (a[i] & ~mask[i])
			host = 1;
	memset(key, 0, sizeof(key));
	memcpy(key, a, 4);
	if ((n = cache_get(f, AF_INET, key, !host)) != NULL)
		return n;
	if (host)
		return cache_put(f, AF_INET, key, 0,
		    lookup_host(AF_INET, a, h, sizeof(h)) == 0 ? h : buf);
	if (!f->nets_loaded) {
		f->nets_loaded = 1;
		netnames_init(&f->nets);
		if (netnames_load_networks(&f->nets, "/etc/networks") == -1)
			f->err = ENOMEM;
	}
	net = (unsigned long)a[0] << 24 | (unsigned long)a[1] << 16 |
	    (unsigned long)a[2] << 8 | a[3];
	n = netnames_net(&f->nets, net);
	return cache_put(f, AF_INET, key, 1, n ? n : buf);
}

/* An IPv4-mapped address shows as its IPv4 part (net-tools'
   fix_v4_address()). */
static const char *
v4part(const char *s, const unsigned char *a)
{
	const char	*dot, *p;

	if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) != 0 ||
	    (dot = strchr(s, '.')) == NULL)
		return s;
	for (p = dot; p > s && *p != ':'; p--)
		;
	return *p == ':' ? p + 1 : s;
}

static const char *
name6(struct netfmt *f, const unsigned char *a, int numeric)
{
	static char	 buf[HOSTNAME_MAX];
	const char	*n;

	if (numeric) {
		procnet_ntop(AF_INET6, a, buf, sizeof(buf));
		return v4part(buf, a);
	}
	if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16) == 0)
		return "[::]";
	if ((n = cache_get(f, AF_INET6, a, 0)) == NULL) {
		if (lookup_host(AF_INET6, a, buf, sizeof(buf)) == -1)
			procnet_ntop(AF_INET6, a, buf, sizeof(buf));
		n = cache_put(f, AF_INET6, a, 0, buf);
	}
	return v4part(n, a);
}

static const char *
portname(struct netfmt *f, unsigned port, int proto)
{
	static char	 buf[16];
	const char	*n;
	char		*q;

	if (port == 0)
		return "*";
	if (!(f->numeric & NETFMT_NUM_PORT)) {
		if (!f->svc_loaded) {
			f->svc_loaded = 1;
			netnames_init(&f->svc);
			if (netnames_load_services(&f->svc, "/etc/services",
			    "/etc/protocols") == -1)
				f->err = ENOMEM;
		}
		if ((n = netnames_port(&f->svc, port, proto)) != NULL)
			return n;
	}
	q = buf + sizeof(buf) - 1;
	*q = '\0';
	do
		*--q = (char)('0' + port % 10);
	while ((port /= 10) != 0);
	return q;
}

static void
user(struct netfmt *f, unsigned long uid)
{
	struct passwd	*pw;
	int		 i;

	if (!(f->numeric & NETFMT_NUM_USER)) {
		for (i = 0; i < f->nuser; i++)
			if (f->uid[i] == uid) {
				netfmt_left(f, f->user[i], 10);
				return;
			}
		if ((pw = getpwuid((uid_t)uid)) != NULL) {
			if (f->nuser < 32 && strlen(pw->pw_name) < 64) {
				f->uid[f->nuser] = uid;
				strcpy(f->user[f->nuser++], pw->pw_name);
			}
			netfmt_left(f, pw->pw_name, 10);
			return;
		}
	}
	snum(f, (int)uid, 10, 1);
}

static void
owner(struct netfmt *f, unsigned long inode)
{
	const char	*p = procnet_owner(f->owners, inode);

	SP(f);
	netfmt_left(f, p ? p : "-", PROCNET_PROG);
}

/* ---------------------------------------------------------- sockets */

/* "ADDRESS:PORT", cut to 22 columns (+1) unless -W, as net-tools. */
static void
endpoint(struct netfmt *f, const struct procnet_sock *s, int remote,
    int proto, char *buf, size_t len)
{
	/* net-tools asks with the mask 0xffffff00 in host order: on a
	   little-endian machine, the first byte decides host or net */
	static const unsigned char	 sockmask[4] = { 0, 0xff, 0xff, 0xff };
	const unsigned char		*a = remote ? s->raddr : s->laddr;
	const char			*host, *port;
	size_t				 hl, pl;
	int				 numh = f->numeric & NETFMT_NUM_HOST;

	host = s->family == AF_INET ? name4(f, a, numh, 0, 0, sockmask) :
	    name6(f, a, numh);
	port = portname(f, remote ? s->rport : s->lport, proto);
	hl = strlen(host);
	pl = strlen(port);
	if (!f->wide && hl + pl > 22) {
		if (pl > 18)
			pl = 18;
		if (hl > 22 - pl)
			hl = 22 - pl;
	}
	if (hl + pl + 2 > len)
		hl = pl = 0;
	memcpy(buf, host, hl);
	buf[hl] = ':';
	memcpy(buf + hl + 1, port, pl);
	buf[hl + 1 + pl] = '\0';
}

static const char *
tcp_state(unsigned st)
{
	static const char *const names[] = { "", "ESTABLISHED", "SYN_SENT",
	    "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
	    "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING" };

	return st < sizeof(names) / sizeof(names[0]) ? names[st] : "UNKNOWN";
}

void
netfmt_inet(struct netfmt *f, const struct procnet_sock *s,
    enum netfmt_kind k, const char *prot)
{
	char	 l[HOSTNAME_MAX + 24], r[HOSTNAME_MAX + 24], st[16];
	int	 proto, udp = k == NETFMT_UDP || k == NETFMT_UDPL;

	proto = k == NETFMT_TCP ? NETNAMES_TCP : k == NETFMT_RAW ?
	    NETNAMES_RAW : NETNAMES_UDP;
	endpoint(f, s, 0, proto, l, sizeof(l));
	endpoint(f, s, 1, proto, r, sizeof(r));
	netfmt_left(f, prot, udp ? 5 : 4);
	puts_(f, udp ? " " : "  ");
	netfmt_num(f, s->rxq, 6, 0);
	SP(f);
	netfmt_num(f, s->txq, 6, 0);
	SP(f);
	netfmt_left(f, l, 23);
	SP(f);
	netfmt_left(f, r, 23);
	SP(f);
	if (k == NETFMT_TCP)
		netfmt_left(f, tcp_state(s->state), 11);
	else if (k == NETFMT_RAW) {
		snprintf(st, sizeof(st), "%u", s->state);
		netfmt_left(f, st, 11);
	} else
		netfmt_left(f, s->state == 1 ? "ESTABLISHED" : s->state == 7 ?
		    "" : "UNKNOWN", 11);
	if (f->ext) {
		SP(f);
		user(f, s->uid);
		SP(f);
		netfmt_num(f, s->inode, 10, 1);
	}
	if (f->owners != NULL)
		owner(f, s->inode);
	NL(f);
}

void
netfmt_unix(struct netfmt *f, const struct procnet_unix *u)
{
	static const char *const types[] = { "UNKNOWN", "STREAM", "DGRAM",
	    "RAW", "RDM", "SEQPACKET" };
	static const char *const states[] = { "FREE", "", "CONNECTING",
	    "CONNECTED", "DISCONNECTING" };
	char	 fl[32];

	snprintf(fl, sizeof(fl), "[ %s%s%s]",
	    u->flags & PROCNET_SO_ACCEPTCON ? "ACC " : "",
	    u->flags & PROCNET_SO_WAITDATA ? "W " : "",
	    u->flags & PROCNET_SO_NOSPACE ? "N " : "");
	netfmt_left(f, u->proto == 0 ? "unix" : "??", 5);
	SP(f);
	snum(f, (long)u->refcnt, 6, 1);
	SP(f);
	netfmt_left(f, fl, 11);
	SP(f);
	netfmt_left(f, u->type < 6 ? types[u->type] : "UNKNOWN", 10);
	SP(f);
	netfmt_left(f, u->state == 1 && (u->flags & PROCNET_SO_ACCEPTCON) ?
	    "LISTENING" : u->state < 5 ? states[u->state] : "UNKNOWN", 13);
	SP(f);
	netfmt_num(f, u->inode, 8, 1);
	if (f->owners != NULL)
		owner(f, u->inode);
	SP(f);
	put(f, u->path, u->pathlen);
	NL(f);
}

/* ------------------------------------------------------------ route */

#define RTF_UP_		0x0001
#define RTF_GATEWAY_	0x0002
#define RTF_HOST_	0x0004
#define RTF_REINSTATE_	0x0008
#define RTF_DYNAMIC_	0x0010
#define RTF_MODIFIED_	0x0020
#define RTF_REJECT_	0x0200

static void
route_flags(unsigned fl, char *s)
{
	*s = '\0';
	if (fl & RTF_UP_)
		strcat(s, "U");
	if (fl & RTF_GATEWAY_)
		strcat(s, "G");
	if (fl & RTF_REJECT_)
		strcpy(s, "!");
	if (fl & RTF_HOST_)
		strcat(s, "H");
	if (fl & RTF_REINSTATE_)
		strcat(s, "R");
	if (fl & RTF_DYNAMIC_)
		strcat(s, "D");
	if (fl & RTF_MODIFIED_)
		strcat(s, "M");
}

/* The columns after Flags: MSS Window irtt Iface (ext 2), or Metric
   Ref Use Iface (ext 1), or both (ext 3); a reject route has dashes. */
static void
route_tail(struct netfmt *f, const struct procnet_route *r, int ext, int rej)
{
	char	 ifn[8];

	if (ext == 2) {
		if (rej) {
			puts_(f, "    - -          - -\n");
			return;
		}
		snum(f, r->mtu, 5, 0);
		SP(f);
		snum(f, r->window, 5, 1);
		SP(f);
		snum(f, r->irtt, 6, 0);
		SP(f);
		puts_(f, r->iface);
		NL(f);
		return;
	}
	snum(f, r->metric, 6, 1);
	SP(f);
	if (rej)
		puts_(f, "- ");
	else
		snum(f, r->refcnt, ext == 1 ? 2 : 3, 1);
	SP(f);
	snum(f, r->use, ext == 1 || rej ? 7 : 6, 0);
	SP(f);
	if (ext == 1 || rej) {
		puts_(f, rej ? (ext == 1 ? "-\n" : "-        -     -      -\n") :
		    r->iface);
		if (!rej)
			NL(f);
		return;
	}
	snprintf(ifn, sizeof(ifn), "%.6s", r->iface);
	netfmt_left(f, ifn, 6);
	puts_(f, "   ");
	snum(f, r->mtu, 5, 1);
	SP(f);
	snum(f, r->window, 6, 1);
	SP(f);
	snum(f, r->irtt, 0, 1);
	NL(f);
}

void
netfmt_route(struct netfmt *f, const struct procnet_route *r, int ext)
{
	static const unsigned char	 gwmask[4] = { 0, 0xff, 0xff, 0xff };
	char				 dst[16], gw[16], mask[16], fl[16];
	int				 rej = (r->flags & RTF_REJECT_) != 0;
	int				 num = f->numeric != 0;

	snprintf(dst, sizeof(dst), "%s", name4(f, r->dst, num, 1,
	    (r->flags & RTF_HOST_) != 0, r->mask));
	snprintf(gw, sizeof(gw), "%s", name4(f, r->gw, num, 0, 1, gwmask));
	procnet_ntop(AF_INET, r->mask, mask, sizeof(mask));
	route_flags(r->flags, fl);
	netfmt_left(f, dst, 15);
	SP(f);
	netfmt_left(f, rej ? "-" : gw, 15);
	SP(f);
	netfmt_left(f, mask, 15);
	SP(f);
	netfmt_left(f, fl, 5);
	SP(f);
	route_tail(f, r, ext, rej);
}

/* ------------------------------------------------------- interfaces */

static void
iface_flags_short(struct netfmt *f, int fl)
{
	static const struct { int bit; char c; } t[] = {
		{ IFF_ALLMULTI, 'A' }, { IFF_BROADCAST, 'B' }, { IFF_DEBUG, 'D' },
		{ IFF_LOOPBACK, 'L' }, { IFF_MULTICAST, 'M' },
		{ IFF_PROMISC, 'P' }, { IFF_NOTRAILERS, 'N' }, { IFF_NOARP, 'O' },
		{ IFF_POINTOPOINT, 'P' }, { IFF_SLAVE, 's' }, { IFF_MASTER, 'm' },
		{ IFF_RUNNING, 'R' }, { IFF_UP, 'U' } };
	size_t	 i;

	if (fl == 0)
		puts_(f, "[NO FLAGS]");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (fl & t[i].bit)
			put(f, &t[i].c, 1);
	NL(f);
}

void
netfmt_iface_short(struct netfmt *f, const char *name,
    const struct procnet_dev *st, const struct procnet_iface *k)
{
	char	 n[16];

	snprintf(n, sizeof(n), "%.15s", name);
	netfmt_left(f, n, 15);
	SP(f);
	snum(f, k->mtu, 5, 0);
	SP(f);
	if (st != NULL) {
		netfmt_num(f, st->rx_packets, 8, 0);
		SP(f);
		netfmt_num(f, st->rx_errs, 6, 0);
		SP(f);
		netfmt_num(f, st->rx_drop, 6, 0);
		SP(f);
		netfmt_num(f, st->rx_fifo, 6, 1);
		SP(f);
		netfmt_num(f, st->tx_packets, 8, 0);
		SP(f);
		netfmt_num(f, st->tx_errs, 6, 0);
		SP(f);
		netfmt_num(f, st->tx_drop, 6, 0);
		SP(f);
		netfmt_num(f, st->tx_fifo, 6, 0);
		SP(f);
	} else
		netfmt_left(f, "     - no statistics available -", 56);
	iface_flags_short(f, k->flags);
}

static void
iface_flags_long(struct netfmt *f, const char *name, int fl, int mtu)
{
	static const struct { int bit; const char *s; } t[] = {
		{ IFF_UP, "UP," }, { IFF_BROADCAST, "BROADCAST," },
		{ IFF_DEBUG, "DEBUG," }, { IFF_LOOPBACK, "LOOPBACK," },
		{ IFF_POINTOPOINT, "POINTOPOINT," },
		{ IFF_NOTRAILERS, "NOTRAILERS," }, { IFF_RUNNING, "RUNNING," },
		{ IFF_NOARP, "NOARP," }, { IFF_PROMISC, "PROMISC," },
		{ IFF_ALLMULTI, "ALLMULTI," }, { IFF_SLAVE, "SLAVE," },
		{ IFF_MASTER, "MASTER," }, { IFF_MULTICAST, "MULTICAST," } };
	char	 s[256];
	size_t	 i, n;

	/* net-tools' quirk: no flags at all shows as "flags=0<" */
	snprintf(s, sizeof(s), "flags=%d<%s", fl, fl == 0 ? ">" : "");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (fl & t[i].bit)
			strcat(s, t[i].s);
	n = strlen(s);
	s[n - 1] = s[n - 1] == ',' ? '>' : '\0';
	puts_(f, name);
	puts_(f, ": ");
	puts_(f, s);
	snprintf(s, sizeof(s), "  mtu %d\n", mtu);
	puts_(f, s);
}

/* "bytes N (W.T UNIT)" as net-tools rounds it: down, one decimal. */
static void
iface_bytes(struct netfmt *f, const char *what, unsigned long long pk,
    unsigned long long b)
{
	static const struct { unsigned long long lim; const char *u; } u[] = {
		{ 1152921504606846976ULL, "EiB" }, { 1125899906842624ULL, "PiB" },
		{ 1099511627776ULL, "TiB" }, { 1073741824ULL, "GiB" },
		{ 1048576ULL, "MiB" }, { 1024ULL, "KiB" } };
	unsigned long long	 s = b * 10;
	const char		*unit = "B";
	char			 t[160];
	size_t			 i;

	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		if (b > u[i].lim) {
			s = i == 0 ? b / 115292150460684697ULL : s / u[i].lim;
			unit = u[i].u;
			break;
		}
	snprintf(t, sizeof(t), "        %s packets %llu  bytes %llu "
	    "(%lu.%lu %s)\n", what, pk, b, (unsigned long)(s / 10),
	    (unsigned long)(s % 10), unit);
	puts_(f, t);
}

static void
iface_inet6(struct netfmt *f, const struct procnet_inet6 *a)
{
	char		 t[160], sc[64];
	unsigned	 scope = a->scope;
	size_t		 n;

	snprintf(t, sizeof(t), "        inet6 %s  prefixlen %u  scopeid 0x%x",
	    name6(f, a->addr, 1), a->plen, a->scope);
	puts_(f, t);
	strcpy(sc, "<");
	if (scope & 0x0080) {
		strcat(sc, "compat,");
		scope -= 0x0080;
	}
	if (scope == 0)
		strcat(sc, "global,");
	if (scope & 0x0020)
		strcat(sc, "link,");
	if (scope & 0x0040)
		strcat(sc, "site,");
	if (scope & 0x0010)
		strcat(sc, "host,");
	n = strlen(sc);
	sc[n - 1] = sc[n - 1] == ',' ? '>' : '\0';
	puts_(f, sc);
	NL(f);
}

/* The link line: hardware type and address, queue length, title. */
static void
iface_hw(struct netfmt *f, const struct procnet_iface *k)
{
	char	 t[128];
	size_t	 n = 0;
	int	 i;

	if (k->hwtype == 1)		/* ARPHRD_ETHER */
		snprintf(t, sizeof(t), "        ether "
		    "%02x:%02x:%02x:%02x:%02x:%02x", k->hwaddr[0], k->hwaddr[1],
		    k->hwaddr[2], k->hwaddr[3], k->hwaddr[4], k->hwaddr[5]);
	else if (k->hwtype == 772)	/* ARPHRD_LOOPBACK */
		snprintf(t, sizeof(t), "        loop");
	else {
		n = (size_t)snprintf(t, sizeof(t), "        unspec ");
		for (i = 0; i < 16; i++)
			n += (size_t)snprintf(t + n, sizeof(t) - n, "%02X-",
			    i < 8 ? k->hwaddr[i] : 0);
		t[n - 1] = '\0';
	}
	puts_(f, t);
	if (k->txqlen != -1) {
		snprintf(t, sizeof(t), "  txqueuelen %d", k->txqlen);
		puts_(f, t);
	}
	puts_(f, k->hwtype == 1 ? "  (Ethernet)\n" : k->hwtype == 772 ?
	    "  (Local Loopback)\n" : "  (UNSPEC)\n");
}

static void
iface_stats(struct netfmt *f, const struct procnet_dev *st)
{
	char	 t[256];

	iface_bytes(f, "RX", st->rx_packets, st->rx_bytes);
	snprintf(t, sizeof(t), "        RX errors %llu  dropped %llu  "
	    "overruns %llu  frame %llu\n", st->rx_errs, st->rx_drop,
	    st->rx_fifo, st->rx_frame);
	puts_(f, t);
	iface_bytes(f, "TX", st->tx_packets, st->tx_bytes);
	snprintf(t, sizeof(t), "        TX errors %llu  dropped %llu "
	    "overruns %llu  carrier %llu  collisions %llu\n", st->tx_errs,
	    st->tx_drop, st->tx_fifo, st->tx_carrier, st->tx_colls);
	puts_(f, t);
}

static void
iface_map(struct netfmt *f, const struct procnet_iface *k)
{
	char	 t[256];
	size_t	 n = 0;

	if (!(k->map_irq || k->map_mem_start || k->map_dma ||
	    k->map_base >= 0x100))
		return;
	t[0] = '\0';
	if (k->map_irq)
		n += (size_t)snprintf(t + n, sizeof(t) - n, "interrupt %u  ",
		    k->map_irq);
	if (k->map_base >= 0x100)
		n += (size_t)snprintf(t + n, sizeof(t) - n, "base 0x%x  ",
		    k->map_base);
	if (k->map_mem_start)
		n += (size_t)snprintf(t + n, sizeof(t) - n, "memory 0x%lx-%lx  ",
		    k->map_mem_start, k->map_mem_end);
	if (k->map_dma)
		snprintf(t + n, sizeof(t) - n, "  dma 0x%x", k->map_dma);
	puts_(f, "        device ");
	puts_(f, t);
	NL(f);
}

void
netfmt_iface_long(struct netfmt *f, const char *name,
    const struct procnet_dev *st, const struct procnet_iface *k,
    const struct procnet_inet6 *a6, size_t n6)
{
	char	 t[256], a[3][16];
	size_t	 n, i;

	iface_flags_long(f, name, k->flags, k->mtu);
	if (k->has_ip) {
		procnet_ntop(AF_INET, k->addr, a[0], sizeof(a[0]));
		procnet_ntop(AF_INET, k->netmask, a[1], sizeof(a[1]));
		n = (size_t)snprintf(t, sizeof(t), "        inet %s  netmask %s",
		    a[0], a[1]);
		procnet_ntop(AF_INET, k->broadaddr, a[2], sizeof(a[2]));
		if (k->flags & IFF_BROADCAST)
			n += (size_t)snprintf(t + n, sizeof(t) - n,
			    "  broadcast %s", a[2]);
		procnet_ntop(AF_INET, k->dstaddr, a[2], sizeof(a[2]));
		if (k->flags & IFF_POINTOPOINT)
			snprintf(t + n, sizeof(t) - n, "  destination %s", a[2]);
		puts_(f, t);
		NL(f);
	}
	for (i = 0; i < n6; i++)
		if (strcmp(a6[i].name, name) == 0)
			iface_inet6(f, &a6[i]);
	iface_hw(f, k);
	if (st != NULL)
		iface_stats(f, st);
	iface_map(f, k);
	NL(f);
}
