"""What a run checks beyond the apex: the subdomains, the key routes and the redirect map
recorded as right.

These are plain values the engagement file stores and the checks read through the check
context; they live here, outside `engagement`, so the checks never depend on how an
engagement is kept. `engagement.model` re-exports them for everything that edits them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .urls import redact_url


@dataclass(frozen=True, slots=True)
class Subdomain:
    name: str  # full host name
    role: str

    def describe(self) -> str:
        return f"{self.name} ({self.role})"


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    url: str
    method: str = "GET"
    kind: str = "page"
    budget_ms: int | None = None
    # A signed-in route: the inventory secret whose keyring value is sent, and in which
    # header (a session cookie as "Cookie", a token as "Authorization").
    credential: str = ""
    credential_header: str = "Cookie"

    def describe(self) -> str:
        budget = f", p95 budget {self.budget_ms} ms" if self.budget_ms else ""
        method = "" if self.method == "GET" else f"{self.method} "
        return f"{self.name} — {method}{redact_url(self.url)} ({self.kind}{budget})"


@dataclass(frozen=True, slots=True)
class KnownRedirect:
    """Where one way of reaching the site ended when it was known to be right."""

    start: str  # http://acme.com/, https://www.acme.com/ …
    final: str  # the URL the chain ended at ("" when it never answered)
    status: int  # the final answer's status
    chain: tuple[str, ...] = ()  # every URL after the start, in order

    def describe(self) -> str:
        hops = len(self.chain)
        plural = "" if hops == 1 else "s"
        return f"{self.start} → {self.final or 'no answer'} ({hops} redirect{plural})"
