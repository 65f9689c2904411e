/*
 * core/msglist.c: message lists, summary lines, display widths.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "msglist.h"
#include "tap.h"

struct m {
	unsigned	 flags;
	const char	*from;
	const char	*subject;
};

/* 1 read, 2 deleted, 3 new, 4 old unread, 5 new, 6 read */
static struct m msgs[] = {
	{ MSGLIST_READ, "alice@example.org", "Lunch" },
	{ MSGLIST_DELETED | MSGLIST_READ, "bob@example.org", "gone" },
	{ MSGLIST_NEW, "carol@example.org", "Re: lunch plans" },
	{ 0, "Bob@Example.org", "report" },
	{ MSGLIST_NEW, "dave@example.org", "日本語の件名" },
	{ MSGLIST_READ, "alice@example.org", "again" },
};

static unsigned f_flags(void *a, size_t i) { (void)a; return msgs[i].flags; }
static const char *f_from(void *a, size_t i) { (void)a; return msgs[i].from; }
static const char *f_subj(void *a, size_t i) { (void)a; return msgs[i].subject; }

/* The selected numbers as "1 3 5", or the error. */
static const char *
sel(const char *spec, int deleted)
{
	static char	 out[256];
	struct msglist_view v = { 6, 3, f_flags, f_from, f_subj, NULL };
	unsigned char	 s[6];
	char		 err[128];

	if (msglist_parse(&v, spec, deleted, s, err, sizeof(err)) == -1) {
		snprintf(out, sizeof(out), "error: %s", err);
		return out;
	}
	out[0] = '\0';
	for (int i = 0; i < 6; i++)
		if (s[i])
			snprintf(out + strlen(out), sizeof(out) - strlen(out),
			    "%s%d", out[0] ? " " : "", i + 1);
	return out;
}

static void
t_lists(void)
{
	is_str(sel("", 0), "3", "empty: the current message");
	is_str(sel("4", 0), "4", "a number");
	is_str(sel("2", 0), "error: 2: Inappropriate message",
	    "a deleted message is refused");
	is_str(sel("9", 0), "error: 9: Invalid message number", "out of range");
	is_str(sel("0", 0), "error: 0: Invalid message number", "zero");
	is_str(sel("1-4", 0), "1 3 4", "a range skips deleted ones");
	is_str(sel("*", 0), "1 3 4 5 6", "* is every undeleted message");
	is_str(sel("$", 0), "6", "$ the last");
	is_str(sel("^", 0), "1", "^ the first");
	is_str(sel(".", 0), "3", ". the current");
	is_str(sel("^-.", 0), "1 3", "range ^-.");
	is_str(sel("2-$", 0), "3 4 5 6", "range to $");
	is_str(sel(":n", 0), "3 5", ":n new");
	is_str(sel(":u", 0), "3 4 5", ":u unread");
	is_str(sel(":r", 0), "1 6", ":r read (deleted left out)");
	is_str(sel(":o", 0), "1 4 6", ":o old");
	is_str(sel(":d", 0), "2", ":d deleted");
	is_str(sel(":x", 0), "error: :x: unknown message type (one of :n :u "
	    ":r :o :d)", "unknown type");
	is_str(sel("/LUNCH", 0), "1 3", "/string in the subject, any case");
	is_str(sel("/件名", 0), "5", "/string in a Japanese subject");
	is_str(sel("alice", 0), "1 6", "user: the local part");
	is_str(sel("bob@example.org", 0), "4",
	    "user: the whole address, any case (deleted left out)");
	is_str(sel("1 5, 6", 0), "1 5 6", "several, spaces and commas");
	is_str(sel("nobody", 0), "error: No applicable messages", "no match");
	is_str(sel("2", 1), "2", "undelete: a deleted one");
	is_str(sel("*", 1), "2", "undelete: * is the deleted ones");
	is_str(sel("3", 1), "error: 3: Inappropriate message",
	    "undelete: an undeleted one is refused");
	is_str(sel("5-3", 0), "error: 3: Invalid message number",
	    "backwards range");
	is_str(sel("3x", 0), "error: bad message list near '3x'", "junk");
}

static void
t_summary(void)
{
	struct buf	 b;

	buf_init(&b, 0);
	msglist_summary(&b, '>', 'N', 1, "alice@test.example",
	    "Sat Nov 28 09:19", 14, 420, "hello", 80);
	is_str(buf_str(&b), ">N  1 alice@test.exampl  Sat Nov 28 09:19   "
	    "14/420   hello\n", "Debian bsd-mailx's summary line");
	buf_reset(&b);
	msglist_summary(&b, ' ', ' ', 123, "a-very-long-sender-address@example.org",
	    "Mon Jan  1 00:00", 1234, 123456, "a subject that is far too long "
	    "to fit", 80);
	is_str(buf_str(&b), "  123 a-very-long-sende  Mon Jan  1 00:00 "
	    "1234/123456 a subject that is far too \n",
	    "sender cut to 17, subject to the width left (80 - 43 - 11)");
	buf_reset(&b);
	msglist_summary(&b, ' ', ' ', 1, "x@y", "Mon Jan  1 00:00", 1, 1,
	    "subject", 52);
	is_str(buf_str(&b), "    1 x@y                Mon Jan  1 00:00    1/1    "
	    "\n", "no room: the line ends after the counts");
	buf_reset(&b);
	msglist_summary(&b, ' ', 'U', 2, "x@y", "Sat Nov 28 09:19", 3, 99,
	    "日本語のメールです。とても長い件名", 80);
	is_str(buf_str(&b), " U  2 x@y                Sat Nov 28 09:19"
	    "    3/99    日本語のメールです。とても\n",
	    "Japanese subject cut between characters (27 columns: 13 of 2)");
	buf_reset(&b);
	is_int(msglist_cols(&b, "a\tb\001\xff" "c", 10, 0), 6,
	    "controls and bad bytes are one column each");
	is_str(buf_str(&b), "a b\xef\xbf\xbd\xef\xbf\xbd" "c",
	    "shown as ' ' and U+FFFD, as mime_clean() does");
	buf_free(&b);
}

static void
t_field_count(void)
{
	static const char hdr[] =
	    "From a@b Sat Jul  9 23:36:00 1994\r\n"
	    "Subject: one  \r\n"
	    "\t  two\r\n"
	    "X-No-Colon line\n"
	    "subject:second\n"
	    "Subject : not this one\n"
	    "Sender:\n"
	    "\n"
	    "Subject: body\n";
	struct buf	 b;
	size_t		 lines;
	long long	 bytes;
	char		 big[20000];

	buf_init(&b, 0);
	is_int(msglist_field(&b, hdr, sizeof(hdr) - 1, "subject"), 1,
	    "field: found");
	is_str(buf_str(&b), "one two second",
	    "field: folds and repeats joined with one space, CR LF read");
	buf_reset(&b);
	is_int(msglist_field(&b, hdr, sizeof(hdr) - 1, "sender"), 1,
	    "field: an empty one is found");
	is_str(buf_str(&b), "", "field: and empty");
	buf_reset(&b);
	is_int(msglist_field(&b, hdr, sizeof(hdr) - 1, "from"), 0,
	    "field: the From_ line is no field");
	buf_free(&b);
	msglist_count(hdr, sizeof(hdr) - 1, &lines, &bytes);
	is_int((int)lines, 9, "count: lines");
	is_int((int)bytes, (int)sizeof(hdr) - 1 - 3,
	    "count: a CR LF line counts one byte less (as bsd-mailx)");
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	big[100] = '\0';
	msglist_count(big, sizeof(big), &lines, &bytes);
	is_int((int)lines, 3, "count: a long line counts per 8,191 bytes");
	is_int((int)bytes, (int)sizeof(big) - 8191 + 100,
	    "count: a line is counted up to a NUL");
}

static void
t_skin_date(void)
{
	char	 a[128], d[64];

	msglist_skin("Alice Liddell <alice@example.org>", a, sizeof(a));
	is_str(a, "alice@example.org", "skin: angle address");
	msglist_skin("\"Doe, <John>\" <john@example.org>", a, sizeof(a));
	is_str(a, "john@example.org", "skin: quoted name with <>");
	msglist_skin("bob@example.org (Bob <B>)", a, sizeof(a));
	is_str(a, "bob@example.org", "skin: comment");
	msglist_skin("=?UTF-8?B?5pel5pys?= <nihon@example.jp>", a, sizeof(a));
	is_str(a, "nihon@example.jp", "skin: encoded display name");
	/* as Debian's bsd-mailx (its skin() and nameof()) */
	msglist_skin("Big Bug bb@bug.com", a, sizeof(a));
	is_str(a, "Big Bug bb@bug.com", "skin: no <>, the words kept");
	msglist_skin("pete(his account)@silly.test", a, sizeof(a));
	is_str(a, "pete@silly.test", "skin: a comment inside removed");
	msglist_skin("a at  b.example", a, sizeof(a));
	is_str(a, "a@ b.example", "skin: ' at ' is '@'");
	msglist_skin("\"quoted \\\" name\" stuff@x", a, sizeof(a));
	is_str(a, "quoted \" name stuff@x", "skin: quotes taken off");
	msglist_skin("h1!h2!h3!user", a, sizeof(a));
	is_str(a, "h3!user", "skin: a UUCP path keeps two hops");
	msglist_skin("\"x\"@y", a, sizeof(a));
	is_str(a, "\"x\"@y", "skin: nothing to skin, kept as it is");
	msglist_skin("Name <a@x> (c), Other <b@y>", a, sizeof(a));
	is_str(a, "a@x, b@y", "skin: a list");
	msglist_skin("Big Bug bb@bug.com", a, 8);
	is_str(a, "Big Bug", "skin: cut to the buffer");
	ok(msglist_date("Sat, 28 Nov 2026 09:19:43 +0900", d, sizeof(d)) == 0,
	    "date: RFC 5322");
	is_str(d, "Sat Nov 28 09:19:43 2026", "date: as a From_ line");
	ok(msglist_date("1 Jan 2024 00:00 +0000", d, sizeof(d)) == 0,
	    "date: no day name, no seconds");
	is_str(d, "Mon Jan  1 00:00:00 2024", "date: day name computed");
	ok(msglist_date("yesterday", d, sizeof(d)) == -1 && d[0] == '\0',
	    "date: unreadable");
}

int
main(void)
{
	t_lists();
	t_summary();
	t_skin_date();
	t_field_count();
	return done_testing();
}
