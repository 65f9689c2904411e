# Shared by the shell integration tests: a TAP producer and a throw-away
# hikyaku instance (config, passwd file, spool, mailboxes) in one folder.
#
#   . "$(dirname "$0")/lib.sh"
#   instance            # makes $I with $I/hikyaku.conf, $I/passwd, $I/mail/
#   hk sendmail -i bob < msg     # runs an applet against the instance
#   ok COND-EXIT-STATUS "name"; is "$got" "$want" "name"; done_testing

HIKYAKU=${HIKYAKU:-$(cd "$(dirname "$0")/../.." && pwd)/hikyaku}
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
CONF
	export HIKYAKU_CONF="$I/hikyaku.conf"
}

hk() {	# hk APPLET ARGS...: run an applet of the binary under test
	"$HIKYAKU" "$@"
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
