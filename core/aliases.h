/*
 * The aliases file and its database.
 *
 * Source syntax (the `aliases` setting, /etc/aliases), as sendmail and
 * Postfix read it:
 *
 *   # comment
 *   name: dest, dest, ...
 *       dest, ...                 (a line starting with white space
 *                                  continues the one before)
 *
 * Names are case-insensitive (stored lower-cased).  A destination is a
 * local user (marc), an address (hogehoge@example.com, <a@b.example>),
 * \user (that user's own mailbox, nothing further), |command,
 * /absolute/file, or :include:/absolute/path.  A destination in double
 * quotes may hold commas and spaces ("|/usr/bin/prog -a x",
 * "/var/log/mail archive"), with \" and \\ inside.  Blank lines and
 * comment lines are skipped anywhere.
 *
 * The database is <aliases>.db in cdb format: key the lower-cased name
 * (no trailing NUL), value the destination list in canonical form
 * (destinations joined by ", ", quoted where needed), which
 * aliases_parse_list reads back.  The same list syntax is used in
 * ~/.forward and :include: files, where newlines separate too.
 */
#ifndef HIKYAKU_ALIASES_H
#define HIKYAKU_ALIASES_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "cdb.h"

#define ALIASES_DB_SUFFIX	".db"

enum dest_kind {
	DEST_USER,		/* a local name: marc */
	DEST_ADDR,		/* user@domain (canonical) */
	DEST_MAILBOX,		/* \user */
	DEST_PIPE,		/* |command (value without the '|') */
	DEST_FILE,		/* /path */
	DEST_INCLUDE		/* :include:/path (value is the path) */
};

struct dest {
	enum dest_kind	 kind;
	char		*value;
};

struct dest_list {
	struct dest	*d;
	size_t		 n, cap;
};

/*
 * Parse a destination list into out (appended).  With newlines set,
 * a newline separates like a comma and lines starting with '#' are
 * comments (.forward and :include: files).  Returns 0, or -1 with err
 * ("what is wrong", with "line N: " first when newlines is set) for a
 * syntax error, errno EINVAL; ENOMEM otherwise.
 */
int	aliases_parse_list(const char *s, size_t len, int newlines,
	    struct dest_list *out, char *err, size_t errlen);
void	dest_list_free(struct dest_list *l);
/* One destination in canonical list form, appended to b. */
void	aliases_put_dest(struct buf *b, const struct dest *d);

struct aliases_stats {
	size_t	 aliases;	/* entries */
	size_t	 longest;	/* longest value, octets */
	size_t	 total;		/* names and values, octets */
};

/*
 * newaliases: read source, write source.db through a temporary file in
 * the same directory (fsync'd, renamed into place, directory fsync'd).
 * A syntax error gives "file:line: what is wrong" in err, -1 with
 * errno EINVAL, and the old database is untouched.  warn is called for
 * each warning ("file:line: duplicate alias \"x\" ..."), may be NULL.
 */
int	aliases_compile(const char *source, struct aliases_stats *st,
	    void (*warn)(const char *msg), char *err, size_t errlen);

/* The compiled database, opened for lookups. */
struct aliases {
	int		 fd;		/* -1: no database */
	struct cdb	 db;
	int		 stale;		/* the source is newer than the db */
	int		 missing;	/* no database, but a source exists */
};

/*
 * Open source.db.  No database and no source: no aliases (0).  A
 * source without a database: no aliases, a->missing set (0).  -1 with
 * errno and err when it cannot be read (a temporary failure).
 */
int	aliases_open(struct aliases *a, const char *source, char *err,
	    size_t errlen);
/* The value for name (compared lower-cased), appended to value:
   1 found, 0 not, -1 damaged database (errno EINVAL). */
int	aliases_lookup(const struct aliases *a, const char *name,
	    struct buf *value);
void	aliases_close(struct aliases *a);

#endif
