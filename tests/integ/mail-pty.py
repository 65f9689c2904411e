#!/usr/bin/env python3
"""Drive `mail` through a pseudo-terminal as a person would, printing TAP.

Run by 042-mail-pty.t inside a test instance: HIKYAKU is the binary,
HIKYAKU_CONF the instance, INST its folder, TDIR a scratch folder;
HIKYAKU_RUN, when set, is put before the binary (its emulator).
"""
import os
import pty
import select
import signal
import sys
import time

HK = os.environ["HIKYAKU"]
RUN = os.environ.get("HIKYAKU_RUN", "").split()
INST = os.environ["INST"]
TDIR = os.environ["TDIR"]
n = 0
failed = 0


def ok(cond, name, diag=None):
    global n, failed
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, name))
    if not cond:
        failed += 1
        if diag is not None:
            for line in str(diag).splitlines()[-15:]:
                print("#   " + line)
    sys.stdout.flush()


class Session:
    def __init__(self, args, env=None):
        e = dict(os.environ)
        e.update(env or {})
        self.out = b""
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                argv = RUN + [HK, "mail"] + args
                os.execvpe(argv[0], argv, e)
            finally:
                os._exit(127)

    def expect(self, text, timeout=10):
        """Read until text (str) appears in the output since the last
        expect; True when it does, False on timeout or end."""
        want = text.encode()
        end = time.time() + timeout
        while want not in self.out:
            left = end - time.time()
            if left <= 0:
                return False
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                return False
            try:
                data = os.read(self.fd, 4096)
            except OSError:
                return False
            if not data:
                return False
            self.out += data
        i = self.out.index(want) + len(want)
        self.seen = self.out[:i].decode("utf-8", "replace")
        self.out = self.out[i:]
        return True

    def send(self, s):
        os.write(self.fd, s.encode())

    def line(self, s):
        self.send(s + "\n")

    def wait(self, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            try:
                r, _, _ = select.select([self.fd], [], [], 0.1)
                if r:
                    self.out += os.read(self.fd, 4096)
            except OSError:
                pass
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(st)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
        return None


def mbox(user):
    try:
        with open(os.path.join(INST, "mail", user), "rb") as f:
            return f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""


def count(user):
    return sum(1 for l in mbox(user).splitlines() if l.startswith("From "))


def clear():
    for u in ("alice", "bob", "carol"):
        try:
            os.unlink(os.path.join(INST, "mail", u))
        except FileNotFoundError:
            pass


rc = os.path.join(TDIR, "rc")
with open(rc, "w") as f:
    f.write("set sendwait\n")
with open(os.path.join(TDIR, "insert.txt"), "w") as f:
    f.write("inserted from a file\n")
base = {"MAILRC": rc, "HOME": TDIR, "EDITOR": "sed -i s/typed/EDITED/",
        "VISUAL": "sed -i s/second/VISUAL/"}

# 0. as printed in the textbooks: mail -s title user, the body, "."
s = Session(["-n", "-s", "title", "bob"], base)
s.line("Hello, Bob.")
s.line("How are you?")
s.line(".")
ok(s.expect("EOT"), "mail -s title bob, two lines, '.': EOT")
ok("Subject: " not in s.seen and "Cc: " not in s.seen,
   "no Subject: or Cc: prompt (-s given, no askcc)", s.seen)
code = s.wait()
b = mbox("bob")
ok(code == 0 and count("bob") == 1 and "\nSubject: title\n" in b and
   "\nHello, Bob.\nHow are you?\n" in b, "the message arrived as typed", b)
clear()

# 1. mail user, Subject:, the body, tildes, "."
s = Session(["-n", "bob"], base)
ok(s.expect("Subject: "), "asks Subject: on a terminal")
s.line("pty subject")
s.line("first typed line")
s.line("~p")
ok(s.expect("(continue)") and "Message contains:" in s.seen and
   "first typed line" in s.seen, "~p shows the message so far", s.seen)
s.line("~s changed subject")
s.line("~c carol")
s.line("~b alice")
s.line("~r " + os.path.join(TDIR, "insert.txt"))
ok(s.expect("1/21"), '~r FILE reads it in ("FILE" 1/21)', s.out)
s.line("second line")
s.line("~e")
ok(s.expect("(continue)"), "~e runs $EDITOR and continues")
s.line("~v")
ok(s.expect("(continue)"), "~v runs $VISUAL and continues")
s.line("~z")
ok(s.expect("Unknown tilde escape."), "an unknown escape is said so")
s.line("~?")
ok(s.expect("~e / ~v"), "~? lists the escapes")
s.line("~~ starts with a tilde")
s.line(".")
ok(s.expect("EOT"), "a '.' line ends the message and EOT is printed")
code = s.wait()
ok(code == 0, "exit 0", code)
b = mbox("bob")
ok(count("bob") == 1, "bob got the message")
ok("\nSubject: changed subject\n" in b, "~s replaced the subject", b)
ok("\nCc: carol@test.example\n" in b, "~c added Cc:", b)
ok(count("carol") == 1 and count("alice") == 1, "~c and ~b recipients got it")
ok("\nBcc:" not in b, "no Bcc: in the message", b)
ok("\nfirst EDITED line\n" in b, "~e: $EDITOR's change is in the message", b)
ok("\nVISUAL line\n" in b, "~v: $VISUAL's change is in the message", b)
ok("\ninserted from a file\n" in b, "~r: the file is in the message", b)
ok("\n~ starts with a tilde\n" in b, "~~ gives a line with one tilde", b)

# 2. ~q: abandoned, saved in dead.letter; ~x: abandoned, nothing saved
clear()
dead = os.path.join(TDIR, "dead.letter")
s = Session(["-n", "-s", "quit", "bob"], base)
s.line("text that is not sent")
s.line("~q")
ok(s.expect("Interrupt"), "~q says Interrupt")
code = s.wait()
ok(code != 0, "~q: mail exits non-zero", code)
ok(count("bob") == 0, "~q: nothing was sent")
ok(os.path.exists(dead) and "text that is not sent" in open(dead).read(),
   "~q: the text is in ~/dead.letter")
size = os.path.getsize(dead)
s = Session(["-n", "-s", "x", "bob"], base)
s.line("thrown away")
s.line("~x")
code = s.wait()
ok(count("bob") == 0 and os.path.getsize(dead) == size,
   "~x: nothing sent, nothing saved")

with open(rc, "w") as f:
    f.write("set sendwait nosave\n")
s = Session(["-n", "-s", "nosave", "bob"], base)
s.line("not kept either")
s.line("~q")
code = s.wait()
ok(os.path.getsize(dead) == size, "set nosave: ~q saves nothing")
with open(rc, "w") as f:
    f.write("set sendwait\n")

# 3. ~. ends without EOT; askcc asks Cc: after the body
s = Session(["-n", "-s", "tilde dot", "bob"], base)
s.line("short")
s.line("~.")
code = s.wait()
ok(code == 0 and count("bob") == 1, "~. sends the message")
ok(b"EOT" not in s.out, "~. prints no EOT (as bsd-mailx)", s.out)
with open(rc, "w") as f:
    f.write("set sendwait askcc\n")
clear()
s = Session(["-n", "-s", "askcc", "bob"], base)
s.line("body")
s.line(".")
ok(s.expect("Cc: "), "askcc: Cc: asked after the body")
s.line("carol")
code = s.wait()
ok(code == 0 and count("carol") == 1, "the Cc: typed there got it")
with open(rc, "w") as f:
    f.write("set sendwait\n")

# 4. interrupt: once a warning, twice the letter goes to dead.letter
clear()
if os.path.exists(dead):
    os.unlink(dead)
s = Session(["-n", "-s", "intr", "bob"], base)
s.line("interrupted text")
s.line("~p")                    # read up to here before the ^C
s.expect("(continue)")
s.send("\x03")
ok(s.expect("one more to kill letter"), "first ^C: a warning")
s.send("\x03")
code = s.wait()
ok(count("bob") == 0, "second ^C: not sent")
ok(os.path.exists(dead) and "interrupted text" in open(dead).read(),
   "and saved in dead.letter")

if os.path.exists(dead):
    os.unlink(dead)
s = Session(["-n", "-s", "hup", "bob"], base)
s.line("text when the line dropped")
s.line("~p")
s.expect("(continue)")
os.kill(s.pid, signal.SIGHUP)
code = s.wait()
ok(count("bob") == 0 and os.path.exists(dead) and
   "when the line dropped" in open(dead).read(),
   "a hang-up while typing: not sent, saved in dead.letter")

# 5. reading: the prompt, Enter, d, q
box = os.path.join(TDIR, "box")
with open(box, "w") as f:
    for i in (1, 2):
        f.write("From bob@test.example Sat Nov 28 09:1%d:00 2026\n"
                "From: bob@test.example\nSubject: reading %d\n\n"
                "body %d\n\n" % (i, i, i))
env = dict(base)
env["MAIL"] = box
s = Session(["-n"], env)
ok(s.expect("& "), "the prompt is '& '")
ok("2 messages 2 new" in s.seen and ">N  1 bob@test.example" in s.seen,
   "banner line and summary before it", s.seen)
s.line("")
ok(s.expect("& ") and "Message 1:" in s.seen and "body 1" in s.seen,
   "Enter prints the first message", s.seen)
s.line("d")
ok(s.expect("& "), "d, then the prompt again")
s.line("nosuchcommand")
ok(s.expect("& ") and 'Unknown command: "nosuchcommand"' in s.seen,
   "an unknown command: a message and the prompt again", s.seen)
s.line("q")
ok(s.expect("Held 1 message in " + box), "q: Held 1 message in the mailbox")
code = s.wait()
ok(code == 0, "exit 0", code)
data = open(box).read()
ok("reading 1" not in data and "reading 2" in data,
   "the deleted one is gone, the other kept", data)

print("1..%d" % n)
sys.exit(1 if failed else 0)
