#!/usr/bin/env python3
"""A TCP forwarder that puts a distant upstream on 127.0.0.1: every byte is delayed by a one-way DELAY_MS
in each direction (a round trip costs 2 x DELAY_MS), and a new connection costs one round trip before its
first byte, as a TCP handshake to a far server does. Order is kept; bandwidth is not limited.

    delay-proxy.py LISTEN_PORT TARGET_HOST TARGET_PORT DELAY_MS

The cold-path benchmarks (bench/npm.sh, bench/maven-cold.sh ...) stand a local registry behind it for the
registry far away that users actually have (issue 28): `tc netem` would delay the client's side of the loop
device too.
"""
import asyncio
import sys
import time


async def pump(reader, writer, delay):
    """Copies reader to writer, each chunk released `delay` seconds after it arrived."""
    queue = asyncio.Queue()

    async def release():
        while True:
            due, data = await queue.get()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                break
            writer.write(data)
            await writer.drain()
        try:
            writer.write_eof()
        except OSError:
            pass

    releaser = asyncio.create_task(release())
    try:
        while True:
            data = await reader.read(65536)
            queue.put_nowait((time.monotonic() + delay, data or None))
            if not data:
                break
        await releaser
    except (ConnectionError, OSError):
        releaser.cancel()
        writer.close()


async def serve(listen_port, host, port, delay):
    async def accept(client_reader, client_writer):
        await asyncio.sleep(2 * delay)  # the handshake's round trip
        try:
            up_reader, up_writer = await asyncio.open_connection(host, port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pump(client_reader, up_writer, delay), pump(up_reader, client_writer, delay),
                             return_exceptions=True)
        up_writer.close()
        client_writer.close()

    server = await asyncio.start_server(accept, "127.0.0.1", listen_port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    listen, target_host, target_port, delay_ms = sys.argv[1:5]
    asyncio.run(serve(int(listen), target_host, int(target_port), float(delay_ms) / 1000))
