"""A lab world as data: zones for Knot and virtual hosts for nginx.

Tests describe faults as records and server blocks; the lab turns them into
config files. Each test process gets its own 127.N.0.0/16 so parallel workers
never share an address.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


@dataclass
class AddressPlan:
    """Hands out loopback addresses inside one 127.N.0.0/16 block."""

    block: int
    _next_host: int = 1

    @property
    def dns_addresses(self) -> tuple[str, str]:
        return (f"127.{self.block}.0.53", f"127.{self.block}.0.54")

    @property
    def silent_address(self) -> str:
        """An address where nothing listens: a dead name server or web host."""
        return f"127.{self.block}.0.99"

    def next_address(self) -> str:
        third, fourth = divmod(self._next_host, 250)
        self._next_host += 1
        return f"127.{self.block}.{1 + third}.{1 + fourth}"


@dataclass
class Zone:
    """A zone file body; SOA is added, and NS too unless `ns` is given in `records`."""

    origin: str
    records: list[str] = field(default_factory=list)
    default_ttl: int = 3600
    broken: bool = False  # write an unparsable file so Knot answers SERVFAIL

    def add(self, *lines: str) -> Zone:
        self.records.extend(lines)
        return self


class Cert(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    EXPIRING = "expiring"  # valid, but ends in a few days
    EXPIRING_SOON = "expiring-soon"  # valid, ends within a month
    WRONG_HOST = "wrong-host"
    SELF_SIGNED = "self-signed"


@dataclass
class VHost:
    """One web host on its own address: plain HTTP on 80 and, with a cert, HTTPS on 443."""

    names: list[str]
    address: str
    cert: Cert | None = Cert.VALID
    http: str = "return 301 https://$host$request_uri;"
    https: str = 'location / { default_type text/html; return 200 "<html>ok</html>\\n"; }'
    tls_protocols: str = "TLSv1.2 TLSv1.3"
    raw_https_listener: str | None = None  # replaces the 443 server block entirely
    rogue: str | None = None  # "hang" or "garbage": a rogue server owns ports 80 and 443

    @property
    def primary(self) -> str:
        return self.names[0]


@dataclass
class World:
    plan: AddressPlan
    zones: dict[str, Zone] = field(default_factory=dict)
    vhosts: list[VHost] = field(default_factory=list)

    def zone(self, origin: str, *records: str, ns: int = 2) -> Zone:
        """A zone served by the lab's name servers, with ns1/ns2 glue inside it."""
        if origin in self.zones:
            raise ValueError(f"zone {origin} is planted twice; pick another name")
        zone = Zone(origin)
        for index, address in enumerate(self.plan.dns_addresses[:ns], start=1):
            zone.add(f"@ NS ns{index}", f"ns{index} A {address}")
        zone.add(*records)
        self.zones[origin] = zone
        return zone

    def host(self, *names: str, **options: Any) -> VHost:
        vhost = VHost(list(names), self.plan.next_address(), **options)
        self.vhosts.append(vhost)
        return vhost
