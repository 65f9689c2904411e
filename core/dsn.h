/*
 * Delivery status notifications as a sender asks for them (RFC 3461)
 * and as the reports name them (RFC 3464): the NOTIFY and RET values,
 * ENVID and ORCPT with their xtext encoding, and the action values.
 * Shared by the SMTP server, sendmail's -N -R -V, the queue envelope
 * and the reports; pure functions, nothing printed.
 *
 * What is kept is the decoded value: an ENVID is printable ASCII
 * (0x20-0x7e) whose xtext form is at most LIM_DSN_ENVID octets; an
 * ORCPT is "addr-type;address", the type an atom, the address
 * printable ASCII, the xtext form at most LIM_DSN_ORCPT octets.
 */
#ifndef HIKYAKU_DSN_H
#define HIKYAKU_DSN_H

#include <stddef.h>

#include "limits.h"

/* NOTIFY (RFC 3461 4.1): NEVER alone, or any of the other three.  A
   recipient without NOTIFY (0) gets what RFC 3461 says then: reports
   of failure and delay, none of success. */
#define DSN_NOTIFY_SUCCESS	0x01
#define DSN_NOTIFY_FAILURE	0x02
#define DSN_NOTIFY_DELAY	0x04
#define DSN_NOTIFY_NEVER	0x08

/* RET (RFC 3461 4.3): what a failure report returns of the message. */
enum dsn_ret {
	DSN_RET_NONE,		/* not given: the header section */
	DSN_RET_HDRS,		/* the header section */
	DSN_RET_FULL		/* the whole message */
};

/* The Action of a report (RFC 3464 2.3.3). */
enum dsn_action {
	DSN_ACTION_NONE,	/* no report */
	DSN_ACTION_FAILED,
	DSN_ACTION_DELAYED,
	DSN_ACTION_DELIVERED,	/* into a mailbox, a command, a file */
	DSN_ACTION_RELAYED,	/* to a next hop that will not report */
	DSN_ACTION_EXPANDED	/* delivered, and forwarded to other
				   addresses that report for themselves */
};

/* "NEVER" or a comma list of SUCCESS, FAILURE, DELAY (any case, each
   once): 0 with the bits in *notify, or -1. */
int	dsn_notify_parse(const char *v, unsigned *notify);
/* Is notify a value dsn_notify_parse could give, or 0? */
int	dsn_notify_valid(unsigned notify);
/* The bits as their keywords, "NEVER" or "SUCCESS,FAILURE,DELAY" in
   that order ("" for 0); out has room for 24 octets. */
void	dsn_notify_text(unsigned notify, char *out, size_t len);
/* Does a recipient with notify want a report of kind (one of
   DSN_NOTIFY_SUCCESS, _FAILURE, _DELAY)? */
int	dsn_wants(unsigned notify, unsigned kind);

/* "FULL" or "HDRS" (any case): DSN_RET_FULL or DSN_RET_HDRS, or -1. */
int	dsn_ret_parse(const char *v);
/* "FULL", "HDRS", or "" for DSN_RET_NONE. */
const char *dsn_ret_name(enum dsn_ret ret);

/* "failed", "delayed", ... ("" for DSN_ACTION_NONE); and back (-1 for
   a word that is none of them). */
const char *dsn_action_name(enum dsn_action a);
int	dsn_action_parse(const char *name);

/*
 * xtext (RFC 3461 4): the octets 0x21-0x7e but '+' and '=' as they
 * are, any other as "+" and two upper-case hex digits.  Decoding
 * refuses anything else, and "+00" (0, or -1 with errno EINVAL; ERANGE
 * when out is too small).  Encoding: 0, or -1 with ERANGE.
 */
int	dsn_xtext_decode(const char *in, char *out, size_t outlen);
int	dsn_xtext_encode(const char *in, char *out, size_t outlen);

/* ENVID=xtext and ORCPT=addr-type;xtext as a client sends them: the
   decoded value into out (LIM_DSN_ENVID + 1, LIM_DSN_ORCPT + 1), or -1
   with errno ERANGE (too long) or EINVAL. */
int	dsn_envid_parse(const char *param, char *out, size_t outlen);
int	dsn_orcpt_parse(const char *param, char *out, size_t outlen);
/* Is a decoded value one those could give?  (sendmail -V; a check
   before anything goes into the queue.) */
int	dsn_envid_valid(const char *envid);
int	dsn_orcpt_valid(const char *orcpt);

/*
 * Values as a report's fields give them (RFC 3464 2.2.1, 2.3.1, 2.3.2).
 * dsn_field_text: an ENVID, or an ORCPT's address after its "type;",
 * as it is (RFC 3464 keeps its spelling) when it is printable ASCII
 * with no space at either end, else as xtext.
 * dsn_field_addr: "rfc822; " and an address of ours; one with UTF-8 in
 * it (SMTPUTF8) as RFC 6533's "utf-8; " and utf-8-addr-xtext, so that
 * message/delivery-status stays ASCII.  Both cut nothing: -1 with
 * ERANGE when out is too small.
 */
int	dsn_field_text(const char *v, char *out, size_t len);
int	dsn_field_addr(const char *addr, char *out, size_t len);

#endif
