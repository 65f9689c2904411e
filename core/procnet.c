/*
 * /proc's network tables, parsed by hand: one read(2) per file and no
 * scanf per line, since netstat runs over tens of thousands of lines.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limits.h"
#include "procnet.h"

/* Room for n more bytes and a NUL in b; 0 or -1 (ENOMEM, ERANGE). */
static int
reserve(struct buf *b, size_t n)
{
	size_t	 cap;
	char	*s;

	if (b->cap - b->len > n)
		return 0;
	cap = b->cap ? b->cap : 65536;
	while (cap - b->len <= n)
		cap *= 2;
	if (cap > LIM_PROC_FILE) {
		errno = ERANGE;
		return -1;
	}
	if ((s = realloc(b->s, cap)) == NULL)
		return -1;
	b->s = s;
	b->cap = cap;
	return 0;
}

int
procnet_slurp(const char *path, struct buf *b)
{
	ssize_t	 n;
	int	 fd, err = 0;

	buf_reset(b);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	for (;;) {
		if (reserve(b, 65536) == -1) {
			err = errno;
			break;
		}
		n = read(fd, b->s + b->len, b->cap - b->len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			err = errno;
		if (n <= 0)
			break;
		b->len += (size_t)n;
	}
	close(fd);
	if (err) {
		errno = err;
		return -1;
	}
	b->s[b->len] = '\0';
	return 0;
}

const char *
procnet_line(const char **p, const char *end, size_t *len)
{
	const char	*s = *p, *nl;

	if (s >= end)
		return NULL;
	if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
		nl = end;
	*len = (size_t)(nl - s);
	*p = nl < end ? nl + 1 : end;
	return s;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static const char *
blanks(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* A hex number of at most 16 digits; NULL when there is none. */
static const char *
hexnum(const char *p, const char *e, unsigned long long *v)
{
	const char		*s = p;
	unsigned long long	 n = 0;
	int			 d;

	while (p < e && (d = hexval((unsigned char)*p)) != -1) {
		if (p - s == 16)
			return NULL;
		n = n << 4 | (unsigned)d;
		p++;
	}
	*v = n;
	return p == s ? NULL : p;
}

static const char *
decnum(const char *p, const char *e, unsigned long long *v)
{
	const char		*s = p;
	unsigned long long	 n = 0;

	while (p < e && *p >= '0' && *p <= '9') {
		if (n > (~0ULL - 9) / 10)
			return NULL;
		n = n * 10 + (unsigned)(*p - '0');
		p++;
	}
	*v = n;
	return p == s ? NULL : p;
}

/* A field: blanks, then a number ending at a blank, ':' or the end. */
static const char *
field(const char *p, const char *e, unsigned long long *v, int hex)
{
	p = blanks(p, e);
	p = hex ? hexnum(p, e, v) : decnum(p, e, v);
	return p;
}

static const char *
expect(const char *p, const char *e, int c)
{
	return (p != NULL && p < e && *p == c) ? p + 1 : NULL;
}

/*
 * The kernel prints an address as 32-bit words in host order ("%08X"
 * each); stored back as host words, the bytes are in network order.
 */
static const char *
inetaddr(const char *p, const char *e, unsigned char *a, int *family)
{
	const char	*s = p;
	uint32_t	 w;
	size_t		 n, i;
	int		 j;

	while (p < e && hexval((unsigned char)*p) != -1)
		p++;
	n = (size_t)(p - s);
	if (n != 8 && n != 32)
		return NULL;
	*family = n == 8 ? AF_INET : AF_INET6;
	for (i = 0; i < n / 8; i++) {
		w = 0;
		for (j = 0; j < 8; j++)
			w = w << 4 | (uint32_t)hexval((unsigned char)s[i * 8 + j]);
		memcpy(a + i * 4, &w, 4);
	}
	return p;
}

static const char *
endpoint(const char *p, const char *e, unsigned char *a, unsigned *port,
    int *family)
{
	unsigned long long	 v;

	p = blanks(p, e);
	if ((p = inetaddr(p, e, a, family)) == NULL ||
	    (p = expect(p, e, ':')) == NULL ||
	    (p = hexnum(p, e, &v)) == NULL || v > 0xffff)
		return NULL;
	*port = (unsigned)v;
	return p;
}

int
procnet_inet_line(const char *line, size_t len, struct procnet_sock *s)
{
	const char		*p = line, *e = line + len;
	unsigned long long	 v, w;
	int			 f2;

	memset(s, 0, sizeof(*s));
	if ((p = field(p, e, &v, 0)) == NULL || (p = expect(p, e, ':')) == NULL)
		return -1;
	if ((p = endpoint(p, e, s->laddr, &s->lport, &s->family)) == NULL ||
	    (p = endpoint(p, e, s->raddr, &s->rport, &f2)) == NULL ||
	    f2 != s->family)
		return -1;
	if ((p = field(p, e, &v, 1)) == NULL || v > 0xff)
		return -1;
	s->state = (unsigned)v;
	if ((p = field(p, e, &v, 1)) == NULL || (p = expect(p, e, ':')) == NULL ||
	    (p = hexnum(p, e, &w)) == NULL)
		return -1;
	s->txq = (unsigned long)v;
	s->rxq = (unsigned long)w;
	/* timer:when, retransmits, uid, timeout, inode */
	if ((p = field(p, e, &v, 1)) == NULL || (p = expect(p, e, ':')) == NULL ||
	    (p = hexnum(p, e, &v)) == NULL || (p = field(p, e, &v, 1)) == NULL ||
	    (p = field(p, e, &v, 0)) == NULL)
		return -1;
	s->uid = (unsigned long)v;
	if ((p = field(p, e, &v, 0)) == NULL || (p = field(p, e, &v, 0)) == NULL)
		return -1;
	s->inode = (unsigned long)v;
	if (p < e && *p != ' ' && *p != '\t')
		return -1;
	return 0;
}

int
procnet_unix_line(const char *line, size_t len, struct procnet_unix *u)
{
	const char		*p = line, *e = line + len, *s;
	unsigned long long	 v[6];
	int			 i;

	memset(u, 0, sizeof(*u));
	u->path = "";
	if ((p = field(p, e, &v[0], 1)) == NULL || (p = expect(p, e, ':')) == NULL)
		return -1;
	for (i = 0; i < 5; i++)
		if ((p = field(p, e, &v[i], 1)) == NULL)
			return -1;
	u->refcnt = (unsigned long)v[0];
	u->proto = (unsigned long)v[1];
	u->flags = (unsigned long)v[2];
	if (v[3] > 0xffff || v[4] > 0xff)
		return -1;
	u->type = (unsigned)v[3];
	u->state = (unsigned)v[4];
	if ((p = field(p, e, &v[5], 0)) == NULL)
		return -1;
	u->inode = (unsigned long)v[5];
	if (p < e && *p != ' ' && *p != '\t')
		return -1;
	p = blanks(p, e);
	for (s = p; p < e && *p != ' ' && *p != '\t'; p++)
		;
	u->path = s;
	u->pathlen = (size_t)(p - s);
	return 0;
}

/* A word up to the next blank, copied into out (size outlen). */
static const char *
word(const char *p, const char *e, char *out, size_t outlen)
{
	const char	*s;

	p = blanks(p, e);
	for (s = p; p < e && *p != ' ' && *p != '\t' && *p != ':'; p++)
		;
	if (p == s || (size_t)(p - s) >= outlen)
		return NULL;
	memcpy(out, s, (size_t)(p - s));
	out[p - s] = '\0';
	return p;
}

static const char *
addr4(const char *p, const char *e, unsigned char *a)
{
	int	 f;

	p = blanks(p, e);
	if ((p = inetaddr(p, e, a, &f)) == NULL || f != AF_INET)
		return NULL;
	return p;
}

int
procnet_route_line(const char *line, size_t len, struct procnet_route *r)
{
	const char		*p = line, *e = line + len;
	unsigned long long	 v[6];
	int			 i;

	memset(r, 0, sizeof(*r));
	if ((p = word(p, e, r->iface, sizeof(r->iface))) == NULL ||
	    (p = addr4(p, e, r->dst)) == NULL ||
	    (p = addr4(p, e, r->gw)) == NULL ||
	    (p = field(p, e, &v[0], 1)) == NULL)
		return -1;
	r->flags = (unsigned)v[0];
	for (i = 0; i < 3; i++)
		if ((p = field(p, e, &v[i], 0)) == NULL)
			return -1;
	r->refcnt = (long)v[0];
	r->use = (long)v[1];
	r->metric = (long)v[2];
	if ((p = addr4(p, e, r->mask)) == NULL)
		return -1;
	for (i = 0; i < 3; i++)
		if ((p = field(p, e, &v[i], 0)) == NULL) {
			if (i < 2)
				return -1;
			v[i] = 0;
		}
	r->mtu = (long)v[0];
	r->window = (long)v[1];
	r->irtt = (long)v[2];
	return 0;
}

int
procnet_dev_line(const char *line, size_t len, struct procnet_dev *d)
{
	const char		*p = line, *e = line + len;
	unsigned long long	*f[16];
	int			 i;

	memset(d, 0, sizeof(*d));
	if ((p = word(p, e, d->name, sizeof(d->name))) == NULL ||
	    (p = expect(p, e, ':')) == NULL)
		return -1;
	f[0] = &d->rx_bytes; f[1] = &d->rx_packets; f[2] = &d->rx_errs;
	f[3] = &d->rx_drop; f[4] = &d->rx_fifo; f[5] = &d->rx_frame;
	f[6] = &d->rx_compressed; f[7] = &d->rx_multicast;
	f[8] = &d->tx_bytes; f[9] = &d->tx_packets; f[10] = &d->tx_errs;
	f[11] = &d->tx_drop; f[12] = &d->tx_fifo; f[13] = &d->tx_colls;
	f[14] = &d->tx_carrier; f[15] = &d->tx_compressed;
	for (i = 0; i < 16; i++)
		if ((p = field(p, e, f[i], 0)) == NULL)
			return -1;
	return 0;
}

int
procnet_inet6_line(const char *line, size_t len, struct procnet_inet6 *a)
{
	const char		*p = line, *e = line + len;
	unsigned long long	 v[4];
	int			 i, hi, lo;

	memset(a, 0, sizeof(*a));
	p = blanks(p, e);
	if (e - p < 32)
		return -1;
	for (i = 0; i < 16; i++) {
		if ((hi = hexval((unsigned char)p[2 * i])) == -1 ||
		    (lo = hexval((unsigned char)p[2 * i + 1])) == -1)
			return -1;
		a->addr[i] = (unsigned char)(hi << 4 | lo);
	}
	p += 32;
	for (i = 0; i < 4; i++)
		if ((p = field(p, e, &v[i], 1)) == NULL || v[i] > 0xffffffffULL)
			return -1;
	a->ifindex = (unsigned)v[0];
	a->plen = (unsigned)v[1];
	a->scope = (unsigned)v[2];
	a->flags = (unsigned)v[3];
	if ((p = word(p, e, a->name, sizeof(a->name))) == NULL)
		return -1;
	return 0;
}

/* Decimal digits of v at p; the end. */
static char *
putdec(char *p, unsigned v)
{
	char	 t[12];
	int	 n = 0;

	do
		t[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*p++ = t[--n];
	return p;
}

static char *
puthex(char *p, unsigned v)
{
	static const char	 hex[] = "0123456789abcdef";
	int			 sh = 12;

	while (sh > 0 && (v >> sh) == 0)
		sh -= 4;
	for (; sh >= 0; sh -= 4)
		*p++ = hex[(v >> sh) & 15];
	return p;
}

static char *
putv4(char *p, const unsigned char *a)
{
	int	 i;

	for (i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = putdec(p, a[i]);
	}
	return p;
}

void
procnet_ntop(int family, const unsigned char *a, char *buf, size_t len)
{
	char		 t[64], *p = t;
	unsigned	 w[8];
	size_t		 n;
	int		 i, best = -1, bestlen = 0, cur = -1, curlen = 0;

	if (family == AF_INET)
		p = putv4(p, a);
	else {
		for (i = 0; i < 8; i++) {
			w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
			if (w[i] != 0) {
				cur = -1;
				continue;
			}
			if (cur == -1)
				cur = i, curlen = 0;
			if (++curlen > bestlen)
				best = cur, bestlen = curlen;
		}
		if (bestlen < 2)
			best = -1;
		for (i = 0; i < 8; i++) {
			if (best != -1 && i >= best && i < best + bestlen) {
				if (i == best)
					*p++ = ':';
				continue;
			}
			if (i != 0)
				*p++ = ':';
			if (i == 6 && best == 0 && (bestlen == 6 ||
			    (bestlen == 7 && w[7] != 1) ||
			    (bestlen == 5 && w[5] == 0xffff))) {
				p = putv4(p, a + 12);
				break;
			}
			p = puthex(p, w[i]);
		}
		if (best != -1 && best + bestlen == 8)
			*p++ = ':';
	}
	n = (size_t)(p - t);
	if (len == 0)
		return;
	if (n >= len)
		n = len - 1;
	memcpy(buf, t, n);
	buf[n] = '\0';
}

int
procnet_iface_names(int sock, struct buf *b)
{
	struct ifconf	 ifc;
	struct ifreq	*req = NULL, *nreq;
	char		 name[PROCNET_IFNAME];
	size_t		 n = 32, i;

	for (;;) {
		if ((nreq = realloc(req, n * sizeof(*req))) == NULL)
			goto fail;
		req = nreq;
		ifc.ifc_len = (int)(n * sizeof(*req));
		ifc.ifc_req = req;
		if (ioctl(sock, SIOCGIFCONF, &ifc) == -1)
			goto fail;
		if ((size_t)ifc.ifc_len < n * sizeof(*req))
			break;
		if (n > 65536) {
			errno = ERANGE;
			goto fail;
		}
		n *= 2;
	}
	n = (size_t)ifc.ifc_len / sizeof(*req);
	for (i = 0; i < n; i++) {
		memset(name, 0, sizeof(name));
		memcpy(name, req[i].ifr_name, sizeof(name) - 1);
		if (buf_add(b, name, sizeof(name)) == -1)
			goto fail;
	}
	free(req);
	return (int)n;
fail:
	free(req);
	return -1;
}

static int
ifreq(int sock, unsigned long op, const char *name, struct ifreq *r)
{
	memset(r, 0, sizeof(*r));
	strncpy(r->ifr_name, name, sizeof(r->ifr_name) - 1);
	return ioctl(sock, op, r);
}

static void
sin_addr(const struct sockaddr *sa, unsigned char *a)
{
	memcpy(a, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
}

int
procnet_iface_get(int sock, const char *name, struct procnet_iface *f)
{
	struct ifreq	 r;

	memset(f, 0, sizeof(*f));
	if (ifreq(sock, SIOCGIFFLAGS, name, &r) == -1)
		return -1;
	f->flags = r.ifr_flags & 0xffff;
	if (ifreq(sock, SIOCGIFHWADDR, name, &r) == 0)
		memcpy(f->hwaddr, r.ifr_hwaddr.sa_data, 8);
	f->hwtype = r.ifr_hwaddr.sa_family;
	f->mtu = ifreq(sock, SIOCGIFMTU, name, &r) == 0 ? r.ifr_mtu : 0;
	f->metric = ifreq(sock, SIOCGIFMETRIC, name, &r) == 0 ?
	    r.ifr_metric : 0;
	if (ifreq(sock, SIOCGIFMAP, name, &r) == 0) {
		f->map_mem_start = r.ifr_map.mem_start;
		f->map_mem_end = r.ifr_map.mem_end;
		f->map_base = r.ifr_map.base_addr;
		f->map_irq = r.ifr_map.irq;
		f->map_dma = r.ifr_map.dma;
	}
	f->txqlen = ifreq(sock, SIOCGIFTXQLEN, name, &r) == 0 ?
	    r.ifr_qlen : -1;
	r.ifr_addr.sa_family = AF_INET;
	if (ifreq(sock, SIOCGIFADDR, name, &r) == 0) {
		f->has_ip = 1;
		sin_addr(&r.ifr_addr, f->addr);
		if (ifreq(sock, SIOCGIFDSTADDR, name, &r) == 0)
			sin_addr(&r.ifr_dstaddr, f->dstaddr);
		if (ifreq(sock, SIOCGIFBRDADDR, name, &r) == 0)
			sin_addr(&r.ifr_broadaddr, f->broadaddr);
		if (ifreq(sock, SIOCGIFNETMASK, name, &r) == 0)
			sin_addr(&r.ifr_netmask, f->netmask);
	}
	return 0;
}

/* ---------------------------------------------------- inode -> owner */

#define DENTS	65536

struct dent64 {			/* what getdents64(2) returns */
	uint64_t	 ino;
	int64_t		 off;
	unsigned short	 reclen;
	unsigned char	 type;
	char		 name[];
};

static size_t
slot(const struct procnet_owners *o, unsigned long inode)
{
	size_t	 i = (size_t)(inode * 2654435761UL) & (o->size - 1);

	while (o->keys[i] != 0 && o->keys[i] != inode)
		i = (i + 1) & (o->size - 1);
	return i;
}

static int
rehash(struct procnet_owners *o)
{
	struct procnet_owners	 n = *o;
	size_t			 i, j;

	n.size = o->size ? o->size * 2 : 1024;
	n.keys = calloc(n.size, sizeof(*n.keys));
	n.vals = calloc(n.size, sizeof(*n.vals));
	if (n.keys == NULL || n.vals == NULL) {
		free(n.keys);
		free(n.vals);
		return -1;
	}
	for (i = 0; i < o->size; i++) {
		if (o->keys[i] == 0)
			continue;
		j = slot(&n, o->keys[i]);
		n.keys[j] = o->keys[i];
		n.vals[j] = o->vals[i];
	}
	free(o->keys);
	free(o->vals);
	*o = n;
	return 0;
}

/* First come, first kept; 0 or -1 (ENOMEM). */
static int
owner_add(struct procnet_owners *o, unsigned long inode, const char *prog)
{
	size_t	 i;

	if ((o->used + 1) * 2 > o->size && rehash(o) == -1)
		return -1;
	i = slot(o, inode);
	if (o->keys[i] == inode)
		return 0;
	if (o->names.len > 0xffffffffUL - PROCNET_PROG)
		return -1;
	o->keys[i] = inode;
	o->vals[i] = (unsigned)o->names.len;
	o->used++;
	return buf_add(&o->names, prog, strlen(prog) + 1);
}

const char *
procnet_owner(const struct procnet_owners *o, unsigned long inode)
{
	size_t	 i;

	if (o->size == 0 || inode == 0)
		return NULL;
	i = slot(o, inode);
	return o->keys[i] == inode ? o->names.s + o->vals[i] : NULL;
}

void
procnet_owners_free(struct procnet_owners *o)
{
	free(o->keys);
	free(o->vals);
	buf_free(&o->names);
	memset(o, 0, sizeof(*o));
}

void
procnet_progname(const char *pid, const char *cmdline, size_t len,
    char *out, size_t outlen)
{
	const char	*first = cmdline, *end, *slash;
	size_t		 n;

	end = memchr(cmdline, '\0', len);
	n = end != NULL ? (size_t)(end - cmdline) : len;
	if (n > 0 && cmdline[0] == '/') {
		for (slash = cmdline + n; slash > cmdline && slash[-1] != '/';)
			slash--;
		first = slash;
		n -= (size_t)(slash - cmdline);
	}
	snprintf(out, outlen, "%s/%.*s", pid, (int)n, first);
}

/* The inode of a "socket:[N]" (or old "[0000]:N") link; 0 if not one. */
static unsigned long
sockinode(const char *l, size_t n)
{
	unsigned long long	 v;
	const char		*p;

	if (n > 9 && memcmp(l, "socket:[", 8) == 0 && l[n - 1] == ']') {
		p = decnum(l + 8, l + n - 1, &v);
		return (p == l + n - 1) ? (unsigned long)v : 0;
	}
	if (n > 7 && memcmp(l, "[0000]:", 7) == 0) {
		p = decnum(l + 7, l + n, &v);
		return (p == l + n) ? (unsigned long)v : 0;
	}
	return 0;
}

/* Read PID/cmdline into prog as net-tools shows it; 0 or -1. */
static int
progof(int procfd, const char *pid, char *prog)
{
	char	 path[64], cmd[PROCNET_CMDLINE];
	ssize_t	 n;
	int	 fd;

	snprintf(path, sizeof(path), "%s/cmdline", pid);
	if ((fd = openat(procfd, path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, cmd, sizeof(cmd) - 1);
	close(fd);
	if (n == -1)
		return -1;
	cmd[n] = '\0';
	procnet_progname(pid, cmd, (size_t)n, prog, PROCNET_PROG);
	return 0;
}

static int
scan_pid(struct procnet_owners *o, int procfd, const char *pid, char *dents)
{
	char		 path[64], link[32], prog[PROCNET_PROG];
	struct dent64	*d;
	unsigned long	 inode;
	long		 n, off;
	ssize_t		 l;
	int		 fd, have = 0, rc = 0;

	snprintf(path, sizeof(path), "%s/fd", pid);
	if ((fd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		if (errno == EACCES || errno == EPERM)
			o->denied = 1;
		return 0;
	}
	while ((n = syscall(SYS_getdents64, fd, dents, DENTS)) > 0) {
		for (off = 0; off < n; off += d->reclen) {
			d = (struct dent64 *)(void *)(dents + off);
			if (d->name[0] < '0' || d->name[0] > '9')
				continue;
			l = readlinkat(fd, d->name, link, sizeof(link) - 1);
			if (l <= 0 || (inode = sockinode(link, (size_t)l)) == 0)
				continue;
			if (!have && progof(procfd, pid, prog) == -1)
				continue;
			have = 1;
			if (owner_add(o, inode, prog) == -1) {
				rc = -1;
				goto out;
			}
		}
	}
out:
	close(fd);
	return rc;
}

int
procnet_owners_load(struct procnet_owners *o, const char *root)
{
	struct dent64	*d;
	char		*dents = NULL;
	const char	*c;
	long		 n, off;
	int		 procfd, rc = -1;

	memset(o, 0, sizeof(*o));
	buf_init(&o->names, 0);
	if ((procfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if ((dents = malloc(2 * DENTS)) == NULL)
		goto out;
	while ((n = syscall(SYS_getdents64, procfd, dents, DENTS)) > 0) {
		for (off = 0; off < n; off += d->reclen) {
			d = (struct dent64 *)(void *)(dents + off);
			for (c = d->name; *c >= '0' && *c <= '9'; c++)
				;
			if (c == d->name || *c != '\0' || c - d->name > 20)
				continue;
			if (scan_pid(o, procfd, d->name, dents + DENTS) == -1)
				goto out;
		}
	}
	rc = n == 0 ? 0 : -1;
out:
	free(dents);
	close(procfd);
	return rc;
}

/* ------------------------------------------------------- sock_diag */

/* The kernel's netlink and inet_diag ABI (linux/netlink.h,
   linux/inet_diag.h), which musl does not ship. */
#define NETLINK_SOCK_DIAG_	4
#define SOCK_DIAG_BY_FAMILY_	20
#define NLMSG_ERROR_		2
#define NLMSG_DONE_		3
#define NLM_F_REQUEST_		0x001
#define NLM_F_DUMP_		0x300
#define DIAG_MSG_LEN		72	/* struct inet_diag_msg */
#define TCP_LISTEN_		10

struct nlhdr {
	uint32_t	 len;
	uint16_t	 type, flags;
	uint32_t	 seq, pid;
};

struct nladdr {
	unsigned short	 family, pad;
	uint32_t	 pid, groups;
};

struct diagreq {
	struct nlhdr	 h;
	unsigned char	 family, protocol, ext, pad;
	uint32_t	 states;
	unsigned char	 id[48];	/* struct inet_diag_sockid */
};

static uint32_t
rd32(const unsigned char *p)
{
	uint32_t	 v;

	memcpy(&v, p, 4);
	return v;
}

int
procnet_diag_msg(const unsigned char *m, size_t len, struct procnet_sock *s)
{
	memset(s, 0, sizeof(*s));
	if (len < DIAG_MSG_LEN || (m[0] != AF_INET && m[0] != AF_INET6))
		return -1;
	s->family = m[0];
	s->state = m[1];
	s->lport = (unsigned)m[4] << 8 | m[5];
	s->rport = (unsigned)m[6] << 8 | m[7];
	memcpy(s->laddr, m + 8, s->family == AF_INET ? 4 : 16);
	memcpy(s->raddr, m + 24, s->family == AF_INET ? 4 : 16);
	s->rxq = rd32(m + 56);
	s->txq = s->state == TCP_LISTEN_ ? 0 : rd32(m + 60);
	s->uid = rd32(m + 64);
	s->inode = rd32(m + 68);
	return 0;
}

/* The messages of one recv(2): 1 at the end of the dump, 0 for more,
   -1 on error (errno). */
static int
diag_batch(const unsigned char *b, size_t n, uint32_t seq,
    int (*cb)(const struct procnet_sock *, void *), void *arg)
{
	struct nlhdr		 h;
	struct procnet_sock	 s;
	int32_t			 err;

	while (n >= sizeof(h)) {
		memcpy(&h, b, sizeof(h));
		if (h.len < sizeof(h) || h.len > n) {
			errno = EPROTO;
			return -1;
		}
		if (h.seq == seq) {
			if (h.type == NLMSG_DONE_)
				return 1;
			if (h.type == NLMSG_ERROR_) {
				err = h.len >= sizeof(h) + 4 ?
				    (int32_t)rd32(b + sizeof(h)) : -EPROTO;
				errno = err < 0 ? -err : EPROTO;
				return -1;
			}
			if (h.type == SOCK_DIAG_BY_FAMILY_ &&
			    procnet_diag_msg(b + sizeof(h), h.len - sizeof(h),
			    &s) == 0 && cb(&s, arg) == -1)
				return -1;
		}
		h.len = (h.len + 3) & ~3U;
		if (h.len >= n)
			break;
		b += h.len;
		n -= h.len;
	}
	return 0;
}

int
procnet_tcp_diag(int family, int (*cb)(const struct procnet_sock *, void *),
    void *arg)
{
	struct diagreq	 req;
	struct nladdr	 kernel;
	unsigned char	*b;
	ssize_t		 n;
	int		 fd, rc = -1, saved;

	if ((fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
	    NETLINK_SOCK_DIAG_)) == -1)
		return -1;
	if ((b = malloc(DENTS * 2)) == NULL)
		goto out;
	memset(&req, 0, sizeof(req));
	memset(&kernel, 0, sizeof(kernel));
	kernel.family = AF_NETLINK;
	req.h.len = sizeof(req);
	req.h.type = SOCK_DIAG_BY_FAMILY_;
	req.h.flags = NLM_F_REQUEST_ | NLM_F_DUMP_;
	req.h.seq = 1;
	req.family = (unsigned char)family;
	req.protocol = IPPROTO_TCP;
	req.states = ~0U;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel,
	    sizeof(kernel)) != (ssize_t)sizeof(req))
		goto out;
	for (;;) {
		if ((n = recv(fd, b, DENTS * 2, 0)) == -1) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		if (n == 0) {
			errno = EPROTO;
			goto out;
		}
		if ((rc = diag_batch(b, (size_t)n, req.h.seq, cb, arg)) != 0)
			break;
	}
	rc = rc == 1 ? 0 : -1;
out:
	saved = errno;
	free(b);
	close(fd);
	errno = saved;
	return rc;
}
