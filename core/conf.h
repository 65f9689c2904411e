/*
 * The configuration file: "key = value" lines, "#" comments.  Every key
 * is optional; an unknown key or a bad value is an error naming the
 * file and line.  The key names are a contract (see README.md).
 */
#ifndef HIKYAKU_CONF_H
#define HIKYAKU_CONF_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "limits.h"

#define CONF_DEFAULT_PATH	"/etc/hikyaku.conf"

enum conf_tls { TLS_NONE, TLS_MAY, TLS_ENCRYPT, TLS_VERIFY };

/* The SMTP client's timeouts (RFC 5321 4.5.3.2), in Postfix's names. */
enum conf_smtp_timeout {
	SMTP_T_CONNECT,		/* smtp_connect_timeout: the TCP connection */
	SMTP_T_HELO,		/* smtp_helo_timeout: greeting, EHLO, TLS, AUTH */
	SMTP_T_MAIL,		/* smtp_mail_timeout: MAIL FROM */
	SMTP_T_RCPT,		/* smtp_rcpt_timeout: RCPT TO */
	SMTP_T_DATA_INIT,	/* smtp_data_init_timeout: DATA's 354 */
	SMTP_T_DATA_XFER,	/* smtp_data_xfer_timeout: each block sent */
	SMTP_T_DATA_DONE,	/* smtp_data_done_timeout: the final reply */
	SMTP_T_N
};

/* where |command and /file destinations are obeyed */
#define CONF_ALLOW_ALIASES	0x1
#define CONF_ALLOW_FORWARD	0x2

enum conf_mailbox { MAILBOX_MBOX, MAILBOX_MAILDIR };

/* A listener: host:port, [v6]:port or *:port (host "" for any). */
struct conf_addr {
	char		 host[LIM_DOMAIN + 1];
	unsigned short	 port;
};

struct conf_addrs {
	struct conf_addr *v;
	int		 n;
};

/* A network of mynetworks, its address masked to its prefix. */
struct conf_net {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];
	int		 bits;
};

struct conf {
	char	 file[LIM_PATH];	/* the file read, "" for defaults */
	char	*hostname;
	char	*domains;		/* space-separated, lower case */
	char	*spool;
	char	*aliases;
	char	*passwd;
	enum conf_mailbox mailbox_kind;
	char	*mailbox;		/* the template after "mbox:"/"maildir:" */
	struct conf_addrs listen;
	struct conf_addrs submission;
	struct conf_addrs smtps;
	struct conf_addrs pop3;
	struct conf_addrs pop3s;
	struct conf_net	*mynetworks;
	int	 nmynetworks;
	char	*relayhost;
	char	*relay_auth;
	enum conf_tls tls;
	int	 tls_set;		/* tls given in the file */
	char	*tls_cert;
	char	*tls_key;
	char	*tls_ca;
	char	*auth_users;
	off_t	 max_size;
	int	 max_rcpt;
	int	 max_clients;
	int	 max_per_ip;
	time_t	 retry[LIM_RETRY];
	int	 nretry;
	time_t	 queue_lifetime;
	char	*user;
	char	*default_user;
	int	 allow_commands;	/* CONF_ALLOW_* bits */
	int	 allow_files;
	time_t	 command_timeout;
	time_t	 smtp_timeout[SMTP_T_N];
	char	*masquerade;
	time_t	 delay_warning;		/* 0: none */
	int	 pop3_plaintext;
	char	*log;
	char	*raw[64];		/* each key's text, by table index */
};

/*
 * Load the defaults, then the file.  With must_exist 0 a missing file
 * means all defaults.  Returns 0, or -1 with "file:line: what" in err.
 */
int	 conf_load(struct conf *c, const char *path, int must_exist,
	    char *err, size_t errlen);
void	 conf_free(struct conf *c);

/* For listings: the number of keys, and each key's name and default. */
int	 conf_nkeys(void);
const char *conf_key_name(int i);
const char *conf_key_default(int i);
const char *conf_key_help(int i);
const char *conf_value(const struct conf *c, int i);

/* Is this client address (4 bytes for AF_INET, 16 for AF_INET6; a
   v4-mapped v6 address counts as v4) in mynetworks? */
int	 conf_in_mynetworks(const struct conf *c, int family,
	    const void *addr);

/* Is this (lower-case) domain delivered here? */
int	 conf_is_local_domain(const struct conf *c, const char *domain);

/* Parse "35M", "10k", "1000" into bytes; "5m", "1h", "5d", "30s" into seconds. */
int	 conf_parse_size(const char *s, off_t *out);
int	 conf_parse_time(const char *s, time_t *out);

#endif
