"""One HTTP request timed phase by phase: DNS, connect, TLS, waiting for the first byte, total.

Load probes send hundreds of requests and must not add their own cost to what they
measure, so this talks to httpcore's connection pool directly (httpx's models add a
few hundred microseconds per request) through the same `PinnedBackend` as every other
check: URL, Host, SNI and pool key stay on the real name, only the TCP connect goes to
the address our resolver chose.

The phases come from httpcore's `trace` extension (connect_tcp, start_tls,
send_request_headers, receive_response_headers) plus the time our backend spends
asking DNS, which a context variable attributes to the request that opened the
connection. A request that reuses a pooled connection has no DNS, connect or TLS
phase; `new_connection` says which kind a timing is, because the two differ by a
handshake and must be reported apart.

Failures never raise: they come back as a `Timing` with `error_kind` set.
"""

from __future__ import annotations

import asyncio
import contextvars
import ssl
import time
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from .. import __version__
from ..resolver import Resolver
from .transport import NoAddressError, PinnedBackend, make_ssl_context

USER_AGENT = f"launchtui/{__version__} (launch-readiness check)"
BODY_CAP = 1024 * 1024  # read at most this much of an answer; the rest is not our business

# Seconds spent resolving names for the request running in this task (None: not timing).
_dns_seconds: contextvars.ContextVar[list[float] | None] = contextvars.ContextVar(
    "launchtui_dns_seconds", default=None
)


@dataclass(frozen=True, slots=True)
class Timing:
    """What one request did and how long each phase took, in milliseconds."""

    status: int | None  # None when no answer arrived
    total_ms: float  # from asking the pool for a connection to the last body byte
    new_connection: bool = False
    dns_ms: float = 0.0
    connect_ms: float = 0.0
    tls_ms: float = 0.0
    ttfb_ms: float | None = None  # request sent -> response headers received
    error_kind: str | None = None  # timeout, no-address, connect, tls, protocol
    error: str | None = None
    retry_after: str | None = None
    body_bytes: int = 0

    @property
    def answered(self) -> bool:
        return self.status is not None

    @property
    def timed_out(self) -> bool:
        return self.error_kind == "timeout"


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    """A request parsed once and sent many times."""

    method: bytes
    url: httpcore.URL
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    label: str  # the URL as people wrote it, for sentences


def prepare(url: str, method: str = "GET", body: bytes = b"") -> PreparedRequest:
    """Parse `url` once; raises ValueError (from httpx) when it is not an http(s) URL."""
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError(f"{url} is not an http:// or https:// URL")
    headers = [
        (b"Host", parsed.netloc),
        (b"User-Agent", USER_AGENT.encode()),
        (b"Accept", b"*/*"),
    ]
    if body or method.upper() in ("POST", "PUT", "PATCH"):
        headers.append((b"Content-Type", b"application/x-www-form-urlencoded"))
        headers.append((b"Content-Length", str(len(body)).encode()))
    return PreparedRequest(
        method=method.upper().encode(),
        url=httpcore.URL(
            scheme=parsed.raw_scheme,
            host=parsed.raw_host,
            port=parsed.port,
            target=parsed.raw_path,
        ),
        headers=tuple(headers),
        body=body,
        label=url,
    )


class TimedClient:
    """A connection pool for one probe; `send` times a request and never raises."""

    def __init__(
        self,
        resolver: Resolver,
        *,
        ca_bundle: str | None = None,
        timeout: float = 10.0,
        max_connections: int = 16,
        body_cap: int = BODY_CAP,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.timeout = timeout
        self.body_cap = body_cap
        self._resolver = resolver
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or make_ssl_context(ca_bundle),
            max_connections=max_connections,
            http1=True,
            http2=False,
            retries=0,
            network_backend=PinnedBackend(self._pick_address),
        )
        self._timeouts = {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}

    async def _pick_address(self, host: str) -> str | None:
        began = time.perf_counter()
        a, aaaa = await self._resolver.addresses(host)
        spent = _dns_seconds.get()
        if spent is not None:
            spent.append(time.perf_counter() - began)
        addresses = [*a.texts(), *aaaa.texts()]
        return addresses[0] if addresses else None

    async def send(self, request: PreparedRequest) -> Timing:
        """Send once; the whole exchange is bounded by the client's timeout."""
        marks: dict[str, float] = {}

        async def trace(event: str, info: dict[str, Any]) -> None:
            marks[event] = time.perf_counter()

        spent: list[float] = []
        _dns_seconds.set(spent)
        began = time.perf_counter()
        status: int | None = None
        retry_after: str | None = None
        size = 0
        try:
            async with asyncio.timeout(self.timeout):
                response = await self._pool.handle_async_request(
                    httpcore.Request(
                        request.method,
                        request.url,
                        headers=list(request.headers),
                        content=request.body,
                        extensions={"timeout": self._timeouts, "trace": trace},
                    )
                )
                try:
                    status = response.status
                    for name, value in response.headers:
                        if name.lower() == b"retry-after":
                            retry_after = value.decode("latin-1")
                    async for chunk in response.aiter_stream():
                        size += len(chunk)
                        if size >= self.body_cap:
                            break
                finally:
                    await response.aclose()
        except (TimeoutError, httpcore.TimeoutException):
            return self._failed(
                began, marks, spent, status, "timeout",
                f"{request.label} did not answer within {self.timeout:g} seconds.",
            )  # fmt: skip
        except NoAddressError:
            host = request.url.host.decode("ascii", "replace")
            return self._failed(
                began, marks, spent, None, "no-address", f"{host} has no address in DNS."
            )
        except (httpcore.ConnectError, ssl.SSLError, OSError) as exc:
            kind, sentence = _describe_connect_failure(request.label, exc)
            return self._failed(began, marks, spent, None, kind, sentence)
        except (httpcore.ProtocolError, httpcore.NetworkError) as exc:
            return self._failed(
                began, marks, spent, status, "protocol",
                f"{request.label}: the connection broke mid-answer ({type(exc).__name__}).",
            )  # fmt: skip
        ended = time.perf_counter()
        return Timing(
            status=status,
            total_ms=(ended - began) * 1000,
            retry_after=retry_after,
            body_bytes=size,
            **_phases(marks, spent),
        )

    def _failed(
        self,
        began: float,
        marks: dict[str, float],
        spent: list[float],
        status: int | None,
        kind: str,
        sentence: str,
    ) -> Timing:
        phases = _phases(marks, spent)
        return Timing(
            status=None if kind != "protocol" else status,
            total_ms=(time.perf_counter() - began) * 1000,
            error_kind=kind,
            error=sentence,
            **phases,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()

    async def __aenter__(self) -> TimedClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()


def _phases(marks: dict[str, float], dns_spent: list[float]) -> dict[str, Any]:
    """Per-phase milliseconds from httpcore's trace marks."""
    dns = sum(dns_spent)
    new = "connection.connect_tcp.started" in marks
    connect = _span(marks, "connection.connect_tcp")
    tls = _span(marks, "connection.start_tls")
    sent = marks.get("http11.send_request_headers.started")
    headers = marks.get("http11.receive_response_headers.complete")
    return {
        "new_connection": new,
        "dns_ms": dns * 1000,
        # connect_tcp's span includes our backend's DNS lookup: take it out.
        "connect_ms": max(0.0, (connect or 0.0) - dns) * 1000,
        "tls_ms": (tls or 0.0) * 1000,
        "ttfb_ms": (headers - sent) * 1000 if sent is not None and headers is not None else None,
    }


def _span(marks: dict[str, float], name: str) -> float | None:
    started = marks.get(f"{name}.started")
    ended = marks.get(f"{name}.complete")
    return ended - started if started is not None and ended is not None else None


def _describe_connect_failure(url: str, exc: BaseException) -> tuple[str, str]:
    current: BaseException | None = exc
    seen: list[BaseException] = []
    while current is not None and current not in seen:
        seen.append(current)
        if isinstance(current, ssl.SSLCertVerificationError):
            return "tls", f"{url}: the certificate is not trusted ({current.verify_message})."
        if isinstance(current, ssl.SSLError):
            return "tls", f"{url}: the TLS handshake failed ({current.reason or current})."
        if isinstance(current, ConnectionRefusedError):
            return "connect", f"{url}: nothing accepts connections there (refused)."
        current = current.__cause__ or current.__context__
    return "connect", f"{url}: could not connect ({str(exc)[:120] or type(exc).__name__})."
