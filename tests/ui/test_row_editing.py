"""Editing the engagement's lists (owners, routes, subdomains, environments, secrets):
enter edits a row in place, delete removes it at once and u puts it back, and the cursor
stays where the person was. Pilot tests on the real app."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Select

from launchtui.engagement import Engagement, Environment, Owner, Secret
from launchtui.ui.app import make_app
from launchtui.ui.screens.entry_form import EntryForm

from .conftest import fixed_clock, heard
from .test_flows import fill_form

SIZE = (120, 40)
ACCOUNTS = ("registrar", "dns", "hosting")


def app_for(path: Path):
    return make_app(path, clock=fixed_clock, operator="dana")


def with_owners(path: Path) -> Path:
    engagement = Engagement.load(path)
    for account in ACCOUNTS:
        engagement.add_owner(Owner(account, f"{account} co", owner="Dana", two_factor=True))
    engagement.save()
    return path


async def open_list(pilot, key: str, editor: str) -> DataTable:
    await pilot.press(key)
    await pilot.pause()
    table = pilot.app.screen.query_one(f"#{editor} DataTable", DataTable)
    table.focus()
    return table


async def test_delete_keeps_the_cursor_so_down_del_up_del_removes_the_rows_meant(acme):
    app = app_for(with_owners(acme))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_list(pilot, "o", "owners")
        await pilot.press("down", "delete")
        assert table.cursor_row == 1  # now on "hosting", the row after the one removed
        await pilot.press("up", "delete")
        await pilot.pause()
    assert [o.account for o in Engagement.load(acme).owners] == ["hosting"]


async def test_u_puts_a_removed_owner_back_where_it_was(acme):
    app = app_for(with_owners(acme))
    said: list[str] = []
    async with app.run_test(size=SIZE, message_hook=heard(said)) as pilot:
        table = await open_list(pilot, "o", "owners")
        await pilot.press("down", "delete")
        assert [o.account for o in Engagement.load(acme).owners] == ["registrar", "hosting"]
        await pilot.press("u")
        await pilot.pause()
        assert table.cursor_row == 1
        assert any("Put back owner dns" in message for message in said)
    engagement = Engagement.load(acme)
    assert [o.account for o in engagement.owners] == list(ACCOUNTS)
    assert [c.what for c in engagement.changes[-2:]] == [
        "Removed owner: dns — dns co, Dana.",
        "Added owner: dns — dns co, Dana.",
    ]


async def test_enter_edits_an_owner_in_place(acme):
    app = app_for(with_owners(acme))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_list(pilot, "o", "owners")
        await pilot.press("down", "enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, EntryForm)
        assert form.query_one("#field-provider", Input).value == "dns co"
        assert form.query_one("#field-two_factor", Select).value == "yes"
        await fill_form(pilot, provider="Cloudflare", owner="Sam Lee")
        assert table.cursor_row == 1
    owners = Engagement.load(acme).owners
    assert [(o.account, o.provider, o.owner) for o in owners][1] == ("dns", "Cloudflare", "Sam Lee")
    assert len(owners) == 3


async def test_each_new_owner_starts_from_a_fresh_form(acme):
    app = app_for(acme)
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, "o", "owners")
        await pilot.press("a")
        await fill_form(pilot, account="dns", owner="Sam")
        await pilot.press("a")
        await pilot.pause()
        assert app.screen.query_one("#field-account", Select).value == "registrar"
        assert app.screen.query_one("#field-owner", Input).value == ""


async def test_a_refused_entry_keeps_the_form_open_with_the_reason(acme):
    app = app_for(acme)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("TabbedContent").active = "tab-routes"
        await pilot.pause()
        app.screen.query_one("#routes DataTable").focus()
        await pilot.press("a")
        await fill_form(pilot, name="search", url="ftp://acme.test/find")
        assert isinstance(app.screen, EntryForm)
        assert "http:// or https://" in str(app.screen.query_one("#form-error").render())
        assert app.screen.query_one("#field-name", Input).value == "search"


async def test_subdomains_routes_and_environments_are_edited_in_place(acme):
    engagement = Engagement.load(acme)
    engagement.add_subdomain("api")
    engagement.add_environment(Environment("staging", "https://staging.acme.test"))
    engagement.save()
    app = app_for(acme)
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, "e", "subdomains")
        await pilot.press("enter")
        await fill_form(pilot, name="dashboard", role="dashboard")
        tabs = app.screen.query_one("TabbedContent")
        tabs.active = "tab-routes"
        await pilot.pause()
        app.screen.query_one("#routes DataTable").focus()
        await pilot.press("enter")
        await fill_form(pilot, url="https://app.acme.test/signin", budget_ms="900")
        tabs.active = "tab-environments"
        await pilot.pause()
        app.screen.query_one("#environments DataTable").focus()
        await pilot.press("enter")
        await fill_form(pilot, name="preview", notes="one per pull request")
    engagement = Engagement.load(acme)
    assert [(s.name, s.role) for s in engagement.subdomains] == [
        ("dashboard.acme.test", "dashboard"),
        ("api.acme.test", "api"),
    ]
    [login] = engagement.routes
    assert (login.name, login.url, login.budget_ms) == (
        "login",
        "https://app.acme.test/signin",
        900,
    )
    [preview] = engagement.environments
    assert (preview.name, preview.notes) == ("preview", "one per pull request")


async def test_a_removed_secret_comes_back_with_its_value_until_the_screen_is_left(acme):
    from launchtui.vault import has_value, store

    from ..keyring_backend import memory_keyring

    engagement = Engagement.load(acme)
    for name in ("STRIPE_SECRET_KEY", "ADMIN_PASSWORD"):
        engagement.add_secret(Secret(name, reference="keyring:", owner="Dana"))
    engagement.save()
    with memory_keyring():
        store(engagement.id, "prod", "ADMIN_PASSWORD", "canary-undo-1234")
        app = app_for(acme)
        async with app.run_test(size=SIZE) as pilot:
            table = await open_list(pilot, "k", "secrets")
            await pilot.press("down", "enter")
            await pilot.pause()
            assert app.screen.query_one("#field-name", Input).disabled  # names the entry
            await fill_form(pilot, owner="Sam")
            await pilot.press("delete")
            assert has_value(engagement.id, "prod", "ADMIN_PASSWORD")  # undo is still possible
            await pilot.press("u")
            await pilot.pause()
            assert table.cursor_row == 1
            await pilot.press("delete", "escape")  # leaving: the removal is final
            await pilot.pause()
            assert not has_value(engagement.id, "prod", "ADMIN_PASSWORD")
    assert [s.name for s in Engagement.load(acme).secrets] == ["STRIPE_SECRET_KEY"]
    assert "Updated secret ADMIN_PASSWORD (prod): owner." in [
        c.what for c in Engagement.load(acme).changes
    ]
