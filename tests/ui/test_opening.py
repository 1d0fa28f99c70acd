"""Getting into an engagement: a broken one is one message on the welcome screen, a new
one always gets a real profile, `launchtui FILE` opens FILE, and the demo never replaces
the one someone worked in."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Select
from textual.widgets.select import InvalidSelectValueError

from launchtui.demo import write_demo_engagement
from launchtui.engagement import Engagement
from launchtui.recent import remember
from launchtui.ui.app import make_app
from launchtui.ui.screens.welcome import WelcomeScreen

from ..conftest import run_launchtui
from .conftest import fixed_clock

SIZE = (120, 40)


def app_for(path: Path | None = None):
    return make_app(path, clock=fixed_clock, operator="dana")


def misspelt_runbook(tmp_path) -> Path:
    path = tmp_path / "typo.toml"
    path.write_text('schema = 2\nrunbook = "launch-redy"\n[domain]\napex = "acme.test"\n')
    return path


async def test_a_misspelt_runbook_is_one_message_on_the_welcome_screen(tmp_path):
    app = app_for(misspelt_runbook(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        banner = str(app.screen.query_one("#open-problem").render())
        assert "Cannot open that engagement" in banner and "launch-redy" in banner


async def test_a_broken_recent_file_is_reported_on_the_welcome_screen_it_was_picked_from(
    tmp_path,
):
    remember(misspelt_runbook(tmp_path))
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#recent").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        assert "launch-redy" in str(app.screen.query_one("#open-problem").render())


async def test_the_product_type_is_never_blank(private_data_dir):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        kind = app.screen.query_one("#product-type", Select)
        assert kind.value == "community"
        with pytest.raises(InvalidSelectValueError):  # it cannot be left blank
            kind.clear()
        app.screen.query_one("#apex").value = "acme.test"
        await pilot.click("#create")
        await pilot.pause()
    assert Engagement.load(private_data_dir / "acme-test.toml").profile == "community-launch"


def test_a_bare_path_opens_the_file_and_a_mistyped_command_is_still_one(tmp_path):
    missing = run_launchtui(str(tmp_path / "nowhere.toml"))
    assert missing.returncode == 2
    assert "nowhere.toml" in missing.stderr and "No such command" not in missing.stderr
    typo = run_launchtui("chekc")
    assert typo.returncode == 2 and "No such command 'chekc'" in typo.stderr


def test_the_demo_reopens_the_earlier_one_and_fresh_keeps_it_aside(lab, tmp_path):
    path = write_demo_engagement(lab, tmp_path)
    earlier = Engagement.load(path)
    earlier.set_notes("dns", "Walked through this with Dana.")
    earlier.set_network([lab.nameserver], "/gone/lab-ca.pem")  # a lab from another day
    earlier.save()
    again = Engagement.load(write_demo_engagement(lab, tmp_path))
    assert again.notes("dns") == "Walked through this with Dana."
    assert again.ca_bundle_setting == str(lab.ca_bundle)  # pointed at the running lab
    fresh = Engagement.load(write_demo_engagement(lab, tmp_path, fresh=True))
    assert fresh.notes("dns") == ""
    [kept] = [p for p in tmp_path.glob("demo-bad-test.*.toml")]
    assert Engagement.load(kept).notes("dns") == "Walked through this with Dana."
