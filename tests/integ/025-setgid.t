#!/bin/sh
# The privilege policy of a set-group-ID install: an ordinary user can
# queue mail through a copy of hikyaku that is setgid to the spool's
# group, and not without it; the queue runner as root delivers it.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null ||
   ! getent passwd mail >/dev/null || ! getent passwd nobody >/dev/null; then
	skip "needs root, setpriv and the mail and nobody accounts"
	done_testing
fi
case $(basename "$HIKYAKU") in *asan*)
	skip "the sanitizer runtime refuses set-group-ID binaries"
	done_testing ;;
esac
instance
mailgrp=$(id -gn mail)
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

hk sendmail -q; ok $? "root makes the spool"
is "$(stat -c '%U:%G %a' "$I/spool/tmp")" "mail:$mailgrp 770" "spool/tmp owned by mail, group-writable"

# copies the ordinary user can run, wherever the tree under test lives
mkdir "$T/sbin" "$T/plain"
cp "$HIKYAKU" "$T/sbin/hikyaku"
cp "$HIKYAKU" "$T/plain/hikyaku"
chgrp "$mailgrp" "$T/sbin/hikyaku" && chmod 2755 "$T/sbin/hikyaku"
chmod 0755 "$T/plain/hikyaku"
as_nobody "$T/plain/hikyaku" --list >/dev/null; ok $? "the ordinary user can run hikyaku at all"

printf 'Subject: plain\n\nx\n' | as_nobody "$T/plain/hikyaku" sendmail -odq bob 2>"$T/err"; rc=$?
ok "$([ "$rc" -ne 0 ]; echo $?)" "without the setgid copy an ordinary user cannot queue"
like "$(cat "$T/err")" "Permission denied" "and is told why"

printf 'Subject: via setgid\n\nhello from nobody\n' | as_nobody "$T/sbin/hikyaku" sendmail bob; rc=$?
is "$rc" 0 "through the setgid copy: queued, exit 0"
is "$(ls "$I/spool/env" | wc -l)" 1 "one entry in the spool"
sleep 1
is "$(ls "$I/spool/env" | wc -l)" 1 "nobody's background child leaves bob's mail to root"
out=$(as_nobody "$T/sbin/hikyaku" mailq)
like "$out" "^ {41}bob@test.example$" "the ordinary user can list the queue through it"
as_nobody "$T/plain/hikyaku" mailq >/dev/null 2>"$T/err"; ok "$([ $? -ne 0 ]; echo $?)" "but not without it"
like "$(cat "$T/err")" "Permission denied" "(permission denied)"

hk sendmail -q
is "$(mbox_count "$I/mail/bob")" 1 "root's queue run delivered it"
grep -q '^hello from nobody$' "$I/mail/bob"; ok $? "the body arrived"
grep -q '^Received: by test.example (hikyaku, from userid 65534)' "$I/mail/bob"; ok $? "Received: names the submitting uid"

done_testing
