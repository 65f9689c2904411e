/*
 * Where mail for a domain goes: its MX hosts in order (RFC 5321 5.1),
 * the domain itself when it has none (implicit MX), nowhere for a null
 * MX (RFC 7505), or the relayhost; each host with its addresses, and
 * the hosts that are this very mtad cut off (mail must not loop).
 */
#ifndef HIKYAKU_ROUTE_H
#define HIKYAKU_ROUTE_H

#include <stddef.h>
#include <sys/socket.h>

#include "conf.h"
#include "limits.h"

#define ROUTE_MAX_HOSTS	LIM_ROUTE_HOSTS

struct route_host {
	char	 name[LIM_DOMAIN + 1];	/* MX target, relayhost, or the domain
					   (implicit MX); no trailing dot */
	unsigned pref;			/* MX preference (0 for relayhost/implicit) */
	int	 naddr;			/* 0: its lookup failed (why in err[]) */
	struct sockaddr_storage addr[LIM_ROUTE_ADDRS];	/* port already set;
					   AAAA first, then A */
	char	 err[128];		/* why naddr is 0 */
};

struct route {
	int	 relay;		/* via relayhost */
	int	 implicit;	/* the domain (or relayhost) had no MX: its
				   own name is the only host */
	int	 port;		/* 25, or the relayhost's */
	int	 nhost;
	struct route_host host[LIM_ROUTE_HOSTS];
};

enum route_status { ROUTE_OK, ROUTE_TEMP, ROUTE_PERM };

/*
 * Where mail for domain goes, per the config c (c->relayhost,
 * c->hostname, c->listen/submission/smtps).  why gets "X.Y.Z text" on
 * TEMP/PERM: "5.1.2 domain D not found", "5.1.10 domain D does not
 * accept mail (null MX)", "5.4.6 mail for D loops back to myself",
 * "4.4.3 ..." for what may pass.  A relayhost that cannot be found is
 * TEMP: a configuration mistake must not bounce every message.  With
 * ROUTE_OK, at least one host has an address (hosts whose lookup
 * failed stay in the list with naddr 0 and err).
 */
enum route_status route_domain(const struct conf *c, const char *domain,
    struct route *r, char *why, size_t len);

/*
 * Parse a relayhost value: "[host]:port", "[host]", "host:port",
 * "host", "[192.0.2.1]:587", "[2001:db8::1]:25" (IPv6 only inside
 * brackets).  *mx = 0 for the bracketed form (no MX lookup) and for a
 * bare IPv4 address.  0, or -1 with why.
 */
int	route_parse_relayhost(const char *s, char *host, size_t hostlen,
	    int *port, int *mx, char *why, size_t len);

#endif
