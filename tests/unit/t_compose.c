/*
 * core/compose.c: header fields, address lists, the MIME form of the
 * body, attachments, and the refusal of line breaks in fields.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "compose.h"
#include "mime.h"
#include "tap.h"

static struct compose	 c;
static struct buf	 out;
static char		 err[512];

static void
fresh(void)
{
	compose_free(&c);
	compose_init(&c, 0);
	c.hostname = "test.example";
	buf_free(&out);
	buf_init(&out, 0);
	err[0] = '\0';
}

static int
build(void)
{
	return compose_build(&c, &out, 0, err, sizeof(err));
}

/* Every line of s at most max octets. */
static int
lines_within(const char *s, size_t max)
{
	const char	*nl;

	for (; *s != '\0'; s = nl + 1) {
		if ((nl = strchr(s, '\n')) == NULL)
			nl = s + strlen(s);
		if ((size_t)(nl - s) > max)
			return 0;
		if (*nl == '\0')
			break;
	}
	return 1;
}

static int
collect(void *ctx, const char *addr)
{
	strcat(ctx, addr);
	strcat(ctx, ";");
	return 0;
}

static void
t_addrs(void)
{
	char	 got[512] = "";

	fresh();
	ok(compose_addrs(&c.to, "bob, Carol <carol@example.org>, \"Doe, J\" "
	    "<j@example.org>,, (x, y) z@example.org", err, sizeof(err)) == 0,
	    "address list parsed");
	is_int(c.to.n, 4, "four entries (commas in quotes and comments kept)");
	is_str(c.to.v[2], "\"Doe, J\" <j@example.org>", "quoted comma kept");
	ok(compose_rcpts(&c, collect, got, err, sizeof(err)) == 0,
	    "recipients extracted");
	is_str(got, "bob;carol@example.org;j@example.org;z@example.org;",
	    "as addr-specs");
	errno = 0;
	ok(compose_addrs(&c.cc, "bob\r\nBcc: evil@example.org", err,
	    sizeof(err)) == -1 && errno == EINVAL, "CR LF in an address: EINVAL");
	ok(strstr(err, "line break") != NULL, "and says why");
	ok(compose_addrs(&c.cc, "bob\nx", err, sizeof(err)) == -1,
	    "a lone LF too");
	is_int(c.cc.n, 0, "nothing added");
	ok(compose_subject(&c, "hi\nBcc: evil@example.org", err,
	    sizeof(err)) == -1 && errno == EINVAL, "LF in the subject: EINVAL");
	ok(compose_subject(&c, "hi\rthere", err, sizeof(err)) == -1,
	    "CR in the subject too");
	ok(compose_subject(&c, "caf\xe9", err, sizeof(err)) == -1 &&
	    errno == EINVAL && strstr(err, "UTF-8") != NULL,
	    "a subject that is not UTF-8 is refused");
	ok(c.subject == NULL, "subject unchanged");
	ok(compose_from(&c, "Me <me@example.org>\r\nX: y", err,
	    sizeof(err)) == -1, "CR LF in -r refused");
	ok(compose_from(&c, "not an address <", err, sizeof(err)) == -1,
	    "-r without an address refused");
	compose_list_clear(&c.to);
	compose_addrs(&c.to, "a@example.org", err, sizeof(err));
	compose_addrs(&c.to, "bad address@", err, sizeof(err));
	ok(compose_rcpts(&c, collect, got, err, sizeof(err)) == -1,
	    "a bad address is found before sending");
	ok(strstr(err, "bad address@") != NULL, "and named");
}

static void
t_plain(void)
{
	char	 got[256] = "";

	fresh();
	compose_addrs(&c.to, "bob", err, sizeof(err));
	compose_addrs(&c.cc, "carol@example.org", err, sizeof(err));
	compose_addrs(&c.bcc, "secret@example.org", err, sizeof(err));
	compose_subject(&c, "hello", err, sizeof(err));
	buf_adds(&c.body, "Hi Bob,\nsee you.\n");
	ok(build() == 0, "plain message built");
	is_str(buf_str(&out), "To: bob@test.example\nCc: carol@example.org\n"
	    "Subject: hello\n\nHi Bob,\nsee you.\n",
	    "plain ASCII: no MIME fields, bare name qualified, no Bcc:");
	compose_rcpts(&c, collect, got, err, sizeof(err));
	is_str(got, "bob;carol@example.org;secret@example.org;",
	    "Bcc is still a recipient");
	fresh();
	compose_addrs(&c.to, "bob@example.org", err, sizeof(err));
	buf_adds(&c.body, "no newline at the end");
	build();
	is_str(buf_str(&out), "To: bob@example.org\n\nno newline at the end\n",
	    "no subject: no Subject:; a final LF added");
	ok(compose_from(&c, "Ursula <ursula@example.org>", err,
	    sizeof(err)) == 0, "-r with a display name");
	buf_reset(&out);
	build();
	ok(strncmp(buf_str(&out), "From: Ursula <ursula@example.org>\n",
	    34) == 0, "From: written from -r");
	compose_sender(&c, got, sizeof(got), err, sizeof(err));
	is_str(got, "ursula@example.org", "envelope sender from -r");
}

static void
t_fold(void)
{
	char	 a[64];

	fresh();
	for (int i = 0; i < 12; i++) {
		snprintf(a, sizeof(a), "person%02d@example.org", i);
		compose_addrs(&c.to, a, err, sizeof(err));
	}
	buf_adds(&c.body, "x\n");
	build();
	ok(lines_within(buf_str(&out), 78), "a long To: is folded under 78");
	ok(strstr(buf_str(&out), ",\n person01@") != NULL ||
	    strstr(buf_str(&out), ",\n person02@") != NULL ||
	    strstr(buf_str(&out), ",\n person03@") != NULL,
	    "folded after a comma");
}

static void
t_mime(void)
{
	char	 longline[1200];

	fresh();
	compose_addrs(&c.to, "bob@example.org", err, sizeof(err));
	compose_subject(&c, "日本語の件名です、とても長い件名をつけてみました。"
	    "折り返しが必要になるくらい長いものです", err, sizeof(err));
	buf_adds(&c.body, "こんにちは、世界。\n");
	ok(build() == 0, "Japanese message built");
	ok(strstr(buf_str(&out), "Subject: =?UTF-8?") != NULL,
	    "subject RFC 2047-encoded in UTF-8");
	ok(lines_within(buf_str(&out), 78), "no header line over 78");
	ok(strstr(buf_str(&out), "MIME-Version: 1.0\nContent-Type: text/plain; "
	    "charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\nこんにちは、"
	    "世界。\n") != NULL, "UTF-8 body sent 8bit with its charset");

	fresh();
	compose_addrs(&c.to, "bob@example.org", err, sizeof(err));
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	buf_adds(&c.body, longline);
	buf_adds(&c.body, "\nshort\n");
	build();
	ok(strstr(buf_str(&out), "charset=US-ASCII\nContent-Transfer-Encoding: "
	    "quoted-printable\n") != NULL, "a 1199-octet line: quoted-printable");
	ok(lines_within(buf_str(&out), 76), "encoded lines of 76 at most");

	fresh();
	compose_addrs(&c.to, "bob@example.org", err, sizeof(err));
	memset(longline, 'b', 998);
	longline[998] = '\0';
	buf_adds(&c.body, longline);
	buf_adds(&c.body, "\n");
	build();
	ok(strstr(buf_str(&out), "MIME-Version") == NULL,
	    "a 998-octet ASCII line still goes as it is");

	fresh();
	compose_addrs(&c.to, "bob@example.org", err, sizeof(err));
	buf_adds(&c.body, "caf\xe9 cr\xe8me\n");
	build();
	ok(strstr(buf_str(&out), "charset=ISO-8859-1\nContent-Transfer-Encoding:"
	    " quoted-printable\n\ncaf=E9 cr=E8me\n") != NULL,
	    "bytes that are not UTF-8: ISO-8859-1, quoted-printable");

	fresh();
	compose_addrs(&c.to, "\"山田 太郎\" <taro@example.jp>", err,
	    sizeof(err));
	buf_adds(&c.body, "x\n");
	ok(build() == 0 && strstr(buf_str(&out), "To: =?UTF-8?") != NULL &&
	    strstr(buf_str(&out), "<taro@example.jp>\n") != NULL,
	    "a Japanese display name is encoded, the address kept");
	fresh();
	compose_addrs(&c.to, "山田@example.jp", err, sizeof(err));
	buf_adds(&c.body, "x\n");
	ok(build() == -1 && errno == EINVAL, "non-ASCII outside a display "
	    "name is refused");
}

static void
t_attach(void)
{
	char	 path[] = "/tmp/t_compose.XXXXXX", named[64], b64[64];
	struct buf e;
	FILE	*f;
	int	 fd;

	if ((fd = mkstemp(path)) == -1) {
		perror("mkstemp");
		exit(1);
	}
	close(fd);
	snprintf(named, sizeof(named), "%s.pdf", path);
	f = fopen(named, "w");
	fputs("%PDF-1.4 binary \x01\x02\xff\n", f);
	fclose(f);
	fresh();
	compose_addrs(&c.to, "bob@example.org", err, sizeof(err));
	buf_adds(&c.body, "see the file\n");
	ok(compose_attach(&c, named, err, sizeof(err)) == 0, "attach a file");
	ok(compose_attach(&c, "/nonexistent/file", err, sizeof(err)) == -1 &&
	    errno == ENOENT, "a missing file is refused at once");
	ok(strstr(err, "/nonexistent/file") != NULL, "and named");
	ok(build() == 0, "multipart built");
	ok(strstr(buf_str(&out), "MIME-Version: 1.0\nContent-Type: "
	    "multipart/mixed; boundary=\"") != NULL, "multipart/mixed");
	ok(strstr(buf_str(&out), "Content-Type: text/plain; charset=US-ASCII\n"
	    "Content-Transfer-Encoding: 7bit\n\nsee the file\n") != NULL,
	    "the text first");
	snprintf(b64, sizeof(b64), "Content-Type: %s; name=\"",
	    mime_type_by_name(named));
	ok(strstr(buf_str(&out), b64) != NULL, "the type from the name");
	ok(strstr(buf_str(&out), "Content-Disposition: attachment; filename=\"")
	    != NULL, "Content-Disposition with the file name");
	buf_init(&e, 0);
	mime_b64_encode(&e, "%PDF-1.4 binary \x01\x02\xff\n", 20);
	ok(e.len > 0 && strstr(buf_str(&out), buf_str(&e)) != NULL,
	    "the file base64-encoded");
	buf_free(&e);
	ok(lines_within(buf_str(&out), 78), "no line over 78");
	ok(out.len > 3 && strcmp(buf_str(&out) + out.len - 3, "--\n") == 0,
	    "the closing boundary last");
	unlink(named);
	unlink(path);
}

int
main(void)
{
	compose_init(&c, 0);
	buf_init(&out, 0);
	t_addrs();
	t_plain();
	t_fold();
	t_mime();
	t_attach();
	compose_free(&c);
	buf_free(&out);
	return done_testing();
}
