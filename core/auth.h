/*
 * Password checks for SMTP AUTH (and POP3 to come): an `auth_users`
 * file of user:hash lines, or the system's /etc/shadow (read by the
 * daemon's small privileged helper, never by a session).
 *
 * Hashes: sha512-crypt ($6$) and sha256-crypt ($5$), computed here on
 * BearSSL's SHA-2 (Debian's musl has no crypt(3) at all), and bcrypt
 * ($2a$, $2b$, $2y$; core/bcrypt.c).  DES, MD5 ($1$), yescrypt ($y$)
 * and other schemes are never accepted.
 *
 * Both calls return 1 good, 0 bad, -1 cannot check (err says why), as
 * the session's check_password hook wants.  Whoever is asked about,
 * the whole file is read and one hash is computed (the user's, or a
 * dummy of the file's own kind and cost for an unknown or locked
 * user), so that the time taken does not tell which users exist.
 * The delay after a failure is the session's job.
 */
#ifndef HIKYAKU_AUTH_H
#define HIKYAKU_AUTH_H

#include <stddef.h>

#define AUTH_SHADOW	"/etc/shadow"

/*
 * FILE: user:hash lines; '#' comments and blank lines skipped.  A line
 * is malformed, and the check -1 with "file:line: what" in err, when
 * it is over LIM_PW_LINE, has no colon, an empty user or one over
 * LIM_USER, the user asked about named a second time (seen when that
 * user is asked about: the file is not indexed), or a hash that is neither
 * sha512-crypt, sha256-crypt, bcrypt nor locked (a DES or MD5 hash, an
 * empty hash): the administrator hears of it rather than the user
 * failing quietly.  A locked entry (a hash starting with '*' or '!')
 * can never match: 0, with a note in err for the log.
 *
 * The file must be a regular file, not a symbolic link, owned by root
 * or by the caller, and neither writable by group or others nor
 * readable by others (it holds crackable hashes): -1 otherwise.  Group
 * read is allowed, for a daemon that reads it through its group.
 *
 * Users compare exactly.  A password over LIM_PASS bytes is bad
 * (0) without any hashing.  On 0, err is empty for a plain wrong
 * password or unknown user, or says why the entry can never match;
 * the caller logs it, never tells the client.
 */
int	auth_check(const char *file, const char *user, const char *pass,
	    char *err, size_t errlen);

/*
 * The same against a shadow(5) file (AUTH_SHADOW): user:hash:... lines.
 * The file is the system's, so only what stops it being read at all is
 * an error (-1): it cannot be opened or is not a safe regular file, a
 * line over LIM_PW_LINE, a line without a colon or with an empty name.
 * The user's entry is 0 when locked ('*', '!'), empty (no password is
 * no login here) or of a scheme not computed here (DES, MD5, yescrypt),
 * with the reason in err.  Names over LIM_USER
 * are skipped: no such user can log in.
 */
int	auth_check_shadow(const char *file, const char *user, const char *pass,
	    char *err, size_t errlen);

#endif
