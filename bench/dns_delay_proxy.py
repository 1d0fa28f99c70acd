"""A DNS forwarder that holds every query for a fixed time: latency for a loopback lab.

The kernel here has no `tc netem`, so the audit benchmark puts this in front of
the lab's Knot to make each DNS question cost a known delay, as it does across
the internet. It forwards UDP datagrams and TCP messages (the fallback after a
truncated UDP answer, RFC 7766) unchanged, one upstream exchange per question,
each started `--delay-ms` after the question arrived; answers are relayed at once.

Run by `bench/audit.py` as a child process. It prints `ready` once every
listener is bound, and exits when its stdin closes (the parent is gone), on
SIGTERM, or after `--lifetime` seconds, so it can never outlive a benchmark.

    python bench/dns_delay_proxy.py --listen 127.200.0.60 --upstream 127.200.0.53 --delay-ms 40
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/secrets.py (named for what it measures) would shadow the standard library's
# `secrets` for scripts run from this folder: take the folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import asyncio
import signal
import struct
import sys
from collections.abc import Awaitable, Callable

UPSTREAM_TIMEOUT = 3.0


class _OneAnswer(asyncio.DatagramProtocol):
    """A connected UDP socket that resolves a future with the first datagram it gets."""

    def __init__(self, answer: asyncio.Future[bytes]) -> None:
        self._answer = answer

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if not self._answer.done():
            self._answer.set_result(data)

    def error_received(self, exc: Exception) -> None:
        if not self._answer.done():
            self._answer.set_exception(exc)


async def _ask_upstream_udp(upstream: tuple[str, int], query: bytes) -> bytes | None:
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[bytes] = loop.create_future()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: _OneAnswer(answer), remote_addr=upstream
    )
    try:
        transport.sendto(query)
        async with asyncio.timeout(UPSTREAM_TIMEOUT):
            return await answer
    except (TimeoutError, OSError):
        return None  # the client times out as it would with a lost packet
    finally:
        transport.close()


class _DelayedUdpFront(asyncio.DatagramProtocol):
    def __init__(self, upstream: tuple[str, int], delay: float) -> None:
        self._upstream = upstream
        self._delay = delay
        self._tasks: set[asyncio.Task[None]] = set()
        self._transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]  # a datagram transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        task = asyncio.get_running_loop().create_task(self._relay(data, addr))
        self._tasks.add(task)  # keep a reference until it finishes
        task.add_done_callback(self._tasks.discard)

    async def _relay(self, query: bytes, client: tuple[str, int]) -> None:
        await asyncio.sleep(self._delay)
        answer = await _ask_upstream_udp(self._upstream, query)
        if answer is not None and self._transport is not None:
            self._transport.sendto(answer, client)


async def _read_message(reader: asyncio.StreamReader) -> bytes:
    (length,) = struct.unpack("!H", await reader.readexactly(2))
    return await reader.readexactly(length)


def _serve_tcp(
    upstream: tuple[str, int], delay: float
) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader = upstream_writer = None
        try:
            while True:
                query = await _read_message(reader)
                await asyncio.sleep(delay)
                if upstream_writer is None:
                    upstream_reader, upstream_writer = await asyncio.open_connection(*upstream)
                upstream_writer.write(struct.pack("!H", len(query)) + query)
                async with asyncio.timeout(UPSTREAM_TIMEOUT):
                    answer = await _read_message(upstream_reader)
                writer.write(struct.pack("!H", len(answer)) + answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, TimeoutError, OSError):
            pass  # the client or Knot closed the connection: nothing left to relay
        finally:
            for stream in (writer, upstream_writer):
                if stream is not None:
                    stream.close()

    return handle


async def serve(
    listen: list[str], upstream: tuple[str, int], delay: float, lifetime: float
) -> None:
    loop = asyncio.get_running_loop()
    closers = []
    for address in listen:
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _DelayedUdpFront(upstream, delay), local_addr=(address, 53)
        )
        closers.append(transport.close)
        server = await asyncio.start_server(_serve_tcp(upstream, delay), address, 53)
        closers.append(server.close)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    # stdin closing means the benchmark that started us has exited, cleanly or not.
    loop.add_reader(sys.stdin.fileno(), lambda: sys.stdin.buffer.read1(4096) or stop.set())
    print("ready", flush=True)
    try:
        async with asyncio.timeout(lifetime):
            await stop.wait()
    except TimeoutError:
        pass
    finally:
        loop.remove_reader(sys.stdin.fileno())
        for close in closers:
            close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", action="append", required=True, help="address; port 53")
    parser.add_argument("--upstream", required=True, help="name server address (port 53)")
    parser.add_argument("--delay-ms", type=float, required=True)
    parser.add_argument("--lifetime", type=float, default=300.0, help="exit after this many s")
    args = parser.parse_args()
    asyncio.run(serve(args.listen, (args.upstream, 53), args.delay_ms / 1000, args.lifetime))
    return 0


if __name__ == "__main__":
    sys.exit(main())
