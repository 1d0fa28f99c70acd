"""Shared fixtures: one loopback lab per test process, on its own 127.N.0.0/16."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from launchtui.checks import all_checks
from launchtui.context import CheckContext, context_for_domain
from launchtui.domains import parse_domain
from launchtui.engine import run_checks
from launchtui.findings import Finding
from launchtui.lab import Lab, LabBlockInUse, LabError
from launchtui.lab.planted import build_planted_world
from launchtui.resolver import Resolver, parse_nameserver
from launchtui.runbook import Profile, default_profile_id, load_profiles

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"


def golden(name: str, text: str) -> str:
    """The golden copy of `text`; `LAUNCHTUI_UPDATE_GOLDEN=1` rewrites it (read the diff)."""
    path = GOLDEN / name
    if os.environ.get("LAUNCHTUI_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def no_discovered_settings(tmp_path_factory, monkeypatch):
    """Every test gets its own config, cache and data folders and a fixed operator name, so
    nothing reads or writes the user's own settings, view state or runbooks."""
    home = tmp_path_factory.mktemp("settings")
    for variable, folder in (
        ("LAUNCHTUI_CONFIG_DIR", "config"),
        ("LAUNCHTUI_CACHE_DIR", "cache"),
        ("LAUNCHTUI_DATA_DIR", "data"),
    ):
        monkeypatch.setenv(variable, str(home / folder))
    monkeypatch.setenv("LAUNCHTUI_OPERATOR", "tester")
    monkeypatch.delenv("LAUNCHTUI_RUNBOOKS_PATH", raising=False)


def worker_number() -> int:
    """0 for a plain run, N for pytest-xdist worker gwN: each worker gets its own lab."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


@pytest.fixture(scope="session")
def lab():
    """The planted world (good.test, bad.test, ...) on real Knot and nginx.

    A missing Debian package fails loudly with the install command; it never skips.
    """
    yield from running_lab(build_planted_world)


def running_lab(build):
    """Run `build`'s world on a free block for as long as the fixture lasts."""
    lab = start_lab(build)
    try:
        yield lab
    finally:
        lab.stop()


def start_lab(build, block: int | None = None) -> Lab:
    """Start `build`'s world on `block`, or on the first free block of this worker's range
    (40-139 for gw0, 140-239 for gw1), so parallel workers and test runs never share one.
    A test that stops a world and starts another on the same block (the same names and
    addresses, new answers) passes the block back in."""
    first = 40 + 100 * worker_number()
    blocks = [block] if block is not None else range(first, min(first + 100, 250))
    for candidate in blocks:
        try:
            return Lab(build, block=candidate).start()
        except LabBlockInUse:
            continue
    raise LabError(f"no free lab address block in 127.{first}-{first + 99}.0.0")


@pytest.fixture
def lab_resolver(lab: Lab) -> Resolver:
    return Resolver([parse_nameserver(lab.nameserver)], timeout=2.0)


def default_profile() -> Profile:
    """The profile a bare domain is judged by, as `launchtui check DOMAIN` picks it."""
    return load_profiles()[default_profile_id()]


@pytest.fixture
def audit_context(lab: Lab, lab_resolver: Resolver):
    """Build a zero-config audit context for a lab domain (the default profile unless
    `profile=` names another)."""

    async def build(domain: str, profile: Profile | None = None, **settings) -> CheckContext:
        settings.setdefault("ca_bundle", lab.ca_bundle)
        return await context_for_domain(
            parse_domain(domain), lab_resolver, profile or default_profile(), **settings
        )

    return build


async def findings_of(check_id: str, context: CheckContext) -> list[Finding]:
    """Run one registered check through the real engine."""
    result = await run_checks(context, [all_checks()[check_id]])
    return result.findings


def by_target(findings: list[Finding]) -> dict[str, Finding]:
    return {finding.target: finding for finding in findings}


def run_launchtui(
    *args: str, input: str | None = None, env: dict | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a subprocess, as a user's script would."""
    return subprocess.run(
        [sys.executable, "-m", "launchtui", *args],
        capture_output=True,
        text=True,
        input=input,
        timeout=120,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )
