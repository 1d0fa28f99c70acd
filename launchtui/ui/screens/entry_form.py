"""The form for adding or changing one entry: one labelled field per line.

Labels stay visible once a field is filled (placeholders only show examples), and the
form fits an 80x24 terminal. A fresh form opens for every entry, so a choice made for
the last one is never carried over by accident. Saving asks the screen first: when
it refuses (a bad URL, a duplicate), the reason shows under the fields and nothing
typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from ..actions import bindings
from ..widgets.row_editor import Field

Save = Callable[[dict[str, str]], str | None]


class EntryForm(ModalScreen[None]):
    BINDINGS: ClassVar = bindings("entry-form")

    def __init__(
        self,
        title: str,
        fields: list[Field],
        values: dict[str, str],
        save: Save,
        *,
        editing: bool = False,
    ) -> None:
        super().__init__()
        self.form_title = title
        self.fields = fields
        self.initial = values
        self.save = save
        self.editing = editing

    def compose(self) -> ComposeResult:
        with Vertical(id="entry-form"):
            yield Label(f"[b]{self.form_title}[/b]", classes="form-title")
            with VerticalScroll(id="entry-fields"):
                for field in self.fields:
                    with Horizontal(classes="form-row"):
                        yield Label(field.label, classes="form-label")
                        yield self._widget(field)
            yield Static("", id="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button("Save", id="save", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
                yield Label("enter saves · esc cancels", classes="dim")

    def _widget(self, field: Field) -> Input | Select[str]:
        value = self.initial.get(field.key, "")
        disabled = self.editing and field.fixed
        if field.options:
            options = list(field.options)
            if self.editing and value not in [option for _, option in options]:
                options.append((value, value))  # a value written by hand is kept, not replaced
            return Select(
                options,
                value=value if self.editing else options[0][1],
                allow_blank=False,
                compact=True,
                disabled=disabled,
                id=f"field-{field.key}",
            )
        return Input(
            value,
            placeholder=field.placeholder,
            password=field.password,
            compact=True,
            disabled=disabled,
            id=f"field-{field.key}",
        )

    def on_mount(self) -> None:
        for widget in self.query("Input, Select"):
            if not widget.disabled:
                widget.focus()
                break

    def values(self) -> dict[str, str]:
        values = {}
        for field in self.fields:
            widget = self.query_one(f"#field-{field.key}")
            value = widget.value if isinstance(widget, Input | Select) else ""
            values[field.key] = "" if value is Select.BLANK else str(value).strip()
        return values

    def submit(self) -> None:
        error = self.save(self.values())
        if error:
            self.query_one("#form-error", Static).update(f"[b red]{error}[/]")
            return
        self.dismiss(None)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def save_pressed(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        self.submit()

    @on(Button.Pressed, "#cancel")
    def cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
