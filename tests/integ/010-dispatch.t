#!/bin/sh
# The multi-call binary: names, --list, --install, unknown applets,
# applets not in this build, usage errors, and the set-user-ID refusal.
. "$(dirname "$0")/lib.sh"
instance

list=$(hk --list | tr '\n' ' ')
is "$list" "mail mailq mailx mtad netstat netstat-lite newaliases pop3d sendmail " \
	"--list names every applet of the design, sorted"

hk nosuch >/dev/null 2>"$T/err"; rc=$?
is "$rc" 127 "an unknown applet exits 127"
like "$(cat "$T/err")" "nosuch: applet not found" "and says so"

ln -s "$HIKYAKU" "$T/frobnicate"
$HK_RUN "$T/frobnicate" >/dev/null 2>&1; is "$?" 127 "called by an unknown name: 127"

hk pop3d >/dev/null 2>"$T/err"; rc=$?
is "$rc" 69 "an applet not built yet exits 69 (EX_UNAVAILABLE)"
like "$(cat "$T/err")" "pop3d: not available in this build yet" "and says so"

mkdir "$T/bin" "$T/sbin"
hk --install "$T/bin"; ok $? "--install DIR"
n=$(find "$T/bin" -type f -samefile "$HIKYAKU" | wc -l)
is "$n" 9 "nine hard links to the binary"
hk --install -s "$T/sbin"; ok $? "--install -s DIR"
is "$(readlink "$T/sbin/mailq")" "$(readlink -f "$HIKYAKU")" "symbolic links point at the binary"
echo "another MTA" > "$T/other"; mkdir "$T/mixed"; cp "$T/other" "$T/mixed/sendmail"
hk --install "$T/mixed" 2>"$T/err"; rc=$?
is "$rc" 73 "--install over a foreign file: 73 (EX_CANTCREAT)"
like "$(cat "$T/err")" "sendmail exists and is not hikyaku: left alone" "and says which file it left alone"
is "$(cat "$T/mixed/sendmail")" "another MTA" "the foreign file is untouched"
hk --install "$T/bin"; ok $? "--install again over its own links is fine"
mkdir "$T/usr"; cp "$HIKYAKU" "$T/usr/hikyaku"
$HK_RUN "$T/usr/hikyaku" --install -s "$T/usr"
is "$(readlink "$T/usr/sendmail")" "hikyaku" "links beside the binary are relative (staged installs stay right)"
out=$($HK_RUN "$T/bin/mailq")
is "$out" "Mail queue is empty" "mailq called by its link name works"
out=$($HK_RUN "$T/sbin/sendmail" -bp)
is "$out" "Mail queue is empty" "sendmail -bp through a symlink works"

hk sendmail --help >"$T/out"; rc=$?
is "$rc" 0 "sendmail --help exits 0"
like "$(head -1 "$T/out")" "^usage: sendmail" "and prints its usage"
hk mailq --help | grep -q "^usage: mailq"; ok $? "mailq --help prints its usage"
hk sendmail -X 2>/dev/null </dev/null; is "$?" 64 "an unknown sendmail option exits 64"
hk sendmail -bz 2>/dev/null </dev/null; is "$?" 64 "an unknown -b mode exits 64"
hk mailq -z 2>/dev/null; is "$?" 64 "an unknown mailq option exits 64"
rm -f "$I/aliases"
hk sendmail -bi 2>"$T/err"; rc=$?
is "$rc" 66 "sendmail -bi (newaliases) without an aliases file: 66 (EX_NOINPUT)"
like "$(cat "$T/err")" "cannot open $I/aliases: No such file" "and says which file"
hk 2>/dev/null; is "$?" 64 "hikyaku alone: usage, 64"

case $(basename "$HIKYAKU") in *asan*) sanitized=1 ;; *) sanitized=0 ;; esac
if [ "$sanitized" = 1 ]; then
	skip "the sanitizer runtime itself refuses set-user-ID binaries"
	skip "the sanitizer runtime itself refuses set-user-ID binaries"
elif [ -n "$HK_RUN" ]; then
	skip "a set-user-ID bit does nothing to a binary run by $HK_RUN"
	skip "a set-user-ID bit does nothing to a binary run by $HK_RUN"
elif [ "$(id -u)" -eq 0 ]; then
	cp "$HIKYAKU" "$T/suid"
	chown nobody "$T/suid" && chmod 4755 "$T/suid"
	"$T/suid" mailq >/dev/null 2>"$T/err"; rc=$?
	is "$rc" 77 "started set-user-ID: refused with 77 (EX_NOPERM)"
	like "$(cat "$T/err")" "refusing to run set-user-ID" "and says why"
else
	skip "set-user-ID refusal needs root to make a setuid copy"
	skip "set-user-ID refusal message needs root"
fi
done_testing
