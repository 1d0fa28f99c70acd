"""Accepting a risk: one reason, written down, so the next person knows why."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from ...findings import Finding
from ..actions import bindings


class SuppressScreen(ModalScreen[str | None]):
    """Asks for the reason; returns it, or None when cancelled."""

    BINDINGS: ClassVar = bindings("suppress")

    def __init__(self, finding: Finding, targets: list[str] | None = None) -> None:
        """`targets`: every target the same finding was reported for (one reason each)."""
        super().__init__()
        self.finding = finding
        self.targets = targets or [finding.target]

    def compose(self) -> ComposeResult:
        where = ", ".join(self.targets)
        with Vertical(id="suppress-box"):
            yield Label(f"Accept the risk of [b]{self.finding.check}[/b] on {where}?")
            yield Label(self.finding.summary, classes="dim")
            yield Input(placeholder="Why is this acceptable? (required)", id="reason")
            yield Label("enter to accept · escape to cancel", classes="dim")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        reason = event.value.strip()
        if reason:
            self.dismiss(reason)
        else:
            self.notify("Write a reason first: it is what the next person will read.")

    def action_cancel(self) -> None:
        self.dismiss(None)
