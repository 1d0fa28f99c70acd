"""Pictures of the main screens (pytest-textual-snapshot), at fixed sizes and a fixed clock.

Update after an intended change with: ./scripts/test tests/ui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from launchtui.ui.app import make_app

from .conftest import fixed_clock, no_blink

STABLE_DATA_DIR = Path("/var/tmp/launchtui-snapshots")


@pytest.fixture(autouse=True)
def stable_data_dir(monkeypatch):
    """The welcome form shows the data folder: the same text on every machine, and an
    empty recent list for every picture."""
    shutil.rmtree(STABLE_DATA_DIR, ignore_errors=True)
    monkeypatch.setenv("LAUNCHTUI_DATA_DIR", str(STABLE_DATA_DIR))
    yield
    shutil.rmtree(STABLE_DATA_DIR, ignore_errors=True)


def app_for(path=None):
    return make_app(path, clock=fixed_clock, operator="dana")


def test_welcome(snap_compare):
    """The welcome screen: the new-engagement form on the left, recent/open/demo on the right."""
    assert snap_compare(app_for(), terminal_size=(100, 30), run_before=no_blink)


def test_sprint_dns_stage(snap_compare, acme):
    """The DNS stage of a recorded engagement: sidebar progress, clock (day 2), findings
    with a failing takeover risk highlighted in the detail pane, the ticked checklist item."""

    async def open_dns(pilot):
        await pilot.press("down", "tab", "down", "down")
        await no_blink(pilot)

    assert snap_compare(app_for(acme), terminal_size=(110, 40), run_before=open_dns)


def test_sprint_audit_at_80x24(snap_compare, acme):
    """The quick audit in the smallest supported terminal: the ranked risk list."""
    assert snap_compare(app_for(acme), terminal_size=(80, 24), run_before=no_blink)


def test_help(snap_compare, acme):
    """The help screen over the sprint: the keys and a short tour."""
    assert snap_compare(app_for(acme), terminal_size=(100, 30), press=["f1"], run_before=no_blink)


def test_setup_routes(snap_compare, acme):
    """Setup, key routes tab: the login route with its kind and budget, and the add form."""

    async def open_routes(pilot):
        await pilot.press("e")
        await pilot.pause()
        pilot.app.screen.query_one("TabbedContent").active = "tab-routes"
        await no_blink(pilot)

    assert snap_compare(app_for(acme), terminal_size=(110, 30), run_before=open_routes)
