/*
 * libFuzzer target for core/msg: msg_in_* fed the input split into
 * lines at LF, with options taken from the first byte.  Properties
 * checked when the message is taken:
 *  - the output holds no NUL byte;
 *  - with extract_rcpts, no line of its header section is a Bcc:
 *    field, and every extracted recipient is a canonical address;
 *  - it is never larger than the input plus the fields added plus the
 *    empty line between header and body.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "msg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define RECEIVED	"from client.example (client.example [192.0.2.1])\n\t" \
			"by mx.example (hikyaku) id 0AbCdEfGhI"
/* From:, Date: and Message-ID: as add_missing writes them, at most */
#define ADDED_MAX	1024

static void
fail(const char *what, const char *out, size_t len)
{
	fprintf(stderr, "f_msg: %s\n--- output (%zu bytes) ---\n", what, len);
	fwrite(out, 1, len, stderr);
	fputs("\n---\n", stderr);
	abort();
}

static void
check(const struct msg_in *m, const struct msg_opts *o, const char *out,
    size_t olen, size_t ilen)
{
	char		 canon[LIM_ADDR], err[LIM_ERR];
	const char	*p = out, *e, *end = out + olen;
	size_t		 bound;
	int		 i;

	if (memchr(out, '\0', olen) != NULL)
		fail("NUL byte in the output", out, olen);
	bound = ilen + 2;
	if (o->received != NULL)
		bound += strlen("Received: \n") + strlen(o->received);
	if (o->add_missing)
		bound += ADDED_MAX;
	if (olen > bound)
		fail("output larger than the input allows", out, olen);
	for (; o->extract_rcpts && p < end; p = e + 1) {
		if ((e = memchr(p, '\n', (size_t)(end - p))) == NULL)
			e = end;
		if (e == p)
			break;		/* the end of the header section */
		if (e - p >= 4 && strncasecmp(p, "Bcc:", 4) == 0)
			fail("Bcc: left in the header section", out, olen);
	}
	for (i = 0; i < m->nrcpts; i++)
		if (addr_parse_path(m->rcpts[i], 0, canon, sizeof(canon), err,
		    sizeof(err)) == -1 || strcmp(canon, m->rcpts[i]) != 0)
			fail("extracted recipient not canonical", m->rcpts[i],
			    strlen(m->rcpts[i]));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const off_t sizes[4] = { 0, 40, 300, 4096 };
	struct msg_opts	 o;
	struct msg_in	 m;
	const char	*p, *end, *lf;
	char		*out = NULL;
	size_t		 olen = 0;
	FILE		*fp;
	int		 r = 0;

	if (size < 1)
		return 0;
	memset(&o, 0, sizeof(o));
	o.hostname = "mx.example";
	o.qid = "0AbCdEfGhI";
	o.now = 1700000000;
	o.extract_rcpts = data[0] & 1;
	o.add_missing = (data[0] >> 1) & 1;
	o.received = data[0] & 4 ? RECEIVED : NULL;
	o.max_size = sizes[(data[0] >> 3) & 3];
	o.from_addr = data[0] & 0x20 ? "user@mx.example" : NULL;
	o.from_name = data[0] & 0x40 ? "J\xc3\xb6rg \"the\" User" : NULL;
	if ((fp = open_memstream(&out, &olen)) == NULL)
		return 0;
	msg_in_begin(&m, fp, &o);
	p = (const char *)data + 1;
	end = (const char *)data + size;
	while (r == 0 && p < end) {
		if ((lf = memchr(p, '\n', (size_t)(end - p))) == NULL)
			lf = end;
		r = msg_in_line(&m, p, (size_t)(lf - p));
		p = lf + 1;
	}
	if (r == 0)
		r = msg_in_end(&m);
	if (r == -1 && (m.err == MSG_OK || m.errtext[0] == '\0'))
		fail("refused without a reason", "", 0);
	fclose(fp);
	if (r == 0)
		check(&m, &o, out, olen, size - 1);
	msg_in_free(&m);
	free(out);
	return 0;
}
