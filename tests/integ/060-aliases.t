#!/bin/sh
# /etc/aliases and newaliases as the textbooks show them: edit the file,
# run newaliases, and mail to the alias goes where the file says; the
# database is a real cdb; errors name file:line and keep the old one.
. "$(dirname "$0")/lib.sh"
instance
echo "default_user = carol" >> "$I/hikyaku.conf"
send() { s=$1; shift; printf 'Subject: %s\n\nbody of %s\n' "$s" "$s" | hk sendmail -odq "$@"; }
run() { hk sendmail -q; }

cat > "$I/aliases" <<ALIASES
# the textbook's two forms
root: alice, bob
postmaster: root
Staff: carol,
	bob
ALIASES
out=$(hk newaliases); rc=$?
is "$rc" 0 "newaliases exits 0"
is "$out" "$I/aliases: 3 aliases, longest 10 bytes, 43 bytes total" "and says what it compiled, as sendmail does"
[ -f "$I/aliases.db" ]; ok $? "aliases.db is there"
is "$(stat -c %a "$I/aliases.db")" 644 "readable by all, writable by its owner"

# the database is DJB's cdb: read it with an independent reader
python3 - "$I/aliases.db" > "$T/cdb.txt" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
def h(k):
    v = 5381
    for c in k:
        v = (((v << 5) + v) & 0xffffffff) ^ c
    return v
def find(k):
    x = h(k); tpos, tlen = struct.unpack_from('<II', d, (x & 255) * 8)
    for j in range(tlen):
        hv, pos = struct.unpack_from('<II', d, tpos + (((x >> 8) + j) % tlen) * 8)
        if pos == 0: return None
        if hv == x:
            kl, dl = struct.unpack_from('<II', d, pos)
            if d[pos + 8:pos + 8 + kl] == k: return d[pos + 8 + kl:pos + 8 + kl + dl]
for k in (b'root', b'postmaster', b'staff', b'Staff', b'nobody'):
    print(k.decode(), find(k))
PY
is "$(cat "$T/cdb.txt")" "root b'alice, bob'
postmaster b'root'
staff b'carol, bob'
Staff None
nobody None" "an independent cdb reader finds lower-cased keys, no NUL"

send hello-root root
send hello-pm PostMaster
run
is "$(mbox_count "$I/mail/alice")" 2 "root: alice, bob -> alice got both"
is "$(mbox_count "$I/mail/bob")" 2 "and bob"
grep -q '^Delivered-To: alice@test.example$' "$I/mail/alice"; ok $? "Delivered-To names the final user"
grep -q 'orig_to=<PostMaster@test.example>, via=alias postmaster > alias root' "$I/log"
ok $? "the log shows the way through the aliases"
is "$(hk mailq)" "Mail queue is empty" "nothing left in the queue"

# an edit takes effect only with newaliases, and a warning says so
echo "news: carol" >> "$I/aliases"
touch -d '+2 seconds' "$I/aliases"
send before-newaliases news
run
grep -q "is newer than $I/aliases.db: run newaliases" "$I/log"; ok $? "a stale database is logged on use"
grep -q 'status=bounced (5.1.1 unknown user: "news")' "$I/log"; ok $? "and the new alias is not used yet"
hk newaliases >/dev/null
send after-newaliases news
run
grep -q '^Subject: after-newaliases' "$I/mail/carol"; ok $? "after newaliases it is"

# -bv shows the way without delivering
rm -f "$I/mail/"*
out=$(hk sendmail -bv postmaster)
like "$out" "^postmaster@test.example\.\.\. deliverable: mailer local, user alice, via alias postmaster > alias root$" "-bv: user and chain"
like "$out" "user bob, via alias postmaster > alias root$" "-bv: every destination"
[ ! -e "$I/mail/alice" ]; ok $? "-bv delivers nothing"

# self-reference, duplicates, loops, depth
cat > "$I/aliases" <<ALIASES
alice: alice, bob
team: alice, bob, Bob, bob@test.example, team2
team2: bob, carol
loop1: loop2
loop2: loop3
loop3: loop1
ALIASES
i=0
while [ $i -lt 25 ]; do i=$((i + 1)); echo "deep$((i - 1)): deep$i" >> "$I/aliases"; done
echo "deep25: carol" >> "$I/aliases"
hk newaliases >/dev/null
send self alice
run
is "$(mbox_count "$I/mail/alice")" 1 "alice: alice, bob -> alice's own mailbox too"
is "$(mbox_count "$I/mail/bob")" 1 "and bob"
rm -f "$I/mail/"*
send dups team
run
is "$(mbox_count "$I/mail/bob")" 1 "bob named four ways gets one copy"
is "$(mbox_count "$I/mail/carol")" 1 "carol through a nested alias"
rm -f "$I/mail/"*
send looping -f bob@test.example loop1
run
is "$(mbox_count "$I/mail/bob")" 1 "an alias loop bounces to the sender"
grep -q 'mail forwarding loop: alias loop1 > alias loop2 > alias loop3 > loop1' "$I/mail/bob"
ok $? "the bounce says it is a loop, with the chain"
rm -f "$I/mail/"*
send deep -f bob@test.example deep0
run
grep -q 'nested more than 20 deep' "$I/mail/bob"; ok $? "a chain too deep bounces, saying so"
[ ! -e "$I/mail/carol" ]; ok $? "and delivers nothing at its end"

# :include: files
rm -f "$I/mail/"*
printf 'bob\n# a comment\ncarol, alice\n' > "$I/list"
chmod 644 "$I/list"
printf 'list: :include:%s\nmissing: :include:%s/nope\nopen: :include:%s/open\n' \
	"$I/list" "$I" "$I" > "$I/aliases"
printf 'carol\n' > "$I/open"; chmod 666 "$I/open"
hk newaliases >/dev/null
send inc list
run
is "$(cat "$I/mail/alice" "$I/mail/bob" "$I/mail/carol" | grep -c '^Subject: inc')" 3 "an include file's users all get it"
send lost-include missing
run
like "$(hk mailq)" "4.3.0 cannot open include file $I/nope: No such file" "a missing include file: temporary, the message waits"
printf 'bob\n' > "$I/nope"; chmod 644 "$I/nope"
run
is "$(grep -c '^Subject: lost-include' "$I/mail/bob")" 1 "and goes out once the file is back"
send open-include open
run
grep -q "ignoring include file $I/open: it is writable by others" "$I/log"; ok $? "an include writable by others is ignored with a warning"
is "$(grep -c '^Subject: open-include' "$I/mail/carol")" 0 "nobody gets mail through it"
like "$(hk mailq)" "no usable destination" "the message waits, saying why"

# syntax errors: file:line, exit 65, old database kept
cp "$I/aliases.db" "$T/db.before"
printf 'ok: bob\nbroken "a\n' > "$I/aliases"
hk newaliases > /dev/null 2>"$T/err"; rc=$?
is "$rc" 65 "a syntax error exits 65 (EX_DATAERR)"
is "$(cat "$T/err")" "newaliases: fatal: $I/aliases:2: missing ':' after the alias name" "and names file:line"
cmp -s "$I/aliases.db" "$T/db.before"; ok $? "the old database is untouched"
ls "$I" | grep -q 'aliases.db.tmp'; is "$?" 1 "no temporary file left behind"
printf 'a: b\nc: "|unterminated\n' > "$I/aliases"
hk newaliases 2>&1 | grep -q "aliases:2: unterminated quoted destination"; ok $? "a bad destination names its line"
printf 'dup: bob\ndup: carol\n' > "$I/aliases"
hk newaliases > "$T/out" 2>"$T/err"; rc=$?
is "$rc" 0 "a duplicate is not fatal"
like "$(cat "$T/err")" "aliases:2: duplicate alias \"dup\" \(first at line 1\), ignored" "but warned about"
hk sendmail -bi > /dev/null 2>&1; ok $? "sendmail -bi is newaliases"

done_testing
