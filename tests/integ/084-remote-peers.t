#!/bin/sh
# Remote delivery to receivers that are not the tests' own, in a
# network namespace of the test's own (lib-netns.sh): another hikyaku
# (mtad -f, with its own instance, domains = example.test) that is
# strict where it matters (it refuses bare CR or LF and lines over
# 1,000 octets), read back with Python's mailbox; and Postfix's
# smtp-sink taking a batch of 50 messages in one queue run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
netns_need
smtp_server_py

# the receiving instance, in $R
instance "$T/recv"
R=$I
RCONF=$HIKYAKU_CONF
sed -i 's/^hostname = .*/hostname = mx.example.test/; s/^domains = .*/domains = example.test/' "$RCONF"
echo "listen = 192.0.2.40:25" >> "$RCONF"
# the sending one, in $I
netns_instance
printf 'postmaster: carol\n' > "$I/aliases"
hk newaliases >/dev/null

netns_up
netns_addr 192.0.2.40 192.0.2.50
netns_dns \
    mx-host=example.test,mx.example.test,10 \
    host-record=mx.example.test,192.0.2.40 \
    mx-host=sink.test,mx.sink.test,10 \
    host-record=mx.sink.test,192.0.2.50

HIKYAKU_CONF=$RCONF $IN_NS $HK_RUN "$HIKYAKU" mtad -f 2>>"$T/mtad.err" &
wait_for "in_ns python3 -c 'import socket; socket.create_connection((\"192.0.2.40\", 25), 1).close()'" 20
ok $? "the receiving hikyaku (mtad -f) listens on 192.0.2.40:25 in the namespace"

send() {
	hkn sendmail -v -i -f alice@test.example "$@" > "$T/out" 2>&1
}

# --- to another hikyaku: delivered into its mailboxes ---
printf 'Subject: to the other\n\nhello from test.example\n' | send bob@example.test carol@example.test ghost@example.test
wait_for '[ "$(mbox_count "$R/mail/bob")" -ge 1 ] && [ "$(mbox_count "$R/mail/carol")" -ge 1 ]' 20
ok $? "bob and carol of the other instance got it"
python3 - "$R/mail/bob" <<'PY' > "$T/out"
import mailbox, sys
m = list(mailbox.mbox(sys.argv[1]))[0]
print(m["Subject"], "|", m["Return-Path"], "|", m.get_payload().strip())
print(" ".join(m["Received"].split()))
PY
like "$(head -1 "$T/out")" "^to the other \| <alice@test\.example> \| hello from test\.example$" "Python's mailbox reads it: Subject, Return-Path (the envelope sender), body"
like "$(sed -n 2p "$T/out")" "^from test\.example \(.*\[192\.0\.2\.40\]\) by mx\.example\.test \(hikyaku\) with ESMTP" "Received: from test.example, our EHLO name"
like "$(to_line bob@example.test)" "relay=mx\.example\.test\[192\.0\.2\.40\]:25, .*status=sent \(250 " "log: sent to mx.example.test[192.0.2.40]:25"
like "$(to_line ghost@example.test)" "status=bounced \(5\.1\.1 host mx\.example\.test\[192\.0\.2\.40\] said: 550 5\.1\.1 <ghost@example\.test>: Recipient address rejected: User unknown in local recipient table \(in reply to RCPT TO command\)\)" "ghost, unknown there: bounced with the other's 550 5.1.1"
wait_for '[ "$(mbox_count "$I/mail/alice")" -ge 1 ]' 5 || hkn sendmail -q >/dev/null 2>&1
wait_for '[ "$(mbox_count "$I/mail/alice")" -ge 1 ]' 20
reports "$I/mail/alice" > "$T/dsn"
like "$(grep '^1 Remote-MTA' "$T/dsn")" "dns; ?mx\.example\.test$" "the report: Remote-MTA: dns; mx.example.test"
like "$(grep '^1 Diagnostic-Code' "$T/dsn")" "smtp; ?550 5\.1\.1 <ghost@example\.test>: Recipient address rejected: User unknown in local recipient table$" "Diagnostic-Code: the other's reply"

# --- the messages a strict server refuses unless the client is right ---
printf 'Subject: bare\n\nbare\rCR and LF\nend\n' | send bob@example.test
python3 -c 'print("Subject: long\n"); print(" ".join("w%04d" % i for i in range(400)))' | send bob@example.test
wait_for '[ "$(mbox_count "$R/mail/bob")" -ge 3 ]' 20
ok $? "a bare CR and a 2,000-octet line: the other hikyaku (which refuses both on the wire) takes both"
python3 - "$R/mail/bob" <<'PY' > "$T/out"
import mailbox, sys
ms = {m["Subject"]: m for m in mailbox.mbox(sys.argv[1])}
b = ms["long"].get_payload(decode=True).decode()
print("long", "".join(b.split("\n")).replace(" ", "") == "".join("w%04d" % i for i in range(400)))
PY
is "$(cat "$T/out")" "long True" "and the long line's words all arrive, in order"

# --- Postfix's smtp-sink: 50 messages in one queue run ---
SINK=$(cd "$(dirname "$0")" && pwd)/smtp-sink
if "$SINK" >/dev/null 2>&1; [ $? -eq 127 ]; then
	skip "no smtp-sink (scripts/deps unpacks Postfix's)"
	skip "no smtp-sink (scripts/deps unpacks Postfix's)"
	skip "no smtp-sink (scripts/deps unpacks Postfix's)"
else
	mkdir -p "$T/sink" && chmod 0777 "$T/sink"
	$IN_NS "$SINK" -u nobody -h mx.sink.test -D "$T/sink/dump" 192.0.2.50:25 64 2>"$T/sink.err" &
	wait_for "in_ns python3 -c 'import socket; socket.create_connection((\"192.0.2.50\", 25), 1).close()'" 10
	i=0
	while [ $i -lt 50 ]; do
		i=$((i + 1))
		printf 'Subject: batch %d\n\nmessage %d\n' $i $i |
		    hk sendmail -odq -i -f alice@test.example "u$i@sink.test" || break
	done
	is "$i" 50 "50 messages queued (sendmail -odq)"
	hkn sendmail -q > "$T/out" 2>&1
	wait_for '[ "$(grep -ac "^X-Mail-Args:" "$T/sink/dump")" -ge 50 ]' 30
	is "$(grep -ac '^X-Mail-Args:' "$T/sink/dump" 2>/dev/null)" 50 "sendmail -q: smtp-sink took 50 transactions"
	is "$(grep -ac 'to=<u[0-9]*@sink\.test>, relay=mx\.sink\.test\[192\.0\.2\.50\]:25, .*status=sent' "$I/log")" 50 "and the log says sent for each"
fi

done_testing
