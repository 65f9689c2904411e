#!/bin/sh
# auth_users = shadow: mtad checks AUTH against the system's accounts
# (/etc/shadow, root:shadow 0640 as Debian has it), with real accounts
# in a private mount namespace.  The password checker must drop to the
# `user` account with the shadow group and nothing more; the sessions
# run as that account with no group beyond its own.  Hashes are made by
# Python's crypt and put in place by chpasswd -e.
HK_WANT_NS=1
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-tls.sh"
if ! system_instance; then
	skip "$system_why"
	done_testing
fi
why=""
command -v openssl >/dev/null || why="needs the openssl command"
command -v chpasswd >/dev/null || why="needs chpasswd"
command -v usermod >/dev/null || why="needs usermod"
getent group shadow >/dev/null || why="needs the shadow group"
crypt_python || why="needs a python3 with the crypt module (3.12 or older)"
if [ -n "$why" ]; then
	skip "$why"
	done_testing
fi
trap 'mtad_stop >/dev/null 2>&1; rm -rf "$T"' EXIT
LOG=/var/log/hikyaku.log
K=$T/tls
tls_files "$K" || { echo "Bail out! openssl could not make the test CA and certificates"; exit 1; }

PW_VICTIM='Victim-Secret-512'
PW_ATTACKER='Attacker-Secret-md5'
PW_WRONG='Wrong-Guess-42'
hash=$($PYCRYPT -c 'import crypt, sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_SHA512)))' "$PW_VICTIM")
md5=$($PYCRYPT -c 'import crypt, sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_MD5)))' "$PW_ATTACKER")
printf 'victim:%s\nattacker:%s\n' "$hash" "$md5" | chpasswd -e
ok $? "chpasswd -e: a sha512-crypt hash for victim, an MD5 one for attacker"
is "$(getent shadow victim | cut -d: -f2)" "$hash" "the victim's hash is in /etc/shadow"
is "$(stat -c '%U:%G %a' /etc/shadow)" "root:shadow 640" "/etc/shadow is root:shadow 0640"

PORT=$(free_port)
SUB=$(free_port)
cat >> /etc/hikyaku.conf <<CONF
hostname = test.example
domains = test.example
listen = 127.0.0.1:$PORT
submission = 127.0.0.1:$SUB
tls_cert = $K/rsa.pem
tls_key = $K/rsa.key
auth_users = shadow
user = mail
CONF
MTAD_WAIT="127.0.0.1:$PORT 127.0.0.1:$SUB"
mtad_start; ok $? "mtad starts with auth_users = shadow"

# --- who runs as whom: /proc/PID/status, as the kernel has it ---
MAIL_UID=$(id -u mail)
MAIL_GID=$(id -g mail)
SHADOW_GID=$(getent group shadow | cut -d: -f3)
creds() {	# creds PID: "uid U U U U gid G G G G groups [G...] caps C"
	awk '/^Uid:/ { u = $2 " " $3 " " $4 " " $5 }
	    /^Gid:/ { g = $2 " " $3 " " $4 " " $5 }
	    /^Groups:/ { $1 = ""; s = $0; sub(/^ +/, "", s); sub(/ +$/, "", s) }
	    /^CapEff:/ { c = $2 }
	    END { print "uid " u " gid " g " groups [" s "] caps " c }' "/proc/$1/status"
}
wait_for '[ -n "$(mtad_kids mtad-auth)" ]' 5
auth=$(mtad_kids mtad-auth)
m="$MAIL_UID $MAIL_UID $MAIL_UID $MAIL_UID"
g="$MAIL_GID $MAIL_GID $MAIL_GID $MAIL_GID"
is "$(creds "$auth")" "uid $m gid $g groups [$SHADOW_GID] caps 0000000000000000" \
    "mtad-auth runs as mail with the shadow group only, no capabilities (not root)"
python3 - "$SUB" <<'PY' &
import socket, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); c.recv(512); time.sleep(4)
PY
held=$!
wait_for '[ -n "$(mtad_kids mtad-smtpd)" ]' 5
sess=$(mtad_kids mtad-smtpd | head -1)
is "$(creds "$sess")" "uid $m gid $g groups [] caps 0000000000000000" \
    "mtad-smtpd runs as mail with no supplementary group (not shadow), no capabilities"
kill "$held" 2>/dev/null
wait "$held" 2>/dev/null
grep -q "reads /etc/shadow as root" "$LOG"; is "$?" 1 "the log does not say the checker kept root"

# --- AUTH against /etc/shadow ---
python3 - "$SUB" "$PW_VICTIM" "$PW_WRONG" "$PW_ATTACKER" <<'PY' > "$T/out" 2>&1
import sys, tlsclient as tc
port = int(sys.argv[1])
for name, mech, user, pw in (("right", "PLAIN", "victim", sys.argv[2]),
                             ("right-login", "LOGIN", "victim", sys.argv[2]),
                             ("wrong", "PLAIN", "victim", sys.argv[3]),
                             ("md5", "PLAIN", "attacker", sys.argv[4]),
                             ("colon", "PLAIN", "victim:", sys.argv[2]),
                             ("case", "LOGIN", "Victim", sys.argv[2])):
    s = tc.tls(port)
    print(name, tc.auth(s, mech, user, pw))
    s.quit()
s = tc.tls(port)
tc.auth(s, "PLAIN", "victim", sys.argv[2])
print("sent", s.sendmail("victim@test.example", ["victim@test.example"],
      b"From: victim@test.example\r\nSubject: via shadow\r\n\r\nhello me\r\n"))
s.quit()
PY
out=$(cat "$T/out")
like "$out" "^right 235 2\.7\.0 " "AUTH PLAIN as victim with the right password: 235"
like "$out" "^right-login 235 2\.7\.0 " "AUTH LOGIN as victim: 235"
like "$out" "^wrong 535 5\.7\.8 " "a wrong password: 535 5.7.8"
like "$(cat "$LOG")" "SASL authentication failed for user victim$" "and the log says so"
like "$out" "^md5 535 5\.7\.8 " "an MD5 hash in /etc/shadow never matches, even with the right password: 535"
like "$(cat "$LOG")" "auth: /etc/shadow:[0-9]+: the hash of attacker is of a kind not checked here" "and the log says why"
like "$out" "^colon 535 5\.7\.8 " "the victim's password for \"victim:\" (a name with the separator): 535"
like "$out" "^case 535 5\.7\.8 " "and for \"Victim\": names compare exactly, 535"
like "$out" "^sent \{\}" "the victim submits a message after AUTH"
wait_for '[ "$(mbox_count /var/mail/victim)" -ge 1 ]'; ok $? "it is delivered to /var/mail/victim"
like "$(field /var/mail/victim "via shadow" Received)" "\(Authenticated sender: victim\) by test\.example \(hikyaku\) with ESMTPSA " "Received: (Authenticated sender: victim), ESMTPSA (Python's mailbox reads it)"

# --- a locked account: passwd -l ---
usermod -L victim
python3 - "$SUB" "$PW_VICTIM" <<'PY' > "$T/out" 2>&1
import sys, tlsclient as tc
s = tc.tls(int(sys.argv[1]))
print(tc.auth(s, "PLAIN", "victim", sys.argv[2]))
s.quit()
PY
like "$(cat "$T/out")" "^535 5\.7\.8 " "a locked account (usermod -L): 535, right password or not"
like "$(cat "$LOG")" "auth: /etc/shadow:[0-9]+: victim is locked" "and the log says why"
usermod -U victim

# --- /etc/shadow readable by root alone: the checker keeps root ---
chgrp root /etc/shadow
kill -HUP "$MTAD_PID"
wait_for 'grep -q "reads /etc/shadow as root" "$LOG"' 10
ok $? "/etc/shadow root:root: after SIGHUP the log says the checker reads it as root"
wait_for '[ -n "$(mtad_kids mtad-auth)" ] && [ "$(mtad_kids mtad-auth)" != "$auth" ]' 5
is "$(creds "$(mtad_kids mtad-auth)" | cut -d' ' -f1-5)" "uid 0 0 0 0" "and it runs as root"
python3 - "$SUB" "$PW_VICTIM" <<'PY' > "$T/out" 2>&1
import sys, tlsclient as tc
s = tc.tls(int(sys.argv[1]))
print(tc.auth(s, "PLAIN", "victim", sys.argv[2]))
s.quit()
PY
like "$(cat "$T/out")" "^235 " "AUTH as victim still works"
chgrp shadow /etc/shadow

for pw in "$PW_VICTIM" "$PW_ATTACKER" "$PW_WRONG"; do
	grep -F -- "$pw" "$LOG" "$T/mtad.err" >/dev/null
	is "$?" 1 "the password $pw is nowhere in the log"
done
mtad_stop; is "$?" 0 "SIGTERM: mtad exits 0"
done_testing
