/*
 * The password checker process and its client (see authd.h).  The
 * request is parsed with the care of a privileged program: one datagram
 * of a bounded size, exactly two NUL-terminated fields, exactly one
 * descriptor; anything else is dropped without an answer.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "authd.h"
#include "limits.h"
#include "log.h"

#define REQ_MAX		(LIM_USER + 1 + LIM_PASS + 1)

/* The one descriptor a request carries, or -1 (any others closed). */
static int
take_fd(struct msghdr *mh)
{
	struct cmsghdr	*cm;
	int		 fd = -1, n, *fds;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		fds = (int *)(void *)CMSG_DATA(cm);
		for (int i = 0; i < n; i++) {
			if (fd == -1)
				fd = fds[i];
			else {
				close(fds[i]);
				fd = -2;	/* more than one: refused */
			}
		}
	}
	return fd;
}

/* 1, 0 or -1 for "user\0pass\0" in req[0..n), the reason in why. */
static int
check(const struct conf *c, const char *req, size_t n, char *why,
    size_t len)
{
	const char	*user = req, *pass, *end;

	if ((end = memchr(req, '\0', n)) == NULL)
		return -2;
	pass = end + 1;
	if ((size_t)(pass - req) >= n ||
	    memchr(pass, '\0', n - (size_t)(pass - req)) != req + n - 1)
		return -2;
	if (strcmp(c->auth_users, "shadow") == 0)
		return auth_check_shadow(AUTH_SHADOW, user, pass, why, len);
	return auth_check(c->auth_users, user, pass, why, len);
}

void
authd_serve(const struct conf *c, int sock)
{
	char		 req[REQ_MAX + 1], why[LIM_ERR];
	char		 cbuf[CMSG_SPACE(4 * sizeof(int))];
	struct iovec	 iov;
	struct msghdr	 mh;
	ssize_t		 n;
	int		 fd, r;
	char		 a;

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = req;
		iov.iov_len = sizeof(req);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		if ((n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC)) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("auth: cannot read a request: %s",
			    strerror(errno));
			return;
		}
		if (n == 0)
			return;
		fd = take_fd(&mh);
		if (fd < 0 || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
		    n > REQ_MAX) {
			if (fd >= 0)
				close(fd);
			log_warn("auth: a malformed request, dropped");
			continue;
		}
		why[0] = '\0';
		if ((r = check(c, req, (size_t)n, why, sizeof(why))) == -2) {
			close(fd);
			log_warn("auth: a malformed request, dropped");
			continue;
		}
		if (why[0] != '\0')
			log_warn("auth: %s", why);
		a = r == 1 ? '1' : r == 0 ? '0' : '-';
		(void)!send(fd, &a, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		explicit_bzero(req, sizeof(req));
	}
}

int
authd_check(int sock, const char *user, const char *pass, int timeout_ms)
{
	char		 req[REQ_MAX], cbuf[CMSG_SPACE(sizeof(int))], a;
	size_t		 ul = strlen(user), pl = strlen(pass);
	struct iovec	 iov;
	struct msghdr	 mh;
	struct cmsghdr	*cm;
	struct pollfd	 pfd;
	int		 sp[2], r = -1;

	/* no such name can be in the file, no such password checked */
	if (ul == 0 || ul > LIM_USER || pl > LIM_PASS)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == -1)
		return -1;
	memcpy(req, user, ul + 1);
	memcpy(req + ul + 1, pass, pl + 1);
	memset(&mh, 0, sizeof(mh));
	memset(cbuf, 0, sizeof(cbuf));
	iov.iov_base = req;
	iov.iov_len = ul + pl + 2;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &sp[1], sizeof(int));
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) == -1)
		goto done;
	close(sp[1]);
	sp[1] = -1;
	pfd.fd = sp[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, timeout_ms) == 1 && recv(sp[0], &a, 1, 0) == 1)
		r = a == '1' ? 1 : a == '0' ? 0 : -1;
done:
	explicit_bzero(req, sizeof(req));
	close(sp[0]);
	if (sp[1] != -1)
		close(sp[1]);
	return r;
}
