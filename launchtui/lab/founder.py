"""Worlds for the founder runbooks' tests: one product whose redirects are right, then
broken, then right again; and one zone whose two answer sources disagree, then agree.

Each is started on the same address block after the previous one stops, so the names and
addresses stay the same and only what they answer changes, as in real life.
"""

from __future__ import annotations

from collections.abc import Callable

from .planted_web import SECURE_HEADERS, good_https_site, redirect_to
from .world import AddressPlan, World

MOVE = "move.test"
SPLIT = "split.test"


def build_redirects_right(plan: AddressPlan) -> World:
    """www.move.test sends visitors to https://move.test/, as it did at handover."""
    return _move(plan, www_https=redirect_to(f"https://{MOVE}"))


def build_redirects_broken(plan: AddressPlan) -> World:
    """The www redirect rule is gone: www.move.test serves a page of its own."""
    return _move(plan, www_https=good_https_site(f"www.{MOVE}"))


def _move(plan: AddressPlan, *, www_https: str) -> World:
    world = World(plan)
    apex = world.host(MOVE, https=good_https_site(MOVE))
    www = world.host(f"www.{MOVE}", https=www_https)
    world.zone(MOVE, f"@ A {apex.address}", f"www A {www.address}")
    return world


def build_split(spf: str) -> Callable[[AddressPlan], World]:
    """A world whose split.test publishes `spf` (start two, with different records, to make
    two answer sources disagree)."""

    def build(plan: AddressPlan) -> World:
        world = World(plan)
        apex = world.host(SPLIT, https=SECURE_HEADERS + "return 200 'ok';")
        world.zone(SPLIT, f"@ A {apex.address}", f'@ TXT "{spf}"')
        return world

    return build
