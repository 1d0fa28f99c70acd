"""An httpx transport whose connections go to addresses we choose, by name.

httpcore's connection pool takes a network backend publicly; ours swaps the host
name for a resolved address only at connect time, so the URL, the Host header,
SNI and the pool key all stay on the real name. Setting SNI per request on a
shared pool is unsafe: a pooled connection would be reused across names.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable
from typing import cast

import httpcore
import httpx

AddressPicker = Callable[[str], Awaitable[str | None]]


class NoAddressError(httpcore.ConnectError):
    """The name has no address in DNS, so there is nothing to connect to."""


class PinnedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, pick_address: AddressPicker) -> None:
        self._pick_address = pick_address
        self._network = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        address = await self._pick_address(host)
        if address is None:
            raise NoAddressError(f"{host} has no address in DNS")
        return await self._network.connect_tcp(
            address,
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not probed")

    async def sleep(self, seconds: float) -> None:
        await self._network.sleep(seconds)


class PinnedTransport(httpx.AsyncBaseTransport):
    """httpx on top of an httpcore pool that uses `PinnedBackend`."""

    def __init__(
        self, ssl_context: ssl.SSLContext, pick_address: AddressPicker, max_connections: int = 20
    ) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=max_connections,
            http1=True,
            http2=True,  # concurrent probes of one host share a connection: one handshake
            retries=0,
            network_backend=PinnedBackend(pick_address),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        response = await self._pool.handle_async_request(core_request)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(cast(AsyncIterable[bytes], response.stream)),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(self, stream: AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for part in self._stream:
            yield part

    async def aclose(self) -> None:
        if hasattr(self._stream, "aclose"):
            await self._stream.aclose()


@functools.cache
def make_ssl_context(ca_bundle: str | None) -> ssl.SSLContext:
    """The system's trust store plus the user's extra CA bundle (corporate proxy, lab).

    Built once per bundle and shared: loading the store is tens of milliseconds of CPU.
    """
    context = ssl.create_default_context()
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    context.set_alpn_protocols(["h2", "http/1.1"])
    return context
