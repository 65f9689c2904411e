#!/bin/sh
# sendmail: queue, deliver, headers, -t/Bcc, -f/-F, the "." line, -i,
# CRLF input, and the refusals (NUL, max_size, bad addresses, no
# recipient) that must leave nothing in the spool.
. "$(dirname "$0")/lib.sh"
instance

printf 'Subject: first\n\nHello World!\n' | hk sendmail -odq bob; rc=$?
is "$rc" 0 "sendmail -odq bob: exit 0"
is "$(ls "$I/spool/env" | wc -l)" 1 "one entry committed"
q=$(hk mailq)
like "$q" "^-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------" "mailq header line"
like "$q" "^[0-9A-Za-z]{10}  +[0-9]+ [A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8}  $ME@test.example$" "mailq entry line: id, size, arrival, sender"
like "$q" "^ {41}bob@test.example$" "mailq recipient line"
like "$q" "^-- [0-9]+ Kbytes in 1 Request\.$" "mailq trailer"
is "$(mbox_count "$I/mail/bob")" 0 "-odq: not delivered yet"
hk sendmail -q; ok $? "sendmail -q"
is "$(mbox_count "$I/mail/bob")" 1 "delivered by the queue run"
is "$(stat -c '%u %a' "$I/mail/bob")" "$UID_BOB 600" "the mailbox belongs to bob (written as bob), mode 0600"
is "$(hk mailq)" "Mail queue is empty" "queue empty afterwards"
ok "$(spool_empty; echo $?)" "no files left in the spool"

m=$I/mail/bob
like "$(head -1 "$m")" "^From $ME@test.example [A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} [0-9]{4}$" "mbox From_ line"
grep -q "^Return-Path: <$ME@test.example>$" "$m"; ok $? "Return-Path added"
grep -q '^Delivered-To: bob@test.example$' "$m"; ok $? "Delivered-To added"
grep -q '^Received: by test.example (hikyaku, from userid ' "$m"; ok $? "Received added"
grep -q '^Date: [A-Z][a-z][a-z], [0-9][0-9] [A-Z][a-z][a-z] [0-9]\{4\} [0-9:]\{8\} [-+][0-9]\{4\}$' "$m"; ok $? "Date added (RFC 5322)"
grep -q '^Message-ID: <[0-9]\{14\}\.[0-9A-Za-z]\{10\}@test.example>$' "$m"; ok $? "Message-ID added"
grep -q "^From: .*$ME@test.example" "$m"; ok $? "From added"
grep -q '^Hello World!$' "$m"; ok $? "body delivered"
is "$(tail -c 2 "$m" | od -An -c | tr -d ' ')" '\n\n' "a blank line ends the message in the mbox"

# immediate delivery (no -odq): the background child delivers
printf 'Subject: now\n\nquick\n' | hk sendmail carol; rc=$?
is "$rc" 0 "sendmail carol: exit 0"
wait_for "[ \"\$(mbox_count $I/mail/carol)\" = 1 ]"; ok $? "delivered at once by the background child"

# -v: in the foreground, log on stderr
printf 'Subject: verbose\n\nv\n' | hk sendmail -v carol 2>"$T/err"; rc=$?
is "$rc" 0 "sendmail -v: exit 0"
is "$(mbox_count "$I/mail/carol")" 2 "-v delivered before returning"
like "$(cat "$T/err")" "to=<carol@test.example>, relay=local, .*status=sent" "-v shows the delivery log"

# existing headers are kept, not duplicated
printf 'From: Someone <someone@test.example>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <fixed@x>\nSubject: kept\n\nbody\n' |
	hk sendmail -odq alice
hk sendmail -q
a=$I/mail/alice
is "$(grep -c '^From: ' "$a")" 1 "From: not added when present"
is "$(grep -c '^Date: ' "$a")" 1 "Date: not added when present"
grep -q '^Message-ID: <fixed@x>$' "$a"; ok $? "Message-ID kept"

# -t: To, Cc, Bcc; Bcc removed from every copy
rm -f "$I/mail/"*
printf 'To: Bob <bob@test.example>\nCc: "C. Carol" <carol@test.example>, nobody-here:;\nBcc: alice@test.example,\n  bob\nSubject: t\n\nto all\n' |
	hk sendmail -t -odq; rc=$?
is "$rc" 0 "sendmail -t: exit 0"
hk sendmail -q
for u in alice bob carol; do
	is "$(mbox_count "$I/mail/$u")" 1 "-t delivered once to $u"
done
grep -qi '^Bcc:' "$I/mail/alice" "$I/mail/bob" "$I/mail/carol"; is "$?" 1 "no Bcc: in any copy"
grep -q '^  bob$' "$I/mail/carol"; is "$?" 1 "Bcc: continuation line removed too"
grep -q '^Cc: "C. Carol" <carol@test.example>, nobody-here:;$' "$I/mail/bob"; ok $? "Cc: kept as written"

# -f and -F
rm -f "$I/mail/"*
printf 'Subject: f\n\nx\n' | hk sendmail -odq -f list-owner@example.org -F 'Ursula K. Le Guin' bob
hk sendmail -q
grep -q '^From list-owner@example.org ' "$I/mail/bob"; ok $? "-f sets the envelope sender (From_ line)"
grep -q '^Return-Path: <list-owner@example.org>$' "$I/mail/bob"; ok $? "-f sets Return-Path"
grep -q '^From: "Ursula K. Le Guin" <list-owner@example.org>$' "$I/mail/bob"; ok $? "-F names the added From:, quoted"

# the "." line, -i, -oi, CRLF
rm -f "$I/mail/"*
printf 'Subject: dot\n\nbefore\n.\nafter\n' | hk sendmail -odq bob
printf 'Subject: dot-i\n\nbefore\n.\nafter-i\n' | hk sendmail -odq -i bob
printf 'Subject: dot-oi\r\n\r\nbefore\r\n.\r\nafter-oi\r\n' | hk sendmail -odq -oi bob
hk sendmail -q
m=$I/mail/bob
is "$(mbox_count "$m")" 3 "three messages"
grep -q '^after$' "$m"; is "$?" 1 "without -i a lone '.' ends the message"
grep -q '^after-i$' "$m"; ok $? "-i: the '.' line is content"
grep -q '^after-oi$' "$m"; ok $? "-oi: the same"
grep -q "$(printf '\r')" "$m"; is "$?" 1 "CRLF input is stored with LF"

# an mbox entry piped in whole: its From_ line is dropped; a last line
# without newline is kept
rm -f "$I/mail/"*
printf 'From someone@example.org Sat Nov 28 00:00:00 2026\nSubject: piped\n\nno newline at the end' | hk sendmail -odq bob
hk sendmail -q
grep -q '^Subject: piped$' "$I/mail/bob"; ok $? "a leading mbox From_ line is dropped, the headers are headers"
is "$(grep -c '^From someone' "$I/mail/bob")" 0 "the From_ line is not in the message"
grep -q '^no newline at the end$' "$I/mail/bob"; ok $? "a last line without newline is kept"

# refusals: nothing must stay in the spool
printf 'Subject: nul\n\nbad\000byte\n' | hk sendmail -odq bob 2>"$T/err"; rc=$?
is "$rc" 65 "a NUL byte: 65 (EX_DATAERR)"
like "$(cat "$T/err")" "NUL" "and the message says NUL"
ok "$(spool_empty; echo $?)" "nothing of it stays in the spool"

cp "$I/hikyaku.conf" "$T/small.conf"
echo 'max_size = 1k' >> "$T/small.conf"
head -c 3000 /dev/zero | tr '\0' 'x' | fold -w 70 | hk sendmail -C "$T/small.conf" -odq bob 2>"$T/err"; rc=$?
is "$rc" 65 "over max_size: 65"
like "$(cat "$T/err")" "1024 bytes \(max_size\)" "the message names the limit"
ok "$(spool_empty; echo $?)" "nothing of it stays in the spool"

head -c 1100000 /dev/zero | tr '\0' 'y' | hk sendmail -odq bob 2>"$T/err"; rc=$?
is "$rc" 65 "a line over 1 MiB: 65"
like "$(cat "$T/err")" "longer than 1048576 bytes" "the message names the limit"
ok "$(spool_empty; echo $?)" "nothing of it stays in the spool"

echo x | hk sendmail -odq "$(printf 'bob\r\nRCPT TO:<evil@x>')" 2>"$T/err"; rc=$?
is "$rc" 64 "CR/LF in a recipient: 64"
like "$(cat "$T/err")" "bad address" "the message says bad address"
echo x | hk sendmail -odq -f "$(printf 'a@b\nX: y')" bob 2>/dev/null; is "$?" 64 "LF in -f: 64"
echo x | hk sendmail -odq 2>"$T/err"; is "$?" 64 "no recipient: 64"
printf 'Subject: none\n\nx\n' | hk sendmail -t -odq 2>"$T/err"; rc=$?
is "$rc" 64 "-t with no To/Cc/Bcc: 64"
like "$(cat "$T/err")" "no recipients" "and says so"
printf 'To: bad address here@@x\n\nx\n' | hk sendmail -t -odq 2>"$T/err"; rc=$?
is "$rc" 65 "-t with a broken To: 65"
ok "$(spool_empty; echo $?)" "nothing stays in the spool after all refusals"

# legacy flags programs still pass are accepted and ignored
rm -f "$I/mail/"*
printf 'Subject: legacy\n\nx\n' | hk sendmail -oem -oi -B 8BITMIME -N never -R hdrs -V envid -U -m -odq bob; rc=$?
is "$rc" 0 "-oem -B -N -R -V -U -m: accepted and ignored"
hk sendmail -q
is "$(mbox_count "$I/mail/bob")" 1 "and the message went through"

# -bv
out=$(hk sendmail -bv bob BoB@localhost)
like "$out" "^bob@test.example\.\.\. deliverable: mailer local, user bob$" "-bv local user"
like "$out" "^BoB@localhost\.\.\. deliverable: mailer local, user bob$" "-bv is case-insensitive and knows localhost"
hk sendmail -bv nosuch >"$T/out"; rc=$?
is "$rc" 67 "-bv unknown user: 67 (EX_NOUSER)"
like "$(cat "$T/out")" "nosuch@test.example\.\.\. User unknown" "-bv says User unknown"
# a remote address: its route, here through a relayhost given by its
# address (no DNS, and nothing sent)
{ cat "$I/hikyaku.conf"; echo "relayhost = [192.0.2.1]:587"; } > "$T/relay.conf"
out=$(export HIKYAKU_CONF="$T/relay.conf"; hk sendmail -bv someone@example.com)
like "$out" "^someone@example.com\.\.\. deliverable: mailer smtp, domain example.com, via relayhost \[192.0.2.1\]:587$" "-bv remote address: its route"
like "$out" "^192.0.2.1	has address 192.0.2.1$" "-bv: and the relayhost's address"
done_testing
