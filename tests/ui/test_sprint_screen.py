"""The sprint screen as a consultant and a founder use it: entering a stage, honest
running state, dated results, the findings filter, grouped hosts, readable evidence and
a risk list that opens up. Pilot tests on the real app from make_app."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.widgets import DataTable

from launchtui.engagement import Engagement, RunRecord
from launchtui.findings import Finding, Severity, Status
from launchtui.ui.app import make_app, run_app
from launchtui.ui.screens.sprint import SprintScreen
from launchtui.ui.widgets.stage_view import StageView

from ..test_child_run import children_for, lab_engagement
from .conftest import NOON, fixed_clock, heard, until

SIZE = (120, 40)
HOSTS = ("acme.test", "www.acme.test", "app.acme.test")


def app_for(path: Path, clock=fixed_clock):
    return make_app(path, clock=clock, operator="dana")


def sprint(app) -> SprintScreen:
    return next(s for s in app.screen_stack if isinstance(s, SprintScreen))


def shown(widget) -> str:
    return str(widget.render())


def recorded(path: Path, findings: list[Finding], at: dt.datetime) -> Path:
    """An engagement whose history holds one full run with these findings."""
    engagement = Engagement.new(path, apex="acme.test", product="Acme")
    versions = dict.fromkeys({f.check for f in findings}, 1)
    engagement.record_run(RunRecord(at, at, findings, versions, "every stage", True))
    engagement.save()
    return path


def hsts_everywhere() -> list[Finding]:
    """The same missing header on three hosts, a TLS pass, and one DNS failure."""
    findings = [
        Finding(
            "http.hsts",
            "security",
            host,
            Status.FAIL,
            Severity.MEDIUM,
            f"https://{host} does not tell browsers to insist on HTTPS (no HSTS).",
            fix="Send Strict-Transport-Security: max-age=31536000.",
            evidence={"header": None, "response": {"status": 200, "server": "nginx"}},
        )
        for host in HOSTS
    ]
    findings.append(
        Finding("tls.valid", "security", "acme.test", Status.PASS, Severity.INFO, "Valid.")
    )
    findings += [
        Finding(
            "dns.resolves",
            "dns",
            f"host{n}.acme.test",
            Status.FAIL,
            Severity.HIGH,
            f"host{n}.acme.test does not exist in DNS (number {n}).",
        )
        for n in range(8)
    ]
    return findings


async def test_enter_on_a_stage_goes_into_it_and_a_click_does_not_crash(acme):
    app = app_for(acme)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.screen.current_stage_id == "dns"
        assert app.screen.focused is app.screen.query_one("#view-dns #findings", DataTable)
        await pilot.press("escape")
        assert app.screen.focused.id == "stages"
        await pilot.click("#stages", offset=(2, 6))  # the fourth stage: security
        await pilot.pause()
        assert app.screen.current_stage_id == "security"
        await pilot.press("ctrl+q")
    assert app.return_code == 0


def test_an_unhandled_exception_ends_the_process_with_status_1(acme, monkeypatch):
    """The crash in the sidebar exited 0; now any crash is a failure a script can see."""

    def broken(self):
        raise RuntimeError("planted fault")

    monkeypatch.setattr(SprintScreen, "update_clock", broken)
    app = app_for(acme)
    try:
        run_app(app, headless=True)
    except SystemExit as stopped:
        assert stopped.code == 1
    else:
        raise AssertionError("run_app returned normally after a crash")


async def test_running_ends_with_the_worker_on_every_stage_seen(lab, tmp_path):
    app = app_for(lab_engagement(lab, tmp_path / "bad.toml", "bad.test"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "r")  # the DNS stage
        await pilot.pause()
        screen = sprint(app)
        assert screen.running and screen.check_action("cancel_run", ()) is True
        assert "running" in shown(screen.query_one("#view-dns #run-status"))
        await pilot.press("up")  # look at the audit stage while it runs
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.running == frozenset()
        assert screen.check_action("cancel_run", ()) is False
        assert "running" not in shown(screen.query_one("#view-audit #run-status"))
        assert "⠿" not in screen.query_one("#stages").stage_label("dns")
        await pilot.press("down")
        status = shown(screen.query_one("#view-dns #run-status"))
        assert "Checked" in status and "running" not in status


async def test_a_cancelled_run_is_not_running_and_leaves_no_child(lab, tmp_path):
    path = lab_engagement(lab, tmp_path / "hang.toml", "hang.test")
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("R")
        await until(pilot, lambda: bool(children_for(path)))
        assert sprint(app).running
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert sprint(app).running == frozenset()
    assert children_for(path) == []


async def test_results_say_when_they_were_checked(acme):
    app = app_for(acme)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down")
        status = shown(app.screen.query_one("#view-dns #run-status"))
        assert "Checked 21 Nov 10:30 UTC, 26 h ago" in status
        assert "r re-runs it" in status and "Stale" not in status


async def test_old_results_are_called_stale_with_a_one_key_rerun(tmp_path):
    path = recorded(tmp_path / "old.toml", hsts_everywhere(), NOON)
    later = NOON + dt.timedelta(days=40)
    started = f"sprint_started = {later - dt.timedelta(hours=3):%Y-%m-%dT%H:%M:%SZ}\n"
    path.write_text(path.read_text().replace("[domain]", started + "[domain]", 1))  # day 1
    app = app_for(path, clock=lambda: later)
    said: list[str] = []
    async with app.run_test(size=SIZE, message_hook=heard(said)) as pilot:
        await pilot.pause()
        screen = sprint(app)
        assert any("R re-runs every check" in message for message in said)
        screen.go_to_stage("security")
        await pilot.pause()
        status = shown(screen.query_one("#view-security #run-status"))
        assert "6 weeks ago" in status and "Stale: r re-runs this stage" in status


async def test_a_ca_bundle_that_is_gone_names_the_setup_setting(tmp_path):
    path = tmp_path / "demo.toml"
    engagement = Engagement.new(path, apex="bad.test")
    engagement.set_network([], str(tmp_path / "lab-ca.pem"))  # the lab that made it is gone
    engagement.save()
    app = app_for(path)
    heard_said: list[str] = []
    async with app.run_test(size=SIZE, message_hook=heard(heard_said)) as pilot:
        await pilot.press("down", "r")
        await pilot.pause()
        said = " ".join(heard_said)
        assert "Setup › Network" in said and "lab-ca.pem: no such file" in said
        assert "--ca-bundle" not in said
        assert not app.screen.running


async def test_the_audit_stage_shows_problems_only_until_f(tmp_path):
    path = recorded(tmp_path / "acme.toml", hsts_everywhere(), NOON)
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one("#view-audit", StageView)
        assert view.failures_only
        assert all(item is None or item.lead.is_problem for item in view.rows.values())
        assert "f shows all" in shown(view.query_one("#filter"))
        await pilot.press("f")
        assert "f shows problems only" in shown(view.query_one("#filter"))
        await pilot.press("down", "down", "down")  # security: every result by default
        security = app.screen.query_one("#view-security", StageView)
        assert not security.failures_only
        assert any(item and item.lead.check == "tls.valid" for item in security.rows.values())


async def test_the_same_finding_on_many_hosts_is_one_row_that_lists_them(tmp_path):
    path = recorded(tmp_path / "acme.toml", hsts_everywhere(), NOON)
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        sprint(app).go_to_stage("security")
        await pilot.pause()
        view = app.screen.query_one("#view-security", StageView)
        [hsts] = [i for i in view.rows.values() if i and i.lead.check == "http.hsts"]
        assert hsts.targets == list(HOSTS)
        table = view.query_one("#findings", DataTable)
        table.focus()
        table.move_cursor(row=list(view.rows.values()).index(hsts))
        await pilot.pause()
        assert "3 hosts" in str(table.get_row_at(table.cursor_row)[2])
        detail = shown(view.query_one("#detail"))
        assert "On 3 targets: acme.test, www.acme.test, app.acme.test" in detail
        assert "response › status: 200" in detail and "server: nginx" in detail
        assert "{" not in detail  # evidence as rows, not JSON


async def test_the_risk_list_opens_up_and_its_counts_agree(tmp_path):
    path = recorded(tmp_path / "acme.toml", hsts_everywhere(), NOON)
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        risks = app.screen.query_one("#view-audit #risks")
        text = shown(risks)
        assert "11 to look at (11 fail)" in text  # 8 DNS + 3 HSTS
        assert "Blockers (8)" in text and "Important (3)" in text  # 8 + 3 = 11
        assert "… and 3 more" in text and "m shows every risk" in text
        [grouped] = [line for line in text.splitlines() if "HSTS" in line]
        assert all(host in grouped.partition("— on ")[2] for host in HOSTS)
        await pilot.press("m")
        text = shown(risks)
        assert "more" not in text and "number 7" in text


async def test_the_handover_stage_says_what_it_is_for_and_offers_no_run(acme):
    app = app_for(acme)
    async with app.run_test(size=SIZE) as pilot:
        sprint(app).go_to_stage("handover")
        await pilot.pause()
        status = shown(app.screen.query_one("#view-handover #run-status"))
        assert "done by hand" in status and "d exports them" in status
        assert "press r" not in status and "r runs" not in status
        assert app.screen.check_action("run_stage", ()) is False


async def test_the_footer_shows_tick_on_the_checklist_and_quit_and_help_at_80_columns(acme):
    app = app_for(acme)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter", "tab")
        await pilot.pause()
        assert app.screen.focused.id == "checklist"
        keys = {binding.key for _, binding, enabled, _ in app.screen.active_bindings.values()}
        assert {"space", "ctrl+q", "f1", "r", "R"} <= keys


async def test_the_stage_list_folds_away_and_comes_back(acme):
    app = app_for(acme)
    async with app.run_test(size=(80, 24)) as pilot:
        sidebar = app.screen.query_one("#sidebar")
        assert sidebar.outer_size.width == 26  # narrower than on a wide terminal
        await pilot.press("s")
        assert not sidebar.display
        assert app.screen.focused.id == "findings"
        await pilot.press("escape")
        assert sidebar.display and app.screen.focused.id == "stages"


async def test_a_checklist_item_is_shown_in_full_when_highlighted(acme):
    app = app_for(acme)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter", "tab", "down")
        await pilot.pause()
        view = app.screen.query_one("#view-dns", StageView)
        item = view.stage.checklist[1]
        full = shown(view.query_one("#checklist-item"))
        assert item.text in full and item.why in full
