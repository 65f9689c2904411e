/*
 * The SMTP policy: one policy for every kind of peer, parameterised by
 * who it is (struct session_peer), over the protocol of core/smtp.c.
 * Each message goes to the queue through submit, and its 250 is given
 * only once submit_commit has returned 0 (on disk, fsync'd).
 *
 *                        local (-bs)   mta (25)          msa (587, 465)
 *   sender               any           any               after AUTH
 *   local recipient      must exist    must exist        must exist
 *   other domains        yes           mynetworks/AUTH   after AUTH
 *   STARTTLS offered     no            with a certificate, until TLS
 *   AUTH offered         no            under TLS, with a password check
 *
 * A local recipient that does not exist (no alias, no user) is refused
 * at RCPT with 550 5.1.1, so no bounce is ever made for it later.
 *
 * A failed AUTH costs the client SESSION_AUTH_DELAY_MS before the 535;
 * after SESSION_AUTH_TRIES failures the session ends with 421.  The log
 * has Postfix's lines: "connect from NAME[ADDR]", "ID: client=NAME[ADDR]
 * (, sasl_username=USER)", "ID: from=<S>, size=N,
 * nrcpt=K (queue active)", "NOQUEUE: reject: RCPT from NAME[ADDR]:
 * REPLY; from=<S> to=<R> proto=ESMTP helo=<H>", "disconnect from ...";
 * never a password.
 */
#ifndef HIKYAKU_SESSION_H
#define HIKYAKU_SESSION_H

#include <sys/types.h>

#include "conf.h"
#include "io.h"
#include "limits.h"

#define SESSION_AUTH_DELAY_MS	1000
#define SESSION_AUTH_TRIES	3

enum session_kind {
	SESSION_LOCAL,		/* sendmail -bs: a local user on stdin/stdout */
	SESSION_MTA,		/* a client on port 25 */
	SESSION_MSA		/* a submission client (587, 465) */
};

struct session_peer {
	enum session_kind kind;
	uid_t		 uid;		/* SESSION_LOCAL: the user */
	int		 family;	/* AF_INET, AF_INET6; 0 for local */
	unsigned char	 addr[16];	/* the client's address */
	char		 addr_text[64];	/* "192.0.2.1", "2001:db8::1" */
	char		 name[LIM_DOMAIN + 1];	/* its verified name, or
					   "unknown" */
	int		 tls;		/* implicit TLS (465): starttls is
					   called before the greeting */
	/* the daemon's hooks, or NULL: TLS on this io, handshake done (0 or
	   -1); the TLS in use, "TLSv1.2 with cipher X (256/256 bits)", for
	   the Received: field; a password check (1 good, 0 bad, -1 cannot
	   check); a message was queued (the runner can be poked) */
	int		(*starttls)(void *arg, struct io *io);
	const char	*(*tls_desc)(void *arg);
	int		(*check_password)(void *arg, const char *user,
			    const char *pass);
	void		(*queued)(void *arg, const char *qid);
	void		*arg;
};

/*
 * One session on rfd/wfd.  The ID of each message committed is
 * appended to *qids (malloc'd array of malloc'd strings, *nqids entries)
 * so that the caller can have it delivered.  Returns 0 when the client
 * said QUIT, -1 if the session ended otherwise (EOF, timeout, write
 * error, a refused connection).
 */
int	session_run(const struct conf *c, const struct session_peer *p,
	    int rfd, int wfd, char ***qids, int *nqids);

/* `sendmail -bs` for the local user uid: session_run of a local peer. */
int	session_local(const struct conf *c, uid_t uid, int rfd, int wfd,
	    char ***qids, int *nqids);

#endif
