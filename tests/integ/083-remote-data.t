#!/bin/sh
# What a remote server receives, byte for byte (read from the server's
# recording, never from hikyaku's log), in a network namespace of the
# test's own (lib-netns.sh): only CRLF line ends on the wire whatever a
# local program wrote (bare LF, bare CR), dot-stuffing, no line over 998
# octets with the text intact (Python's email decodes it), SIZE (a
# message too big is bounced without MAIL), 8BITMIME (BODY=8BITMIME
# only to a server that offers it), and masquerade (envelope and From:
# of outgoing mail; local mail and an explicit -f left alone).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
netns_need
smtp_server_py
netns_instance
printf 'postmaster: carol\n' > "$I/aliases"
hk newaliases >/dev/null

netns_up
netns_addr 192.0.2.1 192.0.2.2 192.0.2.3
netns_dns \
    mx-host=example.test,mx.example.test,10 \
    host-record=mx.example.test,192.0.2.1 \
    mx-host=small.test,mx.small.test,10 \
    host-record=mx.small.test,192.0.2.2 \
    mx-host=seven.test,mx.seven.test,10 \
    host-record=mx.seven.test,192.0.2.3
smtp_server mx --listen 192.0.2.1:25 --smtputf8
smtp_server small --listen 192.0.2.2:25 --size 10000
smtp_server seven --listen 192.0.2.3:25 --no-8bitmime
ok 0 "the namespace, dnsmasq and three servers are up"

# wire N: the checks of message N's recorded bytes, one per line
wire() {
	python3 - "$T/mx/$1.eml" <<'PY'
import re, sys
raw = open(sys.argv[1], "rb").read()
print("bare-lf", len(re.findall(rb"(?<!\r)\n", raw)))
print("bare-cr", len(re.findall(rb"\r(?!\n)", raw)))
print("over-998", sum(len(l) > 998 for l in raw.split(b"\r\n")))
PY
}

# --- bare LF and bare CR from a local program: CRLF only on the wire ---
printf 'Subject: bare\nX-Test: one\n\nfirst line\nsecond\rhalf\nthird line\r\nfourth line\nlast\n' |
    hkn sendmail -v -i -f alice@test.example bob@example.test > "$T/out" 2>&1
ok $? "sendmail -i with bare CR and LF: accepted and sent"
is "$(wire 1 | head -2)" "bare-lf 0
bare-cr 0" "on the wire: no bare LF, no bare CR"
python3 - "$T/mx/1.eml" <<'PY' > "$T/out"
import sys
raw = open(sys.argv[1], "rb").read()
body = raw.split(b"\r\n\r\n", 1)[1]
for w in (b"first line\r\n", b"third line\r\n", b"fourth line\r\nlast\r\n", b"second", b"half"):
    print(w.decode().replace("\r\n", "|"), w in body)
print("crlf-kept-once", b"third line\r\r\n" not in raw)
PY
is "$(cat "$T/out")" "first line| True
third line| True
fourth line|last| True
second True
half True
crlf-kept-once True" "the text arrives intact; a line already ending in CRLF gets no second CR"

# --- dot-stuffing: lines of dots arrive as written ---
printf 'Subject: dots\n\n.\n..\n.hidden\nend\n' |
    hkn sendmail -v -i -f alice@test.example bob@example.test > "$T/out" 2>&1
python3 - "$T/mx/2.eml" <<'PY' > "$T/out"
import sys
raw = open(sys.argv[1], "rb").read()
print(raw.split(b"\r\n\r\n", 1)[1].decode().replace("\r\n", "|"))
PY
is "$(cat "$T/out")" ".|..|.hidden|end|" "a line '.', '..' and '.hidden' arrive as written (dot-stuffed on the wire)"

# --- a line of 2,000 octets and a header of 2,000: folded or encoded,
# never over 998, the same text once decoded ---
python3 - > "$T/long" <<'PY'
words = " ".join("w%04d" % i for i in range(334))[:2000]
print("Subject: long")
print("X-Long: " + words[:1990])
print()
print(words)
print("after")
PY
hkn sendmail -v -i -f alice@test.example bob@example.test < "$T/long" > "$T/out" 2>&1
is "$(wire 3 | tail -1)" "over-998 0" "no line on the wire over 998 octets"
python3 - "$T/mx/3.eml" "$T/long" <<'PY' > "$T/out"
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
src = open(sys.argv[2]).read().split("\n")
text = m.get_payload(decode=True).decode("ascii").replace("\r\n", "\n")
print("body", text.replace("\n", "") == src[3] + "after")
print("header", " ".join(str(m["X-Long"]).split()) == " ".join(src[1][8:].split()))
print("charset", m.get_content_charset("us-ascii"))
PY
is "$(head -2 "$T/out")" "body True
header True" "Python's email reads the same text back: the body line and the header"
# a reader decodes text by its charset: an ASCII text labelled with one
# no reader knows (unknown-8bit) cannot be shown as text
is "$(sed -n 3p "$T/out")" "charset us-ascii" "the ASCII body is labelled us-ascii (or not at all)"

# --- 8BITMIME ---
printf 'Subject: 8bit\nContent-Type: text/plain; charset=utf-8\n\nna\303\257ve caf\303\251\n' |
    hkn sendmail -v -i -f alice@test.example bob@example.test > "$T/out" 2>&1
like "$(rec mx 4 mail_options | tr '\n' ' ')" "BODY=8BITMIME" "an 8-bit body to a server offering 8BITMIME: MAIL ... BODY=8BITMIME"
grep -aq "$(printf 'na\303\257ve caf\303\251')" "$T/mx/4.eml"; ok $? "and its bytes arrive unchanged"
printf 'Subject: 7bit\n\nplain\n' |
    hkn sendmail -v -i -f alice@test.example bob@seven.test > "$T/out" 2>&1
printf 'Subject: 8bit\n\nna\303\257ve\n' |
    hkn sendmail -v -i -f alice@test.example bob@seven.test > "$T/out" 2>&1
grep -aiq 'BODY=' "$T/seven/transcript"; ok $((!$?)) "no BODY= to a server that does not offer 8BITMIME"

# --- SIZE: a message bigger than the server takes is bounced, no MAIL ---
python3 -c 'print("Subject: big\n"); print(("x" * 70 + "\n") * 300)' |
    hkn sendmail -v -i -f alice@test.example big@small.test > "$T/out" 2>&1
like "$(to_line big@small.test)" "status=bounced \(5\.3\.4 " "over the server's SIZE 10000: bounced 5.3.4"
grep -aiq ' C: MAIL' "$T/small/transcript"; ok $((!$?)) "without MAIL being sent"
printf 'Subject: fits\n\nsmall\n' |
    hkn sendmail -v -i -f alice@test.example fits@small.test > "$T/out" 2>&1
is "$(msgs small)" 1 "a small one to the same server is delivered"

# --- masquerade: mail from the host goes out as example.com ---
echo "masquerade = example.com" >> "$I/hikyaku.conf"
printf 'From: root (Cron Daemon)\nSubject: cron\n\nbackup done\n' |
    hkn sendmail -v -i cron@example.test > "$T/out" 2>&1
n=$(msgs mx)
is "$(rec mx "$n" rcpt_tos)" "cron@example.test" "(the cron-like message arrived)"
is "$(rec mx "$n" mail_from)" "root@example.com" "masquerade = example.com: MAIL FROM:<root@example.com>"
python3 - "$T/mx/$n.eml" <<'PY' > "$T/out"
import email, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read())
print(" ".join(m["From"].split()))
PY
is "$(cat "$T/out")" "root@example.com (Cron Daemon)" "and From: root@example.com (Cron Daemon)"
printf 'From: someone@elsewhere.test\nSubject: kept\n\nx\n' |
    hkn sendmail -v -i -f someone@elsewhere.test kept@example.test > "$T/out" 2>&1
is "$(rec mx $((n + 1)) mail_from)" "someone@elsewhere.test" "with -f someone@elsewhere.test the envelope is kept"
printf 'From: root (Cron Daemon)\nSubject: local cron\n\nbackup done\n' |
    hkn sendmail -v -i bob > "$T/out" 2>&1
wait_for '[ "$(mbox_count "$I/mail/bob")" -ge 1 ]' 10
python3 - "$I/mail/bob" <<'PY' > "$T/out"
import mailbox, sys
m = list(mailbox.mbox(sys.argv[1]))[-1]
print(" ".join(str(m["From"]).split()), "|", m["Return-Path"])
PY
like "$(cat "$T/out")" "^root(@test\.example)? \(Cron Daemon\) \| <root@test\.example>$" "local mail is not masqueraded (From: as written or with test.example, Return-Path: test.example)"

done_testing
