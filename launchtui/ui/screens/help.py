"""Keys and a short tour, one keypress away. The keys come from the actions table
(`launchtui.ui.actions`), so they say what the bindings do."""

from __future__ import annotations

from typing import ClassVar

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..actions import bindings, help_lines

INTRO = (
    "Walk the seven stages of the launch-ready sprint with the founder. Each stage has "
    "live checks (run them, read the plain-English result, accept a risk with a reason), "
    "a manual checklist (ticks record who and when), notes, deliverables and the signals "
    "that say a stage is not done."
)
OUTRO = (
    "Every change is saved at once to the engagement file (the previous version is kept "
    "as .bak) and logged with your name; edits made meanwhile with the CLI or an editor are "
    "merged and shown. Secret values go only to your OS keyring, never to the file."
)


def help_text() -> Group:
    keys = Table(box=box.SIMPLE_HEAD, show_edge=False, expand=True)
    keys.add_column("key", style="bold cyan", no_wrap=True)
    keys.add_column("does")
    for key, meaning in help_lines():
        keys.add_row(key, meaning)
    return Group(
        Text("launchtui\n", style="bold"), Text(INTRO + "\n"), keys, Text("\n" + OUTRO, style="dim")
    )


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar = bindings("help")

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(help_text())
