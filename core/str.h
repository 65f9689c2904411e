/*
 * Small string helpers shared by the modules.
 */
#ifndef HIKYAKU_STR_H
#define HIKYAKU_STR_H

/* Replace the malloc'd string *dst with a copy of v.  0, or -1 (ENOMEM)
   with *dst unchanged. */
int	str_set(char **dst, const char *v);

/* Lower-case s in place (ASCII only); returns s. */
char	*str_lower(char *s);

#endif
