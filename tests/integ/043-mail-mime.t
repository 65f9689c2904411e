#!/bin/sh
# mail and MIME: Japanese sent with mail and read back with mail as
# Japanese; mail that arrives in ISO-2022-JP, Shift_JIS, EUC-JP,
# quoted-printable and base64 shown as UTF-8; attachments listed.
. "$(dirname "$0")/lib.sh"
if ! command -v python3 >/dev/null; then
	skip "python3 is needed to write the test messages"
	done_testing
fi
instance
printf 'set sendwait\n' > "$T/rc"
export MAILRC="$T/rc" HOME="$T"
box=$I/mail/bob

# sent and read back
if [ -n "$self_exec_why" ]; then
	for _n in 1 2 3 4; do skip "$self_exec_why"; done
else
printf '今日は良い天気ですね。\n明日の会議は十時からです。\n' |
	hk mail -n -s '明日の会議について' bob; rc=$?
is "$rc" 0 "Japanese mail sent"
out=$(hk mail -n -H -f "$box" </dev/null)
like "$out" '明日の会議について' "-H shows the subject in Japanese"
printf 'p 1\nx\n' | hk mail -n -f "$box" >"$T/out" 2>&1
grep -q '^Subject: 明日の会議について$' "$T/out"; ok $? "print: the subject decoded"
grep -q '^明日の会議は十時からです。$' "$T/out"; ok $? "print: the body in Japanese"
fi

# planted mail in the Japanese charsets (written with Python's codecs)
python3 - "$T/jp" <<'PY'
import base64, sys
text = "日本語のメールです。\n漢字とかなの本文。\n"
subj = "日本語の件名"
out = open(sys.argv[1], "wb")
def msg(n, charset, cte, body, subject):
    out.write(("From sender%d@example.jp Sat Nov 28 09:1%d:00 2026\n" % (n, n)).encode())
    out.write(b"From: sender%d@example.jp\nSubject: " % n + subject + b"\n")
    out.write(b"MIME-Version: 1.0\nContent-Type: text/plain; charset=" + charset.encode() + b"\n")
    out.write(b"Content-Transfer-Encoding: " + cte.encode() + b"\n\n" + body + b"\n")
def ew(charset, codec):
    return b"=?" + charset.encode() + b"?B?" + base64.b64encode(subj.encode(codec)) + b"?="
msg(1, "ISO-2022-JP", "7bit", text.encode("iso2022_jp"), ew("ISO-2022-JP", "iso2022_jp"))
msg(2, "Shift_JIS", "8bit", text.encode("shift_jis"), ew("Shift_JIS", "shift_jis"))
msg(3, "EUC-JP", "8bit", text.encode("euc_jp"), ew("EUC-JP", "euc_jp"))
msg(4, "UTF-8", "base64", base64.encodebytes(text.encode()), ew("UTF-8", "utf-8"))
msg(5, "UTF-8", "quoted-printable",
    "".join("=%02X" % b for b in text.encode()[:30]).encode() + b"=\n" +
    "".join("=%02X" % b for b in text.encode()[30:]).encode(),
    b"=?UTF-8?Q?" + "".join("=%02X" % b for b in subj.encode()).encode() + b"?=")
out.close()
PY
out=$(hk mail -n -H -f "$T/jp" </dev/null)
is "$(printf '%s\n' "$out" | grep -c '日本語の件名')" 5 "-H: every subject shown in Japanese"
for n in 1 2 3 4 5; do
	cs=$(sed -n "${n}p" <<CS
ISO-2022-JP
Shift_JIS
EUC-JP
base64
quoted-printable
CS
)
	printf 'p %s\nx\n' "$n" | hk mail -n -f "$T/jp" >"$T/out" 2>&1
	grep -q '^漢字とかなの本文。$' "$T/out"; ok $? "$cs body shown in UTF-8"
	grep -q '^Subject: 日本語の件名$' "$T/out"; ok $? "$cs subject shown in UTF-8"
done

# an attachment is listed, the text shown
if [ -n "$self_exec_why" ]; then
	for _n in 1 2 3; do skip "$self_exec_why"; done
	done_testing
fi
rm -f "$box"
printf 'attached\001\002' > "$T/data.bin"
echo 'see attachment' | hk mail -n -s att -a "$T/data.bin" bob
printf 'p 1\nx\n' | hk mail -n -f "$box" >"$T/out" 2>&1
grep -q '^see attachment$' "$T/out"; ok $? "the text part shown"
like "$(cat "$T/out")" 'Attachment.*data\.bin' "the attachment listed by name"
grep -q 'YXR0YWNoZWQBAg' "$T/out"; is $? 1 "not dumped as base64"
done_testing
