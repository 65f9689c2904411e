#!/bin/sh
# mtad on plain SMTP, driven by real clients (Python's smtplib, swaks)
# and by raw bytes for what a client library would refuse to send: the
# delivery, the log, who may relay (and the classic tricks), the limits,
# SMTP smuggling, clients that drop or drip, crashes, reload and stop.
. "$(dirname "$0")/lib.sh"
CHAT="python3 $(dirname "$0")/smtp-chat.py"
# the replies of a dialogue on one line, "|" between them, no CR
flat() { tr -d '\r' | tr '\n' '|'; }
# only the final line of each reply: "250 250 354 ..."
codes() { tr -d '\r' | grep -a '^[0-9][0-9][0-9] ' | cut -c1-3 | tr '\n' ' '; }
instance
trap 'mtad_stop >/dev/null 2>&1; rm -rf "$T"' EXIT
PORT=$(free_port)
cat >> "$I/hikyaku.conf" <<CONF
listen = 127.0.0.1:$PORT
mynetworks = 127.0.0.1/32
max_rcpt = 3
max_size = 20k
max_per_ip = 10
CONF
printf 'postmaster: alice\n' > "$I/aliases"
hk newaliases >/dev/null

mtad_start; ok $? "mtad -f starts and listens on 127.0.0.1:$PORT"

# --- netstat shows it, with its name ---
line=$(hk netstat -atnp 2>/dev/null | grep ":$PORT ")
if [ -n "$HK_RUN" ]; then
	# the kernel's command line of the process is the emulator's
	skip "under $HK_RUN, /proc/PID/cmdline names the emulator"
	skip "under $HK_RUN, /proc/PID/cmdline names the emulator"
else
like "$line" "^tcp .*127\.0\.0\.1:$PORT .*LISTEN +$MTAD_PID/mtad" "our netstat -atnp shows PID/mtad listening"
if command -v netstat >/dev/null && [ "$(id -u)" -eq 0 ]; then
	line=$(netstat -atnp 2>/dev/null | grep ":$PORT ")
	like "$line" "LISTEN +$MTAD_PID/mtad" "net-tools' netstat -atnp shows it too"
else
	skip "net-tools' netstat -p needs root and net-tools"
fi
fi

# --- a message with smtplib: delivered, with Received and the log ---
python3 - "$PORT" <<'PY' > "$T/out" 2>&1
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="client.example")
code, caps = s.ehlo()
print("EHLO", code, caps.decode().replace("\n", " "))
r = s.sendmail("sender@far.example", ["bob@test.example"],
               b"From: sender@far.example\r\nSubject: one\r\n\r\nhello bob\r\n")
print("refused", r)
s.quit()
PY
like "$(cat "$T/out")" "EHLO 250 test.example PIPELINING SIZE 20480 ENHANCEDSTATUSCODES 8BITMIME DSN SMTPUTF8 CHUNKING" "EHLO: the extensions, SIZE from max_size, no STARTTLS without a certificate"
like "$(cat "$T/out")" "refused \{\}" "smtplib: accepted"
wait_for '[ "$(mbox_count "$I/mail/bob")" -ge 1 ]'; ok $? "delivered to bob's mailbox by the runner"
python3 - "$I/mail/bob" <<'PY' > "$T/out" 2>&1
import mailbox, sys
m = list(mailbox.mbox(sys.argv[1]))[0]
print(m["Received"].replace("\n", "|"))
print("subject", m["Subject"])
print("body", m.get_payload().strip())
PY
like "$(cat "$T/out")" "^from client\.example \(localhost \[127\.0\.0\.1\]\)\|.*by test\.example \(hikyaku\) with ESMTP id [0-9A-Za-z]+;" "Received: client's name and address, ESMTP, the queue ID (Python's mailbox reads it)"
like "$(cat "$T/out")" "body hello bob" "the body arrives as sent"
log=$(cat "$I/log")
like "$log" "mtad\[[0-9]+\]: connect from localhost\[127\.0\.0\.1\]" "log: connect from"
like "$log" ": [0-9A-Za-z]+: client=localhost\[127\.0\.0\.1\]" "log: ID: client=name[addr]"
like "$log" ": [0-9A-Za-z]+: from=<sender@far\.example>, size=[0-9]+, nrcpt=1 \(queue active\)" "log: ID: from=<>, size=, nrcpt="
like "$log" ": [0-9A-Za-z]+: to=<bob@test\.example>, relay=local, delay=[0-9.]+, .*status=sent" "log: ID: to=<>, relay=local, delay=, status=sent"

if [ "$(id -u)" -eq 0 ]; then
	own=$(stat -c %U "$I/spool/msg" "$I/spool/env" | sort -u | tr '\n' ' ')
	is "$own" "mail " "as root: the spool belongs to the mail account"
	# a message held in DATA: its file in tmp/ is written by the session
	python3 - "$PORT" "$I/spool/tmp" <<'PY' > "$T/out" 2>&1
import os, smtplib, sys, time
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]))
s.ehlo("c.example"); s.mail("a@far.example"); s.rcpt("bob@test.example")
s.putcmd("DATA"); print(s.getreply()[0])
s.send(b"Subject: held\r\n\r\n")
for _ in range(50):
    f = [x for x in os.listdir(sys.argv[2])]
    if f:
        break
    time.sleep(0.1)
import pwd
print("owner", pwd.getpwuid(os.stat(os.path.join(sys.argv[2], f[0])).st_uid).pw_name)
s.send(b"x\r\n.\r\n"); print(s.getreply()[0]); s.quit()
PY
	like "$(cat "$T/out")" "owner mail" "the session runs as the mail account, not root"
else
	skip "the privilege drop to the mail account needs root"
	skip "the privilege drop to the mail account needs root"
fi

# --- swaks ---
if command -v swaks >/dev/null; then
	swaks --server "127.0.0.1:$PORT" --to carol@test.example --from s@far.example \
	    --header "Subject: by swaks" --body "swaks body" >"$T/out" 2>&1
	ok $? "swaks sends a message"
	wait_for 'grep -q "^Subject: by swaks" "$I/mail/carol"'; ok $? "and it is in carol's mailbox"
else
	skip "swaks is not installed (scripts/deps installs it)"
	skip "swaks is not installed (scripts/deps installs it)"
fi

# --- Postfix's smtp-source: 2 sessions at once, 60 messages ---
SRC=$(cd "$(dirname "$0")" && pwd)/smtp-source
if "$SRC" >/dev/null 2>&1; [ $? -ne 127 ]; then
	before=$(mbox_count "$I/mail/alice")
	"$SRC" -s 2 -m 60 -l 3000 -f load@far.example -t alice@test.example \
	    "127.0.0.1:$PORT" 2>"$T/err"
	rc=$?
	sed "s/^/# /" "$T/err"
	ok $rc "smtp-source -s 2 -m 60: every transaction accepted"
	wait_for '[ "$(mbox_count "$I/mail/alice")" -ge $((before + 60)) ]' 90
	rc=$?
	ok $rc "all 60 delivered"
	[ $rc -eq 0 ] || {
		echo "# $(mbox_count "$I/mail/alice") in the mailbox; the queue and the log:"
		hk mailq 2>&1 | sed 's/^/# /' | head -20
		grep -v 'status=sent\|removed\|client=\|from=<\|connect from' "$I/log" | tail -20 | sed 's/^/# /'
		sed 's/^/# /' "$T/mtad.err" | head -40
	}
	python3 - "$I/mail/alice" <<'PY' > "$T/out" 2>&1
import mailbox, sys
n = bad = 0
for m in mailbox.mbox(sys.argv[1]):
    if m.get("Return-Path") != "<load@far.example>":
        continue
    n += 1
    body = m.get_payload()
    # smtp-source sends -l bytes of "La de da de da 1." style lines
    if len(body) < 2900 or "\r" in body:
        bad += 1
print(n, "messages,", bad, "damaged")
PY
	is "$(cat "$T/out")" "60 messages, 0 damaged" "Python's mailbox reads 60 whole messages"
else
	skip "no smtp-source: scripts/deps (as root) unpacks it"
	skip "no smtp-source: scripts/deps (as root) unpacks it"
	skip "no smtp-source: scripts/deps (as root) unpacks it"
fi

# --- who may relay: a stranger (127.0.0.2 is not in mynetworks) ---
python3 - "$PORT" <<'PY' > "$T/out" 2>&1
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), source_address=("127.0.0.2", 0))
s.ehlo("stranger.example")
s.mail("x@far.example")
for a in ["victim@other.example", "bob%other.example@test.example",
          "other.example!bob@test.example", "@test.example:bob@other.example",
          '"bob@other.example"@test.example', "nosuch@test.example",
          "postmaster@test.example", "bob@test.example"]:
    code, msg = s.docmd("RCPT TO:<%s>" % a)
    print(a, "->", code, msg.decode())
s.quit()
PY
out=$(cat "$T/out")
like "$out" "^victim@other\.example -> 554 5\.7\.1 <victim@other\.example>: Relay access denied" "a stranger cannot relay: 554 5.7.1"
for trick in 'bob%other\.example@test\.example' 'other\.example!bob@test\.example' \
    '@test\.example:bob@other\.example' '"bob@other\.example"@test\.example'; do
	l=$(printf '%s\n' "$out" | grep -E "^$trick -> ")
	like "$l" "-> 5[0-9][0-9] " "relay trick $(echo "$trick" | tr -d '\\') is refused"
done
like "$out" "nosuch@test\.example -> 550 5\.1\.1 " "an unknown local user: 550 5.1.1"
like "$out" "postmaster@test\.example -> 250 " "an alias is taken"
like "$out" "^bob@test\.example -> 250 " "a local user is taken from anyone"
like "$(cat "$I/log")" "NOQUEUE: reject: RCPT from unknown\[127\.0\.0\.2\]: 554 5\.7\.1 <victim@other\.example>: Relay access denied; from=<x@far\.example> to=<victim@other\.example> proto=ESMTP helo=<stranger\.example>" "log: NOQUEUE: reject: RCPT from ..., as Postfix writes it"
python3 - "$PORT" <<'PY' > "$T/out" 2>&1
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]))
s.ehlo("friend.example"); s.mail("x@test.example")
print(s.rcpt("someone@other.example")); s.rset(); s.quit()
PY
like "$(cat "$T/out")" "^\(250, " "a client in mynetworks may relay"

# --- limits: command line, text line, recipients, size ---
long=$(printf '%0600d' 0)
out=$(printf 'EHLO c.example\r\nMAIL FROM:<%s@far.example>\r\nNOOP\r\nQUIT\r\n' "$long" | $CHAT 127.0.0.1 "$PORT" | flat)
like "$out" "\|500 5\.5\.2 [^|]*\|250 2\.0\.0 [^|]*\|221 " "a command line over 512 octets: 500 5.5.2, and the session goes on"
text=$(printf '%01200d' 0)
out=$(printf 'EHLO c.example\r\nMAIL FROM:<a@far.example>\r\nRCPT TO:<bob@test.example>\r\nDATA\r\nSubject: long\r\n\r\n%s\r\n.\r\nQUIT\r\n' "$text" | $CHAT 127.0.0.1 "$PORT" | flat)
like "$out" "\|354 [^|]*\|500 5\.5\.2 [^|]*\|221 " "a text line over 1000 octets refuses the message with 500 5.5.2"
out=$(printf 'EHLO c.example\r\nMAIL FROM:<a@far.example>\r\nRCPT TO:<bob@test.example>\r\nRCPT TO:<carol@test.example>\r\nRCPT TO:<alice@test.example>\r\nRCPT TO:<postmaster@test.example>\r\nQUIT\r\n' | $CHAT 127.0.0.1 "$PORT" | codes)
is "$out" "220 250 250 250 250 250 452 221 " "the recipient after max_rcpt (3): 452 4.5.3"
out=$(printf 'EHLO c.example\r\nMAIL FROM:<a@far.example> SIZE=30000\r\nQUIT\r\n' | $CHAT 127.0.0.1 "$PORT")
like "$out" "552 5\.3\.4 " "MAIL SIZE= over max_size: 552 5.3.4 before any data"
out=$(python3 -c '
import sys
sys.stdout.write("EHLO c.example\r\nMAIL FROM:<a@far.example>\r\nRCPT TO:<bob@test.example>\r\nDATA\r\n" + ("x" * 70 + "\r\n") * 400 + ".\r\nQUIT\r\n")' | $CHAT 127.0.0.1 "$PORT" | codes)
is "$out" "220 250 250 250 354 552 221 " "a message over max_size without SIZE=: 552 5.3.4 after the data"
out=$(printf 'HELO c.example\r\nDATA\r\nRCPT TO:<bob@test.example>\r\nQUIT\r\n' | $CHAT 127.0.0.1 "$PORT" | flat)
like "$out" "\|503 5\.5\.1 [^|]*\|503 5\.5\.1 " "commands out of sequence: 503 5.5.1"
out=$(printf 'EHLO c.example\r\nVRFY bob\r\nQUIT\r\n' | $CHAT 127.0.0.1 "$PORT")
like "$out" "252 2\.[0-9]\.[0-9] " "VRFY: 252"

# --- SMTP smuggling: only CRLF.CRLF ends DATA; the rest refuses ---
n=0
for seq in '\n.\n' '\n.\r' '\r.\n' '\r.\r' '\n.\r\n' '\r.\r\n' '\r\n\000.\r\n'; do
	n=$((n + 1))
	before=$(mbox_count "$I/mail/carol")
	name=$(printf '%s' "$seq" | sed 's/\\r/CR/g; s/\\n/LF/g; s/\\000/NUL/g')
	out=$(printf "EHLO c.example\r\nMAIL FROM:<a@far.example>\r\nRCPT TO:<bob@test.example>\r\nDATA\r\nSubject: smuggle $n\r\n\r\nfirst$seq""MAIL FROM:<evil@far.example>\r\nRCPT TO:<carol@test.example>\r\nDATA\r\nSubject: smuggled $n\r\n\r\nevil\r\n.\r\nQUIT\r\n" | $CHAT 127.0.0.1 "$PORT" | codes)
	like "$out" " 354 5[0-9][0-9] 221 $" "smuggling $name: one 5xx after the real end, then nothing but QUIT's 221"
	sleep 0.2
	is "$(mbox_count "$I/mail/carol")" "$before" "smuggling $name: carol got nothing"
done
grep -q "smuggled\|^Subject: smuggle" "$I/mail/bob"; is "$?" 1 "no part of any smuggling attempt reached bob"

# --- clients that drop, drip and pipeline ---
printf 'EHLO c.example\r\nMAIL FROM:<a@far.example>\r\nRCPT TO:<bob@test.example>\r\nDATA\r\nSubject: dropped\r\n\r\nhalf a mess' |
	$CHAT --close 127.0.0.1 "$PORT" >/dev/null
sleep 0.5
left=$(spool_files | wc -l)
is "$left" 0 "a client dropping mid-DATA leaves nothing in the spool"
before=$(mbox_count "$I/mail/alice")
printf 'EHLO c.example\r\nMAIL FROM:<a@far.example>\r\nRCPT TO:<alice@test.example>\r\nDATA\r\nSubject: drip\r\n\r\none byte at a time\r\n.\r\nQUIT\r\n' |
	$CHAT --drip 127.0.0.1 "$PORT" > "$T/out"
like "$(cat "$T/out")" "250 2\.0\.0 Ok: queued as" "a client dripping one byte at a time is served"
printf 'EHLO c.example\r\nMAIL FROM:<a@far.example>\r\nRCPT TO:<alice@test.example>\r\nRCPT TO:<nosuch@test.example>\r\nDATA\r\nSubject: pipelined\r\n\r\nall in one write\r\n.\r\nQUIT\r\n' |
	$CHAT 127.0.0.1 "$PORT" > "$T/out"
is "$(codes < "$T/out")" "220 250 250 250 550 354 250 221 " "PIPELINING: every reply, in order"
wait_for '[ "$(mbox_count "$I/mail/alice")" -ge $((before + 2)) ]'; ok $? "both reached alice"

# --- max_per_ip: the eleventh connection from one address gets 421 ---
python3 - "$PORT" <<'PY' > "$T/out" 2>&1
import socket, sys, time
port = int(sys.argv[1])
held = []
for _ in range(10):
    c = socket.create_connection(("127.0.0.1", port)); c.recv(512); held.append(c)
c = socket.create_connection(("127.0.0.1", port)); print(c.recv(512).decode().strip())
o = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.3", 0)); print(o.recv(512).decode().strip())
PY
like "$(sed -n 1p "$T/out")" "^421 4\.7\.0 test\.example Error: too many connections from 127\.0\.0\.1" "max_per_ip: 421 4.7.0 beyond it"
like "$(sed -n 2p "$T/out")" "^220 " "another address is still served"

# --- crashes: a session's does not take the daemon down; the runner restarts ---
python3 - "$PORT" <<'PY' &
import socket, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); c.recv(512); time.sleep(3)
PY
held=$!
wait_for '[ -n "$(mtad_kids mtad-smtpd)" ]' 5
sess=$(mtad_kids mtad-smtpd | head -1)
kill -SEGV "$sess" 2>/dev/null; ok $? "a session process crashes (SIGSEGV)"
wait "$held" 2>/dev/null
out=$(printf 'QUIT\r\n' | $CHAT --wait-greeting 127.0.0.1 "$PORT" | codes)
is "$out" "220 221 " "the daemon still serves"
runner=$(mtad_kids mtad-runner)
kill -KILL "$runner"
wait_for '[ -n "$(mtad_kids mtad-runner)" ] && [ "$(mtad_kids mtad-runner)" != "$runner" ]' 5
ok $? "a killed runner is started again"
before=$(mbox_count "$I/mail/carol")
printf 'Subject: after the crash\n\nx\n' | hk sendmail -i carol
wait_for '[ "$(mbox_count "$I/mail/carol")" -gt "$before" ]' 10; ok $? "sendmail pokes the new runner: delivered at once"

# --- SIGHUP: a new configuration; a broken one is refused, the old stays ---
sed -i 's/^hostname = .*/hostname = reloaded.example/' "$I/hikyaku.conf"
kill -HUP "$MTAD_PID"
wait_for 'printf "QUIT\r\n" | $CHAT --wait-greeting 127.0.0.1 "$PORT" | grep -q "^220 reloaded.example"' 5
ok $? "SIGHUP: the new hostname greets"
echo "no_such_key = 1" >> "$I/hikyaku.conf"
kill -HUP "$MTAD_PID"
wait_for 'grep -q "reload refused" "$I/log"' 5
like "$(grep 'reload refused' "$I/log")" "reload refused, the old configuration stays: .*hikyaku\.conf:[0-9]+: .*no_such_key" "a broken configuration is refused, naming file:line"
out=$(printf 'QUIT\r\n' | $CHAT --wait-greeting 127.0.0.1 "$PORT")
like "$out" "^220 reloaded\.example" "and the daemon serves on"
sed -i '/^no_such_key/d' "$I/hikyaku.conf"

# --- SIGTERM ---
mtad_stop; is "$?" 0 "SIGTERM: mtad exits 0"
python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null
is "$?" 1 "and nothing listens any more"
[ -e "$T/mtad.pid" ]; is "$?" 1 "the pid file is removed"
sleep 0.3
is "$(pgrep -f "mtad -f -P $T/mtad.pid" | wc -l)" 0 "no process of it is left"

# --- sendmail -bd starts it, detached ---
hk sendmail -bd -q30m; is "$?" 0 "sendmail -bd -q30m starts the daemon and returns"
wait_for "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $PORT), 1).close()'" 10
ok $? "it listens"
pidname=$(hk netstat -ltnp 2>/dev/null | grep ":$PORT " | awk '{ print $7 }')
pid=${pidname%%/*}
if [ -n "$HK_RUN" ]; then
	like "$pid" "^[0-9]+$" "netstat -ltnp names its process (the emulator's name under $HK_RUN)"
else
	like "$pidname" "^[0-9]+/mtad$" "netstat -ltnp names it mtad"
fi
is "$(awk '{ print $7 }' "/proc/$pid/stat" 2>/dev/null)" "0" "it has no controlling terminal (detached)"
kill -TERM "$pid"
wait_for "! kill -0 $pid" 15; ok $? "and stops on SIGTERM"

# --- start-up errors name what is wrong ---
cp "$I/hikyaku.conf" "$T/bad.conf"
echo "tls_cert = $T/nosuch.pem" >> "$T/bad.conf"
echo "tls_key = $T/nosuch.key" >> "$T/bad.conf"
hk mtad -f -C "$T/bad.conf" 2>"$T/err"; rc=$?
is "$rc" 78 "a missing certificate file: exit 78 (EX_CONFIG)"
like "$(cat "$T/err")" "tls_cert $T/nosuch\.pem" "and the message names the file"
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $PORT)); s.listen(1); time.sleep(5)" &
sq=$!
wait_for "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $PORT), 1).close()'" 5
timeout 10 $HK_RUN "$HIKYAKU" mtad -f 2>"$T/err"; rc=$?
is "$rc" 71 "a port in use: exit 71 (EX_OSERR)"
like "$(cat "$T/err")" "listen 127\.0\.0\.1:$PORT: Address (already )?in use" "naming the setting and the address"
kill "$sq" 2>/dev/null
done_testing
