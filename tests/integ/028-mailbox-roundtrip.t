#!/bin/sh
# Round trip through the one mailbox writer, read back by two readers:
# what delivery (mbox, Maildir, a /file alias), mail's save and record
# write, hikyaku's reader (mail -H, mail -f and its w command) and
# Python's mailbox module see as the same messages, bodies byte for
# byte.  Then the two faults of the old split writers (an mbox whose
# last message lacks its empty line; a sender with a space in its
# quoted local part), the rollback of a save that hits the file size
# limit, and Maildir files that never replace one another.
. "$(dirname "$0")/lib.sh"
instance
export MAILRC=/dev/null
command -v python3 >/dev/null || { skip "needs python3"; done_testing; }
cat >> "$I/hikyaku.conf" <<CONF
default_user = carol
CONF
echo "archive: $I/mail/archive" > "$I/aliases"
hk newaliases >/dev/null
sed 's|^mailbox = .*|mailbox = maildir:%h/Maildir/|' "$I/hikyaku.conf" > "$I/md.conf"

# The bodies, each sent as "Subject: NAME", blank line, body; exp/NAME
# is the body a reader must give back (sendmail stores LF line ends).
mkdir -p "$T/in" "$T/exp"
body() { printf "$2" > "$T/in/$1"; printf "${3:-$2}" > "$T/exp/$1"; }
body fromlines 'From the start\n>From quoted\n>>From twice\nFrom\nplain\n'
body nonl 'no newline at the end' 'no newline at the end\n'
body headers ''
body crlf 'line one\r\nline two\r\n\r\nFrom x\r\n' 'line one\nline two\n\nFrom x\n'
body eightbit 'caf\303\251 \351\377\200\n'
body blanks '\nFrom after an empty line\n\n>From x\n\n'
NAMES="fromlines nonl headers crlf eightbit blanks"
send() {	# send CONF RCPT: every body, then a queue run
	for n in $NAMES; do
		if [ "$n" = headers ]; then printf 'Subject: headers\n'
		else printf 'Subject: %s\n\n' "$n"; cat "$T/in/$n"; fi |
		    hk sendmail -C "$1" -odq -i "$2"
	done
	hk sendmail -C "$1" -q
}

# Python's view: per message in mailbox order, "SUBJECT HEX-OF-BODY";
# mbox bodies unquoted by mboxrd's rule (one '>' less on ^>+From ).
cat > "$T/rd.py" <<'PY'
import mailbox, re, sys
kind, path = sys.argv[1], sys.argv[2]
if kind == "mbox":
    mb = mailbox.mbox(path, create=False)
    keys = list(mb.keys())
else:
    mb = mailbox.Maildir(path, factory=None, create=False)
    keys = sorted(mb.keys())
for k in keys:
    raw = mb.get_bytes(k)
    e = re.search(rb"\n\r?\n", raw)
    head, body = (raw, b"") if e is None else (raw[:e.start() + 1],
                                              raw[e.end():])
    if kind == "mbox":
        body = re.sub(rb"(?m)^>(>*From )", rb"\1", body)
    m = re.search(rb"(?m)^Subject: (.*)$", head)
    print((m.group(1).decode() if m else "-"), body.hex() or "-")
PY
hexof() { od -An -tx1 -v "$1" | tr -d ' \n'; }

# check WHAT KIND PATH [CR]: both readers against exp/ and each other
check() {
	py=$(python3 "$T/rd.py" "$2" "$3"); rc=$?
	ok $rc "$1: Python's mailbox reads it"
	is "$(echo "$py" | wc -l)" 6 "$1: Python sees 6 messages"
	is "$(hk mail -H -f "$3" | wc -l)" 6 "$1: mail -H sees 6 messages"
	bad=""; i=0; cmds=""
	echo "$py" > "$T/py"
	while read -r s h; do
		i=$((i + 1))
		[ "$h" = - ] && h=""
		[ "$h" = "$(hexof "$T/exp/$s")" ] || bad="$bad $s(python)"
		cmds="${cmds}w $i $T/w.$i
"
	done < "$T/py"
	rm -f "$T"/w.*
	printf '%sq\n' "$cmds" | hk mail -N -f "$3" >/dev/null 2>&1
	i=0
	while read -r s h; do
		i=$((i + 1))
		[ "$h" = - ] && h=""
		[ "$h" = "$(hexof "$T/w.$i")" ] || bad="$bad $s(mail)"
	done < "$T/py"
	is "$bad" "" "$1: every body byte for byte, by both readers"
}

send "$I/hikyaku.conf" bob
check "mbox delivery" mbox "$I/mail/bob"
send "$I/md.conf" carol
is "$(ls "$I/home/carol/Maildir/new" | wc -l)" 6 "six deliveries in one run (the same second): six files in new/"
check "Maildir delivery" maildir "$I/home/carol/Maildir"
send "$I/hikyaku.conf" archive
check "/file alias" mbox "$I/mail/archive"

# mail's save, from an mbox and from a Maildir, into an mbox
printf 's 1-6 %s\nq\n' "$T/saved" | hk mail -N -f "$I/mail/bob" >/dev/null 2>&1
check "save from an mbox" mbox "$T/saved"
printf 's 1-6 %s\nx\n' "$T/saved2" | hk mail -N -f "$I/home/carol/Maildir" >/dev/null 2>&1
check "save from a Maildir" mbox "$T/saved2"

# save keeps a message as it is in the mailbox: CRLF lines written by
# another program stay CRLF
printf 'From a@b Sat Nov 28 00:19:43 2026\r\nSubject: crlf\r\n\r\nline one\r\n>From here\r\n\n' > "$T/crbox"
printf 's 1 %s\nx\n' "$T/crsaved" | hk mail -N -f "$T/crbox" >/dev/null 2>&1
is "$(python3 "$T/rd.py" mbox "$T/crsaved" | cut -d' ' -f2)" \
   "$(python3 "$T/rd.py" mbox "$T/crbox" | cut -d' ' -f2)" \
   "save keeps CRLF lines: Python reads the same body in both"

# record: a copy of what mail sends (mail runs sendmail to send it)
if [ -n "$self_exec_why" ]; then
	skip "$self_exec_why"
else
	printf 'set record=%s\n' "$T/record" > "$T/mailrc"
	printf 'From the start\ncaf\303\251\n' > "$T/exp/rec"
	MAILRC="$T/mailrc" hk mail -s rec bob < "$T/exp/rec"
	py=$(python3 "$T/rd.py" mbox "$T/record")
	is "$py" "rec $(hexof "$T/exp/rec")" "record: Python reads the message, body byte for byte"
fi

# 1. an mbox whose last message lacks its empty line, then a delivery
printf 'From a@b Sat Nov 28 00:19:43 2026\nSubject: one\n\nbody one\n' > "$I/mail/alice"
[ "$(id -u)" -eq 0 ] && chown "$UID_ALICE" "$I/mail/alice"
printf 'Subject: two\n\nbody two\n' | hk sendmail -odq alice
hk sendmail -q
is "$(hk mail -H -f "$I/mail/alice" | wc -l)" 2 "no empty line before a delivery: mail -H sees 2 messages"
is "$(python3 "$T/rd.py" mbox "$I/mail/alice" | wc -l)" 2 "and Python too"
is "$(python3 "$T/rd.py" mbox "$I/mail/alice" | head -1)" "one $(printf 'body one\n' | od -An -tx1 -v | tr -d ' \n')" \
   "the first keeps its body, no more, no less"

# 2. a quoted local part with a space in the From_ line
printf 'Subject: quoted\n\nx\n' | hk sendmail -odq -f '"john doe"@ex.org' alice
hk sendmail -q
h=$(hk mail -H -f "$I/mail/alice" | tail -1)
like "$h" ' [A-Z][a-z][a-z] [A-Z][a-z][a-z] [ 0-9][0-9] [0-9][0-9]:[0-9][0-9] +[0-9]+/[0-9]+ +quoted$' \
   "a quoted sender with a space: mail -H has the date in its column"
case $h in *'doe"@ex.org '[A-Z]*) ok 1 "no word of the address in it: $h" ;;
	*) ok 0 "no word of the address in it" ;; esac
grep -q '^From "john_doe"@ex.org [A-Z][a-z][a-z] [A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]\{8\} [0-9]\{4\}$' "$I/mail/alice"
ok $? "the From_ line: sender with '_' for the space, then the asctime date"

# 3. a save that hits the file size limit leaves the target as it was
big=$T/bigbox
{ printf 'From a@b Sat Nov 28 00:19:43 2026\nSubject: big\n\n'
  awk 'BEGIN { for (i = 0; i < 3000; i++) printf "line %05d of a long message that will not fit\n", i }'
  printf '\n'; } > "$big"
printf 'From a@b Sat Nov 28 00:19:43 2026\nSubject: small\n\nno empty line after me\n' > "$T/target"
before=$(cksum < "$T/target")
( ulimit -f 20; printf 's 1 %s\nx\n' "$T/target" | hk mail -N -f "$big" >"$T/out" 2>&1 )
is "$(cksum < "$T/target")" "$before" "file size limit during a save: the target byte-identical"
like "$(cat "$T/out")" "File too large" "and mail says why"

# 4. a delivery that hits it, into an mbox lacking its empty line
cp "$T/target" "$I/mail/carol"; [ "$(id -u)" -eq 0 ] && chown "$UID_CAROL" "$I/mail/carol"
tail -n +2 "$big" | hk sendmail -odq carol
( ulimit -f 20; hk sendmail -q )
is "$(cksum < "$I/mail/carol")" "$before" "file size limit during a delivery: byte-identical, the empty line added before it gone too"
done_testing
