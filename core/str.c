/*
 * Small string helpers.
 */
#include <stdlib.h>
#include <string.h>

#include "str.h"

int
str_set(char **dst, const char *v)
{
	char	*s;

	if ((s = strdup(v)) == NULL)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

char *
str_lower(char *s)
{
	for (char *p = s; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}
