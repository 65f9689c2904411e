#include <sysexits.h>
#include "applets.h"
int sendmail_main(int argc, char **argv) { (void)argc; (void)argv; return EX_UNAVAILABLE; }
