#!/usr/bin/env python3
"""smtp-chat.py [--drip] [--wait-greeting] [--close] HOST PORT < BYTES

Sends the bytes of stdin to an SMTP server as they are (CR, LF, NUL and
all: the tests use it for what a client library would refuse to send),
then prints every byte the server sends until it closes the connection
(or 10 s pass).  --drip sends one byte at a time; --wait-greeting reads
the 220 first; --close shuts the connection right after sending (a
client that drops), printing what came back until then."""
import socket
import sys
import time

args = sys.argv[1:]
drip = "--drip" in args
greet = "--wait-greeting" in args
close = "--close" in args
args = [a for a in args if not a.startswith("--")]
host, port = args[0], int(args[1])
data = sys.stdin.buffer.read()
s = socket.create_connection((host, port), 10)
s.settimeout(10)
out = b""
if greet:
    while b"\r\n" not in out:
        out += s.recv(4096)
if drip:
    for i in range(len(data)):
        s.sendall(data[i:i + 1])
        time.sleep(0.002)
else:
    s.sendall(data)
if close:
    s.close()
    sys.stdout.buffer.write(out)
    sys.exit(0)
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
except socket.timeout:
    out += b"<timeout>\r\n"
sys.stdout.buffer.write(out)
