/*
 * newaliases — compile the aliases file into the database delivery reads.
 *
 * usage: newaliases [-C file]
 *        sendmail -bi
 *
 * Reads the file the `aliases` setting names (/etc/aliases) and writes
 * the same path + ".db", a cdb database (tinycdb and Postfix's cdb:
 * tables read it), through a temporary file that is fsync'd and renamed
 * into place.  Delivery reads only the database: an edit of the file
 * takes effect when newaliases runs.  On success it prints, as sendmail
 * does:
 *
 *   /etc/aliases: 12 aliases, longest 31 bytes, 402 bytes total
 *
 * A syntax error is reported as "FILE:LINE: what is wrong", and the old
 * database stays as it was.  A duplicate name is a warning (the first
 * one counts, as with postalias).
 *
 * Exit codes (sysexits(3)): 0; 64 usage; 65 a syntax error in the file;
 * 66 no aliases file; 75 temporary (disk full...); 77 permission denied;
 * 71 another system error; 78 configuration.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "aliases.h"
#include "app.h"
#include "exits.h"
#include "applets.h"
#include "conf.h"
#include "log.h"

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: newaliases [-C file]\n\n"
	    "Compiles the aliases file (the `aliases` setting, /etc/aliases)\n"
	    "into its database (the same path + .db).  Run it after every\n"
	    "edit of the file: delivery reads only the database.\n\n"
	    "  -C FILE   configuration file (else $HIKYAKU_CONF, "
	    "/etc/hikyaku.conf)\n");
}

static void
warn_line(const char *msg)
{
	app_warn("warning: %s", msg);
}

int
newaliases_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct conf		 c;
	struct aliases_stats	 st;
	const char		*cflag = NULL;
	char			 err[LIM_ERR];
	int			 ch, code;

	while ((ch = getopt_long(argc, argv, "C:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'C':
			cflag = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}
	app_conf_or_die(&c, cflag);
	log_init("hikyaku/newaliases", c.log);
	if (aliases_compile(c.aliases, &st, warn_line, err, sizeof(err)) == -1) {
		/* a syntax error, a missing source; else as any system call */
		code = errno == EINVAL ? EX_DATAERR : errno == ENOENT ?
		    EX_NOINPUT : exits_errno(errno);
		app_die(code, "%s", err);
	}
	printf("%s: %zu aliases, longest %zu bytes, %zu bytes total\n",
	    c.aliases, st.aliases, st.longest, st.total);
	log_info("%s: %zu aliases, longest %zu bytes, %zu bytes total",
	    c.aliases, st.aliases, st.longest, st.total);
	conf_free(&c);
	if (fflush(stdout) == EOF || ferror(stdout))
		return EX_IOERR;
	return 0;
}
