"""The app and the engagement's history: outside edits come in, the log and runs are shown,
and the operator is asked once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.notifications import Notify
from textual.widgets import DataTable, Input, Select, SelectionList

from launchtui.engagement import Actor, Engagement, Owner, RunRecord
from launchtui.findings import Finding, Severity, Status
from launchtui.settings import configured_operator
from launchtui.ui.app import make_app
from launchtui.ui.screens.history import HistoryScreen
from launchtui.ui.screens.operator import OperatorScreen
from launchtui.ui.screens.sprint import SprintScreen

from .conftest import fixed_clock, until

SIZE = (120, 40)


def app_for(path: Path | None = None, operator: str = "dana"):
    return make_app(path, clock=fixed_clock, operator=operator)


def notices(messages: list) -> list[str]:
    return [m.notification.message for m in messages if isinstance(m, Notify)]


async def test_an_edit_made_with_the_cli_comes_in_and_nothing_is_lost(acme):
    app = app_for(acme)
    messages: list = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SprintScreen)
        with Engagement.edit(acme, actor=Actor("sam", "cli")) as cli:
            cli.add_owner(Owner("registrar", "Namecheap", "Sam Lee"))
        await until(pilot, lambda: any("Namecheap" in n for n in notices(messages)))
        assert [o.account for o in screen.engagement.owners] == ["registrar"]
        await pilot.press("down")  # audit -> dns
        checklist = screen.query_one("#view-dns #checklist", SelectionList)
        checklist.focus()
        checklist.highlighted = 1
        await pilot.press("space")  # the app's own change, saved at once
        await pilot.pause()
    saved = Engagement.load(acme)
    assert [o.owner for o in saved.owners] == ["Sam Lee"]
    assert [(c.who, c.via) for c in saved.changes[-2:]] == [("sam", "cli"), ("dana", "app")]
    notice = next(n for n in notices(messages) if "Namecheap" in n)
    assert notice == "Added owner: registrar — Namecheap, Sam Lee. (sam, cli)"


async def test_the_history_screen_filters_the_log_and_pins_a_run(acme):
    with Engagement.edit(acme, actor=Actor("priya", "cli")) as engagement:
        engagement.add_owner(Owner("hosting", "Vercel", "Priya"))
    with Engagement.edit(acme, actor=Actor("sam", "cli")) as engagement:
        engagement.set_notes("dns", "from the CLI")
        for hours in (0, 1):
            started = dt.datetime(2026, 11, 21, 11 + hours, tzinfo=dt.UTC)
            finding = Finding("dns.ns", "dns", "acme.test", Status.PASS, Severity.INFO, "ok")
            engagement.record_run(
                RunRecord(started, started, [finding], {"dns.ns": 1}, "every stage", True)
            )
    app = app_for(acme)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        log = screen.query_one("#log", DataTable)
        everyone = log.row_count
        screen.query_one("#author", Select).value = "sam"
        await pilot.pause()
        assert 0 < log.row_count < everyone
        assert {log.get_row_at(i)[1] for i in range(log.row_count)} == {"sam"}
        screen.query_one("#stage", Select).value = "dns"
        await pilot.pause()
        assert [log.get_row_at(i)[4] for i in range(log.row_count)] == ["Edited the notes of dns."]
        runs = screen.query_one("#runs", DataTable)
        screen.query_one("TabbedContent").active = "tab-runs"
        await pilot.pause()
        runs.focus()
        # runs: the results kept before the history existed, then 11:00 (the baseline,
        # as the first complete run), then 12:00
        assert "← baseline" in str(runs.get_row_at(1)[2])
        runs.move_cursor(row=2)
        await pilot.press("p")
        await pilot.pause()
        assert "← baseline" in str(runs.get_row_at(2)[2])
        assert "← baseline" not in str(runs.get_row_at(1)[2])
    pinned = Engagement.load(acme)
    assert pinned.baseline is not None and pinned.baseline.at.hour == 12
    assert pinned.changes[-1].who == "dana"


async def test_the_operator_is_asked_once_and_remembered(acme, monkeypatch):
    monkeypatch.delenv("LAUNCHTUI_OPERATOR")
    app = make_app(acme, clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, OperatorScreen)
        field = app.screen.query_one("#operator-name", Input)
        field.value = "Dana Lee"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SprintScreen)
        await pilot.press("down")  # audit -> dns
        checklist = app.screen.query_one("#view-dns #checklist", SelectionList)
        checklist.focus()
        checklist.highlighted = 1
        await pilot.press("space")
        await pilot.pause()
    assert configured_operator() == "Dana Lee"
    assert Engagement.load(acme).changes[-1].who == "Dana Lee"
    again = make_app(acme, clock=fixed_clock)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(again.screen, SprintScreen)  # not asked a second time
