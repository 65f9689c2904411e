/*
 * Listening sockets for the daemons, from the listen-type settings
 * (listen, submission, smtps, pop3, pop3s), and what accept(2) tells
 * of a client.
 */
#ifndef HIKYAKU_LISTEN_H
#define HIKYAKU_LISTEN_H

#include <stddef.h>

#include "conf.h"

/* One bound socket: its setting's address, and which setting. */
struct listener {
	int		 fd;
	int		 kind;		/* the caller's: SESSION_MTA... */
	int		 tls;		/* implicit TLS (smtps, pop3s) */
	struct conf_addr a;
	int		 family;	/* of the socket bound */
	char		 text[LIM_DOMAIN + 16];	/* "127.0.0.1:25", "[::1]:25" */
};

/*
 * Bind every address of one setting, appending to l[*n] (at most max
 * in all): "127.0.0.1:25", "[::1]:25", a name (every address it has in
 * /etc/hosts or DNS), or "*:25" (host ""): both 0.0.0.0 and [::] (that
 * one IPv6-only), the IPv6 one skipped without a word on a host without
 * IPv6.  Non-blocking, close-on-exec, SO_REUSEADDR.  An address that is
 * already one of l[0..*n) (from an earlier call: a reload) is kept, not
 * bound again: its entry moves to the new list.  0, or -1 with
 * "listen 127.0.0.1:25: Address already in use" in err (what was bound
 * stays in l).
 */
int	listen_open(const char *setting, const struct conf_addrs *as,
	    int kind, int tls, struct listener *l, int *n, int max,
	    struct listener *old, int nold, char *err, size_t errlen);

/* Close the sockets of l[0..n) that are still open (fd != -1). */
void	listen_close(struct listener *l, int n);

/*
 * Accept one client on lfd: the new descriptor (close-on-exec,
 * blocking) with its address in family/addr (4 bytes for AF_INET, 16
 * for AF_INET6; a v4-mapped address is given as AF_INET) and in text.
 * -1 with errno (EAGAIN: nobody waiting).
 */
int	listen_accept(int lfd, int *family, unsigned char addr[16],
	    char *text, size_t textlen);

#endif
