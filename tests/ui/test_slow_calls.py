"""Calls that can take seconds never run on the UI loop: the keyring (a Secret Service may
wait for its unlock prompt) and starting the demo lab. Each test holds the slow call until
the screen has answered a key meanwhile; had the call run on the UI loop, the key would
have waited for it and the hold would have run out."""

from __future__ import annotations

import threading
from pathlib import Path

from textual.widgets import DataTable, Input

from launchtui.child_run import FinishedRun
from launchtui.engagement import Engagement, RunRecord, Secret
from launchtui.export import Report
from launchtui.findings import Finding, Severity, Status
from launchtui.ui.app import make_app
from launchtui.ui.screens.runbook import RunbookScreen
from launchtui.ui.screens.sprint import SprintScreen
from launchtui.ui.screens.welcome import WelcomeScreen
from launchtui.vault import store, value_fingerprint

from ..keyring_backend import MemoryKeyring, selected_keyring
from .conftest import NOON, fixed_clock, heard, until

SIZE = (120, 40)
HOLD_S = 10.0


class HeldKeyring(MemoryKeyring):
    """A keyring whose reads wait until the test lets them go, as a locked Secret Service
    waits for its unlock prompt."""

    def __init__(self) -> None:
        super().__init__()
        self.released = threading.Event()
        self.held_out = False  # a read waited the whole hold: something waited for it

    def get_password(self, service: str, username: str) -> str | None:
        if not self.released.wait(HOLD_S):
            self.held_out = True
        return super().get_password(service, username)


def with_secrets(path: Path, *names: str) -> Engagement:
    engagement = Engagement.load(path)
    for name in names:
        engagement.add_secret(Secret(name, reference="keyring:", owner="Dana"))
    engagement.save()
    return engagement


def value_column(table: DataTable[str]) -> list[str]:
    return [str(table.get_row_at(row)[-1]) for row in range(table.row_count)]


async def test_the_secrets_list_answers_keys_while_the_keyring_looks_values_up(acme):
    engagement = with_secrets(acme, "STRIPE_SECRET_KEY", "ADMIN_PASSWORD")
    keyring = HeldKeyring()
    with selected_keyring(keyring):
        store(engagement.id, "prod", "STRIPE_SECRET_KEY", "sk_live_kept")
        app = make_app(acme, clock=fixed_clock, operator="dana")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("k")
            await pilot.pause()
            table = app.screen.query_one("#secrets DataTable", DataTable)
            assert value_column(table) == ["…", "…"]  # still asking the keyring
            table.focus()
            await pilot.press("down")
            assert table.cursor_row == 1
            keyring.released.set()
            await until(pilot, lambda: value_column(table) == ["in keyring", "-"])
            assert table.cursor_row == 1  # the answer did not move the person's row
    assert not keyring.held_out


async def test_a_leaked_key_is_marked_exposed_after_the_run_without_holding_the_screen(acme):
    engagement = with_secrets(acme, "STRIPE_SECRET_KEY")
    leak = Finding(
        "secrets.history",
        "security",
        "settings.py:3",
        Status.FAIL,
        Severity.CRITICAL,
        "A live key is in the code.",
        evidence={"fingerprint": value_fingerprint("sk_live_leaked")},
    )
    run = FinishedRun(
        Report("acme.test", NOON, NOON, [leak], {"security": "Security"}),
        RunRecord(NOON, NOON, [leak], {"secrets.history": 1}, "security", False),
    )
    keyring = HeldKeyring()
    said: list[str] = []
    with selected_keyring(keyring):
        store(engagement.id, "prod", "STRIPE_SECRET_KEY", "sk_live_leaked")
        app = make_app(acme, clock=fixed_clock, operator="dana")
        async with app.run_test(size=SIZE, message_hook=heard(said)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SprintScreen)
            screen.post_message(SprintScreen.ChecksFinished(run))
            await until(pilot, lambda: any("to look at" in s for s in said))
            await pilot.press("down")  # the keyring is still asked; the screen moves on
            assert screen.current_stage_id == "dns"
            keyring.released.set()
            await until(pilot, lambda: any("marked exposed" in s for s in said))
    assert not keyring.held_out
    assert Engagement.load(acme).secret("STRIPE_SECRET_KEY").exposed


class HeldLab:
    """Stands in for the demo lab: starting it waits until the test lets it go."""

    def __init__(self, folder: Path) -> None:
        self.nameserver = "127.0.0.1:53"
        self.ca_bundle = folder / "lab-ca.pem"
        self.released = threading.Event()
        self.held_out = False
        self.stopped = False

    def start(self) -> HeldLab:
        if not self.released.wait(HOLD_S):
            self.held_out = True
        return self

    def stop(self) -> None:
        self.stopped = True


class HeldWrites(MemoryKeyring):
    """A keyring whose writes wait until the test lets them go."""

    def __init__(self) -> None:
        super().__init__()
        self.released = threading.Event()
        self.held_out = False

    def set_password(self, service: str, username: str, password: str) -> None:
        if not self.released.wait(HOLD_S):
            self.held_out = True
        super().set_password(service, username, password)


async def test_a_runbook_keeps_a_new_secret_value_without_holding_the_app(acme):
    with_secrets(acme, "STRIPE_SECRET_KEY")
    keyring = HeldWrites()
    with selected_keyring(keyring):
        app = make_app(acme, clock=fixed_clock, operator="dana")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("k")
            await pilot.pause()
            app.screen.query_one("#secrets DataTable", DataTable).focus()
            await pilot.press("t")
            await pilot.pause()
            runner = app.screen
            assert isinstance(runner, RunbookScreen)
            await pilot.press("enter", "enter")  # where it lives; make a new value
            await pilot.pause()
            field = runner.query_one("#answer", Input)
            await pilot.press(*"sk_live_new_value_0123456789", "enter")
            await pilot.press("x")  # typed while the keyring is still writing
            assert field.value == "x" and runner.session.step.kind == "input"
            keyring.released.set()
            await until(pilot, lambda: runner.session.step.kind != "input")
    assert not keyring.held_out


async def test_the_welcome_screen_answers_keys_while_the_demo_lab_starts(tmp_path, monkeypatch):
    lab = HeldLab(tmp_path)
    monkeypatch.setattr("launchtui.demo.start_demo_lab", lab.start)
    app = make_app(clock=fixed_clock, operator="dana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#demo")
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, WelcomeScreen)
        assert app.screen.focused is not None and app.screen.focused.id == "open-path"
        lab.released.set()
        await until(pilot, lambda: isinstance(app.screen, SprintScreen))
        await pilot.pause()
        assert app.screen.engagement.apex == "bad.test"
    assert not lab.held_out
    assert lab.stopped  # quitting stops the lab the demo started
