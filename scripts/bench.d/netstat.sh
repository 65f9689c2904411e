# shellcheck shell=bash
# scripts/bench.d/netstat.sh — sourced by scripts/bench.
#
# netstat -atn and -atnp, net-tools' and hikyaku's, side by side on the
# same 10,000 TCP sockets: NETSTAT_CONNS loopback connections (two
# sockets each) and a listener, held by one process in a network
# namespace of the bench's own.  Runs alternate; the median and the
# fastest of each side are printed, and the ratio against the targets.
#
#   NETSTAT_CONNS=5000   connections (sockets = 2 x this + 1)
#   NETSTAT_RUNS=15      timed runs per side and option set

BENCHES="$BENCHES netstat"
# shellcheck disable=SC2034  # read through ${!name}
DESC_netstat="netstat -atn / -atnp on 10,000 TCP sockets, net-tools' against hikyaku's (root)"

NS_BENCH=
NS_HOLD_FD=

netstat_teardown() {
	if [ -n "$NS_HOLD_FD" ]; then
		exec 9>&-
		NS_HOLD_FD=
	fi
	if [ -n "$NS_BENCH" ]; then
		local p
		for p in $(ip netns pids "$NS_BENCH" 2>/dev/null); do
			kill "$p" 2>/dev/null
		done
		ip netns del "$NS_BENCH" 2>/dev/null
		NS_BENCH=
	fi
}

# The process that holds the sockets: prints "ready N" once they are open.
netstat_holder() {
	cat > "$WORK/hold.py" <<'EOF'
import resource, socket, sys
n = int(sys.argv[1])
want = 2 * n + 64
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if hard != resource.RLIM_INFINITY and hard < want:
    hard = want
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 25))
l.listen(1024)
keep = [l]
for i in range(n):
    c = socket.create_connection(("127.0.0.1", 25))
    a, _ = l.accept()
    keep += [c, a]
print("ready", len(keep), flush=True)
sys.stdin.read()
EOF
}

# The timing loop, run inside the namespace.
netstat_loop() {
	cat > "$WORK/loop.sh" <<'EOF'
#!/bin/bash
# loop.sh RUNS OPTS NT HK: alternating timed runs; "side ms" lines
runs=$1 opts=$2 nt=$3 hk=$4
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) * 1000 }'; }
"$nt" $opts >/dev/null 2>&1; "$hk" netstat $opts >/dev/null 2>&1
for ((i = 0; i < runs; i++)); do
	t0=$EPOCHREALTIME; "$nt" $opts >/dev/null 2>&1; t1=$EPOCHREALTIME
	"$hk" netstat $opts >/dev/null 2>&1; t2=$EPOCHREALTIME
	echo "net-tools $(ms "$t0" "$t1")"
	echo "hikyaku $(ms "$t1" "$t2")"
done
EOF
	chmod +x "$WORK/loop.sh"
}

# stats FILE SIDE: "median min" of that side's lines
netstat_stats() {
	awk -v s="$2" '$1 == s { print $2 }' "$1" | sort -n | awk '
		{ v[NR] = $1 }
		END { if (NR == 0) exit 1
		      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "%.2f %.2f\n", m, v[1] }'
}

netstat_report() {	# netstat_report OPTS TARGET FILE
	local opts=$1 target=$2 f=$3 side st
	local med_nt='' med_hk='' m1 m2
	printf '\nnetstat %s, %s TCP sockets, %s runs per side (median, fastest)\n' \
		"$opts" "$NS_SOCKETS" "$NETSTAT_RUNS"
	for side in net-tools hikyaku; do
		[ -n "$ONLY" ] && [ "$ONLY" != "$side" ] && continue
		if st=$(netstat_stats "$f" "$side"); then
			read -r m1 m2 <<<"$st"
			printf '  %-10s %8s ms %8s ms\n' "$side" "$m1" "$m2"
			if [ "$side" = net-tools ]; then med_nt=$m1; else med_hk=$m1; fi
		else
			printf '  %-10s failed\n' "$side"
		fi
	done
	if [ -n "$med_nt" ] && [ -n "$med_hk" ]; then
		awk -v n="$med_nt" -v h="$med_hk" -v t="$target" 'BEGIN {
			r = (n > 0) ? h / n : 0
			printf "  %-10s %8.2f      (target: <= %.2f%s)\n", "ratio", r, t,
			    (r <= t) ? "" : ", missed"
		}'
	fi
}

bench_netstat() {
	local ok=0 got nt=/usr/bin/netstat opts f
	NETSTAT_CONNS=${NETSTAT_CONNS:-5000}
	NETSTAT_RUNS=${NETSTAT_RUNS:-15}
	case $NETSTAT_CONNS$NETSTAT_RUNS in *[!0-9]*)
		say "scripts/bench: NETSTAT_CONNS and NETSTAT_RUNS must be numbers"
		return 1 ;;
	esac
	workdir
	if [ "$(id -u)" -ne 0 ]; then
		say "scripts/bench: netstat: needs root (a network namespace of its own)"
		return 1
	fi
	if [ ! -x "$nt" ]; then
		say "scripts/bench: netstat: installing net-tools"
		apt-get install -y -qq net-tools >"$WORK/apt.log" 2>&1 ||
			{ say "scripts/bench: netstat: installing net-tools failed"; return 1; }
	fi
	if [ ! -x "$HIKYAKU" ]; then
		say "scripts/bench: $HIKYAKU: no such binary (make, or set HIKYAKU)"
		return 1
	fi
	NS_BENCH=hk-bench-$$
	at_exit netstat_teardown
	ip netns add "$NS_BENCH" || { NS_BENCH=; say "scripts/bench: netstat: ip netns add failed"; return 1; }
	ip netns exec "$NS_BENCH" ip link set lo up
	netstat_holder
	netstat_loop
	mkfifo "$WORK/hold.in"
	ip netns exec "$NS_BENCH" python3 "$WORK/hold.py" "$NETSTAT_CONNS" \
		<"$WORK/hold.in" >"$WORK/hold.out" 2>&1 &
	exec 9>"$WORK/hold.in"
	NS_HOLD_FD=1
	say "scripts/bench: netstat: opening $((2 * NETSTAT_CONNS + 1)) TCP sockets..."
	local i=0
	while ! grep -q '^ready' "$WORK/hold.out" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge 1200 ] || { [ $i -gt 20 ] &&
		    [ -z "$(ip netns pids "$NS_BENCH")" ]; }; then
			say "scripts/bench: netstat: the socket holder failed:"
			sed 's/^/    /' "$WORK/hold.out" >&2
			netstat_teardown
			return 1
		fi
		sleep 0.1
	done
	NS_SOCKETS=$(awk '/^ready/ { print $2 }' "$WORK/hold.out")

	for opts in -atn -atnp; do
		ip netns exec "$NS_BENCH" "$nt" $opts >"$WORK/nt$opts" 2>&1
		ip netns exec "$NS_BENCH" "$HIKYAKU" netstat $opts >"$WORK/hk$opts" 2>&1
		got=$(grep -c '^tcp' "$WORK/hk$opts")
		if cmp -s "$WORK/nt$opts" "$WORK/hk$opts"; then
			say "scripts/bench: netstat $opts: both outputs identical ($got sockets)"
		else
			say "scripts/bench: netstat $opts: the outputs DIFFER (diff -u net-tools hikyaku, first lines):"
			diff -u "$WORK/nt$opts" "$WORK/hk$opts" | head -20 | sed 's/^/    /' >&2
			ok=1
		fi
	done
	for opts in -atn -atnp; do
		f=$WORK/times$opts
		local hk=$HIKYAKU ntb=$nt
		[ "$ONLY" = hikyaku ] && ntb=true
		[ "$ONLY" = net-tools ] && hk=true
		ip netns exec "$NS_BENCH" "$WORK/loop.sh" "$NETSTAT_RUNS" "$opts" \
			"$ntb" "$hk" >"$f" 2>&1 || ok=1
		if [ "$opts" = -atn ]; then
			netstat_report "$opts" 0.60 "$f"
		else
			netstat_report "$opts" 0.90 "$f"
		fi
	done
	echo
	netstat_teardown
	return $ok
}
