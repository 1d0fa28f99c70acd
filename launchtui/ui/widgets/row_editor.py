"""A table of entries the engagement keeps: domains, routes, environments, owners, secrets.

One widget for every list, so each screen only says what its fields are and what
adding, changing and removing an entry means (an `Entries` object). Enter edits the
highlighted row in a form, `a` adds one, delete removes it at once and `u` puts it
back where it was; the cursor stays on the row the person was on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from ...engagement import Engagement, EngagementError
from ..actions import bindings

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    label: str
    options: tuple[tuple[str, str], ...] = ()  # a Select when given
    placeholder: str = ""
    password: bool = False  # typed masked, never shown back
    fixed: bool = False  # names the entry: shown but not changed when editing


@dataclass(frozen=True, slots=True)
class Removed:
    """A removal that can still be undone: `restore` puts the entry back at its place;
    `finish` runs once it can no longer be undone (a secret's kept value is forgotten),
    in a thread: it may wait on the keyring."""

    label: str
    restore: Callable[[], object]
    finish: Callable[[], None] | None = None
    consequence: str = ""  # what `finish` will do, said when the entry is removed


class Entries(Protocol):
    """What one list means: its rows, and adding, changing and removing an entry. Each
    change method returns an error for the person, or None when it was done."""

    noun: str  # "owner", "route": for titles and messages

    def rows(self) -> list[tuple[str, ...]]: ...

    def values(self, index: int) -> dict[str, str]: ...

    def add(self, values: dict[str, str]) -> str | None: ...

    def update(self, index: int, values: dict[str, str]) -> str | None: ...

    def remove(self, index: int) -> Removed | str: ...


class EntryTable(DataTable[str]):
    """The entries; enter on a row edits it (shown in the footer, unlike DataTable's)."""

    BINDINGS: ClassVar = bindings("list-table")


CHANGED_MEANWHILE = "That entry changed in the file meanwhile; the list now shows the file."


class EngagementEntries:
    """What every list's Entries share: the engagement they edit, and how a refusal is
    said (the engagement's own sentence)."""

    noun = "entry"

    def __init__(self, engagement: Engagement) -> None:
        self.engagement = engagement

    @staticmethod
    def entry(entries: Sequence[T], index: int) -> T | None:
        """The entry at `index`, or None when the file changed and it is gone."""
        return entries[index] if 0 <= index < len(entries) else None

    @staticmethod
    def attempt(change: Callable[[], object]) -> str | None:
        """Run an engagement change; its refusal (a bad URL, a duplicate) as words."""
        try:
            change()
        except (EngagementError, ValueError) as exc:  # DomainError is a ValueError
            return str(exc)
        return None


class RowEditor(Vertical):
    BINDINGS: ClassVar = bindings("list")

    class Changed(Message):
        """An entry was added, changed, removed or put back: the screen saves. It names
        its editor as `control`, so a screen can handle one list with
        `@on(RowEditor.Changed, "#secrets")`."""

        def __init__(self, editor: RowEditor) -> None:
            super().__init__()
            self.editor = editor

        @property
        def control(self) -> RowEditor:
            return self.editor

    def __init__(
        self,
        fields: list[Field],
        entries: Entries,
        shown_only: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> None:
        """`shown_only` names extra table columns that the form does not edit (status…)."""
        super().__init__(**kwargs)
        self.fields = fields
        self.entries = entries
        self.shown_only = shown_only
        self.undoable: Removed | None = None
        self._removed_at = 0  # the row the undoable entry was on

    def compose(self) -> ComposeResult:
        table = EntryTable(cursor_type="row", zebra_stripes=True)
        self.columns = [field.label for field in self.fields if not field.password]
        self.columns += self.shown_only
        table.add_columns(*self.columns)
        yield table
        yield Static("", classes="row-detail")
        yield Static(self._hint(), classes="row-hint dim")

    def _hint(self) -> str:
        undo = f" · u puts back the {self.entries.noun} just removed" if self.undoable else ""
        return f"a adds · enter edits the highlighted row · delete removes{undo}"

    def on_mount(self) -> None:
        self.refresh_rows()

    async def on_unmount(self) -> None:
        """Leaving the list makes the last removal final. Its clean-up (forgetting a
        secret's kept value: a keyring call) runs in a thread, and is done before the
        screen is gone, so quitting at once still forgets it."""
        finish = self._final_removal()
        if finish is not None:
            await asyncio.to_thread(finish)

    @property
    def table(self) -> EntryTable:
        return self.query_one(EntryTable)

    def refresh_rows(self, cursor: int | None = None) -> None:
        """Redraw from the engagement; the cursor stays on `cursor` (default: where it was)."""
        table = self.table
        row = table.cursor_row if cursor is None else cursor
        table.clear()
        for values in self.entries.rows():
            table.add_row(*values)
        if table.row_count:
            table.move_cursor(row=min(max(row, 0), table.row_count - 1))
        self.show_row_in_full()
        self.query_one(".row-hint", Static).update(self._hint())
        self.app.refresh_bindings()

    def show_row_in_full(self) -> None:
        """The highlighted row with every value whole: table cells are cut to fit."""
        table, detail = self.table, self.query_one(".row-detail", Static)
        if not table.row_count:
            detail.update(f"No {self.entries.noun}s yet: a adds one.")
            return
        cells = table.get_row_at(table.cursor_row)
        said = Text()
        for label, cell in zip(self.columns, cells, strict=False):
            if str(cell):
                said.append(f"{label}: ", style="dim")
                said.append(f"{cell}   ")
        detail.update(said)

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.show_row_in_full()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo":
            return self.undoable is not None
        if action == "remove_row":
            return self.table.row_count > 0
        return True

    # -- adding and editing -----------------------------------------------------------

    def action_add(self) -> None:
        from ..screens.entry_form import EntryForm

        def add(values: dict[str, str]) -> str | None:
            error = self.entries.add(values)
            if error is None:
                self.refresh_rows(cursor=len(self.entries.rows()) - 1)
                self.post_message(self.Changed(self))
            return error

        self.app.push_screen(EntryForm(f"Add {_a(self.entries.noun)}", self.fields, {}, add))

    def action_edit(self) -> None:
        table = self.table
        if not table.row_count:
            self.action_add()
            return
        index = table.cursor_row
        label = " · ".join(str(cell) for cell in table.get_row_at(index)[:2] if str(cell))

        def update(values: dict[str, str]) -> str | None:
            error = self.entries.update(index, values)
            if error is None:
                self.refresh_rows(cursor=index)
                self.post_message(self.Changed(self))
            return error

        from ..screens.entry_form import EntryForm

        form = EntryForm(
            f"Change {self.entries.noun} {label}",
            self.fields,
            self.entries.values(index),
            update,
            editing=True,
        )
        self.app.push_screen(form)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter (or a click on the highlighted row) edits it."""
        event.stop()
        self.action_edit()

    # -- removing and undoing ----------------------------------------------------------

    def action_remove_row(self) -> None:
        table = self.table
        if not table.row_count:
            return
        index = table.cursor_row
        finish = self._final_removal()  # only the latest removal can be undone
        if finish is not None:
            self.run_worker(finish, thread=True, group="finish-removal")
        removed = self.entries.remove(index)
        if isinstance(removed, str):
            self.notify(removed, severity="error")
            self.refresh_rows(cursor=index)
            return
        self.undoable, self._removed_at = removed, index
        self.refresh_rows(cursor=index)
        self.post_message(self.Changed(self))
        then = f"; {removed.consequence}" if removed.consequence else ""
        self.notify(f"Removed {removed.label}. Press u to put it back{then}.", timeout=8)

    def action_undo(self) -> None:
        removed, self.undoable = self.undoable, None
        if removed is None:
            return
        try:
            removed.restore()
        except (EngagementError, ValueError) as exc:  # the file changed meanwhile: say so
            self.notify(f"Could not put {removed.label} back: {exc}", severity="error")
            self.refresh_rows()
            return
        self.refresh_rows(cursor=self._removed_at)
        self.post_message(self.Changed(self))
        self.notify(f"Put back {removed.label}.")

    def _final_removal(self) -> Callable[[], None] | None:
        """The latest removal can no longer be undone: its clean-up, if it has one."""
        removed, self.undoable = self.undoable, None
        return removed.finish if removed is not None else None


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"
