#!/bin/sh
# mtad with TLS and AUTH, driven by real clients (Python's smtplib and
# ssl, openssl s_client) and by raw bytes: STARTTLS on port 25 and on
# submission, implicit TLS (smtps), AUTH PLAIN and LOGIN against
# sha512-crypt, sha256-crypt and bcrypt hashes, what a client may do before and
# after each, what the delivered message says of it (read back with
# Python's mailbox), an RSA and an EC certificate, and the start-up
# errors of bad TLS settings.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-tls.sh"
CHAT="python3 $(dirname "$0")/smtp-chat.py"
instance
trap 'mtad_stop >/dev/null 2>&1; rm -rf "$T"' EXIT

command -v openssl >/dev/null || { echo "1..0 # SKIP needs the openssl command"; exit 0; }
crypt_python || { echo "1..0 # SKIP needs a python3 with the crypt module (3.12 or older)"; exit 0; }
K=$T/tls
tls_files "$K" || { echo "Bail out! openssl could not make the test CA and certificates"; exit 1; }

# --- auth_users: alice with sha512-crypt, bob with sha256-crypt, carol
# with bcrypt ---
PW_ALICE='Alice-Secret-512'
PW_BOB='Bob-Secret-256'
PW_CAROL='Carol-Secret-bcrypt'
PW_WRONG='Wrong-Guess-42'
$PYCRYPT - "$PW_ALICE" "$PW_BOB" "$PW_CAROL" > "$T/users" <<'PY'
import crypt, sys
print("# test users")
print("alice:" + crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_SHA512)))
print("bob:" + crypt.crypt(sys.argv[2], crypt.mksalt(crypt.METHOD_SHA256)))
print("carol:" + crypt.crypt(sys.argv[3], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))
PY
chmod 0640 "$T/users"
is "$(grep -v '^#' "$T/users" | cut -d: -f2 | cut -c1-3 | tr '\n' ' ')" '$6$ $5$ $2b ' "auth_users: a sha512-crypt, a sha256-crypt and a bcrypt hash, by Python's crypt"

PORT=$(free_port)
SUB=$(free_port)
SMTPS=$(free_port)
cat >> "$I/hikyaku.conf" <<CONF
listen = 127.0.0.1:$PORT
submission = 127.0.0.1:$SUB
smtps = 127.0.0.1:$SMTPS
mynetworks = 127.0.0.1/32
tls_cert = $K/rsa.pem
tls_key = $K/rsa.key
auth_users = $T/users
CONF
MTAD_WAIT="127.0.0.1:$PORT 127.0.0.1:$SUB 127.0.0.1:$SMTPS"
mtad_start; ok $? "mtad starts with listen, submission and smtps, an RSA certificate and auth_users"

# --- port 25: STARTTLS offered, AUTH only under TLS ---
python3 - "$PORT" <<'PY' > "$T/out" 2>&1
import sys, tlsclient as tc
s = tc.smtp(int(sys.argv[1]))
s.ehlo()
print("before", tc.offers(s))
s.starttls(context=tc.ctx())
print("tls", s.sock.version(), s.sock.cipher()[0])
print("no EHLO again:", *s.docmd("MAIL FROM:<a@far.example>"))
s.ehlo()
print("after", tc.offers(s))
s.quit()
PY
out=$(cat "$T/out")
like "$out" "^before starttls=True auth=None$" "port 25 before TLS: EHLO offers STARTTLS, not AUTH"
like "$out" "^tls TLSv1\.2 ECDHE-RSA-" "smtplib's STARTTLS: TLS 1.2, the certificate verified for test.example against the test CA"
like "$out" "^no EHLO again: 503 b'5\.5\.1 Error: send HELO/EHLO first'$" "after STARTTLS the EHLO before it is forgotten (RFC 3207 4.2)"
like "$out" "^after starttls=False auth=PLAIN LOGIN$" "port 25 under TLS: AUTH PLAIN LOGIN offered, STARTTLS no more"

# --- AUTH in clear, with the right password: refused, on both ports ---
for p in "$PORT" "$SUB"; do
	out=$(printf 'EHLO c.example\r\nAUTH PLAIN %s\r\nMAIL FROM:<alice@test.example>\r\nQUIT\r\n' \
	    "$(python3 -c 'import sys, tlsclient as tc; print(tc.plain("alice", sys.argv[1]))' "$PW_ALICE")" |
	    $CHAT 127.0.0.1 "$p" | tr -d '\r' | tr '\n' '|')
	name=$([ "$p" = "$PORT" ] && echo "port 25" || echo "submission")
	like "$out" "\|250 [^|]*\|502 5\.5\.1 Error: command not implemented\|" "$name: AUTH before STARTTLS is not offered and refused (502 5.5.1), good password or not"
done
like "$out" "\|502 5\.5\.1 [^|]*\|530 5\.7\.0 Authentication required\|221 " "submission: and MAIL then still needs AUTH (530 5.7.0)"

# --- nothing pipelined after STARTTLS is honoured ---
for p in "$PORT" "$SUB"; do
	name=$([ "$p" = "$PORT" ] && echo "port 25" || echo "submission")
	printf 'EHLO c.example\r\nSTARTTLS\r\nMAIL FROM:<a@far.example>\r\nRCPT TO:<bob@test.example>\r\n' |
		$CHAT 127.0.0.1 "$p" > "$T/out"
	after=$(python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
r = b"220 2.0.0 Ready to start TLS\r\n"
print(repr(d[d.index(r) + len(r):]) if r in d else "no 220 for STARTTLS")' "$T/out")
	is "$after" "b''" "$name: commands in the STARTTLS packet: after the 220 not one byte more (no TLS alert in clear either), and the connection closes"
done
is "$(grep -c 'localhost\[127\.0\.0\.1\]: commands pipelined after STARTTLS: connection closed' "$I/log")" 2 "the log says why, each time"

# --- openssl s_client: the handshake as OpenSSL sees it ---
printf 'QUIT\n' | openssl s_client -starttls smtp -connect "127.0.0.1:$PORT" \
    -servername test.example -verify_hostname test.example -CAfile "$K/ca.pem" \
    -verify_return_error -crlf -ign_eof > "$T/out" 2>&1
ok $? "openssl s_client -starttls smtp -verify_return_error: the handshake completes"
out=$(cat "$T/out")
like "$out" "Verify return code: 0 \(ok\)" "s_client: verify return code 0 (chain to the test CA, name test.example)"
like "$out" "Protocol *: TLSv1\.2$" "s_client: TLSv1.2"
cipher=$(sed -n 's/^ *Cipher *: //p' "$T/out")
like "$cipher" "^ECDHE-RSA-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$" "s_client: an ECDHE suite with AES-GCM or ChaCha20 ($cipher)"
like "$out" "^221 " "and the SMTP dialogue goes on under TLS to the 221"
like "$(cat "$I/log")" "Anonymous TLS connection established from localhost\[127\.0\.0\.1\]: TLSv1\.2 with cipher $cipher$" "the log names the same version and suite"
printf 'QUIT\n' | openssl s_client -starttls smtp -connect "127.0.0.1:$SUB" \
    -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' -CAfile "$K/ca.pem" -crlf > "$T/out" 2>&1
rc=$?
is "$(test $rc -ne 0 && grep -c 'Cipher is (NONE)' "$T/out")" 1 "s_client -tls1_1: no session (exit $rc)"
like "$(cat "$I/log")" "SSL_accept error from localhost\[127\.0\.0\.1\]: (no common protocol version|sent alert 70 \(protocol_version\))$" "the server refused TLS 1.1 itself (alert protocol_version)"

# --- submission: MAIL needs AUTH; PLAIN and LOGIN, sha512 and sha256 ---
python3 - "$SUB" "$PW_ALICE" "$PW_BOB" "$PW_CAROL" <<'PY' > "$T/out" 2>&1
import sys, tlsclient as tc
port = int(sys.argv[1])
pw = {"alice": sys.argv[2], "bob": sys.argv[3], "carol": sys.argv[4]}
s = tc.tls(port)
print("caps", tc.offers(s))
print("mail before AUTH:", *s.docmd("MAIL FROM:<alice@test.example>"))
s.quit()
for user in ("alice", "bob", "carol"):
    for mech in ("PLAIN", "LOGIN"):
        s = tc.tls(port)
        print(mech, user, tc.auth(s, mech, user, pw[user]))
        if user == "bob" and mech == "LOGIN":
            s.ehlo()
            print("EHLO after AUTH:", tc.offers(s))
            print("AUTH again:", *s.docmd("AUTH", "PLAIN " + tc.plain("bob", pw["bob"])))
            print("MAIL after AUTH:", *s.docmd("MAIL FROM:<bob@test.example>"))
        s.quit()
PY
out=$(cat "$T/out")
like "$out" "^caps starttls=False auth=PLAIN LOGIN$" "submission under TLS: AUTH PLAIN LOGIN, no STARTTLS"
like "$out" "^mail before AUTH: 530 b'5\.7\.0 Authentication required'$" "submission: MAIL before AUTH, under TLS: 530 5.7.0"
like "$out" "^PLAIN alice 235 2\.7\.0 Authentication successful$" "AUTH PLAIN, sha512-crypt user: 235"
like "$out" "^LOGIN alice 235 2\.7\.0 Authentication successful$" "AUTH LOGIN, sha512-crypt user: 235"
like "$out" "^PLAIN bob 235 2\.7\.0 Authentication successful$" "AUTH PLAIN, sha256-crypt user: 235"
like "$out" "^LOGIN bob 235 2\.7\.0 Authentication successful$" "AUTH LOGIN, sha256-crypt user: 235"
like "$out" "^PLAIN carol 235 2\.7\.0 Authentication successful$" "AUTH PLAIN, bcrypt user: 235"
like "$out" "^LOGIN carol 235 2\.7\.0 Authentication successful$" "AUTH LOGIN, bcrypt user: 235"
like "$out" "^EHLO after AUTH: starttls=False auth=None$" "once authenticated, AUTH is no longer offered"
like "$out" "^AUTH again: 503 b'5\.5\.1 Error: already authenticated'$" "and a second AUTH gets 503 (RFC 4954 4: MUST)"
like "$out" "^MAIL after AUTH: 250 " "MAIL after AUTH: 250"

# --- a wrong password: 535 after the delay, 421 at the third ---
python3 - "$SUB" "$PW_ALICE" "$PW_WRONG" <<'PY' > "$T/out" 2>&1
import smtplib, sys, time, tlsclient as tc
s = tc.tls(int(sys.argv[1]))
for i in range(3):
    t = time.monotonic()
    r = tc.auth(s, ("PLAIN", "LOGIN", "PLAIN")[i], "alice", sys.argv[3])
    print("try", i + 1, r)
    print("# took %.2f s" % (time.monotonic() - t))
try:
    s.noop()
    print("still open")
except smtplib.SMTPServerDisconnected:
    print("closed")
s = tc.tls(int(sys.argv[1]))
print("nosuch", tc.auth(s, "PLAIN", "nosuch", sys.argv[2]))
s.quit()
PY
out=$(cat "$T/out")
grep '^# took' "$T/out"	# how long each failure took: shown, not judged
like "$out" "^try 1 535 5\.7\.8 Error: authentication failed$" "a wrong password (PLAIN): 535 5.7.8"
like "$out" "^try 2 535 5\.7\.8 Error: authentication failed$" "a wrong password (LOGIN): 535 5.7.8"
like "$out" "^try 3 421 4\.7\.0 test\.example Error: too many authentication failures$" "the third failure in one session: 421 4.7.0"
like "$out" "^closed$" "and the connection is closed"
like "$out" "^nosuch 535 5\.7\.8 " "an unknown user with someone's password: 535 5.7.8"
is "$(grep -c 'warning: localhost\[127\.0\.0\.1\]: SASL authentication failed for user alice$' "$I/log")" 3 "the log has each failure: SASL authentication failed for user alice"
like "$(cat "$I/log")" "SASL authentication failed for user nosuch$" "and the unknown user's"

# --- the world may not read the hashes ---
chmod 0644 "$T/users"
python3 - "$SUB" "$PW_ALICE" <<'PY' > "$T/out" 2>&1
import sys, tlsclient as tc
s = tc.tls(int(sys.argv[1]))
print(tc.auth(s, "PLAIN", "alice", sys.argv[2]))
s.quit()
PY
chmod 0640 "$T/users"
like "$(cat "$T/out")" "^454 4\.7\.0 Temporary authentication failure$" "auth_users readable by others: not used (454 4.7.0), even for the right password"
like "$(cat "$I/log")" "auth: $T/users: mode 644: readable by others" "and the log says why"

# --- what the messages say of their way in (Python's mailbox reads them) ---
python3 - "$SUB" "$PORT" "$PW_ALICE" <<'PY' > "$T/out" 2>&1
import sys, tlsclient as tc
s = tc.tls(int(sys.argv[1]))
tc.auth(s, "PLAIN", "alice", sys.argv[3])
print("msa", s.sendmail("alice@test.example", ["bob@test.example"],
      b"From: alice@test.example\r\nTo: bob@test.example\r\nSubject: by submission\r\n\r\nhello\r\n"))
s.quit()
s = tc.tls(int(sys.argv[2]))
print("mta", s.sendmail("someone@far.example", ["bob@test.example"],
      b"From: someone@far.example\r\nSubject: by port 25\r\n\r\nhello\r\n"))
s.quit()
PY
like "$(cat "$T/out")" "^msa \{\}" "submission with AUTH over STARTTLS: accepted"
like "$(cat "$T/out")" "^mta \{\}" "port 25 over STARTTLS without AUTH: accepted"
wait_for '[ "$(mbox_count "$I/mail/bob")" -ge 2 ]'; ok $? "both delivered to bob"
rx=$(field "$I/mail/bob" "by submission" Received)
like "$rx" "^from client\.example \(localhost \[127\.0\.0\.1\]\) \(using TLSv1\.2 with cipher ECDHE-RSA-[A-Z0-9-]+ \([0-9]+/[0-9]+ bits\)\) \(Authenticated sender: alice\) by test\.example \(hikyaku\) with ESMTPSA id " "submission: Received: says TLSv1.2 with its cipher, the authenticated sender, ESMTPSA"
like "$(field "$I/mail/bob" "by submission" Date)" "^[A-Z][a-z][a-z], [0-9]+ [A-Z][a-z][a-z] [0-9]{4} [0-9:]{8} [-+][0-9]{4}" "submission: a Date: was added"
like "$(field "$I/mail/bob" "by submission" Message-ID)" "^<[^@> ]+@test\.example>$" "submission: a Message-ID: was added"
rx=$(field "$I/mail/bob" "by port 25" Received)
like "$rx" "^from client\.example \(localhost \[127\.0\.0\.1\]\) \(using TLSv1\.2 with cipher ECDHE-RSA-[A-Z0-9-]+ \([0-9]+/[0-9]+ bits\)\) by test\.example \(hikyaku\) with ESMTPS id " "port 25 over TLS: Received: with the cipher, no sender, ESMTPS"
is "$(field "$I/mail/bob" "by port 25" Date)" "None" "port 25: no Date: added (the MTA keeps what came)"
is "$(field "$I/mail/bob" "by port 25" Message-ID)" "None" "port 25: no Message-ID: added"
like "$(cat "$I/log")" ": [0-9A-Za-z]+: client=localhost\[127\.0\.0\.1\], sasl_username=alice$" "log: client=..., sasl_username=alice"

# --- smtps: TLS before the greeting ---
python3 - "$SMTPS" "$PW_BOB" <<'PY' > "$T/out" 2>&1
import sys, tlsclient as tc
s = tc.smtps(int(sys.argv[1]))
print("tls", s.sock.version())
print("caps", tc.offers(s))
print("auth", tc.auth(s, "LOGIN", "bob", sys.argv[2]))
print("sent", s.sendmail("bob@test.example", ["carol@test.example"],
      b"From: bob@test.example\r\nSubject: by smtps\r\n\r\nimplicit\r\n"))
s.quit()
PY
out=$(cat "$T/out")
like "$out" "^tls TLSv1\.2$" "smtps: SMTP_SSL with the CA context gets a verified TLS 1.2 connection and the greeting"
like "$out" "^caps starttls=False auth=PLAIN LOGIN$" "smtps: EHLO offers AUTH at once, and no STARTTLS"
like "$out" "^auth 235 " "smtps: AUTH LOGIN: 235"
like "$out" "^sent \{\}" "smtps: the message is accepted"
wait_for '[ "$(mbox_count "$I/mail/carol")" -ge 1 ]'; ok $? "and delivered to carol"
like "$(field "$I/mail/carol" "by smtps" Received)" "\(using TLSv1\.2 with cipher ECDHE-RSA-[A-Z0-9-]+ \([0-9]+/[0-9]+ bits\)\) \(Authenticated sender: bob\) by test\.example \(hikyaku\) with ESMTPSA id " "with TLS, bob as the sender and ESMTPSA in Received:"
like "$(cat "$I/log")" "Trusted TLS connection established from localhost\[127\.0\.0\.1\]: TLSv1\.2" "log: Trusted TLS connection established"
python3 - "$SMTPS" <<'PY' > "$T/out" 2>&1
import socket, sys
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
c.settimeout(1.5)
try:
    print("got", c.recv(512))
except socket.timeout:
    print("nothing")
c.sendall(b"EHLO client.example\r\nQUIT\r\n")
c.settimeout(10)
d, end = b"", "timeout"
try:
    while True:
        b = c.recv(512)
        if not b:
            end = "closed"
            break
        d += b
except ConnectionResetError:
    end = "closed"
except socket.timeout:
    pass
print("then", b"220" in d or b"250" in d, end)
PY
like "$(cat "$T/out")" "^nothing$" "smtps: a plaintext client gets no 220 in clear"
like "$(cat "$T/out")" "^then False closed$" "and its EHLO no answer in clear; the connection is closed"

# --- relay: AUTH is what lets a stranger relay ---
python3 - "$PORT" "$SUB" "$PW_ALICE" <<'PY' > "$T/out" 2>&1
import sys, tlsclient as tc
for name, port, pw in (("mta", sys.argv[1], None), ("mta-auth", sys.argv[1], sys.argv[3]),
                       ("msa-auth", sys.argv[2], sys.argv[3])):
    s = tc.tls(int(port), src="127.0.0.2")
    if pw:
        tc.auth(s, "PLAIN", "alice", pw)
    s.docmd("MAIL FROM:<alice@test.example>")
    print(name, *s.docmd("RCPT TO:<friend@other.example>"))
    s.rset()
    s.quit()
PY
out=$(cat "$T/out")
like "$out" "^mta 554 b'5\.7\.1 <friend@other\.example>: Relay access denied'$" "127.0.0.2 (not in mynetworks) on port 25 under TLS, no AUTH: 554 5.7.1"
like "$out" "^mta-auth 250 " "the same client after AUTH on port 25: may relay (250)"
like "$out" "^msa-auth 250 " "and after AUTH on submission (250)"

# --- an EC P-256 certificate, by SIGHUP ---
sed -i -e "s#^tls_cert = .*#tls_cert = $K/ec.pem#" -e "s#^tls_key = .*#tls_key = $K/ec.key#" "$I/hikyaku.conf"
kill -HUP "$MTAD_PID"
wait_for 'grep -q "reloaded" "$I/log"' 10; ok $? "SIGHUP: reloaded with the EC certificate"
printf 'QUIT\n' | openssl s_client -starttls smtp -connect "127.0.0.1:$SUB" \
    -servername test.example -verify_hostname test.example -CAfile "$K/ca.pem" \
    -verify_return_error -crlf -ign_eof > "$T/out" 2>&1
ok $? "EC: s_client -verify_return_error completes the handshake"
like "$(cat "$T/out")" "Verify return code: 0 \(ok\)" "EC: verify return code 0"
like "$(cat "$T/out")" "Server public key is 256 bit" "EC: the P-256 key is served"
cipher=$(sed -n 's/^ *Cipher *: //p' "$T/out")
like "$cipher" "^ECDHE-ECDSA-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$" "EC: TLSv1.2 with an ECDHE-ECDSA suite, AES-GCM or ChaCha20 ($cipher)"
before=$(mbox_count "$I/mail/carol")
python3 - "$SMTPS" "$PW_ALICE" <<'PY' > "$T/out" 2>&1
import sys, tlsclient as tc
s = tc.smtps(int(sys.argv[1]))
print("auth", tc.auth(s, "PLAIN", "alice", sys.argv[2]))
print("sent", s.sendmail("alice@test.example", ["carol@test.example"],
      b"From: alice@test.example\r\nSubject: by smtps with EC\r\n\r\nec\r\n"))
s.quit()
PY
like "$(cat "$T/out")" "^sent \{\}" "EC: smtps with AUTH: accepted"
wait_for '[ "$(mbox_count "$I/mail/carol")" -gt "$before" ]'; ok $? "and delivered"
like "$(field "$I/mail/carol" "by smtps with EC" Received)" "\(using TLSv1\.2 with cipher ECDHE-ECDSA-[A-Z0-9-]+ \([0-9]+/[0-9]+ bits\)\) \(Authenticated sender: alice\) by test\.example \(hikyaku\) with ESMTPSA " "EC: Received: names the ECDSA suite, alice, ESMTPSA"

# --- no password in the log, ever ---
for pw in "$PW_ALICE" "$PW_BOB" "$PW_WRONG"; do
	grep -F -- "$pw" "$I/log" "$T/mtad.err" >/dev/null
	is "$?" 1 "the password $pw is nowhere in the log"
done

mtad_stop; is "$?" 0 "SIGTERM: mtad exits 0"

# --- start-up errors name what is wrong (exit 78, EX_CONFIG) ---
conf_with() {	# conf_with FILE SED-SCRIPT: the instance's settings, changed
	sed -e "$2" "$I/hikyaku.conf" > "$1"
}
startup() {	# startup CONF: mtad's exit status (124: it started), stderr in $T/err
	timeout 10 $HK_RUN "$HIKYAKU" mtad -f -C "$1" 2>"$T/err"
}
conf_with "$T/c1" "s#^tls_cert = .*#tls_cert = $K/rsa.pem#; s#^tls_key = .*#tls_key = $K/other.key#"
startup "$T/c1"; is "$?" 78 "a key that is not the certificate's: exit 78"
like "$(cat "$T/err")" "tls_key $K/other\.key does not match the certificate" "naming the key file"
conf_with "$T/c2" "s#^tls_cert = .*#tls_cert = $K/rsa.pem#; s#^tls_key = .*#tls_key = $K/ec.key#"
startup "$T/c2"; is "$?" 78 "an EC key with an RSA certificate: exit 78"
like "$(cat "$T/err")" "tls_key $K/ec\.key does not match the certificate" "naming the key file"
conf_with "$T/c3" "s#^tls_key = .*#tls_key = $K/garbage.key#"
startup "$T/c3"; is "$?" 78 "a key file of garbage: exit 78"
like "$(cat "$T/err")" "tls_key $K/garbage\.key" "naming the file"
conf_with "$T/c4" "/^tls_cert = /d; /^tls_key = /d; /^smtps = /d"
startup "$T/c4"; is "$?" 78 "submission without tls_cert: exit 78"
like "$(cat "$T/err")" "submission and smtps need tls_cert and tls_key" "naming what it needs"
conf_with "$T/c5" "/^tls_cert = /d; /^tls_key = /d; /^submission = /d"
startup "$T/c5"; is "$?" 78 "smtps without tls_cert: exit 78"
conf_with "$T/c6" "/^auth_users = /d"
startup "$T/c6"; is "$?" 78 "submission without auth_users: exit 78"
like "$(cat "$T/err")" "submission and smtps need auth_users" "naming what it needs"
done_testing
