"""Running a per-address judgement over hosts, and folding identical verdicts together.

A host with several addresses is several servers; one stale node behind a load
balancer is a real fault. We judge each address, and when they all agree we
report once for the host, otherwise once per address.
"""

from __future__ import annotations

import asyncio
import functools
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace

from ..context import CheckContext, Host
from ..findings import Finding, Status
from .registry import CheckSpec

AddressJudge = Callable[[Host, str], Awaitable[Finding]]


async def judge_every_address(
    context: CheckContext, spec: CheckSpec, hosts: Iterable[Host], judge: AddressJudge
) -> list[Finding]:
    per_host = await asyncio.gather(*(_judge_host(context, spec, h, judge) for h in hosts))
    return [finding for findings in per_host for finding in findings]


async def _judge_host(
    context: CheckContext, spec: CheckSpec, host: Host, judge: AddressJudge
) -> list[Finding]:
    addresses = await context.http.addresses(host.name)
    if not addresses:
        return [
            spec.finding(
                host.name,
                Status.SKIPPED,
                f"{host.name} has no address in DNS, so it was not probed (see dns.resolves).",
            )
        ]
    reachable = [address for address in addresses if has_route(address)]
    if not reachable:
        return [
            spec.finding(
                host.name,
                Status.SKIPPED,
                f"This computer has no network route to {host.name}'s addresses "
                f"({', '.join(addresses)}), so it was not probed; run from a network with IPv6.",
                evidence={"not_routable": addresses},
            )
        ]
    verdicts = await asyncio.gather(*(judge(host, address) for address in reachable))
    pairs = excuse_unreachable_ipv6(list(zip(reachable, verdicts, strict=True)))
    folded = fold_by_address(host.name, pairs)
    unroutable = [address for address in addresses if address not in reachable]
    if unroutable:
        folded = [replace(f, evidence={**f.evidence, "not_routable": unroutable}) for f in folded]
    return folded


def excuse_unreachable_ipv6(verdicts: list[tuple[str, Finding]]) -> list[tuple[str, Finding]]:
    """Many networks route IPv6 nowhere. When IPv4 answered and an IPv6 address only gave
    an error, the likelier fault is our network, not the site: say so instead of failing."""
    ipv4_answered = any(":" not in a and f.status is not Status.ERROR for a, f in verdicts)
    if not ipv4_answered:
        return verdicts
    return [
        (
            address,
            replace(
                finding,
                status=Status.SKIPPED,
                summary=(
                    f"Could not reach the IPv6 address {address} from this computer while IPv4 "
                    "answered; if this network has working IPv6, visitors on IPv6 cannot connect."
                ),
            ),
        )
        if ":" in address and finding.status is Status.ERROR
        else (address, finding)
        for address, finding in verdicts
    ]


@functools.cache
def has_route(address: str) -> bool:
    """Whether this computer can reach `address` at all (most often: an IPv6 address on a
    machine without IPv6). A UDP connect() only looks up the route; nothing is sent."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect((address, 443))
    except OSError:
        return False
    return True


def fold_by_address(host: str, verdicts: list[tuple[str, Finding]]) -> list[Finding]:
    first = verdicts[0][1]
    if all((f.status, f.summary) == (first.status, first.summary) for _, f in verdicts):
        evidence = {**first.evidence, "addresses": [address for address, _ in verdicts]}
        return [replace(first, target=host, evidence=evidence)]
    return [
        replace(
            finding, target=f"{host} ({address})", evidence={**finding.evidence, "address": address}
        )
        for address, finding in verdicts
    ]


async def reachable_hosts(context: CheckContext) -> list[str]:
    """Names of the audit's hosts that have an address, looked up all at once."""
    names = [host.name for host in web_hosts(context)]
    found = await asyncio.gather(*(context.http.addresses(name) for name in names))
    return [name for name, addresses in zip(names, found, strict=True) if addresses]


def web_hosts(context: CheckContext) -> list[Host]:
    """Hosts people visit in a browser; every host in the audit is one."""
    return list(context.hosts)


def apex_and_www(context: CheckContext) -> list[Host]:
    return [host for host in context.hosts if host.role in ("apex", "www")]
