/*
 * A growable byte buffer with a sticky error, as BearSSL keeps its
 * errors: append freely, check buf_failed() once at the end.
 */
#ifndef HIKYAKU_BUF_H
#define HIKYAKU_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*s;		/* always NUL-terminated when len > 0 or cap > 0 */
	size_t	 len;
	size_t	 cap;
	size_t	 max;		/* 0: no limit; else appends past it fail */
	int	 err;		/* 0, ENOMEM or ERANGE; sticky */
};

void	buf_init(struct buf *b, size_t max);
void	buf_free(struct buf *b);
void	buf_reset(struct buf *b);
int	buf_add(struct buf *b, const void *p, size_t n);
/* Room for n more bytes now (fewer copies when the size is known). */
int	buf_reserve(struct buf *b, size_t n);
int	buf_addc(struct buf *b, int c);
int	buf_adds(struct buf *b, const char *s);
int	buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
const char *buf_str(const struct buf *b);	/* "" when empty */
#define buf_failed(b)	((b)->err != 0)

#endif
