/*
 * Growable buffer with a sticky error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void
buf_free(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->s != NULL)
		b->s[0] = '\0';
	b->err = 0;
}

static int
grow(struct buf *b, size_t n)
{
	size_t	 need, ncap;
	char	*ns;

	if (b->err)
		return -1;
	if (n > (size_t)-1 / 2 - b->len ||
	    (b->max != 0 && b->len + n > b->max)) {
		b->err = ERANGE;
		return -1;
	}
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap *= 2;
	if ((ns = realloc(b->s, ncap)) == NULL) {
		b->err = ENOMEM;
		return -1;
	}
	b->s = ns;
	b->cap = ncap;
	return 0;
}

int
buf_reserve(struct buf *b, size_t n)
{
	return grow(b, n);
}

int
buf_add(struct buf *b, const void *p, size_t n)
{
	if (grow(b, n) == -1) {
		errno = b->err;
		return -1;
	}
	if (n > 0)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

int
buf_addc(struct buf *b, int c)
{
	char	ch = (char)c;

	return buf_add(b, &ch, 1);
}

int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list	 ap2;
	int	 n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		b->err = EINVAL;
		return -1;
	}
	if (grow(b, (size_t)n) == -1) {
		errno = b->err;
		return -1;
	}
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

const char *
buf_str(const struct buf *b)
{
	return b->s != NULL ? b->s : "";
}
