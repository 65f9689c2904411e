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
	log_info("to=<j\xc3\xb6rg@\xe4\xbe\x8b.jp> %s",
	    "csi\x9b[31m nel\xc2\x85 over\xc0\xaf cut\xe4\xbe");
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
		else if (n == 3)
			ok(strstr(line, ": to=<j\xc3\xb6rg@\xe4\xbe\x8b.jp> "
			    "csi\\x9b[31m nel\\xc2\\x85 over\\xc0\\xaf "
			    "cut\\xe4\\xbe\n") != NULL, "UTF-8 kept; a lone "
			    "0x9b (CSI), C1 NEL, an overlong form and a cut "
			    "sequence escaped");
	}
	fclose(fp);
	is_int(n, 3, "three calls, three lines");
	unlink(path);
	rmdir(dir);
	return done_testing();
}
