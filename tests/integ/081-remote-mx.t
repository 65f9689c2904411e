#!/bin/sh
# Remote delivery to MX hosts, in a network namespace of the test's own
# (lib-netns.sh): dnsmasq answers for the domains under .test, receiving
# servers (smtp-server.py, on aiosmtpd) listen on 192.0.2.x:25 and
# record what they are sent.  sendmail -v delivers in the foreground.
# What is checked: the MX order, the fall-back to the next MX (nothing
# listening, a 421 greeting), implicit MX, IPv6, one transaction per
# domain with one result per recipient, the log lines, the bounce (RFC
# 3464, read by Python's email), a server's control characters never
# reaching the log or the bounce, the DNS failures (null MX, NXDOMAIN,
# a dead server, an MX that is this host), a retry, timeouts, and a
# bounce that cannot be delivered going to the postmaster, once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
netns_need
smtp_server_py
netns_instance
cat >> "$I/hikyaku.conf" <<CONF
smtp_connect_timeout = 2s
smtp_helo_timeout = 2s
listen = 192.0.2.21:25
CONF
printf 'postmaster: carol\n' > "$I/aliases"
hk newaliases >/dev/null

netns_up
netns_addr 192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4 192.0.2.9 192.0.2.10 \
    192.0.2.11 192.0.2.12 192.0.2.21 2001:db8::1
netns_dns \
    mx-host=example.test,mx1.example.test,10 \
    mx-host=example.test,mx2.example.test,20 \
    host-record=mx1.example.test,192.0.2.1 \
    host-record=mx2.example.test,192.0.2.2 \
    host-record=direct.test,192.0.2.2 \
    mx-host=v6.test,mx6.v6.test,10 \
    host-record=mx6.v6.test,2001:db8::1 \
    mx-host=retry.test,mx.retry.test,10 \
    host-record=mx.retry.test,192.0.2.3 \
    mx-host=busy.test,mx1.busy.test,10 \
    mx-host=busy.test,mx2.busy.test,20 \
    host-record=mx1.busy.test,192.0.2.4 \
    host-record=mx2.busy.test,192.0.2.2 \
    mx-host=fallback.test,mx1.fallback.test,10 \
    mx-host=fallback.test,mx2.fallback.test,20 \
    host-record=mx1.fallback.test,192.0.2.11 \
    host-record=mx2.fallback.test,192.0.2.2 \
    mx-host=down.test,mx1.down.test,10 \
    mx-host=down.test,mx2.down.test,20 \
    host-record=mx1.down.test,192.0.2.9 \
    host-record=mx2.down.test,192.0.2.10 \
    mx-host=nullmx.test,.,0 \
    server=/broken.test/127.0.0.1#5300 \
    mx-host=loop.test,test.example,10 \
    host-record=test.example,192.0.2.20 \
    mx-host=loop2.test,mx.loop2.test,10 \
    host-record=mx.loop2.test,192.0.2.21 \
    mx-host=stall.test,mx.stall.test,10 \
    host-record=mx.stall.test,192.0.2.12 \
    mx-host=hole.test,mx.hole.test,10 \
    host-record=mx.hole.test,192.0.2.99

smtp_server mx1 --listen 192.0.2.1:25 --hostname mx1.example.test \
    --rcpt 'bad@*=550 5.1.1 <bad@example.test>: Recipient address rejected' \
    --rcpt 'lost@*=550 5.1.1 <lost@example.test>: Recipient address rejected' \
    --rcpt 'ctl@*=550 5.1.1 <ctl@example.test>: bad\x1b[31m red\x07 bell\x0d\x00nul'
smtp_server mx2 --listen 192.0.2.2:25 --hostname mx2.example.test
smtp_server mx6 --listen '[2001:db8::1]:25' --hostname mx6.v6.test
smtp_server retry --listen 192.0.2.3:25 --hostname mx.retry.test \
    --first '1:rcpt=451 4.3.0 try later'
smtp_server busy --listen 192.0.2.4:25 --hostname mx1.busy.test \
    --greeting '421 4.3.2 too busy, come back later'
smtp_server stall --listen 192.0.2.12:25 --stall greeting
ok 0 "the namespace, dnsmasq and seven servers are up"

# send ARGS...: sendmail -v in the namespace, as alice's envelope,
# the message on stdin; its output in $T/out
send() {
	hkn sendmail -v -f alice@test.example "$@" > "$T/out" 2>&1
}
# await USER N: USER's mailbox holds N messages (bounces are delivered
# by the run that made them, or by the next queue run)
await() {
	_au=$1 _an=$2
	wait_for '[ "$(mbox_count "$I/mail/$_au")" -ge "$_an" ]' 5 && return 0
	hkn sendmail -q >/dev/null 2>&1
	wait_for '[ "$(mbox_count "$I/mail/$_au")" -ge "$_an" ]' 20
}
cmds() {	# cmds SERVER VERB: how many VERB commands SERVER was sent
	grep -aci " C: $2" "$T/$1/transcript"
}

# --- the first MX takes it; the log says where, and its reply ---
printf 'Subject: basic\n\nhello bob\n' | send bob@example.test
ok $? "sendmail -v bob@example.test exits 0"
is "$(msgs mx1) $(msgs mx2)" "1 0" "the lower preference MX (mx1) got it, not mx2"
is "$(rec mx1 1 mail_from)" "alice@test.example" "MAIL FROM: the envelope sender"
is "$(rec mx1 1 rcpt_tos)" "bob@example.test" "RCPT TO: the recipient"
is "$(rec mx1 1 helo)" "test.example" "EHLO: our hostname"
grep -aq '^hello bob' "$T/mx1/1.eml"; ok $? "the body arrived"
like "$(to_line bob@example.test)" \
    ": [0-9A-Za-z]+: to=<bob@example\.test>, relay=mx1\.example\.test\[192\.0\.2\.1\]:25, delay=[0-9.]+, .*status=sent \(250 2\.0\.0 Ok: queued as M1\)$" \
    "log: relay=mx1.example.test[192.0.2.1]:25, status=sent (the server's reply)"
spool_empty; ok $? "the queue is empty"

# --- one transaction for two recipients of a domain; one result each ---
mail0=$(cmds mx1 MAIL) rcpt0=$(cmds mx1 RCPT)
printf 'Subject: two\n\nfor two\n' | send bad@example.test bob2@example.test
is "$(( $(cmds mx1 MAIL) - mail0 )) $(( $(cmds mx1 RCPT) - rcpt0 ))" "1 2" \
    "one MAIL and two RCPTs for two recipients of example.test"
is "$(msgs mx1)" 2 "one message"
is "$(rec mx1 2 rcpt_tos)" "bob2@example.test" "for the recipient accepted only"
like "$(to_line bob2@example.test)" "relay=mx1\.example\.test\[192\.0\.2\.1\]:25, .*status=sent \(250 " "log: bob2 sent"
like "$(to_line bad@example.test)" \
    ": to=<bad@example\.test>, relay=mx1\.example\.test\[192\.0\.2\.1\]:25, delay=[0-9.]+, .*status=bounced \(5\.1\.1 host mx1\.example\.test\[192\.0\.2\.1\] said: 550 5\.1\.1 <bad@example\.test>: Recipient address rejected \(in reply to RCPT TO command\)\)$" \
    "log: bad bounced, with the host that said what, and in reply to what"
await alice 1
is "$(mbox_count "$I/mail/alice")" 1 "alice (the sender) gets one report"
reports "$I/mail/alice" > "$T/dsn"
like "$(grep '^1 Content-Type' "$T/dsn")" "multipart/report" "a multipart/report"
is "$(grep -c '^1 Final-Recipient:' "$T/dsn")" 1 "for one recipient (bob2 was delivered)"
like "$(grep '^1 Final-Recipient:' "$T/dsn")" "rfc822; ?bad@example\.test$" "Final-Recipient: bad@example.test"
is "$(grep '^1 Action:' "$T/dsn")" "1 Action: failed" "Action: failed"
is "$(grep '^1 Status:' "$T/dsn")" "1 Status: 5.1.1" "Status: 5.1.1"
like "$(grep '^1 Remote-MTA:' "$T/dsn")" "^1 Remote-MTA: dns; ?mx1\.example\.test$" "Remote-MTA: dns; mx1.example.test"
like "$(grep '^1 Diagnostic-Code:' "$T/dsn")" "^1 Diagnostic-Code: smtp; ?550 5\.1\.1 <bad@example\.test>: Recipient address rejected$" "Diagnostic-Code: smtp; the server's reply"

# --- a reply with control characters: escaped in the log and the bounce ---
printf 'Subject: ctl\n\nx\n' | send ctl@example.test
line=$(to_line ctl@example.test)
like "$line" "status=bounced \(5\.1\.1 host mx1\.example\.test\[192\.0\.2\.1\] said: 550 5\.1\.1 <ctl@example\.test>: bad.*red.*bell" "log: ctl bounced, with the reply's text"
is "$(tr -d '\t\n' < "$I/log" | tr -d '\040-\176' | wc -c)" 0 "the log holds no control character (nor a byte above 126)"
await alice 2
python3 - "$I/mail/alice" <<'PY' > "$T/out"
import mailbox, re, sys
m = list(mailbox.mbox(sys.argv[1]))
raw = m[1].as_bytes() if len(m) > 1 else b"\x01 (no report)"
print("controls", sorted(set(re.findall(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", raw))))
print("lone-cr", len(re.findall(rb"\r(?!\n)", raw)))
PY
is "$(cat "$T/out")" "controls []
lone-cr 0" "the report holds none of the reply's control characters"
reports "$I/mail/alice" | grep '^2 Diagnostic-Code' > "$T/dsn"
like "$(cat "$T/dsn")" "smtp; ?550 5\.1\.1 <ctl@example\.test>: bad.*red.*bell" "its Diagnostic-Code keeps the printable text"

# --- the next MX when one refuses the connection or greets with 421 ---
n2=$(msgs mx2)
printf 'Subject: fallback\n\nx\n' | send carol@fallback.test
is "$(msgs mx2)" $((n2 + 1)) "fallback.test: mx1 refuses the connection, mx2 takes it"
like "$(to_line carol@fallback.test)" "relay=mx2\.fallback\.test\[192\.0\.2\.2\]:25, .*status=sent" "log: relay=mx2.fallback.test[192.0.2.2]:25"
printf 'Subject: busy\n\nx\n' | send carol@busy.test
is "$(msgs mx2)" $((n2 + 2)) "busy.test: mx1 greets with 421, mx2 takes it in the same run"
like "$(to_line carol@busy.test)" "relay=mx2\.busy\.test\[192\.0\.2\.2\]:25, .*status=sent" "log: relay=mx2.busy.test[192.0.2.2]:25"
is "$(cmds busy MAIL)" 0 "and the 421 server was sent no MAIL"
grep -aq 'S: 421 ' "$T/busy/transcript"; ok $? "(it did greet with 421)"

# --- no MX: the address record (RFC 5321 5.1); IPv6 ---
printf 'Subject: direct\n\nx\n' | send dave@direct.test
is "$(msgs mx2)" $((n2 + 3)) "direct.test has no MX: its A record's host takes it"
like "$(to_line dave@direct.test)" "relay=direct\.test\[192\.0\.2\.2\]:25, .*status=sent" "log: relay=direct.test[192.0.2.2]:25"
printf 'Subject: v6\n\nx\n' | send erin@v6.test
is "$(msgs mx6)" 1 "v6.test: its MX has an AAAA record only: delivered over IPv6"
like "$(rec mx6 1 peer)" "^2001:db8::" "from an IPv6 address"
like "$(to_line erin@v6.test)" "relay=mx6\.v6\.test\[2001:db8::1\]:25, .*status=sent" "log: relay=mx6.v6.test[2001:db8::1]:25"

# --- DNS says no: null MX, NXDOMAIN, the MX is this host ---
printf 'Subject: dns\n\nx\n' | send a@nullmx.test b@nowhere.test c@loop.test d@loop2.test
like "$(to_line a@nullmx.test)" "relay=none, .*status=bounced \(5\.1\.10 " "null MX (RFC 7505): bounced 5.1.10"
like "$(to_line b@nowhere.test)" "status=bounced \(5\.1\.2 " "NXDOMAIN: bounced 5.1.2"
like "$(to_line c@loop.test)" "status=bounced \(5\.4\.6 " "the MX is our hostname: bounced 5.4.6 (mail loops back)"
like "$(to_line d@loop2.test)" "status=bounced \(5\.4\.6 " "the MX is an address we listen on: bounced 5.4.6"
await alice 3
reports "$I/mail/alice" | grep '^3 ' > "$T/dsn"
is "$(grep -c 'Action: failed' "$T/dsn")" 4 "one report for the four, each Action: failed"
is "$(grep 'Status:' "$T/dsn" | cut -d' ' -f3 | sort | tr '\n' ' ')" "5.1.10 5.1.2 5.4.6 5.4.6 " "with Status 5.1.10, 5.1.2, 5.4.6 twice"
spool_empty; ok $? "the queue is empty"

# --- a bounce that cannot be delivered: to the postmaster, once ---
printf 'Subject: double\n\nx\n' | hkn sendmail -v -f lost@example.test bad@example.test > "$T/out" 2>&1
await carol 1
hkn sendmail -q >/dev/null 2>&1
hkn sendmail -q >/dev/null 2>&1
is "$(mbox_count "$I/mail/carol")" 1 "the bounce to lost@example.test is refused (550): the postmaster (carol) gets it, once"
grep -aq 'lost@example\.test' "$I/mail/carol"; ok $? "it names lost@example.test"
is "$(grep -aci 'RCPT TO:<lost@example\.test>' "$T/mx1/transcript")" 1 "the bounce was tried once, not again (no loop)"
like "$(grep -ai -B2 'RCPT TO:<lost@example\.test>' "$T/mx1/transcript" | grep -ai 'C: MAIL')" "FROM:<> *" "and it was sent from <>"
like "$(to_line lost@example.test)" "status=bounced \(5\.1\.1 host mx1\.example\.test" "log: the bounce to lost@ bounced"
spool_empty; ok $? "the queue is empty"

# --- a temporary failure, then a queue run ---
printf 'Subject: retry\n\nx\n' | send frank@retry.test
like "$(to_line frank@retry.test)" "relay=mx\.retry\.test\[192\.0\.2\.3\]:25, .*status=deferred \(.*451 4\.3\.0 try later" "first try: 451, deferred"
hkn mailq > "$T/mailq" 2>&1
like "$(grep -a -B1 'frank@retry\.test' "$T/mailq" | head -1)" "^ *\(.*451 4\.3\.0 try later.*\)$" "mailq shows the reason above the recipient (a long one flush left, as Postfix's)"
is "$(msgs retry)" 0 "nothing recorded yet"
hkn sendmail -q >/dev/null 2>&1
is "$(msgs retry)" 1 "sendmail -q: the second try is accepted"
like "$(to_line frank@retry.test)" "relay=mx\.retry\.test\[192\.0\.2\.3\]:25, .*status=sent" "log: sent"
spool_empty; ok $? "the queue is empty"

# --- every host down; timeouts; a dead DNS server: deferred ---
printf 'Subject: down\n\nx\n' | send g@down.test
like "$(to_line g@down.test)" \
    "relay=none, delay=[0-9.]+, .*status=deferred \(4\.4\.1 connect to mx[12]\.down\.test\[192\.0\.2\.(9|10)\]:25: Connection refused\)$" \
    "every MX refuses: relay=none, deferred 4.4.1 connect to ...: Connection refused"
printf 'Subject: hole\n\nx\n' | send h@hole.test
like "$(to_line h@hole.test)" "status=deferred \(4\.4\.1 connect to mx\.hole\.test\[192\.0\.2\.99\]:25: .*[Tt]imed? ?out" "no answer to the connect: deferred 4.4.1, timed out (smtp_connect_timeout)"
printf 'Subject: stall\n\nx\n' | send i@stall.test
like "$(to_line i@stall.test)" "status=deferred \(4\..*[Tt]imed? ?out" "no greeting: deferred, timed out (smtp_helo_timeout)"
printf 'Subject: broken\n\nx\n' | send j@broken.test
like "$(to_line j@broken.test)" "status=deferred \(4\.4\.3 " "the DNS server does not answer: deferred 4.4.3"
hkn mailq > "$T/mailq" 2>&1
like "$(grep -a -B1 ' g@down\.test' "$T/mailq" | head -1)" \
    "^ *\(4\.4\.1 connect to mx[12]\.down\.test\[192\.0\.2\.(9|10)\]:25: Connection refused\)$" \
    "mailq shows that reason above the recipient"
is "$(grep -ac '@\(down\|hole\|stall\|broken\)\.test' "$T/mailq")" 4 "mailq lists the four deferred"
is "$(mbox_count "$I/mail/alice")" 3 "and no report was made for them"

done_testing
