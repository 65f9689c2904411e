# Shared by the remote delivery tests, sourced after lib.sh: a network
# namespace of the test's own, where the test's SMTP servers listen on
# documentation addresses (192.0.2.x, 2001:db8::x) port 25 and a
# dnsmasq on 127.0.0.1:53 answers for the names under .test, so that
# hikyaku delivers to real servers found through real DNS, and not one
# packet leaves the namespace.
#
#   netns_need          skips the whole test (1..0 # SKIP why) unless
#                       root with ip, dnsmasq and unshare
#   netns_instance [DIR]
#                       lib.sh's instance, but routing other domains
#                       through the namespace's DNS: without the dead
#                       relayhost lib.sh gives every instance so that no
#                       other test asks the real DNS
#   netns_up            makes $NS: lo up, a link hk0 up (a dummy, else
#                       an ifb or a bridge: all drop what they send),
#                       routes 192.0.2.0/24 and 2001:db8::/64 to hk0, so
#                       that an address not added below is a black hole
#                       (a connect times out); /etc/netns/$NS/resolv.conf
#                       names 127.0.0.1.  Everything goes at exit.
#   netns_addr ADDR...  192.0.2.x (as /32) or 2001:db8::x (/128) on hk0:
#                       local, so a connect there with nothing
#                       listening is refused at once
#   in_ns CMD...        runs CMD in the namespace (resolv.conf included)
#   $IN_NS CMD... &     the same for a background process, whose $! is
#                       then CMD's own (in_ns, a function, forks first)
#   netns_dns LINE...   dnsmasq's configuration (mx-host=, host-record=,
#                       cname=, address=, ...) in $T/dnsmasq.conf, and
#                       dnsmasq (re)started on it; unknown names under
#                       .test are NXDOMAIN.  Waits until it answers.
#                       Its log (queries too): $T/dnsmasq.log
#   netns_query NAME TYPE
#                       what the namespace's DNS says: "RCODE" then one
#                       line per answer ("MX 10 mx1.example.test",
#                       "A 192.0.2.1"), for a test's own checks
#   netns_at_exit CMD   run CMD at exit, before the namespace goes (for
#                       a test that needs its own clean-up: netns_up
#                       owns the EXIT trap, chained onto lib.sh's)
#   netns_pids          the processes in the namespace now
#   smtp_server NAME ARGS...
#                       smtp-server.py ARGS in the namespace, recording in
#                       $T/NAME/ (N.eml, N.json, transcript); waits until
#                       it listens; its pid in $T/NAME.pid, its errors in
#                       $T/NAME.err.  Skips the whole test without a
#                       python3 that has aiosmtpd ($SMTPD_PY: that one).
#   smtp_server_stop NAME
#   msgs NAME           how many messages NAME has recorded
#   rec NAME N FIELD    a field of NAME's message N's JSON (a list: one
#                       item a line; null: "None")
#   hkn APPLET ARGS...  an applet of the binary under test, in $NS
#   to_line ADDR        the last log line for to=<ADDR> in $I/log
#   reports MBOX        the delivery reports (RFC 3464) in MBOX, as
#                       Python's email reads them: per recipient, a line
#                       "N FIELD: value" for each field (N the message's
#                       number in MBOX, from 1), unfolded
#   server_cert DIR CADIR NAME...
#                       DIR/NAME1.pem and .key: a certificate for those
#                       DNS names, signed by the CA of CADIR (ca.pem and
#                       ca.key, as lib-tls.sh's tls_files makes)
#
# The namespace's processes (dnsmasq, servers, mtad) are killed at exit,
# even when the test fails or is interrupted; the namespace and its
# /etc/netns directory are removed.

NS=
IN_NS=
_netns_atexit=
_netns_prev_trap=

netns_instance() {
	instance "$@"
	sed -i '/^relayhost *=/d' "$I/hikyaku.conf"
}

netns_need() {
	_why=
	if [ "$(id -u)" -ne 0 ]; then
		_why="network namespaces need root"
	else
		for _c in ip dnsmasq unshare python3; do
			command -v $_c >/dev/null 2>&1 ||
				{ _why="needs $_c (scripts/deps installs it)"; break; }
		done
	fi
	if [ -z "$_why" ] && ! ip netns add "hkprobe$$" 2>"$T/netns.err"; then
		_why="ip netns add fails: $(head -1 "$T/netns.err")"
	fi
	ip netns del "hkprobe$$" 2>/dev/null
	if [ -n "$_why" ]; then
		echo "1..0 # SKIP $_why"
		exit 0
	fi
}

# The commands of the EXIT trap in force now (lib.sh's, or the test's),
# so that ours can run them after its own.
_netns_trap_now() {
	trap > "$T/trap.now"
	sed -n "s/^trap -- \(.*\) EXIT\$/\1/p" "$T/trap.now"
}

netns_up() {
	NS=hk$$
	IN_NS="ip netns exec $NS"
	eval "set -- $(_netns_trap_now)"
	_netns_prev_trap=${1:-'rm -rf "$T"'}
	trap '_netns_exit' EXIT
	# an interrupted test still cleans up: the EXIT trap runs on exit
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 141' PIPE	# | head
	ip netns add "$NS" || { echo "Bail out! ip netns add $NS failed"; exit 1; }
	ip -n "$NS" link set lo up
	for _t in dummy ifb bridge; do
		ip -n "$NS" link add hk0 type $_t 2>/dev/null && break
	done
	ip -n "$NS" link set hk0 up &&
	    ip -n "$NS" route add 192.0.2.0/24 dev hk0 &&
	    ip -n "$NS" -6 route add 2001:db8::/64 dev hk0 ||
		{ echo "Bail out! cannot set up hk0 in $NS"; exit 1; }
	mkdir -p "/etc/netns/$NS"
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:2\n' \
	    > "/etc/netns/$NS/resolv.conf"
}

netns_at_exit() {
	_netns_atexit="$_netns_atexit
$1"
}

netns_pids() {
	[ -n "$NS" ] && ip netns pids "$NS" 2>/dev/null
}

# Every process in the namespace is one the test started there.
netns_down() {
	[ -n "$NS" ] || return 0
	_p=$(netns_pids)
	[ -n "$_p" ] && kill -TERM $_p 2>/dev/null
	_i=0
	while [ -n "$(netns_pids)" ] && [ $_i -lt 30 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	_p=$(netns_pids)
	[ -n "$_p" ] && kill -KILL $_p 2>/dev/null && sleep 0.2
	ip netns del "$NS" 2>/dev/null
	rm -rf "/etc/netns/$NS"
	NS=
}

_netns_exit() {
	_rc=$?
	eval "$_netns_atexit"
	netns_down
	eval "$_netns_prev_trap"
	exit $_rc
}

netns_addr() {
	for _a in "$@"; do
		case $_a in
		*:*) ip -n "$NS" -6 addr add "$_a/128" dev hk0 nodad ;;
		*)   ip -n "$NS" addr add "$_a/32" dev hk0 ;;
		esac || { echo "Bail out! cannot add $_a to hk0 in $NS"; exit 1; }
	done
}

in_ns() {
	ip netns exec "$NS" "$@"
}

netns_dns() {
	: > "$T/dnsmasq.conf"
	for _l in "$@"; do
		printf '%s\n' "$_l" >> "$T/dnsmasq.conf"
	done
	if [ -s "$T/dnsmasq.pid" ]; then
		_p=$(cat "$T/dnsmasq.pid")
		kill -TERM "$_p" 2>/dev/null
		_i=0
		while kill -0 "$_p" 2>/dev/null && [ $_i -lt 50 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
		rm -f "$T/dnsmasq.pid"
	fi
	in_ns dnsmasq --conf-file="$T/dnsmasq.conf" --no-resolv --no-hosts \
	    --bind-interfaces --listen-address=127.0.0.1 --port=53 \
	    --local=/test/ --pid-file="$T/dnsmasq.pid" \
	    --log-facility="$T/dnsmasq.log" --log-queries --user=root \
	    2>>"$T/dnsmasq.log" ||
		{ echo "Bail out! dnsmasq did not start:"; sed 's/^/# /' "$T/dnsmasq.log"; exit 1; }
	wait_for '[ "$(netns_query hikyaku-probe.test A | head -1)" = NXDOMAIN ]' 10 ||
		{ echo "Bail out! dnsmasq does not answer in $NS"; sed 's/^/# /' "$T/dnsmasq.log"; exit 1; }
}

netns_query() {
	in_ns python3 - "$1" "$2" <<'PY'
import random, socket, struct, sys

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "MX": 15, "TXT": 16, "AAAA": 28}
NAMES = {v: k for k, v in TYPES.items()}
RCODES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"]

def name(buf, off):
    labels, jumped, end = [], False, off
    while True:
        n = buf[off]
        if n & 0xC0 == 0xC0:
            if not jumped:
                end = off + 2
            off, jumped = struct.unpack("!H", buf[off:off + 2])[0] & 0x3FFF, True
            continue
        off += 1
        if n == 0:
            break
        labels.append(buf[off:off + n].decode("ascii", "replace"))
        off += n
    return ".".join(labels), (end if jumped else off)

qid = random.randrange(65536)
q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l.encode() for l in sys.argv[1].split(".") if l)
q += b"\0" + struct.pack("!HH", TYPES[sys.argv[2]], 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
s.sendto(q, ("127.0.0.1", 53))
try:
    r = s.recv(4096)
except OSError as e:
    print("NOANSWER", e)
    sys.exit(1)
_, flags, qd, an, _, _ = struct.unpack("!HHHHHH", r[:12])
rc = flags & 15
print(RCODES[rc] if rc < len(RCODES) else rc)
off = 12
for _ in range(qd):
    off = name(r, off)[1] + 4
for _ in range(an):
    _, off = name(r, off)
    t, _, _, ln = struct.unpack("!HHIH", r[off:off + 10])
    off += 10
    d = r[off:off + ln]
    if t == 1:
        v = socket.inet_ntop(socket.AF_INET, d)
    elif t == 28:
        v = socket.inet_ntop(socket.AF_INET6, d)
    elif t == 15:
        v = "%d %s" % (struct.unpack("!H", d[:2])[0], name(r, off + 2)[0] or ".")
    elif t in (2, 5):
        v = name(r, off)[0]
    else:
        v = d.hex()
    print(NAMES.get(t, t), v)
    off += ln
PY
}

# A python3 with aiosmtpd: the one on the PATH, else Debian's (a python3
# found first on the PATH may be another build without Debian's modules).
SMTPD_PY=
smtp_server_py() {
	[ -n "$SMTPD_PY" ] && return 0
	for _p in python3 /usr/bin/python3; do
		if $_p -c 'import aiosmtpd' 2>/dev/null; then
			SMTPD_PY=$_p
			return 0
		fi
	done
	echo "1..0 # SKIP needs Python's aiosmtpd (scripts/deps installs python3-aiosmtpd)"
	exit 0
}

smtp_server() {
	smtp_server_py
	_n=$1
	shift
	rm -f "$T/$_n.pid"
	$IN_NS $SMTPD_PY "$(cd "$(dirname "$0")" && pwd)/smtp-server.py" \
	    --out "$T/$_n" --pid "$T/$_n.pid" "$@" 2>>"$T/$_n.err" &
	wait_for "[ -s '$T/$_n.pid' ]" 20 || {
		echo "Bail out! smtp-server $_n did not start:"
		sed 's/^/# /' "$T/$_n.err"
		exit 1
	}
}

smtp_server_stop() {
	[ -s "$T/$1.pid" ] || return 0
	_p=$(cat "$T/$1.pid")
	kill -TERM "$_p" 2>/dev/null
	wait_for "! kill -0 $_p" 10
}

msgs() {
	ls "$T/$1" 2>/dev/null | grep -c '\.json$'
}

rec() {
	python3 - "$T/$1/$2.json" "$3" <<'PY'
import json, sys
try:
    v = json.load(open(sys.argv[1]))[sys.argv[2]]
except FileNotFoundError:
    v = "(no message)"
print("\n".join(v) if isinstance(v, list) else v)
PY
}

hkn() {
	in_ns $HK_RUN "$HIKYAKU" "$@"
}

to_line() {
	grep -aF "to=<$1>," "$I/log" | tail -1
}

server_cert() {
	_d=$1 _ca=$2
	shift 2
	_san=$(printf 'DNS:%s,' "$@")
	(
		cd "$_d" && exec 2>>"$_d/gen.log" &&
		printf '%s\n' "basicConstraints = critical, CA:FALSE" \
		    "keyUsage = critical, digitalSignature, keyEncipherment" \
		    "extendedKeyUsage = serverAuth" \
		    "subjectAltName = ${_san%,}" > "$1.cnf" &&
		openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" \
		    -out "$1.csr" -subj "/CN=$1" &&
		openssl x509 -req -in "$1.csr" -CA "$_ca/ca.pem" \
		    -CAkey "$_ca/ca.key" -CAcreateserial -days 2 \
		    -extfile "$1.cnf" -out "$1.pem"
	) || { echo "Bail out! openssl could not make a certificate for $1"; exit 1; }
}

reports() {
	python3 - "$1" <<'PY'
import mailbox, sys
for n, m in enumerate(mailbox.mbox(sys.argv[1]), 1):
    print("%d Subject: %s" % (n, " ".join(str(m["Subject"]).split())))
    print("%d Content-Type: %s" % (n, m.get_content_type()))
    for part in m.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        # the per-message block first, then one per recipient
        for block in part.get_payload():
            for k, v in block.items():
                print("%d %s: %s" % (n, k, " ".join(str(v).split())))
PY
}
