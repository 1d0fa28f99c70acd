"""Founder runbooks in the app: rotating a secret from the Secrets screen, restoring a broken
redirect against the lab, and resuming a run after quitting."""

from __future__ import annotations

import uuid
from pathlib import Path

from textual.widgets import DataTable, Input, OptionList

from launchtui.engagement import Engagement, Route, Secret
from launchtui.lab.founder import MOVE, build_redirects_broken, build_redirects_right
from launchtui.ui.app import make_app
from launchtui.ui.screens.founder import FounderHomeScreen
from launchtui.ui.screens.runbook import RunbookScreen

from ..conftest import start_lab
from ..keyring_backend import memory_keyring
from ..test_procedures import point_at
from .conftest import fixed_clock, until

SIZE = (120, 40)


def lab_engagement(tmp_path: Path, lab, apex: str) -> Path:
    path = tmp_path / f"{apex}.toml"
    made = Engagement.new(path, apex=apex)
    made.set_network([lab.nameserver], str(lab.ca_bundle))
    made.add_route(Route("home", f"https://{apex}/", budget_ms=2000))
    made.add_secret(
        Secret("STRIPE_SECRET_KEY", reference="op://Ops/Stripe/secret key", owner="Dana")
    )
    made.save()
    return path


async def test_rotating_a_secret_from_the_secrets_screen_keeps_the_value_in_the_keyring_only(
    lab, tmp_path
):
    path = lab_engagement(tmp_path, lab, "good.test")
    canary = f"sk_live_{uuid.uuid4().hex}"
    keys = 0
    with memory_keyring() as keyring:
        app = make_app(path, clock=fixed_clock, operator="dana")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("k")
            await pilot.pause()
            app.screen.query_one("#secrets DataTable", DataTable).focus()

            async def press(*names: str) -> None:
                nonlocal keys
                keys += len(names)
                await pilot.press(*names)
                await pilot.pause()

            await press("t")
            runner = app.screen
            assert isinstance(runner, RunbookScreen)
            assert runner.session.step.id == "where"
            await press("enter", "enter")  # where it lives; make a new value at Stripe
            field = runner.query_one("#answer", Input)
            assert field.password
            await pilot.press(*canary)  # typing the value is not counted
            await press("enter")
            assert field.value == ""
            await press("enter", "enter")  # put it where it lives; everywhere it is used
            await until(pilot, lambda: runner.session.step.id == "revoke")  # smoke test passed
            await press("enter")  # on from the check
            await press("enter")  # revoked at the provider
            await press("y")  # confirm: recorded
            assert runner.session.finished
        assert (
            keyring.values[("launchtui/" + Engagement.load(path).id + "/prod", "STRIPE_SECRET_KEY")]
            == canary
        )
        assert not [k for k in keyring.values if "new, not yet confirmed" in k[1]]
    for file in tmp_path.rglob("*"):
        if file.is_file():
            assert canary not in file.read_text(errors="replace"), file
    saved = Engagement.load(path)
    assert saved.secret("STRIPE_SECRET_KEY").last_rotated is not None
    assert keys == 9  # t, 2 × enter, enter (value), 2 × enter, enter, enter, y


async def test_a_run_paused_halfway_resumes_from_the_founder_home(lab, tmp_path):
    path = lab_engagement(tmp_path, lab, "good.test")
    app = make_app(path, clock=fixed_clock, operator="dana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        home = app.screen
        assert isinstance(home, FounderHomeScreen)
        runbooks = home.query_one("#runbooks", OptionList)
        runbooks.highlighted = [o.id for o in runbooks.options].index("rollback-deploy")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RunbookScreen)
        await pilot.press("enter", "enter")
        await pilot.pause()
        await pilot.press("escape")  # pause at "which release"
        await pilot.pause()
    again = make_app(path, clock=fixed_clock, operator="dana")
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        runbooks = again.screen.query_one("#runbooks", OptionList)
        index = [o.id for o in runbooks.options].index("rollback-deploy")
        assert "resume: step 3" in str(runbooks.get_option_at_index(index).prompt)
        runbooks.highlighted = index
        await pilot.press("enter")
        await pilot.pause()
        runner = again.screen
        assert isinstance(runner, RunbookScreen) and runner.session.step.id == "release"


async def test_restoring_a_broken_redirect_in_the_app(tmp_path):
    right = start_lab(build_redirects_right)
    block = right.world.plan.block
    path = tmp_path / "move.toml"
    made = Engagement.new(path, apex=MOVE)
    made.set_network([right.nameserver], str(right.ca_bundle))
    made.save()
    from ..conftest import run_launchtui

    try:
        assert run_launchtui("redirects", str(path), "--record").returncode == 0
    finally:
        right.stop()
    broken = start_lab(build_redirects_broken, block)
    point_at(path, broken)
    app = make_app(path, clock=fixed_clock, operator="dana")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("b")
            await pilot.pause()
            runbooks = app.screen.query_one("#runbooks", OptionList)
            runbooks.highlighted = [o.id for o in runbooks.options].index("restore-redirect")
            await pilot.press("enter")
            await pilot.pause()
            runner = app.screen
            assert isinstance(runner, RunbookScreen)
            await until(
                pilot, lambda: "used to end at" in str(runner.query_one("#results").render())
            )
            await pilot.press("enter")  # on from the comparison
            await pilot.pause()
            assert runner.session.step.id == "where-rules-live"
            broken.stop()
            broken = start_lab(build_redirects_right, block)  # the rule is back
            point_at(path, broken)
            runner.session.engagement.reload()
            await pilot.press("enter")
            await until(pilot, lambda: runner.session.step.kind == "confirm")
            await pilot.press("enter")  # on from the wait's results to the confirm step
            await pilot.press("y")
            await pilot.pause()
            assert runner.session.finished
    finally:
        broken.stop()
    outcomes = Engagement.load(path).runbook_runs[-1].outcomes
    assert ("wait", "passed") in [(o.step, o.result) for o in outcomes]
