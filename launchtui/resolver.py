"""DNS lookups for checks: one configurable resolver, answers cached per run.

Checks ask overlapping questions (every check wants the apex's addresses), so a
run shares one `Resolver` whose cache also merges identical questions asked at
the same moment. Failures never raise: they come back as an `Answer` whose
outcome says what happened, so a check can turn it into a plain sentence.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import dns.asyncquery
import dns.asyncresolver
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.nameserver
import dns.rcode
import dns.rdatatype
import dns.resolver
import dns.rrset

MAX_CNAME_HOPS = 8


class Outcome(StrEnum):
    OK = "ok"
    NXDOMAIN = "nxdomain"  # the name does not exist
    NODATA = "nodata"  # the name exists but has no records of this type
    SERVFAIL = "servfail"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    ERROR = "error"

    @property
    def is_failure(self) -> bool:
        """The resolver could not tell us anything about the name."""
        return self in (Outcome.SERVFAIL, Outcome.REFUSED, Outcome.TIMEOUT, Outcome.ERROR)


@dataclass(frozen=True, slots=True)
class Nameserver:
    address: str
    port: int = 53

    def __str__(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"


def parse_nameserver(text: str) -> Nameserver:
    """Read `IP`, `IP:PORT`, `[IPv6]:PORT` or a bare IPv6 address; raise ValueError plainly."""
    text = text.strip()
    address, port = text, 53
    if text.startswith("["):
        address, _, rest = text[1:].partition("]")
        if rest:
            port = _port_from(rest.removeprefix(":"), text)
    elif text.count(":") == 1:
        address, port_text = text.split(":")
        port = _port_from(port_text, text)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        raise ValueError(f"{text!r} is not an IP address (use IP or IP:PORT).") from None
    return Nameserver(address, port)


def _port_from(port_text: str, whole: str) -> int:
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"{whole!r} has an invalid port {port_text!r}.")
    return int(port_text)


@dataclass(frozen=True, slots=True)
class Answer:
    """What the resolver said about one (name, type) question."""

    name: str
    rdtype: str
    outcome: Outcome
    records: tuple[Any, ...] = ()  # dnspython rdata objects at the end of any CNAME chain
    ttl: int | None = None
    cname_chain: tuple[str, ...] = ()  # names the query was redirected through, in order
    cname_ttls: tuple[int, ...] = ()
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK and bool(self.records)

    @property
    def final_name(self) -> str:
        return self.cname_chain[-1] if self.cname_chain else self.name

    def texts(self) -> list[str]:
        return [r.to_text() for r in self.records]

    def describe(self) -> str:
        """One sentence for findings: why there is no usable answer."""
        return self.message or _OUTCOME_SENTENCES[self.outcome].format(
            name=self.name, rdtype=self.rdtype
        )


_OUTCOME_SENTENCES = {
    Outcome.OK: "{name} has {rdtype} records.",
    Outcome.NXDOMAIN: "{name} does not exist in DNS (NXDOMAIN).",
    Outcome.NODATA: "{name} exists but has no {rdtype} record.",
    Outcome.SERVFAIL: "The DNS server failed to answer for {name} (SERVFAIL).",
    Outcome.REFUSED: "The DNS server refused to answer for {name} (REFUSED).",
    Outcome.TIMEOUT: "No DNS answer for {name} {rdtype} before the time limit.",
    Outcome.ERROR: "The DNS lookup of {name} {rdtype} failed.",
}


@dataclass
class Resolver:
    """A bounded, caching front for dnspython's async stub resolver.

    With no nameservers it uses the system's configuration (/etc/resolv.conf).
    """

    nameservers: list[Nameserver] = field(default_factory=list)
    timeout: float = 5.0
    concurrency: int = 32
    _cache: dict[tuple[str, str], asyncio.Future[Answer]] = field(default_factory=dict)
    _semaphore: asyncio.Semaphore | None = None
    _stub: dns.asyncresolver.Resolver | None = None

    def _resolver(self) -> dns.asyncresolver.Resolver:
        if self._stub is None:
            if self.nameservers:
                stub = dns.asyncresolver.Resolver(configure=False)
                stub.nameservers = [
                    dns.nameserver.Do53Nameserver(ns.address, ns.port) for ns in self.nameservers
                ]
            else:
                stub = dns.asyncresolver.Resolver()
            stub.lifetime = self.timeout
            stub.timeout = min(self.timeout, 2.0)
            stub.cache = None
            self._stub = stub
        return self._stub

    def _bound(self) -> asyncio.Semaphore:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.concurrency)
        return self._semaphore

    async def lookup(self, name: str, rdtype: str) -> Answer:
        """Ask once per run; concurrent askers of the same question share one query."""
        key = (name.lower().rstrip("."), rdtype.upper())
        future = self._cache.get(key)
        if future is None:
            future = asyncio.ensure_future(self._lookup_following_cnames(*key))
            self._cache[key] = future
        return await asyncio.shield(future)

    async def addresses(self, name: str) -> tuple[Answer, Answer]:
        """A and AAAA together, since a host is reachable if either exists."""
        a, aaaa = await asyncio.gather(self.lookup(name, "A"), self.lookup(name, "AAAA"))
        return a, aaaa

    async def _lookup_following_cnames(self, name: str, rdtype: str) -> Answer:
        """Resolve, chasing CNAMEs ourselves when a server stops at the first hop.

        Authoritative-only servers return a CNAME without following it out of the
        zone; a recursive resolver returns the whole chain. Both end the same way.
        """
        chain: list[str] = []
        ttls: list[int] = []
        current = name
        for _ in range(MAX_CNAME_HOPS + 1):
            answer = await self._query_once(current, rdtype)
            chain.extend(answer.cname_chain)
            ttls.extend(answer.cname_ttls)
            if answer.records or not answer.cname_chain or answer.outcome is not Outcome.OK:
                return Answer(
                    name,
                    rdtype,
                    answer.outcome,
                    answer.records,
                    answer.ttl,
                    tuple(chain),
                    tuple(ttls),
                    answer.message,
                )
            current = answer.cname_chain[-1]
            if current in chain[:-1] or current == name:
                return Answer(
                    name,
                    rdtype,
                    Outcome.ERROR,
                    (),
                    None,
                    tuple(chain),
                    tuple(ttls),
                    f"{name} is a CNAME loop: {' -> '.join([name, *chain])}.",
                )
        return Answer(
            name,
            rdtype,
            Outcome.ERROR,
            (),
            None,
            tuple(chain),
            tuple(ttls),
            f"{name} goes through more than {MAX_CNAME_HOPS} CNAMEs.",
        )

    async def _query_once(self, name: str, rdtype: str) -> Answer:
        async with self._bound():
            try:
                result = await self._resolver().resolve(
                    name, rdtype, raise_on_no_answer=False, search=False
                )
            except dns.resolver.NXDOMAIN as exc:
                return Answer(name, rdtype, Outcome.NXDOMAIN, cname_chain=_chain_of(exc))
            except dns.resolver.NoNameservers as exc:
                return Answer(name, rdtype, _outcome_of_failed_servers(exc))
            except dns.exception.Timeout:
                return Answer(name, rdtype, Outcome.TIMEOUT)
            except dns.resolver.NoResolverConfiguration:
                return Answer(
                    name,
                    rdtype,
                    Outcome.ERROR,
                    message="No DNS resolver is configured on this machine; pass --nameserver.",
                )
            except (dns.exception.DNSException, OSError, ValueError) as exc:
                return Answer(
                    name,
                    rdtype,
                    Outcome.ERROR,
                    message=f"The DNS lookup of {name} {rdtype} failed: {exc}",
                )
        return _answer_from_response(name, rdtype, result.response)

    async def ask_server(
        self, server: Nameserver, name: str, rdtype: str, *, recursion: bool = False
    ) -> dns.message.Message | Answer:
        """Send one question straight to one server (for NS health and ANY queries).

        Returns the raw response, or an `Answer` describing why there is none.
        """
        query = dns.message.make_query(name, rdtype)
        if not recursion:
            query.flags &= ~dns.flags.RD
        async with self._bound():
            try:
                response, _ = await dns.asyncquery.udp_with_fallback(
                    query, server.address, timeout=min(self.timeout, 3.0), port=server.port
                )
            except dns.exception.Timeout:
                return Answer(name, rdtype, Outcome.TIMEOUT)
            except (dns.exception.DNSException, OSError, ValueError) as exc:
                return Answer(name, rdtype, Outcome.ERROR, message=f"{server}: {exc}")
        return response


def _answer_from_response(name: str, rdtype: str, response: dns.message.Message) -> Answer:
    chain, ttls = _cname_chain_in(response, name)
    owner = dns.name.from_text(chain[-1] if chain else name)
    wanted = dns.rdatatype.from_text(rdtype)
    for rrset in response.answer:
        if rrset.name == owner and rrset.rdtype == wanted:
            return Answer(name, rdtype, Outcome.OK, tuple(rrset), rrset.ttl, chain, ttls)
    return Answer(name, rdtype, Outcome.OK if chain else Outcome.NODATA, (), None, chain, ttls)


def _cname_chain_in(
    response: dns.message.Message, name: str
) -> tuple[tuple[str, ...], tuple[int, ...]]:
    by_owner: dict[dns.name.Name, dns.rrset.RRset] = {
        rrset.name: rrset for rrset in response.answer if rrset.rdtype == dns.rdatatype.CNAME
    }
    current = dns.name.from_text(name)
    chain: list[str] = []
    ttls: list[int] = []
    while current in by_owner and len(chain) <= MAX_CNAME_HOPS:
        rrset = by_owner.pop(current)
        current = rrset[0].target
        chain.append(current.to_text(omit_final_dot=True).lower())
        ttls.append(rrset.ttl)
    return tuple(chain), tuple(ttls)


def _chain_of(exc: dns.resolver.NXDOMAIN) -> tuple[str, ...]:
    for response in exc.responses().values():
        qname = response.question[0].name.to_text(omit_final_dot=True) if response.question else ""
        return _cname_chain_in(response, qname)[0]
    return ()


def _outcome_of_failed_servers(exc: dns.resolver.NoNameservers) -> Outcome:
    rcodes = {
        response.rcode()
        for *_, response in exc.kwargs.get("errors", [])
        if isinstance(response, dns.message.Message)
    }
    if dns.rcode.REFUSED in rcodes:
        return Outcome.REFUSED
    if dns.rcode.SERVFAIL in rcodes:
        return Outcome.SERVFAIL
    return Outcome.ERROR
