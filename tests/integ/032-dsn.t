#!/bin/sh
# Delivery status notifications (RFC 3461) and SMTPUTF8 (RFC 6531)
# end to end: Python's smtplib and a raw socket speak to sendmail -bs,
# sendmail's -N, -R and -V do the same from the command line, a queue
# run delivers, and Python's mailbox and email packages read the
# reports back: the multipart/report, its message/delivery-status
# fields, and what comes back of the message.
. "$(dirname "$0")/lib.sh"
instance

# lost@ passes RCPT (it is an alias) and fails at delivery (ghost is no
# user): a failure that a report is made for
printf 'lost: ghost\n' > "$I/aliases"
hk newaliases >/dev/null

bs_server -odq

# The client prints "name=value" lines; the checks below read them.
cat > "$T/client.py" <<'PY'
import smtplib, socket, sys

port = int(sys.argv[1])

def out(k, v):
    if isinstance(v, bytes):
        v = v.decode("utf-8", "replace")
    print("%s=%s" % (k, str(v).replace("\r", "\\r").replace("\n", "\\n")))

def msg(subject, body):
    return ("Subject: %s\r\n\r\n%s\r\n" % (subject, body)).encode()

s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example",
                 timeout=20)
s.ehlo()
out("dsn", int(s.has_extn("dsn")))
out("smtputf8", int(s.has_extn("smtputf8")))
out("8bitmime", int(s.has_extn("8bitmime")))

def tx(name, sender, mopts, rcpts, subject, body):
    """One transaction; the replies in name_mail, name_rcptN, name_data."""
    code, text = s.mail(sender, mopts)
    out(name + "_mail", "%d %s" % (code, text.decode()))
    if code != 250:
        s.rset()
        return
    for i, (r, ropts) in enumerate(rcpts):
        code, text = s.rcpt(r, ropts)
        out("%s_rcpt%d" % (name, i), "%d %s" % (code, text.decode()))
    code, text = s.data(msg(subject, body))
    out(name + "_data", "%d" % code)

# A: a failure, RET=HDRS, ENVID, NOTIFY=FAILURE and ORCPT
tx("a", "alice@test.example", ["RET=HDRS", "ENVID=env-A"],
   [("lost@test.example",
     ["NOTIFY=FAILURE", "ORCPT=rfc822;Lost+2Btag@test.example"])],
   "case A", "body-A")
# B: a failure, RET=FULL, an ENVID with xtext, no NOTIFY
tx("b", "alice@test.example", ["RET=FULL", "ENVID=env+2BB"],
   [("lost@test.example", [])], "case B", "body-B")
# C: NOTIFY=NEVER: it fails in silence
tx("c", "alice@test.example", [],
   [("lost@test.example", ["NOTIFY=NEVER"])], "case C", "body-C")
# D: NOTIFY=SUCCESS: delivered, and the sender told
tx("d", "alice@test.example", ["ENVID=env-D"],
   [("bob@test.example", ["NOTIFY=SUCCESS", "ORCPT=rfc822;Bob@test.example"])],
   "case D", "body-D")
# E: NOTIFY=SUCCESS from <>: delivered, nobody told
tx("e", "", [], [("bob@test.example", ["NOTIFY=SUCCESS"])], "case E",
   "body-E")
# F: NOTIFY=SUCCESS,FAILURE on one that fails: a failure report only
tx("f", "alice@test.example", [],
   [("lost@test.example", ["NOTIFY=SUCCESS,FAILURE"])], "case F", "body-F")

# refusals: each names its parameter
def raw(line):
    s.putcmd(line)
    code, text = s.getreply()
    return "%d %s" % (code, text.decode())
out("dup_notify", (s.mail("alice@test.example"),
    raw("RCPT TO:<bob@test.example> NOTIFY=DELAY NOTIFY=DELAY"))[1])
out("never_and", raw("RCPT TO:<bob@test.example> NOTIFY=NEVER,SUCCESS"))
out("bad_orcpt", raw("RCPT TO:<bob@test.example> ORCPT=rfc822;bob+2"))
s.rset()
out("bad_envid", raw("MAIL FROM:<alice@test.example> ENVID=a=b"))
out("long_envid", raw("MAIL FROM:<alice@test.example> ENVID=" + "x" * 101))
out("bad_ret", raw("MAIL FROM:<alice@test.example> RET=ALL"))
out("dup_ret", raw("MAIL FROM:<alice@test.example> RET=FULL RET=FULL"))

# SMTPUTF8: smtplib sends the commands in UTF-8 once MAIL says SMTPUTF8
tx("u", "j\u00f6rg@b\u00fccher.example", ["SMTPUTF8"],
   [("bob@test.example", []),
    ("\u03b4\u03bf\u03ba\u03b9\u03bc\u03ae@\u03c0\u03b1\u03c1\u03ac"
     "\u03b4\u03b5\u03b9\u03b3\u03bc\u03b1.example", ["NOTIFY=NEVER"]),
    ("j\u00f6rg@test.example", [])], "case U", "body-U")
out("quit", s.quit()[0])

# what smtplib will not send: a raw socket
c = socket.create_connection(("127.0.0.1", port), timeout=20)
f = c.makefile("rb")
def reply():
    lines = []
    while True:
        l = f.readline()
        if not l:
            return "EOF"
        lines.append(l.rstrip(b"\r\n").decode("utf-8", "replace"))
        if l[3:4] != b"-":
            return "\\n".join(lines)
def say(b):
    c.sendall(b + b"\r\n")
    return reply()
reply()
say(b"EHLO raw.example")
out("ascii_only", say("MAIL FROM:<j\u00f6rg@x.example>".encode()))
out("ascii_rcpt", (say(b"MAIL FROM:<alice@test.example>"),
    say("RCPT TO:<\u00e9@x.example>".encode()))[1])
say(b"RSET")
out("overlong", say(b"MAIL FROM:<a\xc0\xafb@x.example> SMTPUTF8"))
out("c1", say(b"MAIL FROM:<a\xc2\x85b@x.example> SMTPUTF8"))
out("raw_quit", say(b"QUIT"))
c.close()
PY
python3 "$T/client.py" "$PORT" > "$T/out" 2> "$T/client.err"
ok $? "the client ran (see below on failure)"
[ -s "$T/client.err" ] && sed 's/^/# /' "$T/client.err"
val() { sed -n "s/^$1=//p" "$T/out"; }

is "$(val dsn) $(val smtputf8) $(val 8bitmime)" "1 1 1" "EHLO offers DSN, SMTPUTF8 and 8BITMIME"
for t in a b c d e f; do
	like "$(val ${t}_mail) $(val ${t}_rcpt0) $(val ${t}_data)" '^250 .* 250 .* 250$' "transaction $t with its DSN parameters: taken"
done
is "$(val dup_notify)" "501 5.5.4 Repeated NOTIFY parameter" "NOTIFY twice: 501 5.5.4"
is "$(val never_and)" "501 5.5.4 Bad NOTIFY parameter value (NEVER, or SUCCESS, FAILURE, DELAY)" "NEVER with SUCCESS: 501 5.5.4"
is "$(val bad_orcpt)" "501 5.5.4 Bad ORCPT parameter value (addr-type;xtext)" "a malformed ORCPT xtext: 501 5.5.4"
is "$(val bad_envid)" "501 5.5.4 Bad ENVID parameter value (xtext of printable ASCII)" "a malformed ENVID: 501 5.5.4"
is "$(val long_envid)" "501 5.5.4 ENVID parameter over 100 octets" "a 101-octet ENVID: 501 5.5.4"
is "$(val bad_ret)" "501 5.5.4 Bad RET parameter value (FULL or HDRS)" "RET=ALL: 501 5.5.4"
is "$(val dup_ret)" "501 5.5.4 Repeated RET parameter" "RET twice: 501 5.5.4"
is "$(val u_mail)" "250 2.1.0 Ok" "SMTPUTF8: a UTF-8 sender taken"
is "$(val u_rcpt0)" "250 2.1.5 Ok" "  a local user"
is "$(val u_rcpt1)" "250 2.1.5 Ok" "  a UTF-8 address of another domain"
is "$(val u_rcpt2)" "550 5.1.1 <jörg@test.example>: Recipient address rejected: User unknown in local recipient table" \
	"  a UTF-8 local part of ours: no such user, 550 5.1.1"
is "$(val u_data)" 250 "  the message queued"
is "$(val ascii_only)" "553 5.6.7 Non-ASCII addresses require the SMTPUTF8 extension" "a UTF-8 sender without SMTPUTF8: 553 5.6.7"
is "$(val ascii_rcpt)" "553 5.6.7 Non-ASCII addresses require the SMTPUTF8 extension" "a UTF-8 recipient without it: 553 5.6.7"
is "$(val overlong)" "553 5.1.7 ill-formed UTF-8 in address (byte 0xc0)" "an overlong form with SMTPUTF8: 553 5.1.7"
is "$(val c1)" "553 5.1.7 control character U+0085 in address" "a C1 control: 553 5.1.7"
is "$(val raw_quit)" "221 2.0.0 Bye" "the raw session ends cleanly"

# sendmail's -N, -R, -V, for the same reports from the command line
send() { s=$1; shift; printf 'Subject: %s\n\nbody of %s\n' "$s" "$s" | hk sendmail -odq -f alice@test.example "$@"; }
# (what each made is checked in the reports below)
send "cli never" -N never lost
send "cli success" -N success,failure -V cli-S bob
send "cli full" -R full lost
send "cli envid" -R hdrs -V "cli id 7" lost
printf 'To: bob@test.example\nSubject: cli t\n\nbody of cli t\n' |
	hk sendmail -odq -t -f alice@test.example -N SUCCESS -V cli-T
hk sendmail -N sometimes bob </dev/null 2>"$T/err"; rc=$?
is "$rc" 64 "-N with an unknown word: exit 64"
like "$(cat "$T/err")" 'fatal: -N sometimes: "never", or a comma list of success, failure, delay; nothing was queued' "  saying what it takes"
hk sendmail -R all bob </dev/null 2>/dev/null; is "$?" 64 "-R all: exit 64"
hk sendmail -V "$(printf 'a\tb')" bob </dev/null 2>/dev/null; is "$?" 64 "-V with a TAB: exit 64"

# delay warnings only where NOTIFY has DELAY (or is not given)
send "delay asked" -N delay -V dly friend@far.example
send "delay not asked" -N failure friend@far.example

hk sendmail -q
cp "$I/hikyaku.conf" "$T/warn.conf"
echo 'delay_warning = 1s' >> "$T/warn.conf"
sleep 2
hk sendmail -C "$T/warn.conf" -q

# Python reads every report in alice's mailbox: one line per report,
# "SUBJECT OF THE ORIGINAL|field=value".
cat > "$T/reports.py" <<'PY'
import email, mailbox, sys

def pr(orig, k, v):
    print("%s|%s=%s" % (orig, k, str(v).replace("\n", "\\n")))

for m in mailbox.mbox(sys.argv[1]):
    if m.get_content_type() != "multipart/report":
        continue
    parts = m.get_payload()
    ds = [p for p in parts if p.get_content_type() == "message/delivery-status"]
    back = parts[-1]
    if back.get_content_type() == "message/rfc822":
        inner = back.get_payload()[0]
        orig = inner["Subject"]
        body = inner.get_payload()
    else:
        inner = email.message_from_string(back.get_payload())
        orig = inner["Subject"]
        body = ""
    pr(orig, "report-type", m.get_param("report-type"))
    pr(orig, "subject", m["Subject"])
    pr(orig, "to", m["To"])
    pr(orig, "returned", back.get_content_type())
    pr(orig, "body", body.strip())
    blocks = ds[0].get_payload()
    pr(orig, "envid", blocks[0].get("Original-Envelope-Id", "-"))
    pr(orig, "mta", blocks[0]["Reporting-MTA"])
    pr(orig, "rcpts", len(blocks) - 1)
    for b in blocks[1:]:
        for f in ("Action", "Status", "Final-Recipient",
                  "Original-Recipient", "Diagnostic-Code"):
            pr(orig, f.lower(), b.get(f, "-"))
PY
python3 "$T/reports.py" "$I/mail/alice" > "$T/reports" 2> "$T/reports.err" ||
	sed 's/^/# /' "$T/reports.err"
rep() { sed -n "s/^$1|$2=//p" "$T/reports"; }

is "$(rep "case A" report-type)" "delivery-status" "A: a multipart/report of report-type delivery-status"
is "$(rep "case A" subject)" "Undelivered Mail Returned to Sender" "A: a failure report"
is "$(rep "case A" action)" "failed" "A: Action: failed"
is "$(rep "case A" status)" "5.1.1" "A: Status: 5.1.1"
is "$(rep "case A" final-recipient)" "rfc822; lost@test.example" "A: Final-Recipient"
is "$(rep "case A" original-recipient)" "rfc822;Lost+tag@test.example" "A: Original-Recipient is the ORCPT, decoded"
is "$(rep "case A" envid)" "env-A" "A: Original-Envelope-Id"
is "$(rep "case A" mta)" "dns; test.example" "A: Reporting-MTA"
is "$(rep "case A" returned)" "text/rfc822-headers" "A: RET=HDRS returns the headers"
is "$(rep "case B" returned)" "message/rfc822" "B: RET=FULL returns the message"
is "$(rep "case B" body)" "body-B" "B: whole, body and all"
is "$(rep "case B" envid)" "env+B" "B: an xtext ENVID, decoded"
is "$(rep "case B" original-recipient)" "-" "B: no ORCPT, no alias: no Original-Recipient"
is "$(val c_rcpt0)|$(rep "case C" subject)" "250 2.1.5 Ok|" "C: NOTIFY=NEVER taken, and no report made"
is "$(rep "case D" subject)" "Successful Mail Delivery Report" "D: NOTIFY=SUCCESS: a success report"
is "$(rep "case D" action)" "delivered" "D: Action: delivered"
is "$(rep "case D" status)" "2.0.0" "D: Status: 2.0.0"
is "$(rep "case D" final-recipient)" "rfc822; bob@test.example" "D: Final-Recipient"
is "$(rep "case D" original-recipient)" "rfc822;Bob@test.example" "D: Original-Recipient"
is "$(rep "case D" envid)" "env-D" "D: Original-Envelope-Id"
is "$(rep "case D" diagnostic-code)" "-" "D: no Diagnostic-Code"
is "$(val e_mail)|$(val e_rcpt0)|$(rep "case E" subject)" "250 2.1.0 Ok|250 2.1.5 Ok|" "E: NOTIFY=SUCCESS from <> taken, and no report made"
is "$(rep "case F" action)" "failed" "F: SUCCESS,FAILURE on a failure: the failure report"
is "$(rep "case F" rcpts)" "1" "F: one recipient in it"
is "$(rep "cli never" subject)" "" "-N never: no report"
is "$(rep "cli success" action)" "delivered" "-N success: a success report"
is "$(rep "cli success" envid)" "cli-S" "-V: its Original-Envelope-Id"
is "$(rep "cli full" returned)" "message/rfc822" "-R full: the message returned"
is "$(rep "cli full" body)" "body of cli full" "  whole"
is "$(rep "cli envid" returned) $(rep "cli envid" envid)" "text/rfc822-headers cli id 7" "-R hdrs -V: the headers, the ENVID as spelt"
is "$(rep "cli t" action) $(rep "cli t" final-recipient)" "delivered rfc822; bob@test.example" "-t -N SUCCESS: for the header's recipients too"
is "$(rep "cli t" envid)" "cli-T" "  with -V's ENVID"
is "$(rep "delay asked" action) $(rep "delay asked" envid)" "delayed dly" "-N delay -V: a delay warning with its ENVID"
is "$(rep "delay not asked" subject)" "" "-N failure: no delay warning"
is "$(grep -c '^From MAILER-DAEMON ' "$I/mail/alice")" 9 "nine reports in all (A B D F, four from sendmail, one delay), none other"
never=$(sed -n 's/.*: \([0-9A-Za-z]\{10\}\): <lost@test.example>: no failure report (NOTIFY)$/\1/p' "$I/log" | head -1)
like "$never" '^[0-9A-Za-z]{10}$' "the log says why a NOTIFY=NEVER message got none"
grep -q "$never: to=<lost@test.example>.*status=bounced" "$I/log" && ! hk mailq | grep -q "$never"
ok $? "and its recipient still failed, and left the queue"

# bob got D, E, cli success and the SMTPUTF8 message
cat > "$T/bob.py" <<'PY'
import mailbox, sys
for m in mailbox.mbox(sys.argv[1]):
    raw = m.as_bytes()
    rp = [l for l in raw.split(b"\n") if l.startswith(b"Return-Path:")]
    print("%s|%s|%s" % (m["Subject"], m.get_from().split(" ")[0],
                        rp[0].decode("utf-8") if rp else "-"))
PY
python3 "$T/bob.py" "$I/mail/bob" > "$T/bob" 2> "$T/bob.err" ||
	sed 's/^/# /' "$T/bob.err"
is "$(cut -d'|' -f1 "$T/bob" | sort | tr '\n' ' ')" "case D case E case U cli success cli t " \
	"Python's mailbox reads bob's mailbox, a UTF-8 sender's message too: D, E, U, and sendmail's two"
is "$(grep '^case U|' "$T/bob")" "case U|j__rg@b__cher.example|Return-Path: <jörg@bücher.example>" \
	"the SMTPUTF8 message: Return-Path exact, the From_ line ASCII"

# the UTF-8 recipient of another domain waits, logged readably and safely
like "$(hk mailq)" "δοκιμή@παράδειγμα\.example" "mailq shows the UTF-8 recipient waiting"
python3 -c '
import sys
t = open(sys.argv[1], "rb").read().decode("utf-8")   # strict: fails on stray bytes
assert not any(0x80 <= ord(ch) <= 0x9f for ch in t), "a C1 control in the log"
assert "to=<δοκιμή@παράδειγμα.example>" in t, "the address"
' "$I/log"
ok $? "the log is well-formed UTF-8 without C1 controls, the address readable"
done_testing
