"""The engagement's history: who changed what, and every check run with its baseline."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Select, Static, TabbedContent, TabPane

from ...engagement import Change, Engagement, EngagementError
from ...runbook import Runbook
from ..actions import bindings
from .setup import SavingScreen

ALL = "*"


class HistoryScreen(SavingScreen):
    BINDINGS: ClassVar = bindings("history")

    def __init__(self, engagement: Engagement, runbook: Runbook) -> None:
        super().__init__(engagement)
        self.runbook = runbook

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent():
            with TabPane("Change log", id="tab-log"):
                with Horizontal(classes="row-form"):
                    yield Select(self.stage_options(), value=ALL, allow_blank=False, id="stage")
                    yield Select(self.author_options(), value=ALL, allow_blank=False, id="author")
                yield DataTable(id="log", cursor_type="row", zebra_stripes=True)
            with TabPane("Runs", id="tab-runs"):
                yield Static("", id="baseline", classes="goal")
                yield DataTable(id="runs", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"History · {self.engagement.apex}"
        self.sub_title = "p pins the highlighted run as the baseline · esc back"
        log = self.query_one("#log", DataTable)
        log.add_columns("when (UTC)", "who", "via", "stage", "what")
        runs = self.query_one("#runs", DataTable)
        runs.add_columns("#", "when (UTC)", "scope", "pass", "fail", "warn", "error", "by")
        self.show_log()
        self.show_runs()

    def stage_options(self) -> list[tuple[str, str]]:
        return [("every stage", ALL)] + [(stage.title, stage.id) for stage in self.runbook.stages]

    def author_options(self) -> list[tuple[str, str]]:
        authors = sorted({change.who for change in self.engagement.changes if change.who})
        return [("everyone", ALL)] + [(author, author) for author in authors]

    def wanted(self, change: Change) -> bool:
        stage = self.query_one("#stage", Select).value
        author = self.query_one("#author", Select).value
        return (stage == ALL or change.stage == stage) and (author == ALL or change.who == author)

    def show_log(self) -> None:
        table = self.query_one("#log", DataTable)
        table.clear()
        for change in reversed(self.engagement.changes):  # newest first
            if self.wanted(change):
                at = f"{change.at:%Y-%m-%d %H:%M}" if change.at else "?"
                table.add_row(at, change.who, change.via, change.stage, change.what)

    def show_runs(self) -> None:
        table = self.query_one("#runs", DataTable)
        table.clear()
        baseline = self.engagement.baseline
        for number, run in enumerate(self.engagement.runs, start=1):
            marker = " ← baseline" if baseline is not None and run.id == baseline.id else ""
            table.add_row(
                str(number),
                f"{run.at:%Y-%m-%d %H:%M}",
                f"{run.scope}{'' if run.complete else ' (partial)'}{marker}",
                *(str(run.counts.get(status, 0)) for status in ("pass", "fail", "warn", "error")),
                run.who,
                key=run.id,
            )
        pinned = "pinned" if self.engagement.pinned_baseline else "the first complete run"
        self.query_one("#baseline", Static).update(
            f"Baseline ({pinned}): {baseline.describe()}"
            if baseline
            else "No complete run yet: run every check (R) to set the baseline."
        )

    @on(Select.Changed, "#stage, #author")
    def filter_changed(self) -> None:
        self.show_log()

    def action_pin(self) -> None:
        table = self.query_one("#runs", DataTable)
        runs = self.engagement.runs
        if not self.query_one("#runs", DataTable).has_focus or not runs:
            self.notify("Highlight a run on the Runs tab first.")
            return
        self.change_baseline(runs[table.cursor_row].id)

    def action_unpin(self) -> None:
        self.change_baseline(None)

    def change_baseline(self, run_id: str | None) -> None:
        try:
            self.engagement.pin_baseline(run_id)
        except EngagementError as exc:
            self.notify(str(exc), severity="error")
            return
        self.save()
        self.show_runs()
        self.show_log()
