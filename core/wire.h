/*
 * A queued message in the form it leaves the machine in: what a next
 * hop may be sent.  The queue keeps messages as they were submitted
 * (lines ending in LF, core/msg.h); on the way out:
 *
 *  - masquerade rewrites the addresses of From: at this host (or with
 *    no domain at all, as cron writes "From: root (Cron Daemon)") to
 *    the masquerade domain;
 *  - a header line over 998 octets (RFC 5322 2.1.1) is folded at white
 *    space;
 *  - a body part with a line over 998 octets, or with 8-bit octets for
 *    a server that does not offer 8BITMIME (RFC 6152 3), is sent as
 *    quoted-printable, part by part through multiparts, which keeps
 *    its octets exactly (bare CRs included).
 *
 * Most messages need none of it and go out as they are.
 */
#ifndef HIKYAKU_WIRE_H
#define HIKYAKU_WIRE_H

#include <stddef.h>

#include "buf.h"

struct wire {
	int	 eightbit;	/* an octet over 127 anywhere */
	int	 longlines;	/* a line over LIM_MSG_LINE octets */
};

void	wire_scan(const char *p, size_t n, struct wire *w);

/*
 * The outbound form of the message p[0..n) (scanned into w) into out,
 * for a server that takes 8-bit bodies (eightbit_ok) or not, with
 * From: masqueraded from hostname to masq (NULL: no masquerading).
 * out is left empty when the message goes as it is.  0, or -1 (ENOMEM,
 * or ERANGE past out's limit).
 */
int	wire_prepare(const char *p, size_t n, const struct wire *w,
	    int eightbit_ok, const char *hostname, const char *masq,
	    struct buf *out);

#endif
