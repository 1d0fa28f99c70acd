"""A misbehaving TCP server for faults nginx will not produce: `python -m launchtui.lab.rogue`.

Modes: `hang` accepts and never says a word (a TLS handshake that never ends);
`garbage` answers every request with an HTTP response whose headers hold bytes
no HTTP parser accepts.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys

GARBAGE_RESPONSE = b"HTTP/1.1 200 OK\r\nX-Bro\x01ken: \x00\xff\r\nContent-Length: 2\r\n\r\nok"


async def _hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        await reader.read()  # until the client gives up
    finally:
        writer.close()


async def _garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(GARBAGE_RESPONSE)
        await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


HANDLERS = {"hang": _hang, "garbage": _garbage}


async def serve(listeners: list[tuple[str, int, str]]) -> None:
    servers = [
        await asyncio.start_server(HANDLERS[mode], address, port)
        for address, port, mode in listeners
    ]
    print("ready", flush=True)
    await asyncio.gather(*(server.serve_forever() for server in servers))


def main(arguments: list[str]) -> None:
    """Arguments: MODE@ADDRESS:PORT ..."""
    listeners = []
    for argument in arguments:
        mode, _, where = argument.partition("@")
        address, _, port = where.rpartition(":")
        listeners.append((address, int(port), mode))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(listeners))


if __name__ == "__main__":
    main(sys.argv[1:])
