/*
 * core/msg.c: message intake, msg_date, msg_phrase.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "msg.h"
#include "tap.h"

#define NOW	((time_t)1700000000)	/* 2023-11-14 22:13:20 UTC */

struct run {
	char		*out;
	size_t		 outlen;
	int		 rline;		/* -1 if a msg_in_line failed */
	int		 rend;
	struct msg_in	 m;
};

static void
opts_init(struct msg_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->hostname = "mail.example";
	o->qid = "4XyZ0123";
	o->now = NOW;
	o->max_size = 36700160;
}

/* Feed in line by line ("\n" ends each; a last piece without one is a
   line too); keep the output and the msg_in for inspection. */
static void
run(struct run *r, const struct msg_opts *o, const char *in)
{
	FILE		*f;
	const char	*p = in, *nl;

	memset(r, 0, sizeof(*r));
	if ((f = open_memstream(&r->out, &r->outlen)) == NULL) {
		perror("open_memstream");
		exit(1);
	}
	msg_in_begin(&r->m, f, o);
	while (*p != '\0' && r->rline == 0) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		r->rline = msg_in_line(&r->m, p, (size_t)(nl - p));
		p = *nl == '\n' ? nl + 1 : nl;
	}
	r->rend = r->rline == 0 ? msg_in_end(&r->m) : -1;
	fclose(f);
}

static void
run_free(struct run *r)
{
	msg_in_free(&r->m);
	free(r->out);
}

static void
plain(const char *what, const char *in, const char *want)
{
	struct msg_opts	 o;
	struct run	 r;

	opts_init(&o);
	run(&r, &o, in);
	ok(r.rline == 0 && r.rend == 0, "%s: accepted", what);
	is_str(r.out, want, "%s: output", what);
	run_free(&r);
}

static void
test_shapes(void)
{
	plain("simple", "From: a@x.example\nSubject: hi\n\nbody\n\nend\n",
	    "From: a@x.example\nSubject: hi\n\nbody\n\nend\n");
	plain("folded field", "Subject: a\n\tb\n c\n\nbody\n",
	    "Subject: a\n\tb\n c\n\nbody\n");
	plain("no blank line, no body", "From: a@x.example\nSubject: s\n",
	    "From: a@x.example\nSubject: s\n");
	plain("blank line, empty body", "From: a@x.example\n\n",
	    "From: a@x.example\n\n");
	plain("empty input", "", "");
	plain("first line not a header", "hello world\nSubject: no\n",
	    "\nhello world\nSubject: no\n");
	plain("first line a continuation", " indented\nx\n",
	    "\n indented\nx\n");
	plain("non-field ends the header", "Subject: s\nnot a field\nTo: b\n",
	    "Subject: s\n\nnot a field\nTo: b\n");
	plain("space in a field name", "Bad Name: x\n", "\nBad Name: x\n");
	plain("no colon", "Subject\n", "\nSubject\n");
	plain("empty field name", ": x\n", "\n: x\n");
	plain("odd but legal field name", "X-Ok!#~: v\n\nb\n",
	    "X-Ok!#~: v\n\nb\n");
	plain("stray CR kept as given", "Subject: s\r\n\nbody\r\n",
	    "Subject: s\r\n\nbody\r\n");
	plain("Bcc kept without -t", "Bcc: x@y.example\n\nb\n",
	    "Bcc: x@y.example\n\nb\n");
}

static void
test_received(void)
{
	struct msg_opts	 o;
	struct run	 r;

	opts_init(&o);
	o.received = "by mail.example (hikyaku)\n\tid 4XyZ0123; date";
	run(&r, &o, "Subject: s\n\nbody\n");
	is_str(r.out, "Received: by mail.example (hikyaku)\n\tid 4XyZ0123; "
	    "date\nSubject: s\n\nbody\n", "Received: goes first");
	run_free(&r);
	run(&r, &o, "body only\n");
	is_str(r.out, "Received: by mail.example (hikyaku)\n\tid 4XyZ0123; "
	    "date\n\nbody only\n", "Received: before a body with no header");
	run_free(&r);
}

static void
test_extract(void)
{
	struct msg_opts	 o;
	struct run	 r;
	const char	*want[] = {
		"a@x.example", "b@y.example", "c@z.example",
		"secret@w.example", "other@w.example", "last@v.example",
	};

	opts_init(&o);
	o.extract_rcpts = 1;
	run(&r, &o,
	    "to: A <a@x.example>, b@Y.example\n"
	    "Subject: s\n"
	    "BCC: secret@w.example,\n"
	    "  other@w.example\n"
	    "Resent-To: not@used.example\n"
	    "Cc: c@z.example\n"
	    "bcc: last@v.example\n"
	    "\n"
	    "Bcc: body@is.body\n");
	ok(r.rline == 0 && r.rend == 0, "-t: accepted");
	is_int(r.m.nrcpts, 6, "-t: six recipients");
	/* In field order: To, Bcc, Cc, Bcc. */
	is_str(r.m.nrcpts > 0 ? r.m.rcpts[0] : NULL, want[0], "-t: To first");
	is_str(r.m.nrcpts > 1 ? r.m.rcpts[1] : NULL, want[1],
	    "-t: domain lower-cased");
	is_str(r.m.nrcpts > 2 ? r.m.rcpts[2] : NULL, want[3], "-t: Bcc");
	is_str(r.m.nrcpts > 3 ? r.m.rcpts[3] : NULL, want[4],
	    "-t: Bcc continuation line");
	is_str(r.m.nrcpts > 4 ? r.m.rcpts[4] : NULL, want[2], "-t: Cc");
	is_str(r.m.nrcpts > 5 ? r.m.rcpts[5] : NULL, want[5],
	    "-t: Bcc just before the blank line");
	is_str(r.out, "to: A <a@x.example>, b@Y.example\nSubject: s\n"
	    "Resent-To: not@used.example\nCc: c@z.example\n\n"
	    "Bcc: body@is.body\n",
	    "-t: Bcc fields and their continuations dropped, body untouched");
	run_free(&r);

	run(&r, &o, "To: undisclosed-recipients:;\nCc: root\n");
	is_int(r.rend, 0, "-t: group and unqualified");
	is_int(r.m.nrcpts, 1, "  one recipient");
	is_str(r.m.nrcpts > 0 ? r.m.rcpts[0] : NULL, "root",
	    "  unqualified passed as is");
	run_free(&r);

	run(&r, &o, "Bcc: only@x.example\n");
	is_str(r.out, "", "-t: a lone Bcc, headers only, leaves nothing");
	is_int(r.m.nrcpts, 1, "  but its recipient");
	run_free(&r);
}

static void
test_extract_errors(void)
{
	struct msg_opts	 o;
	struct run	 r;
	struct buf	 in;
	int		 i;

	opts_init(&o);
	o.extract_rcpts = 1;
	run(&r, &o, "To: John Doe\n\nbody\n");
	is_int(r.rline, -1, "bad To: refused");
	is_int(r.m.err, MSG_ERR_RCPT, "  MSG_ERR_RCPT");
	ok(strncmp(r.m.errtext, "To: header: ", 12) == 0, "  errtext '%s'",
	    r.m.errtext);
	run_free(&r);

	run(&r, &o, "cc: a@b@c.example\n");
	is_int(r.rend, -1, "bad Cc: refused at the end");
	is_int(r.m.err, MSG_ERR_RCPT, "  MSG_ERR_RCPT");
	ok(strncmp(r.m.errtext, "Cc: header: ", 12) == 0, "  errtext '%s'",
	    r.m.errtext);
	run_free(&r);

	run(&r, &o, "Bcc: a,\r\n b@x.example\n");
	ok(r.rend == 0 && r.m.nrcpts == 2, "CR inside a folded Bcc is space");
	run_free(&r);

	buf_init(&in, 0);
	buf_adds(&in, "To: x0@a.example");
	for (i = 1; i < LIM_HEADER_RCPTS; i++)
		buf_printf(&in, ",\n x%d@a.example", i);
	buf_adds(&in, "\n\nbody\n");
	run(&r, &o, buf_str(&in));
	ok(r.rend == 0 && r.m.nrcpts == LIM_HEADER_RCPTS,
	    "exactly %d recipients are fine", LIM_HEADER_RCPTS);
	run_free(&r);
	buf_reset(&in);
	buf_adds(&in, "To: x0@a.example");
	for (i = 1; i < LIM_HEADER_RCPTS; i++)
		buf_printf(&in, ",\n x%d@a.example", i);
	buf_adds(&in, "\nCc: one-more@b.example\n\nbody\n");
	run(&r, &o, buf_str(&in));
	is_int(r.rline, -1, "%d recipients are too many",
	    LIM_HEADER_RCPTS + 1);
	is_int(r.m.err, MSG_ERR_TOOMANY, "  MSG_ERR_TOOMANY");
	run_free(&r);
	buf_free(&in);
}

static void
test_nul(void)
{
	struct msg_opts	 o;
	struct msg_in	 m;
	FILE		*f;
	char		*out = NULL;
	size_t		 outlen;

	opts_init(&o);
	f = open_memstream(&out, &outlen);
	msg_in_begin(&m, f, &o);
	is_int(msg_in_line(&m, "Subject: s", 10), 0, "line 1");
	is_int(msg_in_line(&m, "", 0), 0, "line 2");
	is_int(msg_in_line(&m, "ab\0cd", 5), -1, "NUL in line 3 refused");
	is_int(m.err, MSG_ERR_NUL, "  MSG_ERR_NUL");
	is_str(m.errtext, "message contains a NUL byte (line 3)", "  errtext");
	is_int(msg_in_line(&m, "more", 4), -1, "  later lines refused too");
	is_int(msg_in_end(&m), -1, "  and the end");
	msg_in_free(&m);
	fclose(f);
	free(out);

	f = open_memstream(&out, &outlen);
	msg_in_begin(&m, f, &o);
	is_int(msg_in_line(&m, "Subject: a\0", 11), -1,
	    "NUL at the end of a header line refused");
	is_str(m.errtext, "message contains a NUL byte (line 1)", "  errtext");
	msg_in_free(&m);
	fclose(f);
	free(out);
}

static void
test_size(void)
{
	const char	*in = "Subject: s\n\n0123456789\n";	/* 23 bytes */
	struct msg_opts	 o;
	struct run	 r;

	opts_init(&o);
	o.max_size = 23;
	run(&r, &o, in);
	ok(r.rline == 0 && r.rend == 0, "exactly max_size is accepted");
	run_free(&r);
	o.max_size = 22;
	run(&r, &o, in);
	is_int(r.rline, -1, "one byte over max_size is refused");
	is_int(r.m.err, MSG_ERR_SIZE, "  MSG_ERR_SIZE");
	is_str(r.m.errtext, "message exceeds the size limit of 22 bytes "
	    "(max_size)", "  errtext names the limit");
	run_free(&r);
	o.max_size = 36700160;
	run(&r, &o, "Subject: x\n");
	is_int(r.rend, 0, "default-sized limit");
	run_free(&r);
}

static void
test_header_limit(void)
{
	struct msg_opts	 o;
	struct msg_in	 m;
	FILE		*f;
	char		 line[1000];
	int		 i, r = 0;

	opts_init(&o);
	o.max_size = 0;
	if ((f = fopen("/dev/null", "w")) == NULL) {
		ok(0, "open /dev/null");
		return;
	}
	memset(line, 'x', sizeof(line));
	memcpy(line, "X-Big: ", 7);
	msg_in_begin(&m, f, &o);
	/* 261 lines of 1001 bytes fit in 256 KiB; the 262nd does not. */
	for (i = 0; i < 261 && r == 0; i++)
		r = msg_in_line(&m, line, sizeof(line));
	is_int(r, 0, "261 KB-lines of header fit");
	is_int(msg_in_line(&m, line, sizeof(line)), -1,
	    "one more is over LIM_HEADERS");
	is_int(m.err, MSG_ERR_HEADERS, "  MSG_ERR_HEADERS");
	ok(strstr(m.errtext, "262144") != NULL, "  errtext names the limit: %s",
	    m.errtext);
	msg_in_free(&m);
	fclose(f);
}

static void
test_add_missing(void)
{
	struct msg_opts	 o;
	struct run	 r;
	char		 date[64], want[512];

	opts_init(&o);
	o.add_missing = 1;
	o.from_addr = "user@mail.example";
	o.from_name = "Jane Q. User";
	msg_date(NOW, date, sizeof(date));
	run(&r, &o, "Subject: s\n\nbody\n");
	snprintf(want, sizeof(want), "Subject: s\n"
	    "From: \"Jane Q. User\" <user@mail.example>\n"
	    "Date: %s\n"
	    "Message-ID: <20231114221320.4XyZ0123@mail.example>\n"
	    "\nbody\n", date);
	is_str(r.out, want, "From, Date, Message-ID added after the others");
	run_free(&r);

	o.received = "by h";
	o.from_name = NULL;
	run(&r, &o, "");
	snprintf(want, sizeof(want), "Received: by h\n"
	    "From: user@mail.example\n"
	    "Date: %s\n"
	    "Message-ID: <20231114221320.4XyZ0123@mail.example>\n", date);
	is_str(r.out, want, "empty input: Received first, From without name");
	run_free(&r);
	o.received = NULL;

	run(&r, &o, "from: x@y.example\nDATE: whenever\n"
	    "message-id: <a@b>\n\nbody\n");
	is_str(r.out, "from: x@y.example\nDATE: whenever\n"
	    "message-id: <a@b>\n\nbody\n", "nothing added when all present");
	ok(r.m.seen_from && r.m.seen_date && r.m.seen_msgid,
	    "  all three seen, in any case");
	run_free(&r);

	run(&r, &o, "Message-Id: <a@b>\nFrom-Not: x\n\nbody\n");
	snprintf(want, sizeof(want), "Message-Id: <a@b>\nFrom-Not: x\n"
	    "From: user@mail.example\nDate: %s\n\nbody\n", date);
	is_str(r.out, want, "only the missing ones; From-Not is not From");
	run_free(&r);

}

static void
test_add_from(void)
{
	struct msg_opts	 o;
	struct run	 r;

	opts_init(&o);
	o.add_missing = 1;
	o.from_addr = "user@mail.example";
	o.add_missing = 0;
	run(&r, &o, "Subject: s\n\nbody\n");
	is_str(r.out, "Subject: s\n\nbody\n",
	    "nothing added without add_missing");
	run_free(&r);

	o.add_missing = 1;
	o.from_name = "\xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e"
	    "\xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e"
	    "\xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e"
	    "\xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e";
	run(&r, &o, "Date: d\nMessage-ID: <a@b>\n\nbody\n");
	is_str(r.out, "Date: d\nMessage-ID: <a@b>\n"
	    "From: =?UTF-8?B?5bGx55Sw5aSq6YOO5bGx55Sw5aSq6YOO5bGx55Sw5aSq6YOO"
	    "5bGx55Sw5aSq?=\n =?UTF-8?B?6YOO?= <user@mail.example>\n\nbody\n",
	    "a long UTF-8 name: encoded words, folded");
	run_free(&r);

	o.from_name = "bad\r\nBcc: evil@example";
	run(&r, &o, "Date: d\nMessage-ID: <a@b>\n\nbody\n");
	is_str(r.out, "Date: d\nMessage-ID: <a@b>\n"
	    "From: user@mail.example\n\nbody\n",
	    "a name with CR LF is left out, not injected");
	run_free(&r);
}

static void
test_io_error(void)
{
	struct msg_opts	 o;
	struct msg_in	 m;
	FILE		*f;

	opts_init(&o);
	if ((f = fopen("/dev/full", "w")) == NULL) {
		ok(1, "# SKIP no /dev/full");
		return;
	}
	msg_in_begin(&m, f, &o);
	msg_in_line(&m, "Subject: s", 10);
	msg_in_line(&m, "", 0);
	msg_in_line(&m, "body", 4);
	is_int(msg_in_end(&m), -1, "write error reported by msg_in_end");
	is_int(m.err, MSG_ERR_IO, "  MSG_ERR_IO");
	is_int(m.sys_errno, ENOSPC, "  ENOSPC kept");
	msg_in_free(&m);
	fclose(f);
}

static void
test_date(void)
{
	char	 d[64];

	setenv("TZ", "UTC0", 1);
	tzset();
	msg_date(0, d, sizeof(d));
	is_str(d, "Thu, 01 Jan 1970 00:00:00 +0000", "msg_date in UTC");
	setenv("TZ", "JST-9", 1);
	tzset();
	msg_date(NOW, d, sizeof(d));
	is_str(d, "Wed, 15 Nov 2023 07:13:20 +0900", "msg_date in JST");
	setenv("TZ", "NST3:30", 1);
	tzset();
	msg_date(NOW, d, sizeof(d));
	is_str(d, "Tue, 14 Nov 2023 18:43:20 -0330",
	    "msg_date, half an hour off, west");
	setenv("TZ", "UTC0", 1);
	tzset();
}

static int
b64val(int c)
{
	const char	*a =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char	*p = c != '\0' ? strchr(a, c) : NULL;

	return p != NULL ? (int)(p - a) : -1;
}

/* Decode the B words of s; check each is <= 75 and whole UTF-8. */
static int
decode_words(const char *s, char *out, size_t len)
{
	const char	*w, *e;
	size_t		 n = 0, i, start;
	unsigned long	 v;
	int		 k;

	for (w = s; *w != '\0'; w = *e == ' ' ? e + 1 : e) {
		if ((e = strchr(w, ' ')) == NULL)
			e = w + strlen(w);
		if (e - w > 75 || strncmp(w, "=?UTF-8?B?", 10) != 0 ||
		    strncmp(e - 2, "?=", 2) != 0 || (e - w - 12) % 4 != 0)
			return -1;
		start = n;
		for (i = 10; i < (size_t)(e - w) - 2; i += 4) {
			for (v = 0, k = 0; k < 4; k++)
				v = v << 6 | (unsigned long)(w[i + k] == '=' ?
				    0 : b64val(w[i + k]));
			if (n + 3 >= len)
				return -1;
			out[n++] = (char)(v >> 16);
			if (w[i + 2] != '=')
				out[n++] = (char)(v >> 8);
			if (w[i + 3] != '=')
				out[n++] = (char)v;
		}
		/* A word must not start with a continuation byte. */
		if (((unsigned char)out[start] & 0xc0) == 0x80)
			return -1;
	}
	out[n] = '\0';
	return 0;
}

static void
phrase_is(const char *name, const char *want, const char *what)
{
	struct buf	 b;

	buf_init(&b, 0);
	is_int(msg_phrase(name, &b), 0, "msg_phrase: %s", what);
	is_str(buf_str(&b), want, "  phrase for %s", what);
	buf_free(&b);
}

static void
test_phrase(void)
{
	struct buf	 b;
	char		 name[200], dec[400];
	int		 i;

	phrase_is("John Doe", "John Doe", "atoms as they are");
	phrase_is("Doe, John", "\"Doe, John\"", "specials quoted");
	phrase_is("J. Doe", "\"J. Doe\"", "a dot is a special");
	phrase_is("say \"hi\" \\o/", "\"say \\\"hi\\\" \\\\o/\"",
	    "quotes and backslashes escaped");
	phrase_is("=?UTF-8?Q?x?=", "\"=?UTF-8?Q?x?=\"", "no fake encoded word");
	phrase_is(" pad", "\" pad\"", "leading space quoted");
	phrase_is("Jos\xc3\xa9", "=?UTF-8?B?Sm9zw6k=?=", "UTF-8 B-encoded");
	phrase_is("\xe5\xb1\xb1\xe7\x94\xb0 \xe5\xa4\xaa\xe9\x83\x8e",
	    "=?UTF-8?B?5bGx55SwIOWkqumDjg==?=", "space inside the word");

	/* 40 kanji (120 bytes), then one 2-byte char: 15 + 15 + 10 + ... */
	name[0] = '\0';
	for (i = 0; i < 40; i++)
		strcat(name, "\xe6\xbc\xa2");
	strcat(name, "\xc3\xa9");
	buf_init(&b, 0);
	is_int(msg_phrase(name, &b), 0, "msg_phrase: 40 kanji");
	ok(decode_words(buf_str(&b), dec, sizeof(dec)) == 0,
	    "  words <= 75 chars, none splits a character");
	is_str(dec, name, "  decode back to the name");
	ok(strchr(buf_str(&b), ' ') != NULL &&
	    strchr(buf_str(&b), '\n') == NULL,
	    "  words separated by spaces, not folded");
	buf_free(&b);

	/* 44 ASCII then a 3-byte char: the char must move to word two. */
	memset(name, 'a', 44);
	strcpy(name + 44, "\xe6\xbc\xa2");
	buf_init(&b, 0);
	msg_phrase(name, &b);
	is_str(buf_str(&b), "=?UTF-8?B?YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh"
	    "YWFhYWFhYWFhYWFhYWFhYWFhYWE=?= =?UTF-8?B?5ryi?=",
	    "  a character across the 45-byte mark moves");
	buf_free(&b);

	buf_init(&b, 0);
	is_int(msg_phrase("a\nb", &b), -1, "msg_phrase refuses LF");
	is_int(msg_phrase("a\tb", &b), -1, "msg_phrase refuses TAB");
	is_int(msg_phrase("\xff" "abc", &b), -1,
	    "msg_phrase refuses bad UTF-8");
	is_int(msg_phrase("\xe6\xbc", &b), -1, "msg_phrase refuses cut UTF-8");
	buf_free(&b);
}

int
main(void)
{
	setenv("TZ", "UTC0", 1);
	tzset();
	test_shapes();
	test_received();
	test_extract();
	test_extract_errors();
	test_nul();
	test_size();
	test_header_limit();
	test_add_missing();
	test_add_from();
	test_io_error();
	test_date();
	test_phrase();
	return done_testing();
}
