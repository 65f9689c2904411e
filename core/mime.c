/*
 * MIME (RFC 2045-2049), RFC 2047 encoded words and RFC 2231
 * parameters: see mime.h.  Charsets are converted by charset.h (tables
 * of our own, not iconv(3), whose tables would all be linked in).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "charset.h"
#include "limits.h"
#include "mime.h"

#define MIME_LINE	78	/* header line, without its LF (RFC 5322 2.1.1) */
#define MIME_WORD	75	/* encoded word (RFC 2047 2) */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char hexd[] = "0123456789ABCDEF";
static const char fffd[] = "\xef\xbf\xbd";	/* U+FFFD */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int
b64val(int c)
{
	const char	*s;

	if (c == '\0' || (s = strchr(b64, c)) == NULL)
		return -1;
	return (int)(s - b64);
}

static int
isws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

size_t
mime_utf8_len(const unsigned char *p, size_t n)
{
	unsigned	 c = p[0];
	size_t		 k, i;

	if (c < 0x80)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;
	k = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (n < k)
		return 0;
	for (i = 1; i < k; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
	    (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
		return 0;	/* overlong, surrogate, past U+10FFFF */
	return k;
}

int
mime_is_ascii(const char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (p[i] == '\0' || (unsigned char)p[i] > 0x7f)
			return 0;
	return 1;
}

int
mime_is_utf8(const char *p, size_t n)
{
	size_t	 i, k;

	for (i = 0; i < n; i += k)
		if ((k = mime_utf8_len((const unsigned char *)p + i, n - i)) == 0)
			return 0;
	return 1;
}

static void put_clean(struct buf *, const char *, size_t, int);

/*
 * Text for a terminal: valid UTF-8 kept, anything else U+FFFD; of the
 * controls, a body keeps TAB and LF (a CR before LF goes), a header
 * value turns TAB, CR, LF into spaces; the others (ESC ...) and the C1
 * controls become U+FFFD so that no mail can drive the terminal.
 */
int
mime_clean(struct buf *o, const char *p, size_t n, int body)
{
	put_clean(o, p, n, body);
	return buf_failed(o) ? -1 : 0;
}

static void
put_clean(struct buf *o, const char *p, size_t n, int body)
{
	const unsigned char	*u = (const unsigned char *)p;
	size_t			 i, k;

	for (i = 0; i < n; i += k) {
		k = mime_utf8_len(u + i, n - i);
		if (k == 0) {
			k = 1;
			buf_add(o, fffd, 3);
		} else if (k == 2 && u[i] == 0xc2 && u[i + 1] < 0xa0) {
			buf_add(o, fffd, 3);
		} else if (k > 1 || (u[i] >= 0x20 && u[i] != 0x7f)) {
			buf_add(o, p + i, k);
		} else if (body && (u[i] == '\n' || u[i] == '\t')) {
			buf_addc(o, u[i]);
		} else if (body && u[i] == '\r' && i + 1 < n &&
		    u[i + 1] == '\n') {
			continue;
		} else if (!body && (u[i] == '\t' || u[i] == '\r' ||
		    u[i] == '\n')) {
			buf_addc(o, ' ');
		} else {
			buf_add(o, fffd, 3);
		}
	}
}

static void
from_latin1(struct buf *o, const char *p, size_t n)
{
	unsigned char	 c, u[2];
	size_t		 i;

	for (i = 0; i < n; i++)
		if ((c = (unsigned char)p[i]) < 0x80)
			buf_addc(o, c);
		else {
			u[0] = (unsigned char)(0xc0 | c >> 6);
			u[1] = (unsigned char)(0x80 | (c & 0x3f));
			buf_add(o, u, 2);
		}
}

/* Raw 8-bit text: UTF-8 when it is valid, else ISO-8859-1. */
static void
from_raw(struct buf *o, const char *p, size_t n)
{
	if (mime_is_utf8(p, n))
		buf_add(o, p, n);
	else
		from_latin1(o, p, n);
}

int
mime_to_utf8(struct buf *out, const char *charset, const char *p, size_t n)
{
	return charset_to_utf8(out, charset, p, n);
}

/* base64 of p, in lines of 76 with wrap set, else in one piece. */
static int
b64_encode(struct buf *out, const void *p, size_t n, int wrap)
{
	const unsigned char	*u = p;
	size_t			 i, col = 0;
	unsigned		 v;
	char			 q[4];

	for (i = 0; i < n; i += 3) {
		v = (unsigned)u[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)u[i + 1] << 8;
		if (i + 2 < n)
			v |= u[i + 2];
		q[0] = b64[v >> 18];
		q[1] = b64[v >> 12 & 63];
		q[2] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? b64[v & 63] : '=';
		buf_add(out, q, 4);
		if (wrap && ((col += 4) == 76 || i + 3 >= n)) {
			buf_addc(out, '\n');
			col = 0;
		}
	}
	return buf_failed(out) ? -1 : 0;
}

int
mime_b64_encode(struct buf *out, const void *p, size_t n)
{
	return b64_encode(out, p, n, 1);
}

int
mime_b64_word(struct buf *out, const void *p, size_t n)
{
	return b64_encode(out, p, n, 0);
}

/* lenient: skip what is not base64 (for display) instead of failing. */
static int
b64_decode(struct buf *out, const char *p, size_t n, int lenient)
{
	unsigned	 acc = 0;
	int		 bits = 0, v;
	size_t		 i;

	for (i = 0; i < n && p[i] != '='; i++) {
		if ((v = b64val((unsigned char)p[i])) == -1) {
			if (isws((unsigned char)p[i]) || lenient)
				continue;
			errno = EINVAL;
			return -1;
		}
		acc = (acc << 6 | (unsigned)v) & 0xffffff;
		if ((bits += 6) >= 8) {
			bits -= 8;
			buf_addc(out, (int)(acc >> bits & 0xff));
		}
	}
	return buf_failed(out) ? -1 : 0;
}

int
mime_b64_decode(struct buf *out, const char *p, size_t n)
{
	return b64_decode(out, p, n, 0);
}

static int
qp_must(const char *p, size_t n, size_t i, size_t col)
{
	unsigned char	 c = (unsigned char)p[i];

	if (c == '=' || c > 0x7e || (c < 0x20 && c != '\t'))
		return 1;
	if ((c == ' ' || c == '\t') && (i + 1 == n || p[i + 1] == '\n'))
		return 1;
	return col == 0 && (c == '.' ||
	    (n - i >= 5 && memcmp(p + i, "From ", 5) == 0));
}

int
mime_qp_encode(struct buf *out, const char *p, size_t n)
{
	size_t	 i, col = 0, w, max;
	int	 enc;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n') {
			buf_addc(out, '\n');
			col = 0;
			continue;
		}
		/* 76 with the "=" of a soft break; the last one may fill it */
		max = i + 1 == n || p[i + 1] == '\n' ? 76 : 75;
		w = qp_must(p, n, i, col) ? 3 : 1;
		if (col + w > max) {
			buf_add(out, "=\n", 2);
			col = 0;
		}
		enc = qp_must(p, n, i, col);
		if (enc) {
			buf_addc(out, '=');
			buf_addc(out, hexd[(unsigned char)p[i] >> 4]);
			buf_addc(out, hexd[p[i] & 15]);
		} else
			buf_addc(out, p[i]);
		col += enc ? 3 : 1;
	}
	return buf_failed(out) ? -1 : 0;
}

int
mime_qp_decode(struct buf *out, const char *p, size_t n)
{
	size_t	 i = 0, j;
	int	 h, l;

	while (i < n) {
		if (p[i] == '=') {
			h = i + 2 < n + 0 ? hexval((unsigned char)p[i + 1]) : -1;
			l = h >= 0 ? hexval((unsigned char)p[i + 2]) : -1;
			if (l >= 0) {
				buf_addc(out, h << 4 | l);
				i += 3;
				continue;
			}
			for (j = i + 1; j < n && (p[j] == ' ' ||
			    p[j] == '\t' || p[j] == '\r'); j++)
				;
			if (j == n || p[j] == '\n') {	/* soft break */
				i = j + (j < n);
				continue;
			}
			buf_addc(out, '=');
			i++;
		} else if (p[i] == ' ' || p[i] == '\t' || p[i] == '\r') {
			/* white space at a line end was added in transit */
			for (j = i; j < n && (p[j] == ' ' || p[j] == '\t' ||
			    p[j] == '\r'); j++)
				;
			if (j < n && p[j] != '\n')
				buf_add(out, p + i, j - i);
			i = j;
		} else
			buf_addc(out, p[i++]);
	}
	return buf_failed(out) ? -1 : 0;
}

/* ---- header encoding ---- */

struct henc {
	struct buf	*out;
	size_t		 col;	/* octets on the current line */
	int		 q;	/* Q (1) or B (0) for the encoded span */
};

static int
q_plain(unsigned char c)
{
	/* what RFC 2047 5(3) allows unencoded even in a phrase */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("!*+-/", c) != NULL;
}

static size_t
q_len(const char *p, size_t n)
{
	size_t	 i, k = 0;

	for (i = 0; i < n; i++)
		k += q_plain((unsigned char)p[i]) || p[i] == ' ' ? 1 : 3;
	return k;
}

static size_t
enc_len(const struct henc *h, const char *p, size_t n)
{
	return h->q ? q_len(p, n) : (n + 2) / 3 * 4;
}

/* " " or a fold before a token of w octets. */
static void
sep(struct henc *h, size_t w)
{
	if (h->col + 1 + w > MIME_LINE) {
		buf_add(h->out, "\n ", 2);
		h->col = 1;
	} else {
		buf_addc(h->out, ' ');
		h->col++;
	}
}

static void
put_word(struct henc *h, const char *p, size_t n)
{
	size_t	 i;

	buf_add(h->out, h->q ? "=?UTF-8?Q?" : "=?UTF-8?B?", 10);
	if (!h->q)
		mime_b64_word(h->out, p, n);
	else
		for (i = 0; i < n; i++) {
			unsigned char	 c = (unsigned char)p[i];

			if (c == ' ')
				buf_addc(h->out, '_');
			else if (q_plain(c))
				buf_addc(h->out, c);
			else {
				buf_addc(h->out, '=');
				buf_addc(h->out, hexd[c >> 4]);
				buf_addc(h->out, hexd[c & 15]);
			}
		}
	buf_add(h->out, "?=", 2);
}

/* p..n as encoded words, cut between characters to fit the lines. */
static void
put_span(struct henc *h, const char *p, size_t n)
{
	size_t	 i = 0, j, k, room;

	h->q = q_len(p, n) <= (n + 2) / 3 * 4;
	while (i < n) {
		/* room for one character at least (12 octets in Q) */
		if (h->col + 1 + 12 + 12 > MIME_LINE) {
			buf_addc(h->out, '\n');
			h->col = 0;
		}
		room = MIME_LINE - h->col - 1;
		if (room > MIME_WORD)
			room = MIME_WORD;
		for (j = i; j < n; j += k) {
			k = mime_utf8_len((const unsigned char *)p + j, n - j);
			k += k == 0;
			if (j > i && enc_len(h, p + i, j + k - i) > room - 12)
				break;
		}
		buf_addc(h->out, ' ');
		put_word(h, p + i, j - i);
		h->col += 1 + 12 + enc_len(h, p + i, j - i);
		i = j;
	}
}

/* A word that cannot go as it is: 8-bit, looking like an encoded
   word, or too long for a line of its own (col: where it would start). */
static int
needs_enc(const char *w, size_t n, size_t col)
{
	size_t	 i;

	if (col + 1 + n > MIME_LINE)
		return 1;
	for (i = 0; i < n; i++)
		if ((unsigned char)w[i] > 0x7e ||
		    (w[i] == '=' && i + 1 < n && w[i + 1] == '?'))
			return 1;
	return 0;
}

static int
header_ok(const char *name, const char *value)
{
	size_t	 i, n = strlen(name);

	if (n == 0 || n > MIME_LINE - 2)
		return 0;
	for (i = 0; i < n; i++)
		if (name[i] <= ' ' || name[i] >= 0x7f || name[i] == ':')
			return 0;
	for (i = 0; value[i] != '\0'; i++)
		if (((unsigned char)value[i] < 0x20 && value[i] != '\t') ||
		    value[i] == 0x7f || ((unsigned char)value[i] == 0xc2 &&
		    (unsigned char)value[i + 1] < 0xa0 &&
		    (unsigned char)value[i + 1] >= 0x80))
			return 0;	/* C0, DEL, C1 */
	return mime_is_utf8(value, i);
}

/*
 * Words stay as they are where they can; the stretch from the first
 * word that cannot to the last one becomes encoded words (the white
 * space inside it encoded too, since decoders drop white space between
 * encoded words).  White space between plain words becomes one space
 * or a fold.
 */
int
mime_header_encode(struct buf *out, const char *name, const char *value)
{
	struct henc	 h = { out, 0, 0 };
	const char	*first = NULL, *last = NULL, *s;
	size_t		 n, start = out->len;

	if (!header_ok(name, value)) {
		errno = EINVAL;
		return -1;
	}
	buf_printf(out, "%s:", name);
	h.col = strlen(name) + 1;
	for (s = value; *s != '\0'; s += n) {
		s += strspn(s, " \t");
		if ((n = strcspn(s, " \t")) == 0)
			break;
		if (needs_enc(s, n, first == NULL && last == NULL ?
		    h.col : 0)) {
			if (first == NULL)
				first = s;
			last = s + n;
		} else if (last == NULL)
			last = s;	/* only the first word sees col */
	}
	if (first == NULL)
		last = NULL;
	for (s = value; *s != '\0'; s += n) {
		s += strspn(s, " \t");
		if ((n = strcspn(s, " \t")) == 0)
			break;
		if (s == first) {
			n = (size_t)(last - first);
			put_span(&h, first, n);
			continue;
		}
		sep(&h, n);
		buf_add(out, s, n);
		h.col += n;
	}
	if (out->len == start + strlen(name) + 1)
		buf_addc(out, ' ');
	buf_addc(out, '\n');
	if (buf_failed(out)) {
		out->len = start;
		return -1;
	}
	return 0;
}

/* ---- header decoding ---- */

struct ew {
	char		 cs[LIM_CHARSET_NAME + 1];
	const char	*end;
	int		 raw8;	/* Q text with raw 8-bit bytes */
};

/* An encoded word at p: its charset (RFC 2231 "*lang" cut) and raw
   bytes appended to raw.  0, or -1 when p is no good encoded word. */
static int
ew_parse(const char *p, const char *e, struct ew *w, struct buf *raw)
{
	const char	*cs = p + 2, *q, *t, *te;
	size_t		 csn, i, mark = raw->len;
	int		 h, l;

	if (e - p < 8 || p[0] != '=' || p[1] != '?' ||
	    (q = memchr(cs, '?', (size_t)(e - cs))) == NULL ||
	    e - q < 5 || q[2] != '?' || strchr("BbQq", q[1]) == NULL)
		return -1;
	csn = (size_t)(q - cs);
	if (memchr(cs, '*', csn) != NULL)
		csn = (size_t)((const char *)memchr(cs, '*', csn) - cs);
	if (csn == 0 || csn > LIM_CHARSET_NAME)
		return -1;
	memcpy(w->cs, cs, csn);
	w->cs[csn] = '\0';
	w->raw8 = 0;
	for (t = te = q + 3; te < e && *te != '?'; te++)
		if ((unsigned char)*te <= ' ' || *te == 0x7f)
			return -1;	/* 8-bit bytes: see mime_header_decode */
	if (e - te < 2 || te[1] != '=')
		return -1;
	w->end = te + 2;
	if (q[1] == 'B' || q[1] == 'b') {
		if (mime_b64_decode(raw, t, (size_t)(te - t)) == -1) {
			raw->len = mark;
			return -1;
		}
		return 0;
	}
	for (i = 0; t + i < te; i++) {
		if ((unsigned char)t[i] > 0x7e) {	/* raw 8-bit text */
			w->raw8 = 1;
			buf_addc(raw, t[i]);
		} else if (t[i] == '_')
			buf_addc(raw, ' ');
		else if (t[i] == '=' && te - (t + i) > 2 &&
		    (h = hexval((unsigned char)t[i + 1])) >= 0 &&
		    (l = hexval((unsigned char)t[i + 2])) >= 0) {
			buf_addc(raw, h << 4 | l);
			i += 2;
		} else
			buf_addc(raw, t[i]);
	}
	return 0;
}

struct hdec {
	struct buf	 t;		/* UTF-8 so far */
	struct buf	 raw;		/* bytes of adjacent words, one charset */
	struct buf	 w;		/* bytes of the word just parsed */
	char		 cs[LIM_CHARSET_NAME + 1];
	int		 raw8;		/* the value's 8-bit text is UTF-8 */
};

static void
hd_flush(struct hdec *d)
{
	if (d->raw.len > 0)
		mime_to_utf8(&d->t, d->cs, d->raw.s, d->raw.len);
	buf_reset(&d->raw);
}

static void
hd_plain(struct hdec *d, const char *p, size_t n)
{
	hd_flush(d);
	if (d->raw8)
		buf_add(&d->t, p, n);
	else
		from_latin1(&d->t, p, n);
}

/*
 * A Q word whose text has raw 8-bit bytes in a value that is UTF-8
 * ("=?iso-8859-1?Q?Die_Fr=F6sche_und_Frösche?=", written by software
 * that encoded only part of it): the raw bytes are UTF-8 already, the
 * =XX ones are in the word's charset.  The word is redone in d->w as
 * UTF-8, its charset set to UTF-8.
 */
static void
ew_utf8(struct hdec *d, struct ew *w, const char *p)
{
	const char	*t = strchr(p + 2, '?') + 3, *te = w->end - 2, *r, *c;
	struct buf	 bytes;
	int		 h, l;

	buf_init(&bytes, 0);
	buf_reset(&d->w);
	while (t < te) {
		buf_reset(&bytes);
		for (c = t; c < te && (unsigned char)*c < 0x80; c++) {
			if (*c == '_')
				buf_addc(&bytes, ' ');
			else if (*c == '=' && te - c > 2 &&
			    (h = hexval((unsigned char)c[1])) >= 0 &&
			    (l = hexval((unsigned char)c[2])) >= 0) {
				buf_addc(&bytes, h << 4 | l);
				c += 2;
			} else
				buf_addc(&bytes, *c);
		}
		if (bytes.len > 0)
			mime_to_utf8(&d->w, w->cs, bytes.s, bytes.len);
		for (r = c; r < te && (unsigned char)*r >= 0x80; r++)
			;
		buf_add(&d->w, c, (size_t)(r - c));
		t = r;
	}
	buf_free(&bytes);
	snprintf(w->cs, sizeof(w->cs), "UTF-8");
}

/*
 * Adjacent words in one charset are converted together: encoders cut
 * words inside a character (and ISO-2022-JP inside a shift state).
 */
int
mime_header_decode(struct buf *out, const char *p, size_t n)
{
	struct hdec	 d;
	struct ew	 w;
	const char	*e, *s, *plain, *q, *t;
	int		 prev = 0, r;

	if (p == NULL)		/* an empty buf's */
		p = "";
	e = p + n;
	s = plain = p;
	memset(&d, 0, sizeof(d));
	d.raw8 = mime_is_utf8(p, n);
	while ((q = memchr(s, '=', (size_t)(e - s))) != NULL) {
		s = q + 1;
		buf_reset(&d.w);
		if (s == e || *s != '?' || ew_parse(q, e, &w, &d.w) == -1 ||
		    !charset_known(w.cs))
			continue;	/* kept as written */
		if (w.raw8 && d.raw8)
			ew_utf8(&d, &w, q);
		for (t = plain; t < q && isws((unsigned char)*t); t++)
			;
		if (!prev || t < q || strcasecmp(w.cs, d.cs) != 0)
			hd_plain(&d, plain, prev && t == q ? 0 :
			    (size_t)(q - plain));
		snprintf(d.cs, sizeof(d.cs), "%s", w.cs);
		buf_add(&d.raw, d.w.s, d.w.len);
		plain = s = w.end;
		prev = 1;
	}
	hd_plain(&d, plain, (size_t)(e - plain));
	put_clean(out, d.t.s, d.t.len, 0);
	r = buf_failed(&d.t) || buf_failed(&d.raw) || buf_failed(&d.w) ||
	    buf_failed(out) ? -1 : 0;
	buf_free(&d.t);
	buf_free(&d.raw);
	buf_free(&d.w);
	if (r == -1)
		errno = ENOMEM;
	return r;
}

/* ---- fields and parameters ---- */

int
mime_header_get(struct buf *out, const char *hdr, size_t hlen,
    const char *name)
{
	const char	*p, *e, *le, *v;
	size_t		 nl = strlen(name), start = out->len;

	if (hdr == NULL)
		return 0;
	p = hdr;
	e = hdr + hlen;

	for (; p < e; p = le + 1) {
		if ((le = memchr(p, '\n', (size_t)(e - p))) == NULL)
			le = e;
		if (le == p || (le == p + 1 && *p == '\r'))
			break;		/* the empty line */
		if ((size_t)(le - p) <= nl || strncasecmp(p, name, nl) != 0)
			continue;
		for (v = p + nl; v < le && (*v == ' ' || *v == '\t'); v++)
			;
		if (v == le || *v != ':')
			continue;
		for (v++;;) {
			const char	*ve = le;

			while (ve > v && isws((unsigned char)ve[-1]))
				ve--;
			while (v < ve && isws((unsigned char)*v))
				v++;
			if (v < ve && out->len > start)
				buf_addc(out, ' ');
			buf_add(out, v, (size_t)(ve - v));
			if (le + 1 >= e || (le[1] != ' ' && le[1] != '\t'))
				break;
			v = le + 1;
			if ((le = memchr(v, '\n', (size_t)(e - v))) == NULL)
				le = e;
		}
		if (out->len == start)
			buf_add(out, "", 0);
		return 1;
	}
	return 0;
}

struct param {
	const char	*name;
	size_t		 nlen;
	struct buf	 val;	/* unquoted */
};

/* One "; name=value" from s into pv; where it ends, NULL at the end. */
static const char *
param_next(const char *s, struct param *pv)
{
	const char	*q;

	buf_reset(&pv->val);
	s = strchr(s, ';');
	if (s == NULL)
		return NULL;
	s++;
	s += strspn(s, " \t\r\n");
	pv->name = s;
	pv->nlen = strcspn(s, "=; \t\r\n");
	s += pv->nlen;
	s += strspn(s, " \t\r\n");
	if (*s != '=')
		return s;
	s++;
	s += strspn(s, " \t\r\n");
	if (*s == '"') {
		for (s++; *s != '\0' && *s != '"'; s++) {
			if (*s == '\\' && s[1] != '\0')
				s++;
			buf_addc(&pv->val, *s);
		}
		return *s == '"' ? s + 1 : s;
	}
	q = s + strcspn(s, ";");
	while (q > s && isws((unsigned char)q[-1]))
		q--;
	buf_add(&pv->val, s, (size_t)(q - s));
	return q;
}

/* Name with an RFC 2231 section: "param", "param*", "param*N",
   "param*N*"; -1 for the plain name, -2 for "param*", else N (with
   *ext set when the value is %-encoded), -3 for another name. */
static int
param_match(const struct param *pv, const char *param, int *ext)
{
	size_t		 pl = strlen(param), i;
	const char	*n = pv->name;
	int		 seg = 0;

	*ext = 0;
	if (pv->nlen < pl || strncasecmp(n, param, pl) != 0)
		return -3;
	if (pv->nlen == pl)
		return -1;
	if (n[pl] != '*')
		return -3;
	if (pv->nlen == pl + 1) {
		*ext = 1;
		return -2;
	}
	for (i = pl + 1; i < pv->nlen && n[i] >= '0' && n[i] <= '9'; i++)
		if ((seg = seg * 10 + n[i] - '0') > LIM_MIME_SEGS)
			return -3;
	if (i == pl + 1)
		return -3;
	if (i < pv->nlen && n[i] == '*' && i + 1 == pv->nlen)
		*ext = 1;
	else if (i != pv->nlen)
		return -3;
	return seg;
}

/* %XX-decoded; with first, the "charset'lang'" prefix taken off. */
static void
pct_decode(struct buf *o, const char *v, size_t n, char *cs, size_t cslen)
{
	const char	*a, *b;
	size_t		 i;
	int		 h, l;

	if (n == 0)
		return;
	if (cs != NULL && (a = memchr(v, '\'', n)) != NULL &&
	    (b = memchr(a + 1, '\'', n - (size_t)(a + 1 - v))) != NULL) {
		snprintf(cs, cslen, "%.*s", (int)(a - v < LIM_CHARSET_NAME ?
		    a - v : LIM_CHARSET_NAME), v);
		n -= (size_t)(b + 1 - v);
		v = b + 1;
	}
	for (i = 0; i < n; i++)
		if (v[i] == '%' && i + 2 < n + 0 &&
		    (h = hexval((unsigned char)v[i + 1])) >= 0 &&
		    (l = hexval((unsigned char)v[i + 2])) >= 0) {
			buf_addc(o, h << 4 | l);
			i += 2;
		} else
			buf_addc(o, v[i]);
}

int
mime_param(struct buf *out, const char *value, const char *param)
{
	struct param	 pv;
	struct buf	 raw;
	const char	*s;
	char		 cs[LIM_CHARSET_NAME + 1] = "";
	int		 seg, ext, want, found = 0, plain = 0;

	memset(&pv, 0, sizeof(pv));
	buf_init(&raw, 0);
	/* RFC 2231 forms first: they say more than the plain one */
	for (want = 0; want < LIM_MIME_SEGS; want++) {
		int	 got = 0;

		for (s = value; (s = param_next(s, &pv)) != NULL;) {
			seg = param_match(&pv, param, &ext);
			if (seg != want && !(want == 0 && seg == -2))
				continue;
			if (ext)
				pct_decode(&raw, pv.val.s, pv.val.len,
				    want == 0 ? cs : NULL, sizeof(cs));
			else
				buf_add(&raw, pv.val.s, pv.val.len);
			got = found = 1;
			if (seg == -2)
				want = LIM_MIME_SEGS;
			break;
		}
		if (!got)
			break;
	}
	if (!found)
		for (s = value; (s = param_next(s, &pv)) != NULL;)
			if (param_match(&pv, param, &ext) == -1) {
				buf_add(&raw, pv.val.s, pv.val.len);
				found = plain = 1;
				break;
			}
	if (found && (plain || cs[0] == '\0' ||
	    mime_to_utf8(out, cs, raw.s, raw.len) == -1))
		buf_add(out, raw.s, raw.len);
	buf_free(&raw);
	buf_free(&pv.val);
	return found;
}

/* ---- bodies for display ---- */

struct show {
	struct buf	*out;
	int		 att;		/* attachments listed so far */
};

static void body_show(struct show *, const char *, size_t, const char *,
    size_t, int, int);
static void part_show(struct show *, const char *, size_t, int, int);

/* Type of a Content-Type value, lower case, "text/plain" when bad. */
static void
ctype_of(const char *v, char *t, size_t tlen)
{
	size_t	 n, i;

	v += strspn(v, " \t");
	n = strcspn(v, "; \t\r\n(");
	for (i = 0; i < n; i++)		/* RFC 2045 5.1 tokens and a "/" */
		if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] >= 0x7f ||
		    strchr("()<>@,;:\\\"[]?=", v[i]) != NULL)
			break;
	if (n == 0 || n >= tlen || i < n || memchr(v, '/', n) == NULL ||
	    v[0] == '/' || v[n - 1] == '/') {	/* RFC 2045 5.2 */
		snprintf(t, tlen, "text/plain");
		return;
	}
	for (i = 0; i < n; i++)
		t[i] = (char)(v[i] >= 'A' && v[i] <= 'Z' ? v[i] + 32 : v[i]);
	t[n] = '\0';
}

/* Could this be base64?  Not when a line has white space between its
   characters: prose does, base64 never (stray junk bytes in base64
   are skipped when it is decoded). */
static int
is_b64(const char *b, size_t bl)
{
	int	 word = 0, gap = 0;

	for (size_t i = 0; i < bl; i++) {
		if (b[i] == '\n') {
			word = gap = 0;
		} else if (b[i] == ' ' || b[i] == '\t') {
			gap = word;
		} else if (b[i] != '\r') {
			if (gap)
				return 0;
			word = 1;
		}
	}
	return 1;
}

/*
 * uuencode (POSIX uuencode(1), historical encoding): the lines after
 * "begin MODE NAME", each a length character then groups of four
 * characters (each 0x20 + 6 bits, "`" for 0), up to "end" or a line
 * of length 0.
 */
static void
uu_decode(struct buf *o, const char *b, size_t bl)
{
	const char	*p = b, *e = b + bl, *nl, *q;
	unsigned	 v;
	int		 len, k, begun = 0;

	for (; p < e; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			nl = e;
		if (!begun) {
			begun = nl - p > 6 && memcmp(p, "begin ", 6) == 0;
			continue;
		}
		if ((nl - p >= 3 && memcmp(p, "end", 3) == 0) || p == nl ||
		    (len = (*p - 0x20) & 0x3f) == 0)
			break;
		for (q = p + 1; len > 0 && q + 4 <= nl; q += 4) {
			v = 0;
			for (k = 0; k < 4; k++)
				v = v << 6 | ((unsigned)(q[k] - 0x20) & 0x3f);
			for (k = 2; k >= 0 && len > 0; k--, len--)
				buf_addc(o, (int)(v >> (8 * k) & 0xff));
		}
	}
}

/* The body with its Content-Transfer-Encoding undone.  Text labelled
   base64 that cannot be base64 (is_b64) is kept as it is. */
static void
cte_decode(struct buf *o, const char *cte, const char *b, size_t bl)
{
	if (strncasecmp(cte, "base64", 6) == 0 && is_b64(b, bl))
		b64_decode(o, b, bl, 1);
	else if (strcasecmp(cte, "x-uuencode") == 0 ||
	    strcasecmp(cte, "uuencode") == 0 || strcasecmp(cte, "x-uue") == 0)
		uu_decode(o, b, bl);
	else if (strncasecmp(cte, "quoted-printable", 16) == 0)
		mime_qp_decode(o, b, bl);
	else
		buf_add(o, b, bl);
}

static void
show_text(struct show *sh, const char *ct, const char *cte, const char *b,
    size_t bl)
{
	struct buf	 dec, cs, u;

	buf_init(&dec, 0);
	buf_init(&cs, LIM_CHARSET_NAME + 1);
	buf_init(&u, 0);
	cte_decode(&dec, cte, b, bl);
	if (sh->out->len > 0 && sh->out->s[sh->out->len - 1] != '\n')
		buf_addc(sh->out, '\n');
	/* us-ascii (or none) with 8-bit bytes is a mislabel: guess; a
	   charset not known is said, its text left undecoded (its 8-bit
	   bytes U+FFFD unless it is UTF-8), never guessed into mojibake */
	if (!mime_param(&cs, ct, "charset") || cs.err != 0 ||
	    strcasecmp(buf_str(&cs), "us-ascii") == 0)
		from_raw(&u, dec.s, dec.len);
	else if (!charset_known(buf_str(&cs))) {
		if (!mime_is_ascii(dec.s, dec.len))
			buf_printf(sh->out, "[-- charset %s not supported --]\n",
			    buf_str(&cs));
		buf_add(&u, dec.s, dec.len);
	} else if (mime_to_utf8(&u, buf_str(&cs), dec.s, dec.len) == -1)
		from_raw(&u, dec.s, dec.len);
	put_clean(sh->out, u.s, u.len, 1);
	if (u.len > 0 && sh->out->s[sh->out->len - 1] != '\n')
		buf_addc(sh->out, '\n');
	if (buf_failed(&dec) || buf_failed(&u))
		sh->out->err = ENOMEM;
	buf_free(&dec);
	buf_free(&cs);
	buf_free(&u);
}

static void
show_listed(struct show *sh, const char *type, const char *h, size_t hl,
    const char *ct, const char *cte, const char *b, size_t bl)
{
	struct buf	 v, name, dec;

	buf_init(&v, 0);
	buf_init(&name, 0);
	buf_init(&dec, 0);
	if ((mime_header_get(&v, h, hl, "Content-Disposition") &&
	    mime_param(&name, buf_str(&v), "filename")) ||
	    mime_param(&name, ct, "name"))
		mime_header_decode(&dec, name.s, name.len);
	buf_reset(&name);
	cte_decode(&name, cte, b, bl);
	if (sh->out->len > 0 && sh->out->s[sh->out->len - 1] != '\n')
		buf_addc(sh->out, '\n');
	buf_printf(sh->out, "[-- Attachment #%d: %s (%s, %zu bytes) --]\n",
	    ++sh->att, dec.len > 0 ? buf_str(&dec) : "(no name)", type,
	    name.len);
	buf_free(&v);
	buf_free(&name);
	buf_free(&dec);
}

/* A header field line: a name of printable characters but ":" (RFC
   5322 2.2), then ":"; or an mbox "From " line. */
static int
field_line(const char *p, const char *le)
{
	const char	*c;

	if (le - p >= 5 && memcmp(p, "From ", 5) == 0)
		return 1;
	for (c = p; c < le && *c > ' ' && *c < 0x7f && *c != ':'; c++)
		;
	return c < le && *c == ':';
}

/*
 * Where the header section of a part (or of an attached message) ends
 * and its body starts.  The rule, as Python's email parser has it: the
 * section ends at the first empty line (which goes), or at the first
 * line that is neither a field nor the fold of one (a line starting
 * with a space or a TAB): that line is the body's first.  So a part
 * with no header section at all ("[original message removed]") keeps
 * its text.
 */
static void
split(const char *p, size_t n, size_t *hl, size_t *boff)
{
	const char	*e = p + n, *l, *le, *nl;

	for (l = p; l < e; l = nl + 1) {
		if ((nl = memchr(l, '\n', (size_t)(e - l))) == NULL)
			nl = e;
		le = nl > l && nl[-1] == '\r' ? nl - 1 : nl;
		if (le == l) {			/* the empty line */
			*hl = (size_t)(l - p);
			*boff = nl < e ? (size_t)(nl + 1 - p) : n;
			return;
		}
		if (*l != ' ' && *l != '\t' && !field_line(l, le)) {
			*hl = *boff = (size_t)(l - p);
			return;
		}
		if (nl == e)
			break;
	}
	*hl = *boff = n;
}

/* A delimiter line "--boundary" (with close set for "--boundary--")? */
static int
delim(const char *l, size_t n, const char *bd, size_t bdl, int *close)
{
	size_t	 i;
	int	 c;

	if (n < bdl + 2 || l[0] != '-' || l[1] != '-' ||
	    memcmp(l + 2, bd, bdl) != 0)
		return 0;
	i = bdl + 2;
	c = n - i >= 2 && l[i] == '-' && l[i + 1] == '-';
	for (i += c ? 2 : 0; i < n; i++)
		if (!isws((unsigned char)l[i]))
			return 0;	/* "--B-->", "--B--x": text */
	*close = c;
	return 1;
}

struct span {
	const char	*p;
	size_t		 n;
};

/* The parts between the delimiters (the LF before a delimiter is the
   delimiter's); -1 when there is none. */
static int
parts(const char *b, size_t bl, const struct buf *bd, struct span *v,
    int max)
{
	const char	*p, *e = b + bl, *le, *ps = NULL;
	int		 n = 0, close = 0;

	for (p = b; p < e && !close; p = le + 1) {
		if ((le = memchr(p, '\n', (size_t)(e - p))) == NULL)
			le = e;
		if (!delim(p, (size_t)(le - p), bd->s, bd->len, &close))
			continue;
		if (ps != NULL && n < max) {
			v[n].p = ps;
			v[n++].n = p > ps ? (size_t)(p - 1 - ps) : 0;
		}
		ps = le + 1 < e ? le + 1 : e;
	}
	if (ps == NULL)
		return -1;
	if (!close && ps < e && n < max) {	/* the end never came */
		v[n].p = ps;
		v[n++].n = (size_t)(e - ps);
	}
	return n;
}

static int
is_plain(const struct span *sp)
{
	struct buf	 v;
	char		 t[64];
	size_t		 hl, boff;
	int		 r;

	buf_init(&v, 0);
	split(sp->p, sp->n, &hl, &boff);
	mime_header_get(&v, sp->p, hl, "Content-Type");
	ctype_of(buf_str(&v), t, sizeof(t));
	r = strcmp(t, "text/plain") == 0;
	buf_free(&v);
	return r;
}

/*
 * The parts of a multipart body, each shown in turn; of an
 * alternative only the text/plain one (else the first).  A body whose
 * boundary is missing or never comes is shown as text.
 */
static void
multipart(struct show *sh, const char *type, const char *ct, const char *b,
    size_t bl, int depth)
{
	struct span	 v[LIM_MIME_PARTS];
	struct buf	 bd;
	int		 n, i, pick = 0;

	buf_init(&bd, 200);
	if (!mime_param(&bd, ct, "boundary") || bd.len == 0 || bd.err != 0 ||
	    (n = parts(b, bl, &bd, v, LIM_MIME_PARTS)) == -1) {
		show_text(sh, "text/plain", "", b, bl);
		buf_free(&bd);
		return;
	}
	buf_free(&bd);
	if (strcmp(type, "multipart/alternative") == 0 && n > 0) {
		for (i = 0; i < n && !is_plain(&v[i]); i++)
			;
		pick = i < n ? i : 0;
		n = pick + 1;
	}
	for (i = pick; i < n; i++)
		if (v[i].n > 0)
			part_show(sh, v[i].p, v[i].n, depth, 0);
}

/* An attached message: its main fields, then its body. */
static void
message(struct show *sh, const char *cte, const char *b, size_t bl,
    int depth)
{
	static const char *const f[] = { "From", "Date", "Subject", "To" };
	struct buf	 dec, v;
	size_t		 hl, boff, i;

	buf_init(&dec, 0);
	buf_init(&v, 0);
	cte_decode(&dec, cte, b, bl);
	if (buf_add(&dec, "", 0) == -1) {	/* dec.s not NULL */
		buf_free(&dec);
		sh->out->err = ENOMEM;
		return;
	}
	split(dec.s, dec.len, &hl, &boff);
	if (sh->out->len > 0 && sh->out->s[sh->out->len - 1] != '\n')
		buf_addc(sh->out, '\n');
	buf_adds(sh->out, "[-- Message --]\n");
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		buf_reset(&v);
		if (mime_header_get(&v, dec.s, hl, f[i])) {
			buf_printf(sh->out, "%s: ", f[i]);
			mime_header_decode(sh->out, v.s, v.len);
			buf_addc(sh->out, '\n');
		}
	}
	buf_addc(sh->out, '\n');
	body_show(sh, dec.s, hl, dec.s + boff, dec.len - boff, depth, 0);
	if (buf_failed(&dec))
		sh->out->err = ENOMEM;
	buf_free(&dec);
	buf_free(&v);
}

/* One entity (a part with its header section, or a message). */
static void
body_show(struct show *sh, const char *h, size_t hl, const char *b,
    size_t bl, int depth, int top)
{
	struct buf	 ct, cte, cd;
	char		 type[128];
	int		 att;

	buf_init(&ct, 0);
	buf_init(&cte, 0);
	buf_init(&cd, 0);
	mime_header_get(&ct, h, hl, "Content-Type");
	mime_header_get(&cte, h, hl, "Content-Transfer-Encoding");
	mime_header_get(&cd, h, hl, "Content-Disposition");
	ctype_of(buf_str(&ct), type, sizeof(type));
	att = strncasecmp(buf_str(&cd), "attachment", 10) == 0;
	if (strncmp(type, "multipart/", 10) == 0 && depth < LIM_MIME_DEPTH)
		multipart(sh, type, buf_str(&ct), b, bl, depth + 1);
	else if (strcmp(type, "message/rfc822") == 0 && !att &&
	    depth < LIM_MIME_DEPTH)
		message(sh, buf_str(&cte), b, bl, depth + 1);
	else if (strncmp(type, "text/", 5) == 0 && !att &&
	    (top || strcmp(type, "text/plain") == 0))
		show_text(sh, buf_str(&ct), buf_str(&cte), b, bl);
	else
		show_listed(sh, type, h, hl, buf_str(&ct), buf_str(&cte), b,
		    bl);
	buf_free(&ct);
	buf_free(&cte);
	buf_free(&cd);
}

static void
part_show(struct show *sh, const char *p, size_t n, int depth, int top)
{
	size_t	 hl, boff;

	split(p, n, &hl, &boff);
	body_show(sh, p, hl, p + boff, n - boff, depth, top);
}

int
mime_body_display(struct buf *out, const char *hdr, size_t hlen,
    const char *body, size_t blen)
{
	struct show	 sh = { out, 0 };

	if (hdr == NULL)
		hdr = "";
	if (body == NULL)
		body = "";
	body_show(&sh, hdr, hlen, body, blen, 0, 1);
	if (buf_failed(out)) {
		errno = out->err;
		return -1;
	}
	return 0;
}

const char *
mime_type_by_name(const char *filename)
{
	static const char *const tab[][2] = {
		{ "txt", "text/plain" }, { "log", "text/plain" },
		{ "csv", "text/csv" }, { "htm", "text/html" },
		{ "html", "text/html" }, { "md", "text/markdown" },
		{ "ics", "text/calendar" }, { "diff", "text/x-diff" },
		{ "patch", "text/x-diff" }, { "c", "text/x-c" },
		{ "h", "text/x-c" }, { "xml", "application/xml" },
		{ "json", "application/json" }, { "pdf", "application/pdf" },
		{ "zip", "application/zip" }, { "gz", "application/gzip" },
		{ "tgz", "application/gzip" }, { "tar", "application/x-tar" },
		{ "xz", "application/x-xz" }, { "sh", "application/x-sh" },
		{ "doc", "application/msword" },
		{ "odt", "application/vnd.oasis.opendocument.text" },
		{ "docx", "application/vnd.openxmlformats-officedocument."
		    "wordprocessingml.document" },
		{ "xlsx", "application/vnd.openxmlformats-officedocument."
		    "spreadsheetml.sheet" },
		{ "png", "image/png" }, { "jpg", "image/jpeg" },
		{ "jpeg", "image/jpeg" }, { "gif", "image/gif" },
		{ "webp", "image/webp" }, { "svg", "image/svg+xml" },
		{ "mp3", "audio/mpeg" }, { "ogg", "audio/ogg" },
		{ "wav", "audio/wav" }, { "mp4", "video/mp4" },
		{ "eml", "message/rfc822" },
	};
	const char	*dot = strrchr(filename, '.'), *slash;
	size_t		 i;

	slash = strrchr(filename, '/');
	if (dot == NULL || dot[1] == '\0' || (slash != NULL && slash > dot))
		return "application/octet-stream";
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcasecmp(dot + 1, tab[i][0]) == 0)
			return tab[i][1];
	return "application/octet-stream";
}
