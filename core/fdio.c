/*
 * Whole writes on a descriptor, and descriptors over a local socket:
 * see fdio.h.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "fdio.h"

int
fdio_write_all(int fd, const void *p, size_t n)
{
	const char	*s = p;
	ssize_t		 w;

	while (n > 0) {
		if ((w = write(fd, s, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int
fdio_send_fd(int sock, const void *p, size_t n, int fd)
{
	union {
		struct cmsghdr	 h;
		char		 buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec	 iov = { (void *)p, n };
	struct msghdr	 mh;
	struct cmsghdr	*cm;
	ssize_t		 r;

	memset(&mh, 0, sizeof(mh));
	memset(&u, 0, sizeof(u));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	do
		r = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (r == -1 && errno == EINTR);
	if (r == -1)
		return -1;
	if ((size_t)r != n)
		return errno = EMSGSIZE, -1;
	return 0;
}

/* The one descriptor mh carries, or -1 (none; or several: all closed). */
static int
take_fd(struct msghdr *mh)
{
	struct cmsghdr	*cm;
	int		 fd = -1, k, one;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		k = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (int i = 0; i < k; i++) {
			memcpy(&one, CMSG_DATA(cm) + i * sizeof(int),
			    sizeof(int));
			if (fd == -1)
				fd = one;
			else {
				close(one);
				if (fd >= 0)
					close(fd);
				fd = -2;	/* more than one: refused */
			}
		}
	}
	return fd;
}

ssize_t
fdio_recv_fd(int sock, void *p, size_t n, int *fd)
{
	union {
		struct cmsghdr	 h;
		char		 buf[CMSG_SPACE(4 * sizeof(int))];
	} u;
	struct iovec	 iov = { p, n };
	struct msghdr	 mh;
	ssize_t		 r;

	*fd = -1;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	do
		r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (r == -1 && errno == EINTR);
	if (r <= 0)
		return r;
	*fd = take_fd(&mh);
	if (*fd >= 0 && !(mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		return r;
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	errno = EBADMSG;
	return -1;
}
