/*
 * netstat — who listens, who is connected, routes and interfaces, with
 * output identical, column for column, to net-tools' netstat(8), so
 * that scripts and habits carry over ("netstat -atnp | grep :25").
 *
 * usage: netstat [-acenpWl46] [-t] [-u] [-w] [-U] [-x]
 *        netstat -r [-cenW]
 *        netstat -i [-acen]
 *        netstat -h
 *
 *   -a, --all          listening and non-listening sockets
 *   -l, --listening    listening sockets only
 *   -t, --tcp  -u, --udp  -w, --raw  -U, --udplite  -x, --unix
 *                      these kinds only (default: all of them)
 *   -4, -6             IPv4 or IPv6 sockets only
 *   -n, --numeric      numbers, not names (--numeric-hosts,
 *                      --numeric-ports, --numeric-users for one kind)
 *   -p, --programs     PID/program holding each socket (all of them
 *                      only as root)
 *   -e, --extend       user and inode columns (with -i: every detail)
 *   -W, --wide         addresses not cut to the column
 *   -c, --continuous   again every second until interrupted
 *   -r, --route        the kernel's IPv4 routing table
 *   -i, --interfaces   the interface table
 *
 * Sources: TCP from the kernel's sock_diag netlink dump (the same
 * sockets as /proc/net/tcp, in the same order, at a fraction of the
 * kernel's cost), else /proc/net/tcp{,6}; /proc/net/{udp,udp6,udplite,
 * udplite6,raw,raw6,unix,route,dev,if_inet6}; /proc/PID/fd and cmdline;
 * the SIOCGIF* ioctls.  Names from /etc/hosts then DNS (resolv.conf),
 * /etc/services, /etc/protocols, /etc/networks and the passwd database,
 * with the precedence net-tools gets from glibc.  Not shown: SCTP, the
 * IPv6 routing table, -s statistics, -o timers, -g groups.
 *
 * Exit codes: 0; 1 a /proc table is missing (as net-tools); 64 usage;
 * 71 a system table could not be read; 74 stdout could not be written.
 */
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "app.h"
#include "applets.h"
#include "buf.h"
#include "netfmt.h"
#include "procnet.h"

struct opts {
	int	 all, lst, tcp, udp, raw, udpl, unx, inet4, inet6, arg;
	int	 numeric, prog, cont, route, iface, ext, wide;
};

#define FLUSH_AT	65536	/* output is written in pieces this big */

static struct buf		out, file;
static struct netfmt		fmt;
static struct procnet_owners	owners;
static int			owners_loaded, write_err;

static void
out_flush(void)
{
	size_t	 off = 0;
	ssize_t	 w;

	while (off < out.len && !write_err) {
		if ((w = write(STDOUT_FILENO, out.s + off, out.len - off)) == -1) {
			if (errno != EINTR)
				write_err = errno;
			continue;
		}
		off += (size_t)w;
	}
	buf_reset(&out);
	if (fmt.err || buf_failed(&out))
		app_die(EX_OSERR, "out of memory");
}

static void
out_line_done(void)
{
	if (out.len >= FLUSH_AT || fmt.err)
		out_flush();
}

static void
out_str(const char *s)
{
	if (buf_adds(&out, s) == -1)
		app_die(EX_OSERR, "out of memory");
}

/* stderr after what stdout has so far, so that a terminal shows both
   in order. */
static void
note(const char *s)
{
	out_flush();
	fputs(s, stderr);
}

/* ---------------------------------------------------------- sockets */

/* The PID/program map, with net-tools' notes when it is partial. */
static void
load_owners(const struct opts *o)
{
	char	 msg[128];
	int	 rc;

	if (!o->prog || owners_loaded)
		return;
	owners_loaded = 1;
	fmt.owners = &owners;
	rc = procnet_owners_load(&owners, "/proc");
	if (rc == -1 && errno == ENOMEM)
		app_die(EX_OSERR, "out of memory");
	if (rc == 0 && !owners.denied)
		return;
	if (rc == -1 || owners.used == 0) {
		snprintf(msg, sizeof(msg), "(No info could be read for "
		    "\"-p\": geteuid()=%d but you should be root.)\n",
		    (int)geteuid());
		note(msg);
	} else
		note("(Not all processes could be identified, non-owned "
		    "process info\n will not be shown, you would have to be "
		    "root to see it all.)\n");
}

static void
drop_owners(void)
{
	if (owners_loaded)
		procnet_owners_free(&owners);
	owners_loaded = 0;
	fmt.owners = NULL;
}

static int
nonzero(const unsigned char *a, size_t n)
{
	while (n-- > 0)
		if (*a++ != 0)
			return 1;
	return 0;
}

/* -a all, -l listening only, else connected only: TCP by its remote
   port, UDP and raw by their remote address (as net-tools). */
static void
inet_one(const struct opts *o, const struct procnet_sock *s,
    enum netfmt_kind k, const char *prot)
{
	int	 connected;

	connected = k == NETFMT_TCP ? s->rport != 0 :
	    nonzero(s->raddr, s->family == AF_INET ? 4 : 16);
	if (!o->all && (o->lst ? connected : !connected))
		return;
	netfmt_inet(&fmt, s, k, prot);
	out_line_done();
}

struct diagctx {
	const struct opts	*o;
	const char		*prot;
	unsigned long		 n;
};

static int
diag_one(const struct procnet_sock *s, void *arg)
{
	struct diagctx	*c = arg;

	c->n++;
	inet_one(c->o, s, NETFMT_TCP, c->prot);
	return 0;
}

/* One /proc/net table; -1 when it could not be read (and says so).
   TCP comes from sock_diag when the kernel has it. */
static int
inet_file(const struct opts *o, const char *path, enum netfmt_kind k,
    const char *prot, int required)
{
	static const char *const what[] = { "tcp", "udp", "udplite", "raw" };
	struct procnet_sock	 s;
	const char		*p, *e, *line;
	char			 msg[160];
	size_t			 len;
	int			 lnr = 0;

	if (k == NETFMT_TCP) {
		struct diagctx	 c = { o, prot, 0 };

		if (procnet_tcp_diag(strcmp(prot, "tcp") == 0 ? AF_INET :
		    AF_INET6, diag_one, &c) == 0)
			return 0;
		if (c.n > 0) {
			out_flush();
			app_warn("sock_diag: %s", strerror(errno));
			return -1;
		}
	}
	if (procnet_slurp(path, &file) == -1) {
		if (errno == ENOENT) {
			if (required) {
				snprintf(msg, sizeof(msg), "netstat: no support "
				    "for `AF INET (%s)' on this system.\n",
				    what[k]);
				note(msg);
			}
			return required ? 1 : 0;
		}
		out_flush();
		app_warn("%s: %s", path, strerror(errno));
		return -1;
	}
	p = file.s;
	e = file.s + file.len;
	while ((line = procnet_line(&p, e, &len)) != NULL) {
		if (lnr++ == 0)
			continue;
		if (procnet_inet_line(line, len, &s) == -1) {
			snprintf(msg, sizeof(msg), "warning, got bogus %s "
			    "line.\n", k == NETFMT_TCP ? "tcp" :
			    k == NETFMT_RAW ? "raw" : "udp");
			note(msg);
			continue;
		}
		inet_one(o, &s, k, prot);
	}
	return 0;
}

static int
inet_kind(const struct opts *o, enum netfmt_kind k)
{
	static const char *const files[][2] = {
		{ "/proc/net/tcp", "/proc/net/tcp6" },
		{ "/proc/net/udp", "/proc/net/udp6" },
		{ "/proc/net/udplite", "/proc/net/udplite6" },
		{ "/proc/net/raw", "/proc/net/raw6" } };
	static const char *const prots[][2] = { { "tcp", "tcp6" },
		{ "udp", "udp6" }, { "udpl", "udpl6" }, { "raw", "raw6" } };
	int	 rc = 0;

	if ((!o->arg || o->inet4) &&
	    (rc = inet_file(o, files[k][0], k, prots[k][0], o->arg != 0)) == -1)
		return -1;
	if ((!o->arg || o->inet6) &&
	    inet_file(o, files[k][1], k, prots[k][1], 0) == -1)
		return -1;
	return rc;
}

static void
state_title(const struct opts *o)
{
	out_str(o->all ? "(servers and established)" :
	    o->lst ? "(only servers)" : "(w/o servers)");
}

static void
prog_title(const struct opts *o)
{
	if (o->prog) {
		out_str(" ");
		netfmt_left(&fmt, "PID/Program name", PROCNET_PROG);
	}
}

static int
inet_all(const struct opts *o)
{
	int	 rc;

	load_owners(o);
	out_str("Active Internet connections ");
	state_title(o);
	out_str("\nProto Recv-Q Send-Q Local Address           "
	    "Foreign Address         State      ");
	if (o->ext)
		out_str(" User       Inode     ");
	prog_title(o);
	out_str("\n");
	if ((!o->arg || o->tcp) && (rc = inet_kind(o, NETFMT_TCP)) != 0)
		return rc;
	if ((!o->arg || o->udp) && (rc = inet_kind(o, NETFMT_UDP)) != 0)
		return rc;
	if ((!o->arg || o->udpl) && (rc = inet_kind(o, NETFMT_UDPL)) != 0)
		return rc;
	if ((!o->arg || o->raw) && (rc = inet_kind(o, NETFMT_RAW)) != 0)
		return rc;
	return 0;
}

/* ------------------------------------------------------------- unix */

static int
unix_all(const struct opts *o)
{
	struct procnet_unix	 u;
	const char		*p, *e, *line;
	size_t			 len;
	int			 lnr = 0, listening;

	load_owners(o);
	out_str("Active UNIX domain sockets ");
	state_title(o);
	out_str("\nProto RefCnt Flags       Type       State         I-Node  ");
	prog_title(o);
	out_str(" Path\n");
	if (procnet_slurp("/proc/net/unix", &file) == -1) {
		if (errno == ENOENT) {
			if (o->arg)
				note("netstat: no support for `AF UNIX' on "
				    "this system.\n");
			return o->arg ? 1 : 0;
		}
		out_flush();
		app_warn("/proc/net/unix: %s", strerror(errno));
		return -1;
	}
	p = file.s;
	e = file.s + file.len;
	while ((line = procnet_line(&p, e, &len)) != NULL) {
		if (lnr++ == 0)
			continue;
		if (procnet_unix_line(line, len, &u) == -1) {
			note("warning, got bogus unix line.\n");
			continue;
		}
		listening = u.state == 1 && (u.flags & PROCNET_SO_ACCEPTCON);
		if (!o->all && (o->lst ? !listening : listening))
			continue;
		netfmt_unix(&fmt, &u);
		out_line_done();
	}
	return 0;
}

/* ------------------------------------------------------------ route */

static int
route_all(const struct opts *o)
{
	struct procnet_route	 r;
	const char		*p, *e, *line;
	size_t			 len;
	int			 ext = o->ext == 0 ? 2 : o->ext == 1 ? 1 : 3;

	if (procnet_slurp("/proc/net/route", &file) == -1) {
		out_flush();
		app_warn("/proc/net/route: %s", strerror(errno));
		out_str("INET (IPv4) not configured in this system.\n");
		return 1;
	}
	out_str("Kernel IP routing table\n");
	out_str("Destination     Gateway         Genmask         ");
	out_str(ext == 1 ? "Flags Metric Ref    Use Iface\n" : ext == 2 ?
	    "Flags   MSS Window  irtt Iface\n" :
	    "Flags Metric Ref    Use Iface    MSS   Window irtt\n");
	p = file.s;
	e = file.s + file.len;
	while ((line = procnet_line(&p, e, &len)) != NULL) {
		if (procnet_route_line(line, len, &r) == -1 ||
		    !(r.flags & 0x0001))		/* RTF_UP */
			continue;
		netfmt_route(&fmt, &r, ext);
		out_line_done();
	}
	return 0;
}

/* ------------------------------------------------------- interfaces */

struct iface {
	char			 name[PROCNET_IFNAME];
	struct procnet_dev	 st;
	int			 has_st;
};

static struct {
	struct iface		*v;
	size_t			 n, cap;
	struct procnet_inet6	*a6;
	size_t			 n6, cap6;
	int			 sock;
} ifs = { NULL, 0, 0, NULL, 0, 0, -1 };

/* net-tools' order: names compared with their numeric suffixes as
   numbers (eth2 before eth10), aliases ("eth0:1") after their base. */
static int
ifcmp(const char *a, const char *b)
{
	size_t	 ai = strcspn(a, ":"), bi = strcspn(b, ":"), m;
	long	 av, bv;
	int	 r;

	while (ai > 0 && a[ai - 1] >= '0' && a[ai - 1] <= '9')
		ai--;
	while (bi > 0 && b[bi - 1] >= '0' && b[bi - 1] <= '9')
		bi--;
	m = ai < bi ? ai : bi;
	if ((r = strncmp(a, b, m)) != 0)
		return r;
	if (ai != bi)
		return ai > bi ? 1 : -1;
	av = atol(a + ai);
	bv = atol(b + bi);
	if (av != bv)
		return av < bv ? -1 : 1;
	return strcmp(a, b);
}

static void *
grow(void *v, size_t *cap, size_t n, size_t size)
{
	void	*nv;
	size_t	 c;

	if (n < *cap)
		return v;
	c = *cap ? *cap * 2 : 16;
	if ((nv = realloc(v, c * size)) == NULL)
		app_die(EX_OSERR, "out of memory");
	*cap = c;
	return nv;
}

static struct iface *
if_add(const char *name)
{
	size_t	 i;
	int	 c = 1;

	for (i = 0; i < ifs.n; i++)
		if ((c = ifcmp(ifs.v[i].name, name)) >= 0)
			break;
	if (i < ifs.n && c == 0)
		return &ifs.v[i];
	ifs.v = grow(ifs.v, &ifs.cap, ifs.n, sizeof(*ifs.v));
	memmove(&ifs.v[i + 1], &ifs.v[i], (ifs.n - i) * sizeof(*ifs.v));
	memset(&ifs.v[i], 0, sizeof(ifs.v[i]));
	snprintf(ifs.v[i].name, sizeof(ifs.v[i].name), "%s", name);
	ifs.n++;
	return &ifs.v[i];
}

/* One file's lines, from the skip'th, to fn; -1 if it cannot be read. */
static int
each_line(const char *path, int skip, void (*fn)(const char *, size_t))
{
	const char	*p, *e, *line;
	size_t		 len;
	int		 lnr = 0;

	if (procnet_slurp(path, &file) == -1)
		return -1;
	p = file.s;
	e = file.s + file.len;
	while ((line = procnet_line(&p, e, &len)) != NULL)
		if (lnr++ >= skip)
			fn(line, len);
	return 0;
}

static void
dev_line(const char *line, size_t len)
{
	struct procnet_dev	 d;
	struct iface		*f;

	if (procnet_dev_line(line, len, &d) == 0) {
		f = if_add(d.name);
		f->st = d;
		f->has_st = 1;
	}
}

static void
inet6_line(const char *line, size_t len)
{
	ifs.a6 = grow(ifs.a6, &ifs.cap6, ifs.n6, sizeof(*ifs.a6));
	if (procnet_inet6_line(line, len, &ifs.a6[ifs.n6]) == 0)
		ifs.n6++;
}

/* The interfaces of net/dev, and those with an IPv4 address
   (SIOCGIFCONF: aliases too), in net-tools' order. */
static int
if_list(int ext)
{
	struct buf	 nb;
	int		 n, i, proc_ok = 1;

	ifs.n = ifs.n6 = 0;
	if (each_line("/proc/net/dev", 2, dev_line) == -1) {
		out_flush();
		fprintf(stderr, "Warning: cannot open /proc/net/dev (%s). "
		    "Limited output.\n", strerror(errno));
		proc_ok = 0;
	}
	if (ext)
		each_line("/proc/net/if_inet6", 0, inet6_line);
	buf_init(&nb, 0);
	if ((n = procnet_iface_names(ifs.sock, &nb)) == -1) {
		buf_free(&nb);
		return proc_ok ? 0 : -1;
	}
	for (i = 0; i < n; i++)
		if_add(nb.s + (size_t)i * PROCNET_IFNAME);
	buf_free(&nb);
	return 0;
}

static int
iface_all(const struct opts *o)
{
	struct procnet_iface	 k;
	const struct iface	*f;
	char			 msg[160];
	size_t			 i;

	if (ifs.sock == -1) {
		if ((ifs.sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0))
		    == -1)
			app_die(EX_OSERR, "socket: %s", strerror(errno));
		out_str("Kernel Interface table\n");
	}
	if (!o->ext)
		out_str("Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    "
		    "TX-OK TX-ERR TX-DRP TX-OVR Flg\n");
	if (if_list(o->ext) == -1) {
		out_flush();
		fprintf(stderr, "missing interface information: %s\n",
		    strerror(errno));
		return 1;
	}
	for (i = 0; i < ifs.n; i++) {
		f = &ifs.v[i];
		if (procnet_iface_get(ifs.sock, f->name, &k) == -1) {
			snprintf(msg, sizeof(msg), "%s: error fetching interface "
			    "information: %s\n", f->name, errno == ENODEV ?
			    "Device not found" : strerror(errno));
			note(msg);
			return 1;
		}
		if (!(k.flags & IFF_UP) && !o->all)
			continue;
		if (o->ext)
			netfmt_iface_long(&fmt, f->name, f->has_st ? &f->st :
			    NULL, &k, ifs.a6, ifs.n6);
		else
			netfmt_iface_short(&fmt, f->name, f->has_st ? &f->st :
			    NULL, &k);
		out_line_done();
	}
	return 0;
}

/* ------------------------------------------------------------- main */

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: netstat [-acenpWl46] [-t] [-u] [-w] [-U] [-x]   sockets\n"
	    "       netstat -r [-cenW]                         routing table\n"
	    "       netstat -i [-acen]                         interfaces\n"
	    "\n"
	    "Shows network sockets, the IPv4 routing table or the interfaces,\n"
	    "laid out exactly as net-tools' netstat does.  Without -a or -l,\n"
	    "only sockets that are not listening; without -t, -u, -w, -U or -x,\n"
	    "every kind (TCP, UDP, UDP-Lite, raw and UNIX).\n"
	    "\n"
	    "  -a, --all           listening and other sockets\n"
	    "  -l, --listening     listening sockets only\n"
	    "  -t, --tcp           TCP          -u, --udp      UDP\n"
	    "  -w, --raw           raw          -U, --udplite  UDP-Lite\n"
	    "  -x, --unix          UNIX domain sockets\n"
	    "  -4, -6              IPv4 or IPv6 sockets only\n"
	    "  -n, --numeric       numbers instead of host, port and user names\n"
	    "      --numeric-hosts, --numeric-ports, --numeric-users  one of them\n"
	    "  -p, --programs      the PID/program holding each socket\n"
	    "                      (other users' processes only for root)\n"
	    "  -e, --extend        user and inode columns; with -i the full detail\n"
	    "  -W, --wide          do not cut addresses to fit the column\n"
	    "  -c, --continuous    repeat every second until interrupted\n"
	    "  -r, --route         the kernel's IPv4 routing table\n"
	    "  -i, --interfaces    the interface table (down ones too with -a)\n"
	    "  -h, --help          this text\n"
	    "\n"
	    "Example: who listens on the mail port?   netstat -ltnp | grep :25\n");
}

static void
badopt(const char *arg)
{
	if (optopt > ' ' && optopt < 0x7f)
		fprintf(stderr, "netstat: unknown option -%c\n", optopt);
	else
		fprintf(stderr, "netstat: unknown option %s\n", arg);
	usage(stderr);
	exit(EX_USAGE);
}

static void
parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "listening", no_argument, NULL, 'l' },
		{ "tcp", no_argument, NULL, 't' },
		{ "udp", no_argument, NULL, 'u' },
		{ "raw", no_argument, NULL, 'w' },
		{ "udplite", no_argument, NULL, 'U' },
		{ "unix", no_argument, NULL, 'x' },
		{ "numeric", no_argument, NULL, 'n' },
		{ "numeric-hosts", no_argument, NULL, 1 },
		{ "numeric-ports", no_argument, NULL, 2 },
		{ "numeric-users", no_argument, NULL, 3 },
		{ "programs", no_argument, NULL, 'p' },
		{ "continuous", no_argument, NULL, 'c' },
		{ "route", no_argument, NULL, 'r' },
		{ "interfaces", no_argument, NULL, 'i' },
		{ "extend", no_argument, NULL, 'e' },
		{ "wide", no_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 } };
	int	 c;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	while ((c = getopt_long(argc, argv, "acehilnprtuwxUW46", lo, NULL)) != -1)
		switch (c) {
		case 'a': o->all = 1; break;
		case 'l': o->lst = 1; break;
		case 't': o->tcp = 1; break;
		case 'u': o->udp = 1; break;
		case 'w': o->raw = 1; break;
		case 'U': o->udpl = 1; break;
		case 'x': o->unx = 1; break;
		case '4': o->inet4 = 1; break;
		case '6': o->inet6 = 1; break;
		case 'n': o->numeric = NETFMT_NUM_HOST | NETFMT_NUM_PORT |
		    NETFMT_NUM_USER; break;
		case 1: o->numeric |= NETFMT_NUM_HOST; break;
		case 2: o->numeric |= NETFMT_NUM_PORT; break;
		case 3: o->numeric |= NETFMT_NUM_USER; break;
		case 'p': o->prog = 1; break;
		case 'c': o->cont = 1; break;
		case 'r': o->route = 1; break;
		case 'i': o->iface = 1; break;
		case 'e': o->ext++; break;
		case 'W': o->wide = 1; break;
		case 'h': usage(stdout); exit(0);
		default: badopt(argv[optind - 1]);
		}
	if (o->route && o->inet6 && !o->inet4) {
		fprintf(stderr, "netstat: -r shows the IPv4 routing table "
		    "only; for IPv6 routes: ip -6 route\n");
		exit(EX_USAGE);
	}
	if (optind < argc || o->route + o->iface > 1) {
		fprintf(stderr, optind < argc ? "netstat: unexpected "
		    "argument %s\n" : "netstat: -r and -i exclude each "
		    "other\n", argv[optind]);
		usage(stderr);
		exit(EX_USAGE);
	}
}

/* net-tools' implications: -4/-6 alone mean every Internet kind; a
   kind alone means both families. */
static void
settle(struct opts *o)
{
	if ((o->inet4 || o->inet6) && !(o->tcp || o->udp || o->raw || o->udpl))
		o->tcp = o->udp = o->raw = o->udpl = 1;
	if ((o->tcp || o->udp || o->raw || o->udpl) && !(o->inet4 || o->inet6))
		o->inet4 = o->inet6 = 1;
	o->arg = o->tcp + o->udp + o->raw + o->udpl + o->unx;
}

static int
sockets(const struct opts *o)
{
	int	 rc;

	if ((!o->arg || o->tcp || o->udp || o->raw || o->udpl) &&
	    (rc = inet_all(o)) != 0)
		return rc;
	if ((!o->arg || o->unx) && (rc = unix_all(o)) != 0)
		return rc;
	return 0;
}

int
netstat_main(int argc, char **argv)
{
	struct opts	 o;
	int		 rc;

	parse(argc, argv, &o);
	settle(&o);
	buf_init(&file, 0);
	buf_init(&out, 0);
	netfmt_init(&fmt, &out);
	fmt.numeric = o.numeric;
	fmt.wide = o.wide;
	fmt.ext = o.ext != 0;
	for (;;) {
		if (o.route)
			rc = route_all(&o);
		else if (o.iface)
			rc = iface_all(&o);
		else
			rc = sockets(&o);
		out_flush();
		if (write_err)
			app_die(EX_IOERR, "unable to write: %s",
			    strerror(write_err));
		drop_owners();
		if (rc != 0 || !o.cont)
			break;
		sleep(1);
	}
	netfmt_free(&fmt);
	buf_free(&file);
	buf_free(&out);
	return rc == -1 ? EX_OSERR : rc;
}
