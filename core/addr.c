/*
 * Addresses: RFC 5321 envelope paths and RFC 5322 address lists.
 *
 * Both parsers only take an address apart -- the local part's value
 * with its quoting undone, and the domain -- and hand the parts to
 * canon(), the one place that decides what is acceptable and how it is
 * written: the local part quoted only when it is not a dot-string, the
 * domain in lower case, every limit of limits.h checked.  So
 * "\"john\"@Example.COM" from a command line and "John <john@example.com>"
 * in a To: field become the same string, and the queue can compare
 * recipients with strcmp().
 *
 * Deliberately strict, because an address ends up in file names, in
 * envelopes and on the wire:
 *  - no control character anywhere, and no non-ASCII byte in an address
 *    but a path parsed with ADDR_UTF8 (an SMTPUTF8 transaction), whose
 *    local part and hostname may hold well-formed UTF-8 without any
 *    control character, C1 included; display names may carry raw UTF-8;
 *  - no empty local part, not even the legal but useless "\"\"@domain";
 *  - an unquoted local part must be a dot-string (no leading, trailing
 *    or double dot), as RFC 5321 says;
 *  - a domain is a hostname (letters, digits, hyphens; labels of 1..63
 *    octets, no hyphen at either end) or an IPv4 / "IPv6:" literal;
 *  - source routes (<@a,@b:user@c>) are checked for syntax and dropped,
 *    as RFC 5321 C allows.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "addr.h"
#include "mime.h"

/* Room for a rendered address before its limits are checked. */
#define CANON_MAX	(2 * LIM_LOCAL + 2 + 1 + LIM_DOMAIN + 1)

static int bad(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* A fault: the reason in err, errno EINVAL (bad_char may make it
   EILSEQ), -1. */
static int
bad(char *err, size_t len, const char *fmt, ...)
{
	va_list	 ap;

	if (err != NULL && len > 0) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	errno = EINVAL;
	return -1;
}

/* ASCII only: <ctype.h> would follow the locale. */
static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
is_atext(int c)
{
	return is_alnum(c) ||
	    (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static int
is_ctl(int c)
{
	return c < 0x20 || c == 0x7f;
}

/* atext, and with ADDR_UTF8 the octets of UTF-8 (RFC 6531 3.3: the
   text was checked as a whole before). */
static int
is_atext_u(int c, unsigned flags)
{
	return is_atext(c) || (c >= 0x80 && (flags & ADDR_UTF8));
}

/* RFC 5321 Dot-string: atoms of atext joined by single dots. */
static int
is_dot_string(const char *s, size_t n, unsigned flags)
{
	size_t	 i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i - 1] == '.')
				return 0;
		} else if (!is_atext_u((unsigned char)s[i], flags))
			return 0;
	}
	return 1;
}

/* The reason for a byte that may never appear where it was found. */
static int
bad_char(int c, const char *where, char *err, size_t errlen)
{
	static const struct {
		int		 c;
		const char	*name;
	} names[] = {
		{ '\r', "CR" }, { '\n', "LF" }, { '\t', "TAB" },
		{ '\0', "NUL" }, { 0x7f, "DEL" },
	};
	size_t	 i;

	if (c >= 0x80) {
		bad(err, errlen, "non-ASCII character in %s without SMTPUTF8",
		    where);
		errno = EILSEQ;
		return -1;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].c == c)
			return bad(err, errlen, "control character %s in %s",
			    names[i].name, where);
	return bad(err, errlen, "control character 0x%02x in %s", c, where);
}

/* "[192.0.2.1]" or "[IPv6:2001:db8::1]"; dst gets it canonical. */
static int
check_literal(const char *d, size_t n, char *dst, char *err, size_t errlen)
{
	char		 ip[LIM_DOMAIN + 1];
	unsigned char	 bin[16];
	size_t		 i;

	if (n < 2 || d[n - 1] != ']')
		return bad(err, errlen, "unbalanced brackets in domain");
	memcpy(ip, d + 1, n - 2);
	ip[n - 2] = '\0';
	if (strncasecmp(ip, "IPv6:", 5) == 0) {
		if (inet_pton(AF_INET6, ip + 5, bin) != 1)
			return bad(err, errlen, "bad IPv6 address literal");
	} else if (strchr(ip, ':') != NULL)
		return bad(err, errlen, "unsupported address literal");
	else if (inet_pton(AF_INET, ip, bin) != 1)
		return bad(err, errlen, "bad IPv4 address literal");
	dst[0] = '[';
	for (i = 0; i < n - 2; i++)
		dst[i + 1] = (char)lower((unsigned char)ip[i]);
	if (n - 2 > 5 && dst[1] == 'i')
		memcpy(dst + 1, "IPv6", 4);
	dst[n - 1] = ']';
	dst[n] = '\0';
	return 0;
}

/* The label that ends at d[i] ('.' or the end): not empty, no hyphen
   at its end, at most 63 octets unless it holds UTF-8 (wide). */
static int
label_end(const char *d, size_t i, size_t label, int wide, char *err,
    size_t errlen)
{
	if (label == 0)
		return bad(err, errlen, "empty label in domain");
	if (d[i - 1] == '-')
		return bad(err, errlen, "domain label ends with '-'");
	if (label > 63 && !wide)
		return bad(err, errlen, "domain label longer than 63 octets");
	return 0;
}

/* A hostname: labels of letters, digits and inner hyphens (and, with
   ADDR_UTF8, UTF-8). */
static int
check_hostname(const char *d, size_t n, unsigned flags, char *dst,
    char *err, size_t errlen)
{
	size_t	 i, label = 0;
	int	 c, wide = 0;

	for (i = 0; i < n; i++) {
		c = (unsigned char)d[i];
		if (c == '.') {
			if (label_end(d, i, label, wide, err, errlen) == -1)
				return -1;
			label = 0;
			wide = 0;
		} else if (is_alnum(c) || c == '-' ||
		    (c >= 0x80 && (flags & ADDR_UTF8))) {
			if (label++ == 0 && c == '-')
				return bad(err, errlen,
				    "domain label starts with '-'");
			wide |= c >= 0x80;
		} else if (c == '[' || c == ']')
			return bad(err, errlen,
			    "unbalanced brackets in domain");
		else
			return bad(err, errlen,
			    "invalid character '%c' in domain", c);
		dst[i] = (char)lower(c);
	}
	if (label_end(d, n, label, wide, err, errlen) == -1)
		return -1;
	dst[n] = '\0';
	return 0;
}

static int
check_domain(const char *d, size_t n, unsigned flags, char *dst, char *err,
    size_t errlen)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (is_ctl((unsigned char)d[i]) ||
		    ((unsigned char)d[i] >= 0x80 && !(flags & ADDR_UTF8)))
			return bad_char((unsigned char)d[i], "domain", err,
			    errlen);
	if (n == 0)
		return bad(err, errlen, "empty domain");
	if (n > LIM_DOMAIN)
		return bad(err, errlen, "domain longer than %d octets",
		    LIM_DOMAIN);
	if (d[0] == '[')
		return check_literal(d, n, dst, err, errlen);
	return check_hostname(d, n, flags, dst, err, errlen);
}

/*
 * The one judge of an address.  local is the local part's value (quotes
 * and quoted-pairs undone), dom the domain, NULL when unqualified.
 */
static int
canon(const char *local, size_t llen, const char *dom, size_t dlen,
    unsigned flags, char *out, size_t outlen, char *err, size_t errlen)
{
	char	 buf[CANON_MAX];
	size_t	 i, n = 0;
	int	 quote;

	for (i = 0; i < llen; i++)
		if (is_ctl((unsigned char)local[i]) ||
		    ((unsigned char)local[i] >= 0x80 && !(flags & ADDR_UTF8)))
			return bad_char((unsigned char)local[i], "local part",
			    err, errlen);
	if (llen == 0)
		return bad(err, errlen, "empty local part");
	if (llen > LIM_LOCAL)
		return bad(err, errlen, "local part longer than %d octets",
		    LIM_LOCAL);
	/* The limit is on the wire form, so it counts the quotes too. */
	if ((quote = !is_dot_string(local, llen, flags)))
		buf[n++] = '"';
	for (i = 0; i < llen; i++) {
		if (quote && (local[i] == '"' || local[i] == '\\'))
			buf[n++] = '\\';
		buf[n++] = local[i];
	}
	if (quote)
		buf[n++] = '"';
	if (n > LIM_LOCAL)
		return bad(err, errlen, "local part longer than %d octets "
		    "once quoted", LIM_LOCAL);
	if (dom != NULL) {
		buf[n++] = '@';
		if (check_domain(dom, dlen, flags, buf + n, err, errlen) == -1)
			return -1;
		n += dlen;
	}
	if (n > LIM_ADDR - 2)
		return bad(err, errlen, "address longer than %d octets",
		    LIM_ADDR - 2);
	if (n >= outlen)
		return bad(err, errlen, "address too long for its buffer");
	memcpy(out, buf, n);
	out[n] = '\0';
	return 0;
}

/* "@a.example,@[192.0.2.1]:" before the mailbox; checked, then skipped. */
static const char *
skip_route(const char *p, const char *end, unsigned flags, char *err,
    size_t errlen)
{
	char		 dom[LIM_DOMAIN + 2];
	const char	*d;

	for (;;) {
		if (p == end || *p != '@')
			return bad(err, errlen, "bad source route"), NULL;
		d = ++p;
		if (p < end && *p == '[')
			while (p < end && *p != ']')
				p++;
		while (p < end && *p != ',' && *p != ':')
			p++;
		if (p == end)
			return bad(err, errlen, "source route without ':'"),
			    NULL;
		if ((size_t)(p - d) > LIM_DOMAIN)
			return bad(err, errlen, "domain longer than %d octets",
			    LIM_DOMAIN), NULL;
		if (check_domain(d, (size_t)(p - d), flags, dom, err,
		    errlen) == -1)
			return NULL;
		if (*p++ == ':')
			return p;
	}
}

/* The local part of a path, up to its '@' or the end; value in local. */
static const char *
path_local(const char *p, const char *end, unsigned flags, char *local,
    size_t *ln, char *err, size_t errlen)
{
	size_t	 n = 0;

	if (*p == '"') {
		for (p++; p < end && *p != '"'; p++) {
			if (*p == '\\' && ++p == end)
				break;
			if (n >= LIM_ADDR)
				return bad(err, errlen, "local part longer "
				    "than %d octets", LIM_LOCAL), NULL;
			local[n++] = *p;
		}
		if (p == end)
			return bad(err, errlen, "unbalanced quotes"), NULL;
		if (++p < end && *p != '@')
			return bad(err, errlen, "unexpected '%c' after quoted "
			    "local part", *p), NULL;
	} else {
		for (; p < end && *p != '@'; p++) {
			if (*p == ' ')
				return bad(err, errlen, "space outside quotes"),
				    NULL;
			if (*p == '"')
				return bad(err, errlen, "unbalanced quotes"),
				    NULL;
			if (*p != '.' && !is_atext_u((unsigned char)*p, flags))
				return bad(err, errlen, "invalid character "
				    "'%c' in local part", *p), NULL;
			if (n >= LIM_ADDR)
				return bad(err, errlen, "local part longer "
				    "than %d octets", LIM_LOCAL), NULL;
			local[n++] = *p;
		}
		if (n > 0 && !is_dot_string(local, n, flags))
			return bad(err, errlen, "empty atom in local part "
			    "(leading, trailing or double dot)"), NULL;
	}
	*ln = n;
	return p;
}

/*
 * The bytes of a whole path.  Without ADDR_UTF8: ASCII, and no control
 * character.  With it: well-formed UTF-8 with no control character,
 * C1 included, and every fault is EILSEQ (RFC 6531 3.3 takes the
 * characters of RFC 6532 3.2, which has no controls).
 */
static int
check_text(const char *in, size_t n, unsigned flags, char *err,
    size_t errlen)
{
	const unsigned char	*u = (const unsigned char *)in;
	size_t			 i, k;

	for (i = 0; i < n; i += k) {
		k = (flags & ADDR_UTF8) ? mime_utf8_len(u + i, n - i) : 1;
		if (k == 0)
			bad(err, errlen, "ill-formed UTF-8 in address (byte "
			    "0x%02x)", u[i]);
		else if (k == 2 && u[i] == 0xc2 && u[i + 1] < 0xa0)
			bad(err, errlen, "control character U+%04X in "
			    "address", u[i + 1]);
		else if (k == 1 && (is_ctl(u[i]) || u[i] >= 0x80))
			bad_char(u[i], "address", err, errlen);
		else
			continue;
		if (flags & ADDR_UTF8)
			errno = EILSEQ;
		return -1;
	}
	return 0;
}

int
addr_parse_path(const char *in, unsigned flags, char *out, size_t outlen,
    char *err, size_t errlen)
{
	char		 local[LIM_ADDR + 1];
	const char	*p = in, *end, *dom;
	size_t		 n = strlen(in), ln;

	if (check_text(in, n, flags, err, errlen) == -1)
		return -1;
	end = in + n;
	if (n > 0 && *p == '<') {
		if (n < 2 || end[-1] != '>')
			return bad(err, errlen, "unbalanced angle brackets");
		p++;
		end--;
	} else if (n > 0 && end[-1] == '>')
		return bad(err, errlen, "unbalanced angle brackets");
	if (p == end) {
		if (!(flags & ADDR_NULL_OK))
			return bad(err, errlen, "empty address");
		if (outlen == 0)
			return bad(err, errlen, "no room for the address");
		out[0] = '\0';
		return 0;
	}
	if (*p == '@' && (p = skip_route(p, end, flags, err, errlen)) == NULL)
		return -1;
	if (p == end)
		return bad(err, errlen, "empty local part");
	if ((p = path_local(p, end, flags, local, &ln, err, errlen)) == NULL)
		return -1;
	if (p == end)
		return canon(local, ln, NULL, 0, flags, out, outlen, err,
		    errlen);
	dom = p + 1;
	if (memchr(dom, ' ', (size_t)(end - dom)) != NULL)
		return bad(err, errlen, "space outside quotes");
	if (memchr(dom, '@', (size_t)(end - dom)) != NULL)
		return bad(err, errlen, "more than one '@' outside quotes");
	return canon(local, ln, dom, (size_t)(end - dom), flags, out, outlen,
	    err, errlen);
}

int
addr_qualify(char *addr, size_t len, const char *domain)
{
	size_t	 n, d;
	int	 q = 0;

	/* The null path stays null: "<>" must never become "@domain". */
	for (n = 0; addr[n] != '\0'; n++) {
		if (addr[n] == '\\' && q && addr[n + 1] != '\0')
			n++;
		else if (addr[n] == '"')
			q = !q;
		else if (addr[n] == '@' && !q)
			return 0;
	}
	if (n == 0)
		return 0;
	d = strlen(domain);
	if (d == 0 || n + 1 + d > LIM_ADDR - 2 || n + 1 + d >= len) {
		errno = d == 0 ? EINVAL : ERANGE;
		return -1;
	}
	addr[n] = '@';
	memcpy(addr + n + 1, domain, d + 1);
	return 0;
}

int
addr_split(const char *addr, char *local, size_t locallen, char *domain,
    size_t domainlen)
{
	const char	*at = NULL, *p;
	size_t		 n = 0;
	int		 q = 0;

	for (p = addr; *p != '\0'; p++) {
		if (*p == '\\' && q && p[1] != '\0')
			p++;
		else if (*p == '"')
			q = !q;
		else if (*p == '@' && !q)
			at = p;
	}
	if (at == NULL)
		at = p;
	for (p = addr; p < at; p++) {
		if (*p == '"')
			continue;
		if (*p == '\\' && p + 1 < at)
			p++;
		if (n + 1 >= locallen)
			goto toolong;
		local[n++] = *p;
	}
	if (locallen == 0)
		goto toolong;
	local[n] = '\0';
	p = *at == '@' ? at + 1 : at;
	if (strlen(p) >= domainlen)
		goto toolong;
	memcpy(domain, p, strlen(p) + 1);
	return 0;
toolong:
	errno = ERANGE;
	return -1;
}

/*
 * RFC 5322 address lists.  A lexer turns the value into atoms, quoted
 * strings, domain literals and single specials, skipping white space,
 * folds and comments; a recursive descent parser with one token of
 * look-ahead (and one saved lexer state) does the rest.
 */
enum tok { T_END, T_ATOM, T_QSTR, T_DLIT, T_SPEC };

struct lex {
	const char	*p;	/* next unread byte */
	enum tok	 type;	/* the current token ... */
	const char	*s;	/* ... its text, with quotes or brackets */
	size_t		 len;
	char		*err;
	size_t		 errlen;
};

struct list {
	int		(*cb)(void *, const char *);
	void		*ctx;
};

static int
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skip white space and (nested (comments)) with their quoted-pairs. */
static int
skip_cfws(struct lex *l)
{
	int	 depth;

	for (;;) {
		while (is_ws((unsigned char)*l->p))
			l->p++;
		if (*l->p != '(')
			return 0;
		for (depth = 1, l->p++; depth > 0; l->p++) {
			if (*l->p == '\0')
				return bad(l->err, l->errlen,
				    "unbalanced parentheses in comment");
			if (*l->p == '\\' && l->p[1] != '\0')
				l->p++;
			else if (*l->p == '(')
				depth++;
			else if (*l->p == ')')
				depth--;
		}
	}
}

/* Scan a "quoted string" or a [domain literal] from l->p. */
static int
lex_delimited(struct lex *l, int close, enum tok type)
{
	const char	*p = l->p + 1;

	for (; *p != close; p++) {
		if (*p == '\0' || (close == ']' && *p == '['))
			return bad(l->err, l->errlen, close == '"' ?
			    "unbalanced quotes" : "unbalanced brackets");
		if (*p == '\\' && p[1] != '\0')
			p++;
	}
	l->type = type;
	l->len = (size_t)(p + 1 - l->s);
	l->p = p + 1;
	return 0;
}

static int
lex_next(struct lex *l)
{
	int	 c;

	if (skip_cfws(l) == -1)
		return -1;
	l->s = l->p;
	c = (unsigned char)*l->p;
	if (c == '\0') {
		l->type = T_END;
		l->len = 0;
		return 0;
	}
	if (c == '"')
		return lex_delimited(l, '"', T_QSTR);
	if (c == '[')
		return lex_delimited(l, ']', T_DLIT);
	if (is_ctl(c))
		return bad_char(c, "address list", l->err, l->errlen);
	if (c == ')')
		return bad(l->err, l->errlen, "unbalanced parentheses");
	if (c == ']')
		return bad(l->err, l->errlen, "unbalanced brackets");
	/* Raw UTF-8 is allowed in display names (RFC 6532); canon()
	   refuses it in an address. */
	if (is_atext(c) || c >= 0x80) {
		while (is_atext((unsigned char)*l->p) ||
		    (unsigned char)*l->p >= 0x80)
			l->p++;
		l->type = T_ATOM;
	} else {
		l->p++;
		l->type = T_SPEC;
	}
	l->len = (size_t)(l->p - l->s);
	return 0;
}

static int
is_spec(const struct lex *l, int c)
{
	return l->type == T_SPEC && *l->s == c;
}

/* A syntax error, naming the token where it was found. */
static int
lex_bad(struct lex *l, const char *what)
{
	char	 near[24];
	size_t	 i;

	if (l->type == T_END)
		return bad(l->err, l->errlen, "%s at the end", what);
	for (i = 0; i + 1 < sizeof(near) && l->s[i] != '\0' &&
	    !is_ctl((unsigned char)l->s[i]); i++)
		near[i] = l->s[i];
	near[i] = '\0';
	return bad(l->err, l->errlen, "%s before \"%s\"", what, near);
}

/* Append the value of an atom or a quoted string (unquoted, unfolded). */
static int
add_word(struct lex *l, char *dst, size_t *n, size_t cap)
{
	const char	*p = l->s, *end = l->s + l->len;

	if (l->type == T_QSTR || l->type == T_DLIT) {
		p++;
		end--;
	}
	for (; p < end; p++) {
		if (*p == '\r' || *p == '\n' ||
		    (l->type == T_DLIT && is_ws((unsigned char)*p)))
			continue;
		if (*p == '\\' && l->type == T_QSTR)
			p++;
		if (*n + 1 >= cap)
			return bad(l->err, l->errlen, "address longer than "
			    "%d octets", LIM_ADDR - 2);
		dst[(*n)++] = *p;
	}
	return 0;
}

/* domain = dot-atom / domain-literal, into dst with its brackets. */
static int
parse_domain(struct lex *l, char *dst, size_t *n, size_t cap)
{
	*n = 0;
	if (l->type == T_DLIT) {
		dst[(*n)++] = '[';
		if (add_word(l, dst, n, cap - 1) == -1)
			return -1;
		dst[(*n)++] = ']';
		return lex_next(l);
	}
	for (;;) {
		if (l->type != T_ATOM)
			return lex_bad(l, *n == 0 ? "missing domain" :
			    "domain ends with '.'");
		if (add_word(l, dst, n, cap) == -1 || lex_next(l) == -1)
			return -1;
		if (!is_spec(l, '.'))
			return 0;
		if (*n + 1 >= cap)
			return bad(l->err, l->errlen, "domain longer than "
			    "%d octets", LIM_DOMAIN);
		dst[(*n)++] = '.';
		if (lex_next(l) == -1)
			return -1;
	}
}

/*
 * addr-spec = local-part ["@" domain], the domain may be missing; its
 * canonical form into out (LIM_ADDR).
 */
static int
parse_spec(struct lex *l, char *out)
{
	char	 local[LIM_ADDR + 1], dom[LIM_ADDR + 1], why[LIM_ERR];
	size_t	 ln = 0, dn = 0;
	int	 want = 1, at;

	for (;;) {
		if (want && (l->type == T_ATOM || l->type == T_QSTR)) {
			if (add_word(l, local, &ln, sizeof(local)) == -1)
				return -1;
			want = 0;
		} else if (!want && is_spec(l, '.')) {
			local[ln++] = '.';
			want = 1;
		} else
			break;
		if (ln + 1 >= sizeof(local))
			return bad(l->err, l->errlen, "address longer than "
			    "%d octets", LIM_ADDR - 2);
		if (lex_next(l) == -1)
			return -1;
	}
	if (want)
		return lex_bad(l, ln == 0 ? "missing local part" :
		    "local part ends with '.'");
	if ((at = is_spec(l, '@'))) {
		if (lex_next(l) == -1 ||
		    parse_domain(l, dom, &dn, sizeof(dom)) == -1)
			return -1;
	} else if (l->type == T_ATOM || l->type == T_QSTR)
		return lex_bad(l, "display name without an <address>");
	if (canon(local, ln, at ? dom : NULL, dn, 0, out, LIM_ADDR, why,
	    sizeof(why)) == -1)
		return bad(l->err, l->errlen, "%s", why);
	return 0;
}

/* "<" [obs-route] addr-spec ">" */
static int
parse_angle(struct lex *l, char *out)
{
	char	 dom[LIM_ADDR + 1];
	size_t	 dn;

	if (lex_next(l) == -1)
		return -1;
	if (is_spec(l, '>'))
		return lex_bad(l, "empty address <>");
	if (is_spec(l, '@')) {
		while (is_spec(l, '@') || is_spec(l, ',')) {
			if (is_spec(l, '@') && (lex_next(l) == -1 ||
			    parse_domain(l, dom, &dn, sizeof(dom)) == -1))
				return -1;
			if (is_spec(l, ',') && lex_next(l) == -1)
				return -1;
		}
		if (!is_spec(l, ':'))
			return lex_bad(l, "bad source route");
		if (lex_next(l) == -1)
			return -1;
	}
	if (parse_spec(l, out) == -1)
		return -1;
	if (!is_spec(l, '>'))
		return lex_bad(l, "unbalanced angle brackets");
	return lex_next(l);
}

static int	parse_address(struct lex *, struct list *, int);

/* display-name ":" [mailbox-list] ";" -- the ':' is current. */
static int
parse_group(struct lex *l, struct list *li)
{
	if (lex_next(l) == -1)
		return -1;
	for (;;) {
		if (is_spec(l, ';'))
			return lex_next(l);
		if (is_spec(l, ',')) {
			if (lex_next(l) == -1)
				return -1;
			continue;
		}
		if (l->type == T_END)
			return lex_bad(l, "group not closed with ';'");
		if (parse_address(l, li, 1) == -1)
			return -1;
	}
}

/*
 * address = mailbox / group.  Words come first in every form; what
 * follows them tells which form it is, then the words are read again
 * from the saved state if they were a local part.  A mailbox reaches
 * the callback only once what follows it is known to be right.
 */
static int
parse_address(struct lex *l, struct list *li, int in_group)
{
	struct lex	 save = *l;
	char		 out[LIM_ADDR];
	int		 nwords = 0, r;

	while (l->type == T_ATOM || l->type == T_QSTR || is_spec(l, '.')) {
		nwords++;
		if (lex_next(l) == -1)
			return -1;
	}
	if (is_spec(l, ':')) {
		if (in_group)
			return lex_bad(l, "group inside a group");
		if (nwords == 0)
			return lex_bad(l, "group without a name");
		return parse_group(l, li);
	}
	if (is_spec(l, '<'))
		r = parse_angle(l, out);
	else if (nwords == 0)
		return lex_bad(l, "unexpected character");
	else {
		*l = save;
		r = parse_spec(l, out);
	}
	if (r == -1)
		return -1;
	if (in_group && l->type == T_END)
		return lex_bad(l, "group not closed with ';'");
	if (in_group && !is_spec(l, ',') && !is_spec(l, ';'))
		return lex_bad(l, "expected ',' or ';'");
	if (!in_group && l->type != T_END && !is_spec(l, ','))
		return lex_bad(l, "expected ','");
	if (li->cb(li->ctx, out) == -1)
		return bad(l->err, l->errlen, "address %s refused", out);
	return 0;
}

int
addr_list_parse(const char *value, int (*cb)(void *ctx, const char *addr),
    void *ctx, char *err, size_t errlen)
{
	struct lex	 l;
	struct list	 li;

	memset(&l, 0, sizeof(l));
	l.p = value;
	l.err = err;
	l.errlen = errlen;
	li.cb = cb;
	li.ctx = ctx;
	if (lex_next(&l) == -1)
		return -1;
	for (;;) {
		if (l.type == T_END)
			return 0;
		if (is_spec(&l, ',')) {
			if (lex_next(&l) == -1)
				return -1;
			continue;
		}
		if (parse_address(&l, &li, 0) == -1)
			return -1;
		/* after a group, parse_address checked nothing */
		if (l.type != T_END && !is_spec(&l, ','))
			return lex_bad(&l, "expected ','");
	}
}
