"""One request budget per login route per run, shared by every check that touches it.

A login route is where repeated requests lock real users out or trip an alarm, and
several checks want it: the throttling burst, the latency and error probes, and the
single looks the cookie, cache, CORS and redirect checks take. Each check bounding its
own requests is not enough (together they sent 62 in one run), so every request to a
guarded URL goes through here:

- at most `limit` requests per URL per run, whichever checks send them;
- one at a time: a request holds the URL's turn until its answer is read, so no
  request is ever sent after the server has said "slow down";
- after the first 429 or Retry-After, nothing more is sent to that URL.

Guarded URLs are matched on host and path (any scheme, port or query), so
`http://app.example.com/login?next=/` counts against the `/login` route too.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit


def route_key(url: str) -> tuple[str, str]:
    """Host and path without a trailing slash: what makes two URLs the same route."""
    parts = urlsplit(url)
    return (parts.hostname or "").lower().rstrip("."), parts.path.rstrip("/") or "/"


@dataclass
class _Allowance:
    limit: int
    sent: int = 0
    stopped_by: str | None = None  # "HTTP 429" or "Retry-After: 30": the server said stop
    stopped_after: int | None = None  # requests sent when it did
    stopped_status: int | None = None
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class Turn:
    """The right to send one request, or the sentence saying why not."""

    refused: str | None = None
    _allowance: _Allowance | None = None

    def record(self, status: int | None, retry_after: str | None = None) -> None:
        """What the answer said; a 429 or a Retry-After stops every later request."""
        allowance = self._allowance
        if allowance is None or allowance.stopped_by is not None:
            return
        if status == 429 or retry_after is not None:
            allowance.stopped_by = f"HTTP {status}" if status == 429 else "Retry-After"
            if retry_after is not None:
                allowance.stopped_by += f" (Retry-After: {retry_after})"
            allowance.stopped_after = allowance.sent
            allowance.stopped_status = status


@dataclass(frozen=True, slots=True)
class Spent:
    """A guarded route's account at one moment."""

    limit: int
    sent: int
    stopped_by: str | None
    stopped_after: int | None
    stopped_status: int | None


class RequestBudget:
    """The run's ledger of requests to guarded URLs (login routes)."""

    def __init__(self) -> None:
        self._allowances: dict[tuple[str, str], _Allowance] = {}

    def guard(self, url: str, limit: int) -> None:
        """Put `url` on a budget of `limit` requests; a URL already guarded keeps its own."""
        self._allowances.setdefault(route_key(url), _Allowance(max(1, limit)))

    def is_guarded(self, url: str) -> bool:
        return route_key(url) in self._allowances

    def spent(self, url: str) -> Spent | None:
        allowance = self._allowances.get(route_key(url))
        if allowance is None:
            return None
        return Spent(
            allowance.limit,
            allowance.sent,
            allowance.stopped_by,
            allowance.stopped_after,
            allowance.stopped_status,
        )

    @asynccontextmanager
    async def turn(self, url: str, *, keep: int = 0) -> AsyncIterator[Turn]:
        """Wait for the URL's turn and take one request from its budget. `keep` leaves that
        many requests for others: a long series (a burst) must not spend the last ones, which
        the single looks of other checks need. Unguarded URLs always get a free turn."""
        allowance = self._allowances.get(route_key(url))
        if allowance is None:
            yield Turn()
            return
        async with allowance.turn:
            refusal = _refusal(allowance, keep)
            if refusal is not None:
                yield Turn(refused=refusal)
                return
            allowance.sent += 1
            yield Turn(_allowance=allowance)


def _refusal(allowance: _Allowance, keep: int) -> str | None:
    if allowance.stopped_by is not None:
        return (
            f"the server asked launchtui to slow down ({allowance.stopped_by}) after "
            f"{allowance.stopped_after} request{'s' if allowance.stopped_after != 1 else ''}, "
            "so it sent no more to this login route"
        )
    if allowance.sent >= allowance.limit:
        return (
            f"launchtui already sent the {allowance.limit} requests it allows itself per "
            "login route in one run"
        )
    if allowance.sent + keep >= allowance.limit:
        return (
            f"the last {allowance.limit - allowance.sent} of the {allowance.limit} requests "
            "allowed per login route are kept for other checks' single looks"
        )
    return None
