#!/usr/bin/env python3
# mail against Python's email package, the independent reader: for each
# message of a small set (real-looking mail and edge cases generated
# here, the same bytes every run), the Subject mail shows must be
# Python's decoded one, and the text mail shows (p) must be the text
# parts Python's parser finds, decoded, in order: of a
# multipart/alternative the text/plain part, a message/rfc822 part's
# text, the attachment and "[-- ... --]" lines left out, empty lines
# not compared.  Differences made on purpose (raw UTF-8 inside an
# encoded word, text labelled base64 that is not) are tested in
# tests/unit/t_mime.c instead.
import email
import email.policy
import os
import subprocess
import sys
import tempfile

tap_n = 0
failed = 0


def ok(cond, name, diag=None):
    global tap_n, failed
    tap_n += 1
    print("%sok %d - %s" % ("" if cond else "not ", tap_n, name))
    if not cond:
        failed += 1
        for line in (diag or "").splitlines():
            print("#   " + line)


def b64(s, cs="utf-8"):
    import base64
    return base64.encodebytes(s.encode(cs)).decode()


def qp(s, cs):
    import quopri
    return quopri.encodestring(s.encode(cs)).decode()


H = "From: a@example.org\nTo: b@example.org\nDate: Sat, 28 Nov 2026 09:19:43 +0900\n"
M = [
    ("latin-1 quoted-printable",
     H + "Subject: =?ISO-8859-1?Q?caf=E9_cr=E8me?=\nMIME-Version: 1.0\n"
     "Content-Type: text/plain; charset=ISO-8859-1\n"
     "Content-Transfer-Encoding: quoted-printable\n\n" +
     qp("Un café crème, s'il vous plaît.\nÀ bientôt\n", "latin-1")),
    ("alternative, UTF-8 base64 and HTML",
     H + "Subject: =?UTF-8?B?5pel5pys6Kqe44Gu5Lu25ZCN?=\nMIME-Version: 1.0\n"
     "Content-Type: multipart/alternative; boundary=\"alt\"\n\n"
     "--alt\nContent-Type: text/plain; charset=utf-8\n"
     "Content-Transfer-Encoding: base64\n\n" +
     b64("日本語の本文です。\nSecond line ✓\n") +
     "--alt\nContent-Type: text/html; charset=utf-8\n\n<p>html</p>\n"
     "--alt--\n"),
    ("ISO-2022-JP from a phone",
     H + "Subject: =?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=\n"
     "MIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-2022-JP\n"
     "Content-Transfer-Encoding: 7bit\n\n" +
     "こんにちは、元気ですか。\n".encode("iso2022_jp").decode("ascii")),
    ("KOI8-R body, windows-1251 subject",
     H + "Subject: =?windows-1251?B?" +
     b64("Привет", "cp1251").strip() + "?=\nMIME-Version: 1.0\n"
     "Content-Type: text/plain; charset=koi8-r\n"
     "Content-Transfer-Encoding: base64\n\n" +
     b64("Привет, мир!\nКак дела?\n", "koi8_r")),
    ("UTF-7 (old Exchange)",
     H + "Subject: =?unicode-1-1-utf-7?Q?Gr+APw-=DFe?=\nMIME-Version: 1.0\n"
     "Content-Type: text/plain; charset=unicode-1-1-utf-7\n\n" +
     "Grüße aus Köln, 1+1=2 ☺\n".encode("utf_7").decode("ascii") + "\n"),
    ("EUC-JP with JIS X 0212",
     H + "Subject: =?EUC-JP?Q?Micha=8F=A9=C8?=\nMIME-Version: 1.0\n"
     "Content-Type: text/plain; charset=EUC-JP\n"
     "Content-Transfer-Encoding: base64\n\n" +
     b64("Michał さんへ\n", "euc_jp")),
    ("a close delimiter followed by text",
     H + "Subject: close\nMIME-Version: 1.0\n"
     "Content-Type: multipart/mixed; boundary=\"B\"\n\n"
     "--B\nContent-Type: text/plain\n\nfirst part\n"
     "--B\nContent-Type: text/plain\n\nsecond part\n--B-->\n"),
    ("an inner boundary extending the outer one",
     H + "Subject: nested\nMIME-Version: 1.0\n"
     "Content-Type: multipart/mixed; boundary=\"outer\"\n\n"
     "--outer\nContent-Type: multipart/alternative; boundary=\"outer--x\"\n\n"
     "--outer--x\nContent-Type: text/plain\n\ninner text\n--outer--x--\n"
     "--outer\nContent-Type: application/pdf; name=\"a.pdf\"\n"
     "Content-Transfer-Encoding: base64\n\nJVBERi0=\n--outer--\n"),
    ("message/rfc822 without a header section",
     H + "Subject: bounce\nMIME-Version: 1.0\n"
     "Content-Type: multipart/report; report-type=delivery-status; "
     "boundary=\"R\"\n\n--R\nContent-Type: text/plain\n\nDelivery failed.\n"
     "--R\nContent-Type: message/rfc822\n\n[original message removed]\n"
     "--R--\n"),
    ("multipart/*",
     H + "Subject: star\nMIME-Version: 1.0\n"
     "Content-Type: multipart/*; boundary=\"S\"\n\n"
     "--S\nContent-Type: text/plain; charset=utf-8\n\nstar ★ part\n--S--\n"),
    ("encoded words cut inside a character",
     H + "Subject: =?UTF-8?B?5pel5pys?= =?UTF-8?B?6Kqe?= and =?utf-8?q?more?=\n"
     "\nplain body\n"),
    ("a part with no header section",
     H + "Subject: bare part\nMIME-Version: 1.0\n"
     "Content-Type: multipart/mixed; boundary=\"P\"\n\n"
     "--P\nhello from a part without fields\nsecond line\n--P--\n"),
]


def py_texts(msg, top=True):
    """The text parts as mail shows them, by Python's parser."""
    ct = msg.get_content_type()
    if msg.is_multipart() and ct == "message/rfc822":
        return py_texts(msg.get_payload(0), False)
    if msg.is_multipart():
        parts = msg.get_payload()
        if ct == "multipart/alternative":
            plain = [p for p in parts if p.get_content_type() == "text/plain"]
            parts = plain[:1] or parts[:1]
        out = []
        for p in parts:
            out += py_texts(p, False)
        return out
    if ct == "text/plain" or (top and msg.get_content_maintype() == "text"):
        return [msg.get_content()]
    return []


def norm(text):
    return [l.rstrip() for l in text.splitlines()
            if l.strip() and not l.startswith("[-- ")]


def main():
    hk = os.environ.get("HIKYAKU", os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "hikyaku"))
    run = os.environ.get("HIKYAKU_RUN", "").split()
    d = tempfile.mkdtemp()
    box = os.path.join(d, "box")
    with open(box, "w", encoding="utf-8", newline="\n") as f:
        for name, text in M:
            f.write("From a@example.org Sat Nov 28 09:19:43 2026\n" + text +
                    "\n")
    env = dict(os.environ, MAILRC="/dev/null", HOME=d)
    for i, (name, text) in enumerate(M, 1):
        r = subprocess.run(run + [hk, "mail", "-N", "-f", box],
                           input=("set quiet\np %d\nx\n" % i).encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=env)
        out = r.stdout.decode("utf-8", "replace")
        head, _, body = out.partition("\n\n")
        subj = [l[9:] for l in head.splitlines() if l.startswith("Subject: ")]
        msg = email.message_from_bytes(text.encode(), policy=email.policy.default)
        want = str(msg["subject"])
        ok(subj == [want], "%s: the subject as Python decodes it" % name,
           "got:  %r\nwant: %r" % (subj, want))
        want = norm("\n".join(py_texts(msg)))
        got = norm(body)
        ok(got == want, "%s: the text as Python's parser finds it" % name,
           "got:  %r\nwant: %r" % (got, want))
    print("1..%d" % tap_n)
    sys.exit(1 if failed else 0)


main()
