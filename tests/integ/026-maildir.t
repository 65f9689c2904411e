#!/bin/sh
# Maildir delivery: created on first use under the user's home, one
# file per message in new/, nothing left in tmp/, owned by the user.
. "$(dirname "$0")/lib.sh"
instance
echo 'mailbox = maildir:%h/Maildir/' >> "$I/hikyaku.conf"
md=$I/home/bob/Maildir

printf 'Subject: one\n\nFrom the start\nbody one\n' | hk sendmail -odq bob
printf 'Subject: two\n\nbody two\n' | hk sendmail -odq bob
hk sendmail -q; ok $? "queue run"
for d in tmp new cur; do
	[ -d "$md/$d" ]; ok $? "Maildir/$d created"
done
is "$(ls "$md/new" | wc -l)" 2 "two messages in new/"
is "$(ls "$md/tmp" | wc -l)" 0 "nothing left in tmp/"
f=$(grep -l '^Subject: one$' "$md/new/"*)
[ -n "$f" ]; ok $? "the first message is there"
like "$(basename "$f")" '^[0-9]+\.M[0-9]+P[0-9]+Q[0-9]+\.test\.example$' "the file name has Maildir's unique form"
is "$(head -1 "$f")" "Return-Path: <$ME@test.example>" "it starts with Return-Path (no From_ line)"
grep -q '^From the start$' "$f"; ok $? "no mboxrd quoting in Maildir"
is "$(stat -c %u "$f")" "$UID_BOB" "the file belongs to bob"
is "$(hk mailq)" "Mail queue is empty" "queue empty"
done_testing
