/*
 * The applet table: name, entry point, privilege policy.  Sorted by
 * name (main looks names up with bsearch).  An entry point of NULL is
 * an applet of the design that is not in this build yet.
 *
 * Policies, applied by main (app_privs) before the applet, or any
 * other entry point (--install, --config, --list), looks at anything:
 *   PRIV_DROP   a set-group-id is dropped for good
 *   PRIV_SPOOL  a set-group-id (the spool group) is kept only as the
 *               saved gid; the queue module takes it back around its
 *               own system calls and nothing else runs with it
 *   PRIV_ROOT   meant to be started by root (daemons); no set-id kept
 * Started set-group-ID by anyone but root, every applet reads only the
 * system configuration.  The binary refuses to run set-user-ID at all.
 */
#ifndef HIKYAKU_APPLETS_H
#define HIKYAKU_APPLETS_H

enum applet_priv { PRIV_DROP, PRIV_SPOOL, PRIV_ROOT };

typedef int (*applet_main)(int argc, char **argv);

int	mail_main(int, char **);
int	mailq_main(int, char **);
int	mtad_main(int, char **);
int	netstat_main(int, char **);
int	newaliases_main(int, char **);
int	sendmail_main(int, char **);

#define APPLETS(X) \
	X("mail",		mail_main,		PRIV_DROP,	"read and send mail (POSIX mailx)") \
	X("mailq",		mailq_main,	PRIV_SPOOL,	"list the mail queue") \
	X("mailx",		mail_main,		PRIV_DROP,	"the same as mail") \
	X("mtad",		mtad_main,		PRIV_ROOT,	"the SMTP daemon and queue runner") \
	X("netstat",		netstat_main,		PRIV_DROP,	"show sockets, routes and interfaces") \
	X("netstat-lite",	netstat_main,		PRIV_DROP,	"the same as netstat") \
	X("newaliases",		newaliases_main,		PRIV_DROP,	"compile the aliases file") \
	X("pop3d",		NULL,		PRIV_ROOT,	"the POP3 server") \
	X("sendmail",		sendmail_main,	PRIV_SPOOL,	"submit mail; the interface programs call")

#endif
