/*
 * Whole writes on a plain descriptor (a file, a pipe to a child), for
 * the modules that write one without core/io's buffering and deadlines;
 * and a descriptor passed over a local socket (SCM_RIGHTS), for the
 * processes that hand each other one (core/authd.c, core/remote.c).
 */
#ifndef HIKYAKU_FDIO_H
#define HIKYAKU_FDIO_H

#include <stddef.h>
#include <sys/types.h>

/* All n bytes of p to fd, through EINTR and short writes: 0, or -1 with
   errno (EPIPE: the reader is gone). */
int	fdio_write_all(int fd, const void *p, size_t n);

/* The n (> 0) bytes of p and the descriptor fd in one sendmsg on the
   local socket sock, through EINTR: 0, or -1 with errno (EMSGSIZE: a
   stream took fewer bytes). */
int	fdio_send_fd(int sock, const void *p, size_t n, int fd);

/*
 * One recvmsg of up to n bytes into p on sock, through EINTR, and the
 * one descriptor it carried, close-on-exec, in *fd: the bytes read (0:
 * end of file, nothing taken), or -1 with errno.  A message with no
 * descriptor, more than one (the others closed), or cut short (n too
 * small for a datagram, or descriptors cut) is -1 with EBADMSG, and
 * any descriptor it did carry is closed.
 */
ssize_t	fdio_recv_fd(int sock, void *p, size_t n, int *fd);

#endif
