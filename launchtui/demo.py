"""The demo: a ready-made engagement against the local lab's planted problems, so a
newcomer sees live checks fail and pass without owning a domain."""

from __future__ import annotations

from pathlib import Path

from .engagement import Engagement, Environment, Route
from .lab import Lab, LabBlockInUse, LabError
from .lab.planted import build_planted_world
from .recent import data_dir

DEMO_DOMAIN = "bad.test"
FIRST_BLOCK = 30


def start_demo_lab() -> Lab:
    """Start the planted lab on the first free 127.N block; LabError says what to install."""
    for block in range(FIRST_BLOCK, FIRST_BLOCK + 10):
        try:
            return Lab(build_planted_world, block).start()
        except LabBlockInUse:
            continue
        except PermissionError:
            raise LabError(
                "The demo lab binds ports 53, 80 and 443 on 127.x addresses; "
                "run `launchtui demo` as root (or in a container)."
            ) from None
    raise LabError("No free 127.x address block for the demo lab.")


def write_demo_engagement(lab: Lab, folder: Path | None = None) -> Path:
    """A fresh demo engagement pointing at the running lab (its resolver and CA)."""
    folder = folder or data_dir() / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "demo-bad-test.toml"
    engagement = Engagement.new(
        path, apex=DEMO_DOMAIN, product="Demo Shop (planted problems)", profile="marketplace-launch"
    )
    engagement.set_network([lab.nameserver], str(lab.ca_bundle))
    for label in ("app", "api", "admin", "auth"):
        engagement.add_subdomain(label)
    engagement.add_route(Route("home", f"https://{DEMO_DOMAIN}/", kind="page", budget_ms=1500))
    engagement.add_route(Route("login", f"https://{DEMO_DOMAIN}/", kind="auth", budget_ms=700))
    engagement.add_environment(Environment("prod", f"https://{DEMO_DOMAIN}"))
    engagement.add_environment(
        Environment("staging", "https://staging.bad.test", "referenced from the production page!")
    )
    engagement.save()
    return path
