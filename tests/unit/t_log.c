/*
 * core/log: one line per call, whatever the text holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"

int
main(void)
{
	char	 dir[] = "/tmp/t_log.XXXXXX", path[300], line[4096];
	FILE	*fp;
	int	 n = 0;

	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(path, sizeof(path), "%s/log", dir);
	log_init("t_log", path);
	log_info("reply from mx: %s", "250 ok\r\n421 forged\x1b[31m red\x7f");
	log_warn("tab\there");
	if ((fp = fopen(path, "r")) == NULL)
		return 2;
	while (fgets(line, sizeof(line), fp) != NULL) {
		n++;
		if (n == 1)
			ok(strstr(line, "t_log[") != NULL && strstr(line,
			    "reply from mx: 250 ok\\x0d\\x0a421 forged\\x1b[31m "
			    "red\\x7f\n") != NULL, "CR, LF, ESC and DEL are "
			    "escaped, on one line");
		else if (n == 2)
			ok(strstr(line, "warning: tab\\x09here\n") != NULL,
			    "a tab too");
	}
	fclose(fp);
	is_int(n, 2, "two calls, two lines");
	unlink(path);
	rmdir(dir);
	return done_testing();
}
