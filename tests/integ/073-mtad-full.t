#!/bin/sh
# mtad with its spool on a full file system: the client is told 452
# 4.3.1 (try later), nothing half-written stays in the spool, the daemon
# goes on, and a message that fits is taken afterwards.
. "$(dirname "$0")/lib.sh"
CHAT="python3 $(dirname "$0")/smtp-chat.py"
codes() { tr -d '\r' | grep -a '^[0-9][0-9][0-9] ' | cut -c1-3 | tr '\n' ' '; }
instance
trap 'mtad_stop >/dev/null 2>&1; umount "$T/full" 2>/dev/null; rm -rf "$T"' EXIT
if [ "$(id -u)" -ne 0 ] || ! mkdir "$T/full" ||
    ! mount -t tmpfs -o size=256k tmpfs "$T/full" 2>/dev/null; then
	skip "no tmpfs to fill (needs root and mount)"
	done_testing
fi
PORT=$(free_port)
cat >> "$I/hikyaku.conf" <<CONF
spool = $T/full/spool
listen = 127.0.0.1:$PORT
max_size = 10M
CONF
: > "$I/aliases"
hk newaliases >/dev/null
mtad_start; ok $? "mtad starts with its spool on a 256 KB tmpfs"

python3 -c '
import sys
body = ("y" * 76 + "\r\n") * 5000          # about 390 KB: cannot fit
sys.stdout.write("EHLO c.example\r\nMAIL FROM:<a@far.example>\r\n"
    "RCPT TO:<bob@test.example>\r\nDATA\r\nSubject: too big for the disk\r\n\r\n"
    + body + ".\r\nQUIT\r\n")' | $CHAT 127.0.0.1 "$PORT" > "$T/out"
is "$(codes < "$T/out")" "220 250 250 250 354 452 221 " "a message the disk cannot hold: 452 after the data"
like "$(tr -d '\r' < "$T/out")" "452 4\.3\.1 " "with 4.3.1 (insufficient system storage)"
is "$(spool_files | wc -l)" 0 "nothing of it is left in the spool"
sleep 0.3
is "$(mbox_count "$I/mail/bob")" 0 "and nothing is delivered"

out=$(printf 'EHLO c.example\r\nMAIL FROM:<a@far.example>\r\nRCPT TO:<bob@test.example>\r\nDATA\r\nSubject: small\r\n\r\nfits\r\n.\r\nQUIT\r\n' |
	$CHAT 127.0.0.1 "$PORT" | codes)
is "$out" "220 250 250 250 354 250 221 " "the daemon goes on: a message that fits is taken"
wait_for '[ "$(mbox_count "$I/mail/bob")" -eq 1 ]' 10; ok $? "and delivered"
mtad_stop; is "$?" 0 "mtad stops cleanly"
done_testing
