/*
 * Password checks against crypt(3)-style hashes.  sha512-crypt and
 * sha256-crypt are Ulrich Drepper's "Unix crypt using SHA-256 and
 * SHA-512" (the specification glibc, libxcrypt and musl follow), built
 * here on BearSSL's hashes: Debian's musl was built without crypt(3).
 * bcrypt is core/bcrypt.c.
 */
#include <sys/stat.h>

#include <bearssl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "bcrypt.h"
#include "limits.h"

enum kind { K_BAD, K_LOCKED, K_SHA512, K_SHA256, K_BCRYPT };

#define SHA_SALT_MAX	16
#define SHA_ROUNDS_DEF	5000
#define SHA_ROUNDS_MIN	1000
#define SHA_ROUNDS_MAX	999999999UL
#define CRYPT_OUT	128	/* "$6$rounds=999999999$" + salt + '$' + 86 */

static const char b64[] =
    "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* Used for an unknown user when the file has no hash of its own. */
static const char dummy_default[] = "$6$hikyakudummysalt$"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000";

static int
is_b64(int ch)
{
	return ch != '\0' && strchr(b64, ch) != NULL;
}

/* n characters of the crypt alphabet, then the end of s. */
static int
b64_tail(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!is_b64((unsigned char)s[i]))
			return 0;
	return s[n] == '\0';
}

/*
 * A sha-crypt hash exactly as crypt would write it back: an optional
 * rounds=N$ (in range, no leading zero), a salt of 1..16 characters,
 * '$' and the digest.  Anything else could never match.
 */
static int
sha_form(const char *p, size_t digest_chars)
{
	size_t	 n;

	if (strncmp(p, "rounds=", 7) == 0) {
		p += 7;
		n = strspn(p, "0123456789");
		if (n == 0 || n > 9 || p[0] == '0' || p[n] != '$' ||
		    strtoul(p, NULL, 10) < SHA_ROUNDS_MIN)
			return 0;
		p += n + 1;
	}
	for (n = 0; is_b64((unsigned char)p[n]); n++)
		;
	if (n == 0 || n > SHA_SALT_MAX || p[n] != '$')
		return 0;
	return b64_tail(p + n + 1, digest_chars);
}

static enum kind
hash_kind(const char *h)
{
	if (h[0] == '*' || h[0] == '!')
		return K_LOCKED;
	if (strncmp(h, "$6$", 3) == 0)
		return sha_form(h + 3, 86) ? K_SHA512 : K_BAD;
	if (strncmp(h, "$5$", 3) == 0)
		return sha_form(h + 3, 43) ? K_SHA256 : K_BAD;
	/* $2b$NN$ with a cost of 04..31, 22 salt and 31 hash characters */
	if (h[0] == '$' && h[1] == '2' && strchr("aby", h[2]) != NULL &&
	    h[2] != '\0' && h[3] == '$' && h[4] >= '0' && h[4] <= '3' &&
	    h[5] >= '0' && h[5] <= '9' && h[6] == '$' &&
	    (h[4] - '0') * 10 + (h[5] - '0') >= 4 &&
	    (h[4] - '0') * 10 + (h[5] - '0') <= 31 && b64_tail(h + 7, 53))
		return K_BCRYPT;
	return K_BAD;
}

static void
put64(char **p, unsigned b2, unsigned b1, unsigned b0, int n)
{
	unsigned long	 w = ((unsigned long)b2 << 16) | (b1 << 8) | b0;

	while (n-- > 0) {
		*(*p)++ = b64[w & 0x3f];
		w >>= 6;
	}
}

/* The digest's bytes in the order the specification writes them. */
static const unsigned char order512[] = {
	0, 21, 42, 22, 43, 1, 44, 2, 23, 3, 24, 45, 25, 46, 4, 47, 5, 26,
	6, 27, 48, 28, 49, 7, 50, 8, 29, 9, 30, 51, 31, 52, 10, 53, 11, 32,
	12, 33, 54, 34, 55, 13, 56, 14, 35, 15, 36, 57, 37, 58, 16, 59, 17,
	38, 18, 39, 60, 40, 61, 19, 62, 20, 41
};
static const unsigned char order256[] = {
	0, 10, 20, 21, 1, 11, 12, 22, 2, 3, 13, 23, 24, 4, 14, 15, 25, 5,
	6, 16, 26, 27, 7, 17, 18, 28, 8, 9, 19, 29
};

static void
encode(char *p, const unsigned char *d, int sha512)
{
	const unsigned char	*o = sha512 ? order512 : order256;
	size_t			 i, n = sha512 ? sizeof(order512) :
				    sizeof(order256);

	for (i = 0; i < n; i += 3)
		put64(&p, d[o[i]], d[o[i + 1]], d[o[i + 2]], 4);
	if (sha512)
		put64(&p, 0, 0, d[63], 2);
	else
		put64(&p, 0, d[31], d[30], 3);
	*p = '\0';
}

/* ctx += the hlen-byte block b repeated to n bytes */
static void
add_repeated(const br_hash_class **ctx, const unsigned char *b,
    size_t hlen, size_t n)
{
	for (; n > hlen; n -= hlen)
		(*ctx)->update(ctx, b, hlen);
	(*ctx)->update(ctx, b, n);
}

/* One digest of data repeated times: the specification's DP and DS. */
static void
digest_repeat(const br_hash_class *h, const void *data, size_t len,
    size_t times, unsigned char *out)
{
	br_hash_compat_context	 c;

	h->init(&c.vtable);
	while (times-- > 0)
		c.vtable->update(&c.vtable, data, len);
	c.vtable->out(&c.vtable, out);
}

/*
 * sha-crypt of key with the setting (a well-formed stored hash) into
 * out (CRYPT_OUT bytes).  Steps numbered as in the specification.
 */
static void
sha_crypt(const char *key, const char *setting, int sha512, char *out)
{
	const br_hash_class	*h = sha512 ? &br_sha512_vtable :
				    &br_sha256_vtable;
	br_hash_compat_context	 c;
	unsigned char		 a[64], b[64], dp[64], ds[64];
	const char		*salt = setting + 3;
	size_t			 klen = strlen(key), slen, hlen, n;
	unsigned long		 rounds = SHA_ROUNDS_DEF, r;
	int			 explicit_rounds = 0;

	hlen = sha512 ? 64 : 32;
	if (strncmp(salt, "rounds=", 7) == 0) {
		rounds = strtoul(salt + 7, NULL, 10);
		if (rounds > SHA_ROUNDS_MAX)
			rounds = SHA_ROUNDS_MAX;
		explicit_rounds = 1;
		salt = strchr(salt, '$') + 1;
	}
	slen = strcspn(salt, "$");
	if (slen > SHA_SALT_MAX)
		slen = SHA_SALT_MAX;
	/* B = H(key salt key) */
	h->init(&c.vtable);
	c.vtable->update(&c.vtable, key, klen);
	c.vtable->update(&c.vtable, salt, slen);
	c.vtable->update(&c.vtable, key, klen);
	c.vtable->out(&c.vtable, b);
	/* A = H(key salt B-repeated-to-klen, then B or key per bit) */
	h->init(&c.vtable);
	c.vtable->update(&c.vtable, key, klen);
	c.vtable->update(&c.vtable, salt, slen);
	add_repeated(&c.vtable, b, hlen, klen);
	for (n = klen; n > 0; n >>= 1) {
		if (n & 1)
			c.vtable->update(&c.vtable, b, hlen);
		else
			c.vtable->update(&c.vtable, key, klen);
	}
	c.vtable->out(&c.vtable, a);
	digest_repeat(h, key, klen, klen, dp);
	digest_repeat(h, salt, slen, 16 + (size_t)a[0], ds);
	/* P and S are DP and DS repeated to klen and slen bytes */
	for (r = 0; r < rounds; r++) {
		h->init(&c.vtable);
		if (r & 1)
			add_repeated(&c.vtable, dp, hlen, klen);
		else
			c.vtable->update(&c.vtable, a, hlen);
		if (r % 3 != 0)
			add_repeated(&c.vtable, ds, hlen, slen);
		if (r % 7 != 0)
			add_repeated(&c.vtable, dp, hlen, klen);
		if (r & 1)
			c.vtable->update(&c.vtable, a, hlen);
		else
			add_repeated(&c.vtable, dp, hlen, klen);
		c.vtable->out(&c.vtable, a);
	}
	if (explicit_rounds)
		n = (size_t)snprintf(out, CRYPT_OUT, "$%c$rounds=%lu$%.*s$",
		    sha512 ? '6' : '5', rounds, (int)slen, salt);
	else
		n = (size_t)snprintf(out, CRYPT_OUT, "$%c$%.*s$",
		    sha512 ? '6' : '5', (int)slen, salt);
	encode(out + n, a, sha512);
	explicit_bzero(a, sizeof(a));
	explicit_bzero(b, sizeof(b));
	explicit_bzero(dp, sizeof(dp));
	explicit_bzero(&c, sizeof(c));
}

/* Equal strings, in a time that depends on their lengths only. */
static int
ct_equal(const char *x, const char *y)
{
	size_t		 lx = strlen(x), ly = strlen(y), n, i;
	unsigned	 d = lx != ly;

	n = lx > ly ? lx : ly;
	for (i = 0; i < n; i++)
		d |= (unsigned char)(i < lx ? x[i] : 0) ^
		    (unsigned char)(i < ly ? y[i] : 0);
	return d == 0;
}

/* 1 when pass hashes to stored (sha-crypt or bcrypt), else 0. */
static int
verify(const char *pass, const char *stored, enum kind k)
{
	char	 out[CRYPT_OUT];
	int	 r;

	if (k == K_BCRYPT) {
		if (bcrypt_hash(pass, stored, out) == -1)
			return 0;
	} else
		sha_crypt(pass, stored, k == K_SHA512, out);
	r = ct_equal(out, stored);
	explicit_bzero(out, sizeof(out));
	return r;
}

/*
 * Open file for reading only if it is a regular file (no symbolic
 * link, no FIFO to hang on) owned by root or us, and not open to
 * others: -1 with err otherwise.
 */
static FILE *
open_safe(const char *file, char *err, size_t errlen)
{
	struct stat	 st;
	FILE		*fp;
	int		 fd, saved;

	fd = open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		saved = errno;
		snprintf(err, errlen, "%s: %s", file, saved == ELOOP ?
		    "is a symbolic link" : strerror(saved));
		errno = saved;
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", file);
		errno = EINVAL;
		goto fail;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s: owned by uid %lu, not root",
		    file, (unsigned long)st.st_uid);
		errno = EPERM;
		goto fail;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH | S_IROTH)) {
		snprintf(err, errlen, "%s: mode %03o: readable by others or "
		    "writable by group or others", file,
		    (unsigned)(st.st_mode & 0777));
		errno = EPERM;
		goto fail;
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		goto fail;
	}
	return fp;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return NULL;
}

struct scan {
	const char	*file;
	const char	*user;
	int		 shadow;	/* shadow(5) rules, else auth_users */
	int		 found;		/* line of user's entry, or 0 */
	char		 hash[LIM_PW_LINE + 1];	/* user's hash */
	char		 dummy[CRYPT_OUT];	/* the file's first hash */
};

/* One line, without its newline.  -1 (with err) if it is malformed. */
static int
scan_line(struct scan *s, char *line, int lineno, char *err, size_t errlen)
{
	char		*colon, *hash;
	size_t		 ulen;
	enum kind	 k;

	if ((colon = strchr(line, ':')) == NULL) {
		snprintf(err, errlen, "%s:%d: no colon", s->file, lineno);
		return -1;
	}
	*colon = '\0';
	hash = colon + 1;
	if ((ulen = strlen(line)) == 0) {
		snprintf(err, errlen, "%s:%d: empty user", s->file, lineno);
		return -1;
	}
	if (s->shadow)
		hash[strcspn(hash, ":")] = '\0';
	k = hash_kind(hash);
	if (ulen > LIM_USER) {
		if (s->shadow)
			return 0;	/* nobody we would ask about */
		snprintf(err, errlen, "%s:%d: user over %d bytes", s->file,
		    lineno, LIM_USER);
		return -1;
	}
	if (k == K_BAD && !s->shadow) {
		snprintf(err, errlen, "%s:%d: the hash of %s is not "
		    "sha512-crypt, sha256-crypt or bcrypt", s->file, lineno,
		    line);
		return -1;
	}
	if (k != K_BAD && k != K_LOCKED && s->dummy[0] == '\0' &&
	    strlen(hash) < sizeof(s->dummy))
		memcpy(s->dummy, hash, strlen(hash) + 1);
	if (strcmp(line, s->user) != 0)
		return 0;
	if (s->found != 0) {
		if (s->shadow)
			return 0;	/* the first counts, as getspnam */
		snprintf(err, errlen, "%s:%d: user %s again (line %d)",
		    s->file, lineno, line, s->found);
		return -1;
	}
	s->found = lineno;
	memcpy(s->hash, hash, strlen(hash) + 1);
	return 0;
}

/* The whole file, always, wherever the user is in it. */
static int
scan_file(struct scan *s, char *err, size_t errlen)
{
	FILE	*fp;
	char	 line[LIM_PW_LINE + 2];	/* the line, '\n', NUL */
	size_t	 n;
	int	 lineno = 0, r = 0;

	if ((fp = open_safe(s->file, err, errlen)) == NULL)
		return -1;
	while (r == 0 && fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (n > LIM_PW_LINE) {
			snprintf(err, errlen, "%s:%d: line over %d bytes",
			    s->file, lineno, LIM_PW_LINE);
			r = -1;
			break;
		}
		if (strlen(line) != n) {
			snprintf(err, errlen, "%s:%d: NUL in line", s->file,
			    lineno);
			r = -1;
		} else if (n > 0 && line[0] != '#')
			r = scan_line(s, line, lineno, err, errlen);
	}
	if (r == 0 && ferror(fp)) {
		snprintf(err, errlen, "%s: %s", s->file, strerror(errno));
		r = -1;
	}
	fclose(fp);
	explicit_bzero(line, sizeof(line));
	return r;
}

static int
check(struct scan *s, const char *pass, char *err, size_t errlen)
{
	enum kind	 k;
	int		 r;

	err[0] = '\0';
	if (strlen(pass) > LIM_PASS)
		return 0;
	if (scan_file(s, err, errlen) == -1)
		return -1;
	k = s->found ? hash_kind(s->hash) : K_BAD;
	if (k == K_SHA512 || k == K_SHA256 || k == K_BCRYPT) {
		r = verify(pass, s->hash, k);
		explicit_bzero(s->hash, sizeof(s->hash));
		return r;
	}
	/* unknown, locked or never matching: the same work all the same */
	if (s->dummy[0] == '\0')
		memcpy(s->dummy, dummy_default, sizeof(dummy_default));
	(void)verify(pass, s->dummy, hash_kind(s->dummy));
	if (s->found == 0)
		return 0;
	if (k == K_LOCKED)
		snprintf(err, errlen, "%s:%d: %s is locked", s->file,
		    s->found, s->user);
	else if (s->hash[0] == '\0')
		snprintf(err, errlen, "%s:%d: %s has no password", s->file,
		    s->found, s->user);
	else
		snprintf(err, errlen, "%s:%d: the hash of %s is of a kind "
		    "not checked here", s->file, s->found, s->user);
	return 0;
}

static int
check_file(const char *file, int shadow, const char *user,
    const char *pass, char *err, size_t errlen)
{
	struct scan	*s;
	int		 r;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	s->file = file;
	s->user = user;
	s->shadow = shadow;
	r = check(s, pass, err, errlen);
	explicit_bzero(s, sizeof(*s));
	free(s);
	return r;
}

int
auth_check(const char *file, const char *user, const char *pass,
    char *err, size_t errlen)
{
	return check_file(file, 0, user, pass, err, errlen);
}

int
auth_check_shadow(const char *file, const char *user, const char *pass,
    char *err, size_t errlen)
{
	return check_file(file, 1, user, pass, err, errlen);
}
