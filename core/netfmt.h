/*
 * The text of netstat's tables, laid out exactly as net-tools' netstat
 * lays them out, appended to a caller's buffer: one socket, route or
 * interface at a time, with names looked up as net-tools looks them up
 * (hosts file and DNS, /etc/services, /etc/protocols, /etc/networks,
 * the passwd database).  Nothing here prints.
 */
#ifndef HIKYAKU_NETFMT_H
#define HIKYAKU_NETFMT_H

#include "buf.h"
#include "netnames.h"
#include "procnet.h"

#define NETFMT_NUM_HOST	1	/* -n, --numeric-hosts */
#define NETFMT_NUM_PORT	2	/* -n, --numeric-ports */
#define NETFMT_NUM_USER	4	/* -n, --numeric-users */

enum netfmt_kind { NETFMT_TCP, NETFMT_UDP, NETFMT_UDPL, NETFMT_RAW };

struct netfmt_host;

struct netfmt {
	struct buf			*out;
	int				 numeric;	/* NETFMT_NUM_* */
	int				 wide;		/* -W */
	int				 ext;		/* -e given */
	const struct procnet_owners	*owners;	/* -p, else NULL */
	/* what was looked up, kept for the next line */
	struct netfmt_host		*hosts[256];
	struct netnames			 svc, nets;
	int				 svc_loaded, nets_loaded;
	unsigned long			 uid[32];
	char				 user[32][64];
	int				 nuser;
	int				 err;		/* ENOMEM, sticky */
};

void	netfmt_init(struct netfmt *f, struct buf *out);
void	netfmt_free(struct netfmt *f);

/* "%-*s" and "%*llu" / "%-*llu", as the tables' columns. */
void	netfmt_left(struct netfmt *f, const char *s, size_t width);
void	netfmt_num(struct netfmt *f, unsigned long long v, size_t width,
	    int left);

/* One line of the Internet table (prot: "tcp", "udp6", "udpl"...). */
void	netfmt_inet(struct netfmt *f, const struct procnet_sock *s,
	    enum netfmt_kind k, const char *prot);
/* One line of the UNIX table. */
void	netfmt_unix(struct netfmt *f, const struct procnet_unix *u);
/* One line of the routing table; ext 1 (-re), 2 (-r) or 3 (-ree). */
void	netfmt_route(struct netfmt *f, const struct procnet_route *r, int ext);
/* One interface of -i (st NULL: no statistics) ... */
void	netfmt_iface_short(struct netfmt *f, const char *name,
	    const struct procnet_dev *st, const struct procnet_iface *k);
/* ... or of -ie, with its IPv6 addresses from the n entries of a6. */
void	netfmt_iface_long(struct netfmt *f, const char *name,
	    const struct procnet_dev *st, const struct procnet_iface *k,
	    const struct procnet_inet6 *a6, size_t n);

#endif
