# shellcheck shell=bash
# scripts/bench.d/mtad.sh — SMTP in, one mbox out: hikyaku's mtad against
# Postfix, both driven by Postfix's own load generator.  Sourced by
# scripts/bench.
#
#   scripts/bench mtad                         2000 messages per side
#   N=200 scripts/bench mtad                   a quick run
#   HIKYAKU=/path/to/hikyaku scripts/bench mtad
#
# Each side gets one warm-up message, then
#   smtp-source -s 10 -l 2048 -m N -f sender@bench.localdomain \
#       -t hkbench@bench.localdomain 127.0.0.1:PORT
# (ten sessions in parallel, one message per session, 2 KB of body),
# timed from the start of smtp-source until the last message is in
# /var/mail/hkbench, the bench user's mbox, for both sides.  Postfix runs
# with the loopback-only local set-up of the sendmail benchmark, on its
# usual 127.0.0.1:25 (postfix_setup makes sure nothing else has port
# 25, and puts everything back afterwards); mtad runs as root in the
# foreground from an instance of its own in the work directory (spool,
# aliases, log; passwd /etc/passwd, mailbox mbox:/var/mail/%u), on
# 127.0.0.1:$MTAD_PORT, and is stopped with SIGTERM.  Both keep their
# defaults for durability: each fsyncs the queue before it answers 250
# and the mailbox before it takes the message off the queue.
#
# It also prints mtad's idle resident memory: VmRSS of the master and
# every process below it, summed, once it has been idle for 2 seconds,
# after start-up and again after the run.
#
#   MTAD_PORT=2526   mtad's loopback port

BENCHES="$BENCHES mtad"
# shellcheck disable=SC2034  # read through ${!name}
DESC_mtad="smtp-source, 10 sessions, N x 2 KB into one mbox: mtad vs Postfix; mtad's idle RSS"
MTAD_PORT=${MTAD_PORT:-2526}
MTAD_SESSIONS=10
MTAD_SIZE=2048
MTAD_RSS_TARGET=2048	# kB, the master and all its children
MTAD_PID=
MT=

# The client: tests/integ/smtp-source finds Postfix's installed one, or
# the copy scripts/deps unpacks without installing Postfix.
SMTP_SOURCE=$ROOT/tests/integ/smtp-source

listening() {	# listening PORT: something listens on 127.0.0.1:PORT
	if command -v ss >/dev/null 2>&1; then
		ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
	else
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
	fi
}

# tree_rss PID: "KB PROCESSES", VmRSS summed over PID and every process
# below it, from /proc/*/status (the Name: line starts each file).
tree_rss() {
	cat /proc/[0-9]*/status 2>/dev/null | awk -v root="$1" '
		$1 == "Name:" { n++ }
		$1 == "Pid:" { pid[n] = $2 }
		$1 == "PPid:" { ppid[n] = $2 }
		$1 == "VmRSS:" { rss[n] = $2 }
		END {
			want[root] = 1
			do {
				more = 0
				for (i = 1; i <= n; i++)
					if (!(pid[i] in want) && (ppid[i] in want)) {
						want[pid[i]] = 1; more = 1
					}
			} while (more)
			for (i = 1; i <= n; i++)
				if (pid[i] in want) { kb += rss[i]; procs++ }
			printf "%d %d\n", kb, procs
		}'
}

# smtp_load SIDE PORT COUNT: smtp-source with the benchmark's settings;
# its complaints go to $WORK/smtp-source-SIDE.err.
smtp_load() {
	local sessions=$MTAD_SESSIONS
	[ "$3" -lt "$sessions" ] && sessions=$3
	"$SMTP_SOURCE" -s "$sessions" -l "$MTAD_SIZE" -m "$3" \
		-f sender@bench.localdomain -t "$BENCH_USER@bench.localdomain" \
		"127.0.0.1:$2" >/dev/null 2>>"$WORK/smtp-source-$1.err"
}

# run_smtp SIDE PORT DIAG DRAIN: one warm-up message, DRAIN (waits for
# an empty queue), then N messages from smtp-source, timed until
# $BENCH_MBOX holds them all.  Sets RES_SIDE (seconds to the last
# delivery) and SRC_SIDE (seconds smtp-source took).
run_smtp() {
	local side=$1 port=$2 diag=$3 drain=$4 base got t0 ts t1 rc wait=$TIMEOUT
	if ! smtp_load "$side" "$port" 1; then
		say "scripts/bench: $side: smtp-source failed on the warm-up message:"
		tail -5 "$WORK/smtp-source-$side.err" | sed 's/^/    /' >&2
		"$diag"
		return 1
	fi
	if ! got=$(wait_mbox "$BENCH_MBOX" 1 60); then
		say "scripts/bench: $side: the warm-up message was not delivered in 60 s"
		"$diag"
		return 1
	fi
	"$drain" || return 1
	base=$(mbox_count "$BENCH_MBOX")
	t0=$(now)
	smtp_load "$side" "$port" "$N"
	rc=$?
	ts=$(now)
	if [ "$rc" -ne 0 ]; then
		say "scripts/bench: $side: smtp-source exited $rc:"
		tail -5 "$WORK/smtp-source-$side.err" | sed 's/^/    /' >&2
		wait=10
	fi
	got=$(wait_mbox "$BENCH_MBOX" $((base + N)) "$wait") || {
		say "scripts/bench: $side: only $((got - base)) of $N messages arrived within $wait s of the last session"
		"$diag"
		return 1
	}
	t1=$(now)
	# Nothing more may arrive: no duplicates, no split messages.
	sleep 1
	got=$(mbox_count "$BENCH_MBOX")
	if [ "$got" -ne $((base + N)) ]; then
		say "scripts/bench: $side: $((got - base)) messages in the mbox, not $N"
		"$diag"
		return 1
	fi
	[ "$rc" -eq 0 ] || return 1
	printf -v "RES_$side" '%s' "$(elapsed "$t0" "$t1")"
	printf -v "SRC_$side" '%s' "$(elapsed "$t0" "$ts")"
}

# ---------------------------------------------------------- mtad instance

mtad_instance() {
	MT=$WORK/mtad
	mkdir -p "$MT"
	chmod 0755 "$MT"
	printf 'postmaster: root\n' > "$MT/aliases"
	# max_per_ip: Postfix allows a client 50 sessions at once (and does
	# not count mynetworks); hikyaku's default of 10 could refuse one
	# of smtp-source's ten while the session before it is ending.
	cat > "$MT/hikyaku.conf" <<EOF
# a throw-away mtad instance for scripts/bench mtad
hostname = bench.localdomain
domains = bench.localdomain localhost
spool = $MT/spool
aliases = $MT/aliases
passwd = /etc/passwd
mailbox = mbox:/var/mail/%u
listen = 127.0.0.1:$MTAD_PORT
max_per_ip = 50
log = $MT/log
EOF
	HIKYAKU_CONF=$MT/hikyaku.conf "$HIKYAKU" newaliases >/dev/null 2>&1
}

mtad_start() {
	local i=0 rc
	if listening "$MTAD_PORT"; then
		say "scripts/bench: mtad: 127.0.0.1:$MTAD_PORT is in use (MTAD_PORT=... picks another)"
		return 1
	fi
	"$HIKYAKU" mtad -f -C "$MT/hikyaku.conf" -P "$MT/mtad.pid" \
		>"$MT/stderr" 2>&1 </dev/null &
	MTAD_PID=$!
	at_exit mtad_stop
	while ! listening "$MTAD_PORT"; do
		if ! kill -0 "$MTAD_PID" 2>/dev/null; then
			wait "$MTAD_PID"
			rc=$?
			MTAD_PID=
			say "scripts/bench: mtad exited $rc at start-up:"
			tail -n 5 "$MT/stderr" "$MT/log" 2>/dev/null | sed 's/^/    /' >&2
			return 1
		fi
		i=$((i + 1))
		if [ $i -ge 200 ]; then
			say "scripts/bench: mtad does not listen on 127.0.0.1:$MTAD_PORT after 10 s"
			return 1
		fi
		sleep 0.05
	done
}

# SIGTERM, as a service manager would, and mtad should be gone, exit 0.
mtad_stop() {
	[ -n "$MTAD_PID" ] || return 0
	term_wait "$MTAD_PID"
	MTAD_PID=
	rm -f "$BENCH_MBOX" "$BENCH_MBOX.lock"
	return 0
}

mtad_drain() {
	local i=0
	while ! HIKYAKU_CONF=$MT/hikyaku.conf "$HIKYAKU" mailq 2>/dev/null |
	    grep -q 'Mail queue is empty'; do
		i=$((i + 1))
		[ $i -ge 600 ] && { say "scripts/bench: mtad: the queue does not drain"; return 1; }
		sleep 0.1
	done
}

mtad_diag() {
	say "  hikyaku mailq (first lines):"
	HIKYAKU_CONF=$MT/hikyaku.conf "$HIKYAKU" mailq 2>&1 | head -15 | sed 's/^/    /' >&2
	say "  mtad log (last lines):"
	tail -n 15 "$MT/log" "$MT/stderr" 2>/dev/null | sed 's/^/    /' >&2
}

# mtad_rss WHEN: mtad idle for 2 s, then its tree's RSS into RSS_WHEN
mtad_rss() {
	sleep 2
	printf -v "RSS_$1" '%s' "$(tree_rss "$MTAD_PID")"
}

bench_mtad() {
	local ok=0 side t s kb procs
	# shellcheck disable=SC2034  # read through ${!name}
	RES_postfix='' RES_hikyaku='' SRC_postfix='' SRC_hikyaku=''
	# shellcheck disable=SC2034  # read through ${!name}
	RSS_start='' RSS_after=''
	workdir
	case $MTAD_PORT in ''|*[!0-9]*) say "scripts/bench: MTAD_PORT must be a port number"; return 1 ;; esac
	say "scripts/bench: mtad: $N messages of $MTAD_SIZE body bytes per side, $MTAD_SESSIONS sessions"

	if [ -z "$ONLY" ] || [ "$ONLY" = postfix ]; then
		say "scripts/bench: mtad: postfix on 127.0.0.1:25..."
		if postfix_setup; then
			run_smtp postfix 25 postfix_diag postfix_drain || ok=1
		else
			ok=1
		fi
		postfix_teardown
	fi
	if [ -z "$ONLY" ] || [ "$ONLY" = hikyaku ]; then
		say "scripts/bench: mtad: hikyaku ($HIKYAKU) on 127.0.0.1:$MTAD_PORT..."
		[ -x "$HIKYAKU" ] && hk_named
		if [ ! -x "$HIKYAKU" ]; then
			say "scripts/bench: $HIKYAKU: no such binary (make, or set HIKYAKU)"
			ok=1
		elif [ "$(id -u)" -ne 0 ]; then
			say "scripts/bench: mtad: the hikyaku side needs root (mtad delivers to /var/mail as the user)"
			ok=1
		elif "$HIKYAKU" mtad --help >/dev/null 2>&1; [ $? -eq 69 ]; then
			say "scripts/bench: mtad: not in this build of $HIKYAKU (exit 69)"
			ok=1
		elif ! "$SMTP_SOURCE" >/dev/null 2>&1; [ $? -eq 127 ]; then
			say "scripts/bench: mtad: no smtp-source: run scripts/deps (as root), or install postfix"
			ok=1
		elif bench_user; then
			rm -f "$BENCH_MBOX" "$BENCH_MBOX.lock"
			if mtad_instance && mtad_start; then
				mtad_rss start
				run_smtp hikyaku "$MTAD_PORT" mtad_diag mtad_drain || ok=1
				mtad_rss after
			else
				ok=1
			fi
			mtad_stop
		else
			ok=1
		fi
	fi

	printf '\nmtad: smtp-source -s %s -l %s, %s messages -> one mbox (last one delivered)\n' \
		"$MTAD_SESSIONS" "$MTAD_SIZE" "$N"
	for side in postfix hikyaku; do
		[ -n "$ONLY" ] && [ "$ONLY" != "$side" ] && continue
		t=RES_$side; t=${!t}
		s=SRC_$side; s=${!s}
		if [ -n "$t" ]; then
			printf '  %-8s %6s s  %7s msg/s   (smtp-source done after %s s)\n' \
				"$side" "$t" "$(rate "$N" "$t")" "$s"
		else
			printf '  %-8s failed\n' "$side"
		fi
	done
	if [ -n "$RES_postfix" ] && [ -n "$RES_hikyaku" ]; then
		msg_ratio "$RES_postfix" "$RES_hikyaku" "$TARGET"
	fi
	for s in start after; do
		t=RSS_$s; t=${!t}
		[ -n "$t" ] || continue
		read -r kb procs <<<"$t"
		printf '  mtad idle RSS %-16s %5s kB in %s processes (target: <= %s kB%s)\n' \
			"$([ $s = start ] && echo 'after start-up:' || echo 'after the run:')" \
			"$kb" "$procs" "$MTAD_RSS_TARGET" \
			"$([ "$kb" -le "$MTAD_RSS_TARGET" ] || echo ', missed')"
	done
	echo
	return $ok
}
