/*
 * Small string helpers shared by the modules.
 */
#ifndef HIKYAKU_STR_H
#define HIKYAKU_STR_H

#include <stddef.h>

/* Replace the malloc'd string *dst with a copy of v.  0, or -1 (ENOMEM)
   with *dst unchanged. */
int	str_set(char **dst, const char *v);

/* The one way a module reports a failure: the reason, formatted, into
   the caller's buffer, errno set to e; returns -1. */
int	str_fail(char *why, size_t len, int e, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

/* Lower-case s in place (ASCII only); returns s. */
char	*str_lower(char *s);

#endif
