#!/bin/sh
# The remote delivery tests' harness (lib-netns.sh) checks itself: the
# namespace, its addresses and black hole, dnsmasq's answers (MX, A,
# AAAA, null MX, NXDOMAIN under .test), resolv.conf inside, and that
# nothing is left behind: not the namespace, not a process, not
# /etc/netns, even when the test using it fails or is killed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
netns_need

# --- a child test that fails half-way, and one killed half-way: both
# must clean up everything ---
cat > "$T/child.sh" <<EOF
#!/bin/sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
. "$(cd "$(dirname "$0")" && pwd)/lib-netns.sh"
netns_up
netns_addr 192.0.2.1
netns_dns mx-host=a.test,mx.a.test,10 host-record=mx.a.test,192.0.2.1
\$IN_NS sleep 600 &
echo "\$NS \$T \$! \$(cat "\$T/dnsmasq.pid")" > "$T/child.\$1"
[ "\$1" = kill ] && { echo ready > "$T/child.ready"; wait; }
cat "\$T/child.\$1" > /dev/null; exit 3
EOF
chmod +x "$T/child.sh"
"$T/child.sh" fail >/dev/null 2>&1
is "$?" 3 "a test that fails keeps its exit status"
set -- $(cat "$T/child.fail")
cns=$1 ct=$2 cpids="$3 $4"
ip netns list | grep -qw "$cns"; ok $((!$?)) "and its namespace is gone"
[ -e "/etc/netns/$cns" ]; ok $((!$?)) "and /etc/netns/$cns"
[ -e "$ct" ]; ok $((!$?)) "and its directory (lib.sh's trap ran too)"
# the dnsmasq and the "server" (a sleep) it started: gone (a zombie
# waiting for init to reap it is gone)
left=$(ps -o pid=,stat= -p "$(echo $cpids | tr ' ' ,)" | awk '$2 !~ /^Z/')
is "$left" "" "and its dnsmasq and servers"

"$T/child.sh" kill >/dev/null 2>&1 &
cpid=$!
wait_for '[ -f "$T/child.ready" ]' 20
set -- $(cat "$T/child.kill")
cns=$1 ct=$2 cpids="$3 $4"
ip netns list | grep -qw "$cns"; ok $? "a second test: its namespace is there while it runs"
kill -TERM $cpid
wait $cpid
is "$?" 143 "killed (SIGTERM), it exits 143"
ip netns list | grep -qw "$cns"; ok $((!$?)) "and its namespace is gone"
[ -e "/etc/netns/$cns" ] || [ -e "$ct" ]; ok $((!$?)) "and /etc/netns/$cns and its directory"
left=$(ps -o pid=,stat= -p "$(echo $cpids | tr ' ' ,)" | awk '$2 !~ /^Z/')
is "$left" "" "and its processes"

# --- the namespace of this test ---
netns_up
like "$NS" "^hk[0-9]+\$" "NS is hk + the test's pid"
netns_addr 192.0.2.1 192.0.2.2 2001:db8::1
addrs=$(in_ns ip -br addr show dev hk0)
like "$addrs" "192\.0\.2\.1/32 192\.0\.2\.2/32 2001:db8::1/128" "netns_addr: /32 and /128 on hk0"
is "$(in_ns cat /etc/resolv.conf)" "nameserver 127.0.0.1
options timeout:1 attempts:2" "inside, resolv.conf names dnsmasq on 127.0.0.1"
ip -br addr | grep -q '192\.0\.2\.1/'; ok $((!$?)) "outside, no 192.0.2.1"

# refused at once where an address is and nothing listens; silence
# (a timeout) where no address is
in_ns python3 - <<'PY' > "$T/out" 2>&1
import socket
for f, a in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET, "192.0.2.99"),
             (socket.AF_INET6, "2001:db8::1"), (socket.AF_INET6, "2001:db8::99")):
    s = socket.socket(f)
    s.settimeout(1.5)
    try:
        s.connect((a, 25))
        print(a, "connected")
    except ConnectionRefusedError:
        print(a, "refused")
    except socket.timeout:
        print(a, "timeout")
    except OSError as e:
        print(a, e)
PY
is "$(cat "$T/out")" "192.0.2.1 refused
192.0.2.99 timeout
2001:db8::1 refused
2001:db8::99 timeout" "connect: refused on an added address, a timeout on any other of the prefixes"

# a listener on 192.0.2.1:25, reached in the namespace only
in_ns python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.1", 25)); s.listen(); print("up", flush=True)
c, _ = s.accept(); c.sendall(b"220 hi\r\n"); c.close()' > "$T/srv" 2>&1 &
wait_for 'grep -q up "$T/srv"'
got=$(in_ns python3 -c '
import socket; print(socket.create_connection(("192.0.2.1", 25), 2).recv(100).decode().strip())' 2>&1)
is "$got" "220 hi" "a server in the namespace on 192.0.2.1:25 answers"

# --- dnsmasq ---
netns_dns 'mx-host=example.test,mx1.example.test,10' \
    'mx-host=example.test,mx2.example.test,20' \
    'host-record=mx1.example.test,192.0.2.1' \
    'host-record=mx2.example.test,192.0.2.2,2001:db8::2' \
    'mx-host=nullmx.test,.,0' \
    'host-record=direct.test,192.0.2.1'
is "$(netns_query example.test MX | sort)" "MX 10 mx1.example.test
MX 20 mx2.example.test
NOERROR" "MX records by preference"
is "$(netns_query mx2.example.test AAAA)" "NOERROR
AAAA 2001:db8::2" "AAAA"
is "$(netns_query direct.test A)" "NOERROR
A 192.0.2.1" "A of a name without MX"
is "$(netns_query nullmx.test MX)" "NOERROR
MX 0 ." "null MX (RFC 7505)"
is "$(netns_query nowhere.test MX | head -1)" "NXDOMAIN" "an unknown name under .test: NXDOMAIN"
got=$(in_ns getent ahostsv4 mx1.example.test | head -1)
like "$got" "^192\.0\.2\.1 " "the C library inside resolves through it"
first=$(cat "$T/dnsmasq.pid")
netns_dns 'host-record=mx1.example.test,192.0.2.7'
is "$(netns_query mx1.example.test A)" "NOERROR
A 192.0.2.7" "netns_dns again: the new configuration"
is "$(netns_query example.test MX | head -1)" "NOERROR" "and the old records gone (example.test has no MX now)"
kill -0 "$first" 2>/dev/null; ok $((!$?)) "the old dnsmasq stopped"
like "$(cat "$T/dnsmasq.log")" "query\[A\] mx1\.example\.test from 127\.0\.0\.1" "queries are logged in \$T/dnsmasq.log"

# --- smtp-server.py: what the tests' receiving server records ---
if ! { python3 -c 'import aiosmtpd' || /usr/bin/python3 -c 'import aiosmtpd'; } 2>/dev/null; then
	skip "no aiosmtpd (scripts/deps installs python3-aiosmtpd)"
	done_testing
fi
smtp_server rx --listen 192.0.2.2:25 --listen '[2001:db8::1]:25' --size 5000 \
    --rcpt 'bad@*=550 5.1.1 no\x1bsuch' --first '1:eod=451 4.3.0 later'
in_ns $SMTPD_PY - <<'PY' > "$T/out" 2>&1
import smtplib, socket
raw = b"Subject: raw\r\n\r\nbare\nLF\r\nbare\rCR\r\n..dot\r\n" + b"x" * 1500 + b"\r\n"
for host in ("192.0.2.2", "2001:db8::1"):
    s = smtplib.SMTP(host, 25, local_hostname="client.test")
    s.ehlo()
    print("size", s.esmtp_features.get("size"), "8bitmime", s.has_extn("8bitmime"))
    print("mail", s.mail("a@client.test", ["BODY=8BITMIME", "SIZE=%d" % len(raw)])[0])
    print("rcpt", *s.rcpt("bad@x.test"))
    print("rcpt", s.rcpt("ok@x.test")[0])
    print("data", s.data(raw)[0])
    s.quit()
# past the SIZE: refused at MAIL
s = smtplib.SMTP("192.0.2.2", 25, local_hostname="client.test")
s.ehlo()
print("big", s.mail("a@client.test", ["SIZE=6000"])[0])
s.quit()
PY
is "$(cat "$T/out")" "size 5000 8bitmime True
mail 250
rcpt 550 b'5.1.1 no\x1bsuch'
rcpt 250
data 451
size 5000 8bitmime True
mail 250
rcpt 550 b'5.1.1 no\x1bsuch'
rcpt 250
data 250
big 552" "smtp-server: SIZE, 8BITMIME, a scripted RCPT reply, 451 for the first end of data, then 250; MAIL over SIZE refused"
is "$(msgs rx)" 1 "one message recorded (the 451 one is not)"
is "$(rec rx 1 mail_from) $(rec rx 1 rcpt_tos) $(rec rx 1 tls) $(rec rx 1 helo) $(rec rx 1 peer)" \
    "a@client.test ok@x.test False client.test 2001:db8::1" "its JSON: sender, recipient, no TLS, EHLO name, peer"
like "$(rec rx 1 mail_options | tr '\n' ' ')" "^BODY=8BITMIME SIZE=[0-9]+ \$" "and MAIL's parameters"
python3 - "$T/rx/1.eml" <<'PY' > "$T/out"
import sys
print(open(sys.argv[1], "rb").read().split(b"xxx")[0])
PY
is "$(cat "$T/out")" "b'Subject: raw\\r\\n\\r\\nbare\\nLF\\r\\nbare\\rCR\\r\\n..dot\\r\\n'" "the DATA as sent, unstuffed, bare LF and CR kept"
like "$(grep -a ' S: 550' "$T/rx/transcript" | head -1)" "S: 550 5\.1\.1 no\\\\x1bsuch$" "the transcript escapes control characters"
is "$(grep -aci ' C: MAIL' "$T/rx/transcript")" 3 "and has every MAIL command"
pid=$(cat "$T/rx.pid")
smtp_server_stop rx
kill -0 "$pid" 2>/dev/null; ok $((!$?)) "SIGTERM stops it"
[ -e "$T/rx.pid" ]; ok $((!$?)) "and it removes its pid file"

done_testing
