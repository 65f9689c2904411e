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
#include "fdio.h"
#include "limits.h"
#include "log.h"

#define REQ_MAX		(LIM_USER + 1 + LIM_PASS + 1)

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
	ssize_t		 n;
	int		 fd, r;
	char		 a;

	for (;;) {
		if ((n = fdio_recv_fd(sock, req, sizeof(req), &fd)) == -1 &&
		    errno != EBADMSG) {
			log_warn("auth: cannot read a request: %s",
			    strerror(errno));
			return;
		}
		if (n == 0)
			return;
		if (n == -1 || n > REQ_MAX) {
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
	char		 req[REQ_MAX], a;
	size_t		 ul = strlen(user), pl = strlen(pass);
	struct pollfd	 pfd;
	int		 sp[2], r = -1;

	/* no such name can be in the file, no such password checked */
	if (ul == 0 || ul > LIM_USER || pl > LIM_PASS)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == -1)
		return -1;
	memcpy(req, user, ul + 1);
	memcpy(req + ul + 1, pass, pl + 1);
	if (fdio_send_fd(sock, req, ul + pl + 2, sp[1]) == -1)
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
