"""One product on day one of the sprint and again on day two: the same names, some faults
fixed, one new. Started one after the other on the same address block, they let a test
run the real checks twice and see "what changed" come out of real answers.

Day one: shop.test's certificate ends in three days and sends no HSTS, www.shop.test does
not exist, app.shop.test is clean. Day two: the certificate is renewed (200 days) with
every security header, www.shop.test answers, and app.shop.test now names its server
version.
"""

from __future__ import annotations

from .planted_web import BAD_HTTPS_SITE, good_https_site
from .world import AddressPlan, Cert, World

DOMAIN = "shop.test"


def build_day_one(plan: AddressPlan) -> World:
    world = World(plan)
    apex = world.host(DOMAIN, cert=Cert.EXPIRING)
    app = world.host(f"app.{DOMAIN}", https=good_https_site(f"app.{DOMAIN}"))
    world.zone(DOMAIN, f"@ A {apex.address}", f"app A {app.address}")
    return world


def build_day_two(plan: AddressPlan) -> World:
    world = World(plan)
    apex = world.host(DOMAIN, https=good_https_site(DOMAIN))
    app = world.host(f"app.{DOMAIN}", https=BAD_HTTPS_SITE)
    www = world.host(f"www.{DOMAIN}", https=good_https_site(DOMAIN))
    world.zone(DOMAIN, f"@ A {apex.address}", f"app A {app.address}", f"www A {www.address}")
    return world
