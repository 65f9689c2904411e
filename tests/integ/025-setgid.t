#!/bin/sh
# The set-group-ID install as the README describes it, with real
# accounts and every setting at its default: an ordinary user queues
# mail through the setgid copy, root's queue run delivers it, and the
# spool group is in force only around the queue's own system calls.
HK_WANT_NS=1
. "$(dirname "$0")/lib.sh"
if ! system_instance; then
	skip "$system_why"
	done_testing
fi
mailgid=$(getent group mail | cut -d: -f3)
vuid=$(id -u victim); vgid=$(id -g victim)

"$SG/sendmail" -q; ok $? "root makes the spool"
is "$(stat -c '%U:%G %a' /var/spool/hikyaku/tmp /var/spool/hikyaku/env)" "mail:mail 770
mail:mail 770" "tmp/ and env/ are mail's, mode 770"
is "$(stat -c '%F %U:%G %a' /var/spool/hikyaku/trigger)" "fifo mail:mail 620" \
	"the trigger is a FIFO the spool group may write"

mkdir "$T/plain"; cp "$HIKYAKU" "$T/plain/hikyaku"; chmod 0755 "$T/plain" "$T/plain/hikyaku"
printf 'Subject: plain\n\nx\n' | as victim "$T/plain/hikyaku" sendmail -odq victim 2>"$T/err"
is "$?" 77 "without the setgid copy an ordinary user cannot queue (77)"
like "$(cat "$T/err")" "Permission denied" "and is told why"

printf 'Subject: via setgid\n\nhello from victim\n' | as victim "$SG/sendmail" victim
is "$?" 0 "through the setgid copy: queued, exit 0"
is "$(ls /var/spool/hikyaku/env | wc -l)" 1 "one entry in the spool"
id=$(ls /var/spool/hikyaku/env)
is "$(stat -c '%U:%G %a' /var/spool/hikyaku/env/$id /var/spool/hikyaku/msg/$id)" "victim:mail 640
victim:mail 640" "its files are the submitter's, readable by the group"
ok "$([ ! -e /var/mail/victim ]; echo $?)" "nothing delivered by the setgid run itself"

out=$(as attacker "$SG/mailq")
like "$out" "victim@" "another user can list the queue through the setgid copy"
as attacker "$T/plain/hikyaku" mailq >/dev/null 2>"$T/err"
is "$?" 77 "but not without it"

# -q of an ordinary user: asks the daemon, or is refused
as victim "$SG/sendmail" -q >"$T/out" 2>"$T/err"
is "$?" 77 "sendmail -q of an ordinary user with no daemon: refused (77)"
like "$(cat "$T/err")" "only root can run the queue, and no mtad is running" "with the reason"
is "$(ls /var/spool/hikyaku/env | wc -l)" 1 "and the entry is still there"
python3 - /var/spool/hikyaku/trigger "$T/poked" <<'PY' &
import os, sys, select
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)   # a daemon's end
open(sys.argv[2] + ".ready", "w").close()
r, _, _ = select.select([fd], [], [], 20)
open(sys.argv[2], "wb").write(os.read(fd, 64) if r else b"")
PY
reader=$!
wait_for "[ -e '$T/poked.ready' ]"
as victim "$SG/sendmail" -q >"$T/out" 2>"$T/err"
is "$?" 0 "with a reader on the trigger, sendmail -q asks it and exits 0"
wait "$reader"
is "$(cat "$T/poked")" "!" "the reader was poked"

# the group while sendmail -bs reads its client is the caller's
mkfifo "$T/bs"
(sleep 30 > "$T/bs") &
holder=$!
as attacker "$SG/sendmail" -bs < "$T/bs" > "$T/bs.out" 2>&1 &
bs=$!
wait_for "grep -q '^220' '$T/bs.out'"
pid=$(pgrep -P "$bs" -f 'sendmail -bs' || echo "$bs")
agid=$(id -g attacker)
gids=$(awk '/^Gid:/ { print $2, $3, $4 }' /proc/"$pid"/status)
is "$gids" "$agid $agid $mailgid" "sendmail -bs reads its client with the caller's gid; mail only saved"
kill "$holder" "$bs" 2>/dev/null; wait 2>/dev/null

# mail holds no group of ours: it runs sendmail, which queues
printf 'sent with mail\n' | as victim "$SG/mail" -s 'via mail' victim
is "$?" 0 "mail through the setgid copy: queued by the sendmail it runs"
is "$(ls /var/spool/hikyaku/env | wc -l)" 2 "a second entry in the spool"

"$SG/sendmail" -q; ok $? "root's queue run"
is "$(ls /var/spool/hikyaku/env | wc -l)" 0 "empties the queue"
is "$(stat -c '%U:%G %a' /var/mail/victim)" "victim:mail 600" "the mailbox is the victim's"
got=$(python3 -c '
import mailbox, sys
m = list(mailbox.mbox(sys.argv[1]))
print(len(m), m[0]["Subject"], m[0].get_payload().strip(), "/", m[1]["Subject"])' /var/mail/victim)
is "$got" "2 via setgid hello from victim / via mail" "Python's mailbox reads both messages back"
grep -q "^Received: by .* (hikyaku, from userid $vuid)" /var/mail/victim
ok $? "Received: names the submitting uid"

# a spool made before the trigger existed: submissions still queue
rm /var/spool/hikyaku/trigger
printf 'Subject: no trigger\n\nx\n' | as victim "$SG/sendmail" victim
is "$?" 0 "a spool without its trigger still takes mail"
"$SG/sendmail" -q
is "$(stat -c '%F' /var/spool/hikyaku/trigger)" "fifo" "and root's next run makes the trigger"

# small ones
printf 'x\n' | as victim "$SG/sendmail" -F 'Evil
Bcc: all@example.org' victim 2>"$T/err"
is "$?" 64 "-F with a line break is refused (64)"
like "$(cat "$T/err")" "full name is one line" "and says why"
is "$(ls /var/spool/hikyaku/env | wc -l)" 0 "nothing was queued"

done_testing
