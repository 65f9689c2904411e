#!/bin/sh
# ~/.forward as the textbooks show it: "\user" keeps a copy, an address
# forwards; unsafe files are ignored (with a warning) and the mail is
# delivered as if there were none; loops between users bounce.
. "$(dirname "$0")/lib.sh"
instance
echo "default_user = carol" >> "$I/hikyaku.conf"
: > "$I/aliases"
hk newaliases >/dev/null
send() { s=$1; shift; printf 'Subject: %s\n\nbody of %s\n' "$s" "$s" | hk sendmail -odq "$@"; }
run() { hk sendmail -q; }
root=0; [ "$(id -u)" -eq 0 ] && root=1

# forward FILE-CONTENT USER: write USER's .forward, owned by USER
forward() {
	printf '%b' "$1" > "$I/home/$2/.forward"
	chmod 644 "$I/home/$2/.forward"
	if [ $root = 1 ]; then
		u=$(awk -F: -v n="$2" '$1 == n { print $3 ":" $4 }' "$I/passwd")
		chown "$u" "$I/home/$2/.forward"
	fi
}

# the textbook: keep a copy and forward
forward '\\alice, alice@example.com\n' alice
# -bv routes the remote address: through a relayhost given by its
# address, so that no DNS is asked
{ cat "$I/hikyaku.conf"; echo "relayhost = [192.0.2.1]"; } > "$T/relay.conf"
out=$(export HIKYAKU_CONF="$T/relay.conf"; hk sendmail -bv alice)
like "$out" "^alice@test.example\.\.\. deliverable: mailer local, user alice, via $I/home/alice/.forward$" "-bv: the copy kept by \\alice"
like "$out" "^alice@test.example\.\.\. deliverable: mailer smtp, address alice@example.com, via relayhost \[192.0.2.1\], via $I/home/alice/.forward$" "-bv: the address it forwards to"
send keep-and-forward alice
run
is "$(mbox_count "$I/mail/alice")" 1 "\\alice: a copy in alice's own mailbox"
like "$(hk mailq)" "alice@example.com" "and alice@example.com is on its way (queued for remote delivery)"
grep -q 'to=<alice@example.com>, orig_to=<alice@test.example>, via=.*status=sent (2.0.0 forwarded to alice@example.com)' "$I/log"
ok $? "the log says forwarded"
rm -rf "$I/spool"; rm -f "$I/mail/"*

# forward only, and the user's name without a backslash
forward 'bob\n' alice
send only-forward alice
run
[ ! -e "$I/mail/alice" ]; ok $? "forwarded elsewhere: nothing for alice"
is "$(mbox_count "$I/mail/bob")" 1 "bob got it"
rm -f "$I/mail/"*
forward '# copy to bob\nalice\nbob\n' alice
send self-named alice
run
is "$(mbox_count "$I/mail/alice")" 1 "her own name in her .forward: her mailbox"
is "$(mbox_count "$I/mail/bob")" 1 "and bob's copy"
rm -f "$I/mail/"*

# a loop between two users bounces to the sender, saying so
forward 'bob\n' alice
forward 'alice\n' bob
send loop -f carol@test.example alice
run
is "$(mbox_count "$I/mail/carol")" 1 "a .forward loop between alice and bob bounces"
grep -q 'mail forwarding loop: .*home/alice/.forward > .*home/bob/.forward > alice' "$I/mail/carol"
ok $? "the bounce names the loop"
[ ! -e "$I/mail/alice" ] && [ ! -e "$I/mail/bob" ]; ok $? "nothing is delivered in the loop"
rm -f "$I/mail/"* "$I/home/bob/.forward"

# unsafe .forward files: ignored with a warning, mail delivered normally
forward 'bob\n' alice
chmod 664 "$I/home/alice/.forward"
send group-writable alice
run
is "$(mbox_count "$I/mail/alice")" 1 "a group-writable .forward is ignored: alice gets the mail"
grep -q "ignoring $I/home/alice/.forward: it is writable by its group" "$I/log"; ok $? "with a warning in the log"
rm -f "$I/mail/"*
chmod 644 "$I/home/alice/.forward"
chmod 777 "$I/home/alice"
send open-home alice
run
is "$(mbox_count "$I/mail/alice")" 1 "a .forward in a world-writable home is ignored"
grep -q "ignoring $I/home/alice/.forward: its directory $I/home/alice: it is writable by others" "$I/log"; ok $? "with a warning"
chmod 755 "$I/home/alice"
rm -f "$I/mail/"* "$I/home/alice/.forward"
echo bob > "$T/elsewhere"
ln -s "$T/elsewhere" "$I/home/alice/.forward"
send symlink alice
run
is "$(mbox_count "$I/mail/alice")" 1 "a .forward that is a symbolic link is ignored"
grep -q "ignoring $I/home/alice/.forward: it is a symbolic link" "$I/log"; ok $? "with a warning"
rm -f "$I/mail/"* "$I/home/alice/.forward"
if [ $root = 1 ]; then
	forward 'bob\n' alice
	chown "$UID_BOB" "$I/home/alice/.forward"
	send foreign alice
	run
	is "$(mbox_count "$I/mail/alice")" 1 "a .forward owned by someone else is ignored"
	grep -q "ignoring $I/home/alice/.forward: it belongs to someone else" "$I/log"; ok $? "with a warning"
else
	skip "a .forward owned by another user needs root to make"
	skip "(its warning)"
fi
rm -f "$I/mail/"* "$I/home/alice/.forward"
forward 'bob, "unterminated\n' alice
send bad-syntax alice
run
is "$(mbox_count "$I/mail/alice")" 1 "a .forward with a syntax error is ignored"
grep -q "ignoring $I/home/alice/.forward: line 1: unterminated quoted destination" "$I/log"; ok $? "the warning names the line"
rm -f "$I/mail/"*

# an include of something that is not a file is never opened as one
forward ':include:/dev/null\nbob\n' alice
send device-include alice
run
grep -q 'ignoring include file /dev/null: it is not a regular file' "$I/log"; ok $? "an include that is a device is refused, with a warning"
is "$(mbox_count "$I/mail/bob")" 1 "the rest of the .forward still counts"
rm -f "$I/mail/"* "$I/home/alice/.forward"

# a command in .forward runs as the user; allow_commands can forbid it
OUT=$I/out; mkdir -p "$OUT"; chmod 1777 "$OUT"
forward "\"|id -u > $OUT/uid; cat > $OUT/msg\"\n" alice
send to-command alice
run
is "$(cat "$OUT/uid" 2>/dev/null)" "$UID_ALICE" "a .forward command runs as the user"
grep -q '^Subject: to-command$' "$OUT/msg"; ok $? "with the message on stdin"
echo "allow_commands = aliases" >> "$I/hikyaku.conf"
send no-commands -f carol@test.example alice
run
grep -q 'commands in .forward files are not allowed here (allow_commands)' "$I/mail/carol"
ok $? "allow_commands = aliases: a .forward command bounces, saying why"

done_testing
