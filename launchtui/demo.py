"""The demo: a ready-made engagement against the local lab's planted problems, so a
newcomer sees live checks fail and pass without owning a domain."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .engagement import Engagement, EngagementError, Environment, Route
from .lab import Lab, LabBlockInUse, LabError
from .lab.planted import build_planted_world
from .recent import data_dir

DEMO_DOMAIN = "bad.test"
DEMO_FILE = "demo-bad-test.toml"
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


def write_demo_engagement(lab: Lab, folder: Path | None = None, *, fresh: bool = False) -> Path:
    """The demo engagement, pointed at the running lab (its resolver and CA).

    An earlier demo engagement is reopened with its notes, owners and secrets, only its
    network settings moved to this lab. With `fresh` (or when the earlier file cannot be
    read) a new one is written and the earlier file kept beside it under a dated name:
    a demo someone worked in is never silently replaced."""
    folder = folder or data_dir() / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DEMO_FILE
    if path.exists() and not fresh:
        try:
            earlier = Engagement.load(path)
        except EngagementError:
            pass
        else:
            earlier.set_network([lab.nameserver], str(lab.ca_bundle))
            earlier.save()
            return path
    if path.exists():
        path.rename(_kept_name(path))
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


def _kept_name(path: Path) -> Path:
    """`demo-bad-test.toml` -> `demo-bad-test.2026-11-22-1005.toml` (first free name)."""
    stamp = dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d-%H%M")
    candidate = path.with_name(f"{path.stem}.{stamp}{path.suffix}")
    number = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}.{stamp}-{number}{path.suffix}")
        number += 1
    return candidate
