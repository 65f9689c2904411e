/*
 * bcrypt: the expensive key schedule of Blowfish ("EksBlowfish"), then
 * "OrpheanBeholderScryDoubt" enciphered 64 times.  The initial state is
 * pi's fraction (core/bcrypt_tables.h, made by scripts/gen-bcrypt-tables).
 * Its base-64 is not crypt's: "./A-Za-z0-9", most significant bits first.
 */
#include <stdint.h>
#include <string.h>

#include "bcrypt.h"
#include "bcrypt_tables.h"

#define KEY_MAX		72

struct bf {
	uint32_t	 p[18];
	uint32_t	 s[4][256];
};

static const char code[] =
    "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

static uint32_t
f(const struct bf *c, uint32_t x)
{
	return ((c->s[0][x >> 24] + c->s[1][(x >> 16) & 0xff]) ^
	    c->s[2][(x >> 8) & 0xff]) + c->s[3][x & 0xff];
}

static void
encipher(const struct bf *c, uint32_t *xl, uint32_t *xr)
{
	uint32_t	 l = *xl ^ c->p[0], r = *xr;

	for (int i = 1; i <= 16; i += 2) {
		r ^= f(c, l) ^ c->p[i];
		l ^= f(c, r) ^ c->p[i + 1];
	}
	*xl = r ^ c->p[17];
	*xr = l;
}

/* The next 4 bytes of d (n long, read round and round), big-endian. */
static uint32_t
word(const unsigned char *d, size_t n, size_t *j)
{
	uint32_t	 w = 0;

	for (int i = 0; i < 4; i++, (*j)++) {
		if (*j >= n)
			*j = 0;
		w = (w << 8) | d[*j];
	}
	return w;
}

/* One step of the schedule: the running block, XORed with the next 8
   bytes of data (unless there is none), enciphered into dst[0..1]. */
static void
step(const struct bf *c, const unsigned char *data, size_t dn, size_t *k,
    uint32_t lr[2], uint32_t *dst)
{
	if (data != NULL) {
		lr[0] ^= word(data, dn, k);
		lr[1] ^= word(data, dn, k);
	}
	encipher(c, &lr[0], &lr[1]);
	dst[0] = lr[0];
	dst[1] = lr[1];
}

/* The key into P; then P and S replaced, pair by pair, by the running
   block's encipherments (data NULL: the schedule without a salt). */
static void
expand(struct bf *c, const unsigned char *data, size_t dn,
    const unsigned char *key, size_t kn)
{
	uint32_t	 lr[2] = { 0, 0 };
	size_t		 j = 0, k = 0;

	for (int i = 0; i < 18; i++)
		c->p[i] ^= word(key, kn, &j);
	for (int i = 0; i < 18; i += 2)
		step(c, data, dn, &k, lr, &c->p[i]);
	for (int b = 0; b < 4; b++)
		for (int i = 0; i < 256; i += 2)
			step(c, data, dn, &k, lr, &c->s[b][i]);
}

static void
encode(char *out, const unsigned char *d, size_t n)
{
	const unsigned char	*end = d + n;
	unsigned		 c1, c2;

	while (d < end) {
		c1 = *d++;
		*out++ = code[c1 >> 2];
		c1 = (c1 & 0x03) << 4;
		if (d >= end) {
			*out++ = code[c1];
			break;
		}
		c2 = *d++;
		*out++ = code[c1 | c2 >> 4];
		c1 = (c2 & 0x0f) << 2;
		if (d >= end) {
			*out++ = code[c1];
			break;
		}
		c2 = *d++;
		*out++ = code[c1 | c2 >> 6];
		*out++ = code[c2 & 0x3f];
	}
	*out = '\0';
}

static int
value(char ch)
{
	const char	*p = ch != '\0' ? strchr(code, ch) : NULL;

	return p != NULL ? (int)(p - code) : -1;
}

/* 22 characters into the 16 bytes of the salt. */
static int
decode_salt(const char *s, unsigned char salt[16])
{
	int	 v[24] = { 0 }, n = 0;

	for (int i = 0; i < 22; i++)
		if ((v[i] = value(s[i])) == -1)
			return -1;
	for (int i = 0; n < 16; i += 4) {
		salt[n++] = (unsigned char)(v[i] << 2 | v[i + 1] >> 4);
		if (n < 16)
			salt[n++] = (unsigned char)(v[i + 1] << 4 | v[i + 2] >> 2);
		if (n < 16)
			salt[n++] = (unsigned char)(v[i + 2] << 6 | v[i + 3]);
	}
	return 0;
}

int
bcrypt_hash(const char *key, const char *setting, char *out)
{
	static const char	 magic[] = "OrpheanBeholderScryDoubt";
	struct bf		 c;
	unsigned char		 salt[16], ct[24];
	uint32_t		 cd[6];
	size_t			 kn = strlen(key) + 1, j = 0;
	unsigned long		 rounds;
	int			 cost;

	if (setting[0] != '$' || setting[1] != '2' || setting[2] == '\0' ||
	    strchr("aby", setting[2]) == NULL || setting[3] != '$' ||
	    setting[4] < '0' || setting[4] > '3' || setting[5] < '0' ||
	    setting[5] > '9' || setting[6] != '$' ||
	    strlen(setting) < 29 || decode_salt(setting + 7, salt) == -1)
		return -1;
	cost = (setting[4] - '0') * 10 + (setting[5] - '0');
	if (cost < 4 || cost > 31)
		return -1;
	if (kn > KEY_MAX)
		kn = KEY_MAX;
	memcpy(c.p, bf_init_p, sizeof(c.p));
	memcpy(c.s, bf_init_s, sizeof(c.s));
	expand(&c, salt, sizeof(salt), (const unsigned char *)key, kn);
	for (rounds = 1UL << cost; rounds > 0; rounds--) {
		expand(&c, NULL, 0, (const unsigned char *)key, kn);
		expand(&c, NULL, 0, salt, sizeof(salt));
	}
	for (int i = 0; i < 6; i++)
		cd[i] = word((const unsigned char *)magic, 24, &j);
	for (int k = 0; k < 64; k++)
		for (int i = 0; i < 6; i += 2)
			encipher(&c, &cd[i], &cd[i + 1]);
	for (int i = 0; i < 6; i++) {
		ct[4 * i] = (unsigned char)(cd[i] >> 24);
		ct[4 * i + 1] = (unsigned char)(cd[i] >> 16);
		ct[4 * i + 2] = (unsigned char)(cd[i] >> 8);
		ct[4 * i + 3] = (unsigned char)cd[i];
	}
	memcpy(out, setting, 29);
	encode(out + 29, ct, 23);
	explicit_bzero(&c, sizeof(c));
	explicit_bzero(cd, sizeof(cd));
	return 0;
}
