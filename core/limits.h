/*
 * Every length hikyaku accepts from outside has its limit here.  Input
 * over a limit is an error that names the limit, never a silent cut.
 */
#ifndef HIKYAKU_LIMITS_H
#define HIKYAKU_LIMITS_H

#define LIM_SMTP_CMD	512	/* command line incl. CRLF (RFC 5321 4.5.3.1.4) */
#define LIM_SMTP_TEXT	1000	/* text line incl. CRLF (RFC 5321 4.5.3.1.6) */
#define LIM_SMTP_REPLY	512	/* reply line incl. CRLF (RFC 5321 4.5.3.1.5) */
#define LIM_SMTP_AUTH	12288	/* an AUTH exchange line (RFC 4954 4) */
#define LIM_SMTP_REPLY_LINES 100	/* lines of one reply a server sends */
#define LIM_DSN_ENVID	100	/* ENVID= as xtext (RFC 3461 4.4) */
#define LIM_DSN_ORCPT	500	/* ORCPT= type and xtext (RFC 3461 4.2) */
#define LIM_LOCAL	64	/* local part (RFC 5321 4.5.3.1.1) */
#define LIM_DOMAIN	255	/* domain (RFC 5321 4.5.3.1.2) */
#define LIM_ADDR	256	/* path incl. "<>" (RFC 5321 4.5.3.1.3) */
#define LIM_HEADERS	(256 * 1024)	/* whole header section kept in memory */
#define LIM_HEADER_RCPTS 1000	/* addresses taken from To/Cc/Bcc with -t */
#define LIM_RCPT_HARD	10000	/* recipients per message, whatever max_rcpt says */
#define LIM_CONF_LINE	1024	/* one line of hikyaku.conf */
#define LIM_CONF_VALUE	1000	/* one value of hikyaku.conf */
#define LIM_PATH	1024	/* any path hikyaku builds */
#define LIM_USER	32	/* login name */
#define LIM_PW_LINE	1024	/* one line of a passwd file */
#define LIM_PASS	1024	/* a password checked (bcrypt reads 72) */
#define LIM_GROUPS	64	/* supplementary groups a delivery child keeps */
#define LIM_ENV_LINE	2048	/* one line of a queue envelope file */
#define LIM_ERR		512	/* human detail written into a caller's buffer */
#define LIM_QID		16	/* queue id incl. NUL */
#define LIM_RETRY	16	/* steps in the retry schedule */
#define LIM_LISTENERS	16	/* addresses of one listen-type setting */
#define LIM_NETWORKS	64	/* networks in mynetworks */
#define LIM_FULLNAME	256	/* -F "full name" */
#define LIM_HOSTNAME	255	/* hostname setting */
#define LIM_ALIAS_DEPTH	20	/* aliases, .forward and includes nested */
#define LIM_ALIAS_NODES	1000	/* names expanded for one recipient */
#define LIM_ALIAS_DESTS	1000	/* final destinations of one recipient */
#define LIM_FORWARD	(64 * 1024)	/* a ~/.forward or :include: file */
#define LIM_MSG_LINE	998	/* octets of a message line (RFC 5322 2.1.1) */
#define LIM_MAILRC_LINE	4096	/* one line of a mail start-up file */
#define LIM_MAILRC_WORDS 256	/* words of one mail command line */
#define LIM_MAILRC_DEPTH 8	/* mail's source and alias nesting */
#define LIM_MAIL_ADDRS	1000	/* addresses of To:, Cc: and Bcc: in mail */
#define LIM_ATTACH	100	/* mail -a files */
#define LIM_MBOX_FIELD	998	/* a field value kept in a mailbox index */
#define LIM_MIME_DEPTH	8	/* nested multiparts walked, then listed */
#define LIM_MIME_PARTS	256	/* parts of one multipart shown */
#define LIM_MIME_SEGS	64	/* RFC 2231 parameter continuations */
#define LIM_CHARSET_NAME 40	/* a charset's name */
#define LIM_PROC_FILE	(256 * 1024 * 1024)	/* one /proc file read whole */
#define LIM_NETNAMES_LINE 1024	/* a line of /etc/services and the like
				   looked at; the rest is cut */
#define LIM_TLS_CHAIN	8	/* certificates in the tls_cert chain */
#define LIM_TLS_DER	32768	/* DER bytes of that chain and the key kept */
#define LIM_DNS_MX	100	/* MX records of a domain kept (the best ones) */
#define LIM_DNS_CNAME	8	/* CNAMEs followed in one reply */
#define LIM_DNS_SERVERS	3	/* nameservers of resolv.conf asked (as libc) */
#define LIM_ROUTE_HOSTS	10	/* hosts tried for one domain */
#define LIM_ROUTE_ADDRS	8	/* addresses tried of one host */
#define LIM_TLS_ANCHORS	1000	/* certificates taken from the tls_ca bundle */
#define LIM_TLS_DN	1024	/* DER bytes of one trust anchor's subject name */

#endif
