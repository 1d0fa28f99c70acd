"""One view for every stage of any runbook: goal, live checks, detail, checklist, notes.

It renders whatever the runbook data says a stage holds; adding a stage or a
runbook needs no new Python. State lives in the sprint screen; this widget only
shows it and reports what the person did. Each part is redrawn only when what it
shows changed, so switching stages or a progress tick elsewhere costs little.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.widgets import DataTable, SelectionList, Static, TextArea
from textual.widgets.selection_list import Selection

from ...engagement import ChecklistMark
from ...export.digest import Item, fold
from ...findings import Finding
from ...runbook import Stage
from ...sprint import StageChecked
from ..actions import bindings
from .finding_text import (
    checked_text,
    checklist_detail,
    checklist_prompt,
    clipped,
    detail_text,
    problem_counts,
    risk_list_text,
    status_cell,
    where_cell,
)

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class Checklist(SelectionList[str]):
    """The stage's manual checklist; its one key is shown in the footer when it has focus."""

    BINDINGS: ClassVar = bindings("checklist")


WHERE_WIDTH = 24
STATUS_WIDTH = 8


@dataclass(frozen=True, eq=False)
class StageState:
    """What the sprint screen knows that a stage view shows. `version` changes whenever
    the findings do, so a view can tell cheaply that it has nothing to redraw."""

    version: int
    findings: list[Finding]  # every stage's latest results (the view picks its own)
    running: frozenset[str]
    available: frozenset[str]
    marks: dict[tuple[str, str], ChecklistMark]
    checked: StageChecked | None
    now: dt.datetime


class StageView(VerticalScroll):
    """The screen area for one stage; the sprint screen feeds it with `show`."""

    can_focus = False  # tab goes sidebar -> findings -> checklist -> notes, not the scroller

    class StageMessage(Message):
        """Something the person did in one stage's view, which is its `control`
        (`@on(StageView.NotesEdited, "#view-dns")` handles one stage)."""

        def __init__(self, view: StageView) -> None:
            super().__init__()
            self.view = view
            self.stage = view.stage.id

        @property
        def control(self) -> StageView:
            return self.view

    class ChecklistToggled(StageMessage):
        def __init__(self, view: StageView, item: str, done: bool) -> None:
            super().__init__(view)
            self.item, self.done = item, done

    class FindingHighlighted(StageMessage):
        def __init__(self, view: StageView, finding: Finding) -> None:
            super().__init__(view)
            self.finding = finding

    class NotesEdited(StageMessage):
        def __init__(self, view: StageView, text: str) -> None:
            super().__init__(view)
            self.text = text

    def __init__(
        self, stage: Stage, notes: str, highlight: tuple[str, str] | None = None, **kwargs: Any
    ) -> None:
        """`highlight` is the (check, target) the person last looked at in this stage."""
        super().__init__(**kwargs)
        self.stage = stage
        self.pending_highlight = highlight
        self.initial_notes = notes
        self.rows: dict[str, Item | None] = {}  # row key -> item (None: running, not run)
        self.pending_notes: dict[str, str] = {}  # row key -> why there is no result
        # The ranked list hides passes on the audit stage; elsewhere every result shows.
        self.failures_only = "risk-list" in stage.shows
        self.all_risks = False
        self._loaded_notes = notes  # the text put there by the app, not typed
        self._documents: list[str] = []
        self._state: StageState | None = None
        self._drawn: dict[str, object] = {}  # part -> the inputs it was last drawn from
        self._ready = False  # the children exist

    def compose(self) -> ComposeResult:
        yield Static(self._heading(), classes="goal")
        yield Static("", id="run-status")
        if "risk-list" in self.stage.shows:
            yield Static("", id="risks")
        if "documents" in self.stage.shows:
            yield Static("", id="documents")
        if self.stage.checks:
            yield Static("", id="filter", classes="dim")
            yield DataTable(id="findings", cursor_type="row", zebra_stripes=True)
            yield Static(
                "Highlight a finding to see the evidence and the fix.",
                id="detail",
                classes="detail",
            )
        if self.stage.checklist:
            checklist = Checklist(id="checklist")
            checklist.border_title = "Checklist [dim](space ticks; who and when are recorded)[/]"
            yield checklist
            yield Static("", id="checklist-item", classes="checklist-item")
        notes = TextArea(self.initial_notes, id="notes", soft_wrap=True)
        notes.border_title = "Notes"
        yield notes
        yield Static(self._reference_text(), classes="reference")

    def _heading(self) -> str:
        """The stage's name (and sprint day) over its goal: one widget, not two."""
        day = f"  ·  day {self.stage.day}" if self.stage.day else ""
        return f"[b $accent]{escape(self.stage.title)}[/b $accent][$accent]{day}[/]\n" + escape(
            self.stage.goal
        )

    def on_mount(self) -> None:
        self._ready = True
        if self._state is not None:
            self.show(self._state)
        if self._documents:
            self.show_documents(self._documents)

    def on_resize(self) -> None:
        """Clipped summaries depend on the width: redraw the table with what was shown."""
        if self._state is not None and self._ready:
            self._show_table(self._state)

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
        text.rstrip()
        return text

    # -- showing state ------------------------------------------------------------

    def show(self, state: StageState) -> None:
        self._state = state
        if not self._ready:
            return  # on_mount shows it once the children exist
        self._show_status(state)
        if "risk-list" in self.stage.shows:
            self._redraw("risks", (state.version, self.all_risks), self._show_risks)
        self._show_table(state)
        if self.stage.checklist:
            marks = {k: v for k, v in state.marks.items() if k[0] == self.stage.id}
            self._redraw("checklist", marks, lambda: self._show_checklist(marks))

    def _redraw(self, part: str, inputs: object, draw: Any) -> None:
        """Draw `part` only when its inputs differ from the last time."""
        if self._drawn.get(part, self) != inputs:
            self._drawn[part] = inputs
            draw()

    def _stage_findings(self, state: StageState) -> list[Finding]:
        checks = set(self.stage.checks)
        return [f for f in state.findings if f.check in checks]

    def _show_status(self, state: StageState) -> None:
        if not self.stage.checks:
            text = Text(
                "No automated checks here: this stage is done by hand, with the checklist "
                "and the notes below"
                + (
                    ", and the handover documents (d exports them)."
                    if "documents" in self.stage.shows
                    else "."
                )
            )
        else:
            running = [c for c in self.stage.checks if c in state.running]
            if running:
                text = Text(
                    f"{len(running)} of {len(self.stage.checks)} checks running… (c cancels)",
                    style="cyan",
                )
            else:
                text = checked_text(state.checked, state.now)
                findings = self._stage_findings(state)
                if findings and "risk-list" not in self.stage.shows:  # it counts everything
                    text.append("\n")
                    text.append_text(problem_counts(findings))
        self._redraw(
            "status", text.markup, lambda: self.query_one("#run-status", Static).update(text)
        )

    def _show_risks(self) -> None:
        assert self._state is not None
        text = risk_list_text(self._state.findings, show_all=self.all_risks)
        self.query_one("#risks", Static).update(text)

    def _show_table(self, state: StageState) -> None:
        if not self.stage.checks:
            return
        running = frozenset(c for c in self.stage.checks if c in state.running)
        inputs = (state.version, running, state.available, self.failures_only, self.size.width)
        self._redraw("table", inputs, lambda: self._fill_table(state, running))

    def _fill_table(self, state: StageState, running: frozenset[str]) -> None:
        table = self.query_one("#findings", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        # Fixed widths that fit the view, so the target never scrolls off to the right.
        room = max(self.scrollable_content_region.width - 2, 30)
        where_width = max(min(WHERE_WIDTH, room // 4), 10)
        width = max(room - STATUS_WIDTH - where_width - 6, 12)  # 1 cell padding each side
        table.add_column("status", width=STATUS_WIDTH)
        table.add_column("finding", width=width)
        table.add_column("where", width=where_width)
        self.rows.clear()
        self.pending_notes.clear()
        findings = self._stage_findings(state)
        by_check: dict[str, list[Finding]] = {}
        for finding in findings:
            by_check.setdefault(finding.check, []).append(finding)
        hidden = not_run = 0
        for check in self.stage.checks:
            if check in running:
                key = f"{check}::running"
                cell = Text(SPINNER[0] + " running", style="cyan")
                table.add_row(cell, Text(check, style="dim"), "", key=key)
                self.rows[key] = None
                self.pending_notes[key] = f"{check} is running."
                continue
            if check not in by_check:
                if self.failures_only:
                    not_run += 1
                    continue
                key = f"{check}::pending"
                known = check in state.available
                note = "not run yet" if known else "unknown check id: check the runbook"
                pending = Text(clipped(f"{check}: {note}", width), style="dim")
                table.add_row(Text("·", style="dim"), pending, "", key=key)
                self.rows[key] = None
                self.pending_notes[key] = (
                    f"{check} has not run yet: r runs the stage."
                    if known
                    else f"{check} is not a check launchtui knows: fix the runbook."
                )
                continue
            for index, item in enumerate(fold(by_check[check])):
                if self.failures_only and not item.lead.is_problem:
                    hidden += len(item.findings)
                    continue
                key = f"{check}::{index}"
                summary = clipped(item.lead.summary, width)
                table.add_row(
                    status_cell(item.lead), summary, where_cell(item, WHERE_WIDTH), key=key
                )
                self.rows[key] = item
        self._show_filter(hidden, not_run, table.row_count)
        if table.row_count:
            table.move_cursor(row=min(max(cursor, 0), table.row_count - 1))
        if self.pending_highlight is not None:
            self.highlight(*self.pending_highlight)
            self.pending_highlight = None
        self._show_detail()

    def _show_filter(self, hidden: int, not_run: int, shown: int) -> None:
        line = self.query_one("#filter", Static)
        if not self.failures_only:
            line.update("All results · f shows problems only")
            return
        left_out = [
            f"{hidden} passing or accepted" if hidden else "",
            f"{not_run} not run" if not_run else "",
        ]
        said = " and ".join(part for part in left_out if part)
        lead = "Problems only" if shown else "No problems in this stage's results"
        line.update(f"{lead}{f' ({said} hidden)' if said else ''} · f shows all")

    def spin(self, frame: int) -> None:
        """Advance the spinner on running rows without rebuilding the table."""
        if not self.stage.checks or not self._ready:
            return
        table = self.query_one("#findings", DataTable)
        glyph = SPINNER[frame % len(SPINNER)]
        column = table.ordered_columns[0].key
        for key in self.rows:
            if key.endswith("::running"):
                table.update_cell(key, column, Text(glyph + " running", style="cyan"))

    def _show_checklist(self, marks: dict[tuple[str, str], ChecklistMark]) -> None:
        checklist = self.query_one("#checklist", SelectionList)
        highlighted = checklist.highlighted
        with checklist.prevent(SelectionList.SelectionToggled):
            checklist.clear_options()
            for item in self.stage.checklist:
                mark = marks.get((self.stage.id, item.id))
                done = bool(mark and mark.done)
                checklist.add_option(Selection(checklist_prompt(item, mark), item.id, done))
        if checklist.option_count:
            checklist.highlighted = min(highlighted or 0, checklist.option_count - 1)
        self._show_checklist_item()

    def _show_checklist_item(self) -> None:
        checklist = self.query_one("#checklist", SelectionList)
        index = checklist.highlighted
        if index is None or not 0 <= index < len(self.stage.checklist):
            return
        item = self.stage.checklist[index]
        marks = self._state.marks if self._state else {}
        detail = checklist_detail(item, marks.get((self.stage.id, item.id)))
        self.query_one("#checklist-item", Static).update(detail)

    # -- what the person can do here -----------------------------------------------

    def toggle_failures(self) -> None:
        self.failures_only = not self.failures_only
        if self._state is not None and self._ready:
            self._show_table(self._state)

    def toggle_risks(self) -> None:
        self.all_risks = not self.all_risks
        if self._state is not None and "risk-list" in self.stage.shows:
            self._redraw("risks", (self._state.version, self.all_risks), self._show_risks)

    def focus_first(self) -> None:
        """Enter on a stage: into its findings, else its checklist, else its notes."""
        for selector in ("#findings", "#checklist", "#notes"):
            for widget in self.query(selector):
                widget.focus()
                return

    # -- reacting -----------------------------------------------------------------

    def selected_item(self) -> Item | None:
        if not self.stage.checks or not self._ready:
            return None
        table = self.query_one("#findings", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(key or "")

    def selected_finding(self) -> Finding | None:
        item = self.selected_item()
        return item.lead if item is not None else None

    def _show_detail(self) -> None:
        table = self.query_one("#findings", DataTable)
        if not table.row_count:
            self.query_one("#detail", Static).update(Text("Nothing to show here.", style="dim"))
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        self.query_one("#detail", Static).update(
            detail_text(self.rows.get(key), self.pending_notes.get(key, ""))
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value or ""
        item = self.rows.get(key)
        self.query_one("#detail", Static).update(detail_text(item, self.pending_notes.get(key, "")))
        if item is not None and event.data_table.has_focus:  # the person's choice only
            self.post_message(self.FindingHighlighted(self, item.lead))

    def highlight(self, check: str, target: str) -> None:
        """Put the cursor back on a finding (restoring where the person left off)."""
        for row, item in enumerate(self.rows.values()):
            if item is not None and any(
                (f.check, f.target) == (check, target) for f in item.findings
            ):
                self.query_one("#findings", DataTable).move_cursor(row=row)
                return

    def on_selection_list_selection_highlighted(
        self, _event: SelectionList.SelectionHighlighted[str]
    ) -> None:
        self._show_checklist_item()

    def on_selection_list_selection_toggled(
        self, event: SelectionList.SelectionToggled[str]
    ) -> None:
        item = event.selection.value
        self.post_message(self.ChecklistToggled(self, item, item in event.selection_list.selected))

    def show_documents(self, lines: list[str]) -> None:
        """The handover documents and when each was last exported."""
        self._documents = lines
        if "documents" in self.stage.shows and self._ready:
            text = Text()
            text.append("Documents  ", style="bold")
            text.append("(d exports them)\n", style="dim")
            for line in lines:
                text.append(f"  • {line}\n")
            text.rstrip()
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
            self.post_message(self.NotesEdited(self, event.text_area.text))
