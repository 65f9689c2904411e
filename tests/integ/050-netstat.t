#!/bin/sh
# netstat against net-tools' netstat on the same sockets: as root in a
# network namespace of our own, holding a known set of TCP, UDP, raw and
# UNIX sockets and routes; every option set users type, byte for byte,
# stdout, stderr and exit status.  As an ordinary user, the machine's
# own sockets, compared only when they hold still.
. "$(dirname "$0")/lib.sh"

NT=/usr/bin/netstat
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
NS=
FIFO_FD_OPEN=

cleanup() {
	[ -n "$FIFO_FD_OPEN" ] && exec 7>&- 8>&-
	if [ -n "$NS" ]; then
		for p in $(ip netns pids "$NS" 2>/dev/null); do kill "$p" 2>/dev/null; done
		ip netns del "$NS" 2>/dev/null
		rm -rf "/etc/netns/$NS"
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# compare LABEL CMD-PREFIX -- OPTS...: net-tools and hikyaku, same words.
compare() {
	_label=$1; shift
	_pre=
	while [ "$1" != "--" ]; do _pre="$_pre $1"; shift; done
	shift
	# shellcheck disable=SC2086
	ip netns exec "$NS" $_pre "$NT" "$@" >"$T/nt.out" 2>"$T/nt.err"; _a=$?
	# shellcheck disable=SC2086
	ip netns exec "$NS" $_pre $HK_RUN "$HIKYAKU" netstat "$@" >"$T/hk.out" \
	    2>"$T/hk.err"; _b=$?
	{
		diff -u "$T/nt.out" "$T/hk.out"
		diff -u "$T/nt.err" "$T/hk.err"
		[ "$_a" = "$_b" ] || echo "exit status: net-tools $_a, hikyaku $_b"
	} >"$T/diff" 2>&1
	if [ -s "$T/diff" ]; then
		ok 1 "$_label: netstat $* as net-tools"
		sed 's/^/#   /' "$T/diff"
	else
		ok 0 "$_label: netstat $* as net-tools"
	fi
}

# ------------------------------------------------------------ usage

hk netstat -Q >"$T/out" 2>"$T/err"; rc=$?
is "$rc" 64 "an unknown option exits 64 (EX_USAGE)"
like "$(head -1 "$T/err")" "unknown option -Q" "and names it on stderr"
grep -q "^usage: netstat" "$T/err"; ok $? "followed by the usage"
[ ! -s "$T/out" ]; ok $? "with nothing on stdout"
hk netstat --help >"$T/out" 2>&1; rc=$?
is "$rc" 0 "--help exits 0"
grep -q "^usage: netstat" "$T/out"; ok $? "and prints the usage"
hk netstat -r -i >/dev/null 2>&1; is "$?" 64 "-r with -i is a usage error"
ln -s "$HIKYAKU" "$T/netstat-lite"
$HK_RUN "$T/netstat-lite" -rn >"$T/out" 2>&1
like "$(head -1 "$T/out")" "^Kernel IP routing table$" "callable as netstat-lite"

if [ ! -x "$NT" ]; then
	skip "net-tools' netstat is not installed (apt-get install net-tools)"
	done_testing
fi

# ----------------------------------------------- as an ordinary user

# The machine's sockets change under us: a comparison counts when two
# runs of net-tools around ours agree.
stable() {	# stable LABEL OPTS...
	_label=$1; shift
	_i=0
	while [ $_i -lt 8 ]; do
		"$NT" "$@" >"$T/s1" 2>"$T/s1e"
		$HK_RUN "$HIKYAKU" netstat "$@" >"$T/s2" 2>"$T/s2e"
		"$NT" "$@" >"$T/s3" 2>"$T/s3e"
		if cmp -s "$T/s1" "$T/s3" && cmp -s "$T/s1e" "$T/s3e"; then
			if cmp -s "$T/s1" "$T/s2" && cmp -s "$T/s1e" "$T/s2e"; then
				ok 0 "$_label: netstat $* as net-tools"
			else
				ok 1 "$_label: netstat $* as net-tools"
				{ diff -u "$T/s1" "$T/s2"; diff -u "$T/s1e" "$T/s2e"; } |
					sed 's/^/#   /'
			fi
			return
		fi
		_i=$((_i + 1))
		sleep 0.2
	done
	skip "$_label: the machine's sockets kept changing during netstat $*"
}

if [ "$(id -u)" -ne 0 ]; then
	for o in -atn -an -ltnp -atnp -x -rn -r -e -W; do
		stable "this machine" $o
	done
	skip "the namespace comparisons need root (ip netns add)"
	done_testing
fi

# --------------------------------------------------- in a namespace

if [ -z "$PY" ]; then
	skip "python3 is needed to open the test sockets"
	done_testing
fi
NS=hk-netstat-$$
if ! ip netns add "$NS" 2>"$T/err"; then
	NS=
	skip "cannot create a network namespace: $(cat "$T/err")"
	done_testing
fi
in_ns() { ip netns exec "$NS" "$@"; }
in_ns ip link set lo up
# Names from files the namespace sees (ip netns exec binds them over
# /etc): every address of the test is in hosts, so no DNS is asked.
if ! mkdir -p "/etc/netns/$NS" 2>"$T/err"; then
	skip "cannot give the namespace its own hosts file: $(cat "$T/err")"
	done_testing
fi
if ! command -v setpriv >/dev/null; then
	skip "setpriv (util-linux) is needed to run as another user"
	done_testing
fi
cat >"/etc/netns/$NS/hosts" <<EOF
127.0.0.1 localhost
::1 ip6-localhost-with-a-name-longer-than-the-column.example ip6-localhost
10.77.0.254 gw.example
10.66.1.1 host66.example
10.77.0.1 lo-alias.example
EOF
printf 'nameserver 192.0.2.53\n' >"/etc/netns/$NS/resolv.conf"
in_ns ip addr add 10.77.0.1/24 dev lo
in_ns ip -6 addr add fd00:77::1/64 dev lo
in_ns ip route add 10.88.0.0/16 via 10.77.0.254 dev lo
in_ns ip route add unreachable 10.99.0.0/24
in_ns ip route add 10.66.1.1/32 dev lo
in_ns ip route add 10.55.0.0/24 dev lo metric 50
in_ns ip route add 169.254.0.0/16 dev lo

cat >"$T/sockets.py" <<'EOF'
import socket, sys, time
# A known set of sockets; "ready" once open; held until stdin closes.
d = sys.argv[1]
keep = []
S, D, I4, I6 = socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.AF_INET, socket.AF_INET6
def listen(fam, addr, port, v6only=True):
    s = socket.socket(fam, S)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == I6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, int(v6only))
    s.bind((addr, port)); s.listen(16); keep.append(s); return s
def conn(fam, addr, port, srv, lport):
    c = socket.socket(fam, S); c.bind((addr, lport)); c.connect((addr, port))
    a, _ = srv.accept(); keep.extend([c, a]); return c, a
if len(sys.argv) > 2:                   # as another user: one listener
    keep = [listen(I4, "127.0.0.1", int(sys.argv[2]))]
    print("ready", flush=True)
    sys.stdin.read()
    sys.exit(0)
l4 = listen(I4, "127.0.0.1", 25)
l6 = listen(I6, "::1", 25)
l587 = listen(I4, "0.0.0.0", 587)
ldual = listen(I6, "::", 2525, v6only=False)
lhigh = listen(I4, "127.0.0.1", 40001)
listen(I4, "10.77.0.1", 465)
c, a = conn(I4, "127.0.0.1", 25, l4, 41001)
c.sendall(b"x" * 1234)                  # Recv-Q 1234 on the accepted side
conn(I6, "::1", 25, l6, 41002)
conn(I4, "127.0.0.1", 2525, ldual, 41003)   # shows as ::ffff:127.0.0.1
c, a = conn(I4, "127.0.0.1", 587, l587, 41004)
a.close()                               # CLOSE_WAIT and FIN_WAIT2
c, a = conn(I4, "127.0.0.1", 40001, lhigh, 41005)
c.close(); time.sleep(0.1); a.close()   # TIME_WAIT
keep.remove(c); keep.remove(a)
for fam, addr in ((I4, "127.0.0.1"), (I6, "::1")):
    u = socket.socket(fam, D); u.bind((addr, 53)); keep.append(u)
    v = socket.socket(fam, D); v.bind((addr, 41100)); v.connect((addr, 53)); keep.append(v)
u = socket.socket(I4, D); u.bind(("0.0.0.0", 5353)); keep.append(u)
u = socket.socket(I6, D); u.bind(("::", 514)); keep.append(u)
for typ, name in ((S, d + "/stream.sock"), (S, "\0hikyaku-abstract"),
                  (socket.SOCK_SEQPACKET, d + "/seq.sock")):
    s = socket.socket(socket.AF_UNIX, typ); s.bind(name); s.listen(4); keep.append(s)
    c = socket.socket(socket.AF_UNIX, typ); c.connect(name); a, _ = s.accept(); keep.extend([c, a])
g = socket.socket(socket.AF_UNIX, D); g.bind(d + "/dgram.sock"); keep.append(g)
h = socket.socket(socket.AF_UNIX, D); h.connect(d + "/dgram.sock"); keep.append(h)
keep.extend(socket.socketpair())
keep.append(socket.socket(I4, socket.SOCK_RAW, socket.IPPROTO_ICMP))
keep.append(socket.socket(I6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6))
time.sleep(0.3)
print("ready", flush=True)
sys.stdin.read()
EOF
mkdir -p "$T/sock"
chmod 0755 "$T/sock"
mkfifo "$T/in" "$T/in2"
in_ns "$PY" "$T/sockets.py" "$T/sock" <"$T/in" >"$T/py.out" 2>&1 &
in_ns setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$PY" "$T/sockets.py" "$T/sock" 2626 <"$T/in2" >"$T/py2.out" 2>&1 &
exec 7>"$T/in" 8>"$T/in2"
FIFO_FD_OPEN=1
wait_for "grep -q ready '$T/py.out' && grep -q ready '$T/py2.out'" 10
ok $? "the test sockets are open"
sleep 0.3

# The interface counters first, before anything else runs over lo.
for o in -i -ie -ia -iea; do
	compare "namespace" -- $o
done
for o in -atnp -atn -lntu -rn -r -re -x -ax -an -a -tn -tlp -e -W -4 -6 \
    -l -ltn -ltnp -lx -axp -ae -aWe -anW -ane -anp -ap -uan -ua -wan -Uan \
    -t -u -x4 -46an; do
	compare "namespace" -- $o
done
for o in --all --listening --tcp --udp --unix --numeric --programs \
    --extend --wide --route --interfaces; do
	compare "namespace, long option" -- -a $o
done

# -p as another user: only its own process is named, and the note.
compare "namespace, as nobody" setpriv --reuid=65534 --regid=65534 \
	--clear-groups -- -atnp
compare "namespace, as nobody" setpriv --reuid=65534 --regid=65534 \
	--clear-groups -- -axp
grep -q "^(Not all processes could be identified" "$T/hk.err"
ok $? "the note to non-root users is printed"
in_ns setpriv --reuid=65534 --regid=65534 --clear-groups \
	$HK_RUN "$HIKYAKU" netstat -ltnp 2>/dev/null | grep -q "127.0.0.1:2626 .*LISTEN .*[0-9]/python3"
ok $? "a non-root user sees its own listener's PID/program"

# The tests' own view of the known sockets, not just agreement.
in_ns $HK_RUN "$HIKYAKU" netstat -atnp >"$T/out" 2>&1
grep -q '^tcp        0      0 127.0.0.1:25            0.0.0.0:\*               LISTEN      [0-9]*/python3' "$T/out"
ok $? "port 25 is shown listening, with its program"
grep -q '^tcp     1234      0 127.0.0.1:25            127.0.0.1:41001         ESTABLISHED' "$T/out"
ok $? "Recv-Q shows the 1234 unread bytes"
grep -q '^tcp6       0      0 127.0.0.1:2525          127.0.0.1:41003         ESTABLISHED' "$T/out"
ok $? "an IPv4-mapped address shows as IPv4"
grep -q 'CLOSE_WAIT' "$T/out" && grep -q 'TIME_WAIT' "$T/out"
ok $? "CLOSE_WAIT and TIME_WAIT are shown"

# -c: the first two blocks, a second apart, as net-tools'.
first_blocks() {	# first_blocks FILE HEADER: up to the third HEADER
	awk -v h="$2" 'index($0, h) == 1 { n++ } n <= 2' "$1"
}
in_ns timeout 2.6 "$NT" -c -atn >"$T/c1" 2>&1
in_ns timeout 2.6 $HK_RUN "$HIKYAKU" netstat -c -atn >"$T/c2" 2>&1
first_blocks "$T/c1" "Active Internet" >"$T/c1b"
first_blocks "$T/c2" "Active Internet" >"$T/c2b"
is "$(grep -c '^Active Internet' "$T/c2b")" 2 "-c prints again after a second"
cmp -s "$T/c1b" "$T/c2b"; ok $? "-c -atn: the first two blocks as net-tools"
in_ns timeout 2.6 "$NT" -c -i >"$T/c1" 2>&1
in_ns timeout 2.6 $HK_RUN "$HIKYAKU" netstat -c -i >"$T/c2" 2>&1
first_blocks "$T/c1" "Iface" >"$T/c1b"
first_blocks "$T/c2" "Iface" >"$T/c2b"
cmp -s "$T/c1b" "$T/c2b"; ok $? "-c -i: the first two blocks as net-tools"

done_testing
