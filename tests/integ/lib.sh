# Shared by the shell integration tests: a TAP producer and a throw-away
# hikyaku instance (config, passwd file, spool, mailboxes) in one folder.
#
#   . "$(dirname "$0")/lib.sh"
#   instance            # makes $I with $I/hikyaku.conf, $I/passwd, $I/mail/
#   hk sendmail -i bob < msg     # runs an applet against the instance
#   $HK_RUN "$T/sbin/mailq"      # runs a link to the binary (or a copy)
#   ok COND-EXIT-STATUS "name"; is "$got" "$want" "name"; done_testing

# A test that sets HK_WANT_NS=1 before sourcing this file runs in a
# private mount namespace of its own (as root, where unshare works), so
# that it may put overlays on the system's directories: see
# system_instance below.  HK_NS says it is in one.
if [ -n "${HK_WANT_NS:-}" ] && [ -z "${HK_NS:-}" ] && [ "$(id -u)" -eq 0 ] &&
    unshare -m --propagation private true 2>/dev/null; then
	HK_NS=1 exec unshare -m --propagation private "$0" "$@"
fi

HIKYAKU=${HIKYAKU:-$(cd "$(dirname "$0")/../.." && pwd)/hikyaku}
# $HIKYAKU_RUN goes before every run of the binary, of a link to it or
# of a copy: for another machine's binary, its emulator (make check
# ARCH=armhf sets qemu-arm-static; with no binfmt_misc the kernel cannot
# start it alone).  Empty for the native binary.  Unquoted on purpose.
HK_RUN=${HIKYAKU_RUN:-}
# mail hands each message to sendmail by running its own binary again
# (/proc/self/exe), which the kernel cannot do for an emulated one: tests
# of that hand-off skip with this reason when it is set.
self_exec_why=""
[ -n "$HK_RUN" ] && self_exec_why="mail cannot run itself as sendmail under $HK_RUN: no binfmt_misc to exec a foreign binary"
T=$(mktemp -d "${TMPDIR:-/tmp}/hikyaku-test.XXXXXX")
chmod 0755 "$T"
trap 'rm -rf "$T"' EXIT
tap_n=0
tap_failed=0

ok() {	# ok STATUS NAME: passes when STATUS is 0
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

is() {	# is GOT WANT NAME
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2" | sed '3,$s/^/#   /'
	fi
}

like() {	# like GOT REGEX NAME (grep -E)
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got: %s\n#   not matching: %s\n' "$1" "$2"
	fi
}

skip() {	# skip REASON: one test reported as skipped, with why
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # skip $1"
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
	exit $?
}

# Test users: as root they get their own uids (so that privilege drops
# are real and visible in file ownership); otherwise they are all us.
if [ "$(id -u)" -eq 0 ]; then
	UID_ALICE=4201; UID_BOB=4202; UID_CAROL=4203; GID_USERS=4200
else
	UID_ALICE=$(id -u); UID_BOB=$(id -u); UID_CAROL=$(id -u); GID_USERS=$(id -g)
fi

instance() {	# instance [DIR]: a fresh instance in $I
	I=${1:-$T/inst}
	mkdir -p "$I/mail" "$I/home/alice" "$I/home/bob" "$I/home/carol"
	chmod 1777 "$I/mail"
	chmod 0755 "$I" "$I/home"
	if [ "$(id -u)" -eq 0 ]; then
		chown "$UID_ALICE:$GID_USERS" "$I/home/alice"
		chown "$UID_BOB:$GID_USERS" "$I/home/bob"
		chown "$UID_CAROL:$GID_USERS" "$I/home/carol"
	fi
	cat > "$I/passwd" <<PW
# test users
alice:x:$UID_ALICE:$GID_USERS:Alice Liddell,,,:$I/home/alice:/bin/sh
bob:x:$UID_BOB:$GID_USERS:Bob:$I/home/bob:/bin/sh
carol:x:$UID_CAROL:$GID_USERS:Carol:$I/home/carol:/bin/sh
PW
	cat > "$I/hikyaku.conf" <<CONF
# a throw-away test instance
hostname = test.example
domains = test.example localhost
spool = $I/spool
aliases = $I/aliases
passwd = $I/passwd
mailbox = mbox:$I/mail/%u
listen =
log = $I/log
# mail for other domains: to a loopback port nothing listens on, so
# that it waits ("Connection refused") and no test asks the real DNS
relayhost = [127.0.0.1]:1
CONF
	export HIKYAKU_CONF="$I/hikyaku.conf"
}

# The queue's files (not the emptied spares it keeps in tmp/ for reuse).
spool_files() {
	find "$I/spool" -type f ! -name 'spare.*' 2>/dev/null
}
spool_empty() {
	[ -z "$(spool_files)" ]
}

hk() {	# hk APPLET ARGS...: run an applet of the binary under test
	$HK_RUN "$HIKYAKU" "$@"
}

# Count the messages in an mbox file.
mbox_count() {
	[ -f "$1" ] || { echo 0; return; }
	grep -c '^From ' "$1"
}

# Wait (up to $2 seconds, default 20) until a command succeeds.
wait_for() {
	_i=0
	while ! eval "$1" >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ "$_i" -ge $(( ${2:-20} * 10 )) ] && return 1
		sleep 0.1
	done
	return 0
}

# Who sendmail says we are: our entry in the test passwd file, or (as
# root, who is not in it) the system's name for uid 0.
if [ "$(id -u)" -eq 0 ]; then ME=root; else ME=alice; fi

# ---- the system itself, for the set-group-ID tests ----
#
# A test that needs real accounts and the default paths (/etc/hikyaku.conf,
# /var/spool/hikyaku, /var/mail) sets HK_WANT_NS=1, sources this file and
# calls system_instance: in its private mount namespace, /etc, /var,
# /home and /root become overlays, so whatever it changes there
# (useradd, the spool, mailboxes) is gone when it ends, and the machine
# is never touched.  When that cannot be had, $system_why says why (skip).

system_why=""
system_instance() {	# system_instance: 0, or 1 with $system_why set
	if [ "$(id -u)" -ne 0 ]; then system_why="needs root"; return 1; fi
	if [ -z "${HK_NS:-}" ]; then
		system_why="needs a private mount namespace (unshare -m)"
		return 1
	fi
	if [ -n "$HK_RUN" ]; then
		system_why="a set-group-ID bit does nothing to a binary run by $HK_RUN"
		return 1
	fi
	case $(basename "$HIKYAKU") in *asan*)
		system_why="the sanitizer runtime refuses set-group-ID binaries"
		return 1 ;;
	esac
	for c in setpriv useradd python3; do
		command -v $c >/dev/null ||
			{ system_why="needs $c"; return 1; }
	done
	getent group mail >/dev/null ||
		{ system_why="needs the mail group"; return 1; }
	for d in /etc /var /home /root; do
		n=$(echo "$d" | tr / _)
		mkdir -p "$T/ov/$n/up" "$T/ov/$n/work"
		mount -t overlay overlay -o "lowerdir=$d,upperdir=$T/ov/$n/up,workdir=$T/ov/$n/work" "$d" 2>"$T/ov.err" ||
			{ system_why="cannot overlay $d: $(cat "$T/ov.err")"; return 1; }
	done
	mkdir -p /var/mail
	chown root:mail /var/mail
	chmod 2775 /var/mail		# as Debian has it
	rm -rf /var/spool/hikyaku /etc/hikyaku.conf /etc/aliases /etc/aliases.db
	useradd -m -U -s /bin/sh victim && useradd -m -U -s /bin/sh attacker ||
		{ system_why="useradd failed"; return 1; }
	# every setting at its default but the log, so tests can read it,
	# and mail for other domains, which goes to a loopback port that
	# nothing listens on rather than to the real DNS
	printf 'log = /var/log/hikyaku.log\nrelayhost = [127.0.0.1]:1\n' > /etc/hikyaku.conf
	: > /var/log/hikyaku.log
	unset HIKYAKU_CONF
	# the set-group-ID install the README describes, where all can reach it
	mkdir -p "$T/sbin"
	chmod 0755 "$T/sbin"
	cp "$HIKYAKU" "$T/sbin/hikyaku"
	chgrp mail "$T/sbin/hikyaku"
	chmod 2755 "$T/sbin/hikyaku"
	for a in sendmail mailq mail newaliases; do
		ln -s hikyaku "$T/sbin/$a"
	done
	SG=$T/sbin
	return 0
}

# as USER CMD...: run CMD as that account, with its groups and home.
as() {
	_u=$1; shift
	env -i PATH=/usr/bin:/bin HOME="$(getent passwd "$_u" | cut -d: -f6)" \
	    LOGNAME="$_u" USER="$_u" ${AS_ENV:-} \
	    setpriv --reuid="$_u" --regid="$_u" --init-groups "$@"
}

# ---- mtad ----

# A TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# bs_server [ARGS...]: `sendmail -bs ARGS` for each connection to
# 127.0.0.1:$PORT (socat, killed at exit, its errors shown then);
# skips the whole test, with the reason, without socat or python3.
bs_server() {
	if ! command -v socat >/dev/null 2>&1 ||
	    ! command -v python3 >/dev/null 2>&1; then
		skip "socat and python3 are needed (scripts/deps installs them)"
		done_testing
	fi
	PORT=$(free_port)
	socat TCP-LISTEN:"$PORT",bind=127.0.0.1,reuseaddr,fork \
	    EXEC:"${HK_RUN:+$HK_RUN }$HIKYAKU sendmail -bs $*" 2>"$T/socat.err" &
	SOCAT=$!
	trap 'kill $SOCAT 2>/dev/null; cat "$T/socat.err" >&2; rm -rf "$T"' EXIT
	wait_for "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $PORT)).close()'"
	ok $? "socat listens on 127.0.0.1:$PORT"
}

# mtad_start [ARGS...]: start mtad -f on the instance (its listen
# settings already written), in the background; $MTAD_PID is the
# master.  Waits until every address in $MTAD_WAIT (host:port words,
# default 127.0.0.1:$PORT) accepts connections.  1 if it did not.
mtad_start() {
	$HK_RUN "$HIKYAKU" mtad -f -P "$T/mtad.pid" "$@" 2>>"$T/mtad.err" &
	MTAD_PID=$!
	for _a in ${MTAD_WAIT:-127.0.0.1:$PORT}; do
		wait_for "python3 -c 'import socket,sys; socket.create_connection((\"${_a%:*}\", ${_a##*:}), 1).close()'" 10 ||
			return 1
	done
	# what the probes above left in the log is not the test's
	return 0
}

# mtad_stop: SIGTERM, and wait; its exit status.
mtad_stop() {
	[ -n "${MTAD_PID:-}" ] || return 0
	kill -TERM "$MTAD_PID" 2>/dev/null
	wait "$MTAD_PID"
	_rc=$?
	MTAD_PID=
	return $_rc
}

# mtad_kids: the process IDs of the master's children named NAME.
mtad_kids() {
	for _p in $(pgrep -P "$MTAD_PID" 2>/dev/null); do
		[ "$(cat "/proc/$_p/comm" 2>/dev/null)" = "$1" ] && echo "$_p"
	done
}
