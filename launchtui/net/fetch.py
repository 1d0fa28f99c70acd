"""Fetching URLs hop by hop, so checks can judge every redirect and response.

A `Prober` belongs to one run: it shares connections, caches identical fetches
(many checks read the same homepage), bounds concurrency, and never reads more
than a small cap of any body. Failures come back as plain sentences in `Fetch`,
never as exceptions.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx

from .. import __version__
from ..resolver import Resolver
from .budget import RequestBudget
from .tls import TlsReport, inspect_tls
from .transport import NoAddressError, PinnedTransport, make_ssl_context

BODY_CAP = 512 * 1024
MAX_HOPS = 10
USER_AGENT = f"launchtui/{__version__} (launch-readiness check)"


@dataclass(frozen=True, slots=True)
class Hop:
    url: str
    status: int
    headers: tuple[tuple[str, str], ...]  # lower-cased names, every value, in order
    address: str
    seconds: float
    location: str | None = None  # the absolute URL a redirect points to

    def header(self, name: str) -> str | None:
        values = self.header_values(name)
        return values[0] if values else None

    def header_values(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.headers if key == name]

    @property
    def header_map(self) -> dict[str, str]:
        """First value of each header, lower-cased names: what parsers take."""
        mapping: dict[str, str] = {}
        for key, value in self.headers:
            mapping.setdefault(key, value)
        return mapping

    @property
    def is_redirect(self) -> bool:
        return self.status in (301, 302, 303, 307, 308) and self.location is not None

    @property
    def host(self) -> str:
        return httpx.URL(self.url).host


@dataclass(frozen=True, slots=True)
class Fetch:
    start_url: str
    hops: tuple[Hop, ...] = ()
    body: bytes = b""
    body_truncated: bool = False
    error: str | None = None  # why the chain stopped early, as a plain sentence
    # no-address, connect, tls, timeout, protocol, loop, too-many, bad-scheme, budget
    error_kind: str | None = None
    loop: tuple[str, ...] = ()

    @property
    def final(self) -> Hop | None:
        return self.hops[-1] if self.hops else None

    @property
    def ok(self) -> bool:
        return self.error is None and self.final is not None

    @property
    def first(self) -> Hop | None:
        return self.hops[0] if self.hops else None

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class Prober:
    resolver: Resolver
    ca_bundle: str | None = None
    timeout: float = 10.0
    concurrency: int = 64  # requests or handshakes in flight at once, per run
    body_cap: int = BODY_CAP
    budget: RequestBudget = field(default_factory=RequestBudget)  # login routes, per run
    _clients: dict[tuple[str, str] | None, httpx.AsyncClient] = field(default_factory=dict)
    _fetches: dict[tuple[Any, ...], asyncio.Future[Fetch]] = field(default_factory=dict)
    _tls: dict[tuple[str, str, int], asyncio.Future[TlsReport]] = field(default_factory=dict)
    _ssl: ssl.SSLContext | None = None
    _bound: asyncio.Semaphore | None = None

    async def addresses(self, host: str) -> list[str]:
        a, aaaa = await self.resolver.addresses(host)
        return [*a.texts(), *aaaa.texts()]

    async def fetch(
        self,
        url: str,
        *,
        address: str | None = None,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        follow: bool = True,
    ) -> Fetch:
        """Fetch once per run for the same arguments; `address` pins the first host."""
        key = (url, address, method, tuple(sorted((headers or {}).items())), follow)
        future = self._fetches.get(key)
        if future is None:
            future = asyncio.ensure_future(
                self._fetch_bounded(url, address, method, headers or {}, follow)
            )
            self._fetches[key] = future
        return await asyncio.shield(future)

    async def tls(self, host: str, address: str, port: int = 443) -> TlsReport:
        key = (host, address, port)
        future = self._tls.get(key)
        if future is None:
            future = asyncio.ensure_future(self._tls_bounded(host, address, port))
            self._tls[key] = future
        return await asyncio.shield(future)

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()

    def _semaphore(self) -> asyncio.Semaphore:
        if self._bound is None:
            self._bound = asyncio.Semaphore(self.concurrency)
        return self._bound

    async def _tls_bounded(self, host: str, address: str, port: int) -> TlsReport:
        async with self._semaphore():
            return await inspect_tls(host, address, port, self.ca_bundle, self.timeout)

    async def _fetch_bounded(
        self, url: str, address: str | None, method: str, headers: dict[str, str], follow: bool
    ) -> Fetch:
        try:
            async with asyncio.timeout(self.timeout * 3):
                return await self._follow(url, address, method, headers, follow)
        except TimeoutError:
            return Fetch(
                url,
                error=f"{url} did not finish answering within {self.timeout * 3:g} seconds.",
                error_kind="timeout",
            )

    def _client(self, pin: tuple[str, str] | None) -> httpx.AsyncClient:
        client = self._clients.get(pin)
        if client is None:
            if self._ssl is None:
                self._ssl = make_ssl_context(self.ca_bundle)

            async def pick_address(host: str) -> str | None:
                if pin is not None and host == pin[0]:
                    return pin[1]
                addresses = await self.addresses(host)
                return addresses[0] if addresses else None

            client = httpx.AsyncClient(
                transport=PinnedTransport(self._ssl, pick_address),
                timeout=httpx.Timeout(self.timeout),
                headers={"user-agent": USER_AGENT, "accept": "text/html,*/*;q=0.8"},
                follow_redirects=False,
            )
            self._clients[pin] = client
        return client

    async def _follow(
        self, url: str, address: str | None, method: str, headers: dict[str, str], follow: bool
    ) -> Fetch:
        start_host = httpx.URL(url).host
        client = self._client((start_host, address) if address else None)
        hops: list[Hop] = []
        seen: list[str] = []
        current = url
        while True:
            if current in seen:
                cycle = (*seen[seen.index(current) :], current)
                return Fetch(
                    url,
                    tuple(hops),
                    error="The redirects go round in a loop: " + " -> ".join(cycle),
                    error_kind="loop",
                    loop=cycle,
                )
            if len(hops) >= MAX_HOPS:
                return Fetch(
                    url,
                    tuple(hops),
                    error=f"{url} redirects more than {MAX_HOPS} times; browsers give up.",
                    error_kind="too-many",
                )
            seen.append(current)
            hop, body, truncated, problem = await self._one_hop(client, current, method, headers)
            if problem is not None:
                kind, sentence = problem
                return Fetch(url, tuple(hops), error=sentence, error_kind=kind)
            assert hop is not None
            hops.append(hop)
            if not (follow and hop.is_redirect):
                return Fetch(url, tuple(hops), body, truncated)
            assert hop.location is not None
            scheme = (
                httpx.URL(hop.location).scheme
                if "://" in hop.location
                else hop.location.split(":")[0]
            )
            if scheme not in ("http", "https"):
                return Fetch(
                    url,
                    tuple(hops),
                    error=f"{current} redirects to a non-web address ({hop.location[:60]}).",
                    error_kind="bad-scheme",
                )
            current = hop.location
            method = "GET" if hop.status in (301, 302, 303) else method

    async def _one_hop(
        self, client: httpx.AsyncClient, url: str, method: str, headers: dict[str, str]
    ) -> tuple[Hop | None, bytes, bool, tuple[str, str] | None]:
        async with self.budget.turn(url) as turn:
            if turn.refused is not None:
                return None, b"", False, ("budget", f"{url} was not requested: {turn.refused}.")
            hop, body, truncated, problem = await self._send(client, url, method, headers)
            if hop is not None:
                turn.record(hop.status, hop.header("retry-after"))
            return hop, body, truncated, problem

    async def _send(
        self, client: httpx.AsyncClient, url: str, method: str, headers: dict[str, str]
    ) -> tuple[Hop | None, bytes, bool, tuple[str, str] | None]:
        started = time.perf_counter()
        host = httpx.URL(url).host
        try:
            request = client.build_request(method, url, headers=headers)
            async with self._semaphore():  # per hop: a long redirect chain holds no slot idle
                response = await client.send(request, stream=True)
                try:
                    body, truncated = await _read_capped(response, self.body_cap)
                finally:
                    await response.aclose()
        except NoAddressError:
            return None, b"", False, ("no-address", f"{host} has no address in DNS.")
        except (httpx.TimeoutException, httpcore.TimeoutException):
            return (
                None,
                b"",
                False,
                ("timeout", f"{url} did not answer within {self.timeout:g} seconds."),
            )
        except (httpx.ConnectError, httpcore.ConnectError, ssl.SSLError, OSError) as exc:
            return None, b"", False, _describe_connect_failure(url, exc)
        except (
            httpx.HTTPError,
            httpcore.ProtocolError,
            httpcore.NetworkError,
            httpx.InvalidURL,
            ValueError,
        ) as exc:
            return (
                None,
                b"",
                False,
                (
                    "protocol",
                    f"{url} sent an answer that is not valid "
                    f"HTTP ({type(exc).__name__}: {str(exc)[:120]}).",
                ),
            )
        location = response.headers.get("location")
        absolute = (
            str(response.url.join(location)) if location and _joinable(location) else location
        )
        stream = response.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        hop = Hop(
            url=url,
            status=response.status_code,
            headers=tuple(
                (k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in response.headers.raw
            ),
            address=str(peer[0]) if peer else "",
            seconds=time.perf_counter() - started,
            location=absolute,
        )
        return hop, body, truncated, None


def _joinable(location: str) -> bool:
    """Relative or http(s) locations can be joined; `javascript:` and friends cannot."""
    scheme = location.split(":", 1)[0].lower() if ":" in location.split("/", 1)[0] else ""
    return scheme in ("", "http", "https")


async def _read_capped(response: httpx.Response, cap: int) -> tuple[bytes, bool]:
    """Read at most `cap` decoded bytes; a 100 MB body or a zip bomb costs us `cap`."""
    parts: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        parts.append(chunk)
        size += len(chunk)
        if size >= cap:
            return b"".join(parts)[:cap], True
    return b"".join(parts), False


def _describe_connect_failure(url: str, exc: BaseException) -> tuple[str, str]:
    chain = _exception_chain(exc)
    for item in chain:
        if isinstance(item, ssl.SSLCertVerificationError):
            return "tls", f"{url}: the certificate is not trusted ({item.verify_message})."
        if isinstance(item, ssl.SSLError):
            reason = item.reason or str(item)
            if "WRONG_VERSION_NUMBER" in reason.upper() or "record layer" in str(item).lower():
                return "tls", f"{url}: the server does not speak TLS on this port (plain HTTP?)."
            return "tls", f"{url}: the TLS handshake failed ({reason})."
        if isinstance(item, ConnectionRefusedError):
            return "connect", f"{url}: nothing accepts connections there (refused)."
    return "connect", f"{url}: could not connect ({str(exc)[:120] or type(exc).__name__})."


def _exception_chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain
