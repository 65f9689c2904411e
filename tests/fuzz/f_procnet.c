/*
 * libFuzzer target for the /proc/net and /etc name parsers: every line
 * of the input goes through each line parser, the whole input through
 * the sock_diag message and DNS reply parsers.  The input is copied to
 * a buffer of its exact size, so that a read past a line's end is
 * caught.  Properties checked: a parsed line's fields are in range
 * (ports, unix path inside the line, interface names NUL-terminated),
 * and the address printer writes a NUL-terminated string of at most 45
 * characters that parses back to the same address; each parsed entry
 * formats (numerically, as -n) into exactly one line.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netfmt.h"
#include "netnames.h"
#include "procnet.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, const char *detail)
{
	fprintf(stderr, "f_procnet: %s: %s\n", what, detail);
	abort();
}

static void
roundtrip(int family, const unsigned char *a)
{
	char		 buf[64];
	unsigned char	 back[16];

	procnet_ntop(family, a, buf, sizeof(buf));
	if (strlen(buf) > 45)
		fail("address text too long", buf);
	if (inet_pton(family, buf, back) != 1 ||
	    memcmp(back, a, family == AF_INET ? 4 : 16) != 0)
		fail("address does not parse back", buf);
}

static struct buf	 out;
static struct netfmt	 nf;

static void
one_output_line(const char *what)
{
	const char	*nl;

	if (nf.err || buf_failed(&out))
		fail("formatting failed", what);
	nl = memchr(out.s, '\n', out.len);
	if (nl == NULL || nl != out.s + out.len - 1)
		fail("not one line", what);
	buf_reset(&out);
}

static void
one_line(const char *line, size_t len)
{
	struct procnet_sock	 s;
	struct procnet_unix	 u;
	struct procnet_route	 r;
	struct procnet_dev	 d;
	struct procnet_inet6	 a;
	const char		*name;
	size_t			 n;
	unsigned long		 v;
	int			 proto;

	if (procnet_inet_line(line, len, &s) == 0) {
		if (s.lport > 65535 || s.rport > 65535 || s.state > 255)
			fail("socket field out of range", "");
		roundtrip(s.family, s.laddr);
		roundtrip(s.family, s.raddr);
		nf.wide = len & 1;
		netfmt_inet(&nf, &s, (enum netfmt_kind)(len & 3), "tcp");
		one_output_line("inet");
	}
	if (procnet_unix_line(line, len, &u) == 0) {
		if (u.path < line || u.path + u.pathlen > line + len)
			fail("unix path outside the line", "");
		netfmt_unix(&nf, &u);
		one_output_line("unix");
	}
	if (procnet_route_line(line, len, &r) == 0) {
		if (memchr(r.iface, '\0', sizeof(r.iface)) == NULL)
			fail("route interface not terminated", "");
		netfmt_route(&nf, &r, 1 + (int)(len % 3));
		one_output_line("route");
	}
	if (procnet_dev_line(line, len, &d) == 0 &&
	    memchr(d.name, '\0', sizeof(d.name)) == NULL)
		fail("dev name not terminated", "");
	if (procnet_inet6_line(line, len, &a) == 0)
		roundtrip(AF_INET6, a.addr);
	if (netnames_service_line(line, len, &name, &n, &v, &proto) == 1 &&
	    (v > 65535 || name < line || name + n > line + len))
		fail("service entry out of range", "");
	if (netnames_number_line(line, len, &name, &n, &v, 1) == 1 &&
	    (v > 0xffffffffUL || name + n > line + len))
		fail("network entry out of range", "");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct procnet_sock	 s;
	char			*copy, name[1025];
	const char		*p, *e, *line;
	size_t			 len;

	if (nf.out == NULL) {
		buf_init(&out, 0);
		netfmt_init(&nf, &out);
		nf.numeric = NETFMT_NUM_HOST | NETFMT_NUM_PORT | NETFMT_NUM_USER;
	}
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	p = copy;
	e = copy + size;
	while ((line = procnet_line(&p, e, &len)) != NULL) {
		char	*l = malloc(len ? len : 1);

		if (l == NULL)
			break;
		memcpy(l, line, len);
		one_line(l, len);
		free(l);
	}
	if (procnet_diag_msg((const unsigned char *)copy, size, &s) == 0)
		roundtrip(s.family, s.laddr);
	free(copy);
	return 0;
}
