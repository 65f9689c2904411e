#!/bin/sh
# sendmail -bs behind socat, spoken to by Python's smtplib and by a raw
# socket: a message queued and delivered, a pipelined transaction, and
# the refusals (NUL 554, bare LF 550, CR in a recipient 501, and the
# false DATA endings that must not end the message).
. "$(dirname "$0")/lib.sh"
instance
echo "max_rcpt = 5" >> "$I/hikyaku.conf"
bs_server

# The client prints "name=value" lines; the checks below read them.
cat > "$T/client.py" <<'PY'
import smtplib, socket, sys

port = int(sys.argv[1])

def out(k, v):
    if isinstance(v, bytes):
        v = v.decode("ascii", "replace")
    print("%s=%s" % (k, str(v).replace("\r", "\\r").replace("\n", "\\n")))

# smtplib: a plain transaction, then sendmail(), then a NUL in DATA
s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example",
                 timeout=20)
code, banner = s.ehlo()
out("ehlo", code)
out("pipelining", int(s.has_extn("pipelining")))
out("size", s.esmtp_features.get("size", ""))
out("mail", s.mail("alice@test.example")[0])
out("rcpt", s.rcpt("bob@test.example")[0])
code, msg = s.data(b"Subject: one\r\n\r\nfirst message\r\n.dotted\r\n")
out("data1", "%d %s" % (code, msg.decode()))
refused = s.sendmail("alice@test.example", ["bob@test.example"],
                     b"Subject: two\r\n\r\nsecond message\r\n")
out("sendmail_refused", len(refused))
out("mail_nul", s.mail("alice@test.example")[0])
s.rcpt("bob@test.example")
code, msg = s.data(b"Subject: nul\r\n\r\nbad\0byte\r\n")
out("data_nul", "%d %s" % (code, msg.decode()))
out("quit", s.quit()[0])

# a raw socket for what smtplib will not send
def session():
    c = socket.create_connection(("127.0.0.1", port), timeout=20)
    f = c.makefile("rb")
    def reply():
        lines = []
        while True:
            l = f.readline()
            if not l:
                return "EOF"
            lines.append(l.rstrip(b"\r\n").decode("ascii", "replace"))
            if l[3:4] != b"-":
                return "\\n".join(lines)
    reply()
    return c, reply

c, reply = session()
c.sendall(b"EHLO raw.example\r\n")
reply()
# pipelined: everything up to DATA in one write
c.sendall(b"MAIL FROM:<carol@test.example>\r\nRCPT TO:<bob@test.example>\r\n"
          b"RCPT TO:<alice@test.example>\r\nDATA\r\n")
out("pipe", " ".join(reply()[:3] for _ in range(4)))
c.sendall(b"Subject: three\r\n\r\npipelined\r\n.\r\n")
out("pipe_data", reply())
# bare LF in DATA
c.sendall(b"MAIL FROM:<alice@test.example>\r\nRCPT TO:<bob@test.example>\r\n"
          b"DATA\r\n")
reply(); reply(); reply()
c.sendall(b"Subject: bare\r\n\r\nbare\nLF\r\n.\r\n")
out("bare_lf", reply())
# a smuggling attempt: "\n.\r\n" is not the end
c.sendall(b"MAIL FROM:<alice@test.example>\r\nRCPT TO:<bob@test.example>\r\n"
          b"DATA\r\n")
reply(); reply(); reply()
c.sendall(b"Subject: smuggle\r\n\r\nhello\n.\r\n"
          b"MAIL FROM:<evil@test.example>\r\nRCPT TO:<carol@test.example>\r\n"
          b"DATA\r\nSubject: smuggled\r\n\r\nsmuggled\r\n.\r\n")
out("smuggle", reply())
out("smuggle_next", (c.sendall(b"NOOP\r\n"), reply())[1])
# CR and LF inside a recipient
c.sendall(b"MAIL FROM:<alice@test.example>\r\n")
reply()
c.sendall(b"RCPT TO:<bob\r@test.example>\r\n")
out("rcpt_cr", reply())
c.sendall(b"RCPT TO:<bob\n@test.example>\r\n")
out("rcpt_lf", reply() + " / " + reply())
# recipients checked at RCPT: an unknown local user, another domain,
# max_rcpt (5 here); the transaction goes on with the good ones
c.sendall(b"RSET\r\n")
reply()
c.sendall(b"MAIL FROM:<alice@test.example>\r\n")
reply()
c.sendall(b"RCPT TO:<nosuchuser@test.example>\r\n")
out("rcpt_unknown", reply())
c.sendall(b"RCPT TO:<NoSuchUser>\r\n")
out("rcpt_unknown_bare", reply())
c.sendall(b"RCPT TO:<friend@elsewhere.example>\r\n")
out("rcpt_remote", reply())
for r in (b"carol", b"r2@elsewhere.example", b"r3@elsewhere.example",
          b"r4@elsewhere.example"):
    c.sendall(b"RCPT TO:<" + r + b">\r\n")
    reply()
c.sendall(b"RCPT TO:<r5@elsewhere.example>\r\n")
out("rcpt_sixth", reply())
c.sendall(b"DATA\r\n")
reply()
c.sendall(b"Subject: checked\r\n\r\nto carol\r\n.\r\n")
out("checked_data", reply())
# BDAT (RFC 3030): the message in two chunks, a line split between them
c.sendall(b"RSET\r\n")
reply()
one = b"Subject: bdat\r\n\r\nchunked bo"
two = b"dy\r\n.not stuffed\r\n"
c.sendall(b"MAIL FROM:<bob@test.example>\r\nRCPT TO:<alice@test.example>\r\n"
          b"BDAT %d\r\n" % len(one) + one +
          b"BDAT %d LAST\r\n" % len(two) + two)
out("bdat", " / ".join(reply() for _ in range(4)))
c.sendall(b"QUIT\r\n")
out("raw_quit", reply())
c.close()
PY
python3 "$T/client.py" "$PORT" > "$T/out" 2> "$T/client.err"
ok $? "the client ran (see below on failure)"
[ -s "$T/client.err" ] && sed 's/^/# /' "$T/client.err"
val() { sed -n "s/^$1=//p" "$T/out"; }

is "$(val ehlo)" 250 "EHLO answered 250"
is "$(val pipelining)" 1 "PIPELINING advertised"
like "$(val size)" '^[0-9]+$' "SIZE advertised with the limit"
is "$(val mail)" 250 "MAIL FROM: 250"
is "$(val rcpt)" 250 "RCPT TO: 250"
like "$(val data1)" '^250 2\.0\.0 Ok: queued as [0-9A-Za-z]{10}$' "DATA: queued as an ID"
QID=$(val data1 | sed 's/.* //')
is "$(val sendmail_refused)" 0 "smtplib sendmail(): nobody refused"
is "$(val mail_nul)" 250 "MAIL for the NUL message"
like "$(val data_nul)" '^554 5\.6\.0 .*NUL' "a NUL byte in DATA: 554 5.6.0"
is "$(val quit)" 221 "QUIT: 221"
is "$(val pipe)" "250 250 250 354" "pipelined MAIL, RCPT, RCPT, DATA"
like "$(val pipe_data)" '^250 2\.0\.0 Ok: queued as ' "pipelined message queued"
is "$(val bare_lf)" "550 5.6.0 Message contains bare LF or CR (RFC 5321 2.3.8)" "bare LF in DATA: 550"
is "$(val smuggle)" "550 5.6.0 Message contains bare LF or CR (RFC 5321 2.3.8)" "LF dot CRLF does not end DATA: one refused message"
is "$(val smuggle_next)" "250 2.0.0 Ok" "in step after it"
like "$(val rcpt_cr)" '^501 5\.5\.4 ' "CR in a recipient: 501"
like "$(val rcpt_lf)" '^500 5\.5\.2 .*bare LF.* / 500 5\.5\.2 ' "LF in a recipient: the command is cut, nothing executed"
is "$(val rcpt_unknown)" "550 5.1.1 <nosuchuser@test.example>: Recipient address rejected: User unknown in local recipient table" \
	"an unknown local user is refused at RCPT: 550 5.1.1"
like "$(val rcpt_unknown_bare)" "^550 5\.1\.1 <NoSuchUser>" "unqualified too"
is "$(val rcpt_remote)" "250 2.1.5 Ok" "another domain: taken from a local user"
is "$(val rcpt_sixth)" "452 4.5.3 too many recipients (max_rcpt is 5)" "the sixth recipient: 452 4.5.3"
like "$(val checked_data)" '^250 2\.0\.0 Ok: queued as ' "the message goes to the five taken"
like "$(val bdat)" '^250 2\.1\.0 Ok / 250 2\.1\.5 Ok / 250 2\.0\.0 27 octets received / 250 2\.0\.0 Ok: queued as ' \
	"BDAT: two chunks, pipelined, queued"
is "$(val raw_quit)" "221 2.0.0 Bye" "raw session QUIT"

# Delivery: sendmail -bs delivers what it queued once the session ends.
wait_for "[ \"\$(mbox_count $I/mail/bob)\" = 3 ]" 20
ok $? "three messages delivered to bob by sendmail -bs itself"
wait_for "[ \"\$(mbox_count $I/mail/carol)\" = 1 ]" 20
wait_for "[ \"\$(mbox_count $I/mail/alice)\" = 2 ]" 20
hk sendmail -q; ok $? "sendmail -q"
is "$(mbox_count "$I/mail/carol")" 1 "carol got the checked message"
! grep -q "^Subject: Undelivered" "$I/mail/alice"; ok $? "and no bounce for the unknown user reached its sender"
is "$(mbox_count "$I/mail/bob")" 3 "bob has exactly 3 messages"
is "$(mbox_count "$I/mail/alice")" 2 "alice has the pipelined one and the chunked one"
got=$(python3 -c '
import mailbox, sys
m = [x for x in mailbox.mbox(sys.argv[1]) if x["Subject"] == "bdat"][0]
sys.stdout.write(repr(m.get_payload()))' "$I/mail/alice")
is "$got" "'chunked body\\n.not stuffed\\n'" "Python reads the BDAT body back: joined, not unstuffed"
! grep -q smuggled "$I/mail/carol"; ok $? "nothing smuggled reached carol"
m=$I/mail/bob
grep -q "^Received: from client.example (uid [0-9]*)$" "$m"; ok $? "Received: from the HELO name and uid"
grep -q "with ESMTP id $QID;" "$m"; ok $? "Received: with ESMTP and the queued ID"
grep -q '^\.dotted$' "$m"; ok $? "dot-unstuffed line delivered"
grep -q '^second message$' "$m"; ok $? "sendmail() message delivered"
! grep -q 'byte\|^bare\|smuggle' "$m"; ok $? "no refused message was delivered"
done_testing
