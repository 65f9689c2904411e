/*
 * Remote delivery: the recipients of one message for one next hop (a
 * domain's MX hosts, or the relayhost), handed over in one SMTP
 * transaction.
 *
 * The runner's process stays root (local deliveries become their
 * recipients), so it does none of this itself.  The first remote hop
 * starts a delivery agent: a child that reads what it needs with root's
 * rights (the relay_auth passwords, the tls_ca trust anchors), drops to
 * `user` for good, and then only speaks SMTP.  It is handed each
 * message's descriptor and envelope over a socket pair, answers with one
 * result per recipient, and keeps the connections it made open for the
 * next message to the same hop, until remote_end.
 */
#ifndef HIKYAKU_REMOTE_H
#define HIKYAKU_REMOTE_H

#include <stddef.h>

#include "conf.h"
#include "limits.h"
#include "queue.h"

enum remote_res { REMOTE_OK, REMOTE_TEMP, REMOTE_PERM };

struct remote_result {
	enum remote_res	 res;
	int		 dsn;		/* the hop took NOTIFY: it reports */
	char		 relay[LIM_DOMAIN + 64];	/* "host[addr]:port", or
							   "none" */
	char		 why[LIM_ERR];	/* "X.Y.Z text", or the 250 reply */
};

/*
 * Deliver h's recipients of env (the message open on msgfd): res[k]
 * gets the result of env->rcpt[h->rcpt[k]].  0; -1 only when the agent
 * could not be reached (err; every result is then REMOTE_TEMP too).
 */
int	remote_deliver(const struct conf *c, const struct qenv *env,
	    const struct qhop *h, int msgfd, struct remote_result *res,
	    char *err, size_t errlen);

/* End the agent, if one runs: it QUITs its connections and exits. */
void	remote_end(void);

/*
 * The relay_auth file checked as the agent reads it: a regular file,
 * owned by root (or by the caller, for a private instance), that
 * nobody else may read or write, of "host user password" lines, one of
 * them for the relayhost.  For mtad's start and reload.  0, or -1 with
 * err ("relay_auth FILE: ...", "relay_auth FILE:3: ...").
 */
int	remote_check_auth(const struct conf *c, char *err, size_t errlen);

#endif
