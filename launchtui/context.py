"""What a run checks: hosts, routes and settings, from an engagement, a bare domain or a
project folder.

Everything a check reads is a declared field here, so a check never guesses: every run
has a profile (a bare domain gets the default one), and state a check keeps for the
length of one run lives in `run_state`, never in module globals.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from .domains import DomainInput
from .loadgen import ProbeLimits
from .net.fetch import Prober
from .resolver import Outcome, Resolver
from .targets import KnownRedirect, Route

if TYPE_CHECKING:
    from .runbook import Profile

# Looked up (DNS only) in a zero-config audit; only names that exist are checked.
COMMON_SUBDOMAINS = ("app", "api", "auth", "admin", "dashboard", "docs", "status")

StateT = TypeVar("StateT")


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
    profile: Profile  # the product's targets: budgets, error rate, DMARC, certificate days
    canonical_host: str = ""
    canonical_declared: bool = False  # the user named it; otherwise we learn it from redirects
    routes: list[Route] = field(default_factory=list)
    email_in_scope: bool = True
    dkim_selectors: list[str] = field(default_factory=list)
    repo: Path | None = None
    ca_bundle: Path | None = None
    timeout: float = 10.0
    active_probes: bool = True
    # How much load the load-sending checks may send (tests and benchmarks raise the rate
    # and cut the counts); the ceilings in ProbeLimits.clamped hold whatever is set here.
    probe_limits: ProbeLimits = field(default_factory=ProbeLimits)
    # The redirect map recorded as right, for checks that compare the live one with it.
    known_redirects: list[KnownRedirect] = field(default_factory=list)
    # Headers that sign a request in, by URL (a route's session cookie or token, read
    # from the keyring for this run only; never shown in a finding).
    credentials: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    _prober: Prober | None = field(default=None, repr=False)
    _run_state: dict[type[Any], Any] = field(default_factory=dict, repr=False)

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

    def run_state(self, kind: type[StateT]) -> StateT:
        """This run's one `kind`, made with no arguments on first use.

        Checks that share work within a run (perf.latency and perf.errors read one load
        measurement; the secret checks add up what they skipped) keep it here, so it lives
        exactly as long as the run and two runs never see each other's.
        """
        state = self._run_state.get(kind)
        if state is None:
            state = self._run_state[kind] = kind()
        return cast(StateT, state)

    async def aclose(self) -> None:
        if self._prober is not None:
            await self._prober.aclose()

    @property
    def host_names(self) -> list[str]:
        return [host.name for host in self.hosts]


async def context_for_domain(
    domain: DomainInput, resolver: Resolver, profile: Profile, **settings: Any
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
    return CheckContext(
        apex=domain.name, hosts=hosts, resolver=resolver, profile=profile, **settings
    )


def context_for_repository(repo: Path, profile: Profile) -> CheckContext:
    """A run over a project folder alone (`launchtui scan`): there is no domain, so a
    finding about the run as a whole (a check that could not finish) names the folder."""
    return CheckContext(apex=str(repo), hosts=[], resolver=Resolver(), profile=profile, repo=repo)
