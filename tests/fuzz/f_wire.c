/*
 * libFuzzer target for core/wire: any message (it may have come from
 * the network) in its outbound form.  The first byte says whether the
 * server takes 8-bit and whether to masquerade.  Properties checked:
 *  - a message with a line over 998 octets, or 8-bit octets for a
 *    server without 8BITMIME, is never left as it is;
 *  - what comes back has no line over 998 octets.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "wire.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, const char *p, size_t n)
{
	fprintf(stderr, "f_wire: %s\n--- (%zu bytes) ---\n", what, n);
	fwrite(p, 1, n, stderr);
	fputs("\n---\n", stderr);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire	 w, after;
	struct buf	 out;
	const char	*p = (const char *)data + 1;
	size_t		 n = size - 1;
	int		 ok8, masq;

	if (size < 1)
		return 0;
	ok8 = data[0] & 1;
	masq = data[0] & 2;
	buf_init(&out, 0);
	wire_scan(p, n, &w);
	if (wire_prepare(p, n, &w, ok8, "host.example", masq ? "example.com" :
	    NULL, &out) == -1)
		fail("wire_prepare failed", p, n);
	if (out.len == 0 && (w.longlines || (w.eightbit && !ok8)))
		fail("left as it is, but it needed a change", p, n);
	if (out.len > 0) {
		wire_scan(out.s, out.len, &after);
		if (after.longlines)
			fail("a line over 998 octets left", out.s, out.len);
	}
	buf_free(&out);
	return 0;
}
