/*
 * Random bytes for Message-IDs, MIME boundaries and queue IDs: BearSSL's
 * HMAC-DRBG, seeded from the kernel (getrandom) once per process.
 */
#ifndef HIKYAKU_RAND_H
#define HIKYAKU_RAND_H

#include <stddef.h>
#include <stdint.h>

void		rand_bytes(void *out, size_t n);
uint32_t	rand_u32(void);
/* n characters of [0-9A-Za-z], NUL-terminated (out has n + 1 bytes). */
void		rand_token(char *out, size_t n);

#endif
