#!/bin/sh
# mail as a sender: -s -c -b -r -a -E, aliases and record from the
# start-up file, the delivered bytes (headers, MIME, Bcc gone), and the
# refusals (a line break in the subject or an address, a bad address,
# a missing attachment) that must queue nothing; and the hand-off to
# sendmail: recipients beginning with '-', its failure, sendwait.
. "$(dirname "$0")/lib.sh"
if [ -n "$self_exec_why" ]; then
	skip "$self_exec_why"
	done_testing
fi
instance
# sendwait: delivered before mail returns, so the mailbox can be read
printf 'set sendwait\n' > "$T/rc"
export MAILRC="$T/rc"
m() { hk mail -n "$@"; }
bob=$I/mail/bob carol=$I/mail/carol alice=$I/mail/alice

printf 'Hello Bob,\nthe meeting is at ten.\n' | m -s 'meeting' bob 2>"$T/err"; rc=$?
is "$rc" 0 "mail -s meeting bob: exit 0"
is "$(cat "$T/err")" "" "sendwait delivers quietly (no log on the terminal)"
is "$(mbox_count "$bob")" 1 "bob got it"
grep -q '^Subject: meeting$' "$bob"; ok $? "Subject: as given"
grep -q '^To: bob@test.example$' "$bob"; ok $? "To: the qualified address"
grep -q "^From: .*$ME@test.example" "$bob"; ok $? "From: the sender"
grep -q '^Date: ' "$bob" && grep -q '^Message-ID: <' "$bob"; ok $? "Date: and Message-ID: added"
grep -q '^MIME-Version' "$bob"; is $? 1 "plain ASCII: no MIME fields (as bsd-mailx)"
is "$(sed -n '/^$/,$p' "$bob" | sed '1d;$d')" "Hello Bob,
the meeting is at ten." "the body exactly"
is "$(ls "$I/spool/env" 2>/dev/null | wc -l)" 0 "the queue is empty again"

# -c and -b: everyone gets it, nobody sees Bcc
rm -f "$I/mail/"*
echo 'copies' | m -s 'cc and bcc' -c alice -b 'carol@test.example' bob; rc=$?
is "$rc" 0 "-c alice -b carol: exit 0"
for u in alice bob carol; do
	is "$(mbox_count "$I/mail/$u")" 1 "$u got one copy"
done
grep -qi '^Bcc:' "$alice" "$bob" "$carol"; is $? 1 "no Bcc: in any copy"
grep -q '^Cc: alice@test.example$' "$bob"; ok $? "Cc: in the message"
grep -qi 'carol' "$bob"; is $? 1 "the blind recipient's name is nowhere in bob's copy"

# -r: the sender, in From: and in the envelope
rm -f "$I/mail/"*
echo 'from ursula' | m -s 'r' -r 'Ursula K <ursula@example.org>' bob; rc=$?
is "$rc" 0 "-r: exit 0"
grep -q '^From: Ursula K <ursula@example.org>$' "$bob"; ok $? "-r sets From:"
grep -q '^From ursula@example.org ' "$bob"; ok $? "-r sets the envelope sender (From_ line)"
grep -q '^Return-Path: <ursula@example.org>$' "$bob"; ok $? "and Return-Path"

# not a terminal: a "." line and tildes are text; all of stdin is the body
rm -f "$I/mail/"*
printf 'before\n.\n~s not a subject\nafter\n' | m -s dots bob
grep -q '^after$' "$bob"; ok $? "not on a terminal a '.' line does not end the body"
grep -q '^~s not a subject$' "$bob"; ok $? "and a tilde line is text"

# -E: an empty body sends nothing; without -E it is sent
rm -f "$I/mail/"*
m -E -s empty bob < /dev/null; rc=$?
is "$rc" 0 "-E with an empty body: exit 0"
is "$(mbox_count "$bob")" 0 "and nothing was sent"
ok "$(spool_empty; echo $?)" "nothing queued"
m -s empty bob < /dev/null; is $? 0 "without -E an empty body is sent"
is "$(mbox_count "$bob")" 1 "and arrives"

# Japanese: RFC 2047 subject, UTF-8 8bit body
rm -f "$I/mail/"*
printf 'こんにちは、ボブさん。\n日本語のメールです。\n' | m -s '会議の件について' bob; rc=$?
is "$rc" 0 "Japanese subject and body: exit 0"
like "$(grep '^Subject:' "$bob")" '^Subject: =\?UTF-8\?[BQ]\?' "subject RFC 2047 in UTF-8"
grep -q '会議' "$bob"; is $? 1 "no raw 8-bit text in the header"
grep -q '^Content-Type: text/plain; charset=UTF-8$' "$bob"; ok $? "charset=UTF-8"
grep -q '^Content-Transfer-Encoding: 8bit$' "$bob"; ok $? "8bit"
grep -q '^日本語のメールです。$' "$bob"; ok $? "the body as typed"
is "$(awk 'length($0) > 78 && !body { n++ } /^$/ { body = 1 } END { print n + 0 }' "$bob")" 0 "no header line over 78"

# a line over 998 octets: quoted-printable
rm -f "$I/mail/"*
head -c 1500 /dev/zero | tr '\0' 'z' | m -s long bob
grep -q '^Content-Transfer-Encoding: quoted-printable$' "$bob"; ok $? "a 1500-octet line: quoted-printable"
is "$(awk 'length($0) > 76' "$bob" | wc -l)" 0 "no line over 76"

# -a: multipart/mixed with the file in base64
rm -f "$I/mail/"*
printf 'PDF\001\002\377 data\n' > "$T/report.pdf"
echo 'see the report' | m -s attach -a "$T/report.pdf" bob; rc=$?
is "$rc" 0 "-a: exit 0"
grep -q '^Content-Type: multipart/mixed; boundary="' "$bob"; ok $? "multipart/mixed"
grep -q '^Content-Disposition: attachment; filename="report.pdf"$' "$bob"; ok $? "the attachment named"
grep -q '^Content-Transfer-Encoding: base64$' "$bob"; ok $? "base64"
b64=$(base64 < "$T/report.pdf")
grep -q "^$b64\$" "$bob"; ok $? "the file's bytes, base64-encoded"
grep -q '^see the report$' "$bob"; ok $? "the text part"

# aliases and record from the start-up file (MAILRC)
rm -f "$I/mail/"*
printf 'set sendwait record=%s\nalias team bob carol\n' "$T/sent" > "$T/rc"
echo 'to the team' | m -s team team; rc=$?
is "$rc" 0 "mail to an alias: exit 0"
is "$(mbox_count "$bob")$(mbox_count "$carol")" 11 "both members got it"
grep -q '^To: bob@test.example, carol@test.example$' "$bob"; ok $? "To: the members"
is "$(mbox_count "$T/sent")" 1 "record: a copy in the record file"
grep -q '^to the team$' "$T/sent"; ok $? "with the body"

# a bad start-up file: FILE:LINE, and mail goes on
printf 'set sendwait\nfrobnicate now\n' > "$T/rc"
echo x | m -s rcerr bob 2>"$T/err"; rc=$?
is "$rc" 0 "a bad line in the start-up file does not stop mail"
like "$(cat "$T/err")" "$T/rc:2: 'frobnicate' is not a command" "the error names FILE:LINE"
printf 'set sendwait\n' > "$T/rc"

# reply (everyone) and Reply (the sender) in a reading session; the
# reply's text is the rest of stdin
rm -f "$I/mail/"*
cat > "$T/box" <<'MBOX'
From carol@test.example Sat Nov 28 09:19:00 2026
From: Carol <carol@test.example>
To: bob@test.example, alice@test.example
Subject: lunch?
Message-ID: <lunch.1@test.example>

Lunch at noon?

MBOX
printf 'r 1\nyes, noon is fine\n' | m -f "$T/box" >"$T/out" 2>&1; rc=$?
is "$rc" 0 "reply in a session: exit 0"
grep -q '^To: Carol <carol@test.example>' "$T/out"; ok $? "the reply's header shown"
is "$(mbox_count "$carol")" 1 "reply: the sender got it"
is "$(mbox_count "$bob")" 1 "reply: and the other recipients"
grep -q '^Subject: Re: lunch?$' "$carol"; ok $? "Subject: Re: ..."
grep -q '^In-Reply-To: <lunch.1@test.example>$' "$carol"; ok $? "In-Reply-To:"
grep -q '^References: <lunch.1@test.example>$' "$carol"; ok $? "References:"
grep -q '^yes, noon is fine$' "$carol"; ok $? "the text"
rm -f "$I/mail/"*
printf 'R 1\nonly to carol\n' | m -f "$T/box" >/dev/null 2>&1
is "$(mbox_count "$carol")$(mbox_count "$bob")" 10 "Reply: the sender only"

# refusals: nothing queued, nothing delivered
rm -f "$I/mail/"*
echo x | m -s "$(printf 'hi\r\nBcc: evil@example.org')" bob 2>"$T/err"; rc=$?
is "$rc" 64 "CR LF in -s: 64 (EX_USAGE)"
like "$(cat "$T/err")" "subject contains a line break" "the message says why"
echo x | m -s "$(printf 'hi\nX-Evil: 1')" bob 2>/dev/null; is $? 64 "LF alone in -s: 64"
echo x | m -s "$(printf 'caf\351')" bob 2>"$T/err"; rc=$?
is "$rc" 64 "a subject that is not UTF-8: 64"
like "$(cat "$T/err")" "not UTF-8" "the message says why"
echo x | m -s ok "$(printf 'bob\nBcc: evil@example.org')" 2>"$T/err"; rc=$?
is "$rc" 64 "LF in an address: 64"
like "$(cat "$T/err")" "line break" "the message says why"
echo x | m -s ok -c "$(printf 'carol\r\n')" bob 2>/dev/null; is $? 64 "CR LF in -c: 64"
echo x | m -s ok -r "$(printf 'me@example.org\nX: y')" bob 2>/dev/null; is $? 64 "LF in -r: 64"
echo x | m -s ok 'bad address@@' 2>"$T/err"; rc=$?
is "$rc" 64 "a bad address: 64"
like "$(cat "$T/err")" "bad address" "named"
echo x | m -s ok -a "$T/nonexistent" bob 2>"$T/err"; rc=$?
is "$rc" 66 "a missing attachment: 66 (EX_NOINPUT)"
like "$(cat "$T/err")" "$T/nonexistent: No such file" "named"
m -s ok 2>/dev/null </dev/null; is $? 64 "-s without an address: 64"
ok "$(spool_empty; echo $?)" "nothing was queued by any refusal"
is "$(cat "$I/mail/"* 2>/dev/null | wc -c)" 0 "nothing was delivered"
# sendmail does the queueing: mail runs it as "sendmail -i -f ... -- RCPT"
# recipients that begin with '-' are addresses, never options: -C would
# read this other configuration and queue nowhere we look
printf 'spool = %s/evilspool\n' "$T" > "$T/evil@example.com"
echo 'dashes' | m -s dash -- -oQ/tmp/x@example.com "-C$T/evil@example.com"; rc=$?
is "$rc" 0 "recipients beginning with '-' after --: exit 0"
out=$(hk mailq)
like "$out" '^ +-oQ/tmp/x@example\.com$' "queued to the literal address -oQ/tmp/x@example.com"
like "$out" "^ +-C$T/evil@example\\.com\$" "and to -C.../evil@example.com, not read as -C"
[ -e "$T/evilspool" ]; is $? 1 "the other configuration was never read"
rm -rf "$I/spool"
echo 'from dash' | m -s dash -r '-oi@example.org' bob; rc=$?
is "$rc" 0 "a sender beginning with '-': exit 0"
grep -q '^From -oi@example.org ' "$bob"; ok $? "it is the envelope sender"

# sendmail fails (its spool cannot be made): its code, its message, and
# the text kept in dead.letter
rm -f "$I/mail/"* "$T/dead.letter"
: > "$T/afile"
sed "s#^spool = .*#spool = $T/afile/spool#" "$I/hikyaku.conf" > "$T/bad.conf"
echo 'keep this text' | HIKYAKU_CONF="$T/bad.conf" DEAD="$T/dead.letter" \
	m -s x bob 2>"$T/err"; rc=$?
is "$rc" 73 "sendmail cannot make its spool: mail exits with its 73 (EX_CANTCREAT)"
like "$(cat "$T/err")" "^sendmail: .*$T/afile/spool" "sendmail's own message reaches the user"
like "$(cat "$T/err")" "^mail: sendmail exited 73; the text is saved in dead.letter$" "mail says so"
is "$(grep -v '^hikyaku/sendmail\[' "$T/err" | wc -l)" 2 "two lines: sendmail's reason and mail's (beside sendwait's log)"
is "$(cat "$T/dead.letter" 2>/dev/null)" "keep this text" "dead.letter holds the text"
is "$(mbox_count "$bob")" 0 "nothing was delivered"

# sendwait: delivered when mail returns; without it, soon after
rm -f "$I/mail/"*
echo 'waited for' | m -s sendwait bob; rc=$?
is "$rc$(mbox_count "$bob")" 01 "sendwait: exit 0 and bob has it as mail returns"
printf 'unset sendwait\n' > "$T/rc"
echo 'not waited for' | m -s background bob; rc=$?
is "$rc" 0 "without sendwait: exit 0"
wait_for "[ \"\$(mbox_count '$bob')\" -eq 2 ]"; ok $? "and the message arrives"
printf 'set sendwait\n' > "$T/rc"
hk mail --help | grep -q '^usage: mail'; ok $? "--help prints the usage"
done_testing
