/*
 * newaliases: not written yet; exits 69 (EX_UNAVAILABLE).
 */
#include <sysexits.h>

#include "app.h"
#include "applets.h"

int
newaliases_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	app_die(EX_UNAVAILABLE, "not available in this build yet");
}
