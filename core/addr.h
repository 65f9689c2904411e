/*
 * Addresses: RFC 5321 envelope paths and RFC 5322 address lists.
 */
#ifndef HIKYAKU_ADDR_H
#define HIKYAKU_ADDR_H

#include <stddef.h>

#include "limits.h"

/* addr_parse_path's flags */
#define ADDR_NULL_OK	0x01	/* "<>" and "" give the null path "" */
#define ADDR_UTF8	0x02	/* SMTPUTF8 (RFC 6531): UTF-8 in the local
				   part and the domain */

/*
 * Parse one envelope address as given on a command line or in MAIL
 * FROM/RCPT TO: "user@example.com", "<user@example.com>", "user"
 * (unqualified), "\"john doe\"@example.com", "user@[192.0.2.1]".
 * "<>" and "" give the null path "" only with ADDR_NULL_OK.
 * No display names or comments here.  Refused, with the reason in err:
 * any control character (CR, LF, NUL, TAB, DEL, ...), space outside
 * quotes, unbalanced quotes or brackets, a local part over LIM_LOCAL,
 * a domain over LIM_DOMAIN or not a valid hostname / address literal,
 * a whole address over LIM_ADDR - 2 (limits in octets, UTF-8 or not).
 * Without ADDR_UTF8 every byte is ASCII.  With it, the local part and
 * a hostname may hold UTF-8 (RFC 6531 3.3): well-formed only (no
 * overlong form, surrogate, code point past U+10FFFF or cut sequence)
 * and no C1 control; a label with UTF-8 is limited only by the domain's
 * length (its A-label's would need Punycode to know).
 * out gets the canonical form: local part as given (quoted only if it
 * needs quoting), "@", domain with its ASCII letters in lower case; out
 * is at least LIM_ADDR.  Returns 0, or -1 with err set and errno
 * EILSEQ when the address is not text the flags allow (a byte over
 * 0x7f without ADDR_UTF8; with it, what is not well-formed UTF-8 or is
 * any control character), EINVAL for any other fault.
 */
int	addr_parse_path(const char *in, unsigned flags, char *out,
	    size_t outlen, char *err, size_t errlen);

/*
 * Append "@domain" to an unqualified address (no '@' outside quotes).
 * A qualified address and the null path "" are left alone.  Returns 0,
 * or -1 with errno ERANGE when the result would not fit in len or would
 * be over LIM_ADDR - 2 (EINVAL for an empty domain).
 */
int	addr_qualify(char *addr, size_t len, const char *domain);

/*
 * Split a canonical address at its last '@' outside quotes.  local gets
 * the local part unquoted (quotes and backslashes removed), domain the
 * domain ("" when unqualified).  Returns 0 or -1 (too long).
 */
int	addr_split(const char *addr, char *local, size_t locallen,
	    char *domain, size_t domainlen);

/*
 * Parse an RFC 5322 address-list (the value of To:, Cc:, Bcc:, with
 * folding already undone or not): display names, quoted strings,
 * comments in parentheses, angle addresses, groups ("undisclosed:;"),
 * obsolete source routes.  For each mailbox calls cb with its addr-spec
 * in canonical form as addr_parse_path gives it.  Returns 0, or -1 with
 * err set on a syntax error or when cb returns -1.
 */
int	addr_list_parse(const char *value,
	    int (*cb)(void *ctx, const char *addr), void *ctx,
	    char *err, size_t errlen);

#endif
