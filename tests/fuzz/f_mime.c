/*
 * libFuzzer target for core/mime.  The first byte picks the function,
 * the rest is its input.  Properties checked:
 *  - header decode, body display and charset conversion give valid
 *    UTF-8, and no control character but LF and TAB in bodies, none in
 *    header values;
 *  - quoted-printable and base64 encodings decode back to their input,
 *    quoted-printable in lines of at most 76 characters;
 *  - a header field that mime_header_encode accepts has no line over 78
 *    octets and decodes back to the value (white space runs aside).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, const char *p, size_t n)
{
	fprintf(stderr, "f_mime: %s\n--- (%zu bytes) ---\n", what, n);
	fwrite(p, 1, n, stderr);
	fputs("\n---\n", stderr);
	abort();
}

static void
clean(const struct buf *b, int body)
{
	size_t	 i;

	if (!mime_is_utf8(b->s, b->len))
		fail("output is not UTF-8", b->s, b->len);
	for (i = 0; i < b->len; i++)
		if (((unsigned char)b->s[i] < 0x20 || b->s[i] == 0x7f) &&
		    !(body && (b->s[i] == '\n' || b->s[i] == '\t')))
			fail("control character in the output", b->s, b->len);
}

static size_t
longest(const char *s, size_t n)
{
	size_t	 max = 0, k;
	const char *e, *nl;

	if (s == NULL)
		return 0;
	for (e = s + n; s < e; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(e - s))) == NULL)
			nl = e;
		k = (size_t)(nl - s);
		if (k > max)
			max = k;
	}
	return max;
}

/* White space runs made one space, both ends trimmed. */
static void
squeeze(struct buf *o, const char *p, size_t n)
{
	size_t	 i;
	int	 sp = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == ' ' || p[i] == '\t') {
			sp = o->len > 0;
			continue;
		}
		if (sp)
			buf_addc(o, ' ');
		sp = 0;
		buf_addc(o, p[i]);
	}
}

static void
roundtrip(const char *p, size_t n, int qp)
{
	struct buf	 e, d;

	buf_init(&e, 0);
	buf_init(&d, 0);
	if (qp)
		mime_qp_encode(&e, p, n);
	else
		mime_b64_encode(&e, p, n);
	if (qp && longest(e.s, e.len) > 76)
		fail("quoted-printable line over 76", e.s, e.len);
	if (qp)
		mime_qp_decode(&d, e.s, e.len);
	else if (mime_b64_decode(&d, e.s, e.len) == -1)
		fail("base64 of ours does not decode", e.s, e.len);
	if (d.len != n || (n > 0 && memcmp(d.s, p, n) != 0))
		fail(qp ? "qp round trip" : "base64 round trip", e.s, e.len);
	buf_free(&e);
	buf_free(&d);
}

static void
header(const char *p, size_t n)
{
	struct buf	 o, v, d, a, b;
	char		*val;

	if ((val = malloc(n + 1)) == NULL)
		return;
	memcpy(val, p, n);
	val[n] = '\0';
	buf_init(&o, 0);
	buf_init(&v, 0);
	buf_init(&d, 0);
	buf_init(&a, 0);
	buf_init(&b, 0);
	if (strlen(val) == n && mime_header_encode(&o, "Subject", val) == 0) {
		if (longest(o.s, o.len) > 78)
			fail("header line over 78", o.s, o.len);
		mime_header_get(&v, o.s, o.len, "Subject");
		mime_header_decode(&d, v.s, v.len);
		squeeze(&a, val, n);
		squeeze(&b, d.s, d.len);
		if (a.len != b.len || (a.len > 0 && memcmp(a.s, b.s, a.len)))
			fail("encoded header does not decode back", o.s,
			    o.len);
	}
	free(val);
	buf_free(&o);
	buf_free(&v);
	buf_free(&d);
	buf_free(&a);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const cs[] = { "UTF-8", "ISO-2022-JP",
	    "Shift_JIS", "EUC-JP", "ISO-8859-1", "us-ascii", "cp932",
	    "ISO-8859-7", "windows-1252", "KOI8-R" };
	const char	*p = (const char *)data + 1, *sep;
	size_t		 n = size - 1, hl;
	struct buf	 o;

	if (size < 1)
		return 0;
	buf_init(&o, 0);
	switch (data[0] % 8) {
	case 0:
		mime_header_decode(&o, p, n);
		clean(&o, 0);
		break;
	case 1:
		sep = n > 0 ? memmem(p, n, "\n\n", 2) : NULL;
		hl = sep != NULL ? (size_t)(sep + 1 - p) : n;
		mime_body_display(&o, p, hl, p + hl + (sep != NULL), n - hl -
		    (sep != NULL));
		clean(&o, 1);
		break;
	case 2:
		roundtrip(p, n, 1);
		mime_qp_decode(&o, p, n);
		break;
	case 3:
		roundtrip(p, n, 0);
		mime_b64_decode(&o, p, n);
		break;
	case 4:
		header(p, n);
		break;
	case 5:
		if (n > 0 && mime_to_utf8(&o, cs[(unsigned char)p[0] % 10],
		    p + 1, n - 1) == 0 && !mime_is_utf8(o.s, o.len))
			fail("conversion gave bad UTF-8", o.s, o.len);
		break;
	default:
		if (n > 0 && memchr(p, '\0', n) == NULL) {
			char	*s = strndup(p, n);

			if (s != NULL) {
				mime_param(&o, s, "filename");
				mime_param(&o, s, "boundary");
				free(s);
			}
		}
		break;
	}
	buf_free(&o);
	return 0;
}
