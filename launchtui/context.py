"""What a run checks: hosts, routes and settings, from an engagement or a bare domain."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .domains import DomainInput
from .engagement import Engagement, KnownRedirect, Route
from .net.fetch import Prober
from .resolver import Outcome, Resolver

if TYPE_CHECKING:
    from .runbook import Profile

# Looked up (DNS only) in a zero-config audit; only names that exist are checked.
COMMON_SUBDOMAINS = ("app", "api", "auth", "admin", "dashboard", "docs", "status")


@dataclass(frozen=True, slots=True)
class Host:
    name: str
    role: str  # apex, www, app, api, auth, admin, docs, status, dashboard, other
    discovered: bool = False  # found by looking, not named by the user


@dataclass
class CheckContext:
    apex: str
    hosts: list[Host]
    resolver: Resolver
    canonical_host: str = ""
    canonical_declared: bool = False  # the user named it; otherwise we learn it from redirects
    routes: list[Route] = field(default_factory=list)
    email_in_scope: bool = True
    dkim_selectors: list[str] = field(default_factory=list)
    profile: Profile | None = None
    repo: Path | None = None
    ca_bundle: Path | None = None
    timeout: float = 10.0
    active_probes: bool = True
    # The redirect map recorded as right, for checks that compare the live one with it.
    known_redirects: list[KnownRedirect] = field(default_factory=list)
    # Headers that sign a request in, by URL (a route's session cookie or token, read
    # from the keyring for this run only; never shown in a finding).
    credentials: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    _prober: Prober | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.canonical_host = self.canonical_host or self.apex

    @property
    def http(self) -> Prober:
        """The run's shared HTTP/TLS prober, made on first use."""
        if self._prober is None:
            self._prober = Prober(
                self.resolver,
                ca_bundle=str(self.ca_bundle) if self.ca_bundle else None,
                timeout=self.timeout,
            )
        return self._prober

    async def aclose(self) -> None:
        if self._prober is not None:
            await self._prober.aclose()

    @property
    def host_names(self) -> list[str]:
        return [host.name for host in self.hosts]


async def context_for_domain(
    domain: DomainInput, resolver: Resolver, **settings: object
) -> CheckContext:
    """A quick audit of a bare domain: apex, www, and whichever common subdomains exist."""
    candidates = [f"{label}.{domain.name}" for label in COMMON_SUBDOMAINS]
    # Ask for every name's A and AAAA at once (apex and www too): the checks that follow
    # find them cached, so discovery adds one round trip, not one per name.
    everything = [domain.name, f"www.{domain.name}", *candidates]
    pairs = await asyncio.gather(*(resolver.addresses(name) for name in everything))
    answers = [a for a, _ in pairs[2:]]
    hosts = [Host(domain.name, "apex"), Host(f"www.{domain.name}", "www")]
    hosts += [
        Host(answer.name, answer.name.split(".")[0], discovered=True)
        for answer in answers
        if answer.outcome is not Outcome.NXDOMAIN or answer.cname_chain
    ]
    return CheckContext(apex=domain.name, hosts=hosts, resolver=resolver, **settings)


def context_for_engagement(
    engagement: Engagement, resolver: Resolver, **settings: object
) -> CheckContext:
    apex = engagement.apex
    hosts = [Host(apex, "apex"), Host(f"www.{apex}", "www")]
    seen = {host.name for host in hosts}
    for subdomain in engagement.subdomains:
        if subdomain.name not in seen:
            hosts.append(Host(subdomain.name, subdomain.role))
            seen.add(subdomain.name)
    return CheckContext(
        apex=apex,
        hosts=hosts,
        resolver=resolver,
        canonical_host=engagement.canonical_host,
        canonical_declared=engagement.canonical_declared,
        routes=engagement.routes,
        email_in_scope=engagement.email_in_scope,
        dkim_selectors=engagement.dkim_selectors,
        repo=engagement.repo,
        known_redirects=engagement.known_redirects[1],
        **settings,
    )
