#!/usr/bin/env python3
# core/charset against Python's codecs, the independent reference: for
# each charset, every character the codec has (every byte, every
# double-byte pair, every EUC-JP triple, every code point of UTF-8) is
# converted by hikyaku, one per line, and compared byte for byte with
# Python's decode.  The sequences the codec rejects must give U+FFFD.
# The few differences hikyaku makes on purpose (see core/charset.h) are
# allowed by name below, each with its reason, and checked too.
#
# The converter is tests/unit/t_charset --convert CHARSET (no applet
# shows it): found in $UNITDIR (set by make check), else in the build
# folder that goes with $HIKYAKU (hikyaku-X is built in build-X).
import os
import subprocess
import sys

tap_n = 0
tap_failed = 0


def ok(cond, name):
    global tap_n, tap_failed
    tap_n += 1
    print("%sok %d - %s" % ("" if cond else "not ", tap_n, name))
    if not cond:
        tap_failed += 1
    sys.stdout.flush()


def diag(s):
    print("# " + s)


def done():
    print("1..%d" % tap_n)
    sys.exit(1 if tap_failed else 0)


# put before every run of the converter: its emulator, if any
RUN = os.environ.get("HIKYAKU_RUN", "").split()


def converter():
    if os.environ.get("UNITDIR"):
        return os.path.join(os.environ["UNITDIR"], "t_charset")
    top = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    hk = os.environ.get("HIKYAKU", os.path.join(top, "hikyaku"))
    base = os.path.basename(hk)
    if not base.startswith("hikyaku"):
        return None
    return os.path.join(os.path.dirname(os.path.abspath(hk)),
                        "build" + base[len("hikyaku"):], "tests", "unit",
                        "t_charset")


def dec(codec, b):
    try:
        return b.decode(codec)
    except UnicodeDecodeError:
        return None


def convert(prog, label, seqs, wrap=lambda s: s):
    """hikyaku's output for each sequence (one per line)."""
    data = b"\n".join(wrap(s) for s in seqs) + b"\n"
    r = subprocess.run(RUN + [prog, "--convert", label], input=data,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        return None, r.stderr.decode(errors="replace").strip()
    try:
        text = r.stdout.decode("utf-8")
    except UnicodeDecodeError as e:
        return None, "output is not UTF-8: %s" % e
    lines = text.split("\n")
    if len(lines) != len(seqs) + 1 or lines[-1] != "":
        return None, "%d lines for %d sequences" % (len(lines) - 1, len(seqs))
    return lines[:-1], None


def single():
    return [bytes([c]) for c in range(256) if c != 0x0A]


def sjis_pairs():
    return [bytes([l, t]) for l in list(range(0x81, 0xA0)) +
            list(range(0xE0, 0xFD)) for t in range(0x40, 0xFD) if t != 0x7F]


def euc_seqs():
    s = [bytes([l, t]) for l in range(0xA1, 0xFF) for t in range(0xA1, 0xFF)]
    s += [bytes([0x8E, t]) for t in range(0xA1, 0xFF)]
    s += [bytes([0x8F, a, t]) for a in range(0xA1, 0xFF)
          for t in range(0xA1, 0xFF)]
    return s


def jis_to_sjis(r, c):
    lead = ((r - 1) >> 1) + (0x81 if r <= 62 else 0xC1)
    trail = c + 0x3F + (c >= 64) if r % 2 else c + 0x9E
    return bytes([lead, trail])


# Differences allowed on purpose: name -> (reason, check(seq, got)),
# a check that says what hikyaku gives instead.
def cp932_ext(seq, got):
    return dec("cp932", seq) == got


def euc_ext(seq, got):
    if len(seq) != 2:
        return False
    return dec("cp932", jis_to_sjis(seq[0] - 0xA0, seq[1] - 0xA0)) == got


def iso_ext(seq, got):
    if seq[:3] == b"\x1b(I":
        return dec("iso2022_jp_ext", seq) == got
    if seq[:3] in (b"\x1b$B", b"\x1b$@"):
        r, c = seq[3] - 0x20, seq[4] - 0x20
        return dec("cp932", jis_to_sjis(r, c)) == got
    return False


KNOWN = {
    "cp932-ext": ("Shift_JIS: the CP932 characters JIS X 0208 lacks "
                  "(NEC row 13, IBM extensions, user-defined area) are "
                  "shown as CP932 shows them, as Windows wrote them",
                  cp932_ext),
    "cp932-lone": ("CP932: the lone bytes 0x80, 0xA0, 0xFD-0xFF are errors "
                   "as in glibc (Python: U+0080 and private use)",
                   lambda seq, got: seq in (b"\x80", b"\xa0", b"\xfd", b"\xfe",
                                           b"\xff") and got == "\ufffd"),
    "euc-ext": ("EUC-JP: NEC row 13 and rows 89-92 as in CP932 "
                "(eucJP-ms, browsers)", euc_ext),
    "iso-ext": ("ISO-2022-JP: ESC ( I katakana (Python: iso2022_jp_ext), "
                "NEC row 13 and rows 89-92 as in CP932", iso_ext),
}

# label given to hikyaku, Python codec, sequences, wrapper, known ones
CHARSETS = [("us-ascii", "ascii", single, None, ())]
# the other single-byte encodings of the WHATWG Encoding Standard
CHARSETS += [(label, codec, single, None, ()) for label, codec in (
    ("ibm866", "cp866"), ("koi8-r", "koi8_r"), ("koi8-u", "koi8_u"),
    ("macintosh", "mac_roman"), ("x-mac-cyrillic", "mac_cyrillic"),
    ("windows-874", "cp874"), ("windows-1250", "cp1250"),
    ("windows-1251", "cp1251"), ("windows-1253", "cp1253"),
    ("windows-1254", "cp1254"), ("windows-1255", "cp1255"),
    ("windows-1256", "cp1256"), ("windows-1257", "cp1257"),
    ("windows-1258", "cp1258"))]
CHARSETS += [("iso-8859-%d" % n, "iso8859_%d" % n, single, None, ())
             for n in list(range(1, 12)) + list(range(13, 17))]
CHARSETS += [
    ("windows-1252", "cp1252", single, None, ()),
    ("shift_jis", "shift_jis", lambda: single() + sjis_pairs(), None,
     ("cp932-ext",)),
    ("cp932", "cp932", lambda: single() + sjis_pairs(), None,
     ("cp932-lone",)),
    ("euc-jp", "euc_jp", lambda: single() + euc_seqs(), None,
     ("euc-ext",)),
    ("iso-2022-jp", "iso2022_jp",
     lambda: [bytes([c]) for c in range(0x80) if c not in (0x0A, 0x1B)] +
     [b"\x1b$B" + bytes([a, t]) for a in range(0x21, 0x7F)
      for t in range(0x21, 0x7F)] +
     [b"\x1b$@" + bytes([a, t]) for a in range(0x21, 0x7F)
      for t in range(0x21, 0x7F)] +
     [b"\x1b(J" + bytes([c]) for c in range(0x21, 0x7F)] +
     [b"\x1b(I" + bytes([c]) for c in range(0x21, 0x60)],
     lambda s: s + b"\x1b(B" if s[:1] == b"\x1b" else s, ("iso-ext",)),
    # ISO-2022-JP-2: its ISO-2022-JP part and JIS X 0212 (ESC $ ( D)
    ("iso-2022-jp-2", "iso2022_jp_2",
     lambda: [b"\x1b$B" + bytes([a, t]) for a in range(0x21, 0x31)
              for t in range(0x21, 0x7F)] +
     [b"\x1b$(D" + bytes([a, t]) for a in range(0x21, 0x7F)
      for t in range(0x21, 0x7F)],
     lambda s: s + b"\x1b(B", ("iso-ext",)),
    # UTF-7: every BMP character but the surrogates, and a few outside
    ("unicode-1-1-utf-7", "utf_7",
     lambda: [chr(c).encode("utf_7") for c in range(0x10000)
              if c != 0x0A and not 0xD800 <= c <= 0xDFFF] +
     [chr(c).encode("utf_7") for c in (0x10000, 0x1F600, 0x10FFFF)] +
     [b"+-", b"a+AGEAYgBj-d", b"+AGE", b"+AGE.x"],
     None, ()),
]


def check(prog, label, codec, gen, wrap, known):
    seqs = gen()
    got, err = convert(prog, label, seqs, wrap or (lambda s: s))
    if got is None:
        ok(False, "%s: converted (%s)" % (label, err))
        return
    w = wrap or (lambda s: s)
    same = rejected = 0
    used = {k: 0 for k in known}
    bad = []
    for s, g in zip(seqs, got):
        want = dec(codec, w(s))
        if want == g:
            same += 1
            continue
        if want is None and "\ufffd" in g and \
                not any(KNOWN[k][1](s, g) for k in known):
            rejected += 1
            continue
        reason = next((k for k in known if KNOWN[k][1](s, g)), None)
        if reason is not None:
            used[reason] += 1
        else:
            bad.append((s, want, g))
    ok(not bad, "%s: %d characters the same as Python's %s, %d rejected "
       "as U+FFFD" % (label, same, codec, rejected))
    for s, want, g in bad[:20]:
        diag("%s %s: Python %r, hikyaku %r" % (label, s.hex(), want, g))
    if len(bad) > 20:
        diag("... %d more" % (len(bad) - 20))
    for k in known:
        ok(used[k] > 0, "%s: known difference %s (%d): %s" %
           (label, k, used[k], KNOWN[k][0]))


def check_utf8(prog):
    cps = [c for c in range(0x110000) if c != 0x0A and
           not 0xD800 <= c <= 0xDFFF]
    seqs = [chr(c).encode() for c in cps]
    got, err = convert(prog, "utf-8", seqs)
    ok(got is not None and all(chr(c) == g for c, g in zip(cps, got)),
       "utf-8: all %d code points kept" % len(cps))
    if got is None:
        diag(err)
    # ill-formed input: U+FFFD as Python's errors="replace" (maximal
    # subparts, Unicode 3.9)
    seqs = [bytes([a]) for a in range(0x80, 0x100)]
    seqs += [bytes([a, b]) for a in range(0xC0, 0x100)
             for b in list(range(0x70, 0xC4)) if b != 0x0A]
    seqs += [bytes([a, b, c]) for a in (0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF4,
                                        0xF5)
             for b in range(0x70, 0xC4) for c in (0x41, 0x80, 0xBF, 0xC0)]
    seqs += [bytes([a, b, 0x80, c]) for a in (0xF0, 0xF1, 0xF4)
             for b in (0x80, 0x8F, 0x90, 0xBF) for c in (0x41, 0x80, 0xC0)]
    got, err = convert(prog, "utf-8", seqs)
    bad = [(s, g) for s, g in zip(seqs, got or [])
           if s.decode("utf-8", "replace") != g]
    ok(got is not None and not bad,
       "utf-8: %d ill-formed sequences give U+FFFD as Python's "
       "errors='replace'" % len(seqs))
    for s, g in bad[:20]:
        diag("utf-8 %s: Python %r, hikyaku %r" %
             (s.hex(), s.decode("utf-8", "replace"), g))


def main():
    prog = converter()
    if prog is None or not os.access(prog, os.X_OK):
        print("1..0 # skip no t_charset converter (%s): run make units, "
              "or make check, which sets UNITDIR" % prog)
        return
    for label, codec, gen, wrap, known in CHARSETS:
        check(prog, label, codec, gen, wrap, known)
    check_utf8(prog)
    r = subprocess.run(RUN + [prog, "--convert", "big5"], input=b"x",
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ok(r.returncode == 64 and b"big5" in r.stderr and r.stdout == b"",
       "an unknown charset is refused (exit 64), naming it")
    done()


main()
