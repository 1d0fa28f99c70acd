"""Every key the app binds, declared once: the footers, the command palette and the help
screen are all built from `ACTIONS`.

A row says which action a key runs, where (its scope: the app, a screen or a widget that
binds `bindings(scope)`), what the footer calls it and whether the footer shows it, how
the help screen explains it and what the command palette calls it. Adding an action is
one row here and an `action_…` method on the class that binds its scope.

The help screen lists the rows that have help text, in the order of the table; rows
that share a `help_group` make one line ("e  o  k"). Rows in the scope "textual" are
keys Textual's own widgets already bind (the cursor, tab, the palette): they are here
only so the help screen can explain them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal, Protocol, runtime_checkable

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.widget import Widget

Scope = Literal[
    "app",
    "textual",
    "sprint",
    "checklist",
    "list",
    "list-table",
    "welcome",
    "founder",
    "editing",
    "secrets",
    "history",
    "export",
    "runbook",
    "help",
    "reveal",
    "entry-form",
    "suppress",
    "operator",
]


@dataclass(frozen=True, slots=True)
class AppAction:
    scope: Scope
    action: str  # runs `action_<action>` on whatever binds the scope
    keys: str  # Textual key names, comma-separated
    description: str = ""  # the footer's label
    footer: bool = True
    priority: bool = False  # bound before any focused widget sees the key
    help: str = ""  # the help screen's line ("": not listed)
    help_keys: str = ""  # how the help screen writes the keys (default: from `keys`)
    help_group: str = ""  # rows with the same group share one help line
    palette: str = ""  # the command palette's title ("": not offered)
    palette_help: str = ""  # the palette's second line


ACTIONS: tuple[AppAction, ...] = (
    # -- what the help screen explains, in its order -------------------------------
    AppAction(
        "textual",
        "cursor",
        "up,down",
        help="pick a stage in the sidebar, a finding in a table",
        help_keys="↑ ↓ / click",
    ),
    AppAction(
        "textual",
        "select",
        "enter",
        help="go into the highlighted stage; escape goes back to the stage list",
    ),
    AppAction(
        "textual",
        "focus_next",
        "tab",
        help="move between sidebar, findings, checklist and notes",
    ),
    AppAction(
        "sprint",
        "toggle_sidebar",
        "s",
        "Stage list",
        footer=False,
        help="hide or show the stage list (more room on a small terminal)",
        palette="Show or hide the stage list",
        palette_help="More room for the stage (s)",
    ),
    AppAction(
        "sprint",
        "run_stage",
        "r",
        "Run",
        help="run this stage's checks (again: results say how old they are)",
        palette="Run this stage's checks",
        palette_help="Live checks for the open stage",
    ),
    AppAction(
        "sprint",
        "run_all",
        "R",
        "Run all",
        help="run every check",
        palette="Run all checks",
        palette_help="Every automated check of the runbook",
    ),
    AppAction("sprint", "cancel_run", "c", "Cancel", help="cancel a run"),
    AppAction(
        "sprint",
        "toggle_failures",
        "f",
        "Problems/all",
        footer=False,
        help="problems only, or every result (the quick audit starts with problems only)",
    ),
    AppAction(
        "sprint",
        "toggle_risks",
        "m",
        "Every risk",
        footer=False,
        help="every risk in the ranked list, or the top of each tier",
    ),
    AppAction("checklist", "select", "space", "Tick", help="tick a checklist item"),
    AppAction(
        "sprint",
        "suppress",
        "x",
        "Accept",
        help="accept the highlighted finding's risk (asks for a reason)",
        palette="Accept the highlighted risk",
        palette_help="Suppress with a reason",
    ),
    AppAction(
        "sprint",
        "setup",
        "e",
        "Setup",
        help="setup (domains, routes, environments, network)",
        help_group="engagement screens",
        palette="Setup: domains, routes, environments",
        palette_help="Edit what is checked",
    ),
    AppAction(
        "sprint",
        "owners",
        "o",
        "Owners",
        help="owners",
        help_group="engagement screens",
        palette="Owners and access",
        palette_help="Who owns each account",
    ),
    AppAction(
        "sprint",
        "secrets",
        "k",
        "Secrets",
        help="secrets",
        help_group="engagement screens",
        palette="Secrets inventory",
        palette_help="Where each secret lives",
    ),
    AppAction(
        "sprint",
        "history",
        "h",
        "History",
        footer=False,
        help="history: the change log (who did what) and the runs; pin the baseline",
        palette="History: change log and runs",
        palette_help="Who changed what; pin the baseline run",
    ),
    AppAction(
        "sprint",
        "export",
        "d",
        "Documents",
        footer=False,  # the handover stage says so
        help="export the handover checklist, what changed, or the monitors",
        palette="Export handover documents",
        palette_help="The handover checklist, what changed, monitors: Markdown, HTML, PDF…",
    ),
    AppAction(
        "sprint",
        "founder_home",
        "b",
        "Runbooks",
        footer=False,
        help="founder home: runbooks to rotate a secret, roll back, restore a redirect…",
        palette="Founder home and runbooks",
        palette_help=(
            "Rotate a secret, roll back, restore a redirect, verify email, smoke test, outage"
        ),
    ),
    AppAction("list", "add", "a", "Add", help="in a list: add", help_group="list"),
    AppAction(
        "list-table",
        "select_cursor",
        "enter",
        "Edit",
        help="edit the highlighted row",
        help_group="list",
    ),
    AppAction(
        "list",
        "remove_row",
        "delete,backspace",
        "Remove",
        help="remove it",
        help_keys="del",
        help_group="list",
    ),
    AppAction("list", "undo", "u", "Undo", help="put it back", help_group="list"),
    AppAction("textual", "command_palette", "ctrl+p", help="command palette"),
    AppAction(
        "app",
        "help",
        "f1,question_mark",
        "Help",
        help="this help",
        palette="Help",
        palette_help="Keys and a short tour",
    ),
    AppAction(
        "app", "quit", "ctrl+q", "Quit", priority=True, help="quit (everything is already saved)"
    ),
    # -- the sprint's other keys ---------------------------------------------------
    AppAction("sprint", "focus_sidebar", "escape", "Stages", footer=False),
    # -- the other screens -----------------------------------------------------------
    AppAction("welcome", "focus_new", "ctrl+n", "New"),
    AppAction("welcome", "focus_open", "ctrl+o", "Open file"),
    AppAction("founder", "sprint", "escape,s", "Sprint view"),
    AppAction("founder", "run_all", "r", "Check everything now"),
    AppAction("founder", "documents", "d", "Documents"),
    AppAction("founder", "secrets", "k", "Secrets"),
    AppAction("editing", "dismiss", "escape", "Back"),  # setup, owners and the rest
    AppAction("secrets", "reveal", "v", "Reveal value"),
    AppAction("secrets", "rotate", "t", "Rotate…"),
    AppAction("secrets", "forget", "f", "Forget value"),
    AppAction("history", "pin", "p", "Pin as baseline"),
    AppAction("history", "unpin", "u", "Unpin"),
    AppAction("export", "export", "ctrl+s", "Export"),
    AppAction("runbook", "pause", "escape", "Pause"),
    AppAction("runbook", "next", "enter", "Next", footer=False),
    AppAction("runbook", "confirm", "y", "Confirm", footer=False),
    AppAction("runbook", "not_yet", "n", "Not yet", footer=False),
    AppAction("runbook", "check_again", "c", "Check again", footer=False),
    AppAction("runbook", "skip", "s", "Skip", footer=False),
    # -- dialogs -------------------------------------------------------------------
    AppAction("help", "dismiss", "escape,q,f1,question_mark", "Close"),
    AppAction("reveal", "dismiss", "escape,enter,v,q", "Hide"),
    AppAction("entry-form", "cancel", "escape", "Cancel"),
    AppAction("suppress", "cancel", "escape", "Cancel"),
    AppAction("operator", "keep_suggestion", "escape", "Use the suggestion"),
)


@runtime_checkable
class OffersCommands(Protocol):
    """A screen with entries of its own in the command palette (`commands(scope, self)`
    and whatever else it offers), which the app adds while that screen is open."""

    def palette_commands(self) -> Iterable[SystemCommand]: ...


KEY_NAMES = {"question_mark": "?"}  # how the help screen writes a Textual key name


def bindings(scope: Scope) -> list[BindingType]:
    """The `BINDINGS` of whatever binds `scope`, in the table's order."""
    return [
        Binding(row.keys, row.action, row.description, show=row.footer, priority=row.priority)
        for row in ACTIONS
        if row.scope == scope
    ]


def commands(scope: Scope, target: App[Any] | Widget) -> Iterator[SystemCommand]:
    """The command palette's entries for `scope`, each running its action on `target`
    (the app, or the screen the palette was opened from)."""
    for row in ACTIONS:
        if row.scope == scope and row.palette:
            yield SystemCommand(
                row.palette, row.palette_help, partial(target.run_action, row.action)
            )


def help_lines() -> list[tuple[str, str]]:
    """(keys, what they do) for the help screen, in the table's order."""
    lines: list[tuple[str, str]] = []
    group_line: dict[str, int] = {}  # help group -> its line
    for row in ACTIONS:
        if not row.help:
            continue
        keys = row.help_keys or "  ".join(KEY_NAMES.get(k, k) for k in row.keys.split(","))
        if row.help_group in group_line:
            index = group_line[row.help_group]
            shown_keys, meaning = lines[index]
            lines[index] = (f"{shown_keys}  {keys}", f"{meaning} · {row.help}")
            continue
        if row.help_group:
            group_line[row.help_group] = len(lines)
        lines.append((keys, row.help))
    return lines
