/*
 * core/dns.c: the reply parsers on crafted replies (order, shuffle,
 * null MX, CNAME chains, every malformation a reply can have), then
 * the lookups against a fake server on 127.0.0.1 (TCP after a
 * truncated reply, SERVFAIL, timeouts, a spoofed id).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns.h"
#include "tap.h"
#include "fakedns.h"

static struct pkt	 P;
static struct dns_mx	 mx[LIM_DNS_MX];
static char		 why[LIM_ERR];

/* A reply's header and question: NOERROR, qd 1, an records to come. */
static void
reply(unsigned flags, const char *qname, int qtype, unsigned an)
{
	put_header(&P, 0x1234, flags, 1, an, 0, 0);
	put_name(&P, qname);
	put16(&P, (unsigned)qtype);
	put16(&P, ns_c_in);
}

static enum dns_status
parse_mx(const char *qname, int *n)
{
	return dns_parse_mx(P.b, P.n, qname, mx, LIM_DNS_MX, n, why,
	    sizeof(why));
}

/* The MX list as "10 a 20 b". */
static const char *
mxs(int n)
{
	static char	 s[4096];
	size_t		 o = 0;

	s[0] = '\0';
	for (int i = 0; i < n && o < sizeof(s) - 300; i++)
		o += (size_t)snprintf(s + o, sizeof(s) - o, "%s%u %s",
		    i ? " " : "", mx[i].pref, mx[i].name);
	return s;
}

static void
t_order(void)
{
	int	 n, seen_ab = 0, seen_ba = 0, bad = 0;

	reply(0x8180, "example.test", ns_t_mx, 4);
	put_rr(&P, "example.test", ns_t_mx, "20 mx2.example.test");
	put_rr(&P, "example.test", ns_t_mx, "10 MX1.Example.Test.");
	put_rr(&P, "example.test", ns_t_mx, "30 mx3.example.test");
	put_rr(&P, "example.test", ns_t_mx, "15 mx1.example.test");
	is_int(parse_mx("example.test", &n), DNS_OK, "MX: DNS_OK");
	is_str(mxs(n), "10 mx1.example.test 20 mx2.example.test "
	    "30 mx3.example.test", "sorted by preference, lower case, no "
	    "trailing dot, a target twice kept once with its best preference");
	is_int(parse_mx("EXAMPLE.test.", &n), DNS_OK,
	    "the question matches whatever the case and a trailing dot");

	reply(0x8180, "eq.test", ns_t_mx, 3);
	put_rr(&P, "eq.test", ns_t_mx, "10 a.eq.test");
	put_rr(&P, "eq.test", ns_t_mx, "10 b.eq.test");
	put_rr(&P, "eq.test", ns_t_mx, "5 first.eq.test");
	for (int i = 0; i < 200; i++) {
		if (parse_mx("eq.test", &n) != DNS_OK || n != 3 ||
		    strcmp(mx[0].name, "first.eq.test") != 0)
			bad++;
		else if (strcmp(mx[1].name, "a.eq.test") == 0)
			seen_ab++;
		else
			seen_ba++;
	}
	is_int(bad, 0, "200 runs: the better preference always first");
	ok(seen_ab > 0 && seen_ba > 0, "equal preferences in both orders "
	    "(%d a-b, %d b-a)", seen_ab, seen_ba);

	/* more than LIM_DNS_MX records: the best ones are kept */
	reply(0x8180, "many.test", ns_t_mx, 120);
	for (int i = 120; i >= 1; i--) {
		char	 d[64];

		snprintf(d, sizeof(d), "%d h%d.many.test", i, i);
		put_rr(&P, "many.test", ns_t_mx, d);
	}
	is_int(parse_mx("many.test", &n), DNS_OK, "120 MX records parse");
	ok(n == LIM_DNS_MX && mx[0].pref == 1 &&
	    mx[n - 1].pref == LIM_DNS_MX, "the best %d kept (%u..%u)",
	    LIM_DNS_MX, mx[0].pref, mx[n - 1].pref);
}

static void
t_outcomes(void)
{
	int	 n;

	reply(0x8180, "nullmx.test", ns_t_mx, 1);
	put_rr(&P, "nullmx.test", ns_t_mx, "0 .");
	is_int(parse_mx("nullmx.test", &n), DNS_NULLMX, "MX 0 .: null MX");
	ok(strstr(why, "null MX") != NULL, "why: %s", why);

	reply(0x8180, "mixed.test", ns_t_mx, 2);
	put_rr(&P, "mixed.test", ns_t_mx, "0 .");
	put_rr(&P, "mixed.test", ns_t_mx, "10 mx.mixed.test");
	is_int(parse_mx("mixed.test", &n), DNS_OK, "a . among others: OK");
	is_str(mxs(n), "10 mx.mixed.test", "and the . is ignored");

	reply(0x8180, "nodata.test", ns_t_mx, 0);
	is_int(parse_mx("nodata.test", &n), DNS_NODATA, "no answer: NODATA");

	reply(0x8180, "owner.test", ns_t_mx, 2);
	put_rr(&P, "evil.test", ns_t_mx, "10 mx.evil.test");
	put_rr(&P, "owner.test", ns_t_a, "192.0.2.1");
	is_int(parse_mx("owner.test", &n), DNS_NODATA,
	    "an MX of another owner, an A of this one: NODATA");

	reply(0x8183, "nx.test", ns_t_mx, 0);
	is_int(parse_mx("nx.test", &n), DNS_NXDOMAIN, "rcode 3: NXDOMAIN");

	reply(0x8182, "sf.test", ns_t_mx, 0);
	is_int(parse_mx("sf.test", &n), DNS_TEMP, "rcode 2: TEMP");
	is_str(why, "SERVFAIL", "why: SERVFAIL");
	reply(0x8185, "sf.test", ns_t_mx, 0);
	is_int(parse_mx("sf.test", &n), DNS_TEMP, "rcode 5: TEMP");

	reply(0x8380, "tc.test", ns_t_mx, 1);
	put_rr(&P, "tc.test", ns_t_mx, "10 mx.tc.test");
	is_int(parse_mx("tc.test", &n), DNS_TEMP,
	    "TC set: TEMP, even with records (they may be cut)");
	is_str(why, "malformed reply: truncated", "why: truncated");

	reply(0x8180, "bad.test", ns_t_mx, 1);
	put_rr(&P, "bad.test", ns_t_mx, "10 bad\\032name.test");
	is_int(parse_mx("bad.test", &n), DNS_TEMP,
	    "only a target that is no host name: TEMP");
}

static void
t_cname(void)
{
	char	 a[32], b[32];
	int	 n;

	reply(0x8180, "alias.test", ns_t_mx, 4);
	put_rr(&P, "alias.test", ns_t_cname, "c1.test");
	put_rr(&P, "c1.test", ns_t_cname, "real.test");
	put_rr(&P, "alias.test", ns_t_mx, "1 wrong.test");
	put_rr(&P, "real.test", ns_t_mx, "10 mx.real.test");
	set16(&P, 6, 4);
	is_int(parse_mx("alias.test", &n), DNS_OK, "a CNAME chain followed");
	is_str(mxs(n), "1 wrong.test", "records of the name asked win over "
	    "its CNAME (the owner is the current name)");

	reply(0x8180, "alias.test", ns_t_mx, 3);
	put_rr(&P, "real.test", ns_t_mx, "10 mx.real.test");
	put_rr(&P, "c1.test", ns_t_cname, "real.test");
	put_rr(&P, "alias.test", ns_t_cname, "c1.test");
	is_int(parse_mx("alias.test", &n), DNS_OK, "a chain in any order");
	is_str(mxs(n), "10 mx.real.test", "the chain's end's MX");

	reply(0x8180, "loop.test", ns_t_mx, 2);
	put_rr(&P, "loop.test", ns_t_cname, "loop2.test");
	put_rr(&P, "loop2.test", ns_t_cname, "loop.test");
	is_int(parse_mx("loop.test", &n), DNS_TEMP, "a CNAME loop: TEMP");
	ok(strstr(why, "CNAME") != NULL, "why: %s", why);

	/* LIM_DNS_CNAME links are followed, one more is not */
	for (int links = LIM_DNS_CNAME; links <= LIM_DNS_CNAME + 1; links++) {
		reply(0x8180, "c0.test", ns_t_mx, (unsigned)links + 1);
		for (int i = 0; i < links; i++) {
			snprintf(a, sizeof(a), "c%d.test", i);
			snprintf(b, sizeof(b), "c%d.test", i + 1);
			put_rr(&P, a, ns_t_cname, b);
		}
		put_rr(&P, b, ns_t_mx, "10 end.test");
		is_int(parse_mx("c0.test", &n), links == LIM_DNS_CNAME ?
		    DNS_OK : DNS_TEMP, "a chain of %d CNAMEs: %s", links,
		    links == LIM_DNS_CNAME ? "followed" : "too long");
	}

	reply(0x8180, "dangling.test", ns_t_mx, 1);
	put_rr(&P, "dangling.test", ns_t_cname, "target.test");
	is_int(parse_mx("dangling.test", &n), DNS_NODATA,
	    "a CNAME whose target has no MX: NODATA");
}

/* A good MX reply with a compression pointer, truncated at every byte:
   never OK, never a crash (ASan watches the reads). */
static void
t_truncated(void)
{
	unsigned char	*copy;
	size_t		 full, k;
	int		 n, okays = 0, temps = 0;

	reply(0x8180, "cut.test", ns_t_mx, 2);
	put_rr(&P, "cut.test", ns_t_mx, "10 mx1.cut.test");
	{
		size_t	 at = rr_begin(&P, "cut.test", ns_t_mx);

		put16(&P, 20);
		P.b[P.n++] = 3;
		memcpy(P.b + P.n, "mx2", 3);
		P.n += 3;
		put16(&P, 0xc000 | 12);	/* -> cut.test in the question */
		rr_end(&P, at);
	}
	full = P.n;
	is_int(parse_mx("cut.test", &n), DNS_OK, "the whole reply parses");
	is_str(mxs(n), "10 mx1.cut.test 20 mx2.cut.test",
	    "with the compressed name");
	for (k = 0; k < full; k++) {
		/* a buffer of exactly k bytes, so a read past it is seen */
		copy = malloc(k ? k : 1);
		memcpy(copy, P.b, k);
		if (dns_parse_mx(copy, k, "cut.test", mx, LIM_DNS_MX, &n, why,
		    sizeof(why)) == DNS_OK)
			okays++;
		else
			temps++;
		free(copy);
	}
	is_int(okays, 0, "cut at each of its %zu bytes: never OK", full);
	is_int(temps, (long long)full, "but TEMP (malformed)");
	P.n = full;
	P.b[P.n++] = 0;
	is_int(parse_mx("cut.test", &n), DNS_TEMP, "a byte past its records: "
	    "TEMP");
	is_int(dns_parse_mx(P.b, 0, "x.test", mx, 1, &n, why, sizeof(why)),
	    DNS_TEMP, "0 bytes: TEMP");
	ok(strncmp(why, "malformed reply:", 16) == 0, "why: %s", why);
}

static void
t_malformed(void)
{
	size_t	 at;
	int	 n;

	/* a compression pointer to itself */
	reply(0x8180, "ptr.test", ns_t_mx, 1);
	at = rr_begin(&P, "ptr.test", ns_t_mx);
	put16(&P, 10);
	put16(&P, 0xc000 | (unsigned)P.n);
	rr_end(&P, at);
	is_int(parse_mx("ptr.test", &n), DNS_TEMP, "a compression loop");

	/* a pointer past the end */
	reply(0x8180, "ptr.test", ns_t_mx, 1);
	at = rr_begin(&P, "ptr.test", ns_t_mx);
	put16(&P, 10);
	put16(&P, 0xc000 | 0x3ff);
	rr_end(&P, at);
	is_int(parse_mx("ptr.test", &n), DNS_TEMP, "a pointer past the end");

	/* an rdlength past the end */
	reply(0x8180, "rd.test", ns_t_mx, 1);
	at = rr_begin(&P, "rd.test", ns_t_mx);
	put16(&P, 10);
	put_name(&P, "mx.rd.test");
	set16(&P, at, 200);
	is_int(parse_mx("rd.test", &n), DNS_TEMP, "rdlength past the end");

	/* an MX whose name ends before its rdata does */
	reply(0x8180, "rd.test", ns_t_mx, 1);
	at = rr_begin(&P, "rd.test", ns_t_mx);
	put16(&P, 10);
	put_name(&P, "mx.rd.test");
	P.b[P.n++] = 0;
	rr_end(&P, at);
	is_int(parse_mx("rd.test", &n), DNS_TEMP, "rdata longer than the MX");

	/* an MX whose name goes on past its rdlength */
	reply(0x8180, "rd.test", ns_t_mx, 2);
	at = rr_begin(&P, "rd.test", ns_t_mx);
	put16(&P, 10);
	put_name(&P, "mx.rd.test");
	rr_end(&P, at);
	set16(&P, at, 5);
	put_rr(&P, "rd.test", ns_t_a, "192.0.2.1");
	is_int(parse_mx("rd.test", &n), DNS_TEMP,
	    "an MX name past its rdlength");

	/* an MX of 0 bytes, the reply's last: its preference is not
	   read from past the end (found by f_dns) */
	{
		unsigned char	*copy;

		reply(0x8180, "rd.test", ns_t_mx, 1);
		at = rr_begin(&P, "rd.test", ns_t_mx);
		rr_end(&P, at);
		copy = malloc(P.n);
		memcpy(copy, P.b, P.n);
		is_int(dns_parse_mx(copy, P.n, "rd.test", mx, LIM_DNS_MX, &n,
		    why, sizeof(why)), DNS_TEMP, "an MX of 0 bytes at the end");
		free(copy);
	}

	/* an MX of 2 bytes */
	reply(0x8180, "rd.test", ns_t_mx, 1);
	at = rr_begin(&P, "rd.test", ns_t_mx);
	put16(&P, 10);
	rr_end(&P, at);
	is_int(parse_mx("rd.test", &n), DNS_TEMP, "an MX with no name");

	reply(0x8180, "q.test", ns_t_mx, 0);
	is_int(parse_mx("other.test", &n), DNS_TEMP, "another question");
	reply(0x8180, "q.test", ns_t_a, 0);
	is_int(parse_mx("q.test", &n), DNS_TEMP, "another type");
	reply(0x0180, "q.test", ns_t_mx, 0);
	is_int(parse_mx("q.test", &n), DNS_TEMP, "QR not set");
	reply(0x8180, "q.test", ns_t_mx, 0);
	set16(&P, 4, 0);
	P.n = 12;
	is_int(parse_mx("q.test", &n), DNS_TEMP, "no question");
	reply(0x8180, "q.test", ns_t_mx, 0);
	set16(&P, 4, 2);
	is_int(parse_mx("q.test", &n), DNS_TEMP, "two questions claimed");
	reply(0x8180, "q.test", ns_t_mx, 5);
	is_int(parse_mx("q.test", &n), DNS_TEMP, "5 answers claimed, none");
}

static void
t_addrs(void)
{
	struct dns_addr	 a[LIM_ROUTE_ADDRS];
	char		 s[64];
	size_t		 at;
	int		 n = 0;

	reply(0x8180, "h.test", ns_t_aaaa, 2);
	put_rr(&P, "h.test", ns_t_aaaa, "2001:db8::1");
	put_rr(&P, "h.test", ns_t_a, "192.0.2.9");
	is_int(dns_parse_addrs(P.b, P.n, "h.test", ns_t_aaaa, a, 8, &n, why,
	    sizeof(why)), DNS_OK, "AAAA: OK");
	is_int(n, 1, "one address (the A of the AAAA answer is not one)");
	inet_ntop(AF_INET6, a[0].a, s, sizeof(s));
	is_str(s, "2001:db8::1", "the AAAA");

	reply(0x8180, "h.test", ns_t_a, 10);
	for (int i = 0; i < 10; i++) {
		snprintf(s, sizeof(s), "192.0.2.%d", i + 1);
		put_rr(&P, "h.test", ns_t_a, s);
	}
	is_int(dns_parse_addrs(P.b, P.n, "h.test", ns_t_a, a, 8, &n, why,
	    sizeof(why)), DNS_OK, "A appended");
	is_int(n, 8, "up to max: the AAAA and 7 A");
	ok(a[1].family == AF_INET && a[1].a[3] == 1 && a[7].a[3] == 7,
	    "in order");

	reply(0x8180, "h.test", ns_t_a, 1);
	at = rr_begin(&P, "h.test", ns_t_a);
	put32(&P, 0xc0000201);
	P.b[P.n++] = 0;
	rr_end(&P, at);
	n = 0;
	is_int(dns_parse_addrs(P.b, P.n, "h.test", ns_t_a, a, 8, &n, why,
	    sizeof(why)), DNS_TEMP, "an A of 5 bytes: malformed");

	ok(dns_ip_literal("192.0.2.1", &a[0]) && a[0].family == AF_INET,
	    "192.0.2.1 is a literal");
	ok(dns_ip_literal("2001:db8::1", &a[0]) && a[0].family == AF_INET6,
	    "2001:db8::1 is a literal");
	ok(!dns_ip_literal("mx.test", &a[0]), "mx.test is not");
	ok(dns_valid_name("a-b.c_d.test") && !dns_valid_name("a..b") &&
	    !dns_valid_name("") && !dns_valid_name("a b") &&
	    !dns_valid_name(".a"), "dns_valid_name");
}

/* The lookups, against the fake server. */
static const struct fake_rr zone[] = {
	{ "example.test", ns_t_mx, "20 mx2.example.test" },
	{ "example.test", ns_t_mx, "10 mx1.example.test" },
	{ "mx1.example.test", ns_t_a, "192.0.2.1" },
	{ "mx1.example.test", ns_t_aaaa, "2001:db8::1" },
	{ "tc.test", ns_t_mx, "10 mx.tc.test" },
	{ "tc.test", FAKE_TC, "" },
	{ "tcpfail.test", ns_t_mx, "10 mx.tcpfail.test" },
	{ "tcpfail.test", FAKE_TCPFAIL, "" },
	{ "fail.test", FAKE_SERVFAIL, "" },
	{ "drop.test", FAKE_DROP, "" },
	{ "spoof.test", ns_t_mx, "10 mx.spoof.test" },
	{ "spoof.test", FAKE_SPOOF, "" },
	{ "nomx.test", ns_t_a, "192.0.2.3" },
	{ "half.test", ns_t_a, "192.0.2.4" },
	{ "half.test", FAKE_SERVFAIL6, "" },
	{ "half6.test", FAKE_SERVFAIL6, "" },
	{ "half6.test", FAKE_EXISTS, "" },
	{ "big.test", 0, "" },	/* the end: 30 MX records follow */
	{ NULL, 0, NULL }
};

static char	 bigmx[40][128];
static struct fake_rr bigzone[64];

static void
t_lookups(void)
{
	struct dns_addr	 a[LIM_ROUTE_ADDRS];
	char		 path[64], s[64];
	pid_t		 pid;
	int		 n, i;

	/* 30 MX records with long names: past 512 bytes, so TCP */
	for (i = 0; strcmp(zone[i].name, "big.test") != 0; i++)
		bigzone[i] = zone[i];
	for (int k = 0; k < 30; k++) {
		snprintf(bigmx[k], sizeof(bigmx[k]), "%d a-rather-long-host-"
		    "name-for-the-test-number-%02d.big.test", k + 1, k);
		bigzone[i].name = "big.test";
		bigzone[i].type = ns_t_mx;
		bigzone[i++].data = bigmx[k];
	}
	bigzone[i].name = NULL;
	snprintf(path, sizeof(path), "/tmp/t_dns.%ld.conf", (long)getpid());
	pid = fake_start(bigzone, path);

	is_int(dns_mx("example.test", mx, LIM_DNS_MX, &n, why, sizeof(why)),
	    DNS_OK, "dns_mx over UDP");
	is_str(mxs(n), "10 mx1.example.test 20 mx2.example.test", "in order");
	is_int(dns_mx("big.test", mx, LIM_DNS_MX, &n, why, sizeof(why)),
	    DNS_OK, "a reply too big for UDP: asked again over TCP");
	ok(n == 30 && mx[0].pref == 1 && mx[29].pref == 30,
	    "all 30 MX records (%d)", n);
	is_int(dns_mx("tc.test", mx, LIM_DNS_MX, &n, why, sizeof(why)),
	    DNS_OK, "TC on a small reply: TCP too");
	is_int(dns_mx("tcpfail.test", mx, LIM_DNS_MX, &n, why, sizeof(why)),
	    DNS_TEMP, "TC, then TCP closed: TEMP");
	ok(strstr(why, "TCP") != NULL, "why: %s", why);
	is_int(dns_mx("fail.test", mx, LIM_DNS_MX, &n, why, sizeof(why)),
	    DNS_TEMP, "SERVFAIL: TEMP");
	is_str(why, "SERVFAIL from 127.0.0.1", "why names the server");
	is_int(dns_mx("drop.test", mx, LIM_DNS_MX, &n, why, sizeof(why)),
	    DNS_TEMP, "no answer: TEMP");
	is_str(why, "timed out asking 127.0.0.1", "why: timed out");
	is_int(dns_mx("spoof.test", mx, LIM_DNS_MX, &n, why, sizeof(why)),
	    DNS_OK, "a reply with a wrong id is ignored, the right one taken");
	is_int(dns_mx("nowhere.test", mx, LIM_DNS_MX, &n, why, sizeof(why)),
	    DNS_NXDOMAIN, "NXDOMAIN");
	is_int(dns_mx("nomx.test", mx, LIM_DNS_MX, &n, why, sizeof(why)),
	    DNS_NODATA, "NODATA");
	is_int(dns_mx("bad name.test", mx, LIM_DNS_MX, &n, why, sizeof(why)),
	    DNS_NXDOMAIN, "not a domain name: NXDOMAIN, nothing asked");

	is_int(dns_addrs("mx1.example.test", a, 8, &n, why, sizeof(why)),
	    DNS_OK, "dns_addrs");
	is_int(n, 2, "two addresses");
	inet_ntop(a[0].family, a[0].a, s, sizeof(s));
	is_str(s, "2001:db8::1", "the AAAA first");
	inet_ntop(a[1].family, a[1].a, s, sizeof(s));
	is_str(s, "192.0.2.1", "then the A");
	is_int(dns_addrs("half.test", a, 8, &n, why, sizeof(why)), DNS_OK,
	    "AAAA SERVFAIL, A found: OK");
	is_int(n, 1, "with the A");
	is_int(dns_addrs("half6.test", a, 8, &n, why, sizeof(why)), DNS_TEMP,
	    "AAAA SERVFAIL, no A: TEMP");
	is_int(dns_addrs("nowhere.test", a, 8, &n, why, sizeof(why)),
	    DNS_NXDOMAIN, "no such host: NXDOMAIN");
	is_str(why, "host nowhere.test not found", "why: host not found");
	is_int(dns_addrs("example.test", a, 8, &n, why, sizeof(why)),
	    DNS_NODATA, "a name without addresses: NODATA");
	is_int(dns_addrs("[::1]", a, 8, &n, why, sizeof(why)), DNS_NXDOMAIN,
	    "brackets are not a host name");
	is_int(dns_addrs("2001:db8::5", a, 8, &n, why, sizeof(why)), DNS_OK,
	    "an IPv6 literal");
	ok(n == 1 && a[0].family == AF_INET6 && a[0].a[15] == 5,
	    "returned as is");
	fake_stop(pid, path);

	/* no server at all: connection refused on the port */
	dns_resolv_conf = "/nonexistent/resolv.conf";
	is_int(dns_mx("example.test", mx, LIM_DNS_MX, &n, why, sizeof(why)),
	    DNS_TEMP, "no resolv.conf: 127.0.0.1, where nothing answers now");
	diag(why);
}

int
main(void)
{
	t_order();
	t_outcomes();
	t_cname();
	t_truncated();
	t_malformed();
	t_addrs();
	t_lookups();
	return done_testing();
}
