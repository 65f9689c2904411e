/*
 * Listening sockets (see listen.h).  Addresses are resolved with
 * getaddrinfo(AI_PASSIVE), so that a name in a listen setting means
 * every address it has; "*" binds the IPv4 and IPv6 wildcards apart
 * (IPV6_V6ONLY), as the two tables of netstat show them.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "listen.h"

#define BACKLOG		128

/* Is this socket address already bound by one of old[]?  Its index. */
static int
find_old(const struct listener *old, int nold, const struct conf_addr *a,
    int family)
{
	for (int i = 0; i < nold; i++)
		if (old[i].fd != -1 && old[i].family == family &&
		    old[i].a.port == a->port &&
		    strcmp(old[i].a.host, a->host) == 0)
			return i;
	return -1;
}

static int
bind_one(const struct addrinfo *ai, char *err, size_t errlen,
    const char *setting, const char *text)
{
	int	 fd, on = 1;

	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol)) == -1)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		goto fail;
	if (ai->ai_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1)
		goto fail;
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(fd, BACKLOG) == -1)
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "%s %s: %s", setting, text, strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

static void
text_of(const struct conf_addr *a, int family, char *out, size_t len)
{
	const char	*h = a->host[0] != '\0' ? a->host :
			    family == AF_INET6 ? "::" : "0.0.0.0";

	if (family == AF_INET6)
		snprintf(out, len, "[%s]:%u", h, a->port);
	else
		snprintf(out, len, "%s:%u", h, a->port);
}

/* Bind one setting's address: every socket address it resolves to. */
static int
open_addr(const char *setting, const struct conf_addr *a, int kind, int tls,
    struct listener *l, int *n, int max, struct listener *old, int nold,
    char *err, size_t errlen)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		 port[8], text[sizeof(l->text)];
	int		 r, i, fd, any = a->host[0] == '\0';

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", a->port);
	if ((r = getaddrinfo(any ? NULL : a->host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s %s:%u: %s", setting, a->host,
		    a->port, gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		text_of(a, ai->ai_family, text, sizeof(text));
		if (*n >= max) {
			snprintf(err, errlen, "%s %s: more than %d listening "
			    "sockets", setting, text, max);
			goto fail;
		}
		if ((i = find_old(old, nold, a, ai->ai_family)) != -1) {
			fd = old[i].fd;
			old[i].fd = -1;
		} else if ((fd = bind_one(ai, err, errlen, setting, text)) ==
		    -1) {
			/* the wildcard of a host without IPv6 */
			if (any && ai->ai_family == AF_INET6 &&
			    (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL))
				continue;
			goto fail;
		}
		l[*n].fd = fd;
		l[*n].kind = kind;
		l[*n].tls = tls;
		l[*n].a = *a;
		l[*n].family = ai->ai_family;
		snprintf(l[*n].text, sizeof(l[*n].text), "%s", text);
		(*n)++;
	}
	freeaddrinfo(res);
	return 0;
fail:
	freeaddrinfo(res);
	return -1;
}

int
listen_open(const char *setting, const struct conf_addrs *as, int kind,
    int tls, struct listener *l, int *n, int max, struct listener *old,
    int nold, char *err, size_t errlen)
{
	for (int i = 0; i < as->n; i++)
		if (open_addr(setting, &as->v[i], kind, tls, l, n, max, old,
		    nold, err, errlen) == -1)
			return -1;
	return 0;
}

void
listen_close(struct listener *l, int n)
{
	for (int i = 0; i < n; i++)
		if (l[i].fd != -1) {
			close(l[i].fd);
			l[i].fd = -1;
		}
}

int
listen_accept(int lfd, int *family, unsigned char addr[16], char *text,
    size_t textlen)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 sl = sizeof(ss);
	int			 fd;

	if ((fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC)) ==
	    -1)
		return -1;
	memset(addr, 0, 16);
	if (ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		*family = AF_INET;
		memcpy(addr, s6->sin6_addr.s6_addr + 12, 4);
	} else if (ss.ss_family == AF_INET6) {
		*family = AF_INET6;
		memcpy(addr, &s6->sin6_addr, 16);
	} else {
		*family = AF_INET;
		memcpy(addr, &s4->sin_addr, 4);
	}
	if (inet_ntop(*family, addr, text, (socklen_t)textlen) == NULL)
		snprintf(text, textlen, "unknown");
	return fd;
}
