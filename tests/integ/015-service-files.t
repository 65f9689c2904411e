#!/bin/sh
# mtad's service files.  make install puts the systemd unit and the SysV
# init script where they belong, with their modes, and installs no
# configuration (nor overwrites one); systemd-analyze accepts the unit;
# the init script answers as the LSB says on a stopped instance; and, as
# root with mtad in the build, it drives an instance of its own end to
# end (start, status, reload, stop, status), with start-stop-daemon and
# with plain kill.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
D=$T/dest
UNIT=$D/lib/systemd/system/hikyaku.service
INIT=$D/etc/init.d/hikyaku
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# The binary under test as it is (-o: never rebuilt, whatever its name
# or machine); not stripped, so that any build will do.
inst() {
	MAKEFLAGS='' MAKELEVEL='' make -s -C "$ROOT" -o "$HIKYAKU" install \
	    DESTDIR="$D" BIN="$HIKYAKU" STRIP=true RUN="$HK_RUN" \
	    >"$T/make.out" 2>&1
}
inst
ok $? "make install DESTDIR=... works"
sed 's/^/# /' "$T/make.out"
is "$(stat -c %a "$UNIT" 2>&1)" 644 "the unit is in DESTDIR/lib/systemd/system, mode 0644"
is "$(stat -c %a "$INIT" 2>&1)" 755 "the init script is in DESTDIR/etc/init.d, mode 0755"
cmp -s "$UNIT" "$ROOT/scripts/hikyaku.service" && cmp -s "$INIT" "$ROOT/scripts/init.d/hikyaku"
ok $? "both as they are in scripts/"
exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$UNIT")
is "$exe" /usr/sbin/hikyaku "the unit runs /usr/sbin/hikyaku"
test -x "$D$exe"; ok $? "which is where make install put the binary"
like "$(grep '^ExecStart=' "$UNIT")" "mtad -f\$" "in the foreground, supervised by systemd"
grep -q '^User=' "$UNIT"; is "$?" 1 "with no User=: the master stays root to deliver as each user"
test -e "$D/etc/hikyaku.conf"; is "$?" 1 "no configuration is installed"
echo "hostname = kept.example" > "$D/etc/hikyaku.conf"
inst
is "$(cat "$D/etc/hikyaku.conf")" "hostname = kept.example" "a second install leaves an existing hikyaku.conf alone"

if command -v systemd-analyze >/dev/null 2>&1; then
	# the unit as installed, but for the binary's path: verify wants
	# its ExecStart to exist on this machine
	mkdir "$T/verify"
	sed "s|/usr/sbin/hikyaku|$D/usr/sbin/hikyaku|" "$UNIT" > "$T/verify/hikyaku.service"
	systemd-analyze verify "$T/verify/hikyaku.service" >"$T/verify.out" 2>&1
	is "$?" 0 "systemd-analyze verify accepts the unit"
	is "$(cat "$T/verify.out")" "" "without a warning"
else
	skip "systemd-analyze is not installed: the unit is not verified"
	skip "systemd-analyze is not installed: the unit is not verified"
fi
if command -v shellcheck >/dev/null 2>&1; then
	shellcheck "$ROOT/scripts/init.d/hikyaku" "$ROOT/tests/integ/smtp-source" >"$T/sc.out" 2>&1
	ok $? "shellcheck finds nothing in the init script or the smtp-source wrapper"
	sed 's/^/# /' "$T/sc.out" | head -20
else
	skip "shellcheck is not installed"
fi

grep -q '^# Provides:.*[[:space:]]mail-transport-agent' "$INIT"
ok $? "the init script provides mail-transport-agent"
sed -n '/^### BEGIN INIT INFO$/,/^### END INIT INFO$/p' "$INIT" |
    grep -c '^# \(Required-Start\|Required-Stop\|Default-Start\|Default-Stop\|Short-Description\):' >"$T/n"
is "$(cat "$T/n")" 5 "inside an LSB header with its start and stop fields"

# A stopped instance: the init script with the test's paths.
mkdir -p "$T/run"
export HIKYAKU_BIN="$HIKYAKU" HIKYAKU_PIDFILE="$T/run/hikyaku.pid"
"$INIT" status >"$T/out" 2>&1; rc=$?
is "$rc" 3 "status of a stopped mtad exits 3"
like "$(cat "$T/out")" "mtad is not running" "and says so"
dead=$(sh -c 'echo $$')
echo "$dead" > "$HIKYAKU_PIDFILE"
"$INIT" status >"$T/out" 2>&1; rc=$?
is "$rc" 1 "a pid file left by a dead mtad: 1"
like "$(cat "$T/out")" "not running, but .*hikyaku.pid is there" "and says so"
echo $$ > "$HIKYAKU_PIDFILE"
"$INIT" status >/dev/null 2>&1
is "$?" 1 "a pid file naming another program is no running mtad"
"$INIT" stop >"$T/out" 2>&1; rc=$?
is "$rc" 0 "stop when mtad does not run: 0"
test -e "$HIKYAKU_PIDFILE"; is "$?" 1 "and the stale pid file is gone"
"$INIT" reload >/dev/null 2>&1
is "$?" 7 "reload when mtad does not run: 7"
"$INIT" frobnicate >/dev/null 2>"$T/err"; rc=$?
is "$rc" 2 "an unknown action: 2"
like "$(cat "$T/err")" "^usage: .*start\|stop\|restart\|reload\|force-reload\|status" "with the usage"
HIKYAKU_BIN=$T/none "$INIT" start >/dev/null 2>&1
is "$?" 5 "start with no binary: 5 (not installed)"

# End to end, on a real mtad; the reason to skip is found at run time,
# so this starts running when mtad is built.
e2e_why=""
hk mtad --help >/dev/null 2>&1
if [ $? -eq 69 ]; then
	e2e_why="mtad not in this build"
elif [ "$(id -u)" -ne 0 ]; then
	e2e_why="needs root (the init script starts mtad as root)"
elif [ -n "$HK_RUN" ]; then
	e2e_why="the init script runs the binary itself, not through $HK_RUN"
fi

# nossd CMD...: CMD where start-stop-daemon cannot be found
nossd() {
	unshare -m sh -c 'p=$(command -v start-stop-daemon) &&
	    mount --bind /dev/null "$p"; exec "$@"' sh "$@"
}

# e2e HOW [RUNNER]: the whole life of an instance through the script
e2e() {
	how=$1; shift
	"$@" "$INIT" start >"$T/out" 2>&1; rc=$?
	is "$rc" 0 "$how: start exits 0"
	[ "$rc" -eq 0 ] || { sed 's/^/# /' "$T/out"; tail -5 "$I/log" | sed 's/^/# /'; }
	pid=$(cat "$HIKYAKU_PIDFILE" 2>/dev/null)
	"$@" "$INIT" status >"$T/out" 2>&1; rc=$?
	is "$rc" 0 "$how: status exits 0"
	like "$(cat "$T/out")" "mtad is running \\(pid $pid\\)" "$how: and names the pid in $HIKYAKU_PIDFILE"
	banner=$("$PY" -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
s.settimeout(10)
print(s.recv(512).decode(errors="replace").split(" ")[0])' "$port" 2>&1)
	is "$banner" 220 "$how: the instance answers SMTP on its port"
	before=$(grep -ci reload "$I/log")
	"$@" "$INIT" reload >/dev/null 2>&1; rc=$?
	is "$rc" 0 "$how: reload exits 0"
	wait_for "[ \$(grep -ci reload '$I/log') -gt $before ]" 10
	ok $? "$how: and mtad logs that it reloaded"
	kill -0 "$pid" 2>/dev/null && [ "$(cat "$HIKYAKU_PIDFILE")" = "$pid" ]
	ok $? "$how: the same master runs on after SIGHUP"
	"$@" "$INIT" stop >/dev/null 2>&1; rc=$?
	is "$rc" 0 "$how: stop exits 0"
	kill -0 "$pid" 2>/dev/null; is "$?" 1 "$how: the master is gone"
	test -e "$HIKYAKU_PIDFILE"; is "$?" 1 "$how: and its pid file"
	"$@" "$INIT" status >/dev/null 2>&1
	is "$?" 3 "$how: status exits 3 again"
}

if [ -n "$e2e_why" ]; then
	skip "init script end to end: $e2e_why"
else
	instance
	port=$("$PY" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	sed -i "s/^listen =.*/listen = 127.0.0.1:$port/" "$I/hikyaku.conf"
	export HIKYAKU_CONF="$I/hikyaku.conf"
	if command -v start-stop-daemon >/dev/null 2>&1; then
		e2e "with start-stop-daemon"
	else
		skip "init script end to end with start-stop-daemon: there is none"
	fi
	if unshare -m true 2>/dev/null; then
		e2e "with plain kill" nossd
	else
		skip "init script end to end with plain kill: unshare -m cannot hide start-stop-daemon"
	fi
	# whatever failed above, no mtad outlives the test
	pid=$(cat "$HIKYAKU_PIDFILE" 2>/dev/null) && kill "$pid" 2>/dev/null
fi
done_testing
