/*
 * core/buf: growth, the limit, the sticky error, NUL bytes, printf.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "tap.h"

int
main(void)
{
	struct buf	 b;
	char		 big[5000];
	int		 all = 1;

	buf_init(&b, 0);
	is_str(buf_str(&b), "", "an empty buffer reads as \"\"");
	ok(b.len == 0 && !buf_failed(&b), "length 0, no error");
	for (int i = 0; i < 1000; i++)
		if (buf_addc(&b, 'a' + i % 26) == -1)
			all = 0;
	ok(all && b.len == 1000 && b.s[1000] == '\0',
	    "1000 bytes one by one, NUL-terminated");
	ok(b.s[999] == 'a' + 999 % 26 && b.s[0] == 'a', "in order");
	buf_reset(&b);
	ok(b.len == 0 && strcmp(buf_str(&b), "") == 0, "reset empties it");
	ok(buf_add(&b, "x\0y", 3) == 0 && b.len == 3 && b.s[1] == '\0' &&
	    b.s[2] == 'y', "NUL bytes are data");
	buf_reset(&b);
	ok(buf_printf(&b, "%s-%05d", "n", 42) == 0, "printf");
	is_str(buf_str(&b), "n-00042", "printf's text");
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(buf_printf(&b, "%s", big) == 0 && b.len == 7 + sizeof(big) - 1,
	    "printf past the first guess of its length");
	buf_free(&b);
	ok(b.s == NULL && b.len == 0, "free leaves it empty");

	buf_init(&b, 10);
	ok(buf_adds(&b, "0123456789") == 0, "exactly the limit fits");
	ok(buf_addc(&b, 'x') == -1 && b.err == ERANGE, "one more: ERANGE");
	ok(buf_adds(&b, "") == -1, "the error is sticky: even nothing fails");
	ok(b.len == 10 && strcmp(b.s, "0123456789") == 0,
	    "what was there is kept");
	buf_reset(&b);
	ok(!buf_failed(&b) && buf_adds(&b, "abc") == 0,
	    "reset clears the error");
	ok(buf_printf(&b, "%s", "0123456789") == -1 && b.err == ERANGE,
	    "printf over the limit fails too");
	ok(buf_reserve(&b, 100) == -1, "so does a reserve");
	buf_free(&b);

	buf_init(&b, 0);
	ok(buf_add(&b, "x", (size_t)-1 - 5) == -1 && b.err == ERANGE,
	    "a length near SIZE_MAX is refused, not wrapped");
	buf_free(&b);
	return done_testing();
}
