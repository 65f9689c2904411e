/*
 * bcrypt against hashes made by another implementation (libxcrypt,
 * through Python's crypt module, when these were written), and the
 * settings it must refuse.
 */
#include <string.h>

#include "tap.h"
#include "bcrypt.h"

static void
vector(const char *key, const char *want, const char *what)
{
	char	 out[BCRYPT_LEN + 1];

	ok(bcrypt_hash(key, want, out) == 0 && strcmp(out, want) == 0,
	    "%s", what);
}

static void
refused(const char *setting, const char *what)
{
	char	 out[BCRYPT_LEN + 1];

	ok(bcrypt_hash("x", setting, out) == -1, "refused: %s", what);
}

int
main(void)
{
	vector("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC."
	    "E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "$2a$, the classic U*U");
	vector("", "$2a$05$CCCCCCCCCCCCCCCCCCCCC."
	    "7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy", "an empty key");
	vector("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789chars after 72 are ignored", "$2b$05$abcdefghijklmnopqrstuu"
	    "5s2v8.iXieOjg/.AySBTTZIIVFJeBui", "$2b$, a key over 72 bytes");
	vector("\xc3\xbf\xc2\xa3", "$2y$05$/OK.fbVrR/bpIqNJ5ianF."
	    "4Ct.Zje1bKMhQv8WPqdLb9AWQiL9yOi", "$2y$, 8-bit bytes");
	refused("$2b$03$abcdefghijklmnopqrstuu", "cost 3");
	refused("$2b$32$abcdefghijklmnopqrstuu", "cost 32");
	refused("$2x$05$abcdefghijklmnopqrstuu", "$2x$ (the buggy variant)");
	refused("$2b$05$abcdefghijklmnopqrst!u", "a salt character outside ./A-Za-z0-9");
	refused("$2b$05$abcdefghij", "a short salt");
	refused("$6$abcdefghijklmnopqrstuvwxyzabcdefghij", "not bcrypt");
	return done_testing();
}
