/*
 * core/route.c: relayhost values, then routes against the fake DNS
 * server of fakedns.h: MX order, implicit MX, null MX, NXDOMAIN,
 * SERVFAIL, the relayhost forms, and the hosts that are this mtad
 * (by name, by an address it listens on, through a wildcard).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "route.h"
#include "tap.h"
#include "fakedns.h"

static char	 dir[64];

static void
t_relayhost(void)
{
	static const struct {
		const char	*in, *host;
		int		 port, mx;
	} good[] = {
		{ "[smtp.test]:587", "smtp.test", 587, 0 },
		{ "[smtp.test]", "smtp.test", 25, 0 },
		{ "smtp.test:2525", "smtp.test", 2525, 1 },
		{ "smtp.test", "smtp.test", 25, 1 },
		{ "[192.0.2.1]:587", "192.0.2.1", 587, 0 },
		{ "[2001:db8::1]:25", "2001:db8::1", 25, 0 },
		{ "[2001:db8::1]", "2001:db8::1", 25, 0 },
		{ "192.0.2.1", "192.0.2.1", 25, 0 },
		{ "192.0.2.1:26", "192.0.2.1", 26, 0 },
	};
	static const char *const bad[] = {
		"", "[]", "[smtp.test", "[smtp.test]x", "[smtp.test]:",
		"smtp.test:", "smtp.test:0", "smtp.test:65536", "smtp.test:2x",
		"smtp.test:-1", "2001:db8::1", "2001:db8::1:25", ":25",
		"smtp test", "[smtp.test]:+25", "a..b",
	};
	char	 host[LIM_DOMAIN + 1], why[LIM_ERR];
	int	 port, mx;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int	 r = route_parse_relayhost(good[i].in, host,
		    sizeof(host), &port, &mx, why, sizeof(why));

		ok(r == 0 && strcmp(host, good[i].host) == 0 &&
		    port == good[i].port && mx == good[i].mx,
		    "relayhost %s: %s port %d%s", good[i].in, good[i].host,
		    good[i].port, good[i].mx ? ", MX" : "");
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(route_parse_relayhost(bad[i], host, sizeof(host), &port,
		    &mx, why, sizeof(why)) == -1 && strstr(why, "relayhost") !=
		    NULL, "relayhost \"%s\" refused", bad[i]);
	route_parse_relayhost("2001:db8::1", host, sizeof(host), &port, &mx,
	    why, sizeof(why));
	ok(strstr(why, "brackets") != NULL, "an IPv6 address without "
	    "brackets: %s", why);
}

static const struct fake_rr zone[] = {
	{ "example.test", ns_t_mx, "20 mx2.example.test" },
	{ "example.test", ns_t_mx, "10 mx1.example.test" },
	{ "example.test", ns_t_mx, "30 mx3.example.test" },
	{ "mx1.example.test", ns_t_a, "192.0.2.1" },
	{ "mx1.example.test", ns_t_aaaa, "2001:db8::1" },
	{ "mx2.example.test", ns_t_a, "192.0.2.2" },
	{ "mx3.example.test", ns_t_a, "192.0.2.3" },
	{ "implicit.test", ns_t_a, "192.0.2.50" },
	{ "nullmx.test", ns_t_mx, "0 ." },
	{ "fail.test", FAKE_SERVFAIL, "" },
	{ "loopme.test", ns_t_mx, "10 mx1.example.test" },
	{ "loopme.test", ns_t_mx, "20 me.loopme.test" },
	{ "loopme.test", ns_t_mx, "20 mx2.example.test" },
	{ "loopme.test", ns_t_mx, "30 mx3.example.test" },
	{ "me.loopme.test", ns_t_a, "127.0.0.1" },
	{ "loopall.test", ns_t_mx, "10 me.loopme.test" },
	{ "loopall.test", ns_t_mx, "20 mx2.example.test" },
	{ "byname.test", ns_t_mx, "10 test.example" },
	{ "wild.test", ns_t_mx, "10 lo.wild.test" },
	{ "lo.wild.test", ns_t_a, "127.0.0.9" },
	{ "ghost.test", ns_t_mx, "10 none1.ghost.test" },
	{ "ghost.test", ns_t_mx, "20 none2.ghost.test" },
	{ "noaddr.test", FAKE_EXISTS, "" },
	{ "partial.test", ns_t_mx, "10 bad.partial.test" },
	{ "partial.test", ns_t_mx, "20 mx1.example.test" },
	{ "bad.partial.test", FAKE_SERVFAIL, "" },
	{ "relay.test", ns_t_mx, "10 mxr.test" },
	{ "relay.test", ns_t_a, "192.0.2.60" },
	{ "mxr.test", ns_t_a, "192.0.2.61" },
	{ "many.test", ns_t_mx, "1 mx1.example.test" },
	{ "many.test", ns_t_mx, "2 mx2.example.test" },
	{ "many.test", ns_t_mx, "3 mx3.example.test" },
	{ "many.test", ns_t_mx, "4 a.many.test" },
	{ "many.test", ns_t_mx, "5 b.many.test" },
	{ "many.test", ns_t_mx, "6 c.many.test" },
	{ "many.test", ns_t_mx, "7 d.many.test" },
	{ "many.test", ns_t_mx, "8 e.many.test" },
	{ "many.test", ns_t_mx, "9 f.many.test" },
	{ "many.test", ns_t_mx, "10 g.many.test" },
	{ "many.test", ns_t_mx, "11 h.many.test" },
	{ NULL, 0, NULL }
};

static struct conf	 c;
static struct route	 r;
static char		 why[LIM_ERR];

/* A configuration of hostname test.example with extra lines. */
static void
cfg(const char *extra)
{
	char	 path[128], err[LIM_ERR];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/hikyaku.conf", dir);
	f = fopen(path, "w");
	fprintf(f, "hostname = test.example\n%s", extra);
	fclose(f);
	conf_free(&c);
	if (conf_load(&c, path, 1, err, sizeof(err)) == -1) {
		printf("Bail out! %s\n", err);
		exit(1);
	}
}

/* The route as "name/pref/naddr ..." and the first address. */
static const char *
hosts(void)
{
	static char	 s[2048];
	size_t		 o = 0;

	s[0] = '\0';
	for (int i = 0; i < r.nhost; i++)
		o += (size_t)snprintf(s + o, sizeof(s) - o, "%s%s/%u/%d",
		    i ? " " : "", r.host[i].name, r.host[i].pref,
		    r.host[i].naddr);
	return s;
}

static const char *
addr(int h, int i)
{
	static char			 s[80];
	const struct sockaddr_storage	*ss = &r.host[h].addr[i];
	char				 a[64];

	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr,
		    a, sizeof(a));
	else
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)ss)->sin6_addr, a, sizeof(a));
	snprintf(s, sizeof(s), "%s %u", a, ntohs(ss->ss_family == AF_INET ?
	    ((const struct sockaddr_in *)ss)->sin_port :
	    ((const struct sockaddr_in6 *)ss)->sin6_port));
	return s;
}

static enum route_status
route(const char *domain)
{
	why[0] = '\0';
	return route_domain(&c, domain, &r, why, sizeof(why));
}

static void
t_mx(void)
{
	cfg("listen = 127.0.0.1:25\n");
	is_int(route("example.test"), ROUTE_OK, "MX: OK");
	is_str(hosts(), "mx1.example.test/10/2 mx2.example.test/20/1 "
	    "mx3.example.test/30/1", "the MX hosts in order, with addresses");
	is_str(addr(0, 0), "2001:db8::1 25", "AAAA first, port 25");
	is_str(addr(0, 1), "192.0.2.1 25", "then A");
	ok(!r.relay && !r.implicit && r.port == 25, "not relay, not implicit");

	is_int(route("implicit.test"), ROUTE_OK, "no MX: OK");
	is_str(hosts(), "implicit.test/0/1", "the implicit MX");
	ok(r.implicit, "said so");

	is_int(route("nullmx.test"), ROUTE_PERM, "null MX: PERM");
	is_str(why, "5.1.10 domain nullmx.test does not accept mail (null MX)",
	    "why");
	is_int(route("nowhere.test"), ROUTE_PERM, "NXDOMAIN: PERM");
	is_str(why, "5.1.2 domain nowhere.test not found", "why");
	is_int(route("fail.test"), ROUTE_TEMP, "SERVFAIL: TEMP");
	ok(strncmp(why, "4.4.3 ", 6) == 0 && strstr(why, "SERVFAIL from "
	    "127.0.0.1") != NULL, "why: %s", why);
	is_int(route("ghost.test"), ROUTE_TEMP, "no MX host found: TEMP");
	is_str(why, "4.4.3 host none1.ghost.test not found", "why: the first");
	is_int(route("noaddr.test"), ROUTE_PERM,
	    "implicit MX without an address: PERM");
	ok(strncmp(why, "5.1.2 ", 6) == 0, "why: %s", why);
	is_int(route("partial.test"), ROUTE_OK, "one host failing: OK");
	is_str(hosts(), "bad.partial.test/10/0 mx1.example.test/20/2",
	    "the failed host kept, with no address");
	is_str(r.host[0].err, "SERVFAIL from 127.0.0.1", "and its error");
	is_int(route("many.test"), ROUTE_OK, "11 MX hosts");
	is_int(r.nhost, LIM_ROUTE_HOSTS, "10 kept");
	is_int(route("[192.0.2.77]"), ROUTE_OK, "a domain literal");
	is_str(addr(0, 0), "192.0.2.77 25", "its address, no DNS");
	is_int(route("[IPv6:2001:db8::7]"), ROUTE_OK, "an IPv6 literal");
	is_str(addr(0, 0), "2001:db8::7 25", "its address");
}

static void
t_loops(void)
{
	cfg("listen = 127.0.0.1:25\n");
	is_int(route("loopme.test"), ROUTE_OK, "an MX host that is me");
	is_str(hosts(), "mx1.example.test/10/2", "cuts its preference and "
	    "worse (RFC 5321 5.1)");
	is_int(route("loopall.test"), ROUTE_PERM, "me first: PERM");
	is_str(why, "5.4.6 mail for loopall.test loops back to myself", "why");
	is_int(route("byname.test"), ROUTE_PERM, "my hostname as MX: PERM");
	is_int(route("wild.test"), ROUTE_OK,
	    "127.0.0.9 with a listener on 127.0.0.1 only: not me");
	cfg("listen = *:25\n");
	is_int(route("wild.test"), ROUTE_PERM,
	    "127.0.0.9 with a wildcard listener: me");
	cfg("listen = 0.0.0.0:25\n");
	is_int(route("wild.test"), ROUTE_PERM, "0.0.0.0:25 is a wildcard");
	cfg("listen = 127.0.0.1:2525\n");
	is_int(route("loopme.test"), ROUTE_OK,
	    "a listener on another port is not the MX's");
	is_int(r.nhost, 4, "nothing cut");
	cfg("listen = localhost:25\n");
	is_int(route("loopme.test"), ROUTE_OK, "a listener by name");
	is_int(r.nhost, 1, "is me too");
}

static void
t_relay(void)
{
	cfg("listen = 127.0.0.1:25\nrelayhost = [relay.test]:587\n");
	is_int(route("example.test"), ROUTE_OK, "[relayhost]:587");
	is_str(hosts(), "relay.test/0/1", "that host alone, no MX lookup");
	is_str(addr(0, 0), "192.0.2.60 587", "on its port");
	ok(r.relay && r.port == 587, "relay, port 587");

	cfg("relayhost = relay.test:2525\n");
	is_int(route("example.test"), ROUTE_OK, "relayhost with MX");
	is_str(hosts(), "mxr.test/10/1", "the relayhost's MX");
	is_str(addr(0, 0), "192.0.2.61 2525", "on its port");

	cfg("relayhost = nosuch.test\n");
	is_int(route("example.test"), ROUTE_TEMP, "relayhost NXDOMAIN: TEMP");
	is_str(why, "4.4.3 relayhost nosuch.test not found", "why");
	cfg("relayhost = [nosuch.test]\n");
	is_int(route("example.test"), ROUTE_TEMP, "[relayhost] not found");
	is_str(why, "4.4.3 relayhost nosuch.test not found", "why");
	cfg("relayhost = nullmx.test\n");
	is_int(route("example.test"), ROUTE_TEMP, "relayhost null MX: TEMP");
	cfg("relayhost = [fail.test]\n");
	is_int(route("example.test"), ROUTE_TEMP, "relayhost SERVFAIL: TEMP");
	/* conf checks it too: set it behind its back */
	cfg("");
	free(c.relayhost);
	c.relayhost = strdup("smtp.test:99999");
	is_int(route("example.test"), ROUTE_TEMP, "a bad relayhost: TEMP");
	ok(strncmp(why, "4.3.5 relayhost", 15) == 0, "why: %s", why);

	cfg("listen = 127.0.0.1:25\nrelayhost = [127.0.0.1]:10025\n");
	is_int(route("example.test"), ROUTE_OK, "[127.0.0.1]:10025, "
	    "listening on 127.0.0.1:25: a filter, not me");
	cfg("listen = 127.0.0.1:25\nsubmission = 127.0.0.1:10025\n"
	    "relayhost = [127.0.0.1]:10025\n");
	is_int(route("example.test"), ROUTE_PERM, "[127.0.0.1]:10025, "
	    "submission on it: me");
	is_str(why, "5.4.6 mail for 127.0.0.1 loops back to myself", "why");
	cfg("smtps = *:465\nrelayhost = [127.0.0.1]:465\n");
	is_int(route("example.test"), ROUTE_PERM, "smtps counts too");
	cfg("listen = 127.0.0.1:25\nrelayhost = [test.example]:10025\n");
	is_int(route("example.test"), ROUTE_TEMP, "a relayhost named as me "
	    "on another port is not me by name (here: not found)");
}

int
main(void)
{
	char	 rc[128];
	pid_t	 pid;

	snprintf(dir, sizeof(dir), "/tmp/t_route.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(rc, sizeof(rc), "%s/resolv.conf", dir);
	t_relayhost();
	pid = fake_start(zone, rc);
	t_mx();
	t_loops();
	t_relay();
	fake_stop(pid, rc);
	conf_free(&c);
	snprintf(rc, sizeof(rc), "%s/hikyaku.conf", dir);
	unlink(rc);
	rmdir(dir);
	return done_testing();
}
