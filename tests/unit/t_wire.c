/*
 * core/wire: what a message becomes on its way out.  Untouched when
 * nothing asks for a change; From: masqueraded (cron's bare "root", the
 * host's own name, nothing else); long header lines folded at white
 * space; a long or 8-bit body part in quoted-printable, decoding back
 * to the same octets, and only that part of a multipart; no line of
 * the result over 998 octets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "limits.h"
#include "mime.h"
#include "wire.h"
#include "tap.h"

static struct buf	 out;

/* The outbound form of m ("" when unchanged). */
static const char *
prep(const char *m, int ok8, const char *masq)
{
	struct wire	 w;

	buf_reset(&out);
	wire_scan(m, strlen(m), &w);
	if (wire_prepare(m, strlen(m), &w, ok8, "host.example", masq,
	    &out) == -1)
		return "(failed)";
	return buf_str(&out);
}

static size_t
longest(const char *s)
{
	size_t	 n = 0, best = 0;

	for (; *s != '\0'; s++) {
		n = *s == '\n' ? 0 : n + 1;
		if (n > best)
			best = n;
	}
	return best;
}

static char *
line_of(char ch, size_t n)
{
	char	*s = malloc(n + 1);

	memset(s, ch, n);
	s[n] = '\0';
	return s;
}

static void
t_scan(void)
{
	struct wire	 w;
	char		*l998 = line_of('a', 998), *l999 = line_of('a', 999);
	char		 m[1100];

	wire_scan("a\nb\n", 4, &w);
	ok(!w.eightbit && !w.longlines, "plain ASCII: nothing to do");
	wire_scan("caf\xc3\xa9\n", 6, &w);
	ok(w.eightbit && !w.longlines, "8-bit seen");
	snprintf(m, sizeof(m), "%s\n", l998);
	wire_scan(m, strlen(m), &w);
	ok(!w.longlines, "a 998-octet line is within the limit");
	snprintf(m, sizeof(m), "%s\n", l999);
	wire_scan(m, strlen(m), &w);
	ok(w.longlines, "a 999-octet line is over it");
	snprintf(m, sizeof(m), "%s\r%s\n", l998, "b");
	wire_scan(m, strlen(m), &w);
	ok(!w.longlines, "a CR ends a line as well (it goes out as one)");
	free(l998);
	free(l999);
}

static void
t_masquerade(void)
{
	is_str(prep("From: root (Cron Daemon)\nTo: x@y.example\n\nbody\n",
	    1, "example.com"), "From: root@example.com (Cron Daemon)\n"
	    "To: x@y.example\n\nbody\n", "cron's bare root gets the domain");
	is_str(prep("From: Ann <ann@HOST.example>\n\nb\n", 1, "example.com"),
	    "From: Ann <ann@example.com>\n\nb\n",
	    "user@hostname in angle brackets (case of the host ignored)");
	is_str(prep("From: ann@host.example, \"B, C\" <bc@host.example>\n\n"
	    "b\n", 1, "example.com"), "From: ann@example.com, \"B, C\" "
	    "<bc@example.com>\n\nb\n", "each mailbox of a list; a comma "
	    "in quotes is no separator");
	is_str(prep("From: ann@other.example\n\nb\n", 1, "example.com"), "",
	    "another domain: untouched (empty: as it is)");
	is_str(prep("From: root\nSubject: root\n\nFrom: root\n", 1,
	    "example.com"), "From: root@example.com\nSubject: root\n\n"
	    "From: root\n", "only the From: field, never the body");
	is_str(prep("From: root\n\nb\n", 1, NULL), "",
	    "without masquerade: untouched");
	is_str(prep("From: \"john  doe\"@host.example (J)\n\nb\n", 1,
	    "example.com"), "From: \"john  doe\"@example.com (J)\n\nb\n",
	    "a quoted local part with white space, no angle brackets");
	is_str(prep("From: \"unclosed root\nTo: x@y.example\n\nb\n", 1,
	    "example.com"), "From: \"unclosed root@example.com\nTo: "
	    "x@y.example\n\nb\n", "an unclosed quote: the domain stays on "
	    "its line (found by f_wire)");
	is_str(prep("From: (the (nested) comment) root\n\nb\n", 1,
	    "example.com"), "From: (the (nested) comment) root@example.com\n"
	    "\nb\n", "a comment before the address");
}

static void
t_long_header(void)
{
	char	 m[3000], *words = malloc(2100);
	const char *r;

	for (int i = 0; i < 700; i++)
		memcpy(words + 3 * i, "ab ", 3);
	words[2099] = '\0';
	snprintf(m, sizeof(m), "Subject: %s\n\nbody\n", words);
	r = prep(m, 1, NULL);
	ok(r[0] != '\0' && longest(r) <= LIM_MSG_LINE,
	    "a 2,100-octet Subject: folded under 998");
	ok(strncmp(r, "Subject: ab ab", 14) == 0 && strstr(r, "\n ab") !=
	    NULL && strstr(r, "\n\nbody\n") != NULL,
	    "  at white space, the body as it was");
	memcpy(m, "From: ", 6);
	memset(m + 6, 'r', 1200);
	memcpy(m + 1206, "\n\nb\n", 5);
	r = prep(m, 1, "example.com");
	ok(r[0] != '\0' && longest(r) <= LIM_MSG_LINE && strstr(r,
	    "@example.com\n\nb\n") != NULL,
	    "a 1,200-octet From: masqueraded is folded too (found by f_wire)");
	memcpy(m, "X-Token: ", 9);
	memset(m + 9, 't', 2500);
	memcpy(m + 2509, "\n\nb\n", 5);
	r = prep(m, 1, NULL);
	ok(r[0] != '\0' && longest(r) <= LIM_MSG_LINE, "2,500 octets without "
	    "white space: cut, and the space put in counted (found by "
	    "f_wire)");
	snprintf(m, sizeof(m), "X-Last: %.1000s", words);	/* no LF */
	r = prep(m, 1, NULL);
	ok(r[0] != '\0' && longest(r) <= LIM_MSG_LINE, "a long last line "
	    "without its LF is folded as well (found by f_wire)");
	free(words);
}

static void
t_body(void)
{
	char		*l2000 = line_of('x', 2000), m[4200];
	const char	*r, *body;
	struct buf	 dec;

	snprintf(m, sizeof(m), "Subject: long\n\n%s\nshort\n", l2000);
	r = prep(m, 1, NULL);
	ok(longest(r) <= LIM_MSG_LINE, "a 2,000-octet body line: no line "
	    "over 998 after");
	ok(strstr(r, "MIME-Version: 1.0\n") != NULL && strstr(r,
	    "Content-Transfer-Encoding: quoted-printable\n") != NULL,
	    "  quoted-printable, said so");
	ok(strstr(r, "Content-Type:") == NULL, "  ASCII: no Content-Type "
	    "added (text/plain; charset=us-ascii by default)");
	body = strstr(r, "\n\n");
	buf_init(&dec, 0);
	ok(body != NULL && mime_qp_decode(&dec, body + 2, strlen(body + 2)) ==
	    0 && dec.len == 2007 && memcmp(dec.s, l2000, 2000) == 0 &&
	    strcmp(dec.s + 2000, "\nshort\n") == 0,
	    "  which decodes to the same octets");
	buf_free(&dec);

	r = prep("Subject: x\n\ncaf\xc3\xa9\n", 1, NULL);
	is_str(r, "", "8-bit to a server with 8BITMIME: as it is");
	r = prep("Subject: x\nContent-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n\ncaf\xc3\xa9\n", 0, NULL);
	is_str(r, "Subject: x\nContent-Type: text/plain; charset=utf-8\n"
	    "MIME-Version: 1.0\nContent-Transfer-Encoding: quoted-printable\n"
	    "\ncaf=C3=A9\n", "8-bit without 8BITMIME: quoted-printable, the "
	    "old encoding replaced");
	r = prep("Subject: x\n\ncaf\xc3\xa9\n", 0, NULL);
	ok(strstr(r, "Content-Type: text/plain; charset=unknown-8bit\n") !=
	    NULL, "  with no Content-Type, the charset is not guessed");
	r = prep("Subject: x\nContent-Transfer-Encoding: quoted-printable\n\n"
	    "a=3Db\n", 0, NULL);
	is_str(r, "", "quoted-printable already (7-bit): as it is");
	free(l2000);
}

static void
t_multipart(void)
{
	char	*l1500 = line_of('y', 1500), m[5000];
	const char *r, *p1, *p2;

	snprintf(m, sizeof(m), "Subject: mp\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"BB\"\n\npreamble\n"
	    "--BB\nContent-Type: text/plain\n\nshort one\n--BB\n"
	    "Content-Type: text/plain\n\n%s\n--BB\nContent-Type: "
	    "application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
	    "AAAA\n--BB--\nepilogue\n", l1500);
	r = prep(m, 1, NULL);
	ok(longest(r) <= LIM_MSG_LINE, "a multipart with a long part: no "
	    "line over 998");
	p1 = strstr(r, "\n--BB\nContent-Type: text/plain\n\nshort one\n");
	ok(p1 != NULL, "  the short part untouched");
	p2 = p1 ? strstr(p1 + 1, "\n--BB\nContent-Type: text/plain\n"
	    "Content-Transfer-Encoding: quoted-printable\n\nyyy") : NULL;
	ok(p2 != NULL, "  the long one in quoted-printable");
	ok(strstr(r, "Content-Transfer-Encoding: base64\n\nAAAA\n--BB--\n"
	    "epilogue\n") != NULL, "  the base64 part and the epilogue as "
	    "they were");
	ok(strstr(r, "MIME-Version: 1.0\nContent-Type: multipart/mixed; "
	    "boundary=\"BB\"\n\npreamble\n") == r + 12,
	    "  the top header untouched");
	free(l1500);
}

int
main(void)
{
	buf_init(&out, 0);
	t_scan();
	t_masquerade();
	t_long_header();
	t_body();
	t_multipart();
	buf_free(&out);
	return done_testing();
}
