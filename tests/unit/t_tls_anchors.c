/*
 * core/tls_anchors: the system bundle; one test CA (RSA) and one EC;
 * certificates BearSSL cannot take skipped and counted; text between
 * certificates; files with none, a missing file, broken PEM.  That the
 * anchors verify a real chain is t_tls's part (the client against
 * openssl s_server).
 *
 * Certificates are made fresh by the openssl command.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limits.h"
#include "tls_anchors.h"
#include "tap.h"

#define SYSTEM_BUNDLE	"/etc/ssl/certs/ca-certificates.crt"

static char		 dir[] = "/tmp/t_tls_anchors.XXXXXX";
static struct tls_anchors a;
static char		 err[LIM_ERR];

static const char *
path(const char *name)
{
	static char	 p[4][256];
	static int	 i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static int
sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
sh(const char *fmt, ...)
{
	char	 cmd[2048];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void
make_certs(void)
{
	int	 r;

	r = sh("cd %s && exec 2>gen.log && "
	    "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key "
	    "-out ca.crt -subj '/CN=Test CA/O=hikyaku' -days 2 && "
	    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
	    "-nodes -keyout ec.key -out ec.crt -subj '/CN=EC CA' -days 2 && "
	    "openssl req -x509 -newkey ed25519 -nodes -keyout ed.key "
	    "-out ed.crt -subj '/CN=Ed25519 CA' -days 2 && "
	    "{ echo 'Test CA'; echo '======='; cat ca.crt; "
	    "  echo 'some words, then # a comment'; echo; cat ec.crt; "
	    "  cat ca.key; printf 'trailing garbage'; } > garbage.pem && "
	    "cat ed.crt ca.crt > withed.pem && "
	    "printf 'no PEM here\\n' > plain.txt && "
	    ": > empty.pem && "
	    "sed '3s/^./*/' ca.crt > badb64.pem && "
	    "head -c 300 ca.crt > cut.pem", dir);
	if (r != 0) {
		printf("Bail out! openssl could not make the test certificates\n");
		exit(1);
	}
}

static int
load(const char *name)
{
	err[0] = '\0';
	return tls_anchors_load(&a, path(name), err, sizeof(err));
}

static void
is_err(const char *file, const char *tail, const char *what)
{
	char	 want[LIM_ERR];

	snprintf(want, sizeof(want), "tls_ca %s%s", path(file), tail);
	is_str(err, want, "%s", what);
}

static void
t_system(void)
{
	if (access(SYSTEM_BUNDLE, R_OK) == -1) {
		ok(1, "# SKIP no readable " SYSTEM_BUNDLE);
		return;
	}
	is_int(tls_anchors_load(&a, SYSTEM_BUNDLE, err, sizeof(err)), 0,
	    "the system bundle loads");
	ok(a.n > 100, "more than 100 anchors in it (%zu, %zu skipped)", a.n,
	    a.skipped);
	tls_anchors_free(&a);
}

static void
t_good(void)
{
	is_int(load("ca.crt"), 0, "one RSA CA");
	is_int(a.n, 1, "one anchor");
	is_int(a.skipped, 0, "none skipped");
	is_int(a.v[0].pkey.key_type, BR_KEYTYPE_RSA, "an RSA key");
	is_int(a.v[0].pkey.key.rsa.nlen, 256, "of 2048 bits");
	ok(a.v[0].flags & BR_X509_TA_CA, "trusted as a CA");
	/* "CN=Test CA, O=hikyaku" in DER: the name is in it */
	ok(a.v[0].dn.len > 20 && memmem(a.v[0].dn.data, a.v[0].dn.len,
	    "Test CA", 7) != NULL && memmem(a.v[0].dn.data, a.v[0].dn.len,
	    "hikyaku", 7) != NULL, "the DN is the subject's");
	tls_anchors_free(&a);
	is_int(a.n, 0, "freed: empty");
	tls_anchors_free(&a);
	ok(a.v == NULL, "freeing twice is harmless");

	is_int(load("ec.crt"), 0, "one EC CA");
	is_int(a.v[0].pkey.key_type, BR_KEYTYPE_EC, "an EC key");
	is_int(a.v[0].pkey.key.ec.curve, BR_EC_secp256r1, "on P-256");
	is_int(a.v[0].pkey.key.ec.qlen, 65, "an uncompressed point");
	tls_anchors_free(&a);

	is_int(load("garbage.pem"), 0, "text between certificates, a key");
	is_int(a.n, 2, "both certificates, the key and the text skipped");
	is_int(a.skipped, 0, "nothing counted as skipped");
	ok(a.v[0].pkey.key_type == BR_KEYTYPE_RSA &&
	    a.v[1].pkey.key_type == BR_KEYTYPE_EC, "in the file's order");
	tls_anchors_free(&a);

	is_int(load("withed.pem"), 0, "an Ed25519 CA before an RSA one");
	is_int(a.n, 1, "the RSA one taken");
	is_int(a.skipped, 1, "the Ed25519 one skipped and counted");
	tls_anchors_free(&a);
}

static void
t_bad(void)
{
	is_int(load("nonexistent.pem"), -1, "a missing file");
	is_int(errno, ENOENT, "ENOENT");
	is_err("nonexistent.pem", ": No such file or directory",
	    "a missing file named, with the setting");
	ok(a.v == NULL && a.n == 0, "nothing left loaded");
	is_int(load("plain.txt"), -1, "no PEM at all");
	is_int(errno, EINVAL, "EINVAL");
	is_err("plain.txt", ": no certificate in it", "no certificate in it");
	is_int(load("empty.pem"), -1, "an empty file");
	is_err("empty.pem", ": no certificate in it", "empty: no certificate");
	is_int(load("ca.key"), -1, "a key only");
	is_err("ca.key", ": no certificate in it", "a key only: no certificate");
	is_int(load("ed.crt"), -1, "only a certificate BearSSL cannot take");
	is_err("ed.crt", ": no certificate BearSSL can use in it (1 skipped)",
	    "none usable: says how many were skipped");
	is_int(load("badb64.pem"), -1, "a broken base64 line");
	is_err("badb64.pem", ": not a valid PEM file", "not a valid PEM file");
	is_int(load("cut.pem"), -1, "a certificate cut short");
	is_err("cut.pem", ": a PEM object is cut short", "cut short");
	ok(a.v == NULL && a.n == 0, "after each failure, nothing loaded");
}

int
main(void)
{
	alarm(60);
	if (system("openssl version >/dev/null 2>&1") != 0) {
		printf("1..0 # SKIP no openssl command\n");
		return 0;
	}
	if (mkdtemp(dir) == NULL)
		return 2;
	make_certs();
	t_system();
	t_good();
	t_bad();
	sh("rm -rf %s", dir);
	return done_testing();
}
