/*
 * hikyaku.conf: defaults, parsing and validation.
 *
 * The key table below is the one source of the key names, defaults and
 * help texts: `hikyaku --config` prints it, and a test checks README.md
 * against that output so that the two cannot drift.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "conf.h"
#include "limits.h"
#include "str.h"

typedef int (*setter)(struct conf *, const char *, char *, size_t);

struct key {
	const char	*name;
	const char	*def;
	const char	*help;
	setter		 set;
};

static const char *conf_dir;	/* directory of the file being loaded */

static int bad(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
bad(char *err, size_t len, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

static int
valid_domain(const char *d)
{
	size_t	 len = strlen(d), label = 0;
	const char *p;

	if (len == 0 || len > LIM_DOMAIN || d[0] == '.' || d[len - 1] == '.')
		return 0;
	for (p = d; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0 || p[-1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-')
			return 0;
		if (label == 0 && *p == '-')
			return 0;
		if (++label > 63)
			return 0;
	}
	return 1;
}

static int
valid_login(const char *s)
{
	size_t	 n = strlen(s);

	if (n == 0 || n > LIM_USER || s[0] == '-')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("._-", *s) == NULL)
			return 0;
	return 1;
}

/* Resolve a relative path against the directory of the config file. */
static int
set_path_to(char **dst, const char *v, char *err, size_t len)
{
	char	 p[LIM_PATH];

	if (*v == '\0')
		return bad(err, len, "empty path%s", "");
	if (strchr(v, '\n') != NULL)
		return bad(err, len, "bad path '%s'", v);
	if (v[0] == '/' || v[0] == '%' || conf_dir == NULL)
		return str_set(dst, v);
	if ((size_t)snprintf(p, sizeof(p), "%s/%s", conf_dir, v) >= sizeof(p))
		return bad(err, len, "path too long: '%s'", v);
	return str_set(dst, p);
}

#define PATHKEY(field) \
static int set_##field(struct conf *c, const char *v, char *e, size_t l) \
{ return set_path_to(&c->field, v, e, l); }
PATHKEY(spool)
PATHKEY(aliases)
PATHKEY(passwd)
PATHKEY(relay_auth)
PATHKEY(tls_cert)
PATHKEY(tls_key)
PATHKEY(tls_ca)

static int
set_optpath(char **dst, const char *v, char *err, size_t len)
{
	if (*v == '\0') {
		free(*dst);
		*dst = NULL;
		return 0;
	}
	return set_path_to(dst, v, err, len);
}

static int
set_hostname(struct conf *c, const char *v, char *err, size_t len)
{
	if (!valid_domain(v))
		return bad(err, len, "bad hostname '%s'", v);
	if (str_set(&c->hostname, v) == -1)
		return -1;
	str_lower(c->hostname);
	return 0;
}

/* Split v into words; call f on each.  Words longer than the line can't be. */
static int
each_word(const char *v, int (*f)(const char *, void *), void *arg)
{
	char	 w[LIM_CONF_VALUE + 1];
	size_t	 n;

	for (;;) {
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		if (*v == '\0')
			return 0;
		for (n = 0; v[n] && v[n] != ' ' && v[n] != '\t' && v[n] != ','; n++)
			;
		if (n >= sizeof(w))
			return -1;
		memcpy(w, v, n);
		w[n] = '\0';
		if (f(w, arg) == -1)
			return -1;
		v += n;
	}
}

struct dom_ctx {
	struct conf	*c;
	char		 out[LIM_CONF_VALUE * 2];
	const char	*bad;
	char		 badw[LIM_CONF_VALUE + 1];
	int		 host;		/* $hostname seen */
};

/*
 * "$hostname" is the hostname in force at the end of the file, which
 * is not known yet while the file is read (the key may come later, or
 * never): it is left out then, and finish() reads domains again.  It
 * counts once, so that the value cannot grow past out[].
 */
static int
add_domain(const char *w, void *arg)
{
	struct dom_ctx	*d = arg;
	const char	*name = w;
	size_t		 n = strlen(d->out);

	if (strcmp(w, "$hostname") == 0) {
		if (d->host++ || d->c->hostname == NULL)
			return 0;
		name = d->c->hostname;
	} else if (!valid_domain(w)) {
		snprintf(d->badw, sizeof(d->badw), "%s", w);
		return -1;
	}
	if (n + strlen(name) + 2 >= sizeof(d->out))
		return -1;
	snprintf(d->out + n, sizeof(d->out) - n, "%s%s", n ? " " : "", name);
	return 0;
}

static int
set_domains(struct conf *c, const char *v, char *err, size_t len)
{
	struct dom_ctx	 d;

	memset(&d, 0, sizeof(d));
	d.c = c;
	if (each_word(v, add_domain, &d) == -1)
		return bad(err, len, "bad domain '%s'", d.badw[0] ? d.badw : v);
	return str_set(&c->domains, str_lower(d.out));
}

static int
set_mailbox(struct conf *c, const char *v, char *err, size_t len)
{
	const char	*p;

	if (strncmp(v, "mbox:", 5) == 0) {
		c->mailbox_kind = MAILBOX_MBOX;
		v += 5;
	} else if (strncmp(v, "maildir:", 8) == 0) {
		c->mailbox_kind = MAILBOX_MAILDIR;
		v += 8;
	} else
		return bad(err, len, "bad mailbox '%s' (want mbox:PATH or "
		    "maildir:PATH)", v);
	for (p = v; *p != '\0'; p++)
		if (*p == '%' && (p[1] != 'u' && p[1] != 'h' && p[1] != '%'))
			return bad(err, len, "bad mailbox '%s' (only %%u, %%h "
			    "and %%%% may follow %%)", v);
		else if (*p == '%')
			p++;
	if (strstr(v, "%u") == NULL && strstr(v, "%h") == NULL)
		return bad(err, len, "bad mailbox '%s' (needs %%u or %%h)", v);
	return set_path_to(&c->mailbox, v, err, len);
}

/* host:port, [v6]:port, or *:port, into a (host "" for *).  0 or -1. */
static int
parse_hostport(const char *w, struct conf_addr *a)
{
	const char	*colon, *p, *h = w;
	long		 port;
	char		*end;
	size_t		 hl;

	if (w[0] == '[') {
		if ((p = strchr(w, ']')) == NULL || p[1] != ':')
			return -1;
		colon = p + 1;
		h = w + 1;
		hl = (size_t)(p - h);
	} else if ((colon = strrchr(w, ':')) == NULL || colon == w)
		return -1;
	else
		hl = (size_t)(colon - w);
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || *end != '\0' || port < 1 || port > 65535 || colon[1] == '\0')
		return -1;
	if (hl == 0 || hl >= sizeof(a->host))
		return -1;
	memcpy(a->host, h, hl);
	a->host[hl] = '\0';
	if (strcmp(a->host, "*") == 0)
		a->host[0] = '\0';
	a->port = (unsigned short)port;
	return 0;
}

static int
check_hostport(const char *w, void *arg)
{
	struct conf_addr	 a;

	(void)arg;
	return parse_hostport(w, &a);
}

/* Words parsed one by one into a growing array of size-byte items. */
struct list {
	void	*v;
	int	 n;
	size_t	 size;
	int	 max;
	int	(*parse)(const char *, void *);
};

static int
add_item(const char *w, void *arg)
{
	struct list	*l = arg;
	char		*v;

	if (l->n >= l->max || (v = realloc(l->v, l->size *
	    ((size_t)l->n + 1))) == NULL)
		return -1;
	l->v = v;
	if (l->parse(w, v + l->size * (size_t)l->n) == -1)
		return -1;
	l->n++;
	return 0;
}

/* The whole value into l, or -1 (l->v freed). */
static int
parse_list(const char *text, struct list *l)
{
	if (each_word(text, add_item, l) == 0)
		return 0;
	free(l->v);
	l->v = NULL;
	return -1;
}

static int
hostport_item(const char *w, void *a)
{
	return parse_hostport(w, a);
}

static int
set_addrs(struct conf_addrs *dst, const char *v, char *e, size_t l)
{
	struct list	 n = { NULL, 0, sizeof(struct conf_addr),
			    LIM_LISTENERS, hostport_item };

	if (parse_list(v, &n) == -1)
		return bad(e, l, "bad address '%s' (want host:port or "
		    "[v6]:port, at most %d)", v, LIM_LISTENERS);
	free(dst->v);
	dst->v = n.v;
	dst->n = n.n;
	return 0;
}

#define LISTKEY(field) \
static int set_##field(struct conf *c, const char *v, char *e, size_t l) \
{ return set_addrs(&c->field, v, e, l); }
LISTKEY(listen)
LISTKEY(submission)
LISTKEY(smtps)
LISTKEY(pop3)
LISTKEY(pop3s)

/* a.b.c.d[/n] or [v6][/n] (or v6[/n]) into net, masked.  0 or -1. */
static int
parse_cidr(const char *w, struct conf_net *net)
{
	char		 a[64];
	const char	*slash = strchr(w, '/');
	long		 bits = -1, max;
	char		*end;
	size_t		 n = slash ? (size_t)(slash - w) : strlen(w);

	if (n == 0 || n >= sizeof(a))
		return -1;
	memcpy(a, w, n);
	a[n] = '\0';
	if (a[0] == '[' && a[n - 1] == ']') {
		memmove(a, a + 1, n - 2);
		a[n - 2] = '\0';
	}
	memset(net, 0, sizeof(*net));
	net->family = strchr(a, ':') ? AF_INET6 : AF_INET;
	max = net->family == AF_INET6 ? 128 : 32;
	if (inet_pton(net->family, a, net->addr) != 1)
		return -1;
	bits = max;
	if (slash != NULL) {
		errno = 0;
		bits = strtol(slash + 1, &end, 10);
		if (errno || *end != '\0' || slash[1] == '\0' || bits < 0 ||
		    bits > max)
			return -1;
	}
	net->bits = (int)bits;
	for (long i = bits; i < max; i++)	/* the host part is not kept */
		net->addr[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
	return 0;
}

static int
cidr_item(const char *w, void *net)
{
	return parse_cidr(w, net);
}

static int
set_mynetworks(struct conf *c, const char *v, char *err, size_t len)
{
	struct list	 n = { NULL, 0, sizeof(struct conf_net), LIM_NETWORKS,
			    cidr_item };

	if (parse_list(v, &n) == -1)
		return bad(err, len, "bad network in '%s' (want a.b.c.d/n or "
		    "[v6]/n, at most %d)", v, LIM_NETWORKS);
	free(c->mynetworks);
	c->mynetworks = n.v;
	c->nmynetworks = n.n;
	return 0;
}

static int
in_net(const struct conf_net *net, int family, const unsigned char *a)
{
	int	 full = net->bits / 8, rest = net->bits % 8;

	if (net->family != family)
		return 0;
	if (memcmp(net->addr, a, (size_t)full) != 0)
		return 0;
	return rest == 0 || ((a[full] ^ net->addr[full]) &
	    (unsigned char)(0xff00 >> rest)) == 0;
}

int
conf_in_mynetworks(const struct conf *c, int family, const void *addr)
{
	static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0xff, 0xff };
	const unsigned char	*a = addr;

	/* ::ffff:a.b.c.d is a.b.c.d */
	if (family == AF_INET6 && memcmp(a, v4mapped, 12) == 0) {
		family = AF_INET;
		a += 12;
	}
	for (int i = 0; i < c->nmynetworks; i++)
		if (in_net(&c->mynetworks[i], family, a))
			return 1;
	return 0;
}

static int
set_relayhost(struct conf *c, const char *v, char *err, size_t len)
{
	char	 h[LIM_DOMAIN + 8];
	char	*colon;

	if (*v == '\0')
		return set_optpath(&c->relayhost, v, err, len);
	if (v[0] == '[') {
		if (check_hostport(v, NULL) == -1 && (strchr(v, ']') == NULL ||
		    strchr(v, ']')[1] != '\0'))
			return bad(err, len, "bad relayhost '%s' (want [host]:port "
			    "or host)", v);
	} else {
		if (strlen(v) >= sizeof(h))
			return bad(err, len, "bad relayhost '%s'", v);
		strcpy(h, v);
		if ((colon = strchr(h, ':')) != NULL) {
			if (check_hostport(v, NULL) == -1)
				return bad(err, len, "bad relayhost '%s'", v);
			*colon = '\0';
		}
		if (!valid_domain(h))
			return bad(err, len, "bad relayhost '%s'", v);
	}
	return str_set(&c->relayhost, v);
}

static int
set_relay_auth_opt(struct conf *c, const char *v, char *e, size_t l)
{
	return *v ? set_relay_auth(c, v, e, l) : set_optpath(&c->relay_auth, v, e, l);
}

static int
set_tls(struct conf *c, const char *v, char *err, size_t len)
{
	static const char *const names[] = { "none", "may", "encrypt", "verify" };

	for (int i = 0; i < 4; i++)
		if (strcmp(v, names[i]) == 0) {
			c->tls = (enum conf_tls)i;
			return 0;
		}
	return bad(err, len, "bad tls '%s' (want none, may, encrypt or verify)", v);
}

static int
set_tls_cert_opt(struct conf *c, const char *v, char *e, size_t l)
{
	return *v ? set_tls_cert(c, v, e, l) : set_optpath(&c->tls_cert, v, e, l);
}

static int
set_tls_key_opt(struct conf *c, const char *v, char *e, size_t l)
{
	return *v ? set_tls_key(c, v, e, l) : set_optpath(&c->tls_key, v, e, l);
}

static int
set_auth_users(struct conf *c, const char *v, char *err, size_t len)
{
	if (strcmp(v, "shadow") == 0)
		return str_set(&c->auth_users, v);
	return set_optpath(&c->auth_users, v, err, len);
}

int
conf_parse_size(const char *s, off_t *out)
{
	char		*end;
	unsigned long long n;
	unsigned long long mul = 1;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': mul = 1024; end++; break;
	case 'm': case 'M': mul = 1024 * 1024; end++; break;
	case 'g': case 'G': mul = 1024ULL * 1024 * 1024; end++; break;
	default: return -1;
	}
	if (*end != '\0' || n == 0 || n > (1ULL << 40) / mul)
		return -1;
	*out = (off_t)(n * mul);
	return 0;
}

int
conf_parse_time(const char *s, time_t *out)
{
	char		*end;
	unsigned long	 n, mul = 1;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case '\0': case 's': break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	case 'w': mul = 7 * 86400; break;
	default: return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (n > 10UL * 365 * 86400 / mul)
		return -1;
	*out = (time_t)(n * mul);
	return 0;
}

static int
set_max_size(struct conf *c, const char *v, char *err, size_t len)
{
	if (conf_parse_size(v, &c->max_size) == -1)
		return bad(err, len, "bad size '%s' (want a number with k, M "
		    "or G)", v);
	return 0;
}

static int
set_int(int *dst, const char *v, long max, char *err, size_t len)
{
	char	*end;
	long	 n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end != '\0' || !isdigit((unsigned char)*v) || n < 1 ||
	    n > max) {
		snprintf(err, len, "bad number '%s' (want 1 to %ld)", v, max);
		return -1;
	}
	*dst = (int)n;
	return 0;
}

static int set_max_rcpt(struct conf *c, const char *v, char *e, size_t l)
{ return set_int(&c->max_rcpt, v, LIM_RCPT_HARD, e, l); }
static int set_max_clients(struct conf *c, const char *v, char *e, size_t l)
{ return set_int(&c->max_clients, v, 10000, e, l); }
static int set_max_per_ip(struct conf *c, const char *v, char *e, size_t l)
{ return set_int(&c->max_per_ip, v, 10000, e, l); }

struct retry_ctx {
	struct conf	*c;
	int		 n;
};

static int
add_retry(const char *w, void *arg)
{
	struct retry_ctx *r = arg;
	time_t		 t;

	if (r->n >= LIM_RETRY || conf_parse_time(w, &t) == -1 || t == 0)
		return -1;
	r->c->retry[r->n++] = t;
	return 0;
}

static int
set_retry(struct conf *c, const char *v, char *err, size_t len)
{
	struct retry_ctx r = { c, 0 };

	if (each_word(v, add_retry, &r) == -1 || r.n == 0) {
		snprintf(err, len, "bad retry '%s' (want 1 to %d times such as "
		    "5m 1h)", v, LIM_RETRY);
		return -1;
	}
	c->nretry = r.n;
	return 0;
}

static int
set_time(time_t *dst, const char *v, int zero_ok, char *err, size_t len)
{
	if (zero_ok && *v == '\0') {
		*dst = 0;
		return 0;
	}
	if (conf_parse_time(v, dst) == -1 || (!zero_ok && *dst == 0))
		return bad(err, len, "bad time '%s' (want a number with s, m, "
		    "h, d or w)", v);
	return 0;
}

static int set_queue_lifetime(struct conf *c, const char *v, char *e, size_t l)
{ return set_time(&c->queue_lifetime, v, 0, e, l); }
static int set_command_timeout(struct conf *c, const char *v, char *e, size_t l)
{ return set_time(&c->command_timeout, v, 0, e, l); }
static int set_delay_warning(struct conf *c, const char *v, char *e, size_t l)
{ return set_time(&c->delay_warning, v, 1, e, l); }

#define SMTP_TIMEOUT(field, i) \
static int set_##field(struct conf *c, const char *v, char *e, size_t l) \
{ return set_time(&c->smtp_timeout[i], v, 0, e, l); }
SMTP_TIMEOUT(smtp_connect_timeout, SMTP_T_CONNECT)
SMTP_TIMEOUT(smtp_helo_timeout, SMTP_T_HELO)
SMTP_TIMEOUT(smtp_mail_timeout, SMTP_T_MAIL)
SMTP_TIMEOUT(smtp_rcpt_timeout, SMTP_T_RCPT)
SMTP_TIMEOUT(smtp_data_init_timeout, SMTP_T_DATA_INIT)
SMTP_TIMEOUT(smtp_data_xfer_timeout, SMTP_T_DATA_XFER)
SMTP_TIMEOUT(smtp_data_done_timeout, SMTP_T_DATA_DONE)

static int
set_login(char **dst, const char *v, char *err, size_t len)
{
	if (!valid_login(v))
		return bad(err, len, "bad user name '%s'", v);
	return str_set(dst, v);
}

static int set_user(struct conf *c, const char *v, char *e, size_t l)
{ return set_login(&c->user, v, e, l); }
static int set_default_user(struct conf *c, const char *v, char *e, size_t l)
{ return set_login(&c->default_user, v, e, l); }

static int
set_allow(int *dst, const char *v, char *err, size_t len)
{
	char	 w[32];
	int	 bits = 0, n;
	const char *p = v;

	while (sscanf(p, " %31[a-z]%n", w, &n) == 1) {
		if (strcmp(w, "aliases") == 0)
			bits |= CONF_ALLOW_ALIASES;
		else if (strcmp(w, "forward") == 0)
			bits |= CONF_ALLOW_FORWARD;
		else if (strcmp(w, "both") == 0)
			bits |= CONF_ALLOW_ALIASES | CONF_ALLOW_FORWARD;
		else if (strcmp(w, "none") == 0 && p == v && p[n] == '\0')
			bits = 0;
		else
			break;
		p += n;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0' || p == v)
		return bad(err, len, "bad value '%s' (want aliases, forward, "
		    "both or none)", v);
	*dst = bits;
	return 0;
}

static int set_allow_commands(struct conf *c, const char *v, char *e, size_t l)
{ return set_allow(&c->allow_commands, v, e, l); }
static int set_allow_files(struct conf *c, const char *v, char *e, size_t l)
{ return set_allow(&c->allow_files, v, e, l); }

static int
set_masquerade(struct conf *c, const char *v, char *err, size_t len)
{
	if (*v == '\0') {
		free(c->masquerade);
		c->masquerade = NULL;
		return 0;
	}
	if (!valid_domain(v))
		return bad(err, len, "bad domain '%s'", v);
	return str_set(&c->masquerade, v);
}

static int
set_pop3_plaintext(struct conf *c, const char *v, char *err, size_t len)
{
	if (strcmp(v, "yes") == 0)
		c->pop3_plaintext = 1;
	else if (strcmp(v, "no") == 0)
		c->pop3_plaintext = 0;
	else
		return bad(err, len, "bad value '%s' (want yes or no)", v);
	return 0;
}

static int
set_log(struct conf *c, const char *v, char *err, size_t len)
{
	if (strcmp(v, "syslog") == 0 || strcmp(v, "stderr") == 0)
		return str_set(&c->log, v);
	return set_path_to(&c->log, v, err, len);
}

static const struct key keys[] = {
	{ "hostname", "the machine's FQDN", "EHLO name, Received, Message-ID, unqualified "
	    "senders", set_hostname },
	{ "domains", "$hostname localhost", "domains delivered locally",
	    set_domains },
	{ "spool", "/var/spool/hikyaku", "the queue", set_spool },
	{ "aliases", "/etc/aliases", "alias source; the database is the same "
	    "path + .db", set_aliases },
	{ "passwd", "/etc/passwd", "where local users are looked up",
	    set_passwd },
	{ "mailbox", "mbox:/var/mail/%u", "or maildir:%h/Maildir/ "
	    "(%u user, %h home)", set_mailbox },
	{ "listen", "127.0.0.1:25 [::1]:25", "SMTP listeners of mtad",
	    set_listen },
	{ "submission", "", "submission listeners (AUTH after STARTTLS)",
	    set_submission },
	{ "smtps", "", "implicit-TLS submission listeners", set_smtps },
	{ "pop3", "", "POP3 listeners of pop3d", set_pop3 },
	{ "pop3s", "", "POP3 over TLS listeners of pop3d", set_pop3s },
	{ "mynetworks", "127.0.0.0/8 [::1]/128", "clients allowed to relay "
	    "without AUTH", set_mynetworks },
	{ "relayhost", "", "smarthost: [host]:port or host", set_relayhost },
	{ "relay_auth", "", "file of 'host user password' lines",
	    set_relay_auth_opt },
	{ "tls", "may", "outbound TLS: none, may, encrypt, verify", set_tls },
	{ "tls_cert", "", "PEM certificate chain", set_tls_cert_opt },
	{ "tls_key", "", "PEM private key (RSA or EC)", set_tls_key_opt },
	{ "tls_ca", "/etc/ssl/certs/ca-certificates.crt", "trust anchors "
	    "for tls = verify", set_tls_ca },
	{ "auth_users", "", "user:crypt-hash lines, or 'shadow'",
	    set_auth_users },
	{ "max_size", "35M", "largest message accepted", set_max_size },
	{ "max_rcpt", "100", "recipients per message", set_max_rcpt },
	{ "max_clients", "50", "concurrent SMTP sessions", set_max_clients },
	{ "max_per_ip", "10", "concurrent SMTP sessions from one address",
	    set_max_per_ip },
	{ "retry", "5m 10m 20m 40m 1h", "waits between tries, the last "
	    "repeating", set_retry },
	{ "queue_lifetime", "5d", "then bounce", set_queue_lifetime },
	{ "user", "mail", "the unprivileged user daemons drop to", set_user },
	{ "default_user", "nobody", "runs alias |command and /file "
	    "destinations", set_default_user },
	{ "allow_commands", "aliases forward", "where |command destinations "
	    "are obeyed", set_allow_commands },
	{ "allow_files", "aliases forward", "where /file destinations are "
	    "obeyed", set_allow_files },
	{ "command_timeout", "1h", "limit for a |command delivery",
	    set_command_timeout },
	{ "smtp_connect_timeout", "30s", "outbound: TCP connection",
	    set_smtp_connect_timeout },
	{ "smtp_helo_timeout", "5m", "outbound: greeting, EHLO, STARTTLS, "
	    "AUTH replies", set_smtp_helo_timeout },
	{ "smtp_mail_timeout", "5m", "outbound: reply to MAIL FROM",
	    set_smtp_mail_timeout },
	{ "smtp_rcpt_timeout", "5m", "outbound: reply to RCPT TO",
	    set_smtp_rcpt_timeout },
	{ "smtp_data_init_timeout", "2m", "outbound: reply to DATA",
	    set_smtp_data_init_timeout },
	{ "smtp_data_xfer_timeout", "3m", "outbound: each block of the "
	    "message sent", set_smtp_data_xfer_timeout },
	{ "smtp_data_done_timeout", "10m", "outbound: reply to the final "
	    "dot", set_smtp_data_done_timeout },
	{ "masquerade", "", "domain replacing the local host in senders of "
	    "outgoing mail", set_masquerade },
	{ "delay_warning", "", "warn the sender of mail queued that long",
	    set_delay_warning },
	{ "pop3_plaintext", "no", "allow POP3 passwords without TLS",
	    set_pop3_plaintext },
	{ "log", "syslog", "syslog, stderr, or a file path", set_log },
};

#define NKEYS	((int)(sizeof(keys) / sizeof(keys[0])))

int conf_nkeys(void) { return NKEYS; }
const char *conf_key_name(int i) { return keys[i].name; }
const char *conf_key_default(int i) { return keys[i].def; }
const char *conf_key_help(int i) { return keys[i].help; }

const char *
conf_value(const struct conf *c, int i)
{
	if (c->raw[i] == NULL && keys[i].set == set_hostname)
		return c->hostname;
	return c->raw[i] != NULL ? c->raw[i] : keys[i].def;
}

/* The machine's name; a dotted name from /etc/hosts when it has no dot. */
static void
default_hostname(char *out, size_t len)
{
	char	 line[LIM_CONF_LINE], *tok, *save;
	FILE	*fp;
	int	 seen;

	if (gethostname(out, len) == -1 || out[0] == '\0')
		snprintf(out, len, "localhost");
	out[len - 1] = '\0';
	if (strchr(out, '.') != NULL || (fp = fopen("/etc/hosts", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "#\n")] = '\0';
		seen = 0;
		if (strtok_r(line, " \t", &save) == NULL)
			continue;
		while ((tok = strtok_r(NULL, " \t", &save)) != NULL)
			if (strcmp(tok, out) == 0)
				seen = 1;
		if (!seen)
			continue;
		/* the line names us: take its first dotted name */
		rewind(fp);
		break;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		char	*names[16];
		int	 n = 0, match = 0;

		line[strcspn(line, "#\n")] = '\0';
		if (strtok_r(line, " \t", &save) == NULL)
			continue;
		while (n < 16 && (tok = strtok_r(NULL, " \t", &save)) != NULL)
			names[n++] = tok;
		for (int i = 0; i < n; i++)
			if (strcmp(names[i], out) == 0)
				match = 1;
		for (int i = 0; match && i < n; i++)
			if (strchr(names[i], '.') != NULL &&
			    valid_domain(names[i])) {
				snprintf(out, len, "%s", names[i]);
				fclose(fp);
				return;
			}
	}
	fclose(fp);
}

static int
apply(struct conf *c, int i, const char *v, char *err, size_t len)
{
	char	*s;

	if (keys[i].set(c, v, err, len) == -1) {
		if (err[0] == '\0')
			snprintf(err, len, "%s", strerror(errno));
		return -1;
	}
	if ((s = strdup(v)) == NULL) {
		snprintf(err, len, "%s", strerror(errno));
		return -1;
	}
	free(c->raw[i]);
	c->raw[i] = s;
	return 0;
}

/* Every default but hostname and domains, which finish() sets last. */
static int
load_defaults(struct conf *c, char *err, size_t len)
{
	const char *saved = conf_dir;

	conf_dir = NULL;
	for (int i = 0; i < NKEYS; i++) {
		if (keys[i].set == set_hostname || keys[i].set == set_domains)
			continue;
		if (keys[i].set(c, keys[i].def, err, len) == -1) {
			conf_dir = saved;
			return -1;
		}
	}
	conf_dir = saved;
	return 0;
}

/*
 * The machine's name only when the file gave none (it costs a read of
 * /etc/hosts); then domains, as given or by default, with $hostname
 * the hostname in force.  The file's value was checked as it was read,
 * so only memory can fail here.
 */
static int
finish(struct conf *c, char *err, size_t len)
{
	char	 host[LIM_HOSTNAME + 1];

	for (int i = 0; i < NKEYS; i++) {
		if (c->raw[i] != NULL)
			continue;
		if (keys[i].set == set_hostname) {
			default_hostname(host, sizeof(host));
			if (!valid_domain(host))
				snprintf(host, sizeof(host), "localhost");
			if (set_hostname(c, host, err, len) == -1)
				return -1;
		}
	}
	for (int i = 0; i < NKEYS; i++)
		if (keys[i].set == set_domains &&
		    set_domains(c, conf_value(c, i), err, len) == -1)
			return -1;
	return 0;
}

static int
find_key(const char *name)
{
	for (int i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return i;
	return -1;
}

static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* One line, its length known (so a NUL cannot hide the rest of it);
   control characters other than TAB (and a CR before the LF) refused. */
static int
check_line(const char *line, size_t n, const char *path, int lineno,
    char *err, size_t len)
{
	if (n > LIM_CONF_LINE) {
		snprintf(err, len, "%s:%d: line longer than %d bytes", path,
		    lineno, LIM_CONF_LINE);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)line[i];

		if ((ch < 0x20 && ch != '\t' && !(ch == '\r' && i == n - 1)) ||
		    ch == 0x7f) {
			snprintf(err, len, "%s:%d: control character 0x%02x in "
			    "line", path, lineno, ch);
			return -1;
		}
	}
	return 0;
}

static int
parse_file(struct conf *c, FILE *fp, const char *path, char *err, size_t len)
{
	char	*line = NULL, what[LIM_ERR];
	char	*k, *v, *eq;
	int	 lineno = 0, i, r = -1;
	size_t	 cap = 0;
	ssize_t	 got;

	while ((got = getline(&line, &cap, fp)) != -1) {
		size_t n = (size_t)got;

		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (check_line(line, n, path, lineno, err, len) == -1)
			goto out;
		k = trim(line);
		if (*k == '#' || *k == '\0')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			snprintf(err, len, "%s:%d: expected 'key = value'",
			    path, lineno);
			goto out;
		}
		*eq = '\0';
		k = trim(k);
		v = trim(eq + 1);
		if ((i = find_key(k)) == -1) {
			snprintf(err, len, "%s:%d: unknown key '%.64s'", path,
			    lineno, k);
			goto out;
		}
		what[0] = '\0';
		if (apply(c, i, v, what, sizeof(what)) == -1) {
			snprintf(err, len, "%s:%d: %s: %s", path, lineno, k, what);
			goto out;
		}
		if (strcmp(k, "tls") == 0)
			c->tls_set = 1;
	}
	if (ferror(fp)) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		goto out;
	}
	r = 0;
out:
	free(line);
	return r;
}

int
conf_load(struct conf *c, const char *path, int must_exist, char *err,
    size_t len)
{
	char	 dir[LIM_PATH], *slash;
	FILE	*fp;
	int	 r;

	memset(c, 0, sizeof(*c));
	err[0] = '\0';
	if (load_defaults(c, err, len) == -1)
		return -1;
	if ((fp = fopen(path, "re")) == NULL) {
		if (errno == ENOENT && !must_exist)
			return finish(c, err, len);
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(c->file, sizeof(c->file), "%s", path);
	if (path[0] == '/')
		snprintf(dir, sizeof(dir), "%s", path);
	else if (getcwd(dir, sizeof(dir) - 1) == NULL ||
	    strlen(dir) + strlen(path) + 2 > sizeof(dir)) {
		fclose(fp);
		snprintf(err, len, "%s: cannot resolve directory", path);
		return -1;
	} else {
		strcat(dir, "/");
		strcat(dir, path);
	}
	if ((slash = strrchr(dir, '/')) == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	conf_dir = dir;
	r = parse_file(c, fp, path, err, len);
	conf_dir = NULL;
	fclose(fp);
	return r == -1 ? -1 : finish(c, err, len);
}

void
conf_free(struct conf *c)
{
	struct conf_addrs *lists[] = { &c->listen, &c->submission, &c->smtps,
	    &c->pop3, &c->pop3s };
	char	**strs[] = { &c->hostname, &c->domains, &c->spool, &c->aliases,
	    &c->passwd, &c->mailbox, &c->relayhost, &c->relay_auth,
	    &c->tls_cert, &c->tls_key, &c->tls_ca, &c->auth_users, &c->user,
	    &c->default_user, &c->masquerade, &c->log };

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		free(*strs[i]);
		*strs[i] = NULL;
	}
	for (int i = 0; i < NKEYS; i++) {
		free(c->raw[i]);
		c->raw[i] = NULL;
	}
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		free(lists[i]->v);
		lists[i]->v = NULL;
		lists[i]->n = 0;
	}
	free(c->mynetworks);
	c->mynetworks = NULL;
	c->nmynetworks = 0;
}

int
conf_is_local_domain(const struct conf *c, const char *domain)
{
	size_t		 n = strlen(domain);
	const char	*p = c->domains;

	while (p != NULL && *p != '\0') {
		size_t w = strcspn(p, " ");

		if (w == n && strncasecmp(p, domain, n) == 0)
			return 1;
		p += w;
		while (*p == ' ')
			p++;
	}
	return 0;
}
