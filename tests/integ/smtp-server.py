#!/usr/bin/env python3
"""A receiving SMTP server for the remote delivery tests, on aiosmtpd.

    smtp-server.py --out DIR --pid FILE --listen 192.0.2.1:25 [options]

It plays the server a test needs (STARTTLS or not, implicit TLS, AUTH,
SIZE, a refusing greeting, scripted replies per stage and recipient,
temporary failures for the first tries, a stall for the timeouts) and
records what it was sent, for the test to check byte by byte:

    DIR/N.eml        the DATA of message N, as received on the wire
                     (dot-unstuffing undone, nothing else: a bare CR or
                     LF inside a line stays as it came)
    DIR/N.json       its envelope: mail_from ("" for <>), rcpt_tos, mail_options,
                     rcpt_options, tls, tls_version, auth, helo, peer,
                     listener; written after N.eml, so a test that sees
                     the .json sees the whole message
    DIR/transcript   every connection's dialogue: "C# C: command" and
                     "C# S: reply" lines, and "C# connect", "C# tls",
                     "C# auth USER", "C# close" events

A REPLY is an SMTP reply, "451 4.3.0 try later"; "\\n" in it makes a
multi-line reply (each line gets the code), "\\xHH" any byte.
The pid file is written once every listener is bound; SIGTERM stops.
"""

import argparse
import asyncio
import fnmatch
import json
import logging
import os
import re
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, MISSING


def unescape(s):
    return re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)),
                  s.replace("\\n", "\n"))


def reply_lines(reply):
    """'550 5.1.1 a\\nb' -> ['550-5.1.1 a', '550 5.1.1 b'] (bytes)"""
    code, _, text = reply.partition(" ")
    parts = text.split("\n")
    out = []
    for i, p in enumerate(parts):
        sep = " " if i == len(parts) - 1 else "-"
        out.append((code + sep + p).encode("latin-1"))
    return out


def addr(spec):
    host, _, port = spec.rpartition(":")
    return host.strip("[]"), int(port)


class Recorder:
    def __init__(self, out):
        self.out = out
        os.makedirs(out, exist_ok=True)
        self.n = len([f for f in os.listdir(out) if f.endswith(".json")])
        self.conns = 0
        self.tf = open(os.path.join(out, "transcript"), "ab", buffering=0)

    def line(self, conn, what):
        if isinstance(what, str):
            what = what.encode("utf-8", "surrogateescape")
        what = re.sub(rb"[\x00-\x1f\x7f\\]",
                      lambda m: b"\\x%02x" % m.group(0)[0], what)
        self.tf.write(b"%d %s\n" % (conn, what))

    def message(self, env, data):
        self.n += 1
        base = os.path.join(self.out, "%d" % self.n)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(data)
        os.rename(base + ".eml.tmp", base + ".eml")
        with open(base + ".json.tmp", "w") as f:
            json.dump(env, f, indent=1, sort_keys=True)
        os.rename(base + ".json.tmp", base + ".json")
        return self.n


class Script:
    """What to answer: the options, and the first-tries counters."""

    def __init__(self, o):
        self.o = o
        self.rcpt = []
        for r in o.rcpt:
            pat, _, rep = r.partition("=")
            self.rcpt.append((pat.lower(), unescape(rep)))
        self.first = {}
        for f in o.first:
            m = re.match(r"^(\d+):(greeting|ehlo|mail|rcpt|data|eod)=(.+)$", f, re.S)
            if not m:
                sys.exit("smtp-server: bad --first %r (N:STAGE=REPLY)" % f)
            self.first[m.group(2)] = (int(m.group(1)), unescape(m.group(3)))

    def tries(self, stage):
        """The first tries of STAGE get their scripted reply: count this one."""
        if stage not in self.first:
            return None
        n, rep = self.first[stage]
        path = os.path.join(self.o.out, "first-%s.count" % stage)
        try:
            with open(path) as f:
                done = int(f.read() or 0)
        except FileNotFoundError:
            done = 0
        with open(path, "w") as f:
            f.write("%d\n" % (done + 1))
        return rep if done < n else None

    def stage(self, stage, given):
        """The reply for STAGE: a first-tries one, else the given one."""
        return self.tries(stage) or (unescape(given) if given else None)


SESSIONS = []


class Commands(logging.Handler):
    """aiosmtpd logs each command line it reads ("peer >> line", AUTH's
    credentials masked): into the transcript of that peer's session."""

    def emit(self, r):
        if r.msg != "%r >> %r" or len(r.args) != 2:
            return
        peer, line = r.args
        for s in SESSIONS:
            if s.session and s.session.peer == peer:
                s.h.rec.line(s.conn, b"C: " + line)
                return


class Server(SMTP):
    # lines of any length are taken and recorded, never refused: the
    # test checks them itself
    line_length_limit = 1 << 20

    def __init__(self, handler, implicit, listener, **kw):
        super().__init__(handler, **kw)
        self.h = handler
        self.implicit = implicit
        self.listener = listener
        self.greeted = False
        handler.rec.conns += 1
        self.conn = handler.rec.conns
        SESSIONS.append(self)

    def connection_made(self, transport):
        first = self.transport is None
        super().connection_made(transport)
        if first:
            peer = transport.get_extra_info("peername")
            self.h.rec.line(self.conn, "connect %s -> %s%s" % (
                peer[0], self.listener, " (implicit TLS)" if self.implicit else ""))
        else:
            obj = self.transport.get_extra_info("ssl_object")
            self.h.rec.line(self.conn, "tls %s" % (obj.version() if obj else "?"))

    def connection_lost(self, error):
        self.h.rec.line(self.conn, "close")
        super().connection_lost(error)
        if self in SESSIONS:
            SESSIONS.remove(self)

    async def push(self, status):
        if isinstance(status, str):
            status = status.encode("utf-8", "surrogateescape")
        if not self.greeted:
            self.greeted = True
            if self.h.o.stall == "greeting":
                await asyncio.sleep(3600)
            g = self.h.script.stage("greeting", self.h.o.greeting)
            if g:
                for ln in reply_lines(g):
                    self.h.rec.line(self.conn, b"S: " + ln)
                    self._writer.write(ln + b"\r\n")
                await self._writer.drain()
                if g.startswith("421"):
                    self.transport.close()
                return
        self.h.rec.line(self.conn, b"S: " + status)
        await super().push(status)

    async def smtp_DATA(self, arg):
        if self.session.host_name and self.envelope.rcpt_tos and not arg:
            if self.h.o.stall == "data":
                await asyncio.sleep(3600)
            rep = self.h.script.stage("data", self.h.o.data)
            if rep:
                await self.push(await self.h.multi(self, rep))
                self._set_post_data_state()
                return
        await super().smtp_DATA(arg)


class Handler:
    def __init__(self, o):
        self.o = o
        self.rec = Recorder(o.out)
        self.script = Script(o)
        self.users = dict(u.split(":", 1) for u in o.auth)

    def tls(self, server, session):
        return server.implicit or session.ssl is not None

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        if self.o.stall == "ehlo":
            await asyncio.sleep(3600)
        rep = self.script.stage("ehlo", self.o.ehlo)
        if rep:
            return reply_lines(rep)
        session.host_name = hostname
        out = [r for r in responses
               if not (self.o.no_8bitmime and r[4:] == "8BITMIME")
               and not (not self.users and r[4:8] == "AUTH")
               and r[4:] != "HELP"]
        if not self.o.no_pipelining:
            out.append("250-PIPELINING")
        out.append("250-ENHANCEDSTATUSCODES")
        out[-1] = "250 " + out[-1][4:]
        return out

    async def handle_HELO(self, server, session, envelope, hostname):
        session.host_name = hostname
        return "250 %s" % server.hostname

    async def handle_MAIL(self, server, session, envelope, address, options):
        if self.o.stall == "mail":
            await asyncio.sleep(3600)
        rep = self.script.stage("mail", self.o.mail)
        if rep and rep[0] != "2":
            return await self.multi(server, rep)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return await self.multi(server, rep) if rep else "250 2.1.0 Ok"

    async def multi(self, server, rep):
        """Send all but the last line of a reply; aiosmtpd sends that."""
        lines = reply_lines(rep)
        for ln in lines[:-1]:
            server.h.rec.line(server.conn, b"S: " + ln)
            server._writer.write(ln + b"\r\n")
        return lines[-1].decode("latin-1")

    async def handle_RCPT(self, server, session, envelope, address, options):
        if self.o.stall == "rcpt":
            await asyncio.sleep(3600)
        rep = self.script.stage("rcpt", None)
        if not rep:
            for pat, r in self.script.rcpt:
                if fnmatch.fnmatchcase(address.lower(), pat):
                    rep = r
                    break
        if rep and rep[0] != "2":
            return await self.multi(server, rep)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return await self.multi(server, rep) if rep else "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        if self.o.stall == "eod":
            await asyncio.sleep(3600)
        rep = self.script.stage("eod", self.o.eod)
        if rep and rep[0] != "2":
            return await self.multi(server, rep)
        obj = server.transport.get_extra_info("ssl_object")
        env = {
            "mail_from": "" if envelope.mail_from == "<>" else envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "mail_options": envelope.mail_options,
            "rcpt_options": envelope.rcpt_options,
            "tls": bool(self.tls(server, session)),
            "tls_version": obj.version() if obj else None,
            "auth": (session.login_data.decode("utf-8", "replace")
                     if session.authenticated and session.login_data else None),
            "helo": session.host_name,
            "peer": session.peer[0],
            "listener": server.listener,
            "size": len(envelope.original_content),
        }
        n = self.rec.message(env, envelope.original_content)
        return await self.multi(server, rep) if rep else \
            "250 2.0.0 Ok: queued as M%d" % n

    def authenticate(self, server, session, envelope, mechanism, data):
        user = data.login.decode("utf-8", "replace")
        good = self.users.get(user) == data.password.decode("utf-8", "replace")
        self.rec.line(server.conn, "auth %s %s %s tls=%s" % (
            mechanism, user, "ok" if good else "failed",
            bool(self.tls(server, session))))
        return AuthResult(success=good, handled=False, auth_data=data)


def context(o):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(o.cert, o.key)
    return ctx


async def main(o):
    loop = asyncio.get_running_loop()
    h = Handler(o)
    ctx = context(o) if o.cert else None
    servers = []

    def factory(implicit, listener):
        kw = dict(hostname=o.hostname, ident="test server",
                  data_size_limit=o.size or None,
                  enable_SMTPUTF8=o.smtputf8,
                  tls_context=ctx if (o.starttls and not implicit) else None,
                  auth_require_tls=not (implicit or o.auth_clear),
                  auth_required=bool(o.auth),
                  authenticator=h.authenticate if o.auth else None,
                  auth_exclude_mechanism=[] if o.auth else ["LOGIN", "PLAIN"],
                  timeout=o.timeout, loop=loop)
        return lambda: Server(h, implicit, listener, **kw)

    for spec in o.listen:
        host, port = addr(spec)
        servers.append(await loop.create_server(factory(False, spec), host, port,
                                                reuse_address=True))
    for spec in o.listen_tls:
        host, port = addr(spec)
        servers.append(await loop.create_server(factory(True, spec), host, port,
                                                ssl=ctx, reuse_address=True))
    stop = loop.create_future()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, lambda: stop.done() or stop.set_result(1))
    with open(o.pid + ".tmp", "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(o.pid + ".tmp", o.pid)
    await stop
    for s in servers:
        s.close()
    os.unlink(o.pid)


def options():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True, help="directory of the recordings")
    p.add_argument("--pid", required=True, help="pid file, written when listening")
    p.add_argument("--listen", action="append", default=[], metavar="ADDR:PORT",
                   help="a plain listener ([v6]:port for IPv6); repeatable")
    p.add_argument("--listen-tls", action="append", default=[], metavar="ADDR:PORT",
                   help="an implicit TLS listener (as port 465)")
    p.add_argument("--cert", help="certificate chain (PEM)")
    p.add_argument("--key", help="its key (PEM)")
    p.add_argument("--starttls", action="store_true",
                   help="offer STARTTLS on the plain listeners (needs --cert)")
    p.add_argument("--auth", action="append", default=[], metavar="USER:PASSWORD",
                   help="AUTH PLAIN and LOGIN, offered under TLS only, and "
                        "required for MAIL")
    p.add_argument("--auth-clear", action="store_true",
                   help="offer AUTH without TLS too (a server no client should "
                        "send its password to)")
    p.add_argument("--size", type=int, default=0, help="SIZE to advertise and enforce")
    p.add_argument("--smtputf8", action="store_true", help="offer SMTPUTF8")
    p.add_argument("--no-8bitmime", action="store_true", help="do not offer 8BITMIME")
    p.add_argument("--no-pipelining", action="store_true", help="do not offer PIPELINING")
    p.add_argument("--hostname", default="mx.example.test", help="name in 220 and 250")
    p.add_argument("--greeting", metavar="REPLY", help="instead of 220 (421: then close)")
    p.add_argument("--ehlo", metavar="REPLY", help="reply to EHLO")
    p.add_argument("--mail", metavar="REPLY", help="reply to MAIL")
    p.add_argument("--rcpt", action="append", default=[], metavar="PATTERN=REPLY",
                   help="reply to RCPT for an address matching PATTERN "
                        "(fnmatch, case-insensitive); first match wins")
    p.add_argument("--data", metavar="REPLY", help="reply to DATA (instead of 354)")
    p.add_argument("--eod", metavar="REPLY",
                   help="reply after the end of data (a 2xx one records)")
    p.add_argument("--first", action="append", default=[], metavar="N:STAGE=REPLY",
                   help="the first N times STAGE (greeting, ehlo, mail, rcpt, "
                        "data, eod) is reached, over all connections, answer "
                        "REPLY; then as usual (the count is kept in DIR)")
    p.add_argument("--stall", choices=["greeting", "ehlo", "mail", "rcpt", "data", "eod"],
                   help="never answer at that stage (for the client's timeouts)")
    p.add_argument("--timeout", type=float, default=300, help="idle timeout of a session")
    o = p.parse_args()
    if not o.listen and not o.listen_tls:
        p.error("no --listen or --listen-tls")
    if (o.starttls or o.listen_tls) and not (o.cert and o.key):
        p.error("STARTTLS and implicit TLS need --cert and --key")
    return o


if __name__ == "__main__":
    o = options()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    cmdlog = logging.getLogger("mail.log")
    cmdlog.setLevel(logging.INFO)
    cmdlog.addHandler(Commands())
    cmdlog.propagate = False
    asyncio.run(main(o))
