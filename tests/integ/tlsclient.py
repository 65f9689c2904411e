"""smtplib clients for the TLS tests (lib-tls.sh): they know the server
as test.example, the name in its certificate, which the ssl context
checks against the test CA in $TC_CA, and reach it on 127.0.0.1 (the
socket is made here, as an /etc/hosts line would)."""
import base64
import os
import smtplib
import socket
import ssl


def _loopback(self, host, port, timeout):
    return socket.create_connection(("127.0.0.1", port), timeout,
                                    self.source_address)


smtplib.SMTP._get_socket = _loopback


def ctx():
    """trusts the test CA only, checks the name"""
    return ssl.create_default_context(cafile=os.environ["TC_CA"])


def smtp(port, src=None):
    return smtplib.SMTP("test.example", port, local_hostname="client.example",
                        source_address=(src, 0) if src else None, timeout=20)


def smtps(port):
    """implicit TLS (465), then EHLO"""
    s = smtplib.SMTP_SSL("test.example", port, local_hostname="client.example",
                         context=ctx(), timeout=20)
    s.ehlo()
    return s


def tls(port, src=None):
    """EHLO, STARTTLS, EHLO again"""
    s = smtp(port, src)
    s.ehlo()
    s.starttls(context=ctx())
    s.ehlo()
    return s


def offers(s):
    """what the last EHLO offered of STARTTLS and AUTH (the rest is
    070's to check)"""
    auth = s.esmtp_features.get("auth", "").strip()
    return "starttls=%s auth=%s" % (s.has_extn("starttls"), auth or None)


def plain(user, pw):
    """an AUTH PLAIN response"""
    return base64.b64encode(b"\0" + user.encode() + b"\0" +
                            pw.encode()).decode()


def auth(s, mech, user, pw):
    """AUTH PLAIN with an initial response, AUTH LOGIN without (two
    334s): "CODE TEXT" of the server's last reply"""
    s.user, s.password = user, pw
    try:
        if mech == "PLAIN":
            r = s.auth("PLAIN", s.auth_plain)
        else:
            r = s.auth("LOGIN", s.auth_login, initial_response_ok=False)
    except smtplib.SMTPAuthenticationError as e:
        r = (e.smtp_code, e.smtp_error)
    return "%d %s" % (r[0], r[1].decode())
