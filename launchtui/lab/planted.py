"""The standard lab world: for every check, a domain with the fault planted and a clean twin.

`good.test` is what a well-run launch looks like; `bad.test` carries one fault
per check on its own name, so a single audit of it exercises every failure.
Smaller zones cover cases that need a whole domain (one name server, no mail,
a zone that fails to load).
"""

from __future__ import annotations

from .planted_email import plant_email
from .planted_perf import plant_perf
from .planted_web import plant_web
from .world import AddressPlan, World

TWO_DAYS = 172800


def build_planted_world(plan: AddressPlan) -> World:
    world = World(plan)
    _plant_good(world)
    _plant_bad(world)
    _plant_provider(world)
    _plant_small_cases(world)
    plant_email(world)
    plant_web(world)
    plant_perf(world)
    return world


def _plant_good(world: World) -> None:
    apex = world.host("good.test")
    www = world.host("www.good.test")
    app = world.host("app.good.test")
    api = world.host("api.good.test")
    world.zone(
        "good.test",
        f"@ A {apex.address}",
        f"www A {www.address}",
        f"app A {app.address}",
        f"api A {api.address}",
        "@ MX 10 mx1",
        "@ MX 20 mx2",
        f"mx1 A {world.plan.dns_addresses[0]}",
        f"mx2 A {world.plan.dns_addresses[1]}",
    )


def _plant_bad(world: World) -> None:
    apex = world.host("bad.test")
    admin = world.host("admin.bad.test")
    zone = world.zone("bad.test", ns=1)
    zone.add(
        # A second name server that does not answer: lame delegation.
        "@ NS ns3",
        f"ns3 A {world.plan.silent_address}",
        f"@ A {apex.address}",
        # www is missing altogether.
        # app: a CNAME with an A record beside it (RFC 1034 §3.6.2 forbids it).
        "app CNAME live-app.provider.test.",
        f"app A {apex.address}",
        # api: a CNAME to a provider name that no longer exists (takeover risk).
        "api CNAME gone-app.provider.test.",
        f"admin {TWO_DAYS} A {admin.address}",
        f"auth 30 A {apex.address}",
        # Mail: one MX target is a CNAME (RFC 2181 §10.3), one does not exist.
        "@ MX 10 mail",
        "mail CNAME mx1.good.test.",
        "@ MX 20 nowhere",
    )


def _plant_provider(world: World) -> None:
    """A hosting provider's zone that CNAMEs point into."""
    live = world.host("live-app.provider.test")
    world.zone("provider.test", f"live-app A {live.address}")


def _plant_small_cases(world: World) -> None:
    solo = world.host("solo.test")
    world.zone("solo.test", f"@ A {solo.address}", f"www A {solo.address}", ns=1)
    nullmx = world.host("nullmx.test")
    world.zone("nullmx.test", f"@ A {nullmx.address}", f"www A {nullmx.address}", "@ MX 0 .")
    world.zone("broken.test").broken = True
    # An answer too big for UDP (over 4 KB of TXT): resolvers must retry over TCP.
    big = " ".join(f'"verification-token-{index:03d}-{"x" * 40}"' for index in range(80))
    world.zone("bigtxt.test", f"@ TXT {big}")
