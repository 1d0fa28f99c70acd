"""Keys and a short tour, one keypress away."""

from __future__ import annotations

from typing import ClassVar

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

INTRO = (
    "Walk the seven stages of the launch-ready sprint with the founder. Each stage has "
    "live checks (run them, read the plain-English result, accept a risk with a reason), "
    "a manual checklist (ticks record who and when), notes, deliverables and the signals "
    "that say a stage is not done."
)
KEYS = (
    ("↑ ↓ / click", "pick a stage in the sidebar, a finding in a table"),
    ("enter", "go into the highlighted stage; escape goes back to the stage list"),
    ("tab", "move between sidebar, findings, checklist and notes"),
    ("s", "hide or show the stage list (more room on a small terminal)"),
    ("r", "run this stage's checks (again: results say how old they are)"),
    ("R", "run every check"),
    ("c", "cancel a run"),
    ("f", "problems only, or every result (the quick audit starts with problems only)"),
    ("m", "every risk in the ranked list, or the top of each tier"),
    ("space", "tick a checklist item"),
    ("x", "accept the highlighted finding's risk (asks for a reason)"),
    ("e  o  k", "setup (domains, routes, environments, network) · owners · secrets"),
    ("h", "history: the change log (who did what) and the runs; pin the baseline"),
    ("d", "export the handover checklist, what changed, or the monitors"),
    ("b", "founder home: runbooks to rotate a secret, roll back, restore a redirect…"),
    ("a  enter  del  u", "in a list: add · edit the highlighted row · remove it · put it back"),
    ("ctrl+p", "command palette"),
    ("f1  ?", "this help"),
    ("ctrl+q", "quit (everything is already saved)"),
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
    for key, meaning in KEYS:
        keys.add_row(key, meaning)
    return Group(
        Text("launchtui\n", style="bold"), Text(INTRO + "\n"), keys, Text("\n" + OUTRO, style="dim")
    )


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar = [Binding("escape,q,f1,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(help_text())
