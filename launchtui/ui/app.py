"""The launchtui Textual app. Every entry point builds it through `make_app`."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from .. import __version__


class WelcomeScreenPlaceholder(Static):
    """Stands in for the welcome screen until the sprint view lands."""


class LaunchApp(App[None]):
    TITLE = "launchtui"
    SUB_TITLE = f"launch-ready sprint · {__version__}"
    BINDINGS: ClassVar = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield WelcomeScreenPlaceholder(
            "Welcome to launchtui.\n\nThe guided sprint is on its way; meanwhile run\n"
            "  launchtui check example.com\nfor a quick audit."
        )
        yield Footer()


def make_app() -> LaunchApp:
    return LaunchApp()
