#!/bin/sh
# Configuration: -C, $HIKYAKU_CONF, the default file, errors with
# file:line and exit 78, and README's reference against the code.
. "$(dirname "$0")/lib.sh"
instance
top=$(cd "$(dirname "$0")/../.." && pwd)

hk mailq -C "$T/nope.conf" >/dev/null 2>"$T/err"; rc=$?
is "$rc" 78 "-C naming a missing file: 78 (EX_CONFIG)"
like "$(cat "$T/err")" "$T/nope.conf" "the message names the file"

HIKYAKU_CONF=$T/missing.conf hk mailq >/dev/null 2>"$T/err"; rc=$?
is "$rc" 78 "\$HIKYAKU_CONF naming a missing file: 78"
like "$(cat "$T/err")" "missing.conf" "the message names it"

cp "$I/hikyaku.conf" "$T/bad.conf"
printf 'max_rcpt = many\n' >> "$T/bad.conf"
line=$(wc -l < "$T/bad.conf")
hk sendmail -C "$T/bad.conf" -bp >/dev/null 2>"$T/err"; rc=$?
is "$rc" 78 "a bad value: 78"
like "$(cat "$T/err")" "bad.conf:$line: max_rcpt: bad number 'many'" "file:line, key and value named"

printf 'hostname = x.example\nfrobs = 3\n' > "$T/bad2.conf"
hk mailq -C "$T/bad2.conf" >/dev/null 2>"$T/err"; rc=$?
is "$rc" 78 "an unknown key: 78"
like "$(cat "$T/err")" "bad2.conf:2: unknown key 'frobs'" "file:line and the key named"

hk sendmail -C "$T/bad2.conf" -i bob </dev/null 2>/dev/null; rc=$?
is "$rc" 78 "sendmail refuses to queue with a broken config"
is "$(ls "$I/spool/env" 2>/dev/null | wc -l)" 0 "and queues nothing"

out=$(hk --config | grep '^spool = ')
is "$out" "spool = $I/spool" "--config shows the value in force (via \$HIKYAKU_CONF)"
out=$(hk --config -C "$I/hikyaku.conf" | grep '^max_size = ')
is "$out" "max_size = 35M" "--config shows defaults for keys not set"

# The README's configuration table and the code's key table agree:
# every key, in the same order, with the same default.
hk --config-defaults | awk -F'\t' '{ d = $2; if (d == "") d = "(none)"; print $1 " | " d }' > "$T/code"
sed -n '/^| key | default |/,/^$/p' "$top/README.md" | sed '1,2d;/^$/d' |
	awk -F'|' '{ k = $2; d = $3; gsub(/^ *`?|`? *$/, "", k); gsub(/^ *`?|`? *$/, "", d); print k " | " d }' > "$T/readme"
if diff "$T/code" "$T/readme" > "$T/diff"; then
	ok 0 "README's configuration reference matches the code's key table"
else
	ok 1 "README's configuration reference matches the code's key table"
	sed 's/^/#   /' "$T/diff"
fi
done_testing
