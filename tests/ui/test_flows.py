"""Every flow of the app through Textual's pilot, on the real app from make_app."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, OptionList, Select, SelectionList, TextArea

from launchtui.engagement import Engagement
from launchtui.recent import remember
from launchtui.settings import cache_dir, view_state
from launchtui.ui.app import make_app
from launchtui.ui.screens.entry_form import EntryForm
from launchtui.ui.screens.help import HelpScreen
from launchtui.ui.screens.sprint import SprintScreen
from launchtui.ui.screens.welcome import WelcomeScreen
from launchtui.ui.widgets.stage_view import StageView

from .conftest import fixed_clock, until

SIZE = (120, 40)


def app_for(path: Path | None = None):
    return make_app(path, clock=fixed_clock, operator="dana")


async def test_a_new_engagement_is_created_from_the_welcome_form(private_data_dir):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, WelcomeScreen)
        app.screen.query_one("#product", Input).value = "Acme Shop"
        app.screen.query_one("#apex", Input).value = "https://Acme.test/pricing"
        app.screen.query_one("#product-type", Select).value = "marketplace"
        await pilot.click("#create")
        await pilot.pause()
        assert isinstance(app.screen, SprintScreen)
    engagement = Engagement.load(private_data_dir / "acme-shop.toml")
    assert engagement.apex == "acme.test"
    assert engagement.profile == "marketplace-launch"


async def test_a_bad_domain_in_the_form_is_refused_and_nothing_is_written(private_data_dir):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#apex", Input).value = "not a domain"
        app.screen.query_one("#product-type", Select).value = "community"
        await pilot.click("#create")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
    assert not private_data_dir.exists() or not list(private_data_dir.glob("*.toml"))


async def test_recent_engagements_are_listed_and_open(acme):
    remember(acme)
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        recent = app.screen.query_one("#recent", OptionList)
        assert recent.get_option_at_index(0).id == str(acme.resolve())
        recent.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SprintScreen)
        assert app.screen.engagement.apex == "acme.test"


async def test_a_broken_file_is_reported_and_left_untouched(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text('schema = 1\n[domain\napex = "x.test"\n')
    before = broken.read_bytes()
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        field = app.screen.query_one("#open-path", Input)
        field.value = str(broken)
        field.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        assert "not valid TOML" in str(app.screen.query_one("#open-problem").render())
    assert broken.read_bytes() == before


async def test_the_sprint_shows_recorded_results_and_progress(acme):
    app = app_for(acme)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, SprintScreen)
        await pilot.press("down")  # audit -> dns
        await pilot.pause()
        assert screen.current_stage_id == "dns"
        table = screen.query_one("#view-dns #findings", DataTable)
        cells = [table.get_row_at(i) for i in range(table.row_count)]
        assert any("www.acme.test" in str(row) for row in cells)
        label = screen.query_one("#stages").stage_label("dns")
        assert "checklist 1/" in label and "✗2" in label
        assert "Day 2 · 27 h 00 m" in str(screen.query_one("#clock").render())


async def test_ticking_a_checklist_item_records_who_and_when(acme):
    app = app_for(acme)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down")
        checklist = app.screen.query_one("#view-dns #checklist", SelectionList)
        checklist.focus()
        checklist.highlighted = 1
        await pilot.press("space")
        await pilot.pause()
        item = checklist.get_option_at_index(1).value
    marks = Engagement.load(acme).checklist_marks("dns")
    assert marks[("dns", item)].done and marks[("dns", item)].by == "dana"
    assert marks[("dns", "registrar-2fa")].done  # the earlier tick is kept


async def test_notes_are_saved_as_you_type(acme):
    app = app_for(acme)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down")
        notes = app.screen.query_one("#view-dns #notes", TextArea)
        notes.focus()
        await pilot.press("end", *" DNS host: Cloudflare.")
        # saved a moment after the last key, with the app still open
        await until(pilot, lambda: saved_notes(acme).endswith("DNS host: Cloudflare."))


def saved_notes(path: Path) -> str:
    return Engagement.load(path).notes("dns")


async def test_accepting_a_risk_takes_a_reason_and_keeps_it(acme):
    app = app_for(acme)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down")
        view = app.screen.query_one("#view-dns", StageView)
        table = view.query_one("#findings", DataTable)
        table.focus()
        row = next(i for i, key in enumerate(view.rows) if "dns.ttl" in key)
        table.move_cursor(row=row)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press(*"planned move next month", "enter")
        await pilot.pause()
        assert view.rows[list(view.rows)[row]].lead.suppressed == "planned move next month"
    suppression = Engagement.load(acme).suppressions[0]
    assert (suppression.check, suppression.target) == ("dns.ttl", "acme.test A")


async def test_reopening_restores_the_stage_and_results(acme):
    app = app_for(acme)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "down")
        await pilot.pause()
    reopened = app_for(acme)
    async with reopened.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert reopened.screen.current_stage_id == "security"
        view = reopened.screen.query_one("#view-security", StageView)
        assert any(i and i.lead.check == "http.hsts" for i in view.rows.values())
        await pilot.press("up", "up")  # back to DNS: highlight the TTL warning
        dns = reopened.screen.query_one("#view-dns", StageView)
        table = dns.query_one("#findings", DataTable)
        table.focus()
        await pilot.pause()
        table.move_cursor(row=next(i for i, k in enumerate(dns.rows) if "dns.ttl" in k))
        await pilot.pause()
    third = app_for(acme)
    async with third.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        dns = third.screen.query_one("#view-dns", StageView)
        assert dns.selected_finding().check == "dns.ttl"


async def test_where_you_were_is_kept_in_the_cache_and_never_in_the_engagement(acme):
    async with app_for(acme).run_test(size=SIZE) as pilot:  # the old file's [ui] moves out
        await pilot.pause()
    before = acme.read_text()
    assert "[ui]" not in before
    app = app_for(acme)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter", "down")  # the DNS stage, its second finding
        await pilot.pause()
        chosen = app.screen.query_one("#view-dns", StageView).selected_finding()
    assert acme.read_text() == before  # looking around is not an edit of the engagement
    kept = view_state(acme)  # it is the user's own, in their cache folder
    assert kept["stage"] == "dns" and kept["selected"]["dns"] == [chosen.check, chosen.target]
    assert [path.parent for path in cache_dir().rglob("*.json")] == [cache_dir()]


async def test_stage_checks_run_live_against_the_lab_and_are_saved(lab, tmp_path):
    path = tmp_path / "bad.toml"
    engagement = Engagement.new(path, apex="bad.test")
    engagement.set_network([lab.nameserver], str(lab.ca_bundle))
    engagement.save()
    app = app_for(path)
    messages = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await pilot.press("down", "r")
        await pilot.pause()
        assert app.screen.running  # the spinner state while checks run
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.query_one("#view-dns", StageView)
        failing = {
            (f.check, f.target) for i in view.rows.values() if i for f in i.findings if f.is_problem
        }
        assert ("dns.resolves", "www.bad.test") in failing
        assert not app.screen.running
    assert any(type(m).__name__ == "ChecksProgressed" for m in messages)
    saved = {(f.check, f.target, f.status.value) for f in Engagement.load(path).latest_findings()}
    assert ("dns.resolves", "www.bad.test", "fail") in saved


async def test_quitting_mid_run_is_clean(lab, tmp_path):
    path = tmp_path / "hang.toml"
    engagement = Engagement.new(path, apex="hang.test")
    engagement.set_network([lab.nameserver], "")
    engagement.save()
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("R")
        await pilot.pause()
        assert app.screen.running
        await pilot.press("c")
        await pilot.pause()
        assert not app.screen.running
        await pilot.press("R", "ctrl+q")
    assert app.return_code == 0
    Engagement.load(path)  # still a valid file


async def fill_form(pilot, **values: str) -> None:
    """Type into the open entry form and press enter in its first text field."""
    form = pilot.app.screen
    assert isinstance(form, EntryForm), form
    for key, value in values.items():
        form.query_one(f"#field-{key}").value = value
    form.query(Input).first().focus()
    await pilot.press("enter")
    await pilot.pause()


async def test_setup_adds_and_removes_subdomains_and_routes(acme):
    app = app_for(acme)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        table = app.screen.query_one("#subdomains DataTable", DataTable)
        table.focus()
        await pilot.press("a")
        await fill_form(pilot, name="api", role="api")
        app.screen.query_one("TabbedContent").active = "tab-routes"
        await pilot.pause()
        app.screen.query_one("#routes DataTable").focus()
        await pilot.press("a")
        await fill_form(pilot, name="signup", url="https://app.acme.test/signup")
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("delete")
        await pilot.pause()
    engagement = Engagement.load(acme)
    assert [s.name for s in engagement.subdomains] == ["api.acme.test"]
    signup = engagement.routes[-1]
    assert (signup.name, signup.kind, signup.budget_ms) == ("signup", "auth", 700)


async def test_owners_are_recorded_with_2fa(acme):
    app = app_for(acme)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("a")
        await fill_form(
            pilot, provider="Namecheap", owner="Dana", two_factor="yes", recovery="Ops vault"
        )
    [owner] = Engagement.load(acme).owners
    assert (owner.account, owner.provider, owner.owner, owner.two_factor) == (
        "registrar",
        "Namecheap",
        "Dana",
        True,
    )


async def test_help_opens_and_closes(acme):
    app = app_for(acme)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, SprintScreen)


async def test_the_command_palette_offers_the_main_actions(acme):
    app = app_for(acme)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert {"Run all checks", "Run this stage's checks", "Secrets inventory"} <= set(titles)


async def test_secrets_keep_values_in_the_keyring_only(acme, tmp_path):
    from ..keyring_backend import secret_service_session

    canary = "canary-ui-7f3a9c1e5b"
    with secret_service_session(tmp_path / "keyring") as session, session.in_process():
        app = app_for(acme)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("k")
            await pilot.pause()
            await pilot.press("a")
            await fill_form(
                pilot, name="ADMIN_PASSWORD", reference="keyring:", owner="Dana", value=canary
            )
            table = app.screen.query_one("#secrets DataTable", DataTable)
            await until(pilot, lambda: "in keyring" in str(table.get_row_at(0)))
            shown = [str(table.get_row_at(row)) for row in range(table.row_count)]
            assert shown and not any(canary in row for row in shown)
            table.focus()
            await pilot.press("v")
            await until(pilot, lambda: bool(app.screen.query("#revealed")))
            assert canary in str(app.screen.query_one("#revealed").render())
            await pilot.press("escape")
        stored = session.secret_tool_lookup("launchtui/acme-20261120/prod", "ADMIN_PASSWORD")
    assert stored == canary
    for written in acme.parent.iterdir():
        if written.is_file():
            assert canary.encode() not in written.read_bytes(), written


async def test_notes_typed_just_before_quitting_are_kept(acme):
    app = app_for(acme)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down")
        notes = app.screen.query_one("#view-dns #notes", TextArea)
        notes.focus()
        await pilot.press("end", *" quick")
        await pilot.pause()  # the keys are in; quit well before the notes' own save
    assert Engagement.load(acme).notes("dns").endswith("quick")


async def test_deleting_a_secret_removes_the_entry_and_its_value(acme, tmp_path):
    from launchtui.engagement import Secret
    from launchtui.vault import has_value, store

    from ..keyring_backend import memory_keyring

    engagement = Engagement.load(acme)
    engagement.add_secret(Secret("ADMIN_PASSWORD", reference="keyring:"))
    engagement.save()
    with memory_keyring():
        store(engagement.id, "prod", "ADMIN_PASSWORD", "canary-delete-1234")
        app = app_for(acme)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("k")
            await pilot.pause()
            table = app.screen.query_one("#secrets DataTable", DataTable)
            table.focus()
            await pilot.press("delete")
            await pilot.pause()
        assert not has_value(engagement.id, "prod", "ADMIN_PASSWORD")
    assert Engagement.load(acme).secrets == []
