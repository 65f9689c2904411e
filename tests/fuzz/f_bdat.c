/*
 * libFuzzer target for BDAT (RFC 3030) in core/smtp.  The input is a
 * script for a client: three bytes of set-up, then steps.  The client
 * opens a transaction (EHLO, MAIL, RCPT) and goes on with BDAT chunks
 * whose announced size may lie (more or fewer bytes than follow, zero,
 * huge, not a number), whose keyword may be "LAST", "last" or something
 * else, and whose bytes may hold commands, mixed with RSET, NOOP, DATA,
 * MAIL, RCPT, EHLO and raw lines; the input ends wherever it ends, in a
 * chunk too.  What the client sends reaches smtp_server_run through an
 * io transport of our own that hands it over in segments of a size the
 * script picks (with EINTR now and then), and the replies are kept in
 * memory: no thread, no socket, no clock, so a run is deterministic.
 *
 * Then a model reads the client's bytes as RFC 3030 and the comments
 * of smtp.c say the server must: each command up to its LF; after a
 * well-formed BDAT, exactly the announced number of bytes, never taken
 * as a command, whatever the command's place in the dialogue.  It walks
 * those commands along the server's replies and the record the ops
 * kept, and aborts when:
 *  - a reply is missing, extra, or not one of those the command may
 *    get (each command gets exactly one, in order; a BDAT that is not
 *    the last is answered "250 2.0.0 N octets received" with its own N;
 *    a 5xx past max_errors is followed by 421 and the end);
 *  - a BDAT message without fault is not taken (data_end(1), once) with
 *    data_line having seen exactly its chunks joined and cut at CRLF, a
 *    last line without CRLF given as one; or one with a fault (a bare CR
 *    or LF, a NUL, a line over 998 octets of text, more than max_size,
 *    a line data_line refused) is taken, or refused with a reply that
 *    names no fault it has;
 *  - a transaction whose data_begin said yes ends any other way (RSET,
 *    EHLO, a bad BDAT, end of input inside a chunk, QUIT, too many
 *    errors) without data_end(0), exactly once; or data_end comes for
 *    one whose data_begin said no, or outside any;
 *  - data_line sees a CR, an LF, or more than 998 octets;
 *  - a reply line is not three digits, then a space or a dash, text
 *    without CR, LF or NUL, and CRLF, within 512 octets.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "io.h"
#include "limits.h"
#include "smtp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define STREAM_MAX	(256 * 1024)		/* what one client sends */
#define TEXT_MAX	(LIM_SMTP_TEXT - 2)	/* text in a message line */
#define CMD_MAX		(LIM_SMTP_CMD - 2)	/* text in a command line */
#define REFUSE		"X-Refuse:"		/* data_line says no to it */

static void
fail(const char *what, const void *p, size_t len)
{
	fprintf(stderr, "f_bdat: %s\n--- (%zu bytes) ---\n", what, len);
	fwrite(p, 1, len > 2048 ? 2048 : len, stderr);
	fputs("\n---\n", stderr);
	abort();
}

/* ---- the ops, and their record ---- */

struct message {
	struct buf	 lines;		/* what data_line saw, each with CRLF */
	int		 ended;		/* data_end was called */
	int		 ok;
};

static struct {
	struct message	*msg;		/* one per data_begin said yes */
	size_t		 nmsg, cap;
	int		 open;		/* the last one awaits data_end */
	unsigned	 begins;	/* data_begin calls */
	unsigned	 refuse;	/* bit k: the k-th data_begin says no */
} rec;

static int
refused_begin(unsigned k)
{
	return k < 8 && ((rec.refuse >> k) & 1);
}

static int
o_rcpt(void *ctx, const char *addr, const struct smtp_rcpt_params *p,
    char *reply, size_t len)
{
	(void)ctx; (void)p;
	if (strncmp(addr, "no@", 3) != 0)
		return 0;
	snprintf(reply, len, "550 5.1.1 <%s>: Recipient rejected", addr);
	return -1;
}

static int
o_data_begin(void *ctx, char *reply, size_t len)
{
	struct message	*m;

	(void)ctx; (void)reply; (void)len;
	if (rec.open)
		fail("data_begin inside a message", "", 0);
	if (refused_begin(rec.begins++))
		return -1;
	if (rec.nmsg == rec.cap) {
		rec.cap = rec.cap ? 2 * rec.cap : 16;
		if ((m = realloc(rec.msg, rec.cap * sizeof(*m))) == NULL)
			abort();
		rec.msg = m;
	}
	m = &rec.msg[rec.nmsg++];
	memset(m, 0, sizeof(*m));
	buf_init(&m->lines, 0);
	rec.open = 1;
	return 0;
}

static int
o_data_line(void *ctx, const char *line, size_t len)
{
	struct message	*m;

	(void)ctx;
	if (!rec.open)
		fail("data_line outside a message", line, len);
	m = &rec.msg[rec.nmsg - 1];
	if (memchr(line, '\r', len) != NULL || memchr(line, '\n', len) != NULL)
		fail("data_line given a CR or LF", line, len);
	if (len > TEXT_MAX)
		fail("data_line given a line over 998 octets", line, len);
	if (buf_add(&m->lines, line, len) == -1 ||
	    buf_adds(&m->lines, "\r\n") == -1)
		abort();
	return len >= strlen(REFUSE) &&
	    memcmp(line, REFUSE, strlen(REFUSE)) == 0 ? -1 : 0;
}

static int
o_data_end(void *ctx, int ok, char *reply, size_t len)
{
	(void)ctx; (void)reply; (void)len;
	if (!rec.open)
		fail("data_end outside a message (twice, or after a refused "
		    "data_begin)", "", 0);
	rec.msg[rec.nmsg - 1].ended = 1;
	rec.msg[rec.nmsg - 1].ok = ok;
	rec.open = 0;
	return 0;
}

static const struct smtp_server_ops ops = {
	.rcpt = o_rcpt,
	.data_begin = o_data_begin,
	.data_line = o_data_line,
	.data_end = o_data_end,
};

/* ---- the transport: the client's bytes in, the replies out ---- */

static struct feed {
	const unsigned char	*p;
	size_t			 n, pos;
	size_t			 seg;		/* a read stops at a multiple */
	int			 eintr;		/* every third read: EINTR */
	unsigned		 reads;
	struct buf		 out;
} feed;

static ssize_t
t_read(void *ctx, void *buf, size_t n, struct pollfd *want)
{
	struct feed	*f = ctx;
	size_t		 k = f->n - f->pos;

	(void)want;
	if (f->eintr && f->reads++ % 3 == 0) {
		errno = EINTR;
		return -1;
	}
	if (f->seg > 0 && k > f->seg - f->pos % f->seg)
		k = f->seg - f->pos % f->seg;
	if (k > n)
		k = n;
	if (k > 0)
		memcpy(buf, f->p + f->pos, k);
	f->pos += k;
	return (ssize_t)k;
}

static ssize_t
t_write(void *ctx, const void *buf, size_t n, struct pollfd *want)
{
	struct feed	*f = ctx;

	(void)want;
	if (buf_add(&f->out, buf, n) == -1)
		abort();
	return (ssize_t)n;
}

static const struct io_transport mem = {
	.read = t_read,
	.write = t_write,
};

/* ---- the script: what the client sends ---- */

struct script {
	const uint8_t	*p;
	size_t		 n;
	struct buf	 out;		/* what the client sends */
};

/* The next byte of the script, 0 past its end. */
static unsigned
take(struct script *s)
{
	if (s->n == 0)
		return 0;
	s->n--;
	return *s->p++;
}

/* Append to what is sent, cut at STREAM_MAX. */
static void
send_bytes(struct script *s, const void *p, size_t n)
{
	size_t	 room = STREAM_MAX - s->out.len;

	if (n > room)
		n = room;
	if (n > 0 && buf_add(&s->out, p, n) == -1)
		abort();
}

static void
send_str(struct script *s, const char *str)
{
	send_bytes(s, str, strlen(str));
}

/* Up to n bytes of the script itself, sent as they are. */
static void
send_raw(struct script *s, size_t n)
{
	if (n > s->n)
		n = s->n;
	send_bytes(s, s->p, n);
	s->p += n;
	s->n -= n;
}

#define BYTES(x)	{ x, sizeof(x) - 1 }

/* Chunk contents that matter: commands that must never run, false
   ends of DATA, bare CR and LF, NUL, the line data_line refuses. */
static const struct { const char *s; size_t n; } snippets[] = {
	BYTES("RSET\r\n"), BYTES("MAIL FROM:<x@example.org>\r\n"),
	BYTES("QUIT\r\n"), BYTES("BDAT 3 LAST\r\nabc"), BYTES("\r\n.\r\n"),
	BYTES("HELP\r\n"), BYTES("DATA\r\n"), BYTES("NOOP\r\n"),
	BYTES("Subject: s\r\n\r\nbody\r\n"), BYTES("bare LF\n"),
	BYTES("a\rb\r\n"), BYTES("ends in CR\r"), BYTES(REFUSE " yes\r\n"),
	BYTES("\r\n"), BYTES("\n"), BYTES("\r"), BYTES("..\r\n"),
	BYTES("EHLO x\r\n"), BYTES("NU\0L\r\n"), BYTES("\0"),
	BYTES("RCPT TO:<z@example.net>\r\n"), BYTES("\r\nBDAT 0 LAST\r\n"),
};

/* BDAT command lines: '#' stands for the size. */
static const char *const forms[] = {
	/* well-formed */
	"BDAT #", "BDAT # LAST", "BDAT #", "BDAT # LAST", "bdat # last",
	"BDAT # LaSt", "BDAT  #   LAST", "BDAT # ", "BDAT 000#",
	"BDAT 0# LAST",
	/* not: 501, and the session ends */
	"BDAT # LAST ", "BDAT # LASTX", "BDAT # END", "BDAT # LAST LAST",
	"BDAT x#", "BDAT -#", "BDAT", "BDAT # \tLAST", "BDAT #LAST",
	"BDAT 0x#",
	/* not BDAT at all: 500, and no byte read as a chunk */
	"BDAT\t#", "XBDAT #",
};

static const char *const cmds[] = {
	"RSET", "NOOP", "DATA", "MAIL FROM:<c@example.org>",
	"RCPT TO:<d@example.net>", "RCPT TO:<no@example.net>",
	"EHLO client.example", "HELO client.example", "QUIT", "RSET now",
	"DATA now", "HELP", "MAIL FROM:<bad", "EHLO", "STARTTLS",
	"AUTH PLAIN", "VRFY x", "MAIL FROM:<> SIZE=100",
	"RCPT TO:<e@example.net> NOTIFY=NEVER", "rset", "EXPN x",
	"NOOP BDAT 5", "", "MAIL FROM:<f@example.org> SMTPUTF8",
	"EHLO \tx", "Bdat 2 last",
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* A chunk's bytes, by one of four recipes. */
static void
chunk_bytes(struct script *s, struct buf *b)
{
	unsigned	 how = take(s), n, k;
	const uint8_t	*pat;

	switch (how & 3) {
	case 0:		/* as many bytes of the script as it says */
		n = take(s);
		n = n > s->n ? (unsigned)s->n : n;
		buf_add(b, s->p, n);
		s->p += n;
		s->n -= n;
		break;
	case 1:		/* a pattern repeated, up to 64 KiB */
		n = take(s);
		n |= take(s) << 8;
		k = take(s) % 16 + 1;
		k = k > s->n ? (unsigned)s->n : k;
		pat = k > 0 ? s->p : (const uint8_t *)"x";
		for (unsigned i = 0; i < n && b->len < STREAM_MAX; i++)
			buf_addc(b, pat[i % (k > 0 ? k : 1)]);
		s->p += k;
		s->n -= k;
		break;
	case 2:		/* a snippet */
		k = take(s) % NELEM(snippets);
		buf_add(b, snippets[k].s, snippets[k].n);
		break;
	default:	/* a line of 990 to 1005 octets, CRLF or not */
		k = take(s);
		for (unsigned i = 0; i < 990 + (k & 15); i++)
			buf_addc(b, 'y');
		if (k & 16)
			buf_adds(b, "\r\n");
	}
}

/* One BDAT: its line, its size true or not, its bytes. */
static void
step_chunk(struct script *s, unsigned sel)
{
	struct buf	 b;
	const char	*form = forms[sel % NELEM(forms)];
	char		 size[32];
	unsigned	 lie = take(s), d = take(s);
	size_t		 n;

	buf_init(&b, 0);
	chunk_bytes(s, &b);
	if (buf_failed(&b))
		abort();
	n = b.len;
	switch (lie >> 4) {	/* 0 to 9: the truth */
	case 10:
		n += d;
		break;
	case 11:
		n = n > d ? n - d : 0;
		break;
	case 12:
		n = 0;
		break;
	case 13:
		n++;
		break;
	case 14:
		n = n > 0 ? n - 1 : 0;
		break;
	}
	if ((lie >> 4) == 15)	/* the most smtp.c takes, or one digit more */
		snprintf(size, sizeof(size), "%s", lie & 1 ?
		    "999999999999999999" : "9999999999999999999");
	else
		snprintf(size, sizeof(size), "%zu", n);
	for (const char *f = form; *f != '\0'; f++)
		if (*f == '#')
			send_str(s, size);
		else
			send_bytes(s, f, 1);
	send_str(s, "\r\n");
	send_bytes(s, b.s, b.len);
	buf_free(&b);
}

/*
 * The client's bytes.  The script's first byte says how the server
 * reads them and what it allows (see LLVMFuzzerTestOneInput), its
 * second which data_begin calls say no, its third whether CHUNKING is
 * offered; then each step is a byte, its low three bits the kind:
 * 0 to 3 a BDAT (the others pick its form), 4 and 5 a command from
 * cmds, 6 a line of raw bytes, 7 DATA with raw bytes and the final dot.
 */
static void
client(struct script *s)
{
	unsigned	 b, sel;

	send_str(s, "EHLO client.example\r\nMAIL FROM:<a@example.org>\r\n"
	    "RCPT TO:<b@example.net>\r\n");
	while (s->n > 0 && s->out.len < STREAM_MAX) {
		b = take(s);
		sel = b >> 3;
		switch (b & 7) {
		case 4:
		case 5:
			send_str(s, cmds[sel % NELEM(cmds)]);
			send_str(s, "\r\n");
			break;
		case 6:
			send_raw(s, take(s));
			send_str(s, "\r\n");
			break;
		case 7:
			send_str(s, "DATA\r\n");
			send_raw(s, take(s));
			send_str(s, "\r\n.\r\n");
			break;
		default:
			step_chunk(s, sel);
		}
	}
}

/* ---- the model: what the server must have made of those bytes ---- */

struct model {
	const unsigned char	*s;		/* what the client sent */
	size_t			 n, pos;
	size_t			 cmd;		/* where the command began */
	const char		*r;		/* what the server replied */
	size_t			 rn, rpos;
	size_t			 rstart;	/* where the reply began */
	const char		*text;		/* its last line, after "NNN " */
	size_t			 tlen;
	off_t			 max_size;
	int			 max_errors;
	int			 chunking;	/* CHUNKING offered */
	int			 helo, mail, nrcpt;
	int			 bdat;		/* a BDAT transaction is open */
	int			 refused;	/* ... its data_begin said no */
	struct buf		 chunks;	/* ... its bytes so far */
	int			 errors;
	int			 over;		/* the session has ended */
	unsigned		 begins;	/* data_begin calls due */
	size_t			 msg;		/* rec.msg matched so far */
};

static void bad(const struct model *, const char *, ...)
    __attribute__((format(printf, 2, 3), noreturn));

static void
bad(const struct model *m, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 n;

	fputs("f_bdat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	n = m->n - m->cmd > 300 ? 300 : m->n - m->cmd;
	fprintf(stderr, "\n--- the command, at octet %zu of %zu sent ---\n",
	    m->cmd, m->n);
	fwrite(m->s + m->cmd, 1, n, stderr);
	n = m->rn - m->rstart > 600 ? 600 : m->rn - m->rstart;
	fprintf(stderr, "\n--- the replies from octet %zu of %zu ---\n",
	    m->rstart, m->rn);
	fwrite(m->r + m->rstart, 1, n, stderr);
	fputs("\n---\n", stderr);
	abort();
}

/* Every line three digits, a space or a dash, text, CRLF; 512 at most. */
static void
check_replies(const char *p, size_t n)
{
	const char	*e, *end = p + n;

	for (; p < end; p = e + 2) {
		if ((e = memmem(p, (size_t)(end - p), "\r\n", 2)) == NULL)
			fail("a reply not ended by CRLF", p, (size_t)(end - p));
		if (e - p + 2 > LIM_SMTP_REPLY)
			fail("a reply line over 512 octets", p, (size_t)(e - p));
		if (e - p < 3 || p[0] < '2' || p[0] > '5' || p[1] < '0' ||
		    p[1] > '9' || p[2] < '0' || p[2] > '9' ||
		    (e - p > 3 && p[3] != ' ' && p[3] != '-'))
			fail("a reply line without its code", p, (size_t)(e - p));
		if (memchr(p, '\n', (size_t)(e - p)) != NULL ||
		    memchr(p, '\r', (size_t)(e - p)) != NULL ||
		    memchr(p, '\0', (size_t)(e - p)) != NULL)
			fail("CR, LF or NUL in a reply", p, (size_t)(e - p));
	}
}

/* The next reply, all its lines: its code; its last line's text in
   m->text. */
static int
next_reply(struct model *m)
{
	const char	*p, *e;
	int		 code = -1, c;

	m->rstart = m->rpos;
	for (;;) {
		if (m->rpos >= m->rn)
			bad(m, "a reply missing");
		p = m->r + m->rpos;
		e = memmem(p, m->rn - m->rpos, "\r\n", 2);
		c = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
		if (code != -1 && c != code)
			bad(m, "a reply of several lines changes its code");
		code = c;
		m->rpos = (size_t)(e + 2 - m->r);
		if (e - p <= 3 || p[3] == ' ') {
			m->text = e - p > 4 ? p + 4 : e;
			m->tlen = (size_t)(e - m->text);
			return code;
		}
	}
}

/* The command's reply: one of codes ("250 501"), counted as errors are
   counted; past max_errors, 421 and the end. */
static int
answer(struct model *m, const char *codes)
{
	char	 c[8];
	int	 code = next_reply(m);

	snprintf(c, sizeof(c), "%d", code);
	if (strstr(codes, c) == NULL)
		bad(m, "reply %d where %s was due", code, codes);
	if (code >= 500 && ++m->errors >= m->max_errors) {
		if (next_reply(m) != 421)
			bad(m, "no 421 after %d errors", m->errors);
		m->over = 1;
	}
	return code;
}

/* The message the ops recorded for the next data_begin said yes: it
   ended once, as ok says, and data_line saw want (when not NULL). */
static void
message_end(struct model *m, int ok, const struct buf *want)
{
	const struct message	*g;

	if (m->msg >= rec.nmsg)
		bad(m, "data_begin said yes, and nothing was recorded");
	g = &rec.msg[m->msg++];
	if (!g->ended)
		bad(m, "a message never got its data_end");
	if (g->ok != ok)
		bad(m, "data_end(%d) where data_end(%d) was due", g->ok, ok);
	if (want != NULL && (g->lines.len != want->len ||
	    memcmp(buf_str(&g->lines), buf_str(want), want->len) != 0))
		bad(m, "data_line saw other lines than the chunks hold "
		    "(%zu octets with CRLF, not %zu)", g->lines.len,
		    want->len);
}

/* data_begin as the server must call it now: 0 said yes, -1 no. */
static int
begin(struct model *m)
{
	return refused_begin(m->begins++) ? -1 : 0;
}

/* The end of a transaction without a message: data_end(0) for a BDAT
   one begun. */
static void
reset(struct model *m)
{
	if (m->bdat && !m->refused)
		message_end(m, 0, NULL);
	m->mail = m->nrcpt = m->bdat = m->refused = 0;
	buf_reset(&m->chunks);
}

/* The transaction ended with its message: nothing more to hear. */
static void
done(struct model *m)
{
	m->mail = m->nrcpt = m->bdat = m->refused = 0;
	buf_reset(&m->chunks);
}

static int
is(const unsigned char *v, size_t vl, const char *name)
{
	return vl == strlen(name) && strncasecmp((const char *)v, name, vl) == 0;
}

/* Anything but spaces? */
static int
has_arg(const unsigned char *a, size_t al)
{
	for (size_t i = 0; i < al; i++)
		if (a[i] != ' ')
			return 1;
	return 0;
}

/*
 * What the rules make of a BDAT message p[0..n), cut into lines at LF,
 * a last one without LF a line too: 1 when it has no fault, with the
 * lines data_line must see (each with CRLF) in want; else 0, with the
 * replies that name one of its faults in codes.
 */
static int
verdict(const struct model *m, const unsigned char *p, size_t n,
    struct buf *want, char *codes, size_t clen)
{
	const unsigned char	*lf;
	unsigned long long	 size = 0;
	size_t			 tl, next;
	int			 bare = 0, nul = 0, toolong = 0, big = 0, no = 0;

	for (size_t i = 0; i < n; i = next) {
		lf = memchr(p + i, '\n', n - i);
		next = lf != NULL ? (size_t)(lf - p) + 1 : n;
		tl = lf != NULL ? (size_t)(lf - (p + i)) : n - i;
		if (lf != NULL && tl > 0 && p[i + tl - 1] == '\r')
			tl--;
		else if (lf != NULL)
			bare = 1;
		bare |= memchr(p + i, '\r', tl) != NULL;
		nul |= memchr(p + i, '\0', tl) != NULL;
		toolong |= tl > TEXT_MAX;
		size += tl + 2;
		big |= m->max_size > 0 && size > (unsigned long long)m->max_size;
		no |= tl >= strlen(REFUSE) && memcmp(p + i, REFUSE,
		    strlen(REFUSE)) == 0;
		buf_add(want, p + i, tl);
		buf_adds(want, "\r\n");
	}
	snprintf(codes, clen, "%s%s%s%s%s", bare ? " 550" : "",
	    nul ? " 554" : "", toolong ? " 500" : "", big ? " 552" : "",
	    no ? " 554" : "");
	if (codes[0] == ' ')
		memmove(codes, codes + 1, strlen(codes));
	return !(bare || nul || toolong || big || no);
}

/* "BDAT" SP size [SP "LAST"] as smtp.c takes it: spaces, 1 to 18
   digits, then the end, or spaces and the end or LAST in any case. */
static int
bdat_arg(const unsigned char *a, size_t al, unsigned long long *size,
    int *last)
{
	size_t	 i = 0, d;

	while (i < al && a[i] == ' ')
		i++;
	for (d = i; i < al && a[i] >= '0' && a[i] <= '9'; i++)
		;
	if (i == d || i - d > 18 || (i < al && a[i] != ' '))
		return -1;
	for (*size = 0; d < i; d++)
		*size = *size * 10 + (a[d] - '0');
	while (i < al && a[i] == ' ')
		i++;
	*last = al - i == 4 && strncasecmp((const char *)a + i, "LAST", 4) == 0;
	return *last || i == al ? 0 : -1;
}

/* BDAT LAST, its bytes read: the message as the rules make it. */
static void
bdat_last(struct model *m)
{
	struct buf	 want;
	char		 codes[32];
	int		 ok;

	buf_init(&want, 0);
	ok = verdict(m, (const unsigned char *)buf_str(&m->chunks),
	    m->chunks.len, &want, codes, sizeof(codes));
	answer(m, ok ? "250" : codes);
	message_end(m, ok, ok ? &want : NULL);
	buf_free(&want);
	done(m);
}

static void
m_bdat(struct model *m, const unsigned char *a, size_t al)
{
	unsigned long long	 size;
	size_t			 avail = m->n - m->pos;
	char			 want[64];
	int			 last;

	if (!m->chunking) {
		answer(m, "502");	/* its bytes are commands, then */
		return;
	}
	if (bdat_arg(a, al, &size, &last) == -1) {
		answer(m, "501");
		m->over = 1;
		return;
	}
	if (!m->mail || m->nrcpt == 0) {
		if (size > avail) {
			m->pos = m->n;
			m->over = 1;
		} else {
			m->pos += size;
			answer(m, "503");
		}
		return;
	}
	if (!m->bdat) {
		m->bdat = 1;
		m->refused = begin(m) == -1;
	}
	if (size > avail) {
		m->pos = m->n;
		reset(m);
		m->over = 1;
		return;
	}
	if (!m->refused)
		buf_add(&m->chunks, m->s + m->pos, size);
	m->pos += size;
	if (m->refused) {
		answer(m, "451");
		if (last)
			reset(m);
	} else if (last)
		bdat_last(m);
	else {
		answer(m, "250");
		snprintf(want, sizeof(want), "2.0.0 %llu octets received", size);
		if (m->tlen != strlen(want) || memcmp(m->text, want, m->tlen))
			bad(m, "not \"%s\"", want);
	}
}

/* DATA, and its lines to the final dot, which the model does not judge:
   whatever the reply says, data_end must have said the same. */
static void
m_data(struct model *m, const unsigned char *a, size_t al)
{
	const unsigned char	*line, *lf;
	size_t			 len;
	int			 prev = 1, crlf;

	if (!m->mail || m->nrcpt == 0) {
		answer(m, "503");
		return;
	}
	if (has_arg(a, al)) {
		answer(m, "501");
		return;
	}
	if (m->bdat) {		/* BDAT and DATA are not mixed */
		answer(m, "503");
		return;
	}
	if (begin(m) == -1) {
		answer(m, "451");
		reset(m);
		return;
	}
	answer(m, "354");
	for (;;) {
		line = m->s + m->pos;
		if ((lf = memchr(line, '\n', m->n - m->pos)) == NULL) {
			m->pos = m->n;
			message_end(m, 0, NULL);
			done(m);
			m->over = 1;
			return;
		}
		len = (size_t)(lf - line);
		m->pos += len + 1;
		crlf = len > 0 && line[len - 1] == '\r';
		if (prev && crlf && len == 2 && line[0] == '.')
			break;
		prev = crlf;
	}
	message_end(m, answer(m, "250 500 550 552 554") == 250, NULL);
	done(m);
}

static void
m_helo(struct model *m, const unsigned char *a, size_t al, int esmtp)
{
	size_t	 i = 0, e = al;
	int	 chunking;

	while (i < al && a[i] == ' ')
		i++;
	while (e > i && a[e - 1] == ' ')
		e--;
	for (size_t k = i; k < e; k++)
		if (a[k] < 0x20 || a[k] >= 0x7f)
			e = i;
	if (i == e) {
		answer(m, "501");
		return;
	}
	reset(m);
	m->helo = esmtp ? 2 : 1;
	answer(m, "250");
	chunking = memmem(m->r + m->rstart, m->rpos - m->rstart,
	    "CHUNKING\r\n", 10) != NULL;
	if (esmtp && chunking != m->chunking)
		bad(m, "CHUNKING %soffered", m->chunking ? "not " : "");
}

static void
m_mail(struct model *m)
{
	if (!m->helo || m->mail)
		answer(m, "503");
	else if (answer(m, "250 501 552 553 555") == 250)
		m->mail = 1;
}

static void
m_rcpt(struct model *m)
{
	if (!m->mail)
		answer(m, "503");
	else if (answer(m, "250 501 550 553 555") == 250)
		m->nrcpt++;
}

static void
m_rset(struct model *m, const unsigned char *a, size_t al)
{
	if (has_arg(a, al)) {
		answer(m, "501");
		return;
	}
	reset(m);
	answer(m, "250");
}

/* One command line, up to its LF, and what it must have done. */
static void
command(struct model *m)
{
	const unsigned char	*line = m->s + m->pos, *lf, *sp, *a;
	size_t			 len, vl, al;
	int			 crlf;

	m->cmd = m->pos;
	if ((lf = memchr(line, '\n', m->n - m->pos)) == NULL) {
		m->pos = m->n;		/* end of input, in a line or not */
		m->over = 1;
		return;
	}
	len = (size_t)(lf - line);
	m->pos += len + 1;
	if ((crlf = len > 0 && line[len - 1] == '\r'))
		len--;
	if (len > CMD_MAX || !crlf || memchr(line, '\0', len) != NULL) {
		answer(m, "500");
		return;
	}
	sp = memchr(line, ' ', len);
	vl = sp != NULL ? (size_t)(sp - line) : len;
	a = sp != NULL ? sp + 1 : line + len;
	al = len - (size_t)(a - line);
	if (is(line, vl, "BDAT"))
		m_bdat(m, a, al);
	else if (is(line, vl, "DATA"))
		m_data(m, a, al);
	else if (is(line, vl, "EHLO") || is(line, vl, "HELO"))
		m_helo(m, a, al, is(line, vl, "EHLO"));
	else if (is(line, vl, "MAIL"))
		m_mail(m);
	else if (is(line, vl, "RCPT"))
		m_rcpt(m);
	else if (is(line, vl, "RSET"))
		m_rset(m, a, al);
	else if (is(line, vl, "NOOP"))
		answer(m, "250");
	else if (is(line, vl, "HELP"))
		answer(m, "214");
	else if (is(line, vl, "VRFY"))
		answer(m, "252");
	else if (is(line, vl, "QUIT")) {
		answer(m, "221");
		m->over = 1;
	} else if (is(line, vl, "EXPN") || is(line, vl, "ETRN") ||
	    is(line, vl, "TURN") || is(line, vl, "AUTH") ||
	    is(line, vl, "STARTTLS"))
		answer(m, "502");	/* AUTH, STARTTLS: not offered */
	else
		answer(m, "500");
}

static void
model(struct model *m)
{
	answer(m, "220");
	while (!m->over)
		command(m);
	if (m->mail)		/* the server's last reset */
		reset(m);
	m->rstart = m->rpos;
	if (m->rpos != m->rn)
		bad(m, "a reply too many");
	if (m->begins != rec.begins)
		bad(m, "data_begin called %u times, %u due", rec.begins,
		    m->begins);
	if (m->msg != rec.nmsg)
		bad(m, "%zu messages begun, %zu due", rec.nmsg, m->msg);
}

/*
 * Run the server on the client's bytes, in segments of segs[bits 0-2 of
 * how] octets (0: as many as asked for), every third read first failing
 * with EINTR when bit 3 is set, max_size sizes[bits 4-5], max_errors
 * errs[bits 6-7].  What it said is in feed.out.
 */
static void
serve(struct smtp_server *s, unsigned how, int chunking)
{
	static const size_t	 segs[] = { 0, 1, 2, 3, 5, 64, 1000, 16384 };
	static const off_t	 sizes[] = { 0, 100, 2000, 70000 };
	static const int	 errs[] = { 0, 1, 3, 1000 };
	static struct io	 io;

	feed.seg = segs[how & 7];
	feed.eintr = how & 8;
	buf_init(&feed.out, 0);
	io_init(&io, -1, -1, 0);
	if (io_set_transport(&io, &mem, &feed) == -1)
		abort();
	memset(s, 0, sizeof(*s));
	s->io = &io;
	s->hostname = "mx.example";
	s->max_size = sizes[(how >> 4) & 3];
	s->caps = SMTP_CAPS_BASE;
	if (!chunking)
		s->caps &= ~SMTP_CAP_CHUNKING;
	s->max_errors = errs[how >> 6];
	s->ops = &ops;
	smtp_server_run(s);
	if (rec.open)
		fail("a message left without data_end", feed.p, feed.n);
	/* input that ends inside a chunk is a failure of the stream, and
	   io's errors stick: what was still buffered is never sent, but
	   the server said it all the same */
	if (io.wlen > 0 && io.err == 0)
		fail("replies left unsent", io.wbuf, io.wlen);
	if (buf_add(&feed.out, io.wbuf, io.wlen) == -1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script		 sc;
	struct smtp_server	 s;
	struct model		 m;

	if (size < 3)
		return 0;
	memset(&rec, 0, sizeof(rec));
	rec.refuse = data[1];
	sc.p = data + 3;
	sc.n = size - 3;
	buf_init(&sc.out, 0);
	client(&sc);
	memset(&feed, 0, sizeof(feed));
	feed.p = (const unsigned char *)buf_str(&sc.out);
	feed.n = sc.out.len;
	serve(&s, data[0], (data[2] & 7) != 7);
	check_replies(buf_str(&feed.out), feed.out.len);

	memset(&m, 0, sizeof(m));
	m.s = feed.p;
	m.n = feed.n;
	m.r = buf_str(&feed.out);
	m.rn = feed.out.len;
	m.max_size = s.max_size;
	m.max_errors = s.max_errors > 0 ? s.max_errors : 20;
	m.chunking = (s.caps & SMTP_CAP_CHUNKING) != 0;
	buf_init(&m.chunks, 0);
	model(&m);

	if (buf_failed(&m.chunks))
		abort();
	buf_free(&m.chunks);
	for (size_t i = 0; i < rec.nmsg; i++)
		buf_free(&rec.msg[i].lines);
	free(rec.msg);
	buf_free(&feed.out);
	buf_free(&sc.out);
	return 0;
}
