/*
 * core/procnet.c and core/netnames.c: the /proc/net line parsers, the
 * address printer, the inode -> program map (over a fake /proc), the
 * sock_diag message, and the /etc name files, on fixed input.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netfmt.h"
#include "dns.h"
#include "netnames.h"
#include "procnet.h"
#include "tap.h"

static int
inet(const char *line, struct procnet_sock *s)
{
	return procnet_inet_line(line, strlen(line), s);
}

static const char *
ntop(int family, const unsigned char *a)
{
	static char	 buf[64];

	procnet_ntop(family, a, buf, sizeof(buf));
	return buf;
}

static void
t_inet(void)
{
	struct procnet_sock	 s;
	char			 line[512];

	ok(inet("  sl  local_address rem_address   st tx_queue rx_queue tr "
	    "tm->when retrnsmt   uid  timeout inode", &s) == -1,
	    "the header line is not a socket");
	is_int(inet("   0: 0100007F:0019 00000000:0000 0A 00000000:00000002 "
	    "00:00000000 00000000     0        0 12345 1 0000000000000000 100 "
	    "0 0 10 0", &s), 0, "a listening IPv4 line");
	is_int(s.family, AF_INET, "  family");
	is_str(ntop(AF_INET, s.laddr), "127.0.0.1", "  local address");
	is_int(s.lport, 25, "  local port");
	is_int(s.rport, 0, "  remote port");
	is_int(s.state, 10, "  state LISTEN");
	is_int(s.rxq, 2, "  rx queue");
	is_int(s.inode, 12345, "  inode");
	is_int(inet("   1: 0100007F:A019 0100007F:0019 01 000004D2:00000000 "
	    "01:00000014 00000000  1000        0 777 2", &s), 0,
	    "an established line");
	is_int(s.txq, 1234, "  tx queue");
	is_int(s.uid, 1000, "  uid");
	is_int(s.lport, 0xa019, "  port 0xA019");
	/* ::ffff:127.0.0.1 as the kernel prints it: host-order words */
	is_int(inet("   2: 0000000000000000FFFF00000100007F:09DD "
	    "0000000000000000FFFF00000100007F:A01B 01 00000000:00000000 "
	    "00:00000000 00000000     0        0 99 1", &s), 0,
	    "an IPv4-mapped IPv6 line");
	is_int(s.family, AF_INET6, "  family");
	is_str(ntop(AF_INET6, s.laddr), "::ffff:127.0.0.1", "  in dotted form");
	is_int(inet("   3: 00000000000000000000000001000000:0019 "
	    "00000000000000000000000000000000:0000 0A 00000000:00000000 "
	    "00:00000000 00000000     0        0 5 1", &s), 0, "::1 listening");
	is_str(ntop(AF_INET6, s.laddr), "::1", "  ::1");
	is_str(ntop(AF_INET6, s.raddr), "::", "  ::");
	ok(inet("   0: 0100007F:0019 00000000:0000 0A 00000000:00000000 "
	    "00:00000000 00000000     0        0", &s) == -1,
	    "a line cut before the inode is refused");
	ok(inet("   0: 0100007F:0019 00000000:0000 0A", &s) == -1,
	    "a line cut after the state is refused");
	ok(inet("   0: 0100007:0019 00000000:0000 0A 00000000:00000000 "
	    "00:00000000 00000000     0        0 1 1", &s) == -1,
	    "a 7-digit address is refused");
	ok(inet("   0: 0100007F:0019 00000000000000000000000000000000:0000 0A "
	    "00000000:00000000 00:00000000 00000000     0        0 1 1", &s)
	    == -1, "mixed address families are refused");
	ok(inet("   0: 0100007F:10019 00000000:0000 0A 00000000:00000000 "
	    "00:00000000 00000000     0        0 1 1", &s) == -1,
	    "a port over 65535 is refused");
	ok(inet("   0: 0100007F:0019 00000000:0000 0A 00000000:00000000 "
	    "00:00000000 00000000     0        0 99999999999999999999999 1",
	    &s) == -1, "an inode that overflows is refused");
	ok(inet("", &s) == -1, "an empty line is refused");
	memset(line, '7', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	ok(inet(line, &s) == -1, "a long line of digits is refused");
	/* a line is parsed within its length, not up to a NUL */
	strcpy(line, "   0: 0100007F:0019 00000000:0000 0A 00000000:00000000 "
	    "00:00000000 00000000     0        0 42 1");
	is_int(procnet_inet_line(line, strlen(line) - 3, &s), 0,
	    "a length that cuts the inode's last digit...");
	is_int(s.inode, 4, "  ...parses what is inside it");
}

static void
t_ntop(void)
{
	static const struct { unsigned char a[16]; const char *want; } c[] = {
		{ { 0 }, "::" },
		{ { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
		    "2001:db8::1" },
		{ { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 },
		    "2001:db8:0:1::1" },
		{ { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1 },
		    "2001:db8:1:0:1:1:1:1" },
		{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4 },
		    "::1.2.3.4" },
		{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1 },
		    "::ffff:10.0.0.1" },
		{ { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		    "fe80::" },
		{ { 0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3 },
		    "1:0:0:2::3" },
	};
	char	 small[6];
	size_t	 i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		is_str(ntop(AF_INET6, c[i].a), c[i].want, "ntop %s", c[i].want);
	procnet_ntop(AF_INET6, c[1].a, small, sizeof(small));
	is_str(small, "2001:", "ntop cuts to the buffer, NUL-terminated");
}

static void
t_unix(void)
{
	struct procnet_unix	 u;
	const char		*l;

	l = "0000000000000000: 00000002 00000000 00010000 0001 01 5566919 "
	    "/tmp/a b";
	is_int(procnet_unix_line(l, strlen(l), &u), 0, "a listening unix line");
	is_int(u.refcnt, 2, "  refcount");
	ok(u.flags & PROCNET_SO_ACCEPTCON, "  accepting");
	is_int(u.type, 1, "  stream");
	is_int(u.state, 1, "  unconnected");
	is_int(u.inode, 5566919, "  inode");
	is_int((int)u.pathlen, 6, "  the path stops at a blank, as net-tools");
	l = "0000000000000000: 00000003 00000000 00000000 0001 03 571";
	is_int(procnet_unix_line(l, strlen(l), &u), 0, "a line without a path");
	is_int((int)u.pathlen, 0, "  empty path");
	l = "0000000000000000: 00000003 00000000 00000000 0001 03 571 "
	    "@abstract\n";
	is_int(procnet_unix_line(l, strlen(l) - 1, &u), 0, "an abstract name");
	ok(u.pathlen == 9 && memcmp(u.path, "@abstract", 9) == 0, "  '@abstract'");
	l = "Num       RefCount Protocol Flags    Type St Inode Path";
	ok(procnet_unix_line(l, strlen(l), &u) == -1, "the header is refused");
	l = "0000000000000000: 00000003 00000000 00000000 0001";
	ok(procnet_unix_line(l, strlen(l), &u) == -1, "a cut line is refused");
}

static void
t_route_dev(void)
{
	struct procnet_route	 r;
	struct procnet_dev	 d;
	struct procnet_inet6	 a;
	const char		*l;

	l = "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0   ";
	is_int(procnet_route_line(l, strlen(l), &r), 0, "a default route");
	is_str(r.iface, "eth0", "  interface");
	is_str(ntop(AF_INET, r.gw), "192.0.2.1", "  gateway");
	is_int(r.flags, 3, "  flags UG (not clobbered by the mask)");
	l = "lo\t0000000A\t00000000\t0001\t1\t2\t50\t00FFFFFF\t1500\t3";
	is_int(procnet_route_line(l, strlen(l), &r), 0,
	    "a route without IRTT (10 fields, as net-tools accepts)");
	ok(r.metric == 50 && r.mtu == 1500 && r.window == 3 && r.irtt == 0,
	    "  metric, MTU, window");
	is_str(ntop(AF_INET, r.mask), "255.255.255.0", "  mask");
	l = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask";
	ok(procnet_route_line(l, strlen(l), &r) == -1, "the header is refused");
	l = "averyveryverylongname\t00000000\t00000000\t0001\t0\t0\t0\t"
	    "00000000\t0\t0\t0";
	ok(procnet_route_line(l, strlen(l), &r) == -1,
	    "an interface name over 15 bytes is refused");

	l = "    lo: 183005    2296    0    0    0     0          0         0"
	    "   183005    2296    1    2    3     4       5          6";
	is_int(procnet_dev_line(l, strlen(l), &d), 0, "a net/dev line");
	ok(strcmp(d.name, "lo") == 0 && d.rx_bytes == 183005 &&
	    d.rx_packets == 2296 && d.tx_errs == 1 && d.tx_colls == 4 &&
	    d.tx_compressed == 6, "  its fields");
	l = "  eth0: 1 2 3";
	ok(procnet_dev_line(l, strlen(l), &d) == -1, "a short line is refused");

	l = "fe8000000000000000fcfffffe000001 02 40 20 80     eth0";
	is_int(procnet_inet6_line(l, strlen(l), &a), 0, "an if_inet6 line");
	is_str(ntop(AF_INET6, a.addr), "fe80::fc:ffff:fe00:1", "  address");
	ok(a.plen == 64 && a.scope == 0x20 && strcmp(a.name, "eth0") == 0,
	    "  prefix, scope, name");
}

static void
t_progname(void)
{
	char	 out[PROCNET_PROG];

	procnet_progname("42", "/usr/sbin/sshd\0-D", 17, out, sizeof(out));
	is_str(out, "42/sshd", "an absolute path shows its base name");
	procnet_progname("7", "python3\0x.py", 12, out, sizeof(out));
	is_str(out, "7/python3", "a relative name shows whole");
	procnet_progname("9", "sshd: root@pts/0", 16, out, sizeof(out));
	is_str(out, "9/sshd: root@pts/0", "a rewritten title keeps its slashes");
	procnet_progname("12345", "/x/averyveryverylongprogram", 27, out,
	    sizeof(out));
	is_str(out, "12345/averyveryvery", "cut to 19 characters");
	procnet_progname("3", "", 0, out, sizeof(out));
	is_str(out, "3/", "an empty cmdline (a zombie)");
}

/* A fake /proc: two processes holding the same socket; the first wins. */
static void
t_owners(void)
{
	struct procnet_owners	 o;
	char			 root[] = "/tmp/t_procnet.XXXXXX", p[256];
	FILE			*f;

	if (mkdtemp(root) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(p, sizeof(p), "%s/100", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/100/fd", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/100/fd/3", root);
	symlink("socket:[555]", p);
	snprintf(p, sizeof(p), "%s/100/fd/4", root);
	symlink("/dev/null", p);
	snprintf(p, sizeof(p), "%s/100/fd/5", root);
	symlink("[0000]:777", p);
	snprintf(p, sizeof(p), "%s/100/fd/6", root);
	symlink("socket:[12x]", p);
	snprintf(p, sizeof(p), "%s/100/cmdline", root);
	if ((f = fopen(p, "w")) != NULL) {
		fwrite("/usr/sbin/mtad\0-d", 1, 17, f);
		fclose(f);
	}
	snprintf(p, sizeof(p), "%s/200", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/200/fd", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/200/fd/0", root);
	symlink("socket:[555]", p);
	snprintf(p, sizeof(p), "%s/200/fd/1", root);
	symlink("socket:[556]", p);
	snprintf(p, sizeof(p), "%s/200/cmdline", root);
	if ((f = fopen(p, "w")) != NULL) {
		fputs("other", f);
		fclose(f);
	}
	snprintf(p, sizeof(p), "%s/self", root);
	mkdir(p, 0755);

	is_int(procnet_owners_load(&o, root), 0, "a fake /proc is walked");
	is_str(procnet_owner(&o, 555), "100/mtad", "the lower PID keeps 555");
	is_str(procnet_owner(&o, 556), "200/other", "the other process's 556");
	is_str(procnet_owner(&o, 777), "100/mtad", "the old [0000]:N form");
	ok(procnet_owner(&o, 12) == NULL, "a malformed link is no socket");
	ok(procnet_owner(&o, 1) == NULL, "an unknown inode is NULL");
	ok(!o.denied, "nothing was denied");
	procnet_owners_free(&o);
	ok(procnet_owners_load(&o, "/nonexistent/proc") == -1,
	    "a missing root is an error");
	procnet_owners_free(&o);
	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	if (system(p) != 0)
		diag("could not remove the fake /proc");
}

static void
t_owners_many(void)
{
	struct procnet_owners	 o;
	char			 root[] = "/tmp/t_procnet.XXXXXX", p[256], l[32];
	int			 i, good = 1;

	if (mkdtemp(root) == NULL)
		return;
	snprintf(p, sizeof(p), "%s/1", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/1/fd", root);
	mkdir(p, 0755);
	for (i = 0; i < 3000; i++) {
		snprintf(p, sizeof(p), "%s/1/fd/%d", root, i);
		snprintf(l, sizeof(l), "socket:[%d]", 1000 + i * 7);
		symlink(l, p);
	}
	snprintf(p, sizeof(p), "%s/1/cmdline", root);
	close(open(p, O_WRONLY | O_CREAT, 0644));
	is_int(procnet_owners_load(&o, root), 0, "3000 sockets in one process");
	for (i = 0; i < 3000; i++)
		if (procnet_owner(&o, (unsigned long)(1000 + i * 7)) == NULL)
			good = 0;
	ok(good, "  every one found after the table grew");
	is_int((int)o.used, 3000, "  and counted once");
	procnet_owners_free(&o);
	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	if (system(p) != 0)
		diag("could not remove the fake /proc");
}

static void
t_diag(void)
{
	unsigned char		 m[72];
	struct procnet_sock	 s;

	memset(m, 0, sizeof(m));
	m[0] = AF_INET;
	m[1] = 10;			/* LISTEN */
	m[4] = 0;
	m[5] = 25;
	m[8] = 127;
	m[11] = 1;
	m[56] = 3;			/* rqueue */
	m[60] = 128;			/* wqueue: the backlog, for a listener */
	m[64] = 0xe8;
	m[65] = 3;			/* uid 1000 */
	m[68] = 0x39;
	m[69] = 0x30;			/* inode 12345 */
	is_int(procnet_diag_msg(m, sizeof(m), &s), 0, "an inet_diag message");
	ok(s.lport == 25 && s.state == 10 && s.rxq == 3 && s.uid == 1000 &&
	    s.inode == 12345, "  its fields");
	is_int(s.txq, 0, "  a listener's Send-Q is 0, as net/tcp shows it");
	is_str(ntop(AF_INET, s.laddr), "127.0.0.1", "  address");
	ok(procnet_diag_msg(m, 71, &s) == -1, "a short message is refused");
	m[0] = 99;
	ok(procnet_diag_msg(m, sizeof(m), &s) == -1, "another family is refused");
}

static void
t_names(void)
{
	const char	*name, *l;
	size_t		 n;
	unsigned long	 v;
	int		 proto;
	char		 dir[] = "/tmp/t_netnames.XXXXXX", svc[128], prt[128];
	struct netnames	 nn;
	FILE		*f;

	l = "smtp\t\t25/tcp\t\tmail # comment";
	ok(netnames_service_line(l, strlen(l), &name, &n, &v, &proto) == 1 &&
	    n == 4 && memcmp(name, "smtp", 4) == 0 && v == 25 &&
	    proto == NETNAMES_TCP, "a services line");
	l = "# smtp 25/tcp";
	ok(netnames_service_line(l, strlen(l), &name, &n, &v, &proto) == 0,
	    "a comment is no entry");
	l = "x 70000/tcp";
	ok(netnames_service_line(l, strlen(l), &name, &n, &v, &proto) == 0,
	    "a port over 65535 is no entry");
	l = "x 25/sctp";
	ok(netnames_service_line(l, strlen(l), &name, &n, &v, &proto) == 0,
	    "sctp is not shown by netstat");
	l = "loopback\t127.0.0.0";
	ok(netnames_number_line(l, strlen(l), &name, &n, &v, 1) == 1 &&
	    v == 0x7f000000UL, "a networks line");
	l = "net10 10";
	ok(netnames_number_line(l, strlen(l), &name, &n, &v, 1) == 1 && v == 10,
	    "a one-part network number, as inet_network(3)");
	l = "bad 1.2.3.4.5";
	ok(netnames_number_line(l, strlen(l), &name, &n, &v, 1) == 0,
	    "five parts are refused");

	if (mkdtemp(dir) == NULL)
		return;
	snprintf(svc, sizeof(svc), "%s/services", dir);
	snprintf(prt, sizeof(prt), "%s/protocols", dir);
	if ((f = fopen(svc, "w")) != NULL) {
		fputs("first 1000/tcp\nsecond 1000/tcp\nudpname 1000/udp\n"
		    "rawsvc 1/raw\n", f);
		fclose(f);
	}
	if ((f = fopen(prt, "w")) != NULL) {
		fputs("icmp 1 ICMP\nipv6-icmp 58 IPv6-ICMP\n", f);
		fclose(f);
	}
	netnames_init(&nn);
	is_int(netnames_load_services(&nn, svc, prt), 0, "services loaded");
	is_str(netnames_port(&nn, 1000, NETNAMES_TCP), "second",
	    "the last entry of a port wins, as net-tools' list");
	is_str(netnames_port(&nn, 1000, NETNAMES_UDP), "udpname", "by protocol");
	is_str(netnames_port(&nn, 1, NETNAMES_RAW), "icmp",
	    "a raw port is a protocol name first");
	ok(netnames_port(&nn, 1001, NETNAMES_TCP) == NULL, "an unknown port");
	netnames_free(&nn);

	if ((f = fopen(svc, "w")) != NULL) {
		fputs("# hosts\n127.0.0.1 localhost lh\n127.0.0.1 second\n"
		    "::1 ip6-localhost\n", f);
		fclose(f);
	}
	{
		unsigned char	 a4[16] = { 127, 0, 0, 1 }, a6[16] = { 0 };
		unsigned char	 m6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				     0xff, 0xff, 127, 0, 0, 1 };
		char		 h[256];

		a6[15] = 1;
		ok(netnames_hosts(svc, AF_INET, a4, h, sizeof(h)) == 0 &&
		    strcmp(h, "localhost") == 0, "hosts: the first line's name");
		ok(netnames_hosts(svc, AF_INET6, a6, h, sizeof(h)) == 0 &&
		    strcmp(h, "ip6-localhost") == 0, "hosts: an IPv6 line");
		ok(netnames_hosts(svc, AF_INET6, m6, h, sizeof(h)) == -1,
		    "hosts: a mapped address matches no IPv4 line, as glibc");
		dns_ptr_name(AF_INET6, m6, h, sizeof(h));
		is_str(h, "1.0.0.127.in-addr.arpa", "PTR name of a mapped address");
		dns_ptr_name(AF_INET6, a6, h, sizeof(h));
		is_str(h, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
		    "0.0.0.0.0.ip6.arpa", "PTR name of ::1");
	}
	unlink(svc);
	unlink(prt);
	rmdir(dir);
}

static void
t_ptr_answer(void)
{
	/* id, flags, 1 question, 1 answer; 1.0.0.127.in-addr.arpa PTR
	   localhost */
	static const unsigned char r[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
		1, '1', 1, '0', 1, '0', 3, '1', '2', '7', 7, 'i', 'n', '-',
		'a', 'd', 'd', 'r', 4, 'a', 'r', 'p', 'a', 0, 0, 12, 0, 1,
		0xc0, 12, 0, 12, 0, 1, 0, 0, 0, 60, 0, 11,
		9, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't', 0 };
	char	 name[256], why[256];
	const char *q = "1.0.0.127.in-addr.arpa";

	ok(dns_parse_ptr(r, sizeof(r), q, name, sizeof(name), why,
	    sizeof(why)) == DNS_OK && strcmp(name, "localhost") == 0,
	    "a PTR answer");
	ok(dns_parse_ptr(r, sizeof(r) - 5, q, name, sizeof(name), why,
	    sizeof(why)) == DNS_TEMP, "a truncated PTR answer is refused");
	ok(dns_parse_ptr(r, 11, q, name, sizeof(name), why, sizeof(why)) ==
	    DNS_TEMP, "a reply shorter than its header is refused");
}

/* One netfmt line into a fresh buffer. */
static struct buf	 fb;
static struct netfmt	 nf;

static const char *
fmt_reset(int numeric, int wide, int ext)
{
	buf_reset(&fb);
	nf.numeric = numeric;
	nf.wide = wide;
	nf.ext = ext;
	return buf_str(&fb);
}

static void
t_netfmt(void)
{
	struct procnet_sock	 s;
	struct procnet_unix	 u;
	struct procnet_route	 r;
	struct procnet_iface	 k;
	struct procnet_dev	 d;
	const char		*l;
	int			 all = NETFMT_NUM_HOST | NETFMT_NUM_PORT |
				     NETFMT_NUM_USER;

	buf_init(&fb, 0);
	netfmt_init(&nf, &fb);
	inet("   0: 0100007F:0019 00000000:0000 0A 00000000:00000000 "
	    "00:00000000 00000000     0        0 12345 1", &s);
	fmt_reset(all, 0, 0);
	netfmt_inet(&nf, &s, NETFMT_TCP, "tcp");
	is_str(buf_str(&fb), "tcp        0      0 127.0.0.1:25            "
	    "0.0.0.0:*               LISTEN     \n", "a tcp line, -n");
	fmt_reset(all, 0, 1);
	netfmt_inet(&nf, &s, NETFMT_TCP, "tcp");
	is_str(buf_str(&fb), "tcp        0      0 127.0.0.1:25            "
	    "0.0.0.0:*               LISTEN      0          12345     \n",
	    "with -e: uid and inode");
	s.state = 7;
	s.rxq = 1234567;
	fmt_reset(all, 0, 0);
	netfmt_inet(&nf, &s, NETFMT_UDP, "udp6");
	is_str(buf_str(&fb), "udp6  1234567      0 127.0.0.1:25            "
	    "0.0.0.0:*                          \n",
	    "a udp line: 5-wide protocol, blank state, a wide queue");

	inet("   1: B80D0120222211114444333366665555:FFFF "
	    "00000000000000000000000000000000:0000 01 00000000:00000000 "
	    "00:00000000 00000000     0        0 1 1", &s);
	fmt_reset(all, 0, 0);
	netfmt_inet(&nf, &s, NETFMT_TCP, "tcp6");
	is_str(buf_str(&fb), "tcp6       0      0 2001:db8:1111:222:65535 "
	    ":::*                    ESTABLISHED\n",
	    "an address cut to 22 columns for its port, as net-tools");
	fmt_reset(all, 1, 0);
	netfmt_inet(&nf, &s, NETFMT_TCP, "tcp6");
	ok(strstr(buf_str(&fb), " 2001:db8:1111:2222:3333:4444:5555:6666:65535 "
	    ":::*") != NULL, "not cut with -W");

	l = "0000000000000000: 00000002 00000000 00010000 0001 01 5566919 "
	    "/run/x.sock";
	procnet_unix_line(l, strlen(l), &u);
	fmt_reset(all, 0, 0);
	netfmt_unix(&nf, &u);
	is_str(buf_str(&fb), "unix  2      [ ACC ]     STREAM     LISTENING"
	    "     5566919  /run/x.sock\n", "a unix line");

	l = "lo\t0000630A\t00000000\t0201\t0\t0\t0\t00FFFFFF\t0\t0\t0";
	procnet_route_line(l, strlen(l), &r);
	fmt_reset(all, 0, 0);
	netfmt_route(&nf, &r, 2);
	is_str(buf_str(&fb), "10.99.0.0       -               255.255.255.0   "
	    "!         - -          - -\n", "a reject route, -rn");
	l = "eth0\t00000000\t010200C0\t0003\t0\t0\t7\t00000000\t0\t0\t0";
	procnet_route_line(l, strlen(l), &r);
	fmt_reset(all, 0, 0);
	netfmt_route(&nf, &r, 1);
	is_str(buf_str(&fb), "0.0.0.0         192.0.2.1       0.0.0.0         "
	    "UG    7      0        0 eth0\n", "a gateway route, -rne");

	memset(&k, 0, sizeof(k));
	k.flags = 0x49;			/* UP, LOOPBACK, RUNNING */
	k.mtu = 65536;
	k.hwtype = 772;
	k.txqlen = 1000;
	k.has_ip = 1;
	k.addr[0] = 127;
	k.addr[3] = 1;
	k.netmask[0] = 255;
	l = "    lo: 183005    2296    0    0    0     0          0         0"
	    "   22602694    2296    0    0    0     0       0          0";
	procnet_dev_line(l, strlen(l), &d);
	fmt_reset(all, 0, 0);
	netfmt_iface_short(&nf, "lo", &d, &k);
	is_str(buf_str(&fb), "lo              65536     2296      0      0 0  "
	    "        2296      0      0      0 LRU\n", "an -i line");
	fmt_reset(all, 0, 1);
	netfmt_iface_long(&nf, "lo", &d, &k, NULL, 0);
	is_str(buf_str(&fb), "lo: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536\n"
	    "        inet 127.0.0.1  netmask 255.0.0.0\n"
	    "        loop  txqueuelen 1000  (Local Loopback)\n"
	    "        RX packets 2296  bytes 183005 (178.7 KiB)\n"
	    "        RX errors 0  dropped 0  overruns 0  frame 0\n"
	    "        TX packets 2296  bytes 22602694 (21.5 MiB)\n"
	    "        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0\n"
	    "\n", "an -ie block");
	k.flags = 0;
	fmt_reset(all, 0, 1);
	netfmt_iface_short(&nf, "x", NULL, &k);
	ok(strstr(buf_str(&fb), "- no statistics available -") != NULL &&
	    strstr(buf_str(&fb), "[NO FLAGS]") != NULL,
	    "no statistics and no flags, as net-tools says it");
	ok(!nf.err && !buf_failed(&fb), "no error on the way");
	netfmt_free(&nf);
	buf_free(&fb);
}

int
main(void)
{
	t_inet();
	t_ntop();
	t_unix();
	t_route_dev();
	t_progname();
	t_owners();
	t_owners_many();
	t_diag();
	t_names();
	t_ptr_answer();
	t_netfmt();
	return done_testing();
}
