#!/bin/sh
# mtad names its clients through core/dns.c, in a namespace whose
# dnsmasq serves the PTR records: a name whose address maps back is
# used (forward-confirmed), in the log and in Received:; a PTR whose
# name does not map back, or that is an address itself, or none at all,
# gives "unknown", as Postfix says it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
netns_need
instance
echo "listen = 192.0.2.9:25" >> "$I/hikyaku.conf"
netns_up
netns_addr 192.0.2.9 192.0.2.50 192.0.2.51 192.0.2.52 192.0.2.53
netns_dns \
    host-record=mx.test.example.test,192.0.2.9 \
    host-record=good.example.test,192.0.2.50 \
    ptr-record=51.2.0.192.in-addr.arpa,liar.example.test \
    host-record=liar.example.test,192.0.2.99 \
    ptr-record=52.2.0.192.in-addr.arpa,192.0.2.52

$IN_NS $HK_RUN "$HIKYAKU" mtad -f 2>>"$T/mtad.err" &
wait_for "in_ns python3 -c 'import socket; socket.create_connection((\"192.0.2.9\", 25), 1).close()'" 20
ok $? "mtad listens on 192.0.2.9:25 in the namespace"

# one message to bob from each source address
for src in 50 51 52 53; do
	in_ns python3 - "192.0.2.$src" <<'PY' 2>>"$T/client.err"
import smtplib, sys
s = smtplib.SMTP("192.0.2.9", 25, source_address=(sys.argv[1], 0), timeout=20)
s.sendmail("a@example.test", ["bob@test.example"],
           "Subject: from %s\n\nhello\n" % sys.argv[1])
s.quit()
PY
done
wait_for '[ "$(mbox_count "$I/mail/bob")" -ge 4 ]' 20
ok $? "four messages delivered"

conn() { grep -o "connect from [^ ]*\[192\.0\.2\.$1\]" "$I/log" | head -1; }
is "$(conn 50)" "connect from good.example.test[192.0.2.50]" \
    "a PTR name that maps back to the address: used"
is "$(conn 51)" "connect from unknown[192.0.2.51]" \
    "a PTR name whose address is another: unknown"
is "$(conn 52)" "connect from unknown[192.0.2.52]" \
    "a PTR that is an address itself: unknown"
is "$(conn 53)" "connect from unknown[192.0.2.53]" "no PTR at all: unknown"
python3 - "$I/mail/bob" <<'PY' > "$T/rcvd"
import mailbox, sys
for m in mailbox.mbox(sys.argv[1]):
    print(m["Subject"], "|", " ".join(m["Received"].split()))
PY
like "$(grep '^from 192.0.2.50 ' "$T/rcvd")" "\| from [^ ]+ \(good\.example\.test \[192\.0\.2\.50\]\) by test\.example" \
    "Received: names the confirmed client"
like "$(grep '^from 192.0.2.51 ' "$T/rcvd")" "\(unknown \[192\.0\.2\.51\]\)" \
    "and says unknown for the one that is not"
grep -q 'PTR.*51.2.0.192.in-addr.arpa\|query\[PTR\] 51\.2\.0\.192' "$T/dnsmasq.log"
ok $? "the PTR was asked of the namespace's DNS"
done_testing
