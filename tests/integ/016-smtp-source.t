#!/bin/sh
# tests/integ/smtp-source, the tests' real SMTP client (Postfix's load
# generator, unpacked by scripts/deps without installing Postfix): it
# runs, and what it sends reaches a socket-level fake server whole;
# without either copy it exits 127 and says what to do.
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")" && pwd)/smtp-source
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

if ! "$SRC" >/dev/null 2>&1; [ $? -eq 127 ]; then
	skip "no smtp-source: scripts/deps (as root) unpacks it"
	done_testing
fi
if [ -x /var/cache/hikyaku/postfix/root/usr/sbin/smtp-source ]; then
	echo "# the copy unpacked in /var/cache/hikyaku/postfix/root"
else
	echo "# the installed /usr/sbin/smtp-source"
fi

# The fake: any number of sessions, one thread each; every message it
# takes goes into $T/got as "MAIL RCPT body-bytes" lines.
cat > "$T/fake.py" <<'PY'
import socketserver, sys, threading
lock = threading.Lock()
class H(socketserver.StreamRequestHandler):
    def say(self, s):
        self.wfile.write(s.encode() + b"\r\n")
    def handle(self):
        self.say("220 fake.test ESMTP")
        mail = rcpt = None
        while True:
            l = self.rfile.readline()
            if not l:
                return
            c = l[:4].upper()
            if c in (b"EHLO", b"HELO"):
                self.say("250 fake.test")
            elif c == b"MAIL":
                mail = l.strip().decode()
                self.say("250 2.1.0 Ok")
            elif c == b"RCPT":
                rcpt = l.strip().decode()
                self.say("250 2.1.5 Ok")
            elif c == b"DATA":
                self.say("354 go on")
                body, inhead = 0, True
                while True:
                    d = self.rfile.readline()
                    if not d or d == b".\r\n":
                        break
                    if inhead:
                        inhead = d != b"\r\n"
                    else:
                        body += len(d)
                with lock, open(sys.argv[1], "a") as f:
                    f.write("%s %s %d\n" % (mail.replace(" ", ""), rcpt.replace(" ", ""), body))
                self.say("250 2.0.0 queued")
            elif c == b"QUIT":
                self.say("221 2.0.0 bye")
                return
            else:
                self.say("250 Ok")
class S(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
s = S(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
threading.Timer(30, s.shutdown).start()
s.serve_forever()
PY
: > "$T/got"
"$PY" "$T/fake.py" "$T/got" > "$T/port" 2>"$T/fake.err" &
fake=$!
wait_for "test -s '$T/port'" 10
port=$(cat "$T/port")

"$SRC" -s 2 -m 3 -l 500 -f alice@test.example -t bob@test.example \
	"127.0.0.1:$port" >"$T/out" 2>&1
is "$?" 0 "smtp-source sends 3 messages over 2 sessions and exits 0"
wait_for "[ \$(wc -l < '$T/got') -ge 3 ]" 10
is "$(wc -l < "$T/got")" 3 "the server took 3 messages"
is "$(sort -u "$T/got" | cut -d' ' -f1,2)" \
	"MAILFROM:<alice@test.example> RCPTTO:<bob@test.example>" \
	"every one from -f, to -t"
small=$(awk '$3 < 500' "$T/got" | wc -l)
is "$small" 0 "every body has the 500 bytes -l asked for"
"$SRC" -c -m 1 "127.0.0.1:$port" >/dev/null 2>&1
is "$?" 0 "the smallest use, -c -m 1 host:port, works too"
kill "$fake" 2>/dev/null

# Neither copy: hide both (as root, in a mount namespace of our own).
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
	unshare -m sh -c '
		[ -e /usr/sbin/smtp-source ] && mount --bind /dev/null /usr/sbin/smtp-source
		HIKYAKU_POSTFIX_ROOT=$1/none "$2" -m 1 127.0.0.1:1' sh "$T" "$SRC" \
		>/dev/null 2>"$T/err"
	is "$?" 127 "with no smtp-source at all: exit 127"
	like "$(cat "$T/err")" "not found: .*scripts/deps" "and it says what to do"
else
	skip "hiding the installed smtp-source needs root and unshare -m"
	skip "hiding the installed smtp-source needs root and unshare -m"
fi
done_testing
