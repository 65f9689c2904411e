/*
 * Log lines in Postfix's shape ("ID: to=<...>, relay=local, delay=0.1,
 * status=sent (...)") to syslog (LOG_MAIL), stderr, or a file.
 */
#ifndef HIKYAKU_LOG_H
#define HIKYAKU_LOG_H

/* dest: "syslog", "stderr" or a path; ident: "hikyaku/sendmail". */
void	log_init(const char *ident, const char *dest);
/* A file destination: open it now and keep it (again: reopened, for
   log rotation), so that a process that drops privileges keeps
   writing to it.  0, or -1 with errno. */
int	log_keep_open(void);
/* Also copy every line to stderr (sendmail -v). */
void	log_verbose(int on);
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
