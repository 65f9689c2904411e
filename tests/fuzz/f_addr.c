/*
 * libFuzzer target for core/addr: addr_parse_path (no flag, ADDR_NULL_OK,
 * ADDR_UTF8) and addr_list_parse on arbitrary bytes.  Properties checked:
 *  - an accepted path has no control byte, and no non-ASCII one without
 *    ADDR_UTF8; with it, it is well-formed UTF-8 with no C1 control;
 *    it is at most LIM_ADDR - 2 octets, parses again to itself (the
 *    canonical form is a fixed point), and addr_split takes it apart;
 *  - a refusal says why, with errno EILSEQ or EINVAL;
 *  - every mailbox addr_list_parse hands its callback is accepted by
 *    addr_parse_path, unchanged.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include "addr.h"
#include "limits.h"
#include "mime.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, const char *in, const char *out)
{
	fprintf(stderr, "f_addr: %s\n  in:  \"%s\"\n  out: \"%s\"\n", what,
	    in, out);
	abort();
}

static void
check_path(const char *in, unsigned flags)
{
	char	 out[LIM_ADDR], again[LIM_ADDR], err[LIM_ERR];
	char	 local[LIM_ADDR], dom[LIM_ADDR];
	size_t	 i, n;

	err[0] = '\0';
	if (addr_parse_path(in, flags, out, sizeof(out), err,
	    sizeof(err)) == -1) {
		if (err[0] == '\0')
			fail("refused without a reason", in, "");
		if (errno != EILSEQ && errno != EINVAL)
			fail("refused with another errno", in, err);
		return;
	}
	n = strlen(out);
	for (i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f ||
		    ((unsigned char)out[i] >= 0x80 && !(flags & ADDR_UTF8)))
			fail("control or non-ASCII byte accepted", in, out);
	if (!mime_is_utf8(out, n))
		fail("ill-formed UTF-8 accepted", in, out);
	for (i = 0; i + 1 < n; i++)
		if ((unsigned char)out[i] == 0xc2 &&
		    (unsigned char)out[i + 1] < 0xa0)
			fail("a C1 control accepted", in, out);
	if (n > LIM_ADDR - 2)
		fail("accepted address over LIM_ADDR - 2", in, out);
	if (n == 0 && !(flags & ADDR_NULL_OK))
		fail("null path without ADDR_NULL_OK", in, out);
	if (addr_parse_path(out, flags, again, sizeof(again), err,
	    sizeof(err)) == -1)
		fail(err, in, out);
	if (strcmp(out, again) != 0)
		fail("canonical form is not a fixed point", out, again);
	if (n > 0 && addr_split(out, local, sizeof(local), dom,
	    sizeof(dom)) == -1)
		fail("addr_split refused an accepted address", in, out);
}

static int
list_cb(void *ctx, const char *addr)
{
	char	 out[LIM_ADDR], err[LIM_ERR];

	if (addr_parse_path(addr, 0, out, sizeof(out), err,
	    sizeof(err)) == -1)
		fail(err, ctx, addr);
	if (strcmp(out, addr) != 0)
		fail("list address not in canonical form", addr, out);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, err[LIM_ERR];

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_path(s, 0);
	check_path(s, ADDR_NULL_OK);
	check_path(s, ADDR_UTF8);
	err[0] = '\0';
	if (addr_list_parse(s, list_cb, s, err, sizeof(err)) == -1 &&
	    err[0] == '\0')
		fail("list refused without a reason", s, "");
	free(s);
	return 0;
}
