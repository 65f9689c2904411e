/*
 * core/dsn: NOTIFY and RET values, xtext both ways, ENVID and ORCPT as
 * a client sends them, and the values of a report's fields.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dsn.h"
#include "limits.h"
#include "tap.h"

static void
notify_ok(const char *in, unsigned want, const char *text)
{
	unsigned	 n = 0xff;
	char		 t[24];

	ok(dsn_notify_parse(in, &n) == 0 && n == want, "NOTIFY=%s: 0x%x",
	    in, want);
	dsn_notify_text(n, t, sizeof(t));
	is_str(t, text, "  and back as %s", text != NULL ? text : "(nothing)");
}

static void
notify_bad(const char *in, const char *why)
{
	unsigned	 n = 0x55;

	ok(dsn_notify_parse(in, &n) == -1 && n == 0x55,
	    "NOTIFY=%s refused (%s), nothing set", in, why);
}

static void
test_notify(void)
{
	char	 t[24];

	notify_ok("NEVER", DSN_NOTIFY_NEVER, "NEVER");
	notify_ok("never", DSN_NOTIFY_NEVER, "NEVER");
	notify_ok("SUCCESS", DSN_NOTIFY_SUCCESS, "SUCCESS");
	notify_ok("delay,Failure", DSN_NOTIFY_DELAY | DSN_NOTIFY_FAILURE,
	    "FAILURE,DELAY");
	notify_ok("DELAY,SUCCESS,FAILURE", DSN_NOTIFY_SUCCESS |
	    DSN_NOTIFY_FAILURE | DSN_NOTIFY_DELAY, "SUCCESS,FAILURE,DELAY");
	notify_bad("NEVER,SUCCESS", "NEVER not alone");
	notify_bad("FAILURE,NEVER", "NEVER not alone");
	notify_bad("SUCCESS,SUCCESS", "said twice");
	notify_bad("", "empty");
	notify_bad("SUCCESS,", "an empty item");
	notify_bad(",SUCCESS", "an empty item");
	notify_bad("SUCCESS,,DELAY", "an empty item");
	notify_bad("SUCCES", "unknown");
	notify_bad("SUCCESS ", "a space");
	notify_bad("SUCCESSFAILURE", "no comma");
	dsn_notify_text(0, t, sizeof(t));
	is_str(t, "", "no NOTIFY: no text");
	ok(dsn_notify_valid(0) && dsn_notify_valid(DSN_NOTIFY_NEVER) &&
	    !dsn_notify_valid(DSN_NOTIFY_NEVER | DSN_NOTIFY_DELAY) &&
	    !dsn_notify_valid(0x10), "dsn_notify_valid");

	ok(dsn_wants(0, DSN_NOTIFY_FAILURE) && dsn_wants(0, DSN_NOTIFY_DELAY)
	    && !dsn_wants(0, DSN_NOTIFY_SUCCESS),
	    "no NOTIFY: failure and delay, not success (RFC 3461 4.1)");
	ok(!dsn_wants(DSN_NOTIFY_NEVER, DSN_NOTIFY_FAILURE) &&
	    !dsn_wants(DSN_NOTIFY_NEVER, DSN_NOTIFY_DELAY) &&
	    !dsn_wants(DSN_NOTIFY_NEVER, DSN_NOTIFY_SUCCESS), "NEVER: nothing");
	ok(dsn_wants(DSN_NOTIFY_SUCCESS, DSN_NOTIFY_SUCCESS) &&
	    !dsn_wants(DSN_NOTIFY_SUCCESS, DSN_NOTIFY_FAILURE) &&
	    !dsn_wants(DSN_NOTIFY_SUCCESS, DSN_NOTIFY_DELAY),
	    "SUCCESS alone: no failure, no delay");
}

static void
test_ret_action(void)
{
	is_int(dsn_ret_parse("FULL"), DSN_RET_FULL, "RET=FULL");
	is_int(dsn_ret_parse("hdrs"), DSN_RET_HDRS, "RET=hdrs");
	is_int(dsn_ret_parse("HEADERS"), -1, "RET=HEADERS refused");
	is_int(dsn_ret_parse(""), -1, "RET= refused");
	is_str(dsn_ret_name(DSN_RET_FULL), "FULL", "FULL's name");
	is_str(dsn_ret_name(DSN_RET_NONE), "", "none: no name");
	is_str(dsn_action_name(DSN_ACTION_DELIVERED), "delivered",
	    "delivered");
	is_str(dsn_action_name(DSN_ACTION_RELAYED), "relayed", "relayed");
	is_int(dsn_action_parse("expanded"), DSN_ACTION_EXPANDED,
	    "expanded, back");
	is_int(dsn_action_parse("Delivered"), -1, "case matters in our "
	    "own envelope");
	is_int(dsn_action_parse(""), -1, "nothing is no action");
}

static void
xdec_bad(const char *in, const char *why)
{
	char	 out[64];

	errno = 0;
	ok(dsn_xtext_decode(in, out, sizeof(out)) == -1 && errno == EINVAL,
	    "xtext '%s' refused: %s", in, why);
}

static void
test_xtext(void)
{
	char	 out[64], back[64];

	ok(dsn_xtext_decode("a+2Bb+3Dc+20d", out, sizeof(out)) == 0,
	    "xtext decoded");
	is_str(out, "a+b=c d", "  '+' HEX HEX undone");
	xdec_bad("+2b", "lower-case hex (RFC 3461 4)");
	xdec_bad("ab+2", "a '+' without two digits");
	xdec_bad("ab+", "a '+' at the end");
	xdec_bad("a=b", "a bare '='");
	xdec_bad("a b", "a space");
	xdec_bad("a\tb", "a control character");
	xdec_bad("j\xc3\xb6rg", "a non-ASCII octet");
	xdec_bad("a+00b", "an encoded NUL");
	ok(dsn_xtext_decode("abcdef", out, 6) == -1 && errno == ERANGE,
	    "no room: ERANGE, not a cut");
	ok(dsn_xtext_decode("abcde", out, 6) == 0, "exactly room");

	ok(dsn_xtext_encode("a+b=c d\x01\xc3\xa9~!", out, sizeof(out)) == 0,
	    "encoded");
	is_str(out, "a+2Bb+3Dc+20d+01+C3+A9~!", "  only what xtext must");
	ok(dsn_xtext_decode(out, back, sizeof(back)) == 0 &&
	    strcmp(back, "a+b=c d\x01\xc3\xa9~!") == 0, "  and back");
	ok(dsn_xtext_encode("a b", out, 5) == -1 && errno == ERANGE,
	    "encode: no room, ERANGE");
	ok(dsn_xtext_encode("a b", out, 6) == 0, "encode: exactly room");
}

static void
test_envid(void)
{
	char	 in[LIM_DSN_ENVID + 2], out[LIM_DSN_ENVID + 1];

	ok(dsn_envid_parse("QQ314159+20x", out, sizeof(out)) == 0,
	    "ENVID taken");
	is_str(out, "QQ314159 x", "  decoded");
	memset(in, 'e', LIM_DSN_ENVID);
	in[LIM_DSN_ENVID] = '\0';
	ok(dsn_envid_parse(in, out, sizeof(out)) == 0, "100 octets: taken");
	in[LIM_DSN_ENVID] = 'e';
	in[LIM_DSN_ENVID + 1] = '\0';
	ok(dsn_envid_parse(in, out, sizeof(out)) == -1 && errno == ERANGE,
	    "101 octets: ERANGE");
	ok(dsn_envid_parse("a+0Ab", out, sizeof(out)) == -1 &&
	    errno == EINVAL, "an LF once decoded: refused");
	ok(dsn_envid_parse("a+7F", out, sizeof(out)) == -1, "DEL: refused");
	ok(dsn_envid_parse("+C3+A9", out, sizeof(out)) == -1,
	    "non-ASCII once decoded: refused");
	ok(dsn_envid_parse("", out, sizeof(out)) == -1, "empty: refused");
	ok(dsn_envid_parse("a=b", out, sizeof(out)) == -1, "bad xtext");
	ok(dsn_envid_valid("id 42"), "valid: a space is printable");
	ok(!dsn_envid_valid("id\n42") && !dsn_envid_valid(""),
	    "valid: no LF, not empty");
	memset(in, ' ', 34);
	in[34] = '\0';
	ok(!dsn_envid_valid(in), "valid: 34 spaces are 102 octets of xtext");
	in[33] = '\0';
	ok(dsn_envid_valid(in), "valid: 33 are 99");
}

static void
test_orcpt(void)
{
	char	 in[LIM_DSN_ORCPT + 2], out[LIM_DSN_ORCPT + 1];

	ok(dsn_orcpt_parse("rfc822;user+2Btag@example.com", out,
	    sizeof(out)) == 0, "ORCPT taken");
	is_str(out, "rfc822;user+tag@example.com", "  type kept, decoded");
	ok(dsn_orcpt_parse("utf-8;j\\x{F6}rg@example.com", out, sizeof(out))
	    == 0, "RFC 6533 utf-8-addr-xtext is ASCII: taken");
	ok(dsn_orcpt_parse("rfc822", out, sizeof(out)) == -1 &&
	    errno == EINVAL, "no ';': refused");
	ok(dsn_orcpt_parse(";a@b", out, sizeof(out)) == -1, "no type");
	ok(dsn_orcpt_parse("rfc822;", out, sizeof(out)) == -1, "no address");
	ok(dsn_orcpt_parse("rfc 822;a@b", out, sizeof(out)) == -1,
	    "a type that is not an atom");
	ok(dsn_orcpt_parse("rfc822;a+0D+0Ab", out, sizeof(out)) == -1,
	    "CR LF once decoded: refused");
	ok(dsn_orcpt_parse("rfc822;a b", out, sizeof(out)) == -1,
	    "a raw space: bad xtext");
	memcpy(in, "rfc822;", 7);
	memset(in + 7, 'a', LIM_DSN_ORCPT - 7);
	in[LIM_DSN_ORCPT] = '\0';
	ok(dsn_orcpt_parse(in, out, sizeof(out)) == 0, "500 octets: taken");
	in[LIM_DSN_ORCPT] = 'a';
	in[LIM_DSN_ORCPT + 1] = '\0';
	ok(dsn_orcpt_parse(in, out, sizeof(out)) == -1 && errno == ERANGE,
	    "501 octets: ERANGE");
	ok(dsn_orcpt_valid("rfc822;a b@example.com"), "valid: a space");
	ok(!dsn_orcpt_valid("rfc822;") && !dsn_orcpt_valid("a@b") &&
	    !dsn_orcpt_valid("x;a\rb"), "valid: not empty, a type, no CR");
}

static void
test_fields(void)
{
	char	 out[128];

	ok(dsn_field_text("QQ314159", out, sizeof(out)) == 0 &&
	    strcmp(out, "QQ314159") == 0, "a plain value stays as it is");
	ok(dsn_field_text("user+tag@x", out, sizeof(out)) == 0 &&
	    strcmp(out, "user+tag@x") == 0, "'+' alone needs no xtext");
	ok(dsn_field_text("a b+c", out, sizeof(out)) == 0 &&
	    strcmp(out, "a b+c") == 0, "an inner space: as it is");
	ok(dsn_field_text(" a b+c", out, sizeof(out)) == 0 &&
	    strcmp(out, "+20a+20b+2Bc") == 0, "one at an end: xtext, whole");
	ok(dsn_field_text("ab ", out, sizeof(out)) == 0 &&
	    strcmp(out, "ab+20") == 0, "at the other end too");
	ok(dsn_field_text("a\xc3\xa9", out, sizeof(out)) == 0 &&
	    strcmp(out, "a+C3+A9") == 0, "non-ASCII: xtext");
	ok(dsn_field_text("abc", out, 3) == -1 && errno == ERANGE,
	    "no room: ERANGE");
	ok(dsn_field_addr("bob@example.com", out, sizeof(out)) == 0,
	    "an ASCII address");
	is_str(out, "rfc822; bob@example.com", "  rfc822");
	ok(dsn_field_addr("j\xc3\xb6rg@\xe4\xbe\x8b.jp", out, sizeof(out)) ==
	    0, "a UTF-8 address");
	is_str(out, "utf-8; j\\x{F6}rg@\\x{4F8B}.jp",
	    "  RFC 6533 utf-8-addr-xtext");
	ok(dsn_field_addr("\xf0\x9f\x93\xa7+a\\b@x.example", out, sizeof(out))
	    == 0, "four octets, '+' and '\\'");
	is_str(out, "utf-8; \\x{1F4E7}\\x{2B}a\\x{5C}b@x.example",
	    "  each character encoded as needed");
	ok(dsn_field_addr("\xc3\xa9@x", out, 12) == -1 && errno == ERANGE,
	    "no room: ERANGE");
}

int
main(void)
{
	test_notify();
	test_ret_action();
	test_xtext();
	test_envid();
	test_orcpt();
	test_fields();
	return done_testing();
}
