#!/bin/sh
# 200 submissions at once, then queue runners racing each other: every
# message is delivered exactly once.
. "$(dirname "$0")/lib.sh"
instance
N=200

i=0
while [ $i -lt $N ]; do
	printf 'Subject: parallel %d\n\nmarker-%05d\n' $i $i | hk sendmail -odq bob &
	i=$((i + 1))
done
wait
is "$(ls "$I/spool/env" | wc -l)" $N "$N concurrent submissions: $N entries"
is "$(ls "$I/spool/env" | sort -u | wc -l)" $N "with $N distinct IDs"

hk sendmail -q; ok $? "one queue run"
is "$(mbox_count "$I/mail/bob")" $N "$N messages in the mailbox"
is "$(grep -c '^marker-' "$I/mail/bob")" $N "$N bodies"
is "$(grep '^marker-' "$I/mail/bob" | sort -u | wc -l)" $N "each exactly once"
is "$(hk mailq)" "Mail queue is empty" "queue empty"

# racing runners: three at once over another 200
i=0
while [ $i -lt $N ]; do
	printf 'Subject: race %d\n\nrace-%05d\n' $i $i | hk sendmail -odq carol &
	i=$((i + 1))
done
wait
hk sendmail -q & hk sendmail -q & hk sendmail -q &
wait
# a runner that found an entry locked left it to the others: finish up
hk sendmail -q
is "$(grep -c '^race-' "$I/mail/carol")" $N "three racing runners: $N bodies"
is "$(grep '^race-' "$I/mail/carol" | sort -u | wc -l)" $N "none delivered twice"
is "$(mbox_count "$I/mail/carol")" $N "$N From_ lines"

# submissions that deliver at once, all together
i=0
while [ $i -lt 50 ]; do
	printf 'Subject: now %d\n\nnow-%05d\n' $i $i | hk sendmail alice &
	i=$((i + 1))
done
wait
wait_for "[ \"\$(grep -c '^now-' $I/mail/alice)\" -ge 50 ]" 60
is "$(grep '^now-' "$I/mail/alice" | sort -u | wc -l)" 50 "50 immediate deliveries in parallel: all there"
is "$(grep -c '^now-' "$I/mail/alice")" 50 "none twice"
done_testing
