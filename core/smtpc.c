/*
 * The SMTP client.
 *
 * Replies are read whole (every line of a multi-line reply, which must
 * all carry the same code) within the timeout of the step they answer.
 * What the server says is kept for logs and bounces with its control
 * characters and 8-bit octets shown as '?': a remote host must not be
 * able to write escape sequences into a terminal running mailq, or
 * headers into a bounce.
 *
 * The message goes out as it is stored (lines ending in LF, core/msg.h),
 * each line as a CRLF line, dot-stuffed.  A bare CR inside a stored line
 * ends a line as well: whatever a local program submitted, no CR or LF
 * reaches the next hop other than in CRLF pairs, so hikyaku cannot be
 * the outbound half of an SMTP smuggling attack.  Lines longer than the
 * 998 octets of RFC 5322 are the caller's to fold or encode
 * (core/wire.c); any left are cut into pieces of that length here,
 * the last resort that keeps the protocol sound.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "buf.h"
#include "conf.h"
#include "mime.h"
#include "smtpc.h"
#include "tls.h"

#define PIPE_GROUP	100	/* RCPTs written before reading replies */

/* ---- replies ---- */

/* Texts of failures: a long server reply is cut at the buffer's end. */
static void say(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(char *out, size_t len, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(out, len, fmt, ap);
	va_end(ap);
}

/* Control characters and 8-bit octets of a server's text become '?'. */
static void
printable(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

static void
set_timeout(struct smtpc *s, enum conf_smtp_timeout t)
{
	s->io->timeout_ms = s->timeout[t] > 0 ? (int)(s->timeout[t] * 1000) :
	    0;
}

static const char *
io_failure(int e)
{
	if (e == ETIMEDOUT)
		return "conversation timed out";
	if (e == 0)
		return "lost connection";
	return strerror(e);
}

/*
 * Read one reply within timeout t: its code (200-599), with the text of
 * every line joined by spaces in text ("250 2.1.0 Ok").  each, when not
 * NULL, sees every line's text (EHLO's keywords).  -1 when the session
 * failed: why says so, in reply to what.
 */
static int
reply(struct smtpc *s, enum conf_smtp_timeout t, const char *what,
    char *text, size_t len, void (*each)(struct smtpc *, const char *))
{
	char		 line[LIM_SMTP_REPLY * 2];
	size_t		 n, used = 0;
	enum io_term	 term;
	int		 code = -1, r, lines = 0;

	set_timeout(s, t);
	text[0] = '\0';
	for (;;) {
		/* each line has its deadline: a server that never ends a
		   reply is cut off by its length */
		if (++lines > LIM_SMTP_REPLY_LINES) {
			s->broken = 1;
			say(s->why, sizeof(s->why), "4.4.2 host %s sent a "
			    "reply to %s of more than %d lines", s->peer, what,
			    LIM_SMTP_REPLY_LINES);
			return -1;
		}
		r = io_getline(s->io, line, sizeof(line), &n, &term);
		if (r == -1 && errno == ERANGE)
			continue;	/* an over-long line: its start is lost */
		if (r != 1) {
			s->broken = 1;
			say(s->why, sizeof(s->why), "4.4.2 %s with %s "
			    "while receiving the reply to %s", io_failure(r ==
			    0 ? 0 : errno), s->peer, what);
			return -1;
		}
		if (n < 3 || line[0] < '2' || line[0] > '5' ||
		    line[1] < '0' || line[1] > '9' || line[2] < '0' ||
		    line[2] > '9' || (n > 3 && line[3] != ' ' &&
		    line[3] != '-') || (code != -1 &&
		    atoi(line) != code)) {
			s->broken = 1;
			printable(line);
			say(s->why, sizeof(s->why), "4.4.2 host %s sent a "
			    "malformed reply to %s: %.100s", s->peer, what,
			    line);
			return -1;
		}
		code = atoi(line);
		printable(line);
		if (each != NULL)
			each(s, n > 4 ? line + 4 : "");
		/* "250 first line's text next line's text ..." */
		if (used == 0)
			used = (size_t)snprintf(text, len, "%.3s%s%s", line,
			    n > 4 ? " " : "", n > 4 ? line + 4 : "");
		else if (used < len && n > 4)
			used += (size_t)snprintf(text + used, len - used,
			    " %s", line + 4);
		if (n == 3 || line[3] == ' ')
			break;
	}
	if (code == 421)
		s->broken = 1;
	return code;
}

void
smtpc_status(int code, const char *text, const char *dflt, char *out,
    size_t len)
{
	const char	*p = text;
	int		 a, b, c, n = 0;

	if (strlen(p) > 4 && (p[3] == ' ' || p[3] == '-'))
		p += 4;
	if (sscanf(p, "%1d.%3d.%3d%n", &a, &b, &c, &n) == 3 && a == code /
	    100 && (p[n] == ' ' || p[n] == '\0')) {
		snprintf(out, len, "%d.%d.%d", a, b, c);
		return;
	}
	snprintf(out, len, "%d.%s", code / 100, dflt);
}

/* why = "X.Y.Z host NAME[ADDR] said: TEXT (in reply to WHAT)", as
   Postfix says it; core/bounce.c takes Remote-MTA and Diagnostic-Code
   from that form. */
static void
said(struct smtpc *s, int code, const char *text, const char *what,
    const char *dflt, char *why, size_t len)
{
	char	 st[16];

	smtpc_status(code, text, dflt, st, sizeof(st));
	say(why, len, "%s host %.*s said: %s (in reply to %s)", st,
	    s->peerlen, s->peer, text, what);
}

static int
send_cmd(struct smtpc *s, enum conf_smtp_timeout t, const char *what)
{
	set_timeout(s, t);
	if (io_flush(s->io) == 0)
		return 0;
	s->broken = 1;
	say(s->why, sizeof(s->why), "4.4.2 %s with %s while sending %s",
	    io_failure(errno), s->peer, what);
	return -1;
}

/* ---- connection ---- */

static void
name_peer(struct smtpc *s, const struct sockaddr *sa)
{
	char		 a[INET6_ADDRSTRLEN];
	unsigned	 port;

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		port = ntohs(s4->sin_port);
	}
	s->peerlen = snprintf(s->peer, sizeof(s->peer), "%s[%s]", s->host, a);
	snprintf(s->peer + s->peerlen, sizeof(s->peer) - (size_t)s->peerlen,
	    ":%u", port);
}

static int
wait_connect(int fd, time_t timeout)
{
	struct pollfd	 p = { fd, POLLOUT, 0 };
	socklen_t	 l = sizeof(int);
	int		 r, e = 0;

	do
		r = poll(&p, 1, timeout > 0 ? (int)(timeout * 1000) : -1);
	while (r == -1 && errno == EINTR);
	if (r == 0)
		return ETIMEDOUT;
	if (r == -1)
		return errno;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) == -1)
		return errno;
	return e;
}

int
smtpc_connect(struct smtpc *s, const struct sockaddr *sa, const char *host,
    const time_t *timeout)
{
	socklen_t	 l = sa->sa_family == AF_INET6 ?
			    sizeof(struct sockaddr_in6) :
			    sizeof(struct sockaddr_in);
	int		 e = 0;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->timeout = timeout;
	snprintf(s->host, sizeof(s->host), "%s", host);
	name_peer(s, sa);
	if ((s->io = malloc(sizeof(*s->io))) == NULL) {
		e = errno;
		goto fail;
	}
	if ((s->fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		e = errno;
		goto fail;
	}
	if (connect(s->fd, sa, l) == -1 && (errno != EINPROGRESS ||
	    (e = wait_connect(s->fd, timeout[SMTP_T_CONNECT])) != 0)) {
		if (e == 0)
			e = errno;
		goto fail;
	}
	io_init(s->io, s->fd, s->fd, 0);
	return 0;
fail:
	say(s->why, sizeof(s->why), "4.4.1 connect to %s: %s", s->peer,
	    e == ETIMEDOUT ? "Connection timed out" : strerror(e));
	if (s->fd != -1)
		close(s->fd);
	s->fd = -1;
	free(s->io);
	s->io = NULL;
	s->broken = 1;
	return -1;
}

int
smtpc_attach(struct smtpc *s, int fd, const char *host,
    const time_t *timeout)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->timeout = timeout;
	snprintf(s->host, sizeof(s->host), "%s", host);
	s->peerlen = snprintf(s->peer, sizeof(s->peer), "%s[fd %d]", host, fd);
	if ((s->io = malloc(sizeof(*s->io))) == NULL) {
		say(s->why, sizeof(s->why), "4.3.0 %s", strerror(errno));
		s->broken = 1;
		return -1;
	}
	io_init(s->io, fd, fd, 0);
	return 0;
}

int
smtpc_tls(struct smtpc *s, const struct tls_anchors *anchors,
    const char *servername)
{
	char	 e[128];

	if ((s->tls = malloc(sizeof(*s->tls))) == NULL ||
	    tls_client_init(s->tls, anchors, servername, s->fd) == -1) {
		say(s->why, sizeof(s->why), "4.7.5 TLS with %s failed: "
		    "%s", s->peer, strerror(errno));
		goto fail;
	}
	if (io_set_transport(s->io, &tls_transport, s->tls) == -1) {
		say(s->why, sizeof(s->why), "4.7.5 TLS with %s failed: "
		    "%s", s->peer, errno == EBUSY ? "the server spoke "
		    "before the handshake" : strerror(errno));
		goto fail;
	}
	if (tls_handshake(s->tls, (int)(s->timeout[SMTP_T_HELO] * 1000)) ==
	    -1) {
		if (errno == EPROTO)
			tls_strerror(s->tls, e, sizeof(e));
		else
			snprintf(e, sizeof(e), "%s", io_failure(errno));
		say(s->why, sizeof(s->why), "4.7.5 TLS with %s failed: "
		    "%s", s->peer, e);
		goto fail;
	}
	return 0;
fail:
	s->broken = 1;
	return -1;
}

int
smtpc_greeting(struct smtpc *s)
{
	char	 text[LIM_ERR];
	int	 code;

	if ((code = reply(s, SMTP_T_HELO, "the greeting", text,
	    sizeof(text), NULL)) == -1)
		return -1;
	if (code == 220)
		return 0;
	s->broken = 1;
	say(s->why, sizeof(s->why), "4.4.2 host %s refused to talk to "
	    "me: %s", s->peer, text);
	return -1;
}

/* One line of the EHLO reply: a keyword and its parameters. */
static void
ehlo_line(struct smtpc *s, const char *l)
{
	static const struct { const char *kw; unsigned cap; } caps[] = {
		{ "PIPELINING", SMTP_CAP_PIPELINING },
		{ "8BITMIME", SMTP_CAP_8BITMIME },
		{ "STARTTLS", SMTP_CAP_STARTTLS },
		{ "ENHANCEDSTATUSCODES", SMTP_CAP_ENHANCED },
		{ "DSN", SMTP_CAP_DSN },
		{ "SMTPUTF8", SMTP_CAP_SMTPUTF8 },
	};
	size_t	 kl = strcspn(l, " =");

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (kl == strlen(caps[i].kw) && strncasecmp(l, caps[i].kw,
		    kl) == 0)
			s->caps |= caps[i].cap;
	if (kl == 4 && strncasecmp(l, "SIZE", 4) == 0) {
		s->caps |= SMTP_CAP_SIZE;
		s->size = l[4] == ' ' ? strtoll(l + 5, NULL, 10) : 0;
		if (s->size < 0)
			s->size = 0;
	}
	if (kl == 4 && strncasecmp(l, "AUTH", 4) == 0) {
		for (const char *p = l + 4; *p != '\0'; p += strcspn(p, " ")) {
			p += strspn(p, " =");
			if (strncasecmp(p, "PLAIN", 5) == 0 &&
			    (p[5] == ' ' || p[5] == '\0'))
				s->auth |= SMTPC_AUTH_PLAIN;
			if (strncasecmp(p, "LOGIN", 5) == 0 &&
			    (p[5] == ' ' || p[5] == '\0'))
				s->auth |= SMTPC_AUTH_LOGIN;
		}
	}
}

int
smtpc_ehlo(struct smtpc *s, const char *helo)
{
	char	 text[LIM_ERR];
	int	 code;

	s->caps = s->auth = 0;
	s->size = 0;
	io_printf(s->io, "EHLO %s\r\n", helo);
	if (send_cmd(s, SMTP_T_HELO, "EHLO") == -1 ||
	    (code = reply(s, SMTP_T_HELO, "EHLO", text, sizeof(text),
	    ehlo_line)) == -1)
		return -1;
	if (code / 100 == 2)
		return 0;
	s->caps = s->auth = 0;
	if (code == 421)
		goto refused;
	io_printf(s->io, "HELO %s\r\n", helo);
	if (send_cmd(s, SMTP_T_HELO, "HELO") == -1 ||
	    (code = reply(s, SMTP_T_HELO, "HELO", text, sizeof(text),
	    NULL)) == -1)
		return -1;
	if (code / 100 == 2)
		return 0;
refused:
	s->broken = 1;
	said(s, code, text, "HELO command", "0.0", s->why, sizeof(s->why));
	s->why[0] = '4';	/* the next host may take it */
	return -1;
}

int
smtpc_starttls(struct smtpc *s, const struct tls_anchors *anchors,
    const char *servername, const char *helo)
{
	char	 text[LIM_ERR];
	int	 code;

	io_printf(s->io, "STARTTLS\r\n");
	if (send_cmd(s, SMTP_T_HELO, "STARTTLS") == -1 ||
	    (code = reply(s, SMTP_T_HELO, "STARTTLS", text, sizeof(text),
	    NULL)) == -1)
		return -1;
	if (code != 220) {
		s->broken = 1;
		said(s, code, text, "STARTTLS command", "7.0", s->why,
		    sizeof(s->why));
		s->why[0] = '4';
		return -1;
	}
	if (smtpc_tls(s, anchors, servername) == -1)
		return -1;
	return smtpc_ehlo(s, helo);
}

/* ---- AUTH ---- */

static int
auth_step(struct smtpc *s, const char *prefix, const char *data,
    size_t dlen, int want, char *text, size_t tlen)
{
	struct buf	 b;
	int		 code;

	buf_init(&b, LIM_SMTP_AUTH);
	if (buf_adds(&b, prefix) == -1 || (data != NULL &&
	    mime_b64_word(&b, data, dlen) == -1) || buf_adds(&b, "\r\n") ==
	    -1) {
		buf_free(&b);
		say(s->why, sizeof(s->why), "4.7.0 AUTH with %s: %s",
		    s->peer, strerror(errno));
		return -1;
	}
	io_write(s->io, b.s, b.len);
	if (b.s != NULL)
		explicit_bzero(b.s, b.len);
	buf_free(&b);
	if (send_cmd(s, SMTP_T_HELO, "AUTH") == -1 ||
	    (code = reply(s, SMTP_T_HELO, "AUTH", text, tlen, NULL)) == -1)
		return -1;
	return code == want ? 0 : code;
}

int
smtpc_auth(struct smtpc *s, const char *user, const char *pass)
{
	char	 text[LIM_ERR], plain[2 * LIM_PASS + 2];
	size_t	 ul = strlen(user), pl = strlen(pass);
	int	 r;

	if (s->tls == NULL) {
		say(s->why, sizeof(s->why), "4.7.0 not sending the "
		    "password for %s without TLS", s->peer);
		errno = EPERM;
		return -1;
	}
	if (s->auth & SMTPC_AUTH_PLAIN) {
		if (ul > LIM_PASS || pl > LIM_PASS)
			return errno = ERANGE, -1;
		plain[0] = '\0';
		memcpy(plain + 1, user, ul);
		plain[ul + 1] = '\0';
		memcpy(plain + ul + 2, pass, pl);
		r = auth_step(s, "AUTH PLAIN ", plain, ul + pl + 2, 235, text,
		    sizeof(text));
		explicit_bzero(plain, sizeof(plain));
	} else if ((r = auth_step(s, "AUTH LOGIN", NULL, 0, 334, text,
	    sizeof(text))) == 0 && (r = auth_step(s, "", user, ul, 334, text,
	    sizeof(text))) == 0)
		r = auth_step(s, "", pass, pl, 235, text, sizeof(text));
	if (r == 0)
		return 0;
	if (r > 0) {
		said(s, r, text, "AUTH command", "7.8", s->why,
		    sizeof(s->why));
		s->why[0] = '4';	/* a password to fix, not a bounce */
		s->broken = 1;
	}
	return -1;
}

/* ---- a transaction ---- */

static void
rcpt_result(struct smtpc *s, struct smtpc_rcpt *r, int code,
    const char *text, const char *what)
{
	if (code / 100 == 2) {
		r->res = SMTPC_OK;
		say(r->why, sizeof(r->why), "%s", text);
		return;
	}
	r->res = code / 100 == 5 ? SMTPC_PERM : SMTPC_TEMP;
	said(s, code, text, what, strcmp(what, "RCPT TO command") == 0 ?
	    "1.0" : "0.0", r->why, sizeof(r->why));
}

/* Every recipient not yet decided gets this. */
static void
all_rcpts(struct smtpc_tx *tx, enum smtpc_res res, const char *why)
{
	for (int i = 0; i < tx->nrcpt; i++)
		if (tx->rcpt[i].res == SMTPC_NONE) {
			tx->rcpt[i].res = res;
			say(tx->rcpt[i].why, sizeof(tx->rcpt[i].why),
			    "%s", why);
		}
}

static void
put_mail(struct smtpc *s, const struct smtpc_tx *tx, off_t size)
{
	char	 x[3 * LIM_DSN_ENVID + 1];

	io_printf(s->io, "MAIL FROM:<%s>", tx->sender);
	if (s->caps & SMTP_CAP_SIZE)
		io_printf(s->io, " SIZE=%lld", (long long)size);
	if (tx->eightbit && (s->caps & SMTP_CAP_8BITMIME))
		io_printf(s->io, " BODY=8BITMIME");
	if (tx->smtputf8)
		io_printf(s->io, " SMTPUTF8");
	if (s->caps & SMTP_CAP_DSN) {
		if (tx->ret != DSN_RET_NONE)
			io_printf(s->io, " RET=%s", dsn_ret_name(tx->ret));
		if (tx->envid != NULL && dsn_xtext_encode(tx->envid, x,
		    sizeof(x)) == 0)
			io_printf(s->io, " ENVID=%s", x);
	}
	io_printf(s->io, "\r\n");
}

static void
put_rcpt(struct smtpc *s, const struct smtpc_rcpt *r)
{
	char	 n[64], x[3 * LIM_DSN_ORCPT + 1];
	size_t	 t;

	io_printf(s->io, "RCPT TO:<%s>", r->addr);
	if (s->caps & SMTP_CAP_DSN) {
		if (r->notify != 0) {
			dsn_notify_text(r->notify, n, sizeof(n));
			io_printf(s->io, " NOTIFY=%s", n);
		}
		if (r->orcpt != NULL && r->orcpt[t = strcspn(r->orcpt,
		    ";")] == ';' && dsn_xtext_encode(r->orcpt + t + 1, x,
		    sizeof(x)) == 0)
			io_printf(s->io, " ORCPT=%.*s;%s", (int)t, r->orcpt, x);
	}
	io_printf(s->io, "\r\n");
}

/* The octets the message takes on the wire (SIZE=): CRLF for LF, and a
   line break for each bare CR. */
static off_t
wire_size(const struct smtpc_tx *tx)
{
	off_t	 n = (off_t)tx->len;

	for (size_t i = 0; i < tx->len; i++)
		if (tx->data[i] == '\n' || (tx->data[i] == '\r' && (i + 1 ==
		    tx->len || tx->data[i + 1] != '\n')))
			n++;
	return n;
}

/* Refusals before MAIL: 0 when the message may go, else 1 (decided). */
static int
refuse_early(struct smtpc *s, struct smtpc_tx *tx, off_t size)
{
	char	 why[LIM_ERR];

	if (s->size > 0 && size > s->size) {
		say(why, sizeof(why), "5.3.4 message size %lld exceeds "
		    "size limit %lld of server %s", (long long)size,
		    (long long)s->size, s->peer);
		all_rcpts(tx, SMTPC_PERM, why);
		return 1;
	}
	if (tx->smtputf8 && !(s->caps & SMTP_CAP_SMTPUTF8)) {
		say(why, sizeof(why), "5.6.7 SMTPUTF8 is required, but "
		    "was not offered by host %s", s->peer);
		all_rcpts(tx, SMTPC_PERM, why);
		return 1;
	}
	return 0;
}

/* One line (a piece of a stored line) as a CRLF line, dot-stuffed. */
static int
put_line(struct smtpc *s, const char *p, size_t n)
{
	do {
		size_t k = n > LIM_MSG_LINE - 1 ? LIM_MSG_LINE - 1 : n;

		if ((p[0] == '.' && k > 0 && io_write(s->io, ".", 1) == -1) ||
		    io_write(s->io, p, k) == -1 || io_write(s->io, "\r\n", 2) ==
		    -1)
			return -1;
		p += k;
		n -= k;
	} while (n > 0);
	return 0;
}

static int
put_data(struct smtpc *s, struct smtpc_tx *tx)
{
	const char	*p = tx->data, *end = tx->data + tx->len;

	set_timeout(s, SMTP_T_DATA_XFER);
	while (p < end) {
		size_t n = 0;

		while (p + n < end && p[n] != '\n' && p[n] != '\r')
			n++;
		if (put_line(s, p, n) == -1)
			goto fail;
		p += n;
		/* one terminator: LF, CR LF, or a bare CR */
		if (p < end && *p == '\r')
			p++;
		else if (p < end && *p == '\n')
			p++;
		else
			continue;
		if (p < end && p[-1] == '\r' && *p == '\n')
			p++;
	}
	tx->dot = 1;
	if (io_write(s->io, ".\r\n", 3) == -1 || io_flush(s->io) == -1)
		goto fail;
	return 0;
fail:
	s->broken = 1;
	say(s->why, sizeof(s->why), "4.4.2 %s with %s while sending "
	    "message body", io_failure(errno), s->peer);
	return -1;
}

/* After a transaction that failed: back to a clean state, or broken. */
static void
rset(struct smtpc *s)
{
	char	 text[LIM_ERR];

	if (s->broken)
		return;
	io_printf(s->io, "RSET\r\n");
	if (send_cmd(s, SMTP_T_HELO, "RSET") == -1 || reply(s, SMTP_T_HELO,
	    "RSET", text, sizeof(text), NULL) / 100 != 2)
		s->broken = 1;
}

/* The RCPTs, in groups when pipelining (DATA after the last one); the
   MAIL reply is read before the first group's when it was pipelined.
   *mail_code: the MAIL reply.  0, or -1 when the session failed. */
static int
rcpts(struct smtpc *s, struct smtpc_tx *tx, int *mail_code, char *mtext,
    size_t mlen, int *accepted)
{
	char	 text[LIM_ERR];
	int	 pipe = (s->caps & SMTP_CAP_PIPELINING) != 0, code;

	for (int i = 0; i < tx->nrcpt; ) {
		int g = pipe ? tx->nrcpt - i : 1;

		if (g > PIPE_GROUP)
			g = PIPE_GROUP;
		for (int j = 0; j < g; j++)
			put_rcpt(s, &tx->rcpt[i + j]);
		if (pipe && i + g == tx->nrcpt)
			io_printf(s->io, "DATA\r\n");
		if (send_cmd(s, SMTP_T_RCPT, "RCPT TO") == -1)
			return -1;
		if (*mail_code == 0 && (*mail_code = reply(s, SMTP_T_MAIL,
		    "MAIL FROM command", mtext, mlen, NULL)) == -1)
			return -1;
		for (int j = 0; j < g; j++, i++) {
			if ((code = reply(s, SMTP_T_RCPT, "RCPT TO command",
			    text, sizeof(text), NULL)) == -1)
				return -1;
			if (*mail_code / 100 != 2)
				continue;
			if (code / 100 == 2)
				(*accepted)++;
			else
				rcpt_result(s, &tx->rcpt[i], code, text,
				    "RCPT TO command");
		}
	}
	return 0;
}

int
smtpc_send(struct smtpc *s, struct smtpc_tx *tx)
{
	char	 text[LIM_ERR], mtext[LIM_ERR], why[LIM_ERR];
	off_t	 size = wire_size(tx);
	int	 pipe = (s->caps & SMTP_CAP_PIPELINING) != 0;
	int	 code, mail = 0, accepted = 0;

	tx->dsn = (s->caps & SMTP_CAP_DSN) != 0;
	tx->dot = 0;
	for (int i = 0; i < tx->nrcpt; i++)
		tx->rcpt[i].res = SMTPC_NONE;
	if (refuse_early(s, tx, size))
		return 0;
	put_mail(s, tx, size);
	if (!pipe && (send_cmd(s, SMTP_T_MAIL, "MAIL FROM") == -1 ||
	    (mail = reply(s, SMTP_T_MAIL, "MAIL FROM command", mtext,
	    sizeof(mtext), NULL)) == -1))
		return -1;
	if ((pipe || mail / 100 == 2) && rcpts(s, tx, &mail, mtext,
	    sizeof(mtext), &accepted) == -1)
		return -1;
	if (mail == 421 || s->broken) {
		said(s, mail, mtext, "MAIL FROM command", "0.0", s->why,
		    sizeof(s->why));
		return -1;
	}
	if (mail / 100 != 2) {
		said(s, mail, mtext, "MAIL FROM command", "0.0", why,
		    sizeof(why));
		all_rcpts(tx, mail / 100 == 5 ? SMTPC_PERM : SMTPC_TEMP, why);
		if (pipe)	/* DATA's reply, a 503 */
			reply(s, SMTP_T_DATA_INIT, "DATA command", text,
			    sizeof(text), NULL);
		rset(s);
		return 0;
	}
	if (!pipe) {
		if (accepted == 0) {
			rset(s);
			return 0;
		}
		io_printf(s->io, "DATA\r\n");
		if (send_cmd(s, SMTP_T_DATA_INIT, "DATA") == -1)
			return -1;
	}
	if ((code = reply(s, SMTP_T_DATA_INIT, "DATA command", text,
	    sizeof(text), NULL)) == -1)
		return -1;
	if (code != 354) {
		if (code == 421)
			return said(s, code, text, "DATA command", "0.0",
			    s->why, sizeof(s->why)), -1;
		said(s, code, text, "DATA command", "0.0", why, sizeof(why));
		all_rcpts(tx, code / 100 == 5 ? SMTPC_PERM : SMTPC_TEMP, why);
		rset(s);
		return 0;
	}
	if (accepted == 0) {	/* 354 with no recipient: send nothing */
		io_printf(s->io, ".\r\n");
		if (send_cmd(s, SMTP_T_DATA_DONE, "end of DATA") == 0)
			reply(s, SMTP_T_DATA_DONE, "end of DATA command", text,
			    sizeof(text), NULL);
		return 0;
	}
	if (put_data(s, tx) == -1 || (code = reply(s, SMTP_T_DATA_DONE,
	    "end of DATA command", text, sizeof(text), NULL)) == -1)
		return -1;
	if (code / 100 == 2) {
		all_rcpts(tx, SMTPC_OK, text);
		return 0;
	}
	said(s, code, text, "end of DATA command", "0.0", why, sizeof(why));
	all_rcpts(tx, code / 100 == 5 ? SMTPC_PERM : SMTPC_TEMP, why);
	if (code == 421)
		s->broken = 1;
	return 0;
}

void
smtpc_close(struct smtpc *s, int quit)
{
	char	 text[LIM_ERR];

	if (s->io != NULL && quit && !s->broken) {
		io_printf(s->io, "QUIT\r\n");
		if (send_cmd(s, SMTP_T_HELO, "QUIT") == 0)
			reply(s, SMTP_T_HELO, "QUIT", text, sizeof(text), NULL);
	}
	if (s->tls != NULL) {
		if (!s->broken)
			tls_close(s->tls, 1000);
		explicit_bzero(s->tls, sizeof(*s->tls));
		free(s->tls);
		s->tls = NULL;
	}
	if (s->fd != -1)
		close(s->fd);
	s->fd = -1;
	free(s->io);
	s->io = NULL;
}
