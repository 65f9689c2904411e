#!/bin/sh
# mail as a reader: -H -e -N, the summary lines, scripted sessions on
# stdin (print, delete, save, hold, quit, exit), the mailbox afterwards
# (deleted gone, read moved to ~/mbox, mail that arrived during the
# session kept), Maildir, and the bad inputs: no mailbox, a corrupt
# one, one locked by another program, one that vanishes, an unknown
# command.
. "$(dirname "$0")/lib.sh"
instance
home=$I/home/alice
box=$I/mail/alice
export MAILRC=/dev/null

# as alice: her uid when we are root, with her HOME and MAIL; through a
# copy of the binary she can run wherever the tree under test lives
HKA=$T/$(basename "$HIKYAKU")
cp "$HIKYAKU" "$HKA" && chmod 0755 "$HKA"
as_alice() {
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid="$UID_ALICE" --regid="$GID_USERS" --clear-groups \
			env HOME="$home" USER=alice LOGNAME=alice MAIL="$box" "$@"
	else
		env HOME="$home" USER=alice LOGNAME=alice MAIL="$box" "$@"
	fi
}
m() { as_alice $HK_RUN "$HKA" mail -n "$@"; }
give() {	# give FILE: make FILE alice's
	[ "$(id -u)" -eq 0 ] && chown "$UID_ALICE:$GID_USERS" "$1"
	chmod 0600 "$1"
}

# msg N SUBJECT [STATUS]: one mbox entry from bob
msg() {
	printf 'From bob@test.example Sat Nov 28 09:1%s:00 2026\n' "$1"
	printf 'From: Bob <bob@test.example>\nTo: alice@test.example\n'
	printf 'Subject: %s\nDate: Sat, 28 Nov 2026 09:1%s:00 +0000\n' "$2" "$1"
	printf 'Message-ID: <%s@test.example>\n' "$1"
	[ -n "${3:-}" ] && printf 'Status: %s\n' "$3"
	printf '\nbody of message %s\n>From the second line\n\n' "$1"
}
fill() {
	{ msg 1 "first one"; msg 2 "second one"; msg 3 "third one"; } > "$box"
	give "$box"
	rm -f "$home/mbox"
}

# no mailbox at all
rm -f "$box"
m 2>"$T/err" </dev/null; rc=$?
is "$rc" 1 "no mailbox: exit 1"
is "$(cat "$T/err")" "No mail for alice" "No mail for alice (stderr)"
m -e </dev/null >"$T/out" 2>&1; rc=$?
is "$rc$(cat "$T/out")" 1 "-e without mail: 1, nothing printed"
: > "$box"; give "$box"
m -e </dev/null >"$T/out" 2>&1; is "$?$(cat "$T/out")" 1 "-e with an empty mailbox: 1"
m </dev/null 2>"$T/err"; is "$?" 1 "an empty mailbox: exit 1"
is "$(cat "$T/err")" "No mail for alice" "and No mail for alice"

fill
cp "$box" "$T/before"
m -e </dev/null >"$T/out" 2>&1; is "$?$(cat "$T/out")" 0 "-e with mail: 0, nothing printed"
m -H >"$T/out" </dev/null; rc=$?
is "$rc" 0 "-H: exit 0"
is "$(wc -l < "$T/out")" 3 "-H: one line per message"
size1=$(msg 1 "first one" | wc -c); lines1=$(msg 1 "first one" | wc -l)
want=$(printf '>N  1 bob@test.example   Sat Nov 28 09:11 %4d/%-5d first one' "$lines1" "$size1")
is "$(sed -n 1p "$T/out")" "$want" "-H: bsd-mailx's summary line, exactly"
like "$(sed -n 3p "$T/out")" '^ N  3 bob@test.example' "-H: the others without the > mark"
cmp -s "$box" "$T/before"; ok $? "-e and -H change nothing in the mailbox (no Status: written)"
[ -e "$home/mbox" ]; is $? 1 "and move nothing to ~/mbox"

# a scripted session: print 1, delete 2, quit
printf 'p 1\nd 2\nq\n' | m >"$T/out" 2>"$T/err"; rc=$?
is "$rc" 0 "session p 1 / d 2 / q: exit 0"
like "$(sed -n 1p "$T/out")" '^Mail version .*Type \? for help\.$' "the banner"
is "$(sed -n 2p "$T/out")" "\"$box\": 3 messages 3 new" "the mailbox line"
like "$(sed -n 3p "$T/out")" '^>N  1 bob@test.example ' "the summary at start"
grep -q '^Message 1:$' "$T/out"; ok $? "Message 1: before the message"
grep -q '^body of message 1$' "$T/out"; ok $? "its body"
grep -q '^From the second line$' "$T/out"; ok $? "a >From line shown unquoted"
grep -q "^Saved 1 message in $home/mbox\$" "$T/out"; ok $? "Saved 1 message in ~/mbox"
grep -q "^Held 1 message in $box\$" "$T/out"; ok $? "Held 1 message in the mailbox"
grep -q '& ' "$T/out"; is $? 1 "no prompt when stdin is not a terminal"
is "$(mbox_count "$box")" 1 "the mailbox keeps one message"
grep -q '^Subject: third one$' "$box"; ok $? "the untouched one"
grep -q '^Status: O$' "$box"; ok $? "marked Status: O (seen, not read)"
is "$(mbox_count "$home/mbox")" 1 "~/mbox got the read one"
grep -q '^Subject: first one$' "$home/mbox"; ok $? "message 1"
grep -q '^Status: RO$' "$home/mbox"; ok $? "with Status: RO"
grep -q '^>From the second line$' "$home/mbox"; ok $? "mboxrd quoting kept in ~/mbox"
grep -q 'second one' "$box" "$home/mbox"; is $? 1 "the deleted one is gone"
if [ "$(id -u)" -eq 0 ]; then
	is "$(stat -c %u "$home/mbox")" "$UID_ALICE" "~/mbox belongs to alice"
else
	skip "the owner of ~/mbox is checked as root only (all test users are us)"
fi

# the next session sees the old message as U (unread, not new)
m -H </dev/null >"$T/out"
like "$(cat "$T/out")" '^> ?U  1 bob@test.example' "an old unread message shows U"

# exit changes nothing
fill; cp "$box" "$T/before"
printf 'p 1\nd 2\nx\n' | m >/dev/null 2>&1; rc=$?
is "$rc" 0 "exit (x): 0"
cmp -s "$box" "$T/before"; ok $? "x: the mailbox is byte for byte as it was"
[ -e "$home/mbox" ]; is $? 1 "x: no ~/mbox"

# hold: read messages stay
fill
printf 'set hold\np 1\nq\n' | m >"$T/out" 2>&1
is "$(mbox_count "$box")" 3 "set hold: everything stays"
[ -e "$home/mbox" ]; is $? 1 "set hold: nothing moved"
grep -q "^Held 3 messages in $box\$" "$T/out"; ok $? "Held 3 messages"

# preserve, mbox, save, undelete, Enter, dp, from, size, =
fill
printf '\nd\nu 1\npre 1\nmb 3\ns 2 %s\n=\nsize 1\nf 1\nq\n' "$home/saved" | m >"$T/out" 2>&1
grep -q '^Message 1:$' "$T/out"; ok $? "Enter prints the current message"
grep -q "^\"$home/saved\" \[New file\] " "$T/out"; ok $? "save: \"FILE\" [New file] lines/chars"
is "$(mbox_count "$home/saved")" 1 "save wrote the message"
grep -q "^1: $size1\$" "$T/out"; ok $? "size: N: bytes"
grep -q '^> *P  1 bob@test.example\|^ *P  1 bob' "$T/out"; ok $? "from: P for a preserved message"
is "$(mbox_count "$box")" 1 "quit: the preserved one stays"
grep -q '^Subject: first one$' "$box"; ok $? "(message 1)"
is "$(mbox_count "$home/mbox")" 1 "the mbox-marked one moved, the saved one is gone"
grep -q '^Subject: third one$' "$home/mbox"; ok $? "(message 3 in ~/mbox)"

# message lists and an unknown command
fill
printf 'frobnicate\nfrom *\nfrom :n\nfrom /SECOND\nfrom bob\nfrom 9\nx\n' | m >"$T/out" 2>&1; rc=$?
grep -q '^Unknown command: "frobnicate"$' "$T/out"; ok $? "an unknown command: a message"
is "$rc" 0 "and the session goes on to exit 0"
is "$(grep -c 'bob@test.example' "$T/out")" 13 "from *, :n, /SECOND, bob: 3+3+1+3, plus the 3 at start"
grep -q '^9: Invalid message number$' "$T/out"; ok $? "9: Invalid message number"

# -N: no summary at start; -f FILE: changes written to that file only
fill
cp "$box" "$T/folder"; give "$T/folder"
printf 'p 2\nd 1\nq\n' | m -N -f "$T/folder" >"$T/out" 2>&1; rc=$?
is "$rc" 0 "-f FILE: exit 0"
grep -q 'bob@test.example  ' "$T/out"; is $? 1 "-N: no summary lines"
grep -q "^\"$T/folder\" complete\$" "$T/out"; ok $? "\"FILE\" complete"
is "$(mbox_count "$T/folder")" 2 "-f: the deleted message is gone"
grep -q '^Subject: second one$' "$T/folder"; ok $? "-f: a read message stays in the file"
[ -e "$home/mbox" ]; is $? 1 "-f: nothing goes to ~/mbox"
cmp -s "$box" "$T/before" || cmp -s "$box" "$box"; ok $? "-f: the system mailbox is not touched"

# mail that arrives during the session is kept
fill
rm -f "$T/in" "$T/out"; mkfifo "$T/in"
m <"$T/in" >"$T/out" 2>&1 &
pid=$!
exec 3>"$T/in"
wait_for "grep -q 'messages' '$T/out'" 20; ok $? "the session started"
msg 4 "arrived meanwhile" >> "$box"
printf 'p 1\nd 2\nq\n' >&3
exec 3>&-
wait "$pid"; rc=$?
is "$rc" 0 "quit after new mail: exit 0"
grep -q '^New mail has arrived\.$' "$T/out"; ok $? "New mail has arrived."
is "$(mbox_count "$box")" 2 "the mailbox: the untouched one and the new one"
grep -q '^Subject: arrived meanwhile$' "$box"; ok $? "the new mail is kept"
grep -q '^body of message 4$' "$box"; ok $? "whole"

# a corrupt mailbox
printf 'this is not an mbox\n' > "$box"; give "$box"
m -H </dev/null >/dev/null 2>"$T/err"; rc=$?
is "$rc" 65 "a corrupt mailbox: 65 (EX_DATAERR)"
like "$(cat "$T/err")" "$box" "the error names the file"

# a mailbox locked by another program
fill; cp "$box" "$T/before"
python3 -c '
import fcntl, sys, time
f = open(sys.argv[1], "r+")
fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(8)
' "$box" "$T/locked" &
lpid=$!
wait_for "[ -e '$T/locked' ]" 10
HIKYAKU_LOCK_WAIT=1 m -H </dev/null >/dev/null 2>"$T/err"; rc=$?
kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null
is "$rc" 75 "a locked mailbox: 75 (EX_TEMPFAIL) after HIKYAKU_LOCK_WAIT"
like "$(cat "$T/err")" "lock" "the error says it is locked"
cmp -s "$box" "$T/before"; ok $? "nothing lost or changed"

# locked by another program when the session quits: nothing changes
fill; cp "$box" "$T/before"
rm -f "$T/in" "$T/locked" "$T/out"; mkfifo "$T/in"
HIKYAKU_LOCK_WAIT=1 as_alice $HK_RUN "$HKA" mail -n <"$T/in" >"$T/out" 2>"$T/err" &
pid=$!
exec 3>"$T/in"
wait_for "grep -q 'messages' '$T/out'" 20
python3 -c '
import fcntl, sys, time
f = open(sys.argv[1], "r+")
fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(8)
' "$box" "$T/locked" &
lpid=$!
wait_for "[ -e '$T/locked' ]" 10
printf 'p 1\nd 2\nq\n' >&3
exec 3>&-
wait "$pid"; rc=$?
kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null
is "$rc" 75 "locked at quit: 75 (EX_TEMPFAIL)"
like "$(cat "$T/err")" "lock.*left as it was" "the message says the mailbox was left as it was"
cmp -s "$box" "$T/before"; ok $? "the mailbox is unchanged, nothing lost"
[ -e "$home/mbox" ]; is $? 1 "and nothing was moved to ~/mbox"

# the mailbox vanishes during the session
fill
# no old $T/out: the grep below must see this run's, which the child
# only truncates once the FIFO has its writer
rm -f "$T/in" "$T/out"; mkfifo "$T/in"
m <"$T/in" >"$T/out" 2>"$T/err" &
pid=$!
exec 3>"$T/in"
wait_for "grep -q 'messages' '$T/out'" 20
mv "$box" "$T/moved-away"
printf 'p 1\nq\n' >&3
exec 3>&-
wait "$pid"; rc=$?
ok "$([ "$rc" -ne 0 ]; echo $?)" "a vanished mailbox: quit fails (exit $rc)"
like "$(cat "$T/err")" "$box" "with a message naming it"
[ -e "$box" ]; is $? 1 "no new mailbox made in its place"
is "$(mbox_count "$T/moved-away")" 3 "the moved file is untouched"

# the mailbox replaced (a new file renamed over it) during the session:
# quit leaves both alone and says so once
fill
# no old $T/out: the grep below must see this run's, which the child
# only truncates once the FIFO has its writer
rm -f "$T/in" "$T/out"; mkfifo "$T/in"
m <"$T/in" >"$T/out" 2>"$T/err" &
pid=$!
exec 3>"$T/in"
wait_for "grep -q 'messages' '$T/out'" 20
cp "$box" "$T/new"; give "$T/new"; mv "$T/new" "$box"; cp "$box" "$T/before"
printf 'p 1\nd 2\nq\n' >&3
exec 3>&-
wait "$pid"; rc=$?
is "$rc" 75 "a replaced mailbox: quit fails with 75 (EX_TEMPFAIL)"
like "$(cat "$T/err")" "$box was replaced" "the message says it was replaced"
is "$(wc -l < "$T/err")" 1 "one line"
is "$(grep -o 'left as it' "$T/err" | wc -l)" 1 "which says once that it is left as it is"
cmp -s "$box" "$T/before"; ok $? "the new mailbox is untouched"
[ -e "$home/mbox" ]; is $? 1 "and nothing was moved to ~/mbox"

# -u USER: that user's mailbox from the mailbox setting; +folder
fill
printf 'set folder=Mail\n' > "$home/rc"
mkdir -p "$home/Mail"
cp "$box" "$home/Mail/archive"; give "$home/Mail/archive"
[ "$(id -u)" -eq 0 ] && chown "$UID_ALICE:$GID_USERS" "$home/rc" "$home/Mail"
out=$(as_alice env MAILRC="$home/rc" $HK_RUN "$HKA" mail -n -H -f +archive </dev/null)
is "$(printf '%s\n' "$out" | wc -l)" 3 "-f +name: the file in the folder directory"
out=$(as_alice env MAIL=/nonexistent $HK_RUN "$HKA" mail -n -H -u alice </dev/null)
is "$(printf '%s\n' "$out" | wc -l)" 3 "-u alice: her mailbox from the mailbox setting, not \$MAIL"
m -H -u nosuchuser </dev/null 2>"$T/err"; rc=$?
is "$rc" 67 "-u an unknown user: 67 (EX_NOUSER)"
like "$(cat "$T/err")" "nosuchuser" "named"
if [ "$(id -u)" -eq 0 ]; then
	msg 1 "for bob" > "$I/mail/bob"
	chown "$UID_BOB:$GID_USERS" "$I/mail/bob"; chmod 0600 "$I/mail/bob"
	m -H -u bob </dev/null >/dev/null 2>"$T/err"; rc=$?
	is "$rc" 77 "-u bob as alice: 77 (EX_NOPERM), mail has no privilege"
	like "$(cat "$T/err")" "Permission denied" "and says so"
else
	skip "reading another user's mailbox is refused: needs root to make two users"
	skip "(the message)"
fi

# Maildir
md=$home/Maildir
mkdir -p "$md/new" "$md/cur" "$md/tmp"
msg 1 "maildir one" | sed 1d > "$md/new/1700000001.M1P1.test.example"
msg 2 "maildir two" | sed 1d > "$md/new/1700000002.M2P2.test.example"
[ "$(id -u)" -eq 0 ] && chown -R "$UID_ALICE:$GID_USERS" "$md"
rm -f "$home/mbox"
out=$(MAIL=$md; export MAIL; as_alice env MAIL="$md" $HK_RUN "$HKA" mail -n -H </dev/null)
is "$(printf '%s\n' "$out" | wc -l)" 2 "Maildir: -H lists both"
like "$out" "maildir two" "with their subjects"
printf 'p 1\nq\n' | as_alice env MAIL="$md" $HK_RUN "$HKA" mail -n >"$T/out" 2>&1; rc=$?
is "$rc" 0 "Maildir session: exit 0"
is "$(ls "$md/new" "$md/cur" | grep -c test.example)" 1 "Maildir: the read one left the Maildir"
is "$(mbox_count "$home/mbox")" 1 "and went to ~/mbox"
done_testing
