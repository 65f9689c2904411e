/*
 * The names netstat puts on numbers, from the files glibc's
 * getservent(3), getprotoent(3) and getnetbyaddr(3) read, with the
 * same precedence net-tools gets from them: a port's name is the last
 * service of that number and protocol in /etc/services (a raw socket's
 * "port" is its protocol: /etc/protocols first); a network's name is
 * the first entry of that number in /etc/networks.
 */
#ifndef HIKYAKU_NETNAMES_H
#define HIKYAKU_NETNAMES_H

#include <stddef.h>

#include "buf.h"

enum netnames_proto { NETNAMES_TCP, NETNAMES_UDP, NETNAMES_RAW };

struct netnames_ent {
	unsigned long	 num;		/* port, protocol or network number */
	int		 proto;		/* enum netnames_proto; -1 for a network */
	unsigned	 name;		/* offset into the pool */
};

struct netnames {
	struct netnames_ent	*ents;
	size_t			 n, cap;
	struct buf		 pool;
};

void	netnames_init(struct netnames *nn);
void	netnames_free(struct netnames *nn);

/* Parse one line; 1 with the fields filled, 0 for a line without an
   entry (comment, blank, malformed).  name points into line. */
int	netnames_service_line(const char *line, size_t len, const char **name,
	    size_t *namelen, unsigned long *port, int *proto);
int	netnames_number_line(const char *line, size_t len, const char **name,
	    size_t *namelen, unsigned long *num, int dotted);

/* Load /etc/services and /etc/protocols (services, protocols: other
   paths for tests; a missing file is empty).  0 or -1 (ENOMEM). */
int	netnames_load_services(struct netnames *nn, const char *services,
	    const char *protocols);
/* Load /etc/networks.  0 or -1. */
int	netnames_load_networks(struct netnames *nn, const char *networks);

/* The name, or NULL. */
const char *netnames_port(const struct netnames *nn, unsigned port, int proto);
const char *netnames_net(const struct netnames *nn, unsigned long net);

/*
 * Reverse lookups as glibc's gethostbyaddr(3) answers them with
 * "hosts: files dns": the first line of the hosts file with that
 * address (an IPv4-mapped address matches no IPv4 line), then a PTR
 * query through core/dns.c (the mapped address as its IPv4 one), whose
 * connected sockets make an unreachable nameserver fail at once.  0
 * with the name, or -1.
 */
int	netnames_hosts(const char *hosts, int family, const unsigned char *a,
	    char *name, size_t len);
int	netnames_ptr(int family, const unsigned char *a, char *name,
	    size_t len);

#endif
