/*
 * Whole writes on a plain descriptor (a file, a pipe to a child), for
 * the modules that write one without core/io's buffering and deadlines.
 */
#ifndef HIKYAKU_FDIO_H
#define HIKYAKU_FDIO_H

#include <stddef.h>

/* All n bytes of p to fd, through EINTR and short writes: 0, or -1 with
   errno (EPIPE: the reader is gone). */
int	fdio_write_all(int fd, const void *p, size_t n);

#endif
