/*
 * Delivery status notifications (RFC 3464, RFC 3462 multipart/report).
 */
#ifndef HIKYAKU_BOUNCE_H
#define HIKYAKU_BOUNCE_H

#include <stddef.h>

#include "conf.h"
#include "queue.h"

/*
 * Queue a DSN from <> to env->sender about the recipients env->rcpt[i]
 * for i in which[0..n-1], each with its error ("X.Y.Z text").  The
 * header section of the original message (msgfd) is attached as
 * text/rfc822-headers.  action is "failed" or "delayed".  A null
 * sender gets nothing (never a bounce for a bounce): returns 0 with
 * qid "".  0, or -1 with err (the caller keeps the recipients pending).
 */
int	bounce_queue(const struct conf *c, const struct qenv *env, int msgfd,
	    const int *which, int n, const char *action, char *qid,
	    size_t qidlen, char *err, size_t errlen);

#endif
