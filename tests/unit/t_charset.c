/*
 * core/charset.c: names, every charset on fixed byte strings, bad and
 * truncated sequences, U+FFFD counts.
 *
 *	t_charset                   run the tests (TAP)
 *	t_charset --convert CHARSET convert stdin to UTF-8 on stdout, for
 *	                            tests/integ/045-charset.t
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "charset.h"
#include "tap.h"

#define NIHONGO	"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"	/* 日本語 */
#define FFFD	"\xef\xbf\xbd"
#define MARU1	"\xe2\x91\xa0"		/* ① U+2460 */
#define WAVE	"\xe3\x80\x9c"		/* 〜 U+301C WAVE DASH */
#define FWTILDE	"\xef\xbd\x9e"		/* ～ U+FF5E FULLWIDTH TILDE */
#define KANA_A	"\xef\xbd\xb1"		/* ｱ U+FF71 */
#define TAKA	"\xe9\xab\x99"		/* 髙 U+9AD9 */

static struct buf	 b;
static int		 rc;

/* Convert a literal (it may hold NULs): the output, the result in rc. */
#define CONV(cs, lit)	conv((cs), (lit), sizeof(lit) - 1)

static const char *
conv(const char *cs, const char *in, size_t n)
{
	buf_reset(&b);
	rc = charset_to_utf8(&b, cs, in, n);
	return buf_str(&b);
}

static int
fffds(const char *s)
{
	int	 k = 0;

	while ((s = strstr(s, FFFD)) != NULL) {
		k++;
		s += 3;
	}
	return k;
}

static int
filter(const char *cs)
{
	struct buf	 in, out;
	char		 tmp[8192];
	size_t		 k;
	int		 r = 0;

	if (!charset_known(cs)) {
		fprintf(stderr, "t_charset: unknown charset: %s\n", cs);
		return EX_USAGE;
	}
	buf_init(&in, 0);
	buf_init(&out, 0);
	while ((k = fread(tmp, 1, sizeof(tmp), stdin)) > 0)
		buf_add(&in, tmp, k);
	if (ferror(stdin) || buf_failed(&in) ||
	    charset_to_utf8(&out, cs, in.s, in.len) == -1) {
		fprintf(stderr, "t_charset: cannot convert: %s\n",
		    strerror(errno));
		r = EX_OSERR;
	} else if (fwrite(out.s, 1, out.len, stdout) != out.len ||
	    fflush(stdout) == EOF) {
		fprintf(stderr, "t_charset: cannot write: %s\n",
		    strerror(errno));
		r = EX_IOERR;
	}
	buf_free(&in);
	buf_free(&out);
	return r;
}

static void
names(void)
{
	static const char *const known[] = { "us-ascii", "ASCII",
	    "ANSI_X3.4-1968", "utf-8", "UTF8", "iso-8859-1", "ISO_8859-1",
	    "iso_8859-1:1987", "Latin1", "l1", "ISO8859-2", "iso-8859-16",
	    "iso_8859-16:2001", "Latin9", "iso-8859-11", "windows-1252",
	    "CP1252", "ISO-2022-JP", "csISO2022JP", "Shift_JIS", "SJIS",
	    "x-sjis", "MS_Kanji", "cp932", "Windows-31J", "EUC-JP",
	    "x-euc-jp", "eucJP", "sHiFt-jIs", "Utf-8", "KOI8-R", "koi8-u",
	    "IBM866", "cp866", "macintosh", "x-mac-cyrillic", "windows-874",
	    "windows-1250", "windows-1251", "cp1251", "windows-1258",
	    "UTF-7", "unicode-1-1-utf-7", "ISO-2022-JP-2" };
	static const char *const unknown[] = { "", "iso-8859-12",
	    "iso-8859-17", "iso-8859-0", "iso-8859-01", "iso8859",
	    "utf-8-7", "shift_jis2004", "iso-2022-jp-3", "big5", "gb2312",
	    "euc-kr", "ks_c_5601-1987", "gbk", "gb18030",
	    "iso-8859-1x", "-", "a-very-long-name-that-is-no-charset-at-"
	    "all-and-goes-on-and-on-and-on" };
	size_t	 i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		ok(charset_known(known[i]), "known: %s", known[i]);
		is_str(CONV(known[i], "abc"), "abc", "%s: ASCII kept",
		    known[i]);
	}
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		ok(!charset_known(unknown[i]), "unknown: '%s'", unknown[i]);
		buf_reset(&b);
		buf_adds(&b, "before");
		errno = 0;
		rc = charset_to_utf8(&b, unknown[i], "abc", 3);
		ok(rc == -1 && errno == ENOTSUP && strcmp(b.s, "before") == 0,
		    "unknown '%s': -1, ENOTSUP, nothing appended",
		    unknown[i]);
	}
	ok(!charset_known(NULL), "NULL name unknown");
	is_str(CONV("LATIN5", "\xfd"), "\xc4\xb1", "latin5 is ISO-8859-9");
	is_str(CONV("euc-jp", "Micha\x8f\xa9\xc8"), "Micha\xc5\x82",
	    "EUC-JP: JIS X 0212 (Micha\xc5\x82)");
	is_str(CONV("koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4"),
	    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82",
	    "KOI8-R");
	is_str(CONV("unicode-1-1-utf-7", "Hi Mom -+Jjo--!"),
	    "Hi Mom -\xe2\x98\xba-!", "UTF-7 (RFC 2152 example)");
	is_str(CONV("utf-7", "+2D3eAA-"), "\xf0\x9f\x98\x80",
	    "UTF-7: a surrogate pair");
	is_str(CONV("utf-7", "+2D0-x"), "\xef\xbf\xbdx",
	    "UTF-7: a lone surrogate is U+FFFD");
	is_str(CONV("iso-2022-jp-2", "\x1b$(D)H\x1b(B"), "\xc5\x82",
	    "ISO-2022-JP-2: JIS X 0212 by ESC $ ( D");
	is_str(CONV("l10", "\xaa"), "\xc8\x98", "l10 is ISO-8859-16");
	is_str(CONV("ISO-8859-8-I", "\xe0"), "\xd7\x90",
	    "ISO-8859-8-I is ISO-8859-8 (alef)");
	is_str(CONV("iso_8859-1:1987", "\xe9"), "\xc3\xa9",
	    "iso_8859-1:1987 is ISO-8859-1, not ISO-8859-11");
}

static void
empty(void)
{
	static const char *const cs[] = { "us-ascii", "utf-8",
	    "iso-8859-1", "iso-8859-7", "windows-1252", "iso-2022-jp",
	    "shift_jis", "cp932", "euc-jp" };
	size_t	 i;

	for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		buf_reset(&b);
		rc = charset_to_utf8(&b, cs[i], "", 0);
		ok(rc == 0 && b.len == 0, "%s: empty input, empty output",
		    cs[i]);
	}
}

static void
single_byte(void)
{
	is_str(CONV("us-ascii", "caf\xe9!"), "caf" FFFD "!",
	    "US-ASCII: 8-bit byte is U+FFFD");
	is_int(fffds(CONV("us-ascii", "\x80\xff\xe6\x97\xa5")), 5,
	    "US-ASCII: one U+FFFD per 8-bit byte");
	is_str(CONV("iso-8859-1", "caf\xe9 \xff"), "caf\xc3\xa9 \xc3\xbf",
	    "ISO-8859-1");
	is_str(CONV("iso-8859-15", "\xa4"), "\xe2\x82\xac",
	    "ISO-8859-15 0xA4 is the euro sign");
	is_str(CONV("iso-8859-2", "\xa1\xff"), "\xc4\x84\xcb\x99",
	    "ISO-8859-2");
	is_str(CONV("iso-8859-5", "\xb0"), "\xd0\x90", "ISO-8859-5");
	is_str(CONV("iso-8859-7", "a\xae" "b"), "a" FFFD "b",
	    "ISO-8859-7: 0xAE is no character");
	is_str(CONV("iso-8859-11", "\xa1\xdb"), "\xe0\xb8\x81" FFFD,
	    "ISO-8859-11: Thai, 0xDB no character");
	is_str(CONV("iso-8859-3", "\x85"), "\xc2\x85",
	    "ISO-8859-3: C1 controls kept (as the codecs)");
	is_str(CONV("windows-1252", "\x80\x93x\x94\xe9"),
	    "\xe2\x82\xac\xe2\x80\x9cx\xe2\x80\x9d\xc3\xa9", "windows-1252");
	is_str(CONV("cp1252", "\x81\x8d\x8f\x90\x9d"),
	    FFFD FFFD FFFD FFFD FFFD, "windows-1252: the five holes");
	is_str(CONV("utf-8", "a\0b"), "a", "NUL passes");
	is_int(b.len, 3, "NUL passes: length");
}

static void
utf8(void)
{
	is_str(CONV("UTF-8", NIHONGO "\xf0\x9f\x98\x80"),
	    NIHONGO "\xf0\x9f\x98\x80", "UTF-8 kept");
	is_str(CONV("utf-8", "\xe6\x97"), FFFD,
	    "UTF-8: truncated at the end, one U+FFFD");
	is_str(CONV("utf-8", "\xe6\x97" "A"), FFFD "A",
	    "UTF-8: truncated sequence does not take the next character");
	is_str(CONV("utf-8", "\xe6\x97\xe6\x97\xa5"), FFFD "\xe6\x97\xa5",
	    "UTF-8: truncated sequence before a good one");
	is_int(fffds(CONV("utf-8", "\xc0\xaf")), 2, "UTF-8: overlong");
	is_int(fffds(CONV("utf-8", "\xe0\x80\xaf")), 3,
	    "UTF-8: overlong of three bytes");
	is_int(fffds(CONV("utf-8", "\xf0\x80\x80\xaf")), 4,
	    "UTF-8: overlong of four bytes");
	is_int(fffds(CONV("utf-8", "\xed\xa0\x80")), 3, "UTF-8: surrogate");
	is_int(fffds(CONV("utf-8", "\xf4\x90\x80\x80")), 4,
	    "UTF-8: past U+10FFFF");
	is_int(fffds(CONV("utf-8", "\xf0\x9f\x98")), 1,
	    "UTF-8: 3 of 4 bytes, one U+FFFD");
	is_int(fffds(CONV("utf-8", "\x80\xbf\xfe\xff")), 4,
	    "UTF-8: stray bytes, one U+FFFD each");
}

static void
sjis(void)
{
	is_str(CONV("Shift_JIS", "\x93\xfa\x96{\x8c\xea"), NIHONGO,
	    "Shift_JIS: 日本語");
	is_str(CONV("cp932", "\x93\xfa\x96{\x8c\xea"), NIHONGO,
	    "CP932: 日本語");
	is_str(CONV("shift_jis", "\\~"), "\\~",
	    "Shift_JIS: 0x5C and 0x7E stay ASCII");
	is_str(CONV("shift_jis", "\xb1"), KANA_A, "half-width katakana");
	is_str(CONV("shift_jis", "\x87\x40"), MARU1,
	    "Shift_JIS: NEC row 13 (①)");
	is_str(CONV("windows-31j", "\x87\x40"), MARU1, "CP932: ①");
	is_str(CONV("shift_jis", "\x81\x60"), WAVE,
	    "Shift_JIS 0x8160 is WAVE DASH (as glibc SJIS)");
	is_str(CONV("cp932", "\x81\x60"), FWTILDE,
	    "CP932 0x8160 is FULLWIDTH TILDE (as glibc CP932)");
	is_str(CONV("cp932", "\x81\x5f"), "\xef\xbc\xbc",
	    "CP932 0x815F is FULLWIDTH REVERSE SOLIDUS");
	is_str(CONV("cp932", "\xfb\xfc\xee\xe0"), TAKA TAKA,
	    "CP932: IBM extension and its NEC-selected copy");
	is_str(CONV("sjis", "\xfa\x40\xfa\x4a\xfa\x55"),
	    "\xe2\x85\xb0\xe2\x85\xa0\xef\xbf\xa4",
	    "Shift_JIS: IBM extensions ⅰ Ⅰ ￤");
	is_str(CONV("cp932", "\xfc\x4b"), "\xe9\xbb\x91",
	    "CP932: the last IBM extension (黑)");
	is_str(CONV("cp932", "\xfc\x4c\xfc\x9f"), FFFD "L" FFFD,
	    "CP932: past the last one");
	is_str(CONV("cp932", "\xf0\x40\xf9\xfc"),
	    "\xee\x80\x80\xee\x9d\x97", "CP932: user-defined area is PUA");
	is_str(CONV("cp932", "\x80\xa0\xfd\xfe\xff"),
	    FFFD FFFD FFFD FFFD FFFD, "CP932: lone bad bytes");
	is_str(CONV("shift_jis", "A\x93"), "A" FFFD,
	    "truncated double-byte at the end");
	is_str(CONV("shift_jis", "\x93 x"), FFFD " x",
	    "bad trail byte (space) is kept");
	is_str(CONV("shift_jis", "\x93\x7f"), FFFD "\x7f",
	    "bad trail byte 0x7F is kept");
	is_str(CONV("shift_jis", "\x93\xfd\x93\xfa"),
	    FFFD FFFD "\xe6\x97\xa5",
	    "lead with a bad trail: the trail starts the next character");
	is_str(CONV("shift_jis", "\x85\x40"), FFFD "@",
	    "unassigned pair with an ASCII trail: the trail is kept");
	is_str(CONV("shift_jis", "\x85\x9f"), FFFD,
	    "unassigned pair: one U+FFFD");
	is_str(CONV("shift_jis", "\x81\xad"), FFFD,
	    "unassigned cell in row 2: one U+FFFD");
}

static void
eucjp(void)
{
	is_str(CONV("EUC-JP", "\xc6\xfc\xcb\xdc\xb8\xec"), NIHONGO,
	    "EUC-JP: 日本語");
	is_str(CONV("euc-jp", "\x8e\xb1"), KANA_A,
	    "EUC-JP: 0x8E half-width katakana");
	is_str(CONV("euc-jp", "\xa1\xc1"), WAVE, "EUC-JP: WAVE DASH");
	is_str(CONV("euc-jp", "\xad\xa1"), MARU1, "EUC-JP: NEC row 13");
	is_str(CONV("euc-jp", "\x8f\xb0\xa1x"), "\xe4\xb8\x82x",
	    "EUC-JP: JIS X 0212 0x8F 0xB0 0xA1 is U+4E02");
	is_str(CONV("euc-jp", "\x8f\xa2\xa1x"), FFFD "x",
	    "EUC-JP: an empty JIS X 0212 cell is one U+FFFD for 3 bytes");
	is_str(CONV("euc-jp", "\x8f\xb0"), FFFD,
	    "EUC-JP: truncated JIS X 0212");
	is_str(CONV("euc-jp", "\x8f" "A"), FFFD "A",
	    "EUC-JP: 0x8F before ASCII");
	is_str(CONV("euc-jp", "\xc6"), FFFD, "EUC-JP: truncated pair");
	is_str(CONV("euc-jp", "\xc6" "A"), FFFD "A", "EUC-JP: bad trail");
	is_str(CONV("euc-jp", "\x8e" "A\x8e\xe0"), FFFD "A" FFFD,
	    "EUC-JP: 0x8E with a bad trail");
	is_str(CONV("euc-jp", "\xa9\xa1"), FFFD,
	    "EUC-JP: empty row 9, one U+FFFD");
	is_str(CONV("euc-jp", "\x80\xa0\xff"), FFFD FFFD FFFD,
	    "EUC-JP: bytes that start nothing");
}

static void
iso2022jp(void)
{
	is_str(CONV("ISO-2022-JP", "\x1b$BF|K\\8l\x1b(B"), NIHONGO,
	    "ISO-2022-JP: 日本語");
	is_str(CONV("iso-2022-jp", "\x1b$@F|K\\8l\x1b(B"), NIHONGO,
	    "ISO-2022-JP: ESC $ @");
	is_str(CONV("iso-2022-jp", "a\x1b$BF|\nK\\\x1b(Bb"),
	    "a\xe6\x97\xa5\n\xe6\x9c\xac" "b",
	    "ISO-2022-JP: LF passes, the mode stays");
	is_str(CONV("iso-2022-jp", "\x1b(J\\~a\x1b(B\\~"),
	    "\xc2\xa5\xe2\x80\xbe" "a\\~", "ISO-2022-JP: JIS X 0201 Roman");
	is_str(CONV("iso-2022-jp", "\x1b(I1_`\x1b(B1"),
	    KANA_A "\xef\xbe\x9f" FFFD "1", "ISO-2022-JP: ESC ( I katakana");
	is_str(CONV("iso-2022-jp", "\x1b$B-!\x1b(B"), MARU1,
	    "ISO-2022-JP: NEC row 13");
	is_str(CONV("iso-2022-jp", "\x1b$BF"), FFFD,
	    "ISO-2022-JP: truncated pair at the end");
	is_str(CONV("iso-2022-jp", "\x1b$BF\n"), FFFD "\n",
	    "ISO-2022-JP: half a pair before LF");
	is_str(CONV("iso-2022-jp", "\x1b$B)!\x1b(B"), FFFD,
	    "ISO-2022-JP: empty row 9, one U+FFFD");
	is_str(CONV("iso-2022-jp", "x\x1b"), "x" FFFD,
	    "ISO-2022-JP: ESC at the end");
	is_str(CONV("iso-2022-jp", "x\x1b$"), "x" FFFD,
	    "ISO-2022-JP: ESC $ at the end, one U+FFFD");
	is_str(CONV("iso-2022-jp", "\x1b$B"), "",
	    "ISO-2022-JP: just a shift, nothing");
	is_str(CONV("iso-2022-jp", "\x1b(\nx"), FFFD "\nx",
	    "ISO-2022-JP: escape cut by LF");
	is_str(CONV("iso-2022-jp", "\x1b$BF|\x1b$(C0!\x1b(Bx"),
	    "\xe6\x97\xa5" FFFD "0!x",
	    "ISO-2022-JP: unknown escape, one U+FFFD, then ASCII");
	is_str(CONV("iso-2022-jp", "\x1b(Zabc"), FFFD "abc",
	    "ISO-2022-JP: unknown designation");
	is_str(CONV("iso-2022-jp", "\x1b\x1b$BF|"), FFFD "\xe6\x97\xa5",
	    "ISO-2022-JP: ESC ESC: the second escape still works");
	is_str(CONV("iso-2022-jp", "a\x0e" "b\x0f\xa4"),
	    "a\x0e" "b\x0f" FFFD,
	    "ISO-2022-JP: SO and SI pass as controls, 8-bit bytes do not");
}

static void
bounds(void)
{
	static const char *const cs[] = { "us-ascii", "utf-8",
	    "iso-8859-1", "iso-8859-15", "windows-1252", "iso-2022-jp",
	    "shift_jis", "cp932", "euc-jp" };
	char		*big;
	size_t		 i, n = 3000;
	struct buf	 small;

	if ((big = malloc(n)) == NULL)
		return;
	for (i = 0; i < n; i += 2) {
		big[i] = '\xc6';
		big[i + 1] = '\xfc';
	}
	CONV("euc-jp", "");
	rc = charset_to_utf8(&b, "euc-jp", big, n);
	ok(rc == 0 && b.len == n / 2 * 3 &&
	    memcmp(b.s + b.len - 3, "\xe6\x97\xa5", 3) == 0,
	    "1500 characters in EUC-JP, past the output block");
	for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		memset(big, 0xff, n);
		buf_reset(&b);
		rc = charset_to_utf8(&b, cs[i], big, n);
		ok(rc == 0 && b.len > 0 && b.len <= 3 * n,
		    "%s: 3000 bytes of 0xFF, at most 3 bytes out each", cs[i]);
	}
	free(big);
	buf_init(&small, 8);
	rc = charset_to_utf8(&small, "utf-8", "0123456789", 10);
	ok(rc == -1 && errno == ERANGE, "a full buffer fails with ERANGE");
	buf_free(&small);
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--convert") == 0)
		return filter(argv[2]);
	if (argc != 1) {
		fprintf(stderr, "usage: t_charset [--convert CHARSET]\n");
		return EX_USAGE;
	}
	buf_init(&b, 0);
	names();
	empty();
	single_byte();
	utf8();
	sjis();
	eucjp();
	iso2022jp();
	bounds();
	buf_free(&b);
	return done_testing();
}
