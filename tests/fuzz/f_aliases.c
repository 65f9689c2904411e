/*
 * libFuzzer target for core/aliases: the destination-list syntax that
 * ~/.forward files (written by any user) and :include: files share
 * with /etc/aliases, and the compiler of the aliases file.
 * Properties checked: a list that parses, written out in canonical
 * form, parses back to the same destinations; a compile error is
 * "FILE:LINE: what"; a compiled database answers for every name.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aliases.h"
#include "buf.h"
#include "limits.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, const char *detail)
{
	fprintf(stderr, "f_aliases: %s: %s\n", what, detail);
	abort();
}

static void
roundtrip(const char *s, size_t n)
{
	struct dest_list a = { 0 }, b = { 0 };
	struct buf	 out;
	char		 err[LIM_ERR];

	if (aliases_parse_list(s, n, 1, &a, err, sizeof(err)) == -1) {
		if (errno == EINVAL && strncmp(err, "line ", 5) != 0)
			fail("error without its line", err);
		dest_list_free(&a);
		return;
	}
	buf_init(&out, 0);
	for (size_t i = 0; i < a.n; i++) {
		if (i > 0)
			buf_adds(&out, ", ");
		aliases_put_dest(&out, &a.d[i]);
	}
	if (aliases_parse_list(out.s ? out.s : "", out.len, 0, &b, err,
	    sizeof(err)) == -1)
		fail("canonical form does not parse", err);
	if (a.n != b.n)
		fail("canonical form changes the count", buf_str(&out));
	for (size_t i = 0; i < a.n; i++)
		if (a.d[i].kind != b.d[i].kind ||
		    strcmp(a.d[i].value, b.d[i].value) != 0)
			fail("canonical form changes a destination", buf_str(&out));
	buf_free(&out);
	dest_list_free(&a);
	dest_list_free(&b);
}

static void
compile(const uint8_t *data, size_t size)
{
	static char	 src[64], db[80];
	struct aliases_stats st;
	struct aliases	 al;
	struct buf	 v;
	char		 err[LIM_ERR];
	FILE		*fp;

	if (src[0] == '\0') {
		snprintf(src, sizeof(src), "/tmp/f_aliases.%ld", (long)getpid());
		snprintf(db, sizeof(db), "%s.db", src);
	}
	if ((fp = fopen(src, "w")) == NULL)
		return;
	fwrite(data, 1, size, fp);
	fclose(fp);
	unlink(db);
	if (aliases_compile(src, &st, NULL, err, sizeof(err)) == -1) {
		if (errno == EINVAL && strncmp(err, src, strlen(src)) != 0)
			fail("compile error without file:line", err);
		return;
	}
	if (aliases_open(&al, src, err, sizeof(err)) == -1)
		fail("compiled database does not open", err);
	buf_init(&v, 0);
	if (st.aliases > 0 && al.fd == -1)
		fail("aliases compiled but no database", "");
	if (aliases_lookup(&al, "postmaster", &v) == -1)
		fail("lookup in a fresh database fails", "");
	buf_free(&v);
	aliases_close(&al);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	roundtrip((const char *)data, size);
	compile(data, size);
	return 0;
}
