/*
 * libFuzzer target for core/charset.  The first byte picks the charset,
 * the rest is the text.  Properties checked:
 *  - every charset of the list is known and converts (0);
 *  - the output is well-formed UTF-8 (no overlong forms, no surrogates,
 *    nothing past U+10FFFF);
 *  - the output is at most 3 bytes for each input byte;
 *  - text of ASCII bytes without ESC comes out unchanged, in every
 *    charset; well-formed UTF-8 comes out of "UTF-8" unchanged.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, const char *cs, const uint8_t *p, size_t n)
{
	size_t	 i;

	fprintf(stderr, "f_charset: %s: %s\n", cs, what);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%02x%s", p[i], i % 32 == 31 ? "\n" : " ");
	fputs("\n", stderr);
	abort();
}

/* 1 when p is well-formed UTF-8. */
static int
utf8_ok(const uint8_t *p, size_t n)
{
	size_t		 i = 0, k, j;
	unsigned	 c, lo, hi;

	while (i < n) {
		c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c < 0xc2 || c > 0xf4)
			return 0;
		k = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
		if (n - i < k)
			return 0;
		for (j = 1; j < k; j++) {
			if (p[i + j] < lo || p[i + j] > hi)
				return 0;
			lo = 0x80;
			hi = 0xbf;
		}
		i += k;
	}
	return 1;
}

static int
plain_ascii(const uint8_t *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (p[i] >= 0x80 || p[i] == 0x1b)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const cs[] = { "us-ascii", "UTF-8",
	    "ISO-8859-1", "iso-8859-7", "ISO_8859-16:2001", "windows-1252",
	    "ISO-2022-JP", "Shift_JIS", "CP932", "EUC-JP", "iso-8859-11",
	    "latin2" };
	const size_t	 ncs = sizeof(cs) / sizeof(cs[0]);
	const char	*name;
	const uint8_t	*p = data + 1;
	size_t		 n = size - 1;
	struct buf	 o;

	if (size < 1)
		return 0;
	name = cs[data[0] % ncs];
	buf_init(&o, 0);
	if (charset_to_utf8(&o, name, (const char *)p, n) == -1)
		fail("conversion failed", name, p, n);
	if (!utf8_ok((const uint8_t *)o.s, o.len))
		fail("output is not UTF-8", name, p, n);
	if (o.len > 3 * n)
		fail("output over 3 bytes an input byte", name, p, n);
	if ((plain_ascii(p, n) || (strcmp(name, "UTF-8") == 0 &&
	    utf8_ok(p, n))) && (o.len != n || (n > 0 &&
	    memcmp(o.s, p, n) != 0)))
		fail("text that needs no conversion was changed", name, p, n);
	buf_free(&o);
	return 0;
}
