"""Asked once: the name the change log records for this person's edits."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from ..actions import bindings


class OperatorScreen(ModalScreen[str]):
    """Returns the name typed (or the suggested login name when left empty)."""

    BINDINGS: ClassVar = bindings("operator")

    def __init__(self, suggestion: str) -> None:
        super().__init__()
        self.suggestion = suggestion

    def compose(self) -> ComposeResult:
        with Vertical(id="suppress-box"):
            yield Label("[b]Who is working?[/b]")
            yield Label(
                "Every change is logged with a name, so a founder reading the log months "
                "from now knows who did what. Asked once; kept in your settings.",
                classes="dim",
            )
            yield Label("Your name")
            yield Input(value=self.suggestion, id="operator-name")
            yield Label("enter to keep it · change it with `launchtui operator`", classes="dim")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if name and not name.isprintable():
            self.notify("A name is plain text on one line.", severity="error")
            return
        self.dismiss(name or self.suggestion)

    def action_keep_suggestion(self) -> None:
        self.dismiss(self.suggestion)
