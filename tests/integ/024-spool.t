#!/bin/sh
# The spool: created with the right owners and modes, stale tmp/ files
# cleaned, broken entries left alone with a warning.
. "$(dirname "$0")/lib.sh"
instance

printf 'Subject: x\n\ny\n' | hk sendmail -odq bob
for d in tmp msg env; do
	[ -d "$I/spool/$d" ]; ok $? "spool/$d exists"
done
if [ "$(id -u)" -eq 0 ] && getent passwd mail >/dev/null; then
	is "$(stat -c '%U:%G %a' "$I/spool/msg")" "mail:$(id -gn mail) 770" "as root: msg/ owned by the mail user, 0770"
	is "$(stat -c '%a' "$I/spool")" "755" "as root: the spool itself 0755"
else
	is "$(stat -c '%a' "$I/spool/msg")" "700" "not root: msg/ is 0700"
	skip "owner check needs root and a mail user"
fi
id=$(ls "$I/spool/msg")
is "$(stat -c '%a' "$I/spool/msg/$id")" "640" "queue files are 0640"

# a spool nobody has made yet (its parent missing too) is an empty queue
cp "$I/hikyaku.conf" "$T/nospool.conf"
echo "spool = $T/no/such/place/spool" >> "$T/nospool.conf"
is "$(hk mailq -C "$T/nospool.conf" 2>&1)" "Mail queue is empty" "mailq with no spool: Mail queue is empty"

# stale and fresh temporary files
touch -d '3 days ago' "$I/spool/tmp/AAAAAAAAAA"
touch "$I/spool/tmp/BBBBBBBBBB"
hk sendmail -q
[ -e "$I/spool/tmp/AAAAAAAAAA" ]; is "$?" 1 "a stale tmp/ file is removed by the queue run"
[ -e "$I/spool/tmp/BBBBBBBBBB" ]; ok $? "a fresh one (a submission in progress) is left"
rm -f "$I/spool/tmp/BBBBBBBBBB"

# a message whose envelope never arrived (a crash between the renames)
touch -d '3 days ago' "$I/spool/msg/CCCCCCCCCC"
touch "$I/spool/msg/DDDDDDDDDD"
hk sendmail -q
[ -e "$I/spool/msg/CCCCCCCCCC" ]; is "$?" 1 "an old message without envelope is removed"
[ -e "$I/spool/msg/DDDDDDDDDD" ]; ok $? "a fresh one (a commit in progress) is left"
rm -f "$I/spool/msg/DDDDDDDDDD"

# an interrupted sendmail takes its queue file with it
mkfifo "$T/slow"
$HK_RUN "$HIKYAKU" sendmail -odq bob < "$T/slow" & pid=$!
exec 7>"$T/slow"
printf 'Subject: half\n\nhalf a mess' >&7
wait_for "[ -n \"\$(ls $I/spool/tmp | grep -v '^spare\.')\" ]" 10; ok $? "a submission in progress has its file in tmp/"
kill -TERM $pid
wait $pid; rc=$?
exec 7>&-
is "$rc" 75 "interrupted: exit 75 (EX_TEMPFAIL), try again"
is "$(spool_files | wc -l)" 0 "and nothing of it is left in the spool"

# a malformed envelope: left alone, warned about, others go on
printf 'Subject: a\n\nb\n' | hk sendmail -odq bob
printf 'Subject: c\n\nd\n' | hk sendmail -odq carol
first=$(ls "$I/spool/env" | head -1)
echo "garbage" > "$I/spool/env/$first"
hk sendmail -q 2>/dev/null
[ -e "$I/spool/env/$first" ]; ok $? "a malformed entry is kept for a human"
grep -q "malformed envelope" "$I/log"; ok $? "and the log says so"
is "$(mbox_count "$I/mail/carol")" 1 "the other entry was delivered"

# an envelope whose message vanished is cleaned up
rm -f "$I/spool/env/$first" "$I/spool/msg/$first"
printf 'Subject: e\n\nf\n' | hk sendmail -odq bob
id=$(ls "$I/spool/env" | head -1)
rm "$I/spool/msg/$id"
hk sendmail -q
[ -e "$I/spool/env/$id" ]; is "$?" 1 "an envelope without its message is removed"
done_testing
