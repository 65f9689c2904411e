/*
 * mailx start-up files and settings: the variables of set/unset, the
 * aliases of alias/group, the header fields of ignore/retain, and the
 * commands that change them, read from /etc/mail.rc and ~/.mailrc or
 * typed in a session (POSIX mailx).
 *
 * A variable is unset (mailrc_get gives NULL: then the environment
 * variable of the same name is used, as bsd-mailx does), a boolean
 * ("" when set), or a string.  "set noNAME" unsets NAME.  Any name may
 * be set; the ones the mail applet looks at are listed in its usage.
 */
#ifndef HIKYAKU_MAILRC_H
#define HIKYAKU_MAILRC_H

#include <stddef.h>

#include "buf.h"
#include "limits.h"

struct mailrc_var {
	char	*name;
	char	*value;			/* "" for a boolean */
};

struct mailrc_alias {
	char	*name;
	char	**addrs;
	size_t	 naddrs;
};

struct mailrc {
	struct mailrc_var	*vars;
	size_t			 nvars;
	struct mailrc_alias	*aliases;
	size_t			 naliases;
	char			**ignore;	/* lower case field names */
	size_t			 nignore;
	char			**retain;
	size_t			 nretain;
	int			 sending;	/* for "if s" / "if r" */
	int			 depth;		/* source nesting */
	int			 skip;		/* inside a false "if" */
};

/* The defaults of bsd-mailx: asksub, header, save, prompt "& ",
   escape "~", toplines 5, indentprefix a TAB. */
void	mailrc_init(struct mailrc *rc, int sending);
void	mailrc_free(struct mailrc *rc);

/* The value of a variable: set in rc, else getenv(name), else NULL. */
const char *mailrc_get(const struct mailrc *rc, const char *name);
/* 1 when set (to anything), 0 when not. */
int	mailrc_bool(const struct mailrc *rc, const char *name);
/* A numeric variable; dflt when unset, empty or not a number. */
long	mailrc_num(const struct mailrc *rc, const char *name, long dflt);
/* value NULL or "" sets a boolean.  0, or -1 (ENOMEM, or EINVAL for a
   name with white space, '=' or control characters). */
int	mailrc_set(struct mailrc *rc, const char *name, const char *value);
void	mailrc_unset(struct mailrc *rc, const char *name);

/*
 * Split a command line into words: white space separates them; '...'
 * and "..." quote (the quotes removed); a backslash outside single
 * quotes takes the next character as it is.  *argv (malloc'd, one
 * block: free(*argv) frees all) gets argc words and a NULL.
 * 0, or -1 with err set (unbalanced quote, too many words).
 */
int	mailrc_split(const char *line, char ***argv, int *argc, char *err,
	    size_t errlen);

/*
 * Run one command if it is a settings command: set, unset, alias,
 * group, unalias, ignore, discard, retain, unignore, unretain, source,
 * if, else, endif.  Listings (set, alias, ignore, retain without
 * arguments) are appended to out.  Returns 0 done, 1 when argv[0] is
 * not one of these (the caller's command), -1 with err set.  Inside a
 * false "if s"/"if r" every command but else/endif is skipped (0).
 */
int	mailrc_command(struct mailrc *rc, int argc, char **argv,
	    struct buf *out, char *err, size_t errlen);

/*
 * Read a start-up file: each line a command (set, alias, ...); "#"
 * comment lines and empty lines skipped; a line ending in a backslash
 * continues on the next.  Errors do not stop the reading: each is
 * appended to errs as "FILE:LINE: what is wrong\n" (also a command
 * that may not appear in a start-up file).  A missing file is not an
 * error.  Returns the number of errors, or -1 when the file exists but
 * cannot be read (the reason in errs).
 */
int	mailrc_load(struct mailrc *rc, const char *path, struct buf *errs);

/*
 * Call cb for each address name stands for: the members of the alias
 * name (recursively, LIM_MAILRC_DEPTH deep; an alias met again inside
 * its own expansion stands for itself, so loops end), or name itself
 * when it is no alias.  0, or the first -1 of cb.
 */
int	mailrc_expand(const struct mailrc *rc, const char *name,
	    int (*cb)(void *ctx, const char *addr), void *ctx);

/* Whether a header field (name as in the message, any case, n bytes)
   is shown by print/type: retained ones when there is a retain list,
   else all but the ignored ones. */
int	mailrc_shown(const struct mailrc *rc, const char *name, size_t n);

#endif
