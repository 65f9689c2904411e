/*
 * libFuzzer target for core/smtp: the first byte is a chunk size, the
 * rest everything a client sends, then end of file.  The server reads
 * it from a SOCK_SEQPACKET socket fed by a thread, so that each read(2)
 * returns one chunk, as a slow client's segments would come (0: all at
 * once), and the line reader's joins are exercised deterministically.
 * Replies go to a memfd, so nothing can block.  The ops accept all and
 * record what they got; STARTTLS switches the io's transport (to the
 * plain one again: what matters is that io refuses to switch with
 * input buffered) and AUTH takes u/p.  Properties checked:
 *  - the transport never switches with input buffered, and AUTH never
 *    succeeds twice or with an empty user;
 *  - data_line never sees a CR or LF, and is called only inside DATA;
 *  - data_end(ok = 1) happens only as often as the input holds
 *    "\r\n.\r\n" after a DATA command, or a BDAT ... LAST;
 *  - every reply line is at most LIM_SMTP_REPLY octets with its CRLF,
 *    starts with three digits and a ' ' or '-', and ends in CRLF;
 *  - the ops get DSN values as dsn.h allows them (NOTIFY=NEVER alone,
 *    ENVID and ORCPT printable ASCII within their limits), and
 *    addresses that are ASCII unless MAIL said SMTPUTF8, and then
 *    well-formed UTF-8 without a control character (C1 included).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "dsn.h"
#include "io.h"
#include "limits.h"
#include "mime.h"
#include "smtp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct rec {
	int	 utf8;		/* the transaction said SMTPUTF8 */
	int	 in_data;
	int	 ok_msgs;
	int	 tls;
	int	 authed;
};

static void
fail(const char *what, const void *p, size_t len)
{
	fprintf(stderr, "f_smtp: %s\n--- (%zu bytes) ---\n", what, len);
	fwrite(p, 1, len, stderr);
	fputs("\n---\n", stderr);
	abort();
}

static int
o_helo(void *ctx, const char *name, int esmtp, char *reply, size_t len)
{
	(void)ctx; (void)name; (void)esmtp; (void)reply; (void)len;
	return 0;
}

/* An address as the mode allows it: ASCII without SMTPUTF8; with it,
   well-formed UTF-8; never a control character, C1 included. */
static void
check_addr(const char *what, const char *addr, int utf8)
{
	size_t	 n = strlen(addr);

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)addr[i] < 0x20 || addr[i] == 0x7f ||
		    ((unsigned char)addr[i] >= 0x80 && !utf8) ||
		    ((unsigned char)addr[i] == 0xc2 && i + 1 < n &&
		    (unsigned char)addr[i + 1] < 0xa0))
			fail(what, addr, n);
	if (!mime_is_utf8(addr, n))
		fail(what, addr, n);
}

static int
o_mail(void *ctx, const char *addr, const struct smtp_mail_params *p,
    char *reply, size_t len)
{
	struct rec	*r = ctx;

	(void)reply; (void)len;
	check_addr("a bad sender", addr, p->smtputf8);
	if (p->envid[0] != '\0' && !dsn_envid_valid(p->envid))
		fail("a bad ENVID", p->envid, strlen(p->envid));
	if (p->ret != DSN_RET_NONE && p->ret != DSN_RET_HDRS &&
	    p->ret != DSN_RET_FULL)
		fail("a bad RET", "", 0);
	r->utf8 = p->smtputf8;
	return 0;
}

static int
o_rcpt(void *ctx, const char *addr, const struct smtp_rcpt_params *p,
    char *reply, size_t len)
{
	struct rec	*r = ctx;

	(void)reply; (void)len;
	if (*addr == '\0')
		fail("an empty recipient", addr, 0);
	check_addr("a bad recipient", addr, r->utf8);
	if (!dsn_notify_valid(p->notify))
		fail("a bad NOTIFY", addr, strlen(addr));
	if (p->orcpt[0] != '\0' && !dsn_orcpt_valid(p->orcpt))
		fail("a bad ORCPT", p->orcpt, strlen(p->orcpt));
	return 0;
}

static int
o_data_begin(void *ctx, char *reply, size_t len)
{
	struct rec	*r = ctx;

	(void)reply; (void)len;
	if (r->in_data)
		fail("data_begin inside DATA", "", 0);
	r->in_data = 1;
	return 0;
}

static int
o_data_line(void *ctx, const char *line, size_t len)
{
	struct rec	*r = ctx;

	if (!r->in_data)
		fail("data_line outside DATA", line, len);
	if (memchr(line, '\n', len) != NULL || memchr(line, '\r', len) != NULL)
		fail("data_line given a CR or LF", line, len);
	if (len > LIM_SMTP_TEXT - 2)
		fail("data_line given a line over the limit", line, len);
	return 0;
}

static int
o_data_end(void *ctx, int ok, char *reply, size_t len)
{
	struct rec	*r = ctx;

	(void)reply; (void)len;
	if (!r->in_data)
		fail("data_end outside DATA", "", 0);
	r->in_data = 0;
	r->ok_msgs += ok;
	return 0;
}

static void
o_rset(void *ctx)
{
	(void)ctx;
}

static struct io	 io;

/* The switch to TLS, as the daemon's will do it: io refuses while the
   client's input is buffered (a command pipelined after STARTTLS). */
static int
o_starttls(void *ctx)
{
	struct rec	*r = ctx;
	int		 pending = io_pending(&io);

	if (io_set_transport(&io, NULL, NULL) == 0) {
		if (pending)
			fail("the transport switched with input buffered", "",
			    0);
		r->tls++;
		return 0;
	}
	return -1;
}

static int
o_auth(void *ctx, const char *user, const char *pass, char *reply,
    size_t len)
{
	struct rec	*r = ctx;

	(void)reply; (void)len;
	if (*user == '\0')
		fail("AUTH with an empty user", "", 0);
	if (r->authed)
		fail("AUTH accepted twice", user, strlen(user));
	if (strcmp(user, "u") == 0 && strcmp(pass, "p") == 0) {
		r->authed = 1;
		return 0;
	}
	return -1;
}

static const struct smtp_server_ops ops = {
	.helo = o_helo,
	.starttls = o_starttls,
	.auth = o_auth,
	.mail = o_mail,
	.rcpt = o_rcpt,
	.data_begin = o_data_begin,
	.data_line = o_data_line,
	.data_end = o_data_end,
	.rset = o_rset,
};

/* How many messages the input can really hold: "\r\n.\r\n" after a
   DATA, each ending one, and a "LAST" for each BDAT transaction. */
static int
max_msgs(const char *in, size_t n)
{
	size_t	 i = 0;
	int	 msgs = 0;

	for (size_t j = 0; j + 4 <= n; j++)
		if (strncasecmp(in + j, "LAST", 4) == 0)
			msgs++;
	for (;;) {
		for (; i + 4 <= n; i++)
			if (strncasecmp(in + i, "DATA", 4) == 0)
				break;
		if (i + 4 > n)
			return msgs;
		for (; i + 5 <= n; i++)
			if (memcmp(in + i, "\r\n.\r\n", 5) == 0)
				break;
		if (i + 5 > n)
			return msgs;
		msgs++;
		i += 5;
	}
}

static void
check_replies(const char *p, size_t n)
{
	const char	*e, *end = p + n;

	if (n == 0)
		fail("no greeting", "", 0);
	for (; p < end; p = e + 2) {
		if ((e = memmem(p, (size_t)(end - p), "\r\n", 2)) == NULL)
			fail("reply not ended by CRLF", p, (size_t)(end - p));
		if (e - p + 2 > LIM_SMTP_REPLY)
			fail("reply line over 512 octets", p, (size_t)(e - p));
		if (e - p < 3 || p[0] < '2' || p[0] > '5' ||
		    p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9' ||
		    (e - p > 3 && p[3] != ' ' && p[3] != '-'))
			fail("reply does not start with a code", p,
			    (size_t)(e - p));
		if (memchr(p, '\n', (size_t)(e - p)) != NULL ||
		    memchr(p, '\r', (size_t)(e - p)) != NULL ||
		    memchr(p, '\0', (size_t)(e - p)) != NULL)
			fail("CR, LF or NUL inside a reply", p, (size_t)(e - p));
	}
}

struct client {
	int		 fd;
	const uint8_t	*p;
	size_t		 n, chunk;
};

/* Send the input in chunks, one record each, then end of file. */
static void *
client(void *arg)
{
	struct client	*c = arg;
	size_t		 k;

	while (c->n > 0) {
		k = c->chunk == 0 || c->chunk > c->n ? c->n : c->chunk;
		if (send(c->fd, c->p, k, MSG_NOSIGNAL) != (ssize_t)k)
			break;		/* the server hung up */
		c->p += k;
		c->n -= k;
	}
	close(c->fd);
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_server	 s;
	struct rec		 r;
	struct client		 cl;
	pthread_t		 th;
	char			*out;
	off_t			 olen;
	int			 sv[2], rep, big = 1 << 20;

	if (size < 1 || size > IO_BUFSIZE)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1 ||
	    (rep = memfd_create("f_smtp.out", MFD_CLOEXEC)) == -1)
		abort();
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	cl.fd = sv[0];
	cl.chunk = data[0];
	cl.p = data + 1;
	cl.n = size - 1;
	if (pthread_create(&th, NULL, client, &cl) != 0)
		abort();
	data++;
	size--;
	io_init(&io, sv[1], rep, 5000);
	memset(&r, 0, sizeof(r));
	memset(&s, 0, sizeof(s));
	s.io = &io;
	s.hostname = "mx.example";
	s.max_size = 2000;
	/* everything: CHUNKING is in the base */
	s.caps = SMTP_CAPS_BASE | SMTP_CAP_STARTTLS | SMTP_CAP_AUTH;
	s.ops = &ops;
	s.ctx = &r;
	smtp_server_run(&s);
	close(sv[1]);
	pthread_join(th, NULL);
	if (r.in_data)
		fail("DATA left without data_end", data, size);
	if (r.ok_msgs > max_msgs((const char *)data, size))
		fail("a message taken without its final dot", data, size);
	olen = lseek(rep, 0, SEEK_END);
	if ((out = malloc((size_t)olen + 1)) == NULL)
		abort();
	if (pread(rep, out, (size_t)olen, 0) != olen)
		abort();
	check_replies(out, (size_t)olen);
	free(out);
	close(rep);
	return 0;
}
