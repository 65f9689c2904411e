/*
 * core/mime.c: base64, quoted-printable, RFC 2047 words both ways,
 * charsets to UTF-8, fields and parameters, bodies for display.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "tap.h"

#define NIHONGO	"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"	/* 日本語 */
#define FFFD	"\xef\xbf\xbd"

static struct buf	 b;

static const char *
b64d(const char *in, int *r)
{
	buf_reset(&b);
	*r = mime_b64_decode(&b, in, strlen(in));
	return buf_str(&b);
}

static const char *
qpe(const char *in)
{
	buf_reset(&b);
	mime_qp_encode(&b, in, strlen(in));
	return buf_str(&b);
}

static const char *
qpd(const char *in)
{
	buf_reset(&b);
	mime_qp_decode(&b, in, strlen(in));
	return buf_str(&b);
}

static const char *
hdec(const char *in)
{
	buf_reset(&b);
	mime_header_decode(&b, in, strlen(in));
	return buf_str(&b);
}

static const char *
conv(const char *cs, const char *in, size_t n, int *r)
{
	buf_reset(&b);
	*r = mime_to_utf8(&b, cs, in, n);
	return buf_str(&b);
}

static const char *
param(const char *v, const char *name)
{
	buf_reset(&b);
	if (!mime_param(&b, v, name))
		return "(none)";
	return buf_str(&b);
}

static const char *
body(const char *msg)
{
	const char	*sep = strstr(msg, "\n\n");
	size_t		 hl = sep != NULL ? (size_t)(sep + 1 - msg) : strlen(msg);
	const char	*bp = sep != NULL ? sep + 2 : msg + hl;

	buf_reset(&b);
	if (mime_body_display(&b, msg, hl, bp, strlen(bp)) == -1)
		return "(failed)";
	return buf_str(&b);
}

/* Longest line of s, without its LF. */
static size_t
longest(const char *s)
{
	size_t	 max = 0, n;

	for (; *s != '\0'; s += n + (s[n] == '\n')) {
		n = strcspn(s, "\n");
		if (n > max)
			max = n;
	}
	return max;
}

static void
t_classes(void)
{
	ok(mime_is_ascii("plain text\n", 11), "ascii");
	ok(!mime_is_ascii("caf\xc3\xa9", 5), "8-bit is not ascii");
	ok(!mime_is_ascii("a\0b", 3), "NUL is not ascii");
	ok(mime_is_utf8(NIHONGO, 9), "utf-8");
	ok(!mime_is_utf8("\xc0\x80", 2), "overlong NUL refused");
	ok(!mime_is_utf8("\xe0\x80\xaf", 3), "overlong / refused");
	ok(!mime_is_utf8("\xed\xa0\x80", 3), "surrogate refused");
	ok(!mime_is_utf8("\xf4\x90\x80\x80", 4), "past U+10FFFF refused");
	ok(!mime_is_utf8("\xe6\x97", 2), "truncated sequence refused");
	ok(mime_is_utf8("\xf0\x9f\x98\x80", 4), "4-byte emoji");
}

static void
t_base64(void)
{
	char	 in[58];
	int	 r;

	buf_reset(&b);
	mime_b64_encode(&b, "", 0);
	is_str(buf_str(&b), "", "b64 of nothing");
	buf_reset(&b);
	mime_b64_encode(&b, "f", 1);
	is_str(buf_str(&b), "Zg==\n", "b64 one byte padded (RFC 4648)");
	buf_reset(&b);
	mime_b64_encode(&b, "foobar", 6);
	is_str(buf_str(&b), "Zm9vYmFy\n", "b64 foobar");
	memset(in, 'x', sizeof(in));
	buf_reset(&b);
	mime_b64_encode(&b, in, 57);
	ok(b.len == 77 && b.s[76] == '\n', "57 bytes: one line of 76");
	buf_reset(&b);
	mime_b64_encode(&b, in, 58);
	ok(b.len == 77 + 5 && longest(b.s) == 76, "58 bytes: two lines");
	is_str(b64d("Zm9v\r\nYmFy\n", &r), "foobar", "b64 across lines");
	is_int(r, 0, "b64 decode ok");
	is_str(b64d("Zm9vYg==ignored", &r), "foob", "b64 stops at padding");
	errno = 0;
	is_str(b64d("Zm9v*YmFy", &r), "foo", "b64 junk: decoded part kept");
	ok(r == -1 && errno == EINVAL, "b64 junk: EINVAL");
	is_str(b64d("5pel", &r), "\xe6\x97\xa5", "b64 of a kanji");
}

static void
t_qp(void)
{
	char	 line[101];
	size_t	 i;

	is_str(qpe("a=b\n"), "a=3Db\n", "qp: = encoded");
	is_str(qpe("end \n"), "end=20\n", "qp: trailing space encoded");
	is_str(qpe("tab\t"), "tab=09", "qp: trailing tab at end encoded");
	is_str(qpe("caf\xc3\xa9\n"), "caf=C3=A9\n", "qp: 8-bit encoded");
	is_str(qpe("From me\n"), "=46rom me\n", "qp: From at line start");
	is_str(qpe("a\n.\n"), "a\n=2E\n", "qp: dot at line start");
	is_str(qpe("x From y\n"), "x From y\n", "qp: From inside a line kept");
	memset(line, 'a', 100);
	line[100] = '\0';
	qpe(line);
	ok(longest(buf_str(&b)) <= 76, "qp: lines of 100 cut to <= 76");
	ok(strstr(buf_str(&b), "=\n") != NULL, "qp: soft break used");
	{
		char	*enc = strdup(buf_str(&b));

		is_str(qpd(enc), line, "qp: soft breaks decode back");
		free(enc);
	}
	for (i = 0; i < 100; i++)
		line[i] = i % 2 ? '=' : 'b';
	qpe(line);
	ok(longest(buf_str(&b)) <= 76, "qp: escapes never split by a break");
	is_str(qpd("soft=\nbreak\n"), "softbreak\n", "qp decode: soft break");
	is_str(qpd("soft=  \nbreak"), "softbreak", "qp: soft break with "
	    "padding");
	is_str(qpd("bad =ZZ and =4"), "bad =ZZ and =4", "qp: bad escapes "
	    "kept");
	is_str(qpd("a=3d=3D"), "a==", "qp: lower-case hex accepted");
	is_str(qpd("x  \ny\t\n"), "x\ny\n", "qp: transport padding dropped");
	is_str(qpd("caf=C3=A9 au lait"), "caf\xc3\xa9 au lait", "qp decode");
}

/* The value of the field in out (unfolded) decoded again. */
static const char *
roundtrip(const char *name)
{
	static struct buf	 v;
	char			*copy = strdup(buf_str(&b));

	buf_reset(&v);
	mime_header_get(&v, copy, strlen(copy), name);
	free(copy);
	return hdec(buf_str(&v));
}

static void
t_hencode(void)
{
	static const char long_ascii[] = "This is a long subject line that "
	    "goes on and on well past the seventy-eight octets a line may "
	    "have in a header";
	static const char jp[] = NIHONGO "\xe3\x81\xae" NIHONGO
	    NIHONGO NIHONGO NIHONGO NIHONGO NIHONGO NIHONGO NIHONGO NIHONGO
	    NIHONGO NIHONGO NIHONGO NIHONGO NIHONGO NIHONGO NIHONGO NIHONGO;
	char	 word[120];

	buf_reset(&b);
	is_int(mime_header_encode(&b, "Subject", "hello world"), 0, "encode");
	is_str(buf_str(&b), "Subject: hello world\n", "ascii as it is");
	buf_reset(&b);
	mime_header_encode(&b, "Subject", long_ascii);
	ok(longest(buf_str(&b)) <= 78, "long ascii folded under 78");
	ok(strstr(buf_str(&b), "\n ") != NULL, "folded with LF SP");
	ok(strstr(buf_str(&b), "=?") == NULL, "long ascii not encoded");
	is_str(roundtrip("Subject"), long_ascii, "fold unfolds to the value");
	buf_reset(&b);
	mime_header_encode(&b, "Subject", "caf\xc3\xa9 au lait");
	is_str(buf_str(&b), "Subject: =?UTF-8?B?Y2Fmw6k=?= au lait\n",
	    "only the 8-bit word encoded; B is shorter here");
	buf_reset(&b);
	mime_header_encode(&b, "Subject", "Zusammenfassungs\xc3\xbc" "bersicht");
	is_str(buf_str(&b), "Subject: =?UTF-8?Q?Zusammenfassungs=C3=BCbersicht?="
	    "\n", "mostly ASCII: Q is shorter");
	buf_reset(&b);
	mime_header_encode(&b, "Subject", jp);
	ok(strstr(buf_str(&b), "?B?") != NULL, "Japanese: B");
	ok(longest(buf_str(&b)) <= 78, "Japanese folded under 78: %zu",
	    longest(buf_str(&b)));
	ok(strstr(buf_str(&b), "\n =?UTF-8?B?") != NULL, "several words");
	is_str(roundtrip("Subject"), jp, "encoded words decode back");
	buf_reset(&b);
	mime_header_encode(&b, "Subject", "Re: " NIHONGO " " NIHONGO
	    " report");
	ok(strncmp(buf_str(&b), "Subject: Re: =?UTF-8?", 21) == 0,
	    "ascii prefix kept plain");
	ok(strstr(buf_str(&b), "?= report\n") != NULL, "ascii suffix plain");
	is_str(roundtrip("Subject"), "Re: " NIHONGO " " NIHONGO " report",
	    "space inside the encoded span survives");
	memset(word, 'x', 100);
	word[100] = '\0';
	buf_reset(&b);
	mime_header_encode(&b, "X-Long", word);
	ok(longest(buf_str(&b)) <= 78, "a 100-char word is encoded to fit");
	is_str(roundtrip("X-Long"), word, "and decodes back");
	buf_reset(&b);
	mime_header_encode(&b, "Subject", "=?UTF-8?Q?fake?=");
	is_str(roundtrip("Subject"), "=?UTF-8?Q?fake?=",
	    "text that looks encoded is protected");
	buf_reset(&b);
	errno = 0;
	ok(mime_header_encode(&b, "Subject", "x\r\nBcc: evil@example") == -1 &&
	    errno == EINVAL, "CR LF refused");
	is_int(b.len, 0, "nothing appended");
	ok(mime_header_encode(&b, "Subject", "x\nBcc: y") == -1, "LF refused");
	ok(mime_header_encode(&b, "Subject", "a\x1b[31m") == -1, "ESC refused");
	ok(mime_header_encode(&b, "Subject", "a\xc2\x9b" "31m") == -1,
	    "C1 control (CSI) refused");
	ok(mime_header_encode(&b, "Subject", "caf\xe9") == -1,
	    "Latin-1 bytes (not UTF-8) refused");
	ok(mime_header_encode(&b, "Bad Name", "x") == -1, "bad field name");
	ok(mime_header_encode(&b, "Subject", "tab\there") == 0,
	    "a tab is white space");
	buf_reset(&b);
	mime_header_encode(&b, "Subject", "");
	is_str(buf_str(&b), "Subject: \n", "empty value");
}

static void
t_hdecode(void)
{
	/* RFC 2047 section 8 */
	is_str(hdec("(=?ISO-8859-1?Q?a?=)"), "(a)", "2047: (a)");
	is_str(hdec("(=?ISO-8859-1?Q?a?= b)"), "(a b)", "2047: (a b)");
	is_str(hdec("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)"), "(ab)",
	    "2047: adjacent words joined");
	is_str(hdec("(=?ISO-8859-1?Q?a?=  \t =?ISO-8859-1?Q?b?=)"), "(ab)",
	    "2047: any white space between words dropped");
	is_str(hdec("(=?ISO-8859-1?Q?a?=\n    =?ISO-8859-1?Q?b?=)"), "(ab)",
	    "2047: a fold between words dropped");
	is_str(hdec("(=?ISO-8859-1?Q?a_b?=)"), "(a b)", "2047: _ is space");
	is_str(hdec("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)"), "(a b)",
	    "2047: charsets change between words");
	is_str(hdec("=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>"),
	    "Keith Moore <moore@cs.utk.edu>", "2047: display name");
	is_str(hdec("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>"),
	    "Andr\xc3\xa9 Pirard <PIRARD@vm1.ulg.ac.be>", "2047: Latin-1");
	is_str(hdec("=?US-ASCII*EN?Q?Keith_Moore?="), "Keith Moore",
	    "2231: language suffix");
	is_str(hdec("=?utf-8?b?5pel5pys6Kqe?="), NIHONGO, "lower-case b");
	is_str(hdec("=?UTF-8?B?5pc=?= =?UTF-8?B?peacrOiqng==?="), NIHONGO,
	    "a character cut between two words");
	is_str(hdec("=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?="), NIHONGO,
	    "ISO-2022-JP word");
	is_str(hdec("=?iso-2022-jp?B?GyRCRnxLXDhsJE4lYSE8JWsbKEI=?="),
	    NIHONGO "\xe3\x81\xae\xe3\x83\xa1\xe3\x83\xbc\xe3\x83\xab",
	    "ISO-2022-JP: 日本語のメール");
	is_str(hdec("=?x-unknown?Q?abc?= z"), "=?x-unknown?Q?abc?= z",
	    "unknown charset: word kept");
	is_str(hdec("=?UTF-8?B?@@@@?="), "=?UTF-8?B?@@@@?=", "bad b64 kept");
	is_str(hdec("=?UTF-8?Q?a b?="), "=?UTF-8?Q?a b?=", "space in a word: "
	    "not a word");
	is_str(hdec("a =?UTF-8?Q?x?"), "a =?UTF-8?Q?x?", "unterminated kept");
	is_str(hdec("caf\xe9"), "caf\xc3\xa9", "raw 8-bit, not UTF-8: Latin-1");
	is_str(hdec("caf\xc3\xa9"), "caf\xc3\xa9", "raw UTF-8 kept");
	is_str(hdec("=?UTF-8?Q?a=1B[31mb?="), "a" FFFD "[31mb",
	    "ESC from a word is not passed to the terminal");
	is_str(hdec("=?UTF-8?Q?=FF?="), FFFD, "invalid UTF-8 in a word");
	is_str(hdec("x=?UTF-8?Q?y?=z"), "xyz", "a word inside text decoded");
	is_str(hdec(""), "", "empty");
}

static void
t_charsets(void)
{
	int	 r;

	is_str(conv("ISO-2022-JP", "\x1b$BF|K\\8l\x1b(B", 12, &r), NIHONGO,
	    "ISO-2022-JP");
	is_str(conv("Shift_JIS", "\x93\xfa\x96{\x8c\xea", 6, &r), NIHONGO,
	    "Shift_JIS");
	is_str(conv("sjis", "\x93\xfa\x96{\x8c\xea", 6, &r), NIHONGO, "sjis");
	is_str(conv("CP932", "\x93\xfa\x96{\x8c\xea", 6, &r), NIHONGO, "cp932");
	is_str(conv("windows-31j", "\x93\xfa", 2, &r), "\xe6\x97\xa5",
	    "windows-31j");
	is_str(conv("EUC-JP", "\xc6\xfc\xcb\xdc\xb8\xec", 6, &r), NIHONGO,
	    "EUC-JP");
	is_str(conv("euc-jp", "\xc6\xfc\xcb\xdc\xb8\xec", 6, &r), NIHONGO,
	    "euc-jp lower case");
	is_str(conv("UTF-8", NIHONGO, 9, &r), NIHONGO, "UTF-8");
	is_str(conv("ISO-8859-1", "caf\xe9", 4, &r), "caf\xc3\xa9", "Latin-1");
	is_str(conv("iso-8859-15", "\xa4", 1, &r), "\xe2\x82\xac",
	    "ISO-8859-15 euro");
	is_str(conv("Shift_JIS", "a\\~", 3, &r), "a\\~",
	    "Shift_JIS: ASCII stays ASCII");
	is_str(conv("CP932", "\x87\x40", 2, &r), "\xe2\x91\xa0",
	    "CP932: NEC row 13 circled one");
	is_str(conv("Shift_JIS", "\x87\x40", 2, &r), "\xe2\x91\xa0",
	    "Shift_JIS mail written by Windows: circled one");
	is_str(conv("CP932", "\x81\x60", 2, &r), "\xef\xbd\x9e",
	    "CP932 0x8160: FULLWIDTH TILDE");
	is_str(conv("Shift_JIS", "\x81\x60", 2, &r), "\xe3\x80\x9c",
	    "Shift_JIS 0x8160: WAVE DASH");
	is_str(conv("Shift_JIS", "\xb1", 1, &r), "\xef\xbd\xb1",
	    "Shift_JIS: half-width katakana");
	is_str(conv("Shift_JIS", "\x93\xff" "A", 3, &r), FFFD FFFD "A",
	    "Shift_JIS: bad trail byte");
	is_str(conv("Shift_JIS", "x\x93", 2, &r), "x" FFFD,
	    "Shift_JIS: cut at the end");
	is_str(conv("EUC-JP", "\xc6", 1, &r), FFFD, "EUC-JP: cut at the end");
	is_str(conv("UTF-8", "a\xff" "b", 3, &r), "a" FFFD "b",
	    "UTF-8: invalid byte");
	is_str(conv("UTF-8", "\xe6\x97", 2, &r), FFFD, "UTF-8: a cut "
	    "character is one U+FFFD");
	is_str(conv("us-ascii", "a\x80", 2, &r), "a" FFFD, "ASCII: 8-bit");
	is_str(conv("ISO-2022-JP", "\x1b$B\x74\x7e\x1b(Bok", 10, &r),
	    FFFD "ok", "ISO-2022-JP: a bad pair is one U+FFFD");
	buf_reset(&b);
	errno = 0;
	ok(mime_to_utf8(&b, "x-no-such", "abc", 3) == -1 && errno == ENOTSUP,
	    "unknown charset: ENOTSUP");
	is_int(b.len, 0, "nothing appended");
	ok(mime_to_utf8(&b, "UTF-8\"; x", "abc", 3) == -1, "odd name refused");
}

static void
t_fields(void)
{
	static const char h[] = "From: a@example\nSubject: one\n two\n"
	    "\tthree\nX-Empty:\nsubject: second\n\nSubject: in body\n";

	buf_reset(&b);
	is_int(mime_header_get(&b, h, sizeof(h) - 1, "SUBJECT"), 1, "found");
	is_str(buf_str(&b), "one two three", "unfolded");
	buf_reset(&b);
	is_int(mime_header_get(&b, h, sizeof(h) - 1, "X-Empty"), 1, "empty");
	is_str(buf_str(&b), "", "empty value");
	buf_reset(&b);
	is_int(mime_header_get(&b, h, sizeof(h) - 1, "To"), 0, "missing");
	is_int(mime_header_get(&b, h, sizeof(h) - 1, "From:"), 0, "no colon "
	    "in names");
	is_int(mime_header_get(&b, h, sizeof(h) - 1, "Subj"), 0, "prefix "
	    "does not match");
	is_str(param("text/plain; charset=\"ISO-2022-JP\"", "charset"),
	    "ISO-2022-JP", "quoted parameter");
	is_str(param("text/plain;CHARSET=us-ascii (comment)", "charset"),
	    "us-ascii (comment)", "token parameter");
	is_str(param("text/plain; format=flowed", "charset"), "(none)",
	    "missing parameter");
	is_str(param("attachment; filename=\"a \\\"b\\\".txt\"", "filename"),
	    "a \"b\".txt", "backslash in quotes");
	is_str(param("attachment; filename*=UTF-8''%e6%97%a5.txt", "filename"),
	    "\xe6\x97\xa5.txt", "2231: charset'lang'%%XX");
	is_str(param("attachment; filename*0=\"abc\"; filename*1=\"def.txt\"",
	    "filename"), "abcdef.txt", "2231: continuations");
	is_str(param("a; name*1*=%A5; name*0*=UTF-8'ja'%E6%97", "name"),
	    "\xe6\x97\xa5", "2231: encoded continuations, any order");
	is_str(param("a; filename=\"plain\"; filename*=UTF-8''better",
	    "filename"), "better", "2231 form preferred");
	is_str(param("multipart/mixed; boundary=\"=_x\"; b=1", "boundary"),
	    "=_x", "boundary");
}

static void
t_body(void)
{
	const char	*s;

	is_str(body("Content-Type: text/plain; charset=ISO-8859-1\n"
	    "Content-Transfer-Encoding: quoted-printable\n\ncaf=E9=\n!\n"),
	    "caf\xc3\xa9!\n", "qp Latin-1 body");
	is_str(body("Content-Type: text/plain; charset=\"iso-2022-jp\"\n"
	    "Content-Transfer-Encoding: base64\n\nGyRCRnxLXDhsGyhC\n"),
	    NIHONGO "\n", "base64 ISO-2022-JP body");
	is_str(body("Content-Type: text/plain; charset=Shift_JIS\n\n"
	    "\x93\xfa\x96{\x8c\xea\n"), NIHONGO "\n", "8bit Shift_JIS body");
	is_str(body("Subject: x\n\nplain caf\xc3\xa9\n"), "plain caf\xc3\xa9\n",
	    "no MIME, UTF-8 bytes");
	is_str(body("Subject: x\n\nplain caf\xe9\n"), "plain caf\xc3\xa9\n",
	    "no MIME, Latin-1 bytes");
	is_str(body("Subject: x\n\nbell\x07 esc\x1b[2J\r\n"), "bell" FFFD
	    " esc" FFFD "[2J\n", "controls made harmless, CR LF ends");
	is_str(body("Content-Type: text/plain; charset=x-martian\n\nhi\n"),
	    "hi\n", "unknown charset shown as it is");
	s = body("Content-Type: multipart/mixed; boundary=\"XX\"\n\n"
	    "preamble\n--XX\nContent-Type: text/plain; charset=utf-8\n\n"
	    "Hello\n--XX\nContent-Type: application/pdf; name=\"r.pdf\"\n"
	    "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--XX--\n"
	    "epilogue\n");
	is_str(s, "Hello\n[-- Attachment #1: r.pdf (application/pdf, 9 bytes)"
	    " --]\n", "mixed: text shown, pdf listed with its decoded size");
	s = body("Content-Type: multipart/mixed; boundary=o\n\n--o\n"
	    "Content-Type: multipart/alternative; boundary=i\n\n--i\n"
	    "Content-Type: text/html\n\n<p>html</p>\n--i\n"
	    "Content-Type: text/plain\n\nplain\n--i--\n--o\n"
	    "Content-Type: image/png\nContent-Disposition: attachment; "
	    "filename=\"=?UTF-8?B?5pel?=.png\"\n\nPNG\n--o--\n");
	is_str(s, "plain\n[-- Attachment #1: \xe6\x97\xa5.png (image/png, "
	    "3 bytes) --]\n", "nested alternative: the plain part; name "
	    "decoded");
	is_str(body("Content-Type: multipart/mixed\n\n--x\nabc\n"),
	    "--x\nabc\n", "no boundary parameter: shown as text");
	is_str(body("Content-Type: multipart/mixed; boundary=zz\n\nno parts "
	    "here\n"), "no parts here\n", "boundary never there: as text");
	is_str(body("Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n"
	    "\none\n--b\n\ntwo\n--b--\n"), "one\ntwo\n",
	    "duplicate boundary: empty part skipped");
	is_str(body("Content-Type: multipart/mixed; boundary=b\n\n--b\n\n"
	    "unclosed\n"), "unclosed\n", "closing boundary missing");
	is_str(body("Content-Type: multipart/mixed; boundary=b\n\n--bb\n\n"
	    "x\n--b\n\ny\n--b--\n"), "y\n", "a longer boundary is not ours");
	is_str(body("Content-Type: text/plain\nContent-Transfer-Encoding: "
	    "base64\n\nZm9v!!Ym\nFy\n"), "foobar\n", "base64 junk skipped");
	s = body("Content-Type: message/rfc822\n\nFrom: a@b\nSubject: "
	    "=?UTF-8?B?5pel?=\n\ninner\n");
	is_str(s, "[-- Message --]\nFrom: a@b\nSubject: \xe6\x97\xa5\n\n"
	    "inner\n", "message/rfc822 shown");
	{
		struct buf	 deep;
		int		 i;

		buf_init(&deep, 0);
		buf_adds(&deep, "Content-Type: multipart/mixed; boundary=a0\n\n");
		for (i = 0; i < 20; i++)
			buf_printf(&deep, "--a%d\nContent-Type: multipart/mixed; "
			    "boundary=a%d\n\n", i, i + 1);
		buf_adds(&deep, "--a20\n\ndeep\n");
		s = body(deep.s);
		ok(strstr(s, "[-- Attachment #1:") != NULL,
		    "nesting past the limit: listed, no crash");
		buf_free(&deep);
	}
	is_str(body("Content-Type: text/html\n\n<b>x</b>\n"), "<b>x</b>\n",
	    "a lone html part is shown");
}

/* MIME as found in the wild: each one a bug seen in real mail. */
static void
t_wild(void)
{
	const char	*s;

	s = body("Content-Type: multipart/mixed; boundary=\"B\"\n\n"
	    "--B\nContent-Type: text/plain\n\nfirst part\n"
	    "--B\nContent-Type: text/plain\n\nsecond part\n--B-->\n");
	is_str(s, "first part\nsecond part\n--B-->\n",
	    "'--B-->' is text, not the end: the part in progress is kept");
	s = body("Content-Type: multipart/mixed; boundary=\"outer\"\n\n"
	    "--outer\nContent-Type: multipart/alternative; "
	    "boundary=\"outer--x\"\n\n--outer--x\n"
	    "Content-Type: text/plain\n\ninner text\n--outer--x--\n"
	    "--outer--\n");
	is_str(s, "inner text\n", "an inner boundary extending the outer one");
	s = body("Content-Type: multipart/mixed; boundary=\"B\"\n\n"
	    "--B\nContent-Type: message/rfc822\n\n"
	    "[original message removed]\n--B--\n");
	is_str(s, "[-- Message --]\n\n[original message removed]\n",
	    "message/rfc822 without a header section: its text shown");
	s = body("Content-Type: multipart/mixed; boundary=\"B\"\n\n"
	    "--B\nContent-Type: text/plain\nnot a field\nX-Late: y\n\n"
	    "text\n--B--\n");
	is_str(s, "not a field\nX-Late: y\n\ntext\n",
	    "header section rule: a line neither field nor fold starts the body");
	s = body("Content-Type: multipart/mixed; boundary=\"B\"\n\n"
	    "--B\nContent-Type: text/plain\nX-Folded: a\n\tb\n"
	    "From here: too\n\ntext\n--B--\n");
	is_str(s, "text\n", "folds and 'From ' lines stay in the section");
	s = body("Content-Type: multipart/*; boundary=\"B\"\n\n"
	    "--B\nContent-Type: text/plain\n\nstar part\n--B--\n");
	is_str(s, "star part\n", "multipart/* is a multipart (RFC 2045 token)");
	is_str(hdec("=?iso-8859-1?Q?Die_Fr=F6sche_und_Fr\xc3\xb6sche?="),
	    "Die Fr\xc3\xb6sche und Fr\xc3\xb6sche",
	    "an encoded word with raw UTF-8 in it is decoded");
	s = body("Content-Type: text/plain; charset=us-ascii\n"
	    "Content-Transfer-Encoding: base64\n\n"
	    "Hello, this is plain text, not base64!\n");
	is_str(s, "Hello, this is plain text, not base64!\n",
	    "text labelled base64 that is not base64 shown as it is");
	s = body("Content-Type: multipart/mixed; boundary=\"B\"\n\n"
	    "--B\nContent-Type: application/octet-stream; name=\"a.txt\"\n"
	    "Content-Transfer-Encoding: x-uuencode\n\n"
	    "begin 644 a.txt\n,:&5L;&\\@=V]R;&0*\n`\nend\n--B--\n");
	is_str(s, "[-- Attachment #1: a.txt (application/octet-stream, "
	    "12 bytes) --]\n", "x-uuencode: the decoded size");
	is_str(body("Content-Type: text/plain; charset=big5\n\n"
	    "\xa4\xa4\xa4\xe5 ok\n"), "[-- charset big5 not supported --]\n"
	    FFFD FFFD FFFD FFFD " ok\n",
	    "a charset not built: said, text undecoded, no mojibake");
	is_str(body("Content-Type: text/plain; charset=koi8-r\n\n"
	    "\xf0\xd2\xc9\xd7\xc5\xd4\n"), "\xd0\x9f\xd1\x80\xd0\xb8"
	    "\xd0\xb2\xd0\xb5\xd1\x82\n", "a KOI8-R body");
}

static void
t_types(void)
{
	is_str(mime_type_by_name("report.PDF"), "application/pdf", "pdf");
	is_str(mime_type_by_name("/tmp/a.b/photo.jpeg"), "image/jpeg", "jpeg");
	is_str(mime_type_by_name("notes.txt"), "text/plain", "txt");
	is_str(mime_type_by_name("Makefile"), "application/octet-stream",
	    "no extension");
	is_str(mime_type_by_name("dir.d/file"), "application/octet-stream",
	    "dot in a directory only");
	is_str(mime_type_by_name("x.unknownext"), "application/octet-stream",
	    "unknown extension");
}

int
main(void)
{
	buf_init(&b, 0);
	t_classes();
	t_base64();
	t_qp();
	t_hencode();
	t_hdecode();
	t_charsets();
	t_fields();
	t_body();
	t_wild();
	t_types();
	ok(!buf_failed(&b), "no allocation failure");
	buf_free(&b);
	return done_testing();
}
