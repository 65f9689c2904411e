#!/bin/sh
# sendmail -bs driven by swaks, a real SMTP client, through a pipe.
. "$(dirname "$0")/lib.sh"
if ! command -v swaks >/dev/null; then
	skip "swaks is not installed (scripts/deps installs it)"
	done_testing
fi
instance

swaks --pipe "${HK_RUN:+$HK_RUN }$HIKYAKU sendmail -bs -odq" --from alice@test.example \
	--to bob@test.example,carol@test.example --header 'Subject: swaks test' \
	--body 'sent by swaks' >"$T/out" 2>&1; rc=$?
is "$rc" 0 "swaks reports success"
grep -q '^<-  250 2.0.0 Ok: queued as [0-9A-Za-z]\{10\}' "$T/out"; ok $? "the 250 names the queue ID"
grep -q '^<-  250-PIPELINING' "$T/out"; ok $? "EHLO offers PIPELINING"
hk sendmail -q
for u in bob carol; do
	is "$(mbox_count "$I/mail/$u")" 1 "delivered to $u"
done
grep -q '^Received: from .* (uid [0-9]*)$' "$I/mail/bob"; ok $? "Received: names the local uid"
grep -q '^sent by swaks' "$I/mail/bob"; ok $? "the body arrived"

swaks --pipe "${HK_RUN:+$HK_RUN }$HIKYAKU sendmail -bs -odq" --from alice@test.example \
	--to 'bad address@test.example' >"$T/out" 2>&1
grep -q '^<\*\* 501 5\.' "$T/out"; ok $? "a bad recipient gets 501 with an enhanced code"
done_testing
