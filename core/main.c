/*
 * hikyaku — one binary, many applets, chosen by the name it was called
 * by (busybox style) or by its first argument.
 *
 *   hikyaku APPLET [ARGS...]
 *   hikyaku --list
 *   hikyaku --install [-s] DIR     make hard (or -s symbolic) links
 *   hikyaku --config [-C FILE]     print every setting and its value
 *
 * Exit codes: 127 unknown applet, 69 (EX_UNAVAILABLE) applet not in
 * this build, 77 (EX_NOPERM) started set-user-ID, a privilege drop that
 * failed, or --config -C of an ordinary user set-group-ID; 64 (EX_USAGE).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applets.h"
#include "app.h"
#include "conf.h"
#include "limits.h"

struct applet {
	const char		*name;
	applet_main		 fn;
	enum applet_priv	 priv;
	const char		*what;
};

#define ENTRY(n, f, p, w)	{ n, f, p, w },
static const struct applet applets[] = { APPLETS(ENTRY) };
#define NAPPLETS	(sizeof(applets) / sizeof(applets[0]))

static int
cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct applet *)elem)->name);
}

static const struct applet *
find(const char *name)
{
	return bsearch(name, applets, NAPPLETS, sizeof(applets[0]), cmp);
}

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: hikyaku APPLET [ARGS...]   (or call it by an applet's name)\n"
	    "       hikyaku --list\n"
	    "       hikyaku --install [-s] DIR\n"
	    "       hikyaku --config [-C FILE]\n"
	    "\n"
	    "hikyaku is a whole mail system in one program.  Applets:\n");
	for (size_t i = 0; i < NAPPLETS; i++)
		fprintf(fp, "  %-13s %s%s\n", applets[i].name, applets[i].what,
		    applets[i].fn == NULL ? " (not in this build yet)" : "");
}

/* Is path already one of our links (a hard link, or a symlink to us)? */
static int
ours(const char *path, const struct stat *self)
{
	struct stat	 st;

	return stat(path, &st) == 0 && st.st_dev == self->st_dev &&
	    st.st_ino == self->st_ino;
}

/*
 * Link every applet name in dir to this binary.  A file of that name
 * that is not already ours (another MTA's sendmail, say) is left alone
 * with a warning.  Symbolic links are relative when dir is the binary's
 * own folder, so that a staged install (DESTDIR) stays right.
 */
static int
install(int argc, char **argv)
{
	char		 self[LIM_PATH], path[LIM_PATH], rdir[LIM_PATH];
	const char	*dir, *target, *slash;
	struct stat	 sst, lst;
	ssize_t		 n;
	int		 sym = 0, rc = 0;

	if (argc > 1 && strcmp(argv[1], "-s") == 0) {
		sym = 1;
		argc--;
		argv++;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: hikyaku --install [-s] DIR\n");
		return EX_USAGE;
	}
	dir = argv[1];
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) != -1)
		self[n] = '\0';
	if (n == -1 || stat(self, &sst) == -1) {
		fprintf(stderr, "hikyaku: fatal: unable to find myself: %s\n",
		    strerror(errno));
		return EX_OSERR;
	}
	if (realpath(dir, rdir) == NULL) {
		fprintf(stderr, "hikyaku: %s: %s\n", dir, strerror(errno));
		return EX_CANTCREAT;
	}
	slash = strrchr(self, '/');
	target = self;
	if (slash != NULL && (size_t)(slash - self) == strlen(rdir) &&
	    strncmp(self, rdir, strlen(rdir)) == 0)
		target = slash + 1;
	for (size_t i = 0; i < NAPPLETS; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    applets[i].name) >= sizeof(path)) {
			fprintf(stderr, "hikyaku: %s: path too long\n", dir);
			return EX_USAGE;
		}
		if (lstat(path, &lst) == 0 && !ours(path, &sst)) {
			fprintf(stderr, "hikyaku: %s exists and is not hikyaku: "
			    "left alone\n", path);
			rc = EX_CANTCREAT;
			continue;
		}
		if ((unlink(path) == -1 && errno != ENOENT) ||
		    (sym ? symlink(target, path) : link(self, path)) == -1) {
			fprintf(stderr, "hikyaku: unable to link %s: %s\n",
			    path, strerror(errno));
			rc = EX_CANTCREAT;
		}
	}
	return rc;
}

static int
print_config(int argc, char **argv)
{
	struct conf	 c;
	char		 err[LIM_ERR];

	if (argc == 3 && strcmp(argv[1], "-C") == 0) {
		if (app_conf(&c, argv[2], err, sizeof(err)) == -1)
			goto fail;
	} else if (argc == 1) {
		if (app_conf(&c, NULL, err, sizeof(err)) == -1)
			goto fail;
	} else {
		fprintf(stderr, "usage: hikyaku --config [-C FILE]\n");
		return EX_USAGE;
	}
	for (int i = 0; i < conf_nkeys(); i++)
		printf("%s = %s\n", conf_key_name(i), conf_value(&c, i));
	conf_free(&c);
	return 0;
fail:
	fprintf(stderr, "hikyaku: fatal: %s\n", err);
	return errno == EPERM && app_privileged ? EX_NOPERM : EX_CONFIG;
}

static void
print_defaults(void)
{
	for (int i = 0; i < conf_nkeys(); i++)
		printf("%s\t%s\t%s\n", conf_key_name(i), conf_key_default(i),
		    conf_key_help(i));
}

static int
run(const struct applet *a, int argc, char **argv)
{
	if (a->fn == NULL) {
		fprintf(stderr, "hikyaku: %s: not available in this build yet\n",
		    a->name);
		return EX_UNAVAILABLE;
	}
	app_name = a->name;
	return a->fn(argc, argv);
}

/* The privilege policy, before anything else is looked at: only the
   applets that need the spool group keep it (as the saved gid). */
static void
policy(const struct applet *a)
{
	char	 err[LIM_ERR];

	if (app_privs(a != NULL ? a->priv : PRIV_DROP, err, sizeof(err)) ==
	    -1) {
		fprintf(stderr, "hikyaku: fatal: %s\n", err);
		exit(EX_NOPERM);
	}
}

int
main(int argc, char **argv)
{
	const struct applet	*a;
	const char		*name;

	if (argc < 1 || argv[0] == NULL)
		return EX_USAGE;
	app_argv = argv;
	app_argc = argc;
	if (getuid() != geteuid()) {
		fprintf(stderr, "hikyaku: fatal: refusing to run set-user-ID\n");
		return EX_NOPERM;
	}
	name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	/* "hikyaku", or a build of it such as "hikyaku-asan" */
	if (strncmp(name, "hikyaku", 7) != 0) {
		policy(a = find(name));
		if (a != NULL)
			return run(a, argc, argv);
		fprintf(stderr, "hikyaku: %s: applet not found\n", name);
		return 127;
	}
	policy(a = argc >= 2 ? find(argv[1]) : NULL);
	if (argc < 2) {
		usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[1], "--list") == 0) {
		for (size_t i = 0; i < NAPPLETS; i++)
			printf("%s\n", applets[i].name);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--install") == 0)
		return install(argc - 1, argv + 1);
	if (strcmp(argv[1], "--config") == 0)
		return print_config(argc - 1, argv + 1);
	if (strcmp(argv[1], "--config-defaults") == 0) {
		print_defaults();
		return 0;
	}
	if (a == NULL) {
		fprintf(stderr, "hikyaku: %s: applet not found\n", argv[1]);
		return 127;
	}
	return run(a, argc - 1, argv + 1);
}
