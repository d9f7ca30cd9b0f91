#!/usr/bin/env python3
"""Opens N keep-alive connections, sends one GET on each, reads the answer, and keeps them open.

Prints READY once every connection has had its answer, then holds them until stdin closes or
HOLD seconds pass. bench/run.sh reads the proxy's RSS while they are held.
usage: idle-connections.py HOST PORT PATH N HOLD_SECONDS
"""
import socket
import sys
import time

host, port, path, count, hold = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
sockets = []
for _ in range(count):
    s = socket.create_connection((host, port))
    s.sendall(request)
    sockets.append(s)
for s in sockets:
    # Read the head, then exactly Content-Length bytes, so the connection stays usable and idle.
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            sys.exit("connection closed before the answer")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        body += s.recv(65536)
    if not head.startswith(b"HTTP/1.1 200"):
        sys.exit("unexpected answer: " + head.split(b"\r\n")[0].decode())
print("READY", flush=True)
time.sleep(hold)
for s in sockets:
    s.close()
