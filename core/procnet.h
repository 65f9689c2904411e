/*
 * The kernel's socket, route and interface tables as /proc shows them
 * (net/tcp, tcp6, udp, udp6, raw, unix, route, dev, if_inet6), and the
 * map from a socket's inode to the process holding it (/proc/PID/fd).
 * Parsers take one line and fill a struct; nothing here prints.
 */
#ifndef HIKYAKU_PROCNET_H
#define HIKYAKU_PROCNET_H

#include <stddef.h>

#include "buf.h"

#define PROCNET_IFNAME		16	/* interface name incl. NUL (IFNAMSIZ) */
#define PROCNET_PROG		20	/* "PID/program" incl. NUL, as net-tools */
#define PROCNET_CMDLINE		512	/* bytes of /proc/PID/cmdline looked at */

/* Read a whole (proc) file into b, replacing its contents.  0 or -1. */
int	procnet_slurp(const char *path, struct buf *b);

/* The next line of [*p, end): its start, its length without the
   newline in *len; NULL at the end.  Advances *p. */
const char *procnet_line(const char **p, const char *end, size_t *len);

/* One line of net/tcp, tcp6, udp, udp6, raw or raw6. */
struct procnet_sock {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 laddr[16];	/* network order; IPv4 in the first 4 */
	unsigned char	 raddr[16];
	unsigned	 lport, rport;
	unsigned	 state;
	unsigned long	 txq, rxq;
	unsigned long	 uid;
	unsigned long	 inode;
};
/* 0, or -1 for a line that is not a socket (a header, or garbage). */
int	procnet_inet_line(const char *line, size_t len, struct procnet_sock *s);

/*
 * The same sockets from the kernel's sock_diag netlink interface: far
 * cheaper for the kernel than the text of net/tcp, in the same order.
 * Calls cb for each TCP socket of family (AF_INET or AF_INET6), with
 * Send-Q 0 for listeners as net/tcp shows them.  0, or -1 with errno
 * (no sock_diag here: read net/tcp instead); -1 also when cb does.
 */
int	procnet_tcp_diag(int family,
	    int (*cb)(const struct procnet_sock *, void *), void *arg);
/* One inet_diag_msg payload of len bytes; 0 or -1. */
int	procnet_diag_msg(const unsigned char *m, size_t len,
	    struct procnet_sock *s);

/* One line of net/unix. */
struct procnet_unix {
	unsigned long	 refcnt, proto, flags, inode;
	unsigned	 type, state;
	const char	*path;		/* into the line; up to the first blank */
	size_t		 pathlen;
};
#define PROCNET_SO_ACCEPTCON	(1UL << 16)
#define PROCNET_SO_WAITDATA	(1UL << 17)
#define PROCNET_SO_NOSPACE	(1UL << 18)
int	procnet_unix_line(const char *line, size_t len, struct procnet_unix *u);

/* One line of net/route. */
struct procnet_route {
	char		 iface[PROCNET_IFNAME];
	unsigned char	 dst[4], gw[4], mask[4];	/* network order */
	unsigned	 flags;
	long		 refcnt, use, metric, mtu, window, irtt;
};
int	procnet_route_line(const char *line, size_t len, struct procnet_route *r);

/* One interface line of net/dev. */
struct procnet_dev {
	char			 name[PROCNET_IFNAME];
	unsigned long long	 rx_bytes, rx_packets, rx_errs, rx_drop,
				 rx_fifo, rx_frame, rx_compressed, rx_multicast;
	unsigned long long	 tx_bytes, tx_packets, tx_errs, tx_drop,
				 tx_fifo, tx_colls, tx_carrier, tx_compressed;
};
int	procnet_dev_line(const char *line, size_t len, struct procnet_dev *d);

/* One line of net/if_inet6. */
struct procnet_inet6 {
	unsigned char	 addr[16];
	unsigned	 ifindex, plen, scope, flags;
	char		 name[PROCNET_IFNAME];
};
int	procnet_inet6_line(const char *line, size_t len, struct procnet_inet6 *a);

/* An address as glibc's inet_ntop writes it (so that output matches
   tools built on glibc): IPv6 with the longest run of zero groups as
   "::", and ::a.b.c.d / ::ffff:a.b.c.d in dotted form.  len >= 46. */
void	procnet_ntop(int family, const unsigned char *a, char *buf, size_t len);

/* What an interface's ioctls say (SIOCGIF*). */
struct procnet_iface {
	int		 flags, mtu, metric, txqlen;	/* txqlen -1: unknown */
	int		 hwtype;
	unsigned char	 hwaddr[8];
	int		 has_ip;
	unsigned char	 addr[4], netmask[4], broadaddr[4], dstaddr[4];
	unsigned long	 map_mem_start, map_mem_end;
	unsigned	 map_base, map_irq, map_dma;
};
/* The names of the interfaces that have an IPv4 address (SIOCGIFCONF),
   each PROCNET_IFNAME bytes, appended to b; their number or -1. */
int	procnet_iface_names(int sock, struct buf *b);
/* Fill f for the interface name with the socket sock; 0 or -1. */
int	procnet_iface_get(int sock, const char *name, struct procnet_iface *f);

/* Which process holds which socket: "PID/program" per inode. */
struct procnet_owners {
	unsigned long	*keys;		/* inode; 0: empty slot */
	unsigned	*vals;		/* offset into names */
	size_t		 size, used;
	struct buf	 names;
	int		 denied;	/* a process's fds could not be read */
};
/* Walk /proc (or another root, for tests).  The first process seen
   holding an inode wins, as with net-tools.  0, or -1 when root
   itself could not be read. */
int	procnet_owners_load(struct procnet_owners *o, const char *root);
/* "PID/program", or NULL when unknown. */
const char *procnet_owner(const struct procnet_owners *o, unsigned long inode);
void	procnet_owners_free(struct procnet_owners *o);
/* The "PID/program" text net-tools shows: cmdline's first word (its
   base name when it is an absolute path), cut to PROCNET_PROG - 1. */
void	procnet_progname(const char *pid, const char *cmdline, size_t len,
	    char *out, size_t outlen);

#endif
