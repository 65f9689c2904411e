/*
 * Message lists and summary lines: see msglist.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "msglist.h"

#define TOKEN_MAX	256
#define MSGLIST_LINE	8192	/* bsd-mailx's LINESIZE (BUFSIZ) */

struct parse {
	const struct msglist_view	*v;
	int				 deleted;
	unsigned char			*sel;
	char				*err;
	size_t				 errlen;
	int				 bad;	/* a number was refused */
};

static int
usable(const struct parse *p, size_t i)
{
	int	 d = (p->v->flags(p->v->arg, i) & MSGLIST_DELETED) != 0;

	return d == (p->deleted != 0);
}

/* One message by number (1-based), refusing out of range and the wrong
   deleted state. */
static int
pick(struct parse *p, long num)
{
	if (num < 1 || (size_t)num > p->v->n) {
		snprintf(p->err, p->errlen, "%ld: Invalid message number",
		    num);
		return -1;
	}
	if (!usable(p, (size_t)num - 1)) {
		snprintf(p->err, p->errlen, "%ld: Inappropriate message", num);
		p->bad = 1;
		return -1;
	}
	p->sel[num - 1] = 1;
	return 0;
}

/* A number, ".", "$" or "^" at *s; -1 when none. */
static long
number(const struct parse *p, const char **s)
{
	const char	*c = *s;
	char		*end;
	long		 n;
	size_t		 i;

	if (*c == '.') {
		*s = c + 1;
		return (long)p->v->dot;
	}
	if (*c == '$' || *c == '^') {
		*s = c + 1;
		if (*c == '$') {
			for (i = p->v->n; i > 0; i--)
				if (usable(p, i - 1))
					return (long)i;
		} else
			for (i = 0; i < p->v->n; i++)
				if (usable(p, i))
					return (long)i + 1;
		return 0;
	}
	if (!isdigit((unsigned char)*c))
		return -1;
	n = strtol(c, &end, 10);
	*s = end;
	return n;
}

static int
range(struct parse *p, const char *tok)
{
	const char	*s = tok;
	long		 a, b;

	if ((a = number(p, &s)) == -1)
		return 1;
	if (*s == '\0')
		return pick(p, a);
	if (*s != '-')
		return 1;
	s++;
	if ((b = number(p, &s)) == -1 || *s != '\0')
		return 1;
	if (a < 1 || b < a || (size_t)b > p->v->n) {
		snprintf(p->err, p->errlen, "%ld: Invalid message number",
		    a < 1 ? a : b);
		return -1;
	}
	for (long i = a; i <= b; i++)
		if (usable(p, (size_t)i - 1))
			p->sel[i - 1] = 1;
	return 0;
}

static int
colon(struct parse *p, char c)
{
	unsigned	 f;

	if (strchr("nurod", c) == NULL) {
		snprintf(p->err, p->errlen, ":%c: unknown message type (one "
		    "of :n :u :r :o :d)", c);
		return -1;
	}
	for (size_t i = 0; i < p->v->n; i++) {
		f = p->v->flags(p->v->arg, i);
		if (c != 'd' && (f & MSGLIST_DELETED))
			continue;
		if ((c == 'n' && (f & MSGLIST_NEW) && !(f & MSGLIST_READ)) ||
		    (c == 'u' && !(f & MSGLIST_READ)) ||
		    (c == 'r' && (f & MSGLIST_READ)) ||
		    (c == 'o' && !(f & MSGLIST_NEW)) ||
		    (c == 'd' && (f & MSGLIST_DELETED)))
			p->sel[i] = 1;
	}
	return 0;
}

/* Does the address a come from user (the whole address, or its local
   part, any case)? */
static int
from_user(const char *a, const char *user)
{
	size_t	 n = strlen(user);
	const char *at = strrchr(a, '@');

	if (strcasecmp(a, user) == 0)
		return 1;
	return at != NULL && strchr(user, '@') == NULL &&
	    (size_t)(at - a) == n && strncasecmp(a, user, n) == 0;
}

static int
token(struct parse *p, const char *tok)
{
	int	 r;

	if (strcmp(tok, "*") == 0) {
		for (size_t i = 0; i < p->v->n; i++)
			if (usable(p, i))
				p->sel[i] = 1;
		return 0;
	}
	if (tok[0] == ':' && tok[1] != '\0' && tok[2] == '\0')
		return colon(p, tok[1]);
	if (tok[0] == '/') {
		for (size_t i = 0; i < p->v->n; i++)
			if (usable(p, i) && tok[1] != '\0' &&
			    strcasestr(p->v->subject(p->v->arg, i), tok + 1))
				p->sel[i] = 1;
		return 0;
	}
	if ((r = range(p, tok)) != 1)
		return r;
	if (strchr("0123456789.$^-:", tok[0]) != NULL) {
		snprintf(p->err, p->errlen, "bad message list near '%.32s'",
		    tok);
		return -1;
	}
	for (size_t i = 0; i < p->v->n; i++)
		if (usable(p, i) && from_user(p->v->from(p->v->arg, i), tok))
			p->sel[i] = 1;
	return 0;
}

int
msglist_parse(const struct msglist_view *v, const char *spec, int deleted,
    unsigned char *sel, char *err, size_t errlen)
{
	struct parse	 p;
	char		 tok[TOKEN_MAX];
	size_t		 n, count = 0;

	memset(&p, 0, sizeof(p));
	p.v = v;
	p.deleted = deleted;
	p.sel = sel;
	p.err = err;
	p.errlen = errlen;
	memset(sel, 0, v->n);
	spec += strspn(spec, " \t,");
	if (*spec == '\0') {
		if (v->dot == 0 || v->dot > v->n || !usable(&p, v->dot - 1))
			goto none;
		sel[v->dot - 1] = 1;
		return 1;
	}
	while (*spec != '\0') {
		n = strcspn(spec, " \t,");
		if (n >= sizeof(tok)) {
			snprintf(err, errlen, "bad message list near '%.32s'",
			    spec);
			return -1;
		}
		memcpy(tok, spec, n);
		tok[n] = '\0';
		if (token(&p, tok) == -1)
			return -1;
		spec += n;
		spec += strspn(spec, " \t,");
	}
	for (size_t i = 0; i < v->n; i++)
		count += sel[i];
	if (count > 0)
		return (int)count;
none:
	snprintf(err, errlen, "No applicable messages");
	return -1;
}

/* Columns of code point c on a terminal: 2 for the East Asian wide and
   full-width ranges, 0 for combining marks, else 1. */
static int
cp_width(unsigned c)
{
	if ((c >= 0x300 && c <= 0x36f) || c == 0x200b || (c >= 0xfe00 &&
	    c <= 0xfe0f))
		return 0;
	if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) ||
	    (c >= 0x3041 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) ||
	    (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) ||
	    (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) ||
	    (c >= 0x1f300 && c <= 0x1faff) || (c >= 0x20000 && c <= 0x3fffd))
		return 2;
	return 1;
}

/* Decode one UTF-8 character at s: its length (0 when not valid). */
static size_t
utf8_char(const unsigned char *s, unsigned *cp)
{
	unsigned	 c = s[0], min;
	size_t		 n;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2; c &= 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3; c &= 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4; c &= 0x07; min = 0x10000;
	} else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int
msglist_cols(struct buf *out, const char *s, int cols, int pad)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned		 c = 0;
	size_t			 n;
	int			 used = 0, w;

	while (*p != '\0') {
		if ((n = utf8_char(p, &c)) == 0 || c < 0x20 ||
		    (c >= 0x7f && c < 0xa0)) {
			if (used + 1 > cols)
				break;
			if (n != 0 && (c == '\t' || c == '\r' || c == '\n'))
				buf_addc(out, ' ');
			else	/* as mime_clean() shows a header value */
				buf_add(out, "\xef\xbf\xbd", 3);
			used++;
			p += n == 0 ? 1 : n;
			continue;
		}
		if (used + (w = cp_width(c)) > cols)
			break;
		buf_add(out, p, n);
		used += w;
		p += n;
	}
	while (pad && used < cols) {
		buf_addc(out, ' ');
		used++;
	}
	return used;
}

void
msglist_summary(struct buf *out, int cur, int disp, size_t num,
    const char *from, const char *date16, size_t lines, long long size,
    const char *subject, int width)
{
	char	 wcount[64];
	int	 subjlen;

	snprintf(wcount, sizeof(wcount), "%4zu/%-5lld", lines, size);
	buf_printf(out, "%c%c%3zu ", cur, disp, num);
	msglist_cols(out, from, 17, 1);
	buf_adds(out, "  ");
	msglist_cols(out, date16, 16, 1);
	buf_printf(out, " %s", wcount);
	subjlen = width - 43 - (int)strlen(wcount);
	if (subjlen >= 0) {
		buf_addc(out, ' ');
		msglist_cols(out, subject != NULL ? subject : "", subjlen, 0);
	}
	buf_addc(out, '\n');
}

void
msglist_count(const char *msg, size_t n, size_t *lines, long long *bytes)
{
	const char	*p = msg, *e = msg + n, *nl, *z;
	size_t		 k, c;
	int		 nul = memchr(msg, '\0', n) != NULL;

	*lines = 0;
	*bytes = 0;
	while (p < e) {
		k = (size_t)(e - p) < MSGLIST_LINE - 1 ? (size_t)(e - p) :
		    MSGLIST_LINE - 1;
		if ((nl = memchr(p, '\n', k)) != NULL)
			k = (size_t)(nl + 1 - p);
		c = nul && (z = memchr(p, '\0', k)) != NULL ?
		    (size_t)(z - p) : k;
		if (c >= 2 && p[c - 1] == '\n' && p[c - 2] == '\r')
			c--;
		++*lines;
		*bytes += (long long)c;
		p += k;
	}
}

/* One line of hdr at p (without its LF, nor a CR before it); NULL at
   the end or at the empty line. */
static const char *
hline(const char *p, const char *e, const char **le)
{
	const char	*nl;

	if (p >= e)
		return NULL;
	nl = memchr(p, '\n', (size_t)(e - p));
	*le = nl != NULL ? nl : e;
	if (*le > p && (*le)[-1] == '\r' && nl != NULL)
		--*le;
	return *le == p ? NULL : p;
}

static const char *
next_line(const char *p, const char *e)
{
	const char	*nl = memchr(p, '\n', (size_t)(e - p));

	return nl != NULL ? nl + 1 : e;
}

int
msglist_field(struct buf *out, const char *hdr, size_t n, const char *name)
{
	const char	*p = hdr, *e = hdr + n, *ls, *le, *c, *v, *ve;
	size_t		 nl = strlen(name);
	int		 found = 0;

	while ((ls = hline(p, e, &le)) != NULL) {
		for (c = ls; c < le && *c != ':' && isprint((unsigned char)*c);
		    c++)
			;
		p = next_line(ls, e);
		if (c == le || *c != ':' || (size_t)(c - ls) != nl ||
		    strncasecmp(ls, name, nl) != 0)
			continue;
		for (v = c + 1; v < le && (*v == ' ' || *v == '\t'); v++)
			;
		if (found)
			buf_addc(out, ' ');
		found = 1;
		for (;;) {	/* a fold: trimmed, joined with one space */
			for (ve = le; ve > v && (ve[-1] == ' ' ||
			    ve[-1] == '\t'); ve--)
				;
			buf_add(out, v, (size_t)(ve - v));
			if (p >= e || (*p != ' ' && *p != '\t') ||
			    hline(p, e, &le) == NULL)
				break;
			for (v = p; v < le && (*v == ' ' || *v == '\t'); v++)
				;
			buf_addc(out, ' ');
			p = next_line(p, e);
		}
	}
	buf_add(out, "", 0);
	return found;
}

/* After the "(" of a comment: past its ")" (nested, \-quoting). */
static const char *
skip_comment(const char *p)
{
	int	 depth = 1;

	for (; depth > 0 && *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
	}
	return p;
}

/* After the ">" of an address: past the rest of it, up to a comma. */
static const char *
skip_rest(const char *p)
{
	while (*p != '\0' && *p != ',') {
		if (*p == '(')
			p = skip_comment(p + 1);
		else if (*p++ == '"') {
			while (*p != '\0' && *p++ != '"')
				if (p[-1] == '\\' && *p != '\0')
					p++;
		}
	}
	return p;
}

/*
 * bsd-mailx's skin(): comments dropped, quoted strings unquoted, the
 * text inside <> taken, " at " read as "@", runs of spaces kept as one;
 * then, as its nameof(), of a UUCP path a!b!c!u only the last two hops.
 */
void
msglist_skin(const char *from, char *out, size_t len)
{
	const char	*p = from, *bang;
	size_t		 n = 0, start = 0;
	int		 c, lt = 0, sp = 0, bangs = 0;

	if (len == 0)
		return;
	if (strpbrk(from, "(< ") == NULL) {
		snprintf(out, len, "%s", from);
		goto uucp;
	}
#define PUT(ch)	do { if (n + 1 < len) out[n++] = (char)(ch); } while (0)
	while ((c = (unsigned char)*p++) != '\0') {
		if (c == '(') {
			p = skip_comment(p);
			sp = 0;
		} else if (c == '"') {
			while ((c = (unsigned char)*p) != '\0') {
				p++;
				if (c == '"')
					break;
				if (c == '\\' && *p != '\0')
					c = (unsigned char)*p++;
				PUT(c);
			}
			sp = 0;
		} else if (c == ' ') {
			if (strncmp(p, "at ", 3) == 0) {
				p += 3;
				PUT('@');
			} else if (strncmp(p, "@ ", 2) == 0) {
				p += 2;
				PUT('@');
			} else
				sp = 1;
		} else if (c == '<') {
			n = start;
			lt = 1;
			sp = 0;
		} else if (c == '>' && lt) {
			lt = 0;
			p = skip_rest(p);
			sp = 0;
		} else {
			if (sp)
				PUT(' ');
			sp = 0;
			PUT(c);
			if (c == ',' && *p == ' ' && !lt) {
				PUT(' ');
				p += strspn(p, " ");
				start = n;
			}
		}
	}
#undef PUT
	out[n] = '\0';
uucp:
	for (size_t i = 0; out[i] != '\0'; i++)
		bangs += out[i] == '!';
	if (bangs < 2)
		return;
	for (bang = strrchr(out, '!') - 1; bang > out && *bang != '!'; bang--)
		;
	if (*bang == '!')
		memmove(out, bang + 1, strlen(bang + 1) + 1);
}

int
msglist_date(const char *d, char *out, size_t len)
{
	static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char	 wday[4] = "", m[4];
	int	 day, year, hh, mm, ss = 0, k = 0;
	const char *p = d, *at;

	out[0] = '\0';
	while (*p == ' ')
		p++;
	if (isalpha((unsigned char)*p) && (at = strchr(p, ',')) != NULL) {
		if (at - p == 3)
			memcpy(wday, p, 3);
		p = at + 1;
	}
	if (sscanf(p, "%d %3s %d %d:%d%n:%d", &day, m, &year, &hh, &mm, &k,
	    &ss) < 5)
		return -1;
	if ((at = strstr(mon, m)) == NULL || strlen(m) != 3 ||
	    (at - mon) % 3 != 0)
		return -1;
	if (year < 100)
		year += year < 50 ? 2000 : 1900;
	if (wday[0] == '\0') {	/* Zeller's congruence, for the day name */
		static const char wd[] = "SatSunMonTueWedThuFri";
		int	 mo = (int)(at - mon) / 3 + 1, y = year, h;

		if (mo < 3) {
			mo += 12;
			y--;
		}
		h = (day + 13 * (mo + 1) / 5 + y + y / 4 - y / 100 + y / 400) % 7;
		memcpy(wday, wd + 3 * h, 3);
	}
	snprintf(out, len, "%s %.3s %2d %02d:%02d:%02d %d", wday, at, day, hh,
	    mm, ss, year);
	return 0;
}
