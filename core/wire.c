/*
 * The outbound form of a message.  An entity is a header section and a
 * body; a multipart body is walked part by part (to LIM_MIME_DEPTH), so
 * that only the parts that need it change.  A leaf that needs it gets
 * quoted-printable: one already in quoted-printable is decoded first, a
 * base64 one never needs it, and a message/ or multipart/ leaf (which
 * RFC 2045 6.4 forbids to encode) has its long lines cut instead, the
 * one change that loses the octets' layout, never their order.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "limits.h"
#include "mime.h"
#include "wire.h"

void
wire_scan(const char *p, size_t n, struct wire *w)
{
	size_t	 col = 0;

	w->eightbit = w->longlines = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch == '\n' || ch == '\r') {
			col = 0;
			continue;
		}
		if (ch >= 0x80)
			w->eightbit = 1;
		if (++col > LIM_MSG_LINE)
			w->longlines = 1;
	}
}

/* The end of the line at p (after its LF, or end). */
static const char *
eol(const char *p, const char *end)
{
	const char	*q = memchr(p, '\n', (size_t)(end - p));

	return q != NULL ? q + 1 : end;
}

/* Is [p, q) an empty line (LF, or CR LF)? */
static int
blank(const char *p, const char *q)
{
	return (q - p == 1 && p[0] == '\n') || (q - p == 2 && p[0] == '\r' &&
	    p[1] == '\n');
}

/* Where the header section ends: after its empty line (or at end). */
static const char *
header_end(const char *p, const char *end)
{
	while (p < end) {
		const char *q = eol(p, end);

		if (blank(p, q))
			return q;
		p = q;
	}
	return end;
}

/* Does [p, end) hold a line over the limit, or an 8-bit octet when
   those must go? */
static int
needs(const char *p, const char *end, int eightbit_ok)
{
	struct wire	 w;

	wire_scan(p, (size_t)(end - p), &w);
	return w.longlines || (w.eightbit && !eightbit_ok);
}

/* The octets of the line [p, q) without its LF (the last line of a
   message may have none). */
static size_t
line_len(const char *p, const char *q)
{
	return (size_t)(q - p) - (q > p && q[-1] == '\n');
}

/* Cut lines over the limit into pieces (the last resort). */
static int
put_cut(struct buf *out, const char *p, const char *end)
{
	while (p < end) {
		const char *q = eol(p, end);

		while (line_len(p, q) > LIM_MSG_LINE) {
			if (buf_add(out, p, LIM_MSG_LINE) == -1 ||
			    buf_addc(out, '\n') == -1)
				return -1;
			p += LIM_MSG_LINE;
		}
		if (buf_add(out, p, (size_t)(q - p)) == -1)
			return -1;
		p = q;
	}
	return 0;
}

/* One header field line (with its LF), folded at white space when it
   is over the limit. */
static int
put_header_line(struct buf *out, const char *p, const char *q)
{
	size_t	 pre = 0;	/* a space this module put on the line */

	while (pre + line_len(p, q) > LIM_MSG_LINE) {
		const char *cut = p + (LIM_MSG_LINE - pre);
		int white;

		while (cut > p + 1 && *cut != ' ' && *cut != '\t')
			cut--;
		if (cut == p + 1)	/* no white space: a space is put in */
			cut = p + (LIM_MSG_LINE - pre - 1);
		white = *cut == ' ' || *cut == '\t';
		if (buf_add(out, p, (size_t)(cut - p)) == -1 ||
		    buf_adds(out, white ? "\n" : "\n ") == -1)
			return -1;
		pre = !white;
		p = cut;
	}
	return buf_add(out, p, (size_t)(q - p));
}

/* ---- masquerading From: ---- */

/* An address in [p, q) (no angle brackets) as it should leave. */
static int
put_masq_addr(struct buf *out, const char *p, const char *q,
    const char *host, const char *masq)
{
	const char	*at = NULL;
	size_t		 hl = strlen(host);

	for (const char *s = p; s < q; s++)
		if (*s == '@')
			at = s;
	if (p == q)
		return 0;
	if (at == NULL)
		return buf_add(out, p, (size_t)(q - p)) == -1 ||
		    buf_addc(out, '@') == -1 || buf_adds(out, masq) == -1 ?
		    -1 : 0;
	if ((size_t)(q - at - 1) == hl && strncasecmp(at + 1, host, hl) == 0)
		return buf_add(out, p, (size_t)(at + 1 - p)) == -1 ||
		    buf_adds(out, masq) == -1 ? -1 : 0;
	return buf_add(out, p, (size_t)(q - p));
}

/* Skip a quoted string or a (nested) comment starting at p. */
static const char *
skip_special(const char *p, const char *end)
{
	int	 depth = 0;
	char	 close = *p == '"' ? '"' : ')';

	for (p++; p < end; p++) {
		if (*p == '\\' && p + 1 < end)
			p++;
		else if (close == ')' && *p == '(')
			depth++;
		else if (*p == close && depth-- == 0)
			return p + 1;
	}
	return end;
}

/* One mailbox of From: (between commas): the part in angle brackets,
   else its addr-spec (the text outside comments, trimmed). */
static int
put_mailbox(struct buf *out, const char *p, const char *q,
    const char *host, const char *masq)
{
	const char	*s, *a = NULL, *b = NULL, *lt = NULL;

	for (s = p; s < q; ) {
		if (*s == '"' || *s == '(') {
			s = skip_special(s, q);
			continue;
		}
		if (*s == '<' && lt == NULL)
			lt = s;
		s++;
	}
	if (lt != NULL) {
		const char *gt = memchr(lt, '>', (size_t)(q - lt));

		if (gt == NULL)
			return buf_add(out, p, (size_t)(q - p));
		return buf_add(out, p, (size_t)(lt + 1 - p)) == -1 ||
		    put_masq_addr(out, lt + 1, gt, host, masq) == -1 ||
		    buf_add(out, gt, (size_t)(q - gt)) == -1 ? -1 : 0;
	}
	for (s = p; s < q; ) {		/* the first run outside comments */
		if (*s == '(') {
			if (a != NULL)
				break;
			s = skip_special(s, q);
			continue;
		}
		if (*s == '"') {	/* a quoted local part: one piece */
			if (a != NULL && s > b)
				break;
			if (a == NULL)
				a = s;
			s = b = skip_special(s, q);
			continue;
		}
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') {
			if (a == NULL)
				a = s;
			b = s + 1;
		} else if (a != NULL && b != NULL && s > b)
			break;
		s++;
	}
	if (a == NULL)
		return buf_add(out, p, (size_t)(q - p));
	return buf_add(out, p, (size_t)(a - p)) == -1 ||
	    put_masq_addr(out, a, b, host, masq) == -1 ||
	    buf_add(out, b, (size_t)(q - b)) == -1 ? -1 : 0;
}

/* The field "From:..." in [p, q) (continuation lines included). */
static int
put_from(struct buf *out, const char *p, const char *q, const char *host,
    const char *masq)
{
	const char	*s = p + 5, *start = s;

	if (buf_add(out, p, 5) == -1)
		return -1;
	while (s < q) {
		if (*s == '"' || *s == '(') {
			s = skip_special(s, q);
			continue;
		}
		if (*s == '<') {
			const char *gt = memchr(s, '>', (size_t)(q - s));

			s = gt != NULL ? gt + 1 : q;
			continue;
		}
		if (*s == ',') {
			if (put_mailbox(out, start, s, host, masq) == -1 ||
			    buf_addc(out, ',') == -1)
				return -1;
			start = ++s;
			continue;
		}
		s++;
	}
	return put_mailbox(out, start, q, host, masq);
}

/* From: masqueraded, then folded as any other field. */
static int
put_from_folded(struct buf *out, const char *p, const char *q,
    const char *host, const char *masq)
{
	struct buf	 f;
	const char	*l, *e, *body = q;
	int		 r;

	/* the field's own line end stays out of its addresses: an
	   unclosed quote must not carry a domain past it */
	if (body > p && body[-1] == '\n')
		body--;
	if (body > p && body[-1] == '\r')
		body--;
	buf_init(&f, 0);
	r = put_from(&f, p, body, host, masq);
	if (r == 0)
		r = buf_add(&f, body, (size_t)(q - body));
	for (l = f.s, e = f.s + f.len; r == 0 && l < e; l = eol(l, e))
		r = put_header_line(out, l, eol(l, e));
	buf_free(&f);
	return r;
}

/* ---- entities ---- */

static int	put_entity(struct buf *, const char *, const char *, int,
		    const char *, const char *, int, int);

/* Does the field [p, q) have this name (with its colon)?  The message
   is no C string: nothing is read past q. */
static int
field_is(const char *p, const char *q, const char *name)
{
	size_t	 n = strlen(name);

	return (size_t)(q - p) >= n && strncasecmp(p, name, n) == 0;
}

/* The field starting at p: its end (after its continuation lines). */
static const char *
field_end(const char *p, const char *end)
{
	const char	*q = eol(p, end);

	while (q < end && (*q == ' ' || *q == '\t'))
		q = eol(q, end);
	return q;
}

/*
 * The header section [p, hend) (its empty line included), folded, From:
 * masqueraded on the top level, and for a leaf being encoded (qp: 1,
 * or 2 when it has 8-bit octets) its Content-Transfer-Encoding replaced;
 * 8-bit text without a Content-Type gets charset=unknown-8bit rather
 * than the us-ascii it would default to (RFC 2045 5.2).
 */
static int
put_header(struct buf *out, const char *p, const char *hend, int top,
    const char *host, const char *masq, int qp)
{
	int	 seen_mime = 0, seen_type = 0;

	while (p < hend) {
		const char *q = field_end(p, hend);

		if (blank(p, eol(p, hend)))
			break;
		if (qp && field_is(p, q, "Content-Transfer-Encoding:")) {
			p = q;
			continue;
		}
		seen_mime |= field_is(p, q, "MIME-Version:");
		seen_type |= field_is(p, q, "Content-Type:");
		if (top && masq != NULL && field_is(p, q, "From:")) {
			if (put_from_folded(out, p, q, host, masq) == -1)
				return -1;
		} else {
			for (const char *l = p; l < q; l = eol(l, q))
				if (put_header_line(out, l, eol(l, q)) == -1)
					return -1;
		}
		p = q;
	}
	if (qp && ((top && !seen_mime && buf_adds(out, "MIME-Version: 1.0\n")
	    == -1) || (qp == 2 && !seen_type && buf_adds(out, "Content-Type: "
	    "text/plain; charset=unknown-8bit\n") == -1) || buf_adds(out,
	    "Content-Transfer-Encoding: quoted-printable\n") == -1))
		return -1;
	return buf_add(out, p, (size_t)(hend - p));
}

/* A leaf body as quoted-printable (decoded first if it already was). */
static int
put_qp(struct buf *out, const char *p, const char *end, int was_qp)
{
	struct buf	 dec;
	int		 r;

	if (!was_qp)
		return mime_qp_encode(out, p, (size_t)(end - p));
	buf_init(&dec, 0);
	r = mime_qp_decode(&dec, p, (size_t)(end - p)) == -1 ? -1 :
	    mime_qp_encode(out, dec.s != NULL ? dec.s : "", dec.len);
	buf_free(&dec);
	return r;
}

/* A multipart body [p, end) with this boundary: each part an entity. */
static int
put_parts(struct buf *out, const char *p, const char *end, const char *bd,
    int ok8, int depth)
{
	size_t		 bl = strlen(bd);
	const char	*part = NULL;

	while (p < end) {
		const char *q = eol(p, end);
		int delim = q - p >= (long)bl + 2 && p[0] == '-' &&
		    p[1] == '-' && memcmp(p + 2, bd, bl) == 0;

		if (delim) {
			if (part != NULL && put_entity(out, part, p, 0, NULL,
			    NULL, ok8, depth + 1) == -1)
				return -1;
			if (put_cut(out, p, q) == -1)
				return -1;
			part = q;
			if (q - p >= (long)bl + 4 && memcmp(p + 2 + bl, "--",
			    2) == 0)
				return put_cut(out, q, end);	/* epilogue */
		} else if (part == NULL && put_cut(out, p, q) == -1)
			return -1;			/* preamble */
		p = q;
	}
	return part != NULL ? put_entity(out, part, end, 0, NULL, NULL, ok8,
	    depth + 1) : 0;
}

static int
put_entity(struct buf *out, const char *p, const char *end, int top,
    const char *host, const char *masq, int ok8, int depth)
{
	const char	*hend = header_end(p, end);
	struct buf	 ct, cte, bd;
	int		 r = -1, multi, msg, qp;

	buf_init(&ct, 0);
	buf_init(&cte, 0);
	buf_init(&bd, 0);
	mime_header_get(&ct, p, (size_t)(hend - p), "Content-Type");
	mime_header_get(&cte, p, (size_t)(hend - p),
	    "Content-Transfer-Encoding");
	multi = strncasecmp(buf_str(&ct), "multipart/", 10) == 0;
	msg = strncasecmp(buf_str(&ct), "message/", 8) == 0;
	if (multi && depth < LIM_MIME_DEPTH && mime_param(&bd, buf_str(&ct),
	    "boundary") == 1 && bd.len > 0) {
		r = put_header(out, p, hend, top, host, masq, 0) == -1 ||
		    put_parts(out, hend, end, buf_str(&bd), ok8, depth) == -1 ?
		    -1 : 0;
		goto done;
	}
	qp = !multi && !msg && strcasecmp(buf_str(&cte), "base64") != 0 &&
	    needs(hend, end, ok8);
	if (qp) {
		struct wire bw;

		wire_scan(hend, (size_t)(end - hend), &bw);
		qp = bw.eightbit ? 2 : 1;
	}
	if (put_header(out, p, hend, top, host, masq, qp) == -1)
		goto done;
	if (qp)
		r = put_qp(out, hend, end, strcasecmp(buf_str(&cte),
		    "quoted-printable") == 0);
	else
		r = put_cut(out, hend, end);
done:
	buf_free(&ct);
	buf_free(&cte);
	buf_free(&bd);
	return r;
}

/* Does masquerading change the header section? */
static int
from_changes(const char *p, size_t n, const char *host, const char *masq)
{
	const char	*hend = header_end(p, p + n);
	struct buf	 o;
	int		 r;

	buf_init(&o, 0);
	r = put_header(&o, p, hend, 1, host, masq, 0) == -1 || o.len !=
	    (size_t)(hend - p) || memcmp(o.s, p, o.len) != 0;
	buf_free(&o);
	return r;
}

int
wire_prepare(const char *p, size_t n, const struct wire *w,
    int eightbit_ok, const char *hostname, const char *masq,
    struct buf *out)
{
	buf_reset(out);
	if (!w->longlines && (!w->eightbit || eightbit_ok) && (masq == NULL ||
	    !from_changes(p, n, hostname, masq)))
		return 0;
	if (put_entity(out, p, p + n, 1, hostname, masq, eightbit_ok, 0) ==
	    -1) {
		buf_reset(out);
		if (errno == 0)
			errno = ENOMEM;
		return -1;
	}
	if (out->len == 0 && buf_addc(out, '\n') == -1)
		return -1;
	return 0;
}
