#!/bin/sh
# Routing through real DNS: dnsmasq in a network namespace answers for
# .test, and sendmail -bv shows each route (core/dns.c, core/route.c):
# MX order, equal preferences shuffled, implicit MX, null MX, NXDOMAIN,
# a timeout and a refusal (deferred), a reply too big for UDP (TCP), a
# CNAME'd MX target, an MX that is this host (RFC 5321 5.1), and the
# relayhost.  The MX lines are those of nslookup -type=mx, compared
# with the real one when it is installed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
netns_need
netns_instance
netns_up
netns_addr 192.0.2.9

set -- 'mx-host=example.test,mx2.example.test,20' \
    'mx-host=example.test,mx1.example.test,10' \
    'mx-host=example.test,mx3.example.test,30' \
    'host-record=mx1.example.test,192.0.2.1,2001:db8::1' \
    'host-record=mx2.example.test,192.0.2.2' \
    'host-record=mx3.example.test,192.0.2.3' \
    'mx-host=eq.test,a.eq.test,10' 'mx-host=eq.test,b.eq.test,10' \
    'mx-host=eq.test,first.eq.test,5' \
    'host-record=a.eq.test,192.0.2.11' 'host-record=b.eq.test,192.0.2.12' \
    'host-record=first.eq.test,192.0.2.13' \
    'host-record=implicit.test,192.0.2.50' \
    'mx-host=nullmx.test,.,0' \
    'server=/slow.test/192.0.2.99' \
    'server=/servfail.test/127.0.0.2' \
    'mx-host=cn.test,alias.cn.test,10' \
    'cname=alias.cn.test,real.cn.test' \
    'host-record=real.cn.test,192.0.2.5' \
    'mx-host=loop.test,me.loop.test,10' \
    'mx-host=loop2.test,mx1.example.test,10' \
    'mx-host=loop2.test,me.loop.test,20' \
    'mx-host=loop2.test,mx2.example.test,20' \
    'host-record=me.loop.test,192.0.2.9'
i=1
while [ $i -le 30 ]; do
	set -- "$@" "$(printf 'mx-host=big.test,a-rather-long-mail-exchanger-name-%02d.big.test,%d' $i $i)"
	i=$((i + 1))
done
set -- "$@" 'host-record=a-rather-long-mail-exchanger-name-01.big.test,192.0.2.20'
# an upstream that answers SERVFAIL to everything, for servfail.test
$IN_NS python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.2", 53)); print("up", flush=True)
while True:
    q, a = s.recvfrom(512)
    s.sendto(q[:2] + bytes([0x81, 0x82]) + q[4:], a)' > "$T/servfail.out" 2>&1 &
wait_for 'grep -q up "$T/servfail.out"' || echo "Bail out! no SERVFAIL server"
netns_dns "$@"

# bv [CONF-LINE...] -- ADDRESS...: sendmail -bv in the namespace, with
# these lines added to the instance's configuration; $? its exit code
bv() {
	{ cat "$I/hikyaku.conf"; while [ "$1" != -- ]; do echo "$1"; shift; done; } > "$T/bv.conf"
	shift
	(export HIKYAKU_CONF="$T/bv.conf"; in_ns $HK_RUN "$HIKYAKU" sendmail -bv "$@")
}

out=$(bv -- bob@example.test); rc=$?
is "$rc" 0 "MX: deliverable, exit 0"
is "$out" "bob@example.test... deliverable: mailer smtp, domain example.test
example.test	mail exchanger = 10 mx1.example.test.
mx1.example.test	has IPv6 address 2001:db8::1
mx1.example.test	has address 192.0.2.1
example.test	mail exchanger = 20 mx2.example.test.
mx2.example.test	has address 192.0.2.2
example.test	mail exchanger = 30 mx3.example.test.
mx3.example.test	has address 192.0.2.3" "the MX hosts by preference, each with its addresses, IPv6 first"

if command -v nslookup >/dev/null 2>&1; then
	in_ns nslookup -type=mx example.test 127.0.0.1 | grep 'mail exchanger' | sort > "$T/nslookup"
	printf '%s\n' "$out" | grep 'mail exchanger' | sort > "$T/ours"
	is "$(cat "$T/ours")" "$(cat "$T/nslookup")" "the MX lines are nslookup -type=mx's"
else
	skip "nslookup is not installed (bind9-dnsutils) to compare with"
fi

# equal preferences: both orders seen over 20 runs, the better first
ab=0 ba=0 bad=0
for i in $(seq 20); do
	o=$(bv -- x@eq.test | grep 'mail exchanger' | sed 's/.* = //' | tr '\n' ' ')
	case $o in
	"5 first.eq.test. 10 a.eq.test. 10 b.eq.test. ") ab=$((ab + 1)) ;;
	"5 first.eq.test. 10 b.eq.test. 10 a.eq.test. ") ba=$((ba + 1)) ;;
	*) bad=$((bad + 1)); echo "# $o" ;;
	esac
done
is "$bad" 0 "20 runs: preference 5 always first"
[ $ab -gt 0 ] && [ $ba -gt 0 ]; ok $? "equal preferences in both orders ($ab a-b, $ba b-a)"

out=$(bv -- bob@implicit.test); rc=$?
is "$rc" 0 "no MX: deliverable"
is "$out" "bob@implicit.test... deliverable: mailer smtp, domain implicit.test
implicit.test	has no mail exchanger: the domain itself (implicit MX)
implicit.test	has address 192.0.2.50" "the implicit MX"

out=$(bv -- bob@nullmx.test); rc=$?
is "$rc" 68 "null MX: exit 68 (EX_NOHOST)"
is "$out" "bob@nullmx.test... undeliverable: 5.1.10 domain nullmx.test does not accept mail (null MX)" "null MX: undeliverable, 5.1.10"

out=$(bv -- bob@nowhere.test); rc=$?
is "$rc" 68 "NXDOMAIN: exit 68"
is "$out" "bob@nowhere.test... undeliverable: 5.1.2 domain nowhere.test not found" "NXDOMAIN: 5.1.2"

out=$(bv -- bob@slow.test); rc=$?
is "$rc" 75 "no answer: exit 75 (EX_TEMPFAIL)"
is "$out" "bob@slow.test... deferred: 4.4.3 cannot find the mail exchangers of slow.test: timed out asking 127.0.0.1" "no answer: deferred, timed out"
out=$(bv -- bob@servfail.test); rc=$?
is "$rc" 75 "SERVFAIL: exit 75"
is "$out" "bob@servfail.test... deferred: 4.4.3 cannot find the mail exchangers of servfail.test: SERVFAIL from 127.0.0.1" "SERVFAIL: deferred, the server named"

# 30 MX records with long names do not fit in 512 bytes
udp=$(netns_query big.test MX | grep -c '^MX')
[ "$udp" -lt 30 ]; ok $? "big.test over UDP: $udp of 30 MX records fit"
out=$(bv -- bob@big.test); rc=$?
is "$rc" 0 "big.test: deliverable"
is "$(printf '%s\n' "$out" | grep -c 'mail exchanger')" 10 "asked again over TCP, the best 10 of 30 hosts kept"
like "$out" "mail exchanger = 1 a-rather-long-mail-exchanger-name-01.big.test.
a-rather-long-mail-exchanger-name-01.big.test	has address 192.0.2.20" "in order, from the first"
like "$out" "name-10.big.test	has no address: host a-rather-long-mail-exchanger-name-10.big.test not found" "a host without address is shown with why"
grep -q 'query\[MX\] big.test' "$T/dnsmasq.log"; ok $? "dnsmasq was asked"

out=$(bv -- bob@cn.test)
is "$out" "bob@cn.test... deliverable: mailer smtp, domain cn.test
cn.test	mail exchanger = 10 alias.cn.test.
alias.cn.test	has address 192.0.2.5" "an MX target that is a CNAME: its address through it"

# this host: listening on 192.0.2.9:25, which me.loop.test has
out=$(bv 'listen = 192.0.2.9:25' -- bob@loop.test); rc=$?
is "$rc" 68 "the only MX host is me: exit 68"
is "$out" "bob@loop.test... undeliverable: 5.4.6 mail for loop.test loops back to myself" "5.4.6 loops back to myself"
out=$(bv 'listen = 192.0.2.9:25' -- bob@loop2.test)
is "$out" "bob@loop2.test... deliverable: mailer smtp, domain loop2.test
loop2.test	mail exchanger = 10 mx1.example.test.
mx1.example.test	has IPv6 address 2001:db8::1
mx1.example.test	has address 192.0.2.1" "me at 20: the hosts of 20 and worse cut, 10 kept"
out=$(bv 'listen = *:25' -- bob@loop.test)
like "$out" "loops back to myself" "a wildcard listener: 192.0.2.9 is on hk0, so me"
out=$(bv 'listen = 192.0.2.9:2525' -- bob@loop.test); rc=$?
is "$rc" 0 "a listener on another port: not me"
out=$(bv 'hostname = mx1.example.test' -- bob@example.test)
is "$(printf '%s\n' "$out" | sed -n 2p)" "" "my hostname as the best MX: nothing left of 10 and worse"
like "$out" "loops back to myself" "and so 5.4.6"

# relayhost
out=$(bv 'relayhost = [mx2.example.test]:587' -- bob@example.test); rc=$?
is "$out" "bob@example.test... deliverable: mailer smtp, domain example.test, via relayhost [mx2.example.test]:587
mx2.example.test	has address 192.0.2.2" "[relayhost]:587: that host, no MX"
out=$(bv 'relayhost = example.test' -- bob@other.test)
like "$out" "via relayhost example.test
example.test	mail exchanger = 10 mx1.example.test." "relayhost without brackets: its MX"
out=$(bv 'relayhost = nowhere.test' -- bob@example.test); rc=$?
is "$rc" 75 "a relayhost not found: exit 75, not a bounce"
is "$out" "bob@example.test... deferred: 4.4.3 relayhost nowhere.test not found" "4.4.3 relayhost not found"
out=$(bv 'listen = 192.0.2.9:25' 'relayhost = [192.0.2.9]' -- bob@example.test); rc=$?
is "$rc" 68 "a relayhost that is me"
like "$out" "5\.4\.6 mail for 192\.0\.2\.9 loops back to myself" "5.4.6"

done_testing
