/*
 * bcrypt (Provos and Mazieres, 1999), the $2a$, $2b$ and $2y$ hashes of
 * OpenBSD, libxcrypt and musl's crypt(3), for password checks.
 */
#ifndef HIKYAKU_BCRYPT_H
#define HIKYAKU_BCRYPT_H

#include <stddef.h>

#define BCRYPT_LEN	60	/* "$2b$NN$" + 22 salt + 31 hash */

/*
 * Hash key with setting ("$2b$12$" and 22 salt characters, or a whole
 * hash, whose first 29 characters are taken) into out (BCRYPT_LEN + 1
 * bytes): the setting's 29 characters then the 31 of the hash.  At
 * most 72 bytes of key count, its NUL included, as in $2b$ ($2a$ and
 * $2y$ are taken the same way).  0, or -1 for a malformed setting or a
 * cost outside 4..31.
 */
int	bcrypt_hash(const char *key, const char *setting, char *out);

#endif
