"""Has a DNS change settled? Ask every answer source, not just one.

After a founder fixes an SPF record, one resolver may already see the new one while
another still serves the old one from its cache. This asks each configured resolver and
each of the zone's authoritative servers directly, compares what they say with the
authoritative answer, and says when a lagging cache will let go (its TTL).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field

import dns.rcode
import dns.rdatatype
import dns.resolver

from .resolver import Answer, Nameserver, Resolver


@dataclass(frozen=True)
class SourceAnswer:
    source: str  # "resolver 1.1.1.1" or "ns1.acme.com (192.0.2.1)"
    authoritative: bool
    records: tuple[str, ...] = ()
    ttl: int | None = None
    problem: str = ""  # why there is no answer ("" when there is one)


@dataclass(frozen=True)
class Settling:
    name: str
    rdtype: str
    truth: tuple[str, ...] | None  # what the authoritative servers agree on (None: they don't)
    sources: list[SourceAnswer] = field(default_factory=list)
    asked_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def lagging(self) -> list[SourceAnswer]:
        return [s for s in self.sources if self.truth is None or s.records != self.truth]

    @property
    def settled(self) -> bool:
        return self.truth is not None and not self.lagging

    @property
    def settles_by(self) -> dt.datetime | None:
        """When the slowest lagging cache must have dropped its old answer."""
        ttls = [s.ttl for s in self.lagging if not s.authoritative and s.ttl is not None]
        return self.asked_at + dt.timedelta(seconds=max(ttls)) if ttls else None

    def describe(self) -> str:
        if self.settled:
            return f"{self.name} {self.rdtype}: every source gives the same answer."
        if self.truth is None:
            return (
                f"{self.name} {self.rdtype}: the authoritative servers disagree with each "
                "other, so the change is not fully published yet."
            )
        names = ", ".join(source.source for source in self.lagging)
        when = (
            f"; by {self.settles_by:%H:%M} UTC their caches will have expired"
            if self.settles_by
            else ""
        )
        return f"{self.name} {self.rdtype}: {names} still give another answer{when}."


async def settling(
    resolver: Resolver, apex: str, name: str, rdtype: str, resolvers: list[Nameserver]
) -> Settling:
    """Ask `name`/`rdtype` of each resolver and each authoritative server of `apex`."""
    authorities = await authoritative_servers(resolver, apex)
    questions = [(server, label, False) for server, label in authorities]
    questions += [
        (server, f"resolver {server}", True) for server in resolvers or system_resolvers()
    ]
    answers = await asyncio.gather(
        *(
            _ask(resolver, server, label, name, rdtype, recursive)
            for server, label, recursive in questions
        )
    )
    truths = {a.records for a in answers if a.authoritative and not a.problem}
    truth = next(iter(truths)) if len(truths) == 1 else None
    return Settling(name, rdtype, truth, list(answers))


async def authoritative_servers(resolver: Resolver, apex: str) -> list[tuple[Nameserver, str]]:
    """The zone's name servers with their addresses, as (server, label) pairs."""
    ns = await resolver.lookup(apex, "NS")
    servers: list[tuple[Nameserver, str]] = []
    for host in sorted(record.to_text().rstrip(".") for record in ns.records):
        a, _aaaa = await resolver.addresses(host)
        servers.extend((Nameserver(address, 53), f"{host} ({address})") for address in a.texts())
    return servers


def system_resolvers() -> list[Nameserver]:
    try:
        configured = dns.resolver.Resolver().nameservers
        return [Nameserver(address, 53) for address in configured if isinstance(address, str)]
    except dns.resolver.NoResolverConfiguration:
        return []


async def _ask(
    resolver: Resolver, server: Nameserver, label: str, name: str, rdtype: str, recursive: bool
) -> SourceAnswer:
    response = await resolver.ask_server(server, name, rdtype, recursion=recursive)
    if isinstance(response, Answer):
        return SourceAnswer(label, not recursive, problem=response.describe())
    if response.rcode() == dns.rcode.NXDOMAIN:
        return SourceAnswer(label, not recursive)  # no record at all is an answer too
    if response.rcode() != dns.rcode.NOERROR:
        return SourceAnswer(label, not recursive, problem=dns.rcode.to_text(response.rcode()))
    wanted = dns.rdatatype.from_text(rdtype)
    records: list[str] = []
    ttl: int | None = None
    for rrset in response.answer:
        if rrset.rdtype == wanted:
            records.extend(record.to_text() for record in rrset)
            ttl = rrset.ttl if ttl is None else min(ttl, rrset.ttl)
    return SourceAnswer(label, not recursive, tuple(sorted(records)), ttl)
