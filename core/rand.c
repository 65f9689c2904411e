/*
 * Random bytes from BearSSL's HMAC-DRBG (SHA-256).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <bearssl.h>

#include "rand.h"

static br_hmac_drbg_context drbg;
static pid_t seeded_pid;

static void
seed(void)
{
	unsigned char	 s[32];
	size_t		 got = 0;
	ssize_t		 n;
	struct {
		pid_t		 pid;
		struct timespec	 ts;
	} extra;

	while (got < sizeof(s)) {
		n = getrandom(s + got, sizeof(s) - got, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			abort();	/* no kernel randomness: never guess */
		got += (size_t)n;
	}
	br_hmac_drbg_init(&drbg, &br_sha256_vtable, s, sizeof(s));
	/* a forked child must not repeat its parent's stream */
	extra.pid = getpid();
	clock_gettime(CLOCK_REALTIME, &extra.ts);
	br_hmac_drbg_update(&drbg, &extra, sizeof(extra));
	seeded_pid = extra.pid;
}

void
rand_bytes(void *out, size_t n)
{
	if (seeded_pid != getpid())
		seed();
	br_hmac_drbg_generate(&drbg, out, n);
}

uint32_t
rand_u32(void)
{
	uint32_t	 v;

	rand_bytes(&v, sizeof(v));
	return v;
}

void
rand_token(char *out, size_t n)
{
	static const char abc[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	unsigned char	 r;

	for (size_t i = 0; i < n; i++) {
		do
			rand_bytes(&r, 1);
		while (r >= 248);	/* 248 = 4 * 62: no modulo bias */
		out[i] = abc[r % 62];
	}
	out[n] = '\0';
}
