/*
 * Message intake and the header helpers (RFC 5322, RFC 2047).
 *
 * The header section is kept in memory (at most LIM_HEADERS bytes)
 * until it ends, because what is written depends on all of it: a Bcc:
 * field is dropped, missing fields are added after the others, and
 * the Received: field goes first.  The body is streamed to `out` line
 * by line, never held.
 *
 * What msg.h leaves open is settled here:
 *  - The header section ends at an empty line, at a line that is
 *    neither a field ("name:" with a name of printable ASCII 33..126
 *    other than ':') nor a continuation (leading SP or HTAB), or at
 *    msg_in_end().  A continuation as the very first line has no field
 *    to continue, so it starts the body.
 *  - The empty line between header and body is written only when there
 *    is a body: a message that ends inside its header section (no empty
 *    line at all, or empty input) is written as its header fields only,
 *    which RFC 5322 allows.  "From: a\n\n" is written as given.
 *  - Lines are taken as given: a CR left at the end of a line stays.
 *  - Every line counts its length plus one (the LF) towards max_size;
 *    max_size 0 means no limit.  A message of exactly max_size is fine.
 *  - With extract_rcpts, To:, Cc: and Bcc: are parsed (Resent-* are
 *    not: they are for resending, which sendmail -t does not do), their
 *    mailboxes collected in order, duplicates kept for the caller.
 *  - With add_missing, From: is added only when opts->from_addr is
 *    set; a from_name that cannot be a phrase (control characters or
 *    bad UTF-8) is left out rather than refusing a good message.  The
 *    added From: is folded at spaces to stay within 78 columns.
 * After an error every further call returns -1 at once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "addr.h"
#include "mime.h"
#include "msg.h"

/* A B encoded word: "=?UTF-8?B?" 60 base64 characters "?=" is 72 <= 75. */
#define EW_RAW		45
#define FOLD_COL	78

static int fail(struct msg_in *, enum msg_err, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct msg_in *m, enum msg_err e, const char *fmt, ...)
{
	va_list	 ap;

	m->err = e;
	va_start(ap, fmt);
	vsnprintf(m->errtext, sizeof(m->errtext), fmt, ap);
	va_end(ap);
	return -1;
}

static int
put(struct msg_in *m, const void *s, size_t n)
{
	if (m->err != MSG_OK)
		return -1;
	if (n > 0 && fwrite(s, 1, n, m->out) != n) {
		m->sys_errno = errno;
		return fail(m, MSG_ERR_IO, "cannot write the message: %s",
		    strerror(m->sys_errno));
	}
	return 0;
}

static int
puts_(struct msg_in *m, const char *s)
{
	return put(m, s, strlen(s));
}

void
msg_in_begin(struct msg_in *m, FILE *out, const struct msg_opts *o)
{
	memset(m, 0, sizeof(*m));
	m->o = *o;
	m->out = out;
	buf_init(&m->hdr, LIM_HEADERS);
}

void
msg_in_free(struct msg_in *m)
{
	int	 i;

	for (i = 0; i < m->nrcpts; i++)
		free(m->rcpts[i]);
	free(m->rcpts);
	m->rcpts = NULL;
	m->nrcpts = 0;
	buf_free(&m->hdr);
}

static int
is_field(const char *line, size_t len)
{
	size_t	 i;

	for (i = 0; i < len && line[i] != ':'; i++)
		if ((unsigned char)line[i] < 33 || (unsigned char)line[i] > 126)
			return 0;
	return i > 0 && i < len;
}

/* Is the field at f (up to e) named name (any case)? */
static int
named(const char *f, const char *e, const char *name)
{
	size_t	 n = strlen(name);

	return (size_t)(e - f) > n && f[n] == ':' &&
	    strncasecmp(f, name, n) == 0;
}

/* addr_list_parse() callback: keep one extracted recipient. */
static int
add_rcpt(void *ctx, const char *addr)
{
	struct msg_in	 *m = ctx;
	char		**r;

	if (m->nrcpts >= LIM_HEADER_RCPTS)
		return fail(m, MSG_ERR_TOOMANY, "more than %d recipients in "
		    "To:, Cc: and Bcc: (the limit)", LIM_HEADER_RCPTS);
	r = realloc(m->rcpts, (size_t)(m->nrcpts + 1) * sizeof(*r));
	if (r == NULL)
		return fail(m, MSG_ERR_NOMEM, "out of memory");
	m->rcpts = r;
	if ((r[m->nrcpts] = strdup(addr)) == NULL)
		return fail(m, MSG_ERR_NOMEM, "out of memory");
	m->nrcpts++;
	return 0;
}

/* Collect the mailboxes of one To:/Cc:/Bcc: field, f up to e (a LF). */
static int
extract(struct msg_in *m, const char *name, char *f, char *e)
{
	char	 why[LIM_ERR];
	int	 r;

	/* The field is ours to cut: its last LF becomes the value's NUL,
	   the folds inside it are white space to the parser. */
	e[-1] = '\0';
	why[0] = '\0';
	r = addr_list_parse(f + strlen(name) + 1, add_rcpt, m, why,
	    sizeof(why));
	e[-1] = '\n';
	if (r == -1 && m->err == MSG_OK)
		return fail(m, MSG_ERR_RCPT, "%s: header: %s", name, why);
	return r;
}

static int
do_field(struct msg_in *m, char *f, char *e)
{
	static const char *const rcpt[] = { "To", "Cc", "Bcc" };
	size_t	 i;

	if (named(f, e, "From"))
		m->seen_from = 1;
	else if (named(f, e, "Date"))
		m->seen_date = 1;
	else if (named(f, e, "Message-ID"))
		m->seen_msgid = 1;
	else if (m->o.extract_rcpts)
		for (i = 0; i < sizeof(rcpt) / sizeof(rcpt[0]); i++) {
			if (!named(f, e, rcpt[i]))
				continue;
			if (extract(m, rcpt[i], f, e) == -1)
				return -1;
			if (i == 2)
				return 0;	/* Bcc: is not written */
		}
	return put(m, f, (size_t)(e - f));
}

/* Write s as one field, folded before a space where it passes 78. */
static int
put_folded(struct msg_in *m, const char *s, size_t n)
{
	size_t	 i = 0, j, col = 0;

	while (i < n) {
		for (j = i + 1; j < n && s[j] != ' '; j++)
			;
		if (col > 0 && s[i] == ' ' && col + (j - i) > FOLD_COL) {
			if (put(m, "\n", 1) == -1)
				return -1;
			col = 0;
		}
		if (put(m, s + i, j - i) == -1)
			return -1;
		col += j - i;
		i = j;
	}
	return put(m, "\n", 1);
}

static int
add_from(struct msg_in *m)
{
	struct buf	 ph, line;
	const char	*name = m->o.from_name;
	int		 r;

	buf_init(&ph, 0);
	buf_init(&line, 0);
	if (name != NULL && *name != '\0' && msg_phrase(name, &ph) == 0)
		buf_printf(&line, "From: %s <%s>", buf_str(&ph),
		    m->o.from_addr);
	else if (ph.err == ENOMEM)
		line.err = ENOMEM;
	else
		buf_printf(&line, "From: %s", m->o.from_addr);
	if (line.err != 0)
		r = fail(m, MSG_ERR_NOMEM, "out of memory");
	else
		r = put_folded(m, line.s, line.len);
	buf_free(&ph);
	buf_free(&line);
	return r;
}

/* "Message-ID: <YYYYMMDDhhmmss.QID@hostname>", the time in UTC. */
static int
add_msgid(struct msg_in *m)
{
	struct buf	 b;
	struct tm	 tm;
	int		 r;

	if (gmtime_r(&m->o.now, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	buf_init(&b, 0);
	buf_printf(&b, "Message-ID: <%04d%02d%02d%02d%02d%02d.%s@%s>\n",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, m->o.qid != NULL ? m->o.qid : "0",
	    m->o.hostname != NULL ? m->o.hostname : "localhost");
	if (b.err != 0)
		r = fail(m, MSG_ERR_NOMEM, "out of memory");
	else
		r = put(m, b.s, b.len);
	buf_free(&b);
	return r;
}

static int
add_missing(struct msg_in *m)
{
	char	 s[64];

	if (!m->seen_from && m->o.from_addr != NULL &&
	    *m->o.from_addr != '\0' && add_from(m) == -1)
		return -1;
	if (!m->seen_date) {
		msg_date(m->o.now, s, sizeof(s));
		if (puts_(m, "Date: ") == -1 || puts_(m, s) == -1 ||
		    put(m, "\n", 1) == -1)
			return -1;
	}
	if (!m->seen_msgid && add_msgid(m) == -1)
		return -1;
	return 0;
}

/* The header section is complete: write it, Received: first. */
static int
flush_headers(struct msg_in *m)
{
	char	*p = NULL, *end = NULL, *f;

	if (m->hdr.len > 0) {
		p = m->hdr.s;
		end = p + m->hdr.len;
	}
	if (m->o.received != NULL && (puts_(m, "Received: ") == -1 ||
	    puts_(m, m->o.received) == -1 || put(m, "\n", 1) == -1))
		return -1;
	/* Each line in hdr ends in LF; a field runs on over the lines
	   that start with SP or HTAB. */
	while (p != NULL && p < end) {
		f = p;
		do
			p = memchr(p, '\n', (size_t)(end - p)) + 1;
		while (p < end && (*p == ' ' || *p == '\t'));
		if (do_field(m, f, p) == -1)
			return -1;
	}
	if (m->o.add_missing && add_missing(m) == -1)
		return -1;
	buf_free(&m->hdr);
	return 0;
}

static int
start_body(struct msg_in *m)
{
	if (flush_headers(m) == -1 || put(m, "\n", 1) == -1)
		return -1;
	m->in_body = 1;
	return 0;
}

static int
add_header(struct msg_in *m, const char *line, size_t len)
{
	if (buf_add(&m->hdr, line, len) == 0 && buf_addc(&m->hdr, '\n') == 0)
		return 0;
	if (m->hdr.err == ERANGE)
		return fail(m, MSG_ERR_HEADERS, "header section exceeds the "
		    "limit of %d bytes", LIM_HEADERS);
	return fail(m, MSG_ERR_NOMEM, "out of memory");
}

int
msg_in_line(struct msg_in *m, const char *line, size_t len)
{
	if (m->err != MSG_OK)
		return -1;
	m->lineno++;
	m->size += (off_t)len + 1;
	if (m->o.max_size > 0 && m->size > m->o.max_size)
		return fail(m, MSG_ERR_SIZE, "message exceeds the size limit "
		    "of %lld bytes (max_size)", (long long)m->o.max_size);
	if (memchr(line, '\0', len) != NULL)
		return fail(m, MSG_ERR_NUL, "message contains a NUL byte "
		    "(line %ld)", m->lineno);
	if (!m->in_body) {
		if (len == 0)
			return start_body(m);
		if (is_field(line, len) || (m->hdr.len > 0 &&
		    (line[0] == ' ' || line[0] == '\t')))
			return add_header(m, line, len);
		if (start_body(m) == -1)
			return -1;
	}
	if (put(m, line, len) == -1 || put(m, "\n", 1) == -1)
		return -1;
	return 0;
}

int
msg_in_end(struct msg_in *m)
{
	if (m->err != MSG_OK)
		return -1;
	if (!m->in_body && flush_headers(m) == -1)
		return -1;
	if (fflush(m->out) == EOF || ferror(m->out)) {
		m->sys_errno = errno;
		return fail(m, MSG_ERR_IO, "cannot write the message: %s",
		    strerror(m->sys_errno));
	}
	return 0;
}

void
msg_date(time_t t, char *out, size_t len)
{
	static const char days[7][4] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char mons[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
	};
	struct tm	 tm;
	long		 off;
	int		 sign = '+';

	/* By hand rather than strftime(): no locale can change it. */
	if (localtime_r(&t, &tm) == NULL && gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	off = tm.tm_gmtoff / 60;
	if (off < 0) {
		sign = '-';
		off = -off;
	}
	snprintf(out, len, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld",
	    days[tm.tm_wday % 7], tm.tm_mday, mons[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, sign,
	    off / 60, off % 60);
}

static int
is_atext(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* RFC 2047 B words of at most 75 characters, never splitting a
   character, separated by a space where the caller may fold. */
static int
encode_words(const unsigned char *s, size_t n, struct buf *out)
{
	size_t	 i, take, c;

	for (i = 0; i < n; i += take) {
		for (take = 0; i + take < n; take += c) {
			c = mime_utf8_len(s + i + take, n - i - take);
			if (take + c > EW_RAW)
				break;
		}
		if (i > 0)
			buf_addc(out, ' ');
		buf_adds(out, "=?UTF-8?B?");
		mime_b64_word(out, s + i, take);
		buf_adds(out, "?=");
	}
	return out->err != 0 ? -1 : 0;
}

int
msg_phrase(const char *name, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t	 n = strlen(name), i, c;
	int	 ascii = 1, plain = 1, word = 0;

	for (i = 0; i < n; i += c) {
		if ((c = mime_utf8_len(s + i, n - i)) == 0 ||
		    s[i] < 0x20 || s[i] == 0x7f) {
			errno = EINVAL;	/* would break the header */
			return -1;
		}
		if (s[i] >= 0x80)
			ascii = 0;
		else if (is_atext(s[i]))
			word = 1;
		else if (s[i] != ' ')
			plain = 0;
	}
	if (!ascii)
		return encode_words(s, n, out);
	/* Quoted too: what a reader would trim, or decode as RFC 2047. */
	if (plain && word && s[0] != ' ' && s[n - 1] != ' ' &&
	    strstr(name, "=?") == NULL)
		return buf_add(out, name, n);
	buf_addc(out, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf_addc(out, '\\');
		buf_addc(out, s[i]);
	}
	buf_addc(out, '"');
	return out->err != 0 ? -1 : 0;
}
