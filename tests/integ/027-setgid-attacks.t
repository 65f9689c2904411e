#!/bin/sh
# A local attacker against the set-group-ID install (binary 2755
# root:mail, every setting at its default): each attack a review found,
# tried as that attacker would, with a real victim account.
HK_WANT_NS=1
. "$(dirname "$0")/lib.sh"
if ! system_instance; then
	skip "$system_why"
	done_testing
fi
SP=/var/spool/hikyaku
AH=/home/attacker
queued() { ls "$SP/env" 2>/dev/null | wc -l; }

"$SG/sendmail" -q; ok $? "root makes the spool"
printf 'Subject: for the victim\n\nvictim secret\n' | as victim "$SG/sendmail" victim
ok $? "the victim queues a message through the setgid copy"
is "$(queued)" 1 "it waits in the queue"

# 1. the attacker's own configuration: a passwd file that gives the
# victim's name the attacker's uid, a mailbox in the attacker's home
aid=$(id -u attacker); agid=$(id -g attacker)
as attacker sh -c "cat > $AH/evil.conf" <<CONF
spool = $SP
passwd = $AH/passwd
mailbox = mbox:$AH/got-%u
CONF
as attacker sh -c "echo 'victim:x:$aid:$agid::$AH:/bin/sh' > $AH/passwd"
AS_ENV="HIKYAKU_CONF=$AH/evil.conf" as attacker "$SG/sendmail" -q 2>"$T/err"
is "$?" 77 "1. HIKYAKU_CONF + sendmail -q: refused (77)"
as attacker "$SG/sendmail" -C "$AH/evil.conf" -q 2>"$T/err"
is "$?" 77 "1. -C from an ordinary user: refused (77)"
like "$(cat "$T/err")" "only root may name another configuration" "1. and says why"
ok "$([ ! -e "$AH/got-victim" ]; echo $?)" "1. nothing reached the attacker's files"
is "$(queued)" 1 "1. the victim's message is still queued"

# 2. a spool of the attacker's whose env/ is a symlink to the real one
as attacker sh -c "mkdir -p $AH/sp/tmp $AH/sp/msg && ln -s $SP/env $AH/sp/env &&
	printf 'spool = $AH/sp\n' > $AH/sp.conf"
AS_ENV="HIKYAKU_CONF=$AH/sp.conf" as attacker "$SG/sendmail" -q 2>/dev/null
AS_ENV="HIKYAKU_CONF=$AH/sp.conf" as attacker "$SG/mailq" >/dev/null 2>&1
is "$(queued)" 1 "2. the attacker's symlinked spool removed nothing"
"$SG/sendmail" -C "$AH/sp.conf" -q 2>"$T/err"
is "$?" 78 "2. even root's run refuses a spool with a symlink in it (78)"
like "$(cat "$T/err")" "spool $AH/sp(/env is a symbolic link| belongs to someone else)" \
	"2. saying what is wrong with it"
is "$(queued)" 1 "2. and removed nothing"
out=$(as attacker "$SG/mailq")
like "$out" "victim@" "2. mailq still lists the victim's message"

# 3. tmp/ a symlink to /var/mail, where an old mailbox waits for the sweep
printf 'From x Thu Jan  1 00:00:00 1970\n\nold\n\n' > /var/mail/victim
chown victim:mail /var/mail/victim; chmod 0660 /var/mail/victim
touch -d '3 days ago' /var/mail/victim
cp -p /var/mail/victim "$T/victim.mbox"
as attacker sh -c "mkdir -p $AH/sp3/msg $AH/sp3/env && ln -s /var/mail $AH/sp3/tmp &&
	printf 'spool = $AH/sp3\n' > $AH/sp3.conf"
AS_ENV="HIKYAKU_CONF=$AH/sp3.conf" as attacker "$SG/sendmail" -q 2>/dev/null
"$SG/sendmail" -C "$AH/sp3.conf" -q 2>"$T/err"
is "$?" 78 "3. root's run refuses a spool whose tmp/ is a symlink (78)"
cmp -s /var/mail/victim "$T/victim.mbox"
ok $? "3. the victim's day-old mailbox is still there, unchanged"

as attacker "$SG/mail" -f /var/mail/victim </dev/null >"$T/out" 2>&1
like "$(cat "$T/out")" "Permission denied" \
	"3. mail -f of the victim's mailbox (0660 victim:mail): Permission denied"

# 4. /file destinations in the attacker's .forward, naming the victim's
# mailbox (0660 victim:mail) and a new path in /var/mail
as attacker sh -c "printf '/var/mail/victim\n/var/mail/newcomer\n' > $AH/.forward"
printf 'Subject: forged\n\nforged line\n' | as attacker "$SG/sendmail" attacker
ok $? "4. the attacker queues mail to their own .forward"
sleep 1
cmp -s /var/mail/victim "$T/victim.mbox"
ok $? "4. the submission wrote nothing into the victim's mailbox"
"$SG/sendmail" -q
is "$(grep -c 'forged line' /var/mail/victim)" 0 \
	"4. nor did root's queue run (the file is written as the attacker)"
ok "$([ ! -e /var/mail/newcomer ]; echo $?)" "4. no new file in /var/mail"
like "$(cat /var/log/hikyaku.log)" "/var/mail/victim.*Permission denied" \
	"4. the log says the attacker may not write there"
rm -f "$AH/.forward"
"$SG/sendmail" -q	# the deferred entry stays; clear it for what follows
for f in "$SP"/env/*; do [ -e "$f" ] && grep -q '^R P .*attacker@' "$f" &&
	rm -f "$f" "$SP/msg/$(basename "$f")"; done

# 5. :include: of a file only root can reach
mkdir -p /root/private; chmod 0700 /root/private
printf 'leak-line-one\nleak-line-two\n' > /root/private/list
chmod 0644 /root/private/list
as attacker sh -c "printf ':include:/root/private/list\n' > $AH/.forward"
printf 'Subject: include\n\nx\n' | as attacker "$SG/sendmail" attacker
"$SG/sendmail" -q
leak=$(cat /var/log/hikyaku.log /var/mail/attacker "$SP"/env/* 2>/dev/null | grep -c leak-line)
is "$leak" 0 "5. no line of root's file reached a bounce, the log or the queue"
like "$("$SG/mailq")" "include file /root/private/list: Permission denied" \
	"5. the message waits, saying the attacker may not read the file"
rm -f "$AH/.forward"

# 6. the multi-call entry points
as attacker "$SG/hikyaku" --install -s /var/mail 2>/dev/null
ok "$([ ! -e /var/mail/sendmail ] && [ ! -L /var/mail/sendmail ]; echo $?)" \
	"6. --install makes no link in /var/mail"
printf 'hostname = secret.example\n' > /etc/group-only.conf
chown root:mail /etc/group-only.conf; chmod 0640 /etc/group-only.conf
as attacker "$SG/hikyaku" --config -C /etc/group-only.conf >"$T/out" 2>"$T/err"
is "$?" 77 "6. --config -C: refused (77)"
ok "$(grep -q secret.example "$T/out" "$T/err"; [ $? -ne 0 ]; echo $?)" "6. revealing nothing of the file"
AS_ENV="HIKYAKU_CONF=/etc/group-only.conf" as attacker "$SG/hikyaku" --config >"$T/out" 2>&1
ok "$(grep -q secret.example "$T/out"; [ $? -ne 0 ]; echo $?)" "6. HIKYAKU_CONF is not read either"
printf 'hostname = x\n' > "$T/bad.conf"; chmod 0644 "$T/bad.conf"
as attacker "$SG/hikyaku" netstat -C "$T/bad.conf" >/dev/null 2>&1
gids=$(as attacker sh -c "'$SG/hikyaku' mailq >/dev/null & sleep 0; awk '/^Gid:/ {print \$3}' /proc/self/status")
is "$gids" "$agid" "6. a shell of the attacker's holds no group of ours"

# 7. a stale dotlock the deliverer cannot remove, in a sticky,
# world-writable mail directory (as some systems have it)
chmod 1777 /var/mail
as attacker mkdir /var/mail/victim.lock
touch -d '1 hour ago' /var/mail/victim.lock
printf 'Subject: blocked\n\nx\n' | as victim "$SG/sendmail" victim
HIKYAKU_LOCK_WAIT=2 timeout 60 "$SG/sendmail" -q
is "$?" 0 "7. root's queue run ends (it does not spin on the lock)"
out=$("$SG/mailq")
like "$out" "victim.lock" "7. the victim's message is deferred, naming the lock"
rmdir /var/mail/victim.lock; chmod 2775 /var/mail

# 7b. a delivery in the foreground (-v) can be stopped with SIGTERM
: > /var/mail/victim.lock; chown victim /var/mail/victim.lock
printf 'Subject: stop me\n\nx\n' | "$SG/sendmail" -v victim >/dev/null 2>&1 &
v=$!
sleep 1
kill -TERM "$v"
wait_for "! kill -0 $v" 10
ok $? "7. sendmail -v waiting on a lock stops on SIGTERM"
rm -f /var/mail/victim.lock
"$SG/sendmail" -q
is "$(queued)" 0 "7. once the lock is gone, root's run delivers everything"
is "$(python3 -c 'import mailbox,sys; print(len(mailbox.mbox(sys.argv[1])))' /var/mail/victim)" 4 \
	"7. the victim's mailbox has the old, queued, blocked and stopped messages"

done_testing
