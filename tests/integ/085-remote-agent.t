#!/bin/sh
# The hikyaku-smtp agent, seen from the next hop while it holds the
# connection: a queue run as root speaks SMTP only through a process that
# has dropped to `user` for good (real, effective and saved ids; no other
# group; no capability), that holds none of the queue's directories or
# files but the one message it was handed, and that cannot read
# relay_auth any more; and the password that file holds still reaches a
# relayhost that asks for it (over TLS: tls = encrypt with a test CA's
# certificate), so it was read before the drop.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-tls.sh"

if [ "$(id -u)" -ne 0 ] || ! getent passwd mail >/dev/null; then
	echo "1..0 # SKIP needs root and a mail account (the agent drops to it)"
	exit 0
fi
instance
tls_files "$T/tls" || { echo "1..0 # SKIP openssl could not make the test certificates"; exit 0; }
PORT=$(free_port)
cat > "$T/relay_auth" <<AUTH
[127.0.0.1]:$PORT agentuser agent-secret
AUTH
chmod 0600 "$T/relay_auth"
sed -i '/^relayhost =/d' "$I/hikyaku.conf"
cat >> "$I/hikyaku.conf" <<CONF
relayhost = [127.0.0.1]:$PORT
relay_auth = $T/relay_auth
tls = encrypt
CONF

# A relayhost that, while the client is connected, writes down what
# /proc says of every hikyaku-smtp process; STARTTLS and AUTH PLAIN.
cat > "$T/peek.py" <<'PY'
import os, socket, ssl, sys, base64
port, out, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port)); ls.listen(1)
open(out + ".ready", "w").close()
c, _ = ls.accept()
f = c.makefile("rwb", buffering=0)
def peek():
    with open(out, "w") as o:
        for pid in os.listdir("/proc"):
            try:
                if open("/proc/%s/comm" % pid).read().strip() != "hikyaku-smtp":
                    continue
                st = dict(l.split(":", 1) for l in open("/proc/%s/status" % pid))
                fds = []
                for fd in os.listdir("/proc/%s/fd" % pid):
                    try:
                        fds.append(os.readlink("/proc/%s/fd/%s" % (pid, fd)))
                    except OSError:
                        pass
                o.write("uid %s\ngid %s\ngroups %s\ncapeff %s\n" % (
                    st["Uid"].split(), st["Gid"].split(),
                    st["Groups"].split(), st["CapEff"].strip()))
                for l in fds:
                    o.write("fd %s\n" % l)
            except (OSError, KeyError):
                pass
def line():
    return f.readline().decode().rstrip("\r\n")
f.write(b"220 relay ESMTP\r\n")
auth = "none"
while True:
    l = line()
    if not l:
        break
    v = l[:4].upper()
    if v == "EHLO":
        peek()
        f.write(b"250-relay\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n")
    elif v == "STAR":
        f.write(b"220 go\r\n")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        c = ctx.wrap_socket(c, server_side=True)
        f = c.makefile("rwb", buffering=0)
    elif v == "AUTH":
        p = l.split()
        auth = base64.b64decode(p[2]).decode(errors="replace").replace("\0", "|") if len(p) > 2 else "?"
        f.write(b"235 2.7.0 ok\r\n")
    elif v == "DATA":
        f.write(b"354 go\r\n")
        while line() != ".":
            pass
        f.write(b"250 2.0.0 queued\r\n")
    elif v == "QUIT":
        f.write(b"221 bye\r\n")
        break
    else:
        f.write(b"250 ok\r\n")
with open(out + ".auth", "w") as o:
    o.write(auth + "\n")
PY
python3 "$T/peek.py" "$PORT" "$T/peek" "$T/tls/rsa.pem" "$T/tls/rsa.key" 2>"$T/peek.err" &
PEEK=$!
wait_for "test -e $T/peek.ready"

printf 'Subject: agent\n\nhello\n' | hk sendmail -odq -f alice@test.example bob@far.example
hk sendmail -q
wait "$PEEK"
mail_uid=$(id -u mail)
mail_gid=$(id -g mail)

grep -q '^uid ' "$T/peek"; ok $? "an agent process was connected to the relayhost"
is "$(grep '^uid ' "$T/peek")" "uid ['$mail_uid', '$mail_uid', '$mail_uid', '$mail_uid']" \
    "it runs as mail: real, effective, saved and file-system uid"
is "$(grep '^gid ' "$T/peek")" "gid ['$mail_gid', '$mail_gid', '$mail_gid', '$mail_gid']" \
    "and mail's group, all four"
is "$(grep '^groups ' "$T/peek")" "groups []" "no supplementary group"
is "$(grep '^capeff ' "$T/peek")" "capeff 0000000000000000" "no capability"
is "$(grep '^fd ' "$T/peek" | grep -c "$I/spool" )" 0 \
    "no descriptor into the queue while it speaks to the relayhost (the message it was handed is mapped, its descriptor closed)"
grep '^fd ' "$T/peek" | grep -q "relay_auth"; is $? 1 "nor of relay_auth"
is "$(cat "$T/peek.auth")" "|agentuser|agent-secret" \
    "relay_auth's password reached the relayhost all the same (read before the drop)"
grep -q 'to=<bob@far.example>, relay=127.0.0.1\[127.0.0.1\]:'"$PORT"', .*status=sent (250 2.0.0 queued)' "$I/log"
ok $? "the log: sent, with the relayhost's reply"
spool_empty; ok $? "the queue is empty"

# mtad checks relay_auth at start, as the agent will read it
chmod 0644 "$T/relay_auth"
timeout 10 $HK_RUN "$HIKYAKU" mtad -f 2>"$T/mtad.err"; rc=$?
is "$rc" 78 "mtad refuses to start with relay_auth readable by others (EX_CONFIG)"
like "$(cat "$T/mtad.err")" "relay_auth $T/relay_auth: readable or writable by others \(mode 0644\)" "saying which file and why"
chmod 0600 "$T/relay_auth"
echo "[other.example]:587 u p" > "$T/relay_auth"
timeout 10 $HK_RUN "$HIKYAKU" mtad -f 2>"$T/mtad.err"; rc=$?
is "$rc" 78 "or with no line for the relayhost"
like "$(cat "$T/mtad.err")" "no line for the relayhost \[127\.0\.0\.1\]:$PORT" "saying so"
done_testing
