/*
 * core/addr.c: envelope paths, address lists, split and qualify.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "tap.h"

static void
path_ok(const char *in, int null_ok, const char *want)
{
	char	 out[LIM_ADDR], err[LIM_ERR] = "";
	int	 r;

	strcpy(out, "(unset)");
	r = addr_parse_path(in, null_ok, out, sizeof(out), err, sizeof(err));
	if (!ok(r == 0, "path '%s' accepted", in))
		diag(err);
	is_str(out, want, "  canonical form of '%s'", in);
}

/* what names the case, as in may hold control characters */
static void
path_bad(const char *what, const char *in, int null_ok, const char *why)
{
	char	 out[LIM_ADDR], err[LIM_ERR] = "";
	int	 r;

	r = addr_parse_path(in, null_ok, out, sizeof(out), err, sizeof(err));
	is_int(r, -1, "path refused: %s", what);
	if (!ok(strstr(err, why) != NULL, "  reason has '%s'", why))
		diag(err);
}

/* With flags (ADDR_UTF8): accepted as want, or refused with errno. */
static void
upath_ok(const char *what, const char *in, const char *want)
{
	char	 out[LIM_ADDR], again[LIM_ADDR], err[LIM_ERR] = "";

	strcpy(out, "(unset)");
	if (!ok(addr_parse_path(in, ADDR_UTF8, out, sizeof(out), err,
	    sizeof(err)) == 0, "SMTPUTF8 path accepted: %s", what))
		diag(err);
	is_str(out, want, "  its canonical form");
	ok(addr_parse_path(out, ADDR_UTF8, again, sizeof(again), err,
	    sizeof(err)) == 0 && strcmp(again, out) == 0,
	    "  which parses to itself");
}

static void
upath_bad(const char *what, const char *in, unsigned flags, int e,
    const char *why)
{
	char	 out[LIM_ADDR], err[LIM_ERR] = "";
	int	 r;

	errno = 0;
	r = addr_parse_path(in, flags, out, sizeof(out), err, sizeof(err));
	is_int(r, -1, "path refused: %s", what);
	if (!ok(errno == e, "  errno %s", e == EILSEQ ? "EILSEQ" : "EINVAL"))
		diag(strerror(errno));
	if (!ok(strstr(err, why) != NULL, "  reason has '%s'", why))
		diag(err);
}

static char *
rep(char *dst, int c, size_t n)
{
	memset(dst, c, n);
	dst[n] = '\0';
	return dst;
}

/* A domain of exactly n octets: labels of 63 joined by dots. */
static char *
domain_of(char *dst, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		dst[i] = (i % 64 == 63) ? '.' : 'a';
	if (dst[n - 1] == '.')
		dst[n - 1] = 'b';
	dst[n] = '\0';
	return dst;
}

static void
test_paths(void)
{
	path_ok("user@example.com", 0, "user@example.com");
	path_ok("<user@example.com>", 0, "user@example.com");
	path_ok("User.Name+tag@Example.COM", 0, "User.Name+tag@example.com");
	path_ok("user", 0, "user");
	path_ok("\"john doe\"@example.com", 0, "\"john doe\"@example.com");
	path_ok("\"john\"@example.com", 0, "john@example.com");
	path_ok("\"a\\\"b\"@x.org", 0, "\"a\\\"b\"@x.org");
	path_ok("\"a..b\"@x.org", 0, "\"a..b\"@x.org");
	path_ok("user@[192.0.2.1]", 0, "user@[192.0.2.1]");
	path_ok("user@[IPv6:::1]", 0, "user@[IPv6:::1]");
	path_ok("user@[ipv6:2001:DB8::1]", 0, "user@[IPv6:2001:db8::1]");
	path_ok("<@a.example,@b.example:user@c.example>", 0, "user@c.example");
	path_ok("<@[192.0.2.1]:user@c.example>", 0, "user@c.example");
	path_ok("<>", 1, "");
	path_ok("", 1, "");
	path_ok("a-b@x-1.y2.example", 0, "a-b@x-1.y2.example");

}

static void
test_paths_bad(void)
{
	path_bad("<> without null_ok", "<>", 0, "empty address");
	path_bad("empty without null_ok", "", 0, "empty address");
	path_bad("CR", "user@exa\rmple.com", 0, "CR");
	path_bad("LF", "user\n@example.com", 0, "LF");
	path_bad("CRLF injection", "a@b.c\r\nRCPT TO:<x@y>", 0, "CR");
	path_bad("TAB", "user\t@example.com", 0, "TAB");
	path_bad("TAB in quotes", "\"a\tb\"@example.com", 0, "TAB");
	path_bad("DEL", "us\x7f" "er@example.com", 0, "DEL");
	path_bad("0x01", "\x01user@example.com", 0, "0x01");
	path_bad("UTF-8 local part", "j\xc3\xb6rg@example.com", 0, "SMTPUTF8");
	path_bad("space", "john doe@example.com", 0, "space outside quotes");
	path_bad("space in domain", "john@exam ple.com", 0, "space");
	path_bad("unbalanced quotes", "\"john@example.com", 0,
	    "unbalanced quotes");
	path_bad("stray quote", "jo\"hn@example.com", 0, "quotes");
	path_bad("text after quotes", "\"jo\"hn@example.com", 0,
	    "after quoted");
	path_bad("open angle", "<user@example.com", 0, "unbalanced angle");
	path_bad("close angle", "user@example.com>", 0, "unbalanced angle");
	path_bad("open bracket", "user@[192.0.2.1", 0, "unbalanced brackets");
	path_bad("close bracket", "user@192.0.2.1]", 0, "unbalanced brackets");
	path_bad("bad IPv4 literal", "user@[192.0.2.256]", 0, "IPv4");
	path_bad("bad IPv6 literal", "user@[IPv6:1::2::3]", 0, "IPv6");
	path_bad("unknown literal tag", "user@[foo:bar]", 0, "literal");
	path_bad("two @", "a@b@example.com", 0, "more than one '@'");
	path_bad("leading dot", ".a@example.com", 0, "dot");
	path_bad("double dot", "a..b@example.com", 0, "dot");
	path_bad("trailing dot", "a.@example.com", 0, "dot");
	path_bad("comma", "a,b@example.com", 0, "invalid character ','");
	path_bad("empty local", "@example.com", 0, "source route");
	path_bad("empty quoted local", "\"\"@example.com", 0, "empty local");
	path_bad("empty domain", "user@", 0, "empty domain");
	path_bad("empty label", "user@a..b", 0, "empty label");
	path_bad("trailing dot domain", "user@example.com.", 0, "empty label");
	path_bad("leading hyphen", "user@-a.example", 0, "starts with '-'");
	path_bad("trailing hyphen", "user@a-.example", 0, "ends with '-'");
	path_bad("underscore", "user@a_b.example", 0, "invalid character '_'");
	path_bad("display name", "John <j@example.com>", 0, "");
	path_bad("route without colon", "<@a.example,user@b.example>", 0,
	    "source route");
	path_bad("bad route domain", "<@a..example:user@b.example>", 0,
	    "empty label");
}

static void
test_path_limits(void)
{
	char	 in[600], l[100], d[300];

	/* 64 octets of local part pass, 65 do not, quotes count. */
	snprintf(in, sizeof(in), "%s@example.com", rep(l, 'a', 64));
	path_ok(in, 0, in);
	snprintf(in, sizeof(in), "%s@example.com", rep(l, 'a', 65));
	path_bad("65-octet local part", in, 0, "longer than 64");
	snprintf(in, sizeof(in), "\"%s \"@example.com", rep(l, 'a', 61));
	path_ok(in, 0, in);
	snprintf(in, sizeof(in), "\"%s \"@example.com", rep(l, 'a', 62));
	path_bad("65 octets once quoted", in, 0, "once quoted");
	snprintf(in, sizeof(in), "a@%s.example", rep(l, 'b', 63));
	path_ok(in, 0, in);
	snprintf(in, sizeof(in), "a@%s.example", rep(l, 'b', 64));
	path_bad("64-octet label", in, 0, "label longer than 63");

	/* A 256-octet domain is over LIM_DOMAIN; a 255-octet one is not,
	   but with "a@" the path is over LIM_ADDR - 2. */
	snprintf(in, sizeof(in), "a@%s", domain_of(d, 256));
	path_bad("256-octet domain", in, 0, "domain longer than 255");
	snprintf(in, sizeof(in), "a@%s", domain_of(d, 255));
	path_bad("255-octet domain", in, 0, "address longer than 254");
	snprintf(in, sizeof(in), "a@%s", domain_of(d, 252));
	path_ok(in, 0, in);
	snprintf(in, sizeof(in), "ab@%s", domain_of(d, 252));
	path_bad("255-octet path", in, 0, "address longer than 254");
	memset(in, 'a', 500);
	in[500] = '\0';
	path_bad("500-octet local part", in, 0, "longer than 64");
	in[0] = '"';
	in[499] = '"';
	path_bad("500-octet quoted local part", in, 0, "longer than 64");
}

/* RFC 6531: UTF-8 in a path only with ADDR_UTF8, and only as
   well-formed text without controls. */
static void
test_utf8(void)
{
	char	 in[600], l[200];

	upath_ok("a UTF-8 local part", "<j\xc3\xb6rg@example.com>",
	    "j\xc3\xb6rg@example.com");
	upath_ok("and domain, ASCII letters lowered, others kept",
	    "J\xc3\x96RG@B\xc3\xbc" "cher.EXAMPLE",
	    "J\xc3\x96RG@b\xc3\xbc" "cher.example");
	upath_ok("CJK and a four-octet character",
	    "\xe7\x94\xb0\xe4\xb8\xad" "\xf0\x9f\x93\xa7@"
	    "\xe4\xbe\x8b\xe3\x81\x88.jp",
	    "\xe7\x94\xb0\xe4\xb8\xad" "\xf0\x9f\x93\xa7@"
	    "\xe4\xbe\x8b\xe3\x81\x88.jp");
	upath_ok("quoted, with a space", "\"j \xc3\xb6\"@x.example",
	    "\"j \xc3\xb6\"@x.example");
	upath_ok("a dot-string stays unquoted", "\"\xc3\xa9" ".a\"@x.example",
	    "\xc3\xa9" ".a@x.example");
	upath_ok("plain ASCII too", "bob@example.com", "bob@example.com");

	upath_bad("UTF-8 without ADDR_UTF8", "j\xc3\xb6rg@example.com", 0,
	    EILSEQ, "non-ASCII character in address without SMTPUTF8");
	upath_bad("UTF-8 domain without it", "a@b\xc3\xbc" "cher.example",
	    ADDR_NULL_OK, EILSEQ, "SMTPUTF8");
	upath_bad("CR without it: a syntax error, as ever", "a\rb@x.example",
	    0, EINVAL, "control character CR");
	upath_bad("overlong '/'", "a\xc0\xaf" "b@x.example", ADDR_UTF8, EILSEQ,
	    "ill-formed UTF-8");
	upath_bad("overlong, three octets", "a\xe0\x80\xaf" "b@x.example",
	    ADDR_UTF8, EILSEQ, "ill-formed UTF-8");
	upath_bad("a surrogate", "a\xed\xa0\x80@x.example", ADDR_UTF8,
	    EILSEQ, "ill-formed UTF-8");
	upath_bad("past U+10FFFF", "a\xf4\x90\x80\x80@x.example",
	    ADDR_UTF8, EILSEQ, "ill-formed UTF-8");
	upath_bad("0xf5", "a\xf5\x80\x80\x80@x.example", ADDR_UTF8, EILSEQ,
	    "ill-formed UTF-8");
	upath_bad("a cut sequence", "a@x.exampl\xc3", ADDR_UTF8, EILSEQ,
	    "ill-formed UTF-8");
	upath_bad("a lone continuation octet", "a\x80@x.example", ADDR_UTF8,
	    EILSEQ, "ill-formed UTF-8 in address (byte 0x80)");
	upath_bad("C1 NEL", "a\xc2\x85" "@x.example", ADDR_UTF8, EILSEQ,
	    "control character U+0085");
	upath_bad("C1 CSI", "\"a\xc2\x9b\"@x.example", ADDR_UTF8, EILSEQ,
	    "control character U+009B");
	upath_bad("CR with ADDR_UTF8", "a\rb@x.example", ADDR_UTF8, EILSEQ,
	    "control character CR");
	upath_bad("DEL with ADDR_UTF8", "a\x7f@x.example", ADDR_UTF8, EILSEQ,
	    "DEL");
	upath_bad("other faults stay EINVAL", "\xc3\xa9" "..a@x.example",
	    ADDR_UTF8, EINVAL, "double dot");
	upath_bad("no UTF-8 in an address literal", "a@[\xc3\xa9]",
	    ADDR_UTF8, EINVAL, "literal");
	upath_bad("a UTF-8 label ending in '-'", "a@\xc3\xa9-.example",
	    ADDR_UTF8, EINVAL, "ends with '-'");

	/* limits are octets: 32 two-octet characters fill a local part */
	for (int i = 0; i < 33; i++)
		memcpy(l + 2 * i, "\xc3\xa9", 2);
	snprintf(in, sizeof(in), "%.64s@x.example", l);
	upath_ok("a 64-octet UTF-8 local part", in, in);
	snprintf(in, sizeof(in), "%.66s@x.example", l);
	upath_bad("a 66-octet one", in, ADDR_UTF8, EINVAL, "longer than 64");
	/* a label with UTF-8 may pass 63 octets; an ASCII one may not */
	snprintf(in, sizeof(in), "a@%.66s.example", l);
	upath_ok("a 66-octet UTF-8 label", in, in);
	snprintf(in, sizeof(in), "a@%s\xc3\xa9" ".example", rep(l, 'b', 64));
	upath_ok("64 ASCII octets and one UTF-8 character", in, in);
	snprintf(in, sizeof(in), "a@%s.example", rep(l, 'b', 64));
	upath_bad("a 64-octet ASCII label", in, ADDR_UTF8, EINVAL,
	    "label longer than 63");
}

static void
test_small_out(void)
{
	char	 out[8], err[LIM_ERR];

	is_int(addr_parse_path("user@example.com", 0, out, sizeof(out), err,
	    sizeof(err)), -1, "out buffer too small is an error, not a cut");
}

struct coll {
	char	 s[2048];
	int	 n, refuse_at;
};

static int
collect(void *ctx, const char *addr)
{
	struct coll	*c = ctx;

	if (c->refuse_at > 0 && c->n + 1 == c->refuse_at)
		return -1;
	if (c->n++ > 0)
		strcat(c->s, " ");
	strcat(c->s, addr);
	return 0;
}

/* A TAP label must stay on one line. */
static const char *
label(const char *s)
{
	static char	 l[256];
	size_t		 i;

	for (i = 0; s[i] != '\0' && i + 1 < sizeof(l); i++)
		l[i] = (unsigned char)s[i] < 0x20 ? '.' : s[i];
	l[i] = '\0';
	return l;
}

static void
list_ok(const char *in, const char *want)
{
	struct coll	 c;
	char		 err[LIM_ERR] = "";

	memset(&c, 0, sizeof(c));
	if (!ok(addr_list_parse(in, collect, &c, err, sizeof(err)) == 0,
	    "list '%s' parsed", label(in)))
		diag(err);
	is_str(c.s, want, "  addresses of '%s'", label(in));
}

static void
list_bad(const char *what, const char *in, const char *why)
{
	struct coll	 c;
	char		 err[LIM_ERR] = "";

	memset(&c, 0, sizeof(c));
	is_int(addr_list_parse(in, collect, &c, err, sizeof(err)), -1,
	    "list refused: %s", what);
	if (!ok(strstr(err, why) != NULL, "  reason has '%s'", why))
		diag(err);
}

static void
test_lists(void)
{

	list_ok("a@example.com", "a@example.com");
	list_ok(" a@Example.com , B@EXAMPLE.org ",
	    "a@example.com B@example.org");
	list_ok("John Doe <john@example.com>", "john@example.com");
	list_ok("\"Doe, John\" <john@example.com>, jane@example.com",
	    "john@example.com jane@example.com");
	list_ok("John Q. Public <jqp@example.com>", "jqp@example.com");
	list_ok("=?UTF-8?B?5bGx55Sw?= <yamada@example.jp>",
	    "yamada@example.jp");
	list_ok("\xe5\xb1\xb1\xe7\x94\xb0 <yamada@example.jp>",
	    "yamada@example.jp");
	list_ok("a@example.com (Alice (the (real) one) \\) ok)",
	    "a@example.com");
	list_ok("(lead) b@example.com", "b@example.com");
	list_ok("john (comment) . doe @ example (c) . com",
	    "john.doe@example.com");
	list_ok("undisclosed-recipients:;", "");
	list_ok("team: a@x.example, B <b@y.example>;, c@z.example",
	    "a@x.example b@y.example c@z.example");
	list_ok("empty: ;", "");
	list_ok("a@x.example,,  ,b@y.example,", "a@x.example b@y.example");
	list_ok("", "");
	list_ok("  ", "");
	list_ok("Joe <@route.example,@r2.example:joe@example.com>",
	    "joe@example.com");
	list_ok("\"john doe\"@example.com", "\"john doe\"@example.com");
	list_ok("\"john\"@example.com", "john@example.com");
	list_ok("root, Postmaster <postmaster>", "root postmaster");
	list_ok("a@example.com,\n\tb@example.com,\n c@example.com",
	    "a@example.com b@example.com c@example.com");
	list_ok("\"folded\n name\" <f@example.com>", "f@example.com");
	list_ok("u@[192.0.2.1]", "u@[192.0.2.1]");

}

static void
test_lists_bad(void)
{
	struct coll	 c;
	char		 err[LIM_ERR] = "";

	list_bad("unbalanced quote", "\"John <j@example.com>",
	    "unbalanced quotes");
	list_bad("unbalanced comment", "j@example.com (oops", "parentheses");
	list_bad("stray )", "j@example.com )", "parentheses");
	list_bad("open angle", "John <j@example.com", "angle");
	list_bad("stray >", "j@example.com>", "expected ','");
	list_bad("name without address", "John Doe", "display name");
	list_bad("name without address, more after",
	    "John Doe, j@example.com", "display name");
	list_bad("open group", "team: a@x.example", "group not closed");
	list_bad("nested group", "a: b: c@d.example;;", "group inside");
	list_bad("missing domain", "a@", "missing domain");
	list_bad("bad domain", "a@exa_mple.com", "invalid character '_'");
	list_bad("trailing dot", "a.@example.com", "ends with '.'");
	list_bad("empty angle", "<>", "<>");
	list_bad("two addresses", "a@x.example b@y.example", "expected ','");
	list_bad("65-octet local",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaa@x.example", "longer than 64");
	list_bad("UTF-8 address", "j\xc3\xb6rg@example.com", "SMTPUTF8");
	list_bad("control char", "a@example.com\x01", "0x01");
	list_bad("stray ;", "a@example.com;", "expected ','");

	/* Nothing reaches the callback for an address that is then bad. */
	memset(&c, 0, sizeof(c));
	addr_list_parse("John <a@x.example> junk", collect, &c, err,
	    sizeof(err));
	is_int(c.n, 0, "no callback for an address followed by junk");

	memset(&c, 0, sizeof(c));
	c.refuse_at = 2;
	is_int(addr_list_parse("a@x.example, b@y.example, c@z.example",
	    collect, &c, err, sizeof(err)), -1, "callback -1 stops the list");
	is_str(c.s, "a@x.example", "  after the first address");
}

static void
test_split_qualify(void)
{
	char	 a[LIM_ADDR], l[LIM_ADDR], d[LIM_ADDR], big[300];

	is_int(addr_split("user@example.com", l, sizeof(l), d, sizeof(d)), 0,
	    "split");
	is_str(l, "user", "  local");
	is_str(d, "example.com", "  domain");
	addr_split("\"a@b \\\"c\"@example.com", l, sizeof(l), d, sizeof(d));
	is_str(l, "a@b \"c", "split unquotes, '@' in quotes is not the split");
	is_str(d, "example.com", "  domain");
	addr_split("root", l, sizeof(l), d, sizeof(d));
	is_str(l, "root", "split unqualified");
	is_str(d, "", "  empty domain");
	is_int(addr_split("user@example.com", l, 4, d, sizeof(d)), -1,
	    "split: local too long for its buffer");
	is_int(addr_split("user@example.com", l, sizeof(l), d, 11), -1,
	    "split: domain too long for its buffer");

	strcpy(a, "root");
	is_int(addr_qualify(a, sizeof(a), "host.example"), 0, "qualify");
	is_str(a, "root@host.example", "  appends @domain");
	is_int(addr_qualify(a, sizeof(a), "other.example"), 0, "qualify again");
	is_str(a, "root@host.example", "  qualified stays");
	strcpy(a, "\"a@b\"");
	addr_qualify(a, sizeof(a), "h.example");
	is_str(a, "\"a@b\"@h.example", "qualify: '@' in quotes doesn't count");
	a[0] = '\0';
	addr_qualify(a, sizeof(a), "h.example");
	is_str(a, "", "qualify: the null path stays null");
	strcpy(a, "root");
	is_int(addr_qualify(a, 8, "host.example"), -1, "qualify: no room");
	is_str(a, "root", "  left alone");
	rep(big, 'a', 64);
	memset(d, 'd', 190);
	d[190] = '\0';
	is_int(addr_qualify(big, sizeof(big), d), -1,
	    "qualify: over LIM_ADDR - 2");
	is_int(errno, ERANGE, "  ERANGE");
}

int
main(void)
{
	test_paths();
	test_paths_bad();
	test_path_limits();
	test_utf8();
	test_small_out();
	test_lists();
	test_lists_bad();
	test_split_qualify();
	return done_testing();
}
