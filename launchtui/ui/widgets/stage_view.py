"""One view for every stage of any runbook: goal, live checks, detail, checklist, notes.

It renders whatever the runbook data says a stage holds; adding a stage or a
runbook needs no new Python. State lives in the sprint screen; this widget only
shows it and reports what the person did.
"""

from __future__ import annotations

import json
from itertools import groupby

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Label, SelectionList, Static, TextArea
from textual.widgets.selection_list import Selection

from ...engagement import ChecklistMark
from ...export.text import status_text as status_cell
from ...findings import Finding, Status, Tier, ranked_risks
from ...runbook import Stage

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
TIER_TITLES = {Tier.BLOCKER: "Blockers", Tier.IMPORTANT: "Important", Tier.OPTIONAL: "Optional"}


class StageView(VerticalScroll):
    """The screen area for one stage; the sprint screen feeds it with `show`."""

    can_focus = False  # tab goes sidebar -> findings -> checklist -> notes, not the scroller

    class ChecklistToggled(Message):
        def __init__(self, stage: str, item: str, done: bool) -> None:
            super().__init__()
            self.stage, self.item, self.done = stage, item, done

    class FindingHighlighted(Message):
        def __init__(self, stage: str, finding: Finding) -> None:
            super().__init__()
            self.stage, self.finding = stage, finding

    class NotesEdited(Message):
        def __init__(self, stage: str, text: str) -> None:
            super().__init__()
            self.stage, self.text = stage, text

    def __init__(
        self, stage: Stage, notes: str, highlight: tuple[str, str] | None = None, **kwargs
    ) -> None:
        """`highlight` is the (check, target) the person last looked at in this stage."""
        super().__init__(**kwargs)
        self.stage = stage
        self.pending_highlight = highlight
        self.initial_notes = notes
        self.rows: dict[str, Finding | None] = {}  # row key -> finding (None: not run yet)
        self._loaded_notes = notes  # the text put there by the app, not typed
        self._documents: list[str] = []
        self._last_shown: tuple | None = None
        self._ready = False

    def compose(self) -> ComposeResult:
        day = f"  ·  day {self.stage.day}" if self.stage.day else ""
        yield Label(f"[b]{self.stage.title}[/b]{day}", classes="stage-title")
        yield Static(self.stage.goal, classes="goal")
        yield Static("", id="run-status", classes="dim")
        if "risk-list" in self.stage.shows:
            yield Static("", id="risks")
        if "documents" in self.stage.shows:
            yield Static("", id="documents")
        if self.stage.checks:
            table: DataTable = DataTable(id="findings", cursor_type="row", zebra_stripes=True)
            table.add_columns("status", "finding", "target")
            yield table
            yield Static(
                "Highlight a finding to see the evidence and the fix.",
                id="detail",
                classes="detail",
            )
        if self.stage.checklist:
            yield Label(
                "Checklist  [dim](space ticks; who and when are recorded)[/]", classes="section"
            )
            yield SelectionList[str](id="checklist")
        yield Label("Notes", classes="section")
        yield TextArea(self.initial_notes, id="notes", soft_wrap=True)
        yield Static(self._reference_text(), classes="reference")

    def on_mount(self) -> None:
        self._ready = True
        if self._last_shown is not None:
            self.show(*self._last_shown)
        if self._documents:
            self.show_documents(self._documents)

    def on_resize(self) -> None:
        """Clipped summaries depend on the width: redraw with what was last shown."""
        if self._last_shown is not None:
            self.show(*self._last_shown)

    def _reference_text(self) -> Text:
        text = Text()
        for heading, lines in (
            ("Deliverables", self.stage.deliverables),
            ("Not done while…", self.stage.failure_signals),
        ):
            if lines:
                text.append(f"{heading}\n", style="bold")
                for line in lines:
                    text.append(f"  • {line}\n")
        return text

    # -- showing state ------------------------------------------------------------

    def show(
        self,
        findings: list[Finding],
        running: set[str],
        available: set[str],
        all_findings: list[Finding],
        marks: dict[tuple[str, str], ChecklistMark],
    ) -> None:
        self._last_shown = (findings, running, available, all_findings, marks)
        if not self._ready:
            return  # on_mount shows it once the children exist
        self._show_checks(findings, running, available)
        self._show_status(findings, running)
        if "risk-list" in self.stage.shows:
            self.query_one("#risks", Static).update(risk_list_text(all_findings))
        if self.stage.checklist:
            self._show_checklist(marks)

    def _show_checks(self, findings: list[Finding], running: set[str], available: set[str]) -> None:
        if not self.stage.checks:
            return
        table = self.query_one("#findings", DataTable)
        cursor = table.cursor_row
        table.clear()
        self.rows.clear()
        by_check = {
            check: list(group)
            for check, group in groupby(
                sorted(findings, key=lambda f: f.check), key=lambda f: f.check
            )
        }
        width = max(30, self.size.width - 44)  # status and target columns, padding
        for check in self.stage.checks:
            if check in running:
                key = f"{check}::running"
                running_cell = Text(SPINNER[0] + " running", style="cyan")
                table.add_row(running_cell, Text(check, style="dim"), "", key=key)
                self.rows[key] = None
            elif check in by_check:
                for index, finding in enumerate(by_check[check]):
                    key = f"{check}::{index}"
                    summary = clipped(finding.summary, width)
                    table.add_row(
                        status_cell(finding), summary, clipped(finding.target, 28), key=key
                    )
                    self.rows[key] = finding
            else:
                key = f"{check}::pending"
                note = (
                    "not run yet" if check in available else "unknown check id: check the runbook"
                )
                pending = Text(f"{check}: {note}", style="dim")
                table.add_row(Text("·", style="dim"), pending, "", key=key)
                self.rows[key] = None
        if table.row_count:
            table.move_cursor(row=min(max(cursor, 0), table.row_count - 1))
        if self.pending_highlight is not None:
            self.highlight(*self.pending_highlight)
            self.pending_highlight = None

    def _show_status(self, findings: list[Finding], running: set[str]) -> None:
        counts: dict[str, int] = {}
        for finding in findings:
            key = "accepted" if finding.suppressed else finding.status.value
            counts[key] = counts.get(key, 0) + 1
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        if not self.stage.checks:
            self.query_one("#run-status", Static).update(
                "No automated checks here: this stage is the checklist, the notes"
                + (" and the documents below." if "documents" in self.stage.shows else " below.")
            )
            return
        text = (
            f"{len(running)} check(s) running…"
            if running
            else (
                f"Latest results: {summary}."
                if summary
                else "No results yet: press r to run this stage's checks."
            )
        )
        self.query_one("#run-status", Static).update(text)

    def spin(self, frame: int) -> None:
        """Advance the spinner on running rows without rebuilding the table."""
        if not self.stage.checks:
            return
        table = self.query_one("#findings", DataTable)
        glyph = SPINNER[frame % len(SPINNER)]
        for key in self.rows:
            if key.endswith("::running"):
                table.update_cell(
                    key, table.ordered_columns[0].key, Text(glyph + " running", style="cyan")
                )

    def _show_checklist(self, marks: dict[tuple[str, str], ChecklistMark]) -> None:
        checklist = self.query_one("#checklist", SelectionList)
        highlighted = checklist.highlighted
        with checklist.prevent(SelectionList.SelectionToggled):
            checklist.clear_options()
            for item in self.stage.checklist:
                mark = marks.get((self.stage.id, item.id))
                done = bool(mark and mark.done)
                checklist.add_option(Selection(checklist_prompt(item.text, mark), item.id, done))
        if checklist.option_count:
            checklist.highlighted = min(highlighted or 0, checklist.option_count - 1)

    # -- reacting -----------------------------------------------------------------

    def selected_finding(self) -> Finding | None:
        if not self.stage.checks:
            return None
        table = self.query_one("#findings", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(key or "")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        finding = self.rows.get(event.row_key.value or "")
        self.query_one("#detail", Static).update(detail_text(finding))
        if finding is not None and event.data_table.has_focus:  # the person's choice only
            self.post_message(self.FindingHighlighted(self.stage.id, finding))

    def highlight(self, check: str, target: str) -> None:
        """Put the cursor back on a finding (restoring where the person left off)."""
        for row, finding in enumerate(self.rows.values()):
            if finding is not None and (finding.check, finding.target) == (check, target):
                self.query_one("#findings", DataTable).move_cursor(row=row)
                return

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled) -> None:
        item = event.selection.value
        self.post_message(
            self.ChecklistToggled(self.stage.id, item, item in event.selection_list.selected)
        )

    def show_documents(self, lines: list[str]) -> None:
        """The handover documents and when each was last exported."""
        self._documents = lines
        if "documents" in self.stage.shows and self._ready:
            text = Text()
            text.append("Documents  ", style="bold")
            text.append("(d exports them)\n", style="dim")
            for line in lines:
                text.append(f"  • {line}\n")
            self.query_one("#documents", Static).update(text)

    def load_notes(self, text: str) -> None:
        """Show notes that changed elsewhere (the file was edited) without echoing them back."""
        area = self.query_one("#notes", TextArea)
        if area.text != text:
            self._loaded_notes = text
            area.load_text(text)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.text != self._loaded_notes:
            self._loaded_notes = event.text_area.text
            self.post_message(self.NotesEdited(self.stage.id, event.text_area.text))


def clipped(text: str, limit: int) -> str:
    """Table cells stay one readable line; the detail pane shows the whole sentence."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def checklist_prompt(text: str, mark: ChecklistMark | None) -> Text:
    prompt = Text(text)
    if mark and mark.done:
        when = f" {mark.at:%d %b %H:%M}" if mark.at else ""
        prompt.append(f"  ✓ {mark.by}{when}", style="dim green")
    return prompt


def detail_text(finding: Finding | None) -> Text:
    if finding is None:
        return Text("This check has no result yet: press r to run the stage.", style="dim")
    text = Text()
    text.append_text(status_cell(finding))
    if finding.status is not Status.PASS:
        text.append(f"  {finding.severity.value}", style="bold")
    text.append("  ")
    text.append(f"{finding.check} · {finding.target}\n", style="dim")
    text.append(finding.summary + "\n", style="bold")
    if finding.suppressed:
        text.append(f"Accepted: {finding.suppressed}\n", style="italic")
    if finding.detail:
        text.append(finding.detail + "\n")
    if finding.fix:
        text.append("Fix: ", style="bold green")
        text.append(finding.fix + "\n")
    histogram = finding.evidence.get("histogram")
    if isinstance(histogram, dict):
        text.append_text(histogram_text(histogram))
    evidence = {k: v for k, v in finding.evidence.items() if k != "histogram"}
    if evidence:
        text.append("Evidence: ", style="bold")
        text.append(json.dumps(evidence, default=str, ensure_ascii=False)[:600] + "\n", style="dim")
    for ref in finding.refs:
        text.append(f"→ {ref}\n", style="underline blue")
    return text


def histogram_text(histogram: dict) -> Text:
    """Latency buckets as horizontal bars, drawn in the terminal."""
    counts = [int(c) for c in histogram.get("counts", [])]
    edges = histogram.get("edges_ms") or histogram.get("edges") or []
    if not counts:
        return Text()
    peak = max(counts) or 1
    text = Text("Latency histogram\n", style="bold")
    for index, count in enumerate(counts):
        low = edges[index] if index < len(edges) else index
        label = f"{low:>7.0f} ms " if isinstance(low, int | float) else f"{low!s:>10} "
        text.append(label, style="dim")
        text.append("█" * max(1 if count else 0, round(30 * count / peak)), style="cyan")
        text.append(f" {count}\n", style="dim")
    return text


def risk_list_text(findings: list[Finding]) -> Text:
    risks = ranked_risks(findings)
    if not findings:
        return Text("Run the checks (R runs everything) to see the ranked risk list.", style="dim")
    if not risks:
        return Text("No risks found by the checks so far.", style="bold green")
    text = Text()
    styles = {Tier.BLOCKER: "bold red", Tier.IMPORTANT: "yellow", Tier.OPTIONAL: "dim"}
    for tier, group in groupby(risks, key=lambda f: f.tier):
        assert tier is not None
        group = list(group)
        text.append(f"{TIER_TITLES[tier]} ({len(group)})\n", style=styles[tier])
        for finding in group[:8]:
            text.append(f"  • {finding.summary}\n")
        if len(group) > 8:
            text.append(f"  … and {len(group) - 8} more\n", style="dim")
    return text
