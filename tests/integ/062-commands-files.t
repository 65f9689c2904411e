#!/bin/sh
# |command and /file destinations of the aliases: who runs them, what
# they get, and what their exit codes mean (0 delivered, 75 try again
# later, others bounce with the first line of stderr, the time limit).
. "$(dirname "$0")/lib.sh"
instance
OUT=$I/out; mkdir -p "$OUT"; chmod 1777 "$OUT"
cat >> "$I/hikyaku.conf" <<CONF
default_user = carol
command_timeout = 2s
CONF
send() { s=$1; shift; printf 'Subject: %s\n\nbody of %s\nFrom the body\n' "$s" "$s" | hk sendmail -odq "$@"; }
run() { hk sendmail -q; }

cat > "$I/aliases" <<ALIASES
prog: "|id -u > $OUT/uid; env > $OUT/env; ls -l /proc/\$\$/fd/ > $OUT/fds; cat > $OUT/msg"
later: "|test -e $OUT/go || exit 75; cat > $OUT/later"
fails: "|echo 'boom: no such list' >&2; echo second line >&2; exit 1"
slow: "|sleep 30.$$"
bg: "|sleep 29.$$ & exit 0"
archive: $OUT/archive
ALIASES
hk newaliases >/dev/null

send to-prog -f alice@test.example prog
run
is "$(cat "$OUT/uid")" "$UID_CAROL" "an alias command runs as default_user"
head -1 "$OUT/msg" | grep -q '^From alice@test.example '; ok $? "stdin starts with the From_ line"
grep -q '^Return-Path: <alice@test.example>$' "$OUT/msg"; ok $? "then Return-Path:"
grep -q '^Delivered-To: prog@test.example$' "$OUT/msg"; ok $? "and Delivered-To:"
grep -q '^From the body$' "$OUT/msg"; ok $? "the body as sent (no >From quoting for commands)"
grep -q '^SENDER=alice@test.example$' "$OUT/env"; ok $? "SENDER in the environment"
grep -q '^RECIPIENT=prog@test.example$' "$OUT/env"; ok $? "RECIPIENT"
grep -q '^USER=carol$' "$OUT/env"; ok $? "USER"
grep -q "^HOME=$I/home/carol$" "$OUT/env"; ok $? "HOME"
grep -q '^PATH=/usr/bin:/bin$' "$OUT/env"; ok $? "PATH=/usr/bin:/bin"
grep -q '^SHELL=/bin/sh$' "$OUT/env"; ok $? "SHELL=/bin/sh"
grep -q 'HIKYAKU_CONF' "$OUT/env"; is "$?" 1 "nothing of the caller's environment"
grep -q -- '-> /dev/null' "$OUT/fds"; ok $? "stdout is /dev/null (the descriptor list was read)"
grep -Eq "$I/(spool|log)" "$OUT/fds"; is "$?" 1 "no descriptor of the queue or the log reaches the command"
grep -q 'status=sent (2.0.0 delivered to command: id -u' "$I/log"; ok $? "the log says delivered to command"

send to-later later
run
like "$(hk mailq)" "asked to try again later \(exit 75\)" "exit 75: deferred, the message stays in the queue"
[ ! -e "$OUT/later" ]; ok $? "nothing delivered yet"
: > "$OUT/go"
run
grep -q '^Subject: to-later$' "$OUT/later"; ok $? "the next try delivers it"
is "$(hk mailq)" "Mail queue is empty" "and the queue is empty"

send to-fails -f alice@test.example fails
run
grep -q 'failed (exit 1): boom: no such list' "$I/mail/alice"; ok $? "exit 1 bounces with the first line of stderr"
grep -q 'failed (exit 1): boom: no such list$' "$I/mail/alice"; ok $? "only the first line"
rm -f "$I/mail/alice"

send to-slow -f alice@test.example slow
run
grep -q 'killed after the time limit of 2s' "$I/mail/alice"; ok $? "past command_timeout: killed and bounced"
pgrep -f "sleep 30.$$" >/dev/null; is "$?" 1 "its processes are gone"
rm -f "$I/mail/alice"

send to-bg -f alice@test.example bg
run
grep -q 'to=<sleep 29.[0-9]* & exit 0>, .*status=sent' "$I/log"; ok $? "a command that exits leaving a job behind is delivered"
[ ! -e "$I/mail/alice" ]; ok $? "and not bounced"
pkill -f "sleep 29.$$"

send first -f alice@test.example archive
send second -f alice@test.example archive
run
is "$(grep -c '^From alice@test.example ' "$OUT/archive")" 2 "a /file alias appends in mbox format"
grep -q '^>From the body$' "$OUT/archive"; ok $? "with mboxrd quoting"
if [ "$(id -u)" -eq 0 ]; then
	is "$(stat -c %u "$OUT/archive")" "$UID_CAROL" "written as default_user"
else
	skip "file ownership by default_user needs root"
fi

# allow_commands / allow_files
cp "$I/hikyaku.conf" "$T/conf.saved"
printf 'allow_commands = none\nallow_files = forward\n' >> "$I/hikyaku.conf"
send refused -f alice@test.example prog archive
run
grep -q 'commands in the aliases are not allowed here (allow_commands)' "$I/mail/alice"; ok $? "allow_commands = none: bounced, saying why"
grep -q 'files in the aliases are not allowed here (allow_files)' "$I/mail/alice"; ok $? "allow_files = forward: bounced, saying why"
rm -f "$I/mail/alice"
cp "$T/conf.saved" "$I/hikyaku.conf"

# never as root
echo "default_user = root" >> "$I/hikyaku.conf"
send as-root -f alice@test.example prog
run
grep -q 'never run as root' "$I/mail/alice"; ok $? "default_user = root: refused, never as root"
cp "$T/conf.saved" "$I/hikyaku.conf"

# a partial failure: the good destination is not delivered twice
rm -f "$I/mail/"* "$OUT/go"
printf 'mixed: bob, "|test -e %s/go || exit 75"\n' "$OUT" > "$I/aliases"
hk newaliases >/dev/null
send mixed mixed
run
run
: > "$OUT/go"
run
is "$(mbox_count "$I/mail/bob")" 1 "bob got one copy though the command was retried twice"
is "$(hk mailq)" "Mail queue is empty" "and the message is done"

done_testing
