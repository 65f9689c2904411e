/*
 * Conversion to UTF-8 from the charsets of mail: see charset.h for
 * the charsets, their names and the choices made for each.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "charset.h"
#include "charset_tables.h"

#define CS_NAME		64	/* longest charset name looked up */
#define FFFD		0xfffd
#define KANA(c)		(0xff61 + (c) - 0xa1)	/* JIS X 0201 katakana */

enum kind {
	K_BAD, K_ASCII, K_UTF8, K_8859, K_1252, K_2022JP, K_SJIS, K_CP932,
	K_EUCJP, K_SB, K_UTF7
};

/* Output gathered in a small block, appended to the buf when full. */
struct out {
	struct buf	*b;
	size_t		 n;
	char		 s[512];
};

static void
flush(struct out *o)
{
	buf_add(o->b, o->s, o->n);
	o->n = 0;
}

static void
put(struct out *o, unsigned c)
{
	if (o->n > sizeof(o->s) - 4)
		flush(o);
	if (c < 0x80) {
		o->s[o->n++] = (char)c;
	} else if (c < 0x800) {
		o->s[o->n++] = (char)(0xc0 | c >> 6);
		o->s[o->n++] = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		o->s[o->n++] = (char)(0xe0 | c >> 12);
		o->s[o->n++] = (char)(0x80 | (c >> 6 & 0x3f));
		o->s[o->n++] = (char)(0x80 | (c & 0x3f));
	} else {
		o->s[o->n++] = (char)(0xf0 | c >> 18);
		o->s[o->n++] = (char)(0x80 | (c >> 12 & 0x3f));
		o->s[o->n++] = (char)(0x80 | (c >> 6 & 0x3f));
		o->s[o->n++] = (char)(0x80 | (c & 0x3f));
	}
}

/* A code point, or U+FFFD for 0 (no character). */
static void
put_or_bad(struct out *o, unsigned c)
{
	put(o, c != 0 ? c : FFFD);
}

static void
put_bytes(struct out *o, const unsigned char *p, size_t n)
{
	if (o->n + n > sizeof(o->s)) {
		flush(o);
		if (n > sizeof(o->s)) {
			buf_add(o->b, p, n);
			return;
		}
	}
	memcpy(o->s + o->n, p, n);
	o->n += n;
}

/*
 * Names.  The key is the name in lower case without "-_.: ";
 * ISO-8859-N (with or without a year) is parsed, the rest looked up.
 */
static const struct alias {
	const char	*name;
	unsigned char	 kind;
	unsigned char	 part;		/* ISO-8859 part */
} aliases[] = {
	{ "usascii", K_ASCII, 0 }, { "ascii", K_ASCII, 0 },
	{ "ansix341968", K_ASCII, 0 }, { "ansix341986", K_ASCII, 0 },
	{ "iso646us", K_ASCII, 0 }, { "iso646irv1991", K_ASCII, 0 },
	{ "us", K_ASCII, 0 }, { "csascii", K_ASCII, 0 },
	{ "cp367", K_ASCII, 0 }, { "ibm367", K_ASCII, 0 },
	{ "isoir6", K_ASCII, 0 },
	{ "utf8", K_UTF8, 0 }, { "csutf8", K_UTF8, 0 },
	{ "latin1", K_8859, 1 }, { "l1", K_8859, 1 },
	{ "latin2", K_8859, 2 }, { "l2", K_8859, 2 },
	{ "latin3", K_8859, 3 }, { "l3", K_8859, 3 },
	{ "latin4", K_8859, 4 }, { "l4", K_8859, 4 },
	{ "latin5", K_8859, 9 }, { "l5", K_8859, 9 },
	{ "latin6", K_8859, 10 }, { "l6", K_8859, 10 },
	{ "latin7", K_8859, 13 }, { "l7", K_8859, 13 },
	{ "latin8", K_8859, 14 }, { "l8", K_8859, 14 },
	{ "latin9", K_8859, 15 }, { "l9", K_8859, 15 },
	{ "latin10", K_8859, 16 }, { "l10", K_8859, 16 },
	{ "cp819", K_8859, 1 }, { "ibm819", K_8859, 1 },
	{ "isoir100", K_8859, 1 }, { "csisolatin1", K_8859, 1 },
	{ "csisolatin2", K_8859, 2 }, { "csisolatin3", K_8859, 3 },
	{ "csisolatin4", K_8859, 4 }, { "csisolatin5", K_8859, 9 },
	{ "csisolatin6", K_8859, 10 },
	{ "cyrillic", K_8859, 5 }, { "csisolatincyrillic", K_8859, 5 },
	{ "arabic", K_8859, 6 }, { "csisolatinarabic", K_8859, 6 },
	{ "greek", K_8859, 7 }, { "greek8", K_8859, 7 },
	{ "csisolatingreek", K_8859, 7 },
	{ "hebrew", K_8859, 8 }, { "csisolatinhebrew", K_8859, 8 },
	{ "iso88596e", K_8859, 6 }, { "iso88596i", K_8859, 6 },
	{ "iso88598e", K_8859, 8 }, { "iso88598i", K_8859, 8 },
	{ "windows1252", K_1252, 0 }, { "cp1252", K_1252, 0 },
	{ "xcp1252", K_1252, 0 },
	{ "iso2022jp", K_2022JP, 0 }, { "csiso2022jp", K_2022JP, 0 },
	{ "shiftjis", K_SJIS, 0 }, { "sjis", K_SJIS, 0 },
	{ "xsjis", K_SJIS, 0 }, { "mskanji", K_SJIS, 0 },
	{ "csshiftjis", K_SJIS, 0 },
	{ "cp932", K_CP932, 0 }, { "windows31j", K_CP932, 0 },
	{ "cswindows31j", K_CP932, 0 }, { "ms932", K_CP932, 0 },
	{ "iso2022jp2", K_2022JP, 0 }, { "csiso2022jp2", K_2022JP, 0 },
	{ "utf7", K_UTF7, 0 }, { "unicode11utf7", K_UTF7, 0 },
	{ "csunicode11utf7", K_UTF7, 0 },
	{ "866", K_SB, CST_SB_IBM866 }, { "cp866", K_SB, CST_SB_IBM866 },
	{ "ibm866", K_SB, CST_SB_IBM866 }, { "csibm866", K_SB, CST_SB_IBM866 },
	{ "koi8r", K_SB, CST_SB_KOI8_R }, { "cskoi8r", K_SB, CST_SB_KOI8_R },
	{ "koi", K_SB, CST_SB_KOI8_R }, { "koi8", K_SB, CST_SB_KOI8_R },
	{ "koi8u", K_SB, CST_SB_KOI8_U }, { "koi8ru", K_SB, CST_SB_KOI8_U },
	{ "macintosh", K_SB, CST_SB_MACINTOSH }, { "mac", K_SB,
	    CST_SB_MACINTOSH }, { "csmacintosh", K_SB, CST_SB_MACINTOSH },
	{ "xmacroman", K_SB, CST_SB_MACINTOSH },
	{ "xmaccyrillic", K_SB, CST_SB_X_MAC_CYRILLIC },
	{ "xmacukrainian", K_SB, CST_SB_X_MAC_CYRILLIC },
	{ "windows874", K_SB, CST_SB_WINDOWS_874 }, { "dos874", K_SB,
	    CST_SB_WINDOWS_874 }, { "tis620", K_SB, CST_SB_WINDOWS_874 },
	{ "cp874", K_SB, CST_SB_WINDOWS_874 },
	{ "windows1250", K_SB, CST_SB_WINDOWS_1250 }, { "cp1250", K_SB,
	    CST_SB_WINDOWS_1250 }, { "xcp1250", K_SB, CST_SB_WINDOWS_1250 },
	{ "windows1251", K_SB, CST_SB_WINDOWS_1251 }, { "cp1251", K_SB,
	    CST_SB_WINDOWS_1251 }, { "xcp1251", K_SB, CST_SB_WINDOWS_1251 },
	{ "windows1253", K_SB, CST_SB_WINDOWS_1253 }, { "cp1253", K_SB,
	    CST_SB_WINDOWS_1253 }, { "xcp1253", K_SB, CST_SB_WINDOWS_1253 },
	{ "windows1254", K_SB, CST_SB_WINDOWS_1254 }, { "cp1254", K_SB,
	    CST_SB_WINDOWS_1254 }, { "xcp1254", K_SB, CST_SB_WINDOWS_1254 },
	{ "windows1255", K_SB, CST_SB_WINDOWS_1255 }, { "cp1255", K_SB,
	    CST_SB_WINDOWS_1255 }, { "xcp1255", K_SB, CST_SB_WINDOWS_1255 },
	{ "windows1256", K_SB, CST_SB_WINDOWS_1256 }, { "cp1256", K_SB,
	    CST_SB_WINDOWS_1256 }, { "xcp1256", K_SB, CST_SB_WINDOWS_1256 },
	{ "windows1257", K_SB, CST_SB_WINDOWS_1257 }, { "cp1257", K_SB,
	    CST_SB_WINDOWS_1257 }, { "xcp1257", K_SB, CST_SB_WINDOWS_1257 },
	{ "windows1258", K_SB, CST_SB_WINDOWS_1258 }, { "cp1258", K_SB,
	    CST_SB_WINDOWS_1258 }, { "xcp1258", K_SB, CST_SB_WINDOWS_1258 },
	{ "eucjp", K_EUCJP, 0 }, { "xeucjp", K_EUCJP, 0 },
	{ "cseucpkdfmtjapanese", K_EUCJP, 0 },
	{ "extendedunixcodepackedformatforjapanese", K_EUCJP, 0 },
};

/* "N" or "NYYYY" (the year of iso_8859-1:1987), N 1-16 but 12. */
static int
iso8859_part(const char *s)
{
	size_t	 len = strlen(s), i;
	int	 n = 0;

	if (len > 4 && (strncmp(s + len - 4, "19", 2) == 0 ||
	    strncmp(s + len - 4, "20", 2) == 0))
		len -= 4;
	if (len == 0 || len > 2 || s[0] == '0' ||
	    strspn(s, "0123456789") != strlen(s))
		return 0;
	for (i = 0; i < len; i++)
		n = n * 10 + (s[i] - '0');
	return n <= 16 && n != 12 ? n : 0;
}

static enum kind
lookup(const char *name, int *part)
{
	char	 key[CS_NAME + 1];
	size_t	 i, n = 0;

	*part = 0;
	if (name == NULL)
		return K_BAD;
	for (i = 0; name[i] != '\0'; i++) {
		unsigned char	 c = (unsigned char)name[i];

		if (strchr("-_.: ", c) != NULL)
			continue;
		if (n == CS_NAME)
			return K_BAD;
		key[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	key[n] = '\0';
	if (strncmp(key, "iso8859", 7) == 0 &&
	    (*part = iso8859_part(key + 7)) != 0)
		return K_8859;
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(key, aliases[i].name) == 0) {
			*part = aliases[i].part;
			return (enum kind)aliases[i].kind;
		}
	return K_BAD;
}

int
charset_known(const char *charset)
{
	int	 part;

	return lookup(charset, &part) != K_BAD;
}

/* One byte, one character: US-ASCII, ISO-8859-N, windows-1252. */
static void
conv_byte(struct out *o, enum kind k, int part, const unsigned char *p,
    size_t n)
{
	const uint16_t	*up = NULL;
	size_t		 i, j;

	if (k == K_8859 && part != 1) {
		for (j = 0; j < CST_8859_PARTS; j++)
			if (cst_8859_part[j] == part)
				up = cst_8859[j];
	}
	for (i = 0; i < n; i++) {
		unsigned	 c = p[i];

		if (c < 0x80)
			put(o, c);
		else if (k == K_SB)
			put_or_bad(o, cst_sb[part][c - 0x80]);
		else if (k == K_ASCII)
			put(o, FFFD);
		else if (k == K_1252 && c < 0xa0)
			put_or_bad(o, cst_1252[c - 0x80]);
		else if (up != NULL && c >= 0xa0)
			put_or_bad(o, up[c - 0xa0]);
		else
			put(o, c);
	}
}

/*
 * UTF-8 kept when well-formed; else one U+FFFD for each maximal
 * subpart: the lead byte and the continuation bytes that could still
 * have made a character (Unicode 3.9, "U+FFFD Substitution").
 */
static void
conv_utf8(struct out *o, const unsigned char *p, size_t n)
{
	size_t		 i = 0, j, k;
	unsigned	 c, lo, hi;

	while (i < n) {
		for (j = i; j < n && p[j] < 0x80; j++)
			;
		put_bytes(o, p + i, j - i);
		if ((i = j) == n)
			break;
		c = p[i];
		k = c < 0xc2 ? 0 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf5 ?
		    4 : 0;
		lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
		for (j = 1; j < k && i + j < n; j++) {
			if (p[i + j] < lo || p[i + j] > hi)
				break;
			lo = 0x80;
			hi = 0xbf;
		}
		if (k != 0 && j == k)
			put_bytes(o, p + i, k);
		else
			put(o, FFFD);
		i += k != 0 ? j : 1;
	}
}

/* The JIS table: row and cell 1-94; 0 when no character. */
static unsigned
jis(unsigned row, unsigned cell)
{
	unsigned	 r = cst_jis_row[row - 1];

	return r != 0 ? cst_jis[(r - 1) * 94 + cell - 1] : 0;
}

/* JIS X 0212, as jis(). */
static unsigned
jis2(unsigned row, unsigned cell)
{
	unsigned	 r = cst_jis2_row[row - 1];

	return r != 0 ? cst_jis2[(r - 1) * 94 + cell - 1] : 0;
}

/*
 * A Shift_JIS pair (lead 0x81-0x9F, 0xE0-0xFC; trail 0x40-0x7E,
 * 0x80-0xFC) to Unicode, 0 when none.  Rows past 94 are CP932's
 * user-defined area and its IBM extensions.
 */
static unsigned
sjis_pair(unsigned c, unsigned t, int cp932)
{
	unsigned	 row, cell, k, code;
	size_t		 i;

	row = (c - (c <= 0x9f ? 0x81 : 0xc1)) * 2 + 1;
	if (t >= 0x9f) {
		row++;
		cell = t - 0x9e;
	} else
		cell = t - 0x3f - (t >= 0x80);
	if (row <= 94) {
		code = row << 8 | cell;
		for (i = 0; cp932 && i < CST_CP932_FIX; i++)
			if (cst_cp932_fix[i][0] == code)
				return cst_cp932_fix[i][1];
		return jis(row, cell);
	}
	k = (row - 95) * 94 + cell - 1;
	if (row <= 114)
		return 0xe000 + k;
	k -= 20 * 94;
	for (i = 0; k < CST_IBM_COUNT && i < CST_IBM_RUNS; i++)
		if (k >= cst_ibm[i][0] && k - cst_ibm[i][0] < cst_ibm[i][1]) {
			k = cst_ibm[i][2] + k - cst_ibm[i][0];
			return jis(k / 94 + 1, k % 94 + 1);
		}
	return 0;
}

static void
conv_sjis(struct out *o, const unsigned char *p, size_t n, int cp932)
{
	size_t		 i = 0;
	unsigned	 c, t, u;

	while (i < n) {
		c = p[i];
		t = i + 1 < n ? p[i + 1] : 0;
		if (c < 0x80) {
			put(o, c);
			i++;
		} else if (c >= 0xa1 && c <= 0xdf) {
			put(o, KANA(c));
			i++;
		} else if (((c >= 0x81 && c <= 0x9f) || (c >= 0xe0 &&
		    c <= 0xfc)) && t >= 0x40 && t <= 0xfc && t != 0x7f) {
			u = sjis_pair(c, t, cp932);
			put_or_bad(o, u);
			/* an unknown pair does not take an ASCII trail */
			i += u != 0 || t >= 0x80 ? 2 : 1;
		} else {
			put(o, FFFD);
			i++;
		}
	}
}

#define EUC(c)	((c) >= 0xa1 && (c) <= 0xfe)

static void
conv_eucjp(struct out *o, const unsigned char *p, size_t n)
{
	size_t		 i = 0;
	unsigned	 c, t;

	while (i < n) {
		c = p[i];
		t = i + 1 < n ? p[i + 1] : 0;
		if (c < 0x80) {
			put(o, c);
			i++;
		} else if (c == 0x8e && t >= 0xa1 && t <= 0xdf) {
			put(o, KANA(t));
			i += 2;
		} else if (c == 0x8f && EUC(t)) {	/* JIS X 0212 */
			if (i + 2 < n && EUC(p[i + 2])) {
				put_or_bad(o, jis2(t - 0xa0, p[i + 2] - 0xa0));
				i += 3;
			} else {
				put(o, FFFD);
				i += 2;
			}
		} else if (EUC(c) && EUC(t)) {
			put_or_bad(o, jis(c - 0xa0, t - 0xa0));
			i += 2;
		} else {
			put(o, FFFD);
			i += c == 0x8e && EUC(t) ? 2 : 1;
		}
	}
}

enum iso_set { SET_ASCII, SET_ROMAN, SET_KANA, SET_JIS, SET_JIS2 };

/*
 * An escape sequence at p[0] == ESC: the set it designates, or -1
 * when unknown; *len is its length (ESC, intermediates 0x20-0x2F,
 * a final byte 0x30-0x7E, as far as they are there).
 */
static int
iso_escape(const unsigned char *p, size_t n, size_t *len)
{
	static const struct {
		char	 seq[3];
		int	 set;
	} esc[] = {
		{ "(B", SET_ASCII }, { "(J", SET_ROMAN }, { "(I", SET_KANA },
		{ "$@", SET_JIS }, { "$B", SET_JIS },
	};
	size_t	 i, k;

	if (n >= 4 && memcmp(p + 1, "$(D", 3) == 0) {	/* ISO-2022-JP-2 */
		*len = 4;
		return SET_JIS2;
	}
	for (i = 0; n >= 3 && i < sizeof(esc) / sizeof(esc[0]); i++)
		if (memcmp(p + 1, esc[i].seq, 2) == 0) {
			*len = 3;
			return esc[i].set;
		}
	for (k = 1; k < n && k < 4 && p[k] >= 0x20 && p[k] <= 0x2f; k++)
		;
	if (k < n && p[k] >= 0x30 && p[k] <= 0x7e)
		k++;
	*len = k;
	return -1;
}

/* One character of the current set at p (c = p[0], 0x21-0x7E). */
static size_t
iso_char(struct out *o, int set, const unsigned char *p, size_t n)
{
	unsigned	 c = p[0];

	switch (set) {
	case SET_ROMAN:
		put(o, c == 0x5c ? 0xa5 : c == 0x7e ? 0x203e : c);
		return 1;
	case SET_KANA:
		put(o, c <= 0x5f ? KANA(c + 0x80) : FFFD);
		return 1;
	case SET_JIS:
	case SET_JIS2:
		if (n < 2 || p[1] < 0x21 || p[1] > 0x7e) {
			put(o, FFFD);
			return 1;
		}
		put_or_bad(o, set == SET_JIS ? jis(c - 0x20, p[1] - 0x20) :
		    jis2(c - 0x20, p[1] - 0x20));
		return 2;
	default:
		put(o, c);
		return 1;
	}
}

static void
conv_2022jp(struct out *o, const unsigned char *p, size_t n)
{
	size_t		 i = 0, k;
	int		 set = SET_ASCII, s;
	unsigned	 c;

	while (i < n) {
		c = p[i];
		if (c == 0x1b) {
			if ((s = iso_escape(p + i, n - i, &k)) == -1) {
				put(o, FFFD);
				s = SET_ASCII;
			}
			set = s;
			i += k;
		} else if (c >= 0x21 && c <= 0x7e) {
			i += iso_char(o, set, p + i, n - i);
		} else {
			put(o, c >= 0x80 || (c == 0x7f && set >= SET_KANA) ?
			    FFFD : c);
			i++;
		}
	}
}

/* One UTF-16 unit of UTF-7 text; *hi holds a pending high surrogate. */
static void
utf16_unit(struct out *o, unsigned u, unsigned *hi)
{
	if (*hi != 0 && u >= 0xdc00 && u <= 0xdfff) {
		put(o, 0x10000 + ((*hi - 0xd800) << 10) + (u - 0xdc00));
		*hi = 0;
		return;
	}
	if (*hi != 0)
		put(o, FFFD);
	*hi = 0;
	if (u >= 0xd800 && u <= 0xdbff)
		*hi = u;
	else
		put(o, u >= 0xdc00 && u <= 0xdfff ? FFFD : u);
}

/*
 * UTF-7 (RFC 2152): text as it is, "+" starts modified base64 of
 * UTF-16 (no padding) that ends at the first byte outside its
 * alphabet ("-" there is taken), "+-" is "+".  A lone surrogate and an
 * 8-bit byte are U+FFFD.
 */
static void
conv_utf7(struct out *o, const unsigned char *p, size_t n)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char	*d;
	unsigned	 acc = 0, hi = 0;
	int		 bits = 0, in = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned	 c = p[i];

		if (in && c != 0 && (d = strchr(b64, (int)c)) != NULL) {
			acc = (acc << 6 | (unsigned)(d - b64)) & 0xffffff;
			if ((bits += 6) >= 16) {
				bits -= 16;
				utf16_unit(o, acc >> bits & 0xffff, &hi);
			}
			continue;
		}
		if (in) {
			in = 0;
			if (hi != 0 || (acc & ((1u << bits) - 1)) != 0)
				put(o, FFFD);
			hi = 0;
			if (c == '-')
				continue;
		}
		if (c == '+' && i + 1 < n && p[i + 1] == '-') {
			put(o, '+');
			i++;
		} else if (c == '+') {
			in = 1;
			acc = 0;
			bits = 0;
		} else
			put(o, c < 0x80 ? c : FFFD);
	}
	if (in && hi != 0)
		put(o, FFFD);
}

int
charset_to_utf8(struct buf *out, const char *charset, const char *p,
    size_t n)
{
	const unsigned char	*u = (const unsigned char *)p;
	struct out		 o;
	int			 part;
	enum kind		 k = lookup(charset, &part);

	if (k == K_BAD) {
		errno = ENOTSUP;
		return -1;
	}
	o.b = out;
	o.n = 0;
	switch (k) {
	case K_UTF8:
		conv_utf8(&o, u, n);
		break;
	case K_2022JP:
		conv_2022jp(&o, u, n);
		break;
	case K_SJIS:
	case K_CP932:
		conv_sjis(&o, u, n, k == K_CP932);
		break;
	case K_EUCJP:
		conv_eucjp(&o, u, n);
		break;
	case K_UTF7:
		conv_utf7(&o, u, n);
		break;
	default:
		conv_byte(&o, k, part, u, n);
		break;
	}
	flush(&o);
	if (buf_failed(out)) {
		errno = out->err;
		return -1;
	}
	return 0;
}
