#!/bin/sh
# Permanent failures come back to the sender as RFC 3464 reports; a
# bounce never bounces; mail to other domains waits with its reason.
. "$(dirname "$0")/lib.sh"
instance

printf 'Subject: to nobody\nX-Marker: m-4711\n\nlost?\n' |
	hk sendmail -odq -f alice@test.example nosuchuser
hk sendmail -q
is "$(hk mailq)" "Mail queue is empty" "the failed message and its bounce are done"
m=$I/mail/alice
is "$(mbox_count "$m")" 1 "the sender got one report"
grep -q '^From MAILER-DAEMON ' "$m"; ok $? "from the null sender (From_ line)"
grep -q '^Return-Path: <>$' "$m"; ok $? "Return-Path: <>"
grep -q '^From: MAILER-DAEMON@test.example (Mail Delivery System)$' "$m"; ok $? "From: MAILER-DAEMON"
grep -q '^Subject: Undelivered Mail Returned to Sender$' "$m"; ok $? "Subject"
grep -q '^Auto-Submitted: auto-replied$' "$m"; ok $? "Auto-Submitted: auto-replied"
grep -q '^Content-Type: multipart/report; report-type=delivery-status;$' "$m"; ok $? "multipart/report; report-type=delivery-status"
grep -q '^<nosuchuser@test.example>: unknown user: "nosuchuser"$' "$m"; ok $? "the human part names recipient and reason"
grep -q '^Content-Type: message/delivery-status$' "$m"; ok $? "a message/delivery-status part"
grep -q '^Reporting-MTA: dns; test.example$' "$m"; ok $? "Reporting-MTA"
grep -q '^Final-Recipient: rfc822; nosuchuser@test.example$' "$m"; ok $? "Final-Recipient"
grep -q '^Action: failed$' "$m"; ok $? "Action: failed"
grep -q '^Status: 5.1.1$' "$m"; ok $? "Status: 5.1.1"
grep -q '^Content-Type: text/rfc822-headers$' "$m"; ok $? "original headers attached"
grep -q '^X-Marker: m-4711$' "$m"; ok $? "they are the original's"
grep -q '^lost?$' "$m"; is "$?" 1 "the original body is not sent back"
grep -q 'status=bounced' "$I/log"; ok $? "the log says bounced"

# a bounce for a bounce: to the postmaster, and never a loop
echo 'postmaster: carol' > "$I/aliases"
hk newaliases >/dev/null
printf 'Subject: from <>\n\nx\n' | hk sendmail -odq -f '<>' nosuchuser
hk sendmail -q
is "$(hk mailq)" "Mail queue is empty" "a failed message from <> is done"
is "$(mbox_count "$m")" 1 "the sender's mailbox got nothing more"
is "$(mbox_count "$I/mail/carol")" 1 "the postmaster got the report"
grep -q '^Return-Path: <double-bounce@test.example>$' "$I/mail/carol"
ok $? "from double-bounce@, whose own failures are dropped"
grep -q '^Final-Recipient: rfc822; nosuchuser@test.example$' "$I/mail/carol"
ok $? "it names the recipient that failed"
grep -q 'postmaster non-delivery notification' "$I/log"; ok $? "the log says so"
# no postmaster at all: the report to it fails, and is dropped
rm -f "$I/aliases" "$I/aliases.db" "$I/mail/carol"
printf 'Subject: from <> again\n\nx\n' | hk sendmail -odq -f '<>' nosuchuser
hk sendmail -q
is "$(hk mailq)" "Mail queue is empty" "the failed report to the postmaster is dropped"
grep -q 'a report to the postmaster failed: dropped' "$I/log"; ok $? "the log says why"
test ! -e "$I/mail/carol"; ok $? "nothing more was made of it"

# one good and one bad recipient: the good one is delivered, one report
rm -f "$I/mail/"*
printf 'Subject: mixed\n\nx\n' | hk sendmail -odq -f carol@test.example bob ghost
hk sendmail -q
is "$(mbox_count "$I/mail/bob")" 1 "the good recipient got it"
is "$(grep -c '^Final-Recipient: ' "$I/mail/carol")" 1 "the report names only the bad one"

# another domain: deferred with the reason, shown by mailq
printf 'Subject: away\n\nx\n' | hk sendmail -odq -f alice@test.example friend@example.com
hk sendmail -q
q=$(hk mailq)
like "$q" "^ +\(4\.4\.1 connect to 127\.0\.0\.1\[127\.0\.0\.1\]:1: Connection refused\)$" "mailq shows why it waits"
like "$q" "^ {41}friend@example\.com$" "and the recipient under it"
like "$q" "-- 0 Kbytes in 1 Request\." "one request"
grep -q 'status=deferred' "$I/log"; ok $? "the log says deferred"

# delay_warning: the sender hears once that it is still being tried
cp "$I/hikyaku.conf" "$T/warn.conf"
echo 'delay_warning = 1s' >> "$T/warn.conf"
rm -f "$I/mail/alice"
sleep 2
hk sendmail -C "$T/warn.conf" -q
m=$I/mail/alice
is "$(mbox_count "$m")" 1 "after delay_warning the sender got one notice"
grep -q '^Subject: Delayed Mail (still being retried)$' "$m"; ok $? "a delay notice, not a bounce"
grep -q '^Action: delayed$' "$m"; ok $? "Action: delayed"
grep -q '^Status: 4.4.1$' "$m"; ok $? "Status: 4.4.1 (temporary)"
grep -q '^Final-Recipient: rfc822; friend@example.com$' "$m"; ok $? "naming the waiting recipient"
hk sendmail -C "$T/warn.conf" -q
is "$(mbox_count "$m")" 1 "only once"
like "$(hk mailq)" "friend@example\.com" "the message is still queued"

# its lifetime over: bounced with the last reason
cp "$I/hikyaku.conf" "$T/short.conf"
echo 'queue_lifetime = 1s' >> "$T/short.conf"
sleep 2
hk sendmail -C "$T/short.conf" -q
is "$(hk mailq)" "Mail queue is empty" "expired: gone from the queue"
grep -q '^Status: 4.4.1$' "$I/mail/alice" || grep -q '^Status: 5.4.7$' "$I/mail/alice"
ok $? "the sender got a report for the expired message"
grep -Eq 'message expired after [0-9]+s in the queue; last error: 4\.4\.1 connect to 127\.0\.0\.1\[127\.0\.0\.1\]:1: Connection refused' "$I/mail/alice"; ok $? "saying it expired, how long it waited, and the last error"
done_testing
