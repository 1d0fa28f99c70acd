"""The export screen: a live preview, the format choice, where it was written, and the
handover stage saying when each document was last exported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdf
from textual.widgets import Input, Markdown, Select, Static

from launchtui.engagement import Engagement
from launchtui.ui.app import make_app
from launchtui.ui.screens.export import ExportScreen
from launchtui.ui.widgets.stage_view import StageView

from .conftest import fixed_clock

FIXTURE = Path(__file__).parents[1] / "fixtures" / "handover" / "typical.toml"


def markdown_of(screen) -> str:
    return screen.query_one("#preview", Markdown).source


async def test_export_previews_writes_beside_the_engagement_and_the_stage_shows_it(tmp_path):
    path = tmp_path / "northwind.toml"
    shutil.copy(FIXTURE, path)
    app = make_app(path, clock=fixed_clock, operator="dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        assert markdown_of(screen).startswith("# Handover: Northwind Goods")
        assert screen.query_one("#path", Input).value == str(tmp_path / "northwind-handover.pdf")
        screen.query_one("#what", Select).value = "changes"
        await pilot.pause()
        assert "**23 problems fixed, 1 new, 9 still open.**" in markdown_of(screen)
        assert screen.query_one("#format", Select).value == "pdf"
        assert screen.query_one("#path", Input).value == str(
            tmp_path / "northwind-what-changed.pdf"
        )
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        written = tmp_path / "northwind-what-changed.pdf"
        assert f"Written: {written}" in str(screen.query_one("#written", Static).render())
        screen.query_one("#what", Select).value = "monitors"
        await pilot.pause()
        assert markdown_of(screen).startswith("```yaml\n# Gatus monitors for Northwind Goods")
        await pilot.press("escape")
        for _ in range(6):
            await pilot.press("down")  # to the handover stage
        await pilot.pause()
        view = app.screen.query_one("#view-handover", StageView)
        documents = str(view.query_one("#documents", Static).render())
        assert 'The "what changed" summary: last exported' in documents
        assert "(PDF) to northwind-what-changed.pdf" in documents
    text = pypdf.PdfReader(written).pages[0].extract_text()
    assert "What changed: Northwind Goods" in text
    last = Engagement.load(path).changes[-1]
    assert (last.who, last.via, last.stage) == ("dana", "app", "handover")
    assert last.what == 'Exported the "what changed" summary (PDF) to northwind-what-changed.pdf.'


async def test_an_unwritable_place_is_said_plainly_and_nothing_is_logged(tmp_path):
    path = tmp_path / "northwind.toml"
    shutil.copy(FIXTURE, path)
    before = len(Engagement.load(path).changes)
    app = make_app(path, clock=fixed_clock, operator="dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        blocker = tmp_path / "a-file"
        blocker.write_text("x")
        app.screen.query_one("#path", Input).value = str(blocker / "handover.pdf")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Not written:" in str(app.screen.query_one("#written", Static).render())
    assert len(Engagement.load(path).changes) == before


async def test_deploy_backups_and_alerts_are_recorded_from_the_setup_screen(tmp_path):
    from textual.widgets import TabbedContent, TextArea

    path = tmp_path / "northwind.toml"
    shutil.copy(FIXTURE, path)
    app = make_app(path, clock=fixed_clock, operator="dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one(TabbedContent).active = "tab-handover"
        await pilot.pause()
        app.screen.query_one("#deploy-provider", Input).value = "Render"
        app.screen.query_one("#deploy-rollback", TextArea).text = "Open Render.\n\nRoll back."
        app.screen.query_one("#backup-tested", Input).value = "2026-11-22"
        button = app.screen.query_one("#save-handover")
        button.scroll_visible(animate=False)
        await pilot.pause()
        button.press()
        await pilot.pause()
    saved = Engagement.load(path)
    assert saved.deploy.provider == "Render"
    assert saved.deploy.rollback == ("Open Render.", "Roll back.")
    assert str(saved.backup.tested) == "2026-11-22"
    assert saved.monitoring.alerts_to == "Dana (SMS), #ops on Slack"  # kept as it was
    assert saved.changes[-1].who == "dana"
