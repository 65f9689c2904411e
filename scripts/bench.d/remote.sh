# shellcheck shell=bash
# scripts/bench.d/remote.sh — a full queue out to one remote domain:
# hikyaku's remote delivery against Postfix's, both relaying to Postfix's
# smtp-sink.  Sourced by scripts/bench.
#
#   scripts/bench remote                       2000 messages per side
#   N=200 scripts/bench remote                 a quick run
#
# One smtp-sink (Postfix's test server: accepts everything, throws it
# away) listens on 127.0.0.1:$SINK_PORT for the whole run; its running
# counter (-c) says how many messages ("." received) each side handed it,
# and a side that did not hand over exactly N is a failed run.
#
# Each side first queues N messages of 2 KB for user@remote.bench.test
# with delivery held, untimed; then the clock runs from the release until
# the queue is empty:
#
#   Postfix   the loopback-only set-up of the other benchmarks plus
#             relayhost = [127.0.0.1]:$SINK_PORT and
#             smtp_tls_security_level = none, defaults otherwise
#             (concurrency included): default_transport and
#             relay_transport back to smtp and relay (Debian's "Local
#             only" makes them error), and soft_bounce = yes, so that a
#             run that goes wrong leaves its mail queued (deleted
#             afterwards) instead of bouncing it into root's mailbox.
#             Queued with its sendmail while defer_transports = smtp
#             keeps every message in the deferred queue; then all are
#             put on hold (postsuper -h), Postfix is restarted without
#             defer_transports, and, with the clock running, released
#             (postsuper -H ALL; postqueue -f).  Empty: no file left in
#             maildrop, incoming, hold, deferred or active.
#   hikyaku   an instance in the work directory (spool, aliases, log,
#             mailboxes for bounces; no listener) with
#             relayhost = [127.0.0.1]:$SINK_PORT and tls = none.  Queued
#             with `hikyaku sendmail -odq -i` (queue only: no mtad runs
#             yet); then, with the clock running, mtad starts as root in
#             the foreground, its queue runner's workers deliver, and it
#             is stopped with SIGTERM once the spool's msg/ is empty.
#             mtad's start-up is in the time.
#
# Postfix's main.cf and queue are put back as they were: the messages a
# run leaves behind (all for remote.bench.test) are deleted, nothing else.
# A side whose queue does not shrink for $REMOTE_STALL seconds, or is not
# empty after $TIMEOUT, has failed; what its mailq says is printed.
#
#   SINK_PORT=2527   smtp-sink's loopback port

BENCHES="$BENCHES remote"
# shellcheck disable=SC2034  # read through ${!name}
DESC_remote="N x 2 KB queued for one remote domain, relayed to smtp-sink until the queue is empty"
SINK_PORT=${SINK_PORT:-2527}
REMOTE_RCPT=user@remote.bench.test
REMOTE_SIZE=2048
REMOTE_TARGET=2
REMOTE_STALL=30		# s without progress: give up before TIMEOUT
SINK_PID=
RM=
RM_PID=
PF_QDIR=
# in the order mail moves between them (active last), so that a file
# renamed while find runs is seen in one or the other
PF_QUEUES="maildrop incoming hold deferred active"

# ------------------------------------------------------------- smtp-sink

# Postfix's smtp-sink, found as tests/integ/smtp-source finds smtp-source:
# the copy scripts/deps unpacks (with its private libraries), else the
# installed one.
sink_bin() {
	local root=${HIKYAKU_POSTFIX_ROOT:-/var/cache/hikyaku/postfix/root}
	if [ -x "$root/usr/sbin/smtp-sink" ]; then
		SINK_ENV="LD_LIBRARY_PATH=$root/usr/lib/postfix${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
		SINK=$root/usr/sbin/smtp-sink
	elif [ -x /usr/sbin/smtp-sink ]; then
		SINK_ENV=
		SINK=/usr/sbin/smtp-sink
	else
		say "scripts/bench: remote: no smtp-sink: run scripts/deps (as root), or install postfix"
		return 1
	fi
}

# -c writes "sess=S quit=Q mesg=M" and a carriage return at every "."
# (and session end) to stdout; run as root, it must drop to a user (-u).
sink_start() {
	local i=0 rc
	sink_bin || return 1
	if listening "$SINK_PORT"; then
		say "scripts/bench: remote: 127.0.0.1:$SINK_PORT is in use (SINK_PORT=... picks another)"
		return 1
	fi
	env ${SINK_ENV:+"$SINK_ENV"} "$SINK" -c -u nobody \
		"127.0.0.1:$SINK_PORT" 256 \
		>"$WORK/sink.out" 2>"$WORK/sink.err" </dev/null &
	SINK_PID=$!
	at_exit sink_stop
	while ! listening "$SINK_PORT"; do
		if ! kill -0 "$SINK_PID" 2>/dev/null; then
			wait "$SINK_PID"
			rc=$?
			SINK_PID=
			say "scripts/bench: remote: smtp-sink exited $rc at start-up:"
			tail -5 "$WORK/sink.err" | sed 's/^/    /' >&2
			return 1
		fi
		i=$((i + 1))
		if [ $i -ge 200 ]; then
			say "scripts/bench: remote: smtp-sink does not listen on 127.0.0.1:$SINK_PORT after 10 s"
			return 1
		fi
		sleep 0.05
	done
}

sink_stop() {
	[ -n "$SINK_PID" ] || return 0
	kill -TERM "$SINK_PID" 2>/dev/null
	wait "$SINK_PID" 2>/dev/null
	SINK_PID=
	return 0
}

# Messages smtp-sink has received so far: its counter's last "mesg=".
sink_count() {
	tr '\r' '\n' <"$WORK/sink.out" 2>/dev/null |
		awk -F'mesg=' 'NF > 1 { n = $2 + 0 } END { print n + 0 }'
}

# ------------------------------------------------------------ the message

# 2 KB exactly: headers, plain text lines, and one line padding it out.
remote_msg() {
	local f=$1 i=0 size pad
	{
		printf 'From: Bench Sender <bench@bench.localdomain>\n'
		printf 'To: %s\n' "$REMOTE_RCPT"
		printf 'Subject: hikyaku bench message, remote\n'
		printf '\n'
	} >"$f"
	while [ $(($(stat -c %s "$f") + 66)) -le "$REMOTE_SIZE" ]; do
		i=$((i + 1))
		printf 'line %03d: the quick brown fox jumps over the lazy dog 0123456789\n' "$i" >>"$f"
	done
	size=$(stat -c %s "$f")
	pad=$((REMOTE_SIZE - size - 1))
	if [ $pad -gt 0 ]; then
		printf '%*s\n' "$pad" '' | tr ' ' x >>"$f"
	fi
}

# inject SIDE CMD...: N submissions of $REMOTE_MSG, in this shell (so
# that an interrupt stops them); the seconds they took in QUE_SIDE.
# Fails, saying so, if any submission failed.
inject() {
	local side=$1 i fails=0 t0
	shift
	t0=$(now)
	for ((i = 0; i < N; i++)); do
		"$@" <"$REMOTE_MSG" || fails=$((fails + 1))
	done
	printf -v "QUE_$side" '%s' "$(elapsed "$t0" "$(now)")"
	if [ $fails -ne 0 ]; then
		say "scripts/bench: remote: $side: $fails of $N submissions failed"
		return 1
	fi
}

# wait_left SIDE COUNT-FUNCTION: poll COUNT-FUNCTION (messages still
# queued) until it says 0.  Fails, saying so, when it has not gone down
# for $REMOTE_STALL seconds or is not 0 after $TIMEOUT.
wait_left() {
	local side=$1 count=$2 left last=-1 now_s moved end
	now_s=$(date +%s)
	end=$((now_s + TIMEOUT))
	moved=$now_s
	while :; do
		left=$("$count")
		# and once more, in case it was a file between two directories
		[ "$left" -eq 0 ] && [ "$("$count")" -eq 0 ] && return 0
		now_s=$(date +%s)
		if [ "$left" -ne "$last" ]; then
			last=$left
			moved=$now_s
		fi
		if [ $((now_s - moved)) -ge "$REMOTE_STALL" ]; then
			say "scripts/bench: remote: $side: $left of $N messages still queued, none delivered in the last $REMOTE_STALL s"
			return 1
		fi
		if [ "$now_s" -ge "$end" ]; then
			say "scripts/bench: remote: $side: $left of $N messages still queued after $TIMEOUT s (TIMEOUT)"
			return 1
		fi
		sleep 0.02
	done
}

# sink_check SIDE BASE: smtp-sink must have received exactly N since
# BASE, and nothing more a second later (no duplicates).
sink_check() {
	local side=$1 base=$2 got
	sleep 1
	got=$(($(sink_count) - base))
	if [ "$got" -ne "$N" ]; then
		say "scripts/bench: remote: $side: INVALID RUN: smtp-sink received $got messages, not $N"
		return 1
	fi
}

# ------------------------------------------------------------ postfix side

# Files in Postfix's queues, or only in those named.
pf_queued() {
	local q dirs=()
	for q in ${1:-$PF_QUEUES}; do dirs+=("$PF_QDIR/$q"); done
	find "${dirs[@]}" -type f 2>/dev/null | wc -l
}
pf_left() { pf_queued; }

pf_restart() {
	local i=0
	postfix stop >>"$WORK/postfix-ctl.log" 2>&1
	while postfix_running && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	postfix_running && { say "scripts/bench: remote: postfix does not stop"; return 1; }
	postconf -e "$@" || { say "scripts/bench: remote: postconf failed"; return 1; }
	postfix start >>"$WORK/postfix-ctl.log" 2>&1 || {
		tail -5 "$WORK/postfix-ctl.log" >&2
		say "scripts/bench: remote: postfix start failed"
		return 1
	}
	i=0
	while ! postfix_running && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	postfix_running || { say "scripts/bench: remote: postfix master did not start"; return 1; }
}

# Delete the queued messages all of whose recipients are in
# remote.bench.test (this benchmark's, from this or an interrupted run),
# and nothing else: asking Postfix while it runs, else file by file.
pf_purge() {
	command -v postqueue >/dev/null 2>&1 || return 0
	if ! postfix_running; then
		pf_purge_files
		return 0
	fi
	# shellcheck disable=SC2086  # PF_QUEUES: queue names, one word each
	postqueue -j 2>/dev/null | awk '
		{
			id = ""
			if (match($0, /"queue_id": *"[0-9A-Za-z]+"/)) {
				id = substr($0, RSTART, RLENGTH)
				sub(/.*: *"/, "", id); sub(/"$/, "", id)
			}
			all = gsub(/"address": *"[^"]*"/, "&")
			ours = gsub(/"address": *"[^"@]*@remote\.bench\.test"/, "&")
			if (id != "" && all > 0 && all == ours)
				print id
		}' | postsuper -d - $PF_QUEUES >>"$WORK/postfix-ctl.log" 2>&1
	return 0
}

# The same, Postfix stopped (before it starts: a run that was killed
# outright left mail that Debian's "Local only" main.cf would bounce).
pf_purge_files() {
	local q f dirs=()
	q=$(postconf -h queue_directory) || return 0
	for f in $PF_QUEUES; do dirs+=("$q/$f"); done
	find "${dirs[@]}" -type f 2>/dev/null | while read -r f; do
		postcat -e "$f" 2>/dev/null | awk '
			$1 == "recipient:" {
				all++
				if ($2 ~ /@remote\.bench\.test$/) ours++
			}
			END { exit !(all > 0 && all == ours) }' && rm -f "$f"
	done
}

# Queue N held messages, then time their release until the queue is empty.
run_remote_postfix() {
	local t0 t1 base end
	PF_QDIR=$(postconf -h queue_directory) || return 1
	at_exit pf_purge
	pf_purge
	postfix_drain || return 1
	pf_restart "relayhost=[127.0.0.1]:$SINK_PORT" \
		default_transport=smtp relay_transport=relay soft_bounce=yes \
		smtp_tls_security_level=none defer_transports=smtp || return 1
	base=$(sink_count)
	inject postfix /usr/sbin/sendmail -i "$REMOTE_RCPT" || return 1
	# every message through pickup and cleanup, and deferred by qmgr
	end=$(($(date +%s) + TIMEOUT))
	while [ "$(pf_queued deferred)" -lt "$N" ] ||
	    [ "$(pf_queued "maildrop incoming active")" -ne 0 ]; do
		if [ "$(date +%s)" -ge "$end" ]; then
			say "scripts/bench: remote: postfix: $(pf_queued deferred) of $N messages deferred after $TIMEOUT s"
			postfix_diag
			return 1
		fi
		sleep 0.05
	done
	postsuper -h ALL deferred >>"$WORK/postfix-ctl.log" 2>&1
	pf_restart defer_transports= || return 1
	sleep 1
	if [ "$(pf_queued hold)" -ne "$N" ] || [ "$(pf_queued)" -ne "$N" ]; then
		say "scripts/bench: remote: postfix: $(pf_queued hold) messages on hold, $(pf_queued) queued; expected $N"
		postfix_diag
		return 1
	fi
	if [ "$(sink_count)" -ne "$base" ]; then
		say "scripts/bench: remote: postfix: INVALID RUN: smtp-sink got mail while delivery was held"
		return 1
	fi
	t0=$(now)
	postsuper -H ALL hold >>"$WORK/postfix-ctl.log" 2>&1
	postqueue -f
	wait_left postfix pf_left || { postfix_diag; return 1; }
	t1=$(now)
	sink_check postfix "$base" || return 1
	printf -v RES_postfix '%s' "$(elapsed "$t0" "$t1")"
}

# ------------------------------------------------------------ hikyaku side

remote_instance() {
	RM=$WORK/remote
	mkdir -p "$RM/mail"
	chmod 0755 "$RM"
	chmod 1777 "$RM/mail"
	printf 'postmaster: root\n' >"$RM/aliases"
	cat >"$RM/hikyaku.conf" <<EOF
# a throw-away instance for scripts/bench remote: no listener, every
# message relayed to smtp-sink
hostname = bench.localdomain
domains = bench.localdomain localhost
spool = $RM/spool
aliases = $RM/aliases
passwd = /etc/passwd
mailbox = mbox:$RM/mail/%u
listen =
relayhost = [127.0.0.1]:$SINK_PORT
tls = none
log = $RM/log
EOF
	HIKYAKU_CONF=$RM/hikyaku.conf "$HIKYAKU" newaliases >/dev/null 2>&1
}

hk_left() { find "$RM/spool/msg" -type f 2>/dev/null | wc -l; }

remote_mtad_start() {
	"$HIKYAKU" mtad -f -C "$RM/hikyaku.conf" -P "$RM/mtad.pid" \
		>"$RM/stderr" 2>&1 </dev/null &
	RM_PID=$!
	at_exit remote_mtad_stop
}

# SIGTERM, and mtad should be gone, exit 0 (as in the mtad benchmark).
remote_mtad_stop() {
	[ -n "$RM_PID" ] || return 0
	term_wait "$RM_PID"
	RM_PID=
	return 0
}

remote_hk_diag() {
	say "  hikyaku mailq (first lines):"
	HIKYAKU_CONF=$RM/hikyaku.conf "$HIKYAKU" mailq 2>&1 | head -15 | sed 's/^/    /' >&2
	say "  mtad log (last lines):"
	tail -n 15 "$RM/log" "$RM/stderr" 2>/dev/null | sed 's/^/    /' >&2
}

run_remote_hikyaku() {
	local t0 t1 base
	remote_instance
	HIKYAKU_CONF=$RM/hikyaku.conf inject hikyaku \
		"$HIKYAKU" sendmail -odq -i "$REMOTE_RCPT" || return 1
	if [ "$(hk_left)" -ne "$N" ]; then
		say "scripts/bench: remote: hikyaku: $(hk_left) messages queued, not $N"
		remote_hk_diag
		return 1
	fi
	base=$(sink_count)
	t0=$(now)
	remote_mtad_start
	if ! wait_left hikyaku hk_left; then
		kill -0 "$RM_PID" 2>/dev/null || say "scripts/bench: remote: mtad has exited"
		grep -q 'remote delivery is not available' "$RM/log" 2>/dev/null &&
			say "scripts/bench: remote: this build of hikyaku has no remote delivery yet"
		remote_hk_diag
		remote_mtad_stop
		return 1
	fi
	t1=$(now)
	remote_mtad_stop
	sink_check hikyaku "$base" || { remote_hk_diag; return 1; }
	printf -v RES_hikyaku '%s' "$(elapsed "$t0" "$t1")"
}

# ---------------------------------------------------------------- bench

bench_remote() {
	local ok=0 side t q
	# shellcheck disable=SC2034  # read through ${!name}
	RES_postfix='' RES_hikyaku='' QUE_postfix='' QUE_hikyaku=''
	workdir
	case $SINK_PORT in ''|*[!0-9]*) say "scripts/bench: SINK_PORT must be a port number"; return 1 ;; esac
	REMOTE_MSG=$WORK/remote-msg
	remote_msg "$REMOTE_MSG"
	say "scripts/bench: remote: $N messages of $(stat -c %s "$REMOTE_MSG") bytes per side for $REMOTE_RCPT, to smtp-sink on 127.0.0.1:$SINK_PORT"

	if [ "$(id -u)" -ne 0 ]; then
		say "scripts/bench: remote: needs root (Postfix's set-up, mtad's runner)"
		ok=1
	elif sink_start; then
		if [ -z "$ONLY" ] || [ "$ONLY" = postfix ]; then
			say "scripts/bench: remote: postfix..."
			pf_purge
			if postfix_setup; then
				run_remote_postfix || ok=1
				pf_purge
			else
				ok=1
			fi
			postfix_teardown
		fi
		if [ -z "$ONLY" ] || [ "$ONLY" = hikyaku ]; then
			say "scripts/bench: remote: hikyaku ($HIKYAKU)..."
			[ -x "$HIKYAKU" ] && hk_named
			if [ ! -x "$HIKYAKU" ]; then
				say "scripts/bench: $HIKYAKU: no such binary (make, or set HIKYAKU)"
				ok=1
			elif "$HIKYAKU" mtad --help >/dev/null 2>&1; [ $? -eq 69 ]; then
				say "scripts/bench: remote: mtad is not in this build of $HIKYAKU (exit 69)"
				ok=1
			else
				run_remote_hikyaku || ok=1
			fi
		fi
		sink_stop
	else
		ok=1
	fi

	printf '\nremote: %s x %s bytes queued for one domain -> smtp-sink (release until the queue is empty)\n' \
		"$N" "$REMOTE_SIZE"
	for side in postfix hikyaku; do
		[ -n "$ONLY" ] && [ "$ONLY" != "$side" ] && continue
		t=RES_$side; t=${!t}
		q=QUE_$side; q=${!q}
		if [ -n "$t" ]; then
			printf '  %-8s %6s s  %7s msg/s   (queueing them took %s s, untimed)\n' \
				"$side" "$t" "$(rate "$N" "$t")" "$q"
		else
			printf '  %-8s failed\n' "$side"
		fi
	done
	if [ -n "$RES_postfix" ] && [ -n "$RES_hikyaku" ]; then
		msg_ratio "$RES_postfix" "$RES_hikyaku" "$REMOTE_TARGET"
	fi
	echo
	return $ok
}
