/*
 * The policy side of SMTP server sessions: what is accepted, and the
 * hand-off of each message to the queue through submit.  The protocol
 * itself is core/smtp.c.
 */
#ifndef HIKYAKU_SESSION_H
#define HIKYAKU_SESSION_H

#include <sys/types.h>

#include "conf.h"

/*
 * `sendmail -bs`: an SMTP session on rfd/wfd for the local user uid,
 * trusted as sendmail's command line is (any sender, any recipient,
 * missing From:/Date:/Message-ID: added).  Each message accepted is
 * committed before its 250 reply; the IDs are appended to *qids
 * (malloc'd array of malloc'd strings, *nqids entries) so that the
 * caller can deliver them.  Returns 0 when the client said QUIT, -1 if
 * the session ended otherwise (EOF, timeout, write error).
 */
int	session_local(const struct conf *c, uid_t uid, int rfd, int wfd,
	    char ***qids, int *nqids);

#endif
