/*
 * The daemon's password checker: a small process of its own, the only
 * one that reads the auth_users file or /etc/shadow, answering yes or
 * no to the SMTP sessions (which never see a hash).
 *
 * The sessions share one SOCK_SEQPACKET socket to it.  Each check is
 * one datagram, "user\0password\0", carrying (SCM_RIGHTS) one end of a
 * fresh socket pair on which the one-byte answer comes back: '1' good,
 * '0' bad, '-' cannot check.  So the answers of concurrent sessions
 * never cross, and a session can only ever learn its own answer.
 */
#ifndef HIKYAKU_AUTHD_H
#define HIKYAKU_AUTHD_H

#include "conf.h"

/*
 * Serve checks on sock until it reads end of file (every session and
 * the master closed their ends) or fails.  Hashes come from
 * c->auth_users (a file, or "shadow" for AUTH_SHADOW); each result's
 * reason is logged, never the password.
 */
void	authd_serve(const struct conf *c, int sock);

/* Ask the checker on sock: 1 good, 0 bad, -1 cannot check (it is not
   there, or took more than timeout_ms). */
int	authd_check(int sock, const char *user, const char *pass,
	    int timeout_ms);

#endif
