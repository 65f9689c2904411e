/*
 * Delivery status notifications: an RFC 3464 message/delivery-status
 * in an RFC 3462 multipart/report, from <> to the envelope sender.
 */
#ifndef HIKYAKU_BOUNCE_H
#define HIKYAKU_BOUNCE_H

#include <stddef.h>

#include "conf.h"
#include "dsn.h"
#include "queue.h"

/*
 * Queue a report from <> to env->sender about the recipients env->rcpt[i]
 * for i in which[0..n-1], all with one action (RFC 3464 2.3.3):
 *
 *   DSN_ACTION_FAILED, _DELAYED   each with its error ("X.Y.Z text") as
 *                                 Status and Diagnostic-Code
 *   DSN_ACTION_DELIVERED, _RELAYED, _EXPANDED
 *                                 a success report (NOTIFY=SUCCESS):
 *                                 Status 2.0.0 (or the 2.X.X its error
 *                                 text starts with), no diagnostic
 *
 * What comes back of the original message (msgfd): a failure report of
 * a message sent with RET=FULL carries it whole, as message/rfc822;
 * every other report (RET=HDRS, no RET at all as before RET was taken,
 * any delay or success report, which RFC 3461 4.3 leaves out of RET)
 * carries its header section, as text/rfc822-headers.
 * env->envid becomes Original-Envelope-Id; a recipient's ORCPT becomes
 * its Original-Recipient (xtext where the value needs it), else its
 * address before aliases (orig) when it has one.  Addresses with UTF-8
 * are given in RFC 6533's utf-8-addr-xtext there, so that the
 * delivery-status part stays ASCII; a report holding 8-bit text says
 * Content-Transfer-Encoding: 8bit.
 *
 * Whether a recipient asked for the report (NOTIFY) is the caller's
 * question.  A failure with a null sender (a report that could not be
 * delivered) is reported to postmaster@hostname instead, from
 * double-bounce@hostname; a failure of that, and any other report for
 * a null sender, is nothing: returns 0 with qid "".  0, or -1 with err
 * (the caller keeps the recipients as they were).
 */
#define BOUNCE_DOUBLE	"double-bounce"

/* Is this the sender of a report to the postmaster (whose own failures
   are dropped)? */
int	bounce_is_double(const struct conf *c, const char *sender);

int	bounce_queue(const struct conf *c, const struct qenv *env, int msgfd,
	    const int *which, int n, enum dsn_action action, char *qid,
	    size_t qidlen, char *err, size_t errlen);

#endif
