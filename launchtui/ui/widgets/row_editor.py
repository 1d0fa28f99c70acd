"""A table of entries with an add form under it: domains, routes, environments, owners.

One widget for every list the engagement keeps, so each screen only says what
its fields are and what adding or removing means.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Select


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    label: str
    options: tuple[tuple[str, str], ...] = ()  # a Select when given
    placeholder: str = ""


class RowEditor(Vertical):
    BINDINGS: ClassVar = [Binding("delete,backspace", "remove_row", "Remove row")]

    class Added(Message):
        def __init__(self, editor: RowEditor, values: dict[str, str]) -> None:
            super().__init__()
            self.editor, self.values = editor, values

    class Removed(Message):
        def __init__(self, editor: RowEditor, index: int) -> None:
            super().__init__()
            self.editor, self.index = editor, index

    def __init__(
        self,
        fields: list[Field],
        rows: list[tuple[str, ...]],
        shown_only: tuple[str, ...] = (),
        **kwargs,
    ) -> None:
        """`shown_only` names extra table columns that the form does not edit (status…)."""
        super().__init__(**kwargs)
        self.fields = fields
        self.initial_rows = rows
        self.shown_only = shown_only

    def compose(self) -> ComposeResult:
        table: DataTable = DataTable(cursor_type="row", zebra_stripes=True)
        table.add_columns(*(field.label for field in self.fields), *self.shown_only)
        yield table
        with Horizontal(classes="row-form"):
            for field in self.fields:
                if field.options:
                    yield Select(
                        field.options,
                        prompt=field.label,
                        id=f"field-{field.key}",
                        value=field.options[0][1],
                        allow_blank=False,
                    )
                else:
                    yield Input(
                        placeholder=field.placeholder or field.label, id=f"field-{field.key}"
                    )
            yield Button("Add", id="add", variant="primary")

    def on_mount(self) -> None:
        self.set_rows(self.initial_rows)

    def set_rows(self, rows: list[tuple[str, ...]]) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for row in rows:
            table.add_row(*row)

    def values(self) -> dict[str, str]:
        values = {}
        for field in self.fields:
            widget = self.query_one(f"#field-{field.key}")
            value = widget.value if isinstance(widget, Input | Select) else ""
            values[field.key] = "" if value is Select.BLANK else str(value).strip()
        return values

    def clear_form(self) -> None:
        for field in self.fields:
            if not field.options:
                self.query_one(f"#field-{field.key}", Input).value = ""

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Added(self, self.values()))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Added(self, self.values()))

    def action_remove_row(self) -> None:
        table = self.query_one(DataTable)
        if table.has_focus and table.row_count:
            self.post_message(self.Removed(self, table.cursor_row))
