/*
 * For t_dns and t_route: a DNS packet builder, and a tiny recursive
 * resolver's stand-in on 127.0.0.1 (UDP and TCP on one port, in a child
 * process) that answers from a table of records, with dns_resolv_conf
 * and dns_port pointed at it.
 *
 * The table: { name, type, data }, type ns_t_mx ("10 mx1.test"),
 * ns_t_a, ns_t_aaaa (an address), ns_t_cname (the target), or one of
 * the FAKE_ kinds below for name.  A name with no row is NXDOMAIN; a
 * name with rows but none of the type asked is NODATA.  CNAMEs are
 * followed as a resolver does, the chain put in the answer (20 links at
 * most, so that a loop ends).  An answer over 512 bytes goes over UDP
 * truncated (TC, no records), and whole over TCP.
 */
#ifndef HIKYAKU_FAKEDNS_H
#define HIKYAKU_FAKEDNS_H

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dns.h"

#define FAKE_SERVFAIL	-1	/* SERVFAIL for every question of name */
#define FAKE_DROP	-2	/* no answer at all (a timeout) */
#define FAKE_TC		-3	/* truncated over UDP even when small */
#define FAKE_TCPFAIL	-4	/* truncated over UDP, TCP closed at once */
#define FAKE_EXISTS	-5	/* the name exists (NODATA) */
#define FAKE_SPOOF	-6	/* a reply with a wrong id first */
#define FAKE_SERVFAIL6	-7	/* SERVFAIL for AAAA only */

struct fake_rr {
	const char	*name;
	int		 type;
	const char	*data;
};

struct pkt {
	unsigned char	 b[65536];
	size_t		 n;
};

static void
put16(struct pkt *p, unsigned v)
{
	p->b[p->n++] = (unsigned char)(v >> 8);
	p->b[p->n++] = (unsigned char)v;
}

static void
put32(struct pkt *p, unsigned long v)
{
	put16(p, (unsigned)(v >> 16));
	put16(p, (unsigned)(v & 0xffff));
}

/* A name as labels ("" or "." is the root). */
static void
put_name(struct pkt *p, const char *s)
{
	const char	*dot;
	size_t		 l;

	while (*s != '\0' && strcmp(s, ".") != 0) {
		dot = strchr(s, '.');
		l = dot != NULL ? (size_t)(dot - s) : strlen(s);
		p->b[p->n++] = (unsigned char)l;
		memcpy(p->b + p->n, s, l);
		p->n += l;
		s += l + (dot != NULL);
	}
	p->b[p->n++] = 0;
}

static void
put_header(struct pkt *p, unsigned id, unsigned flags, unsigned qd,
    unsigned an, unsigned ns, unsigned ar)
{
	p->n = 0;
	put16(p, id);
	put16(p, flags);
	put16(p, qd);
	put16(p, an);
	put16(p, ns);
	put16(p, ar);
}

static void
set16(struct pkt *p, size_t at, unsigned v)
{
	p->b[at] = (unsigned char)(v >> 8);
	p->b[at + 1] = (unsigned char)v;
}

/* A record's owner, type, class IN, TTL: returns where rdlength goes;
   rr_end fills it. */
static size_t
rr_begin(struct pkt *p, const char *name, unsigned type)
{
	size_t	 at;

	put_name(p, name);
	put16(p, type);
	put16(p, ns_c_in);
	put32(p, 300);
	at = p->n;
	put16(p, 0);
	return at;
}

static void
rr_end(struct pkt *p, size_t at)
{
	set16(p, at, (unsigned)(p->n - at - 2));
}

/* A whole record from its text form, as the table has it. */
static void
put_rr(struct pkt *p, const char *name, int type, const char *data)
{
	size_t	 at = rr_begin(p, name, (unsigned)type);
	char	*end;

	if (type == ns_t_mx) {
		put16(p, (unsigned)strtoul(data, &end, 10));
		put_name(p, end + (*end == ' '));
	} else if (type == ns_t_a) {
		inet_pton(AF_INET, data, p->b + p->n);
		p->n += 4;
	} else if (type == ns_t_aaaa) {
		inet_pton(AF_INET6, data, p->b + p->n);
		p->n += 16;
	} else
		put_name(p, data);
	rr_end(p, at);
}

/* The question of query q: its name (dotted), type, and end. */
static size_t
fake_question(const unsigned char *q, size_t n, char *name, int *type)
{
	size_t	 i = 12, o = 0;

	while (i < n && q[i] != 0 && o < 250) {
		if (o > 0)
			name[o++] = '.';
		memcpy(name + o, q + i + 1, q[i]);
		o += q[i];
		i += q[i] + 1;
	}
	name[o] = '\0';
	*type = q[i + 1] << 8 | q[i + 2];
	return i + 5;
}

static const struct fake_rr *fake_table;

static int
fake_has(const char *name, int type)
{
	const struct fake_rr	*r;

	for (r = fake_table; r->name != NULL; r++)
		if (strcasecmp(r->name, name) == 0 &&
		    (type == 0 || r->type == type))
			return 1;
	return 0;
}

/* The reply to query q into p; 0 to send none. */
static int
fake_reply(const unsigned char *q, size_t ql, int tcp, struct pkt *p)
{
	const struct fake_rr	*r;
	char			 name[256], cur[256];
	size_t			 qend;
	int			 type, an = 0, hops, rcode = 0, more;

	qend = fake_question(q, ql, name, &type);
	if (fake_has(name, FAKE_DROP))
		return 0;
	put_header(p, (unsigned)(q[0] << 8 | q[1]), 0x8180, 1, 0, 0, 0);
	memcpy(p->b + 12, q + 12, qend - 12);
	p->n = qend;
	if (fake_has(name, FAKE_SERVFAIL) || (type == ns_t_aaaa &&
	    fake_has(name, FAKE_SERVFAIL6))) {
		p->b[3] = 0x82;
		return 1;
	}
	if (!tcp && (fake_has(name, FAKE_TC) || fake_has(name, FAKE_TCPFAIL))) {
		p->b[2] |= 0x02;
		return 1;
	}
	if (tcp && fake_has(name, FAKE_TCPFAIL))
		return 0;
	snprintf(cur, sizeof(cur), "%s", name);
	for (hops = 0; hops < 20; hops++) {
		more = 0;
		for (r = fake_table; r->name != NULL; r++)
			if (strcasecmp(r->name, cur) == 0 && r->type == type) {
				put_rr(p, r->name, r->type, r->data);
				an++;
			}
		if (an > 0 || type == ns_t_cname)
			break;
		for (r = fake_table; r->name != NULL && !more; r++)
			if (strcasecmp(r->name, cur) == 0 &&
			    r->type == ns_t_cname) {
				put_rr(p, r->name, r->type, r->data);
				an++;
				snprintf(cur, sizeof(cur), "%s", r->data);
				more = 1;
			}
		if (!more)
			break;
	}
	if (!fake_has(cur, 0))
		rcode = 3;
	p->b[3] = (unsigned char)(0x80 | rcode);
	set16(p, 6, (unsigned)an);
	if (!tcp && p->n > 512) {
		p->n = qend;
		set16(p, 6, 0);
		p->b[2] |= 0x02;
	}
	return 1;
}

static void
fake_tcp(int ls)
{
	unsigned char	 q[514], lb[2];
	struct pkt	*p = malloc(sizeof(*p));
	struct pollfd	 pf;
	int		 fd;
	ssize_t		 k, got = 0;

	if ((fd = accept(ls, NULL, NULL)) == -1 || p == NULL)
		goto out;
	pf.fd = fd;
	pf.events = POLLIN;
	while (got < 2 && poll(&pf, 1, 2000) == 1 &&
	    (k = read(fd, q + got, sizeof(q) - (size_t)got)) > 0)
		got += k;
	while (got >= 2 && got < 2 + (q[0] << 8 | q[1]) &&
	    poll(&pf, 1, 2000) == 1 &&
	    (k = read(fd, q + got, sizeof(q) - (size_t)got)) > 0)
		got += k;
	if (got < 2 || got != 2 + (q[0] << 8 | q[1]) ||
	    !fake_reply(q + 2, (size_t)got - 2, 1, p))
		goto out;
	lb[0] = (unsigned char)(p->n >> 8);
	lb[1] = (unsigned char)p->n;
	if (write(fd, lb, 2) == 2 && write(fd, p->b, p->n) < 0)
		goto out;
out:
	if (fd != -1)
		close(fd);
	free(p);
}

static void
fake_serve(int us, int ls)
{
	struct pollfd		 pf[2] = { { us, POLLIN, 0 }, { ls, POLLIN, 0 } };
	struct sockaddr_storage	 from;
	socklen_t		 fl;
	unsigned char		 q[512];
	static struct pkt	 p;
	ssize_t			 n;
	char			 name[256];
	int			 type;

	for (;;) {
		if (poll(pf, 2, -1) < 1)
			continue;
		if (pf[1].revents & POLLIN)
			fake_tcp(ls);
		if (!(pf[0].revents & POLLIN))
			continue;
		fl = sizeof(from);
		if ((n = recvfrom(us, q, sizeof(q), 0, (struct sockaddr *)&from,
		    &fl)) < 12 || !fake_reply(q, (size_t)n, 0, &p))
			continue;
		fake_question(q, (size_t)n, name, &type);
		if (fake_has(name, FAKE_SPOOF)) {
			p.b[1] ^= 1;
			sendto(us, p.b, p.n, 0, (struct sockaddr *)&from, fl);
			p.b[1] ^= 1;
		}
		sendto(us, p.b, p.n, 0, (struct sockaddr *)&from, fl);
	}
}

/*
 * Start the server on table t, on 127.0.0.1 at a free port (the same
 * for UDP and TCP), and point the dns module at it through a
 * resolv.conf at path (timeout 1 s, one attempt).  Returns its pid.
 */
static pid_t
fake_start(const struct fake_rr *t, const char *path)
{
	struct sockaddr_in	 sa;
	socklen_t		 sl = sizeof(sa);
	int			 us, ls, one = 1, tries;
	pid_t			 pid;
	FILE			*f;

	for (tries = 0; tries < 50; tries++) {
		us = socket(AF_INET, SOCK_DGRAM, 0);
		ls = socket(AF_INET, SOCK_STREAM, 0);
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(us, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		    getsockname(us, (struct sockaddr *)&sa, &sl) == 0 &&
		    bind(ls, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		    listen(ls, 16) == 0)
			break;
		close(us);
		close(ls);
	}
	fake_table = t;
	if ((pid = fork()) == 0) {
		/* gone with the test, even when it bails out */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		fake_serve(us, ls);
		_exit(0);
	}
	close(us);
	close(ls);
	dns_port = ntohs(sa.sin_port);
	if ((f = fopen(path, "w")) != NULL) {
		fprintf(f, "# test\nnameserver 127.0.0.1\n"
		    "options timeout:1 attempts:1\n");
		fclose(f);
	}
	dns_resolv_conf = path;
	return pid;
}

static void
fake_stop(pid_t pid, const char *path)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(path);
}

#endif
