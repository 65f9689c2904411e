/*
 * DNS, for every lookup hikyaku makes of it: the MX records of a domain
 * and the addresses (AAAA, A) of a host for mail routing, and the name
 * of an address (PTR) for mtad's clients and netstat; asked of the
 * nameservers of resolv.conf over UDP, and again over TCP when a reply
 * comes truncated.
 *
 * res_mkquery builds the queries, dn_expand reads the names of the
 * replies (ns_initparse and ns_parserr are not used: glibc keeps them
 * in libresolv, and the ASan and fuzz builds link its libc alone).
 * The sending is done here, not by res_send: musl 1.2.3's res_send
 * hands back a truncated reply as it
 * is (and res_query then calls a truncated MX reply NO_DATA, which
 * would send mail to the implicit MX), and it throws SERVFAIL and
 * REFUSED replies away and waits out the whole timeout, so neither the
 * TCP retry nor a "SERVFAIL from" reason could be had through it.
 */
#ifndef HIKYAKU_DNS_H
#define HIKYAKU_DNS_H

#include <stddef.h>

#include "limits.h"

enum dns_status {
	DNS_OK,		/* records found */
	DNS_NODATA,	/* the name exists, without records of that type */
	DNS_NXDOMAIN,	/* the name does not exist */
	DNS_NULLMX,	/* "MX 0 .": the domain takes no mail (RFC 7505) */
	DNS_TEMP	/* SERVFAIL, timeout, network error, malformed reply */
};

struct dns_mx {
	char		 name[LIM_DOMAIN + 1];	/* lower case, no trailing dot */
	unsigned	 pref;
};

struct dns_addr {
	int		 family;	/* AF_INET6 or AF_INET */
	unsigned char	 a[16];		/* 4 bytes used for AF_INET */
};

/* The resolver configuration read ("nameserver" lines, the first 3;
   "options timeout:N attempts:N"), and the nameservers' port: 53 but
   in the unit tests, which point both at a server of their own. */
extern const char *dns_resolv_conf;
extern int	 dns_port;

/*
 * The MX records of domain, at most max of them in mx (the best by
 * preference), sorted by preference with equal preferences in random
 * order, each target once.  An MX whose target is "." is ignored
 * unless it is all there is (DNS_NULLMX).  On anything but DNS_OK,
 * why says what happened ("SERVFAIL from 127.0.0.1").
 */
enum dns_status	dns_mx(const char *domain, struct dns_mx *mx, int max,
		    int *n, char *why, size_t len);

/*
 * The addresses of host: its AAAA records, then its A records, at
 * most max.  An IP literal ("192.0.2.1", "2001:db8::1") is returned as
 * it is.  One of the two lookups failing for a while while the other
 * finds addresses is DNS_OK; neither finding any is DNS_NXDOMAIN or
 * DNS_NODATA ("host X not found"), or DNS_TEMP.
 */
enum dns_status	dns_addrs(const char *host, struct dns_addr *a, int max,
		    int *n, char *why, size_t len);

/*
 * The name of an address (PTR, RFC 1035 3.5; under ip6.arpa for IPv6,
 * an IPv4-mapped IPv6 address asked as its IPv4 one), a CNAME chain
 * followed (RFC 2317's classless delegation uses them): the first PTR
 * record that is a host name, in the case it was given.  family AF_INET (a: 4 bytes)
 * or AF_INET6 (16).  DNS_OK with name; DNS_NXDOMAIN, DNS_NODATA or
 * DNS_TEMP with why.  Whether the name maps back to the address is the
 * caller's question.
 */
enum dns_status	dns_ptr(int family, const unsigned char *a, char *name,
		    size_t namelen, char *why, size_t len);
/* The query name of that lookup ("4.3.2.1.in-addr.arpa", nibbles under
   ip6.arpa); len >= 74. */
void		dns_ptr_name(int family, const unsigned char *a, char *q,
		    size_t len);

/* 1 and a filled in when host is an IPv4 or IPv6 address, else 0. */
int		dns_ip_literal(const char *host, struct dns_addr *a);

/*
 * The reply parsers, on the reply to a query of qname as it came (ans
 * holds exactly n bytes): the unit tests and the fuzz target feed them
 * crafted replies.  dns_parse_addrs takes type ns_t_a or ns_t_aaaa and
 * appends to a[*n..max).
 */
enum dns_status	dns_parse_mx(const unsigned char *ans, size_t n,
		    const char *qname, struct dns_mx *mx, int max, int *nmx,
		    char *why, size_t len);
enum dns_status	dns_parse_addrs(const unsigned char *ans, size_t n,
		    const char *qname, int type, struct dns_addr *a, int max,
		    int *na, char *why, size_t len);
enum dns_status	dns_parse_ptr(const unsigned char *ans, size_t n,
		    const char *qname, char *name, size_t namelen, char *why,
		    size_t len);

/* Is s a host name as DNS carries it for mail (letters, digits, '-',
   '_' and dots, labels of 1 to 63, at most LIM_DOMAIN)? */
int		dns_valid_name(const char *s);

#endif
