"""The launchtui Textual app. Every entry point (CLI, tests, snapshots) builds it with
`make_app`, so tests run the real thing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from .. import __version__
from ..engagement import Engagement, EngagementError
from ..recent import remember

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class LaunchApp(App[None]):
    CSS_PATH = "launchtui.tcss"
    TITLE = "launchtui"
    SUB_TITLE = f"launch-ready sprint · {__version__}"
    BINDINGS: ClassVar = [
        Binding("f1,question_mark", "help", "Help"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self, engagement_path: Path | None = None, *, clock: Clock = utc_now, operator: str = ""
    ) -> None:
        super().__init__()
        self.engagement_path = engagement_path
        self.clock = clock
        self.operator = operator
        self.demo_lab = None

    def on_mount(self) -> None:
        from .screens.welcome import WelcomeScreen

        if self.engagement_path is None or not self.open_engagement(self.engagement_path):
            self.push_screen(WelcomeScreen())

    def open_engagement(self, path: Path) -> bool:
        """Load `path` and show its sprint; a broken file is reported and left untouched."""
        from .screens.sprint import SprintScreen

        try:
            engagement = Engagement.load(path)
        except EngagementError as exc:
            self.notify(str(exc), title="Cannot open engagement", severity="error", timeout=12)
            return False
        remember(path)
        self.push_screen(SprintScreen(engagement))
        return True

    def start_demo(self) -> None:
        """Start the local lab and open the demo engagement; say what to install if missing."""
        from ..demo import start_demo_lab, write_demo_engagement
        from ..lab import LabError

        if self.demo_lab is None:
            try:
                self.demo_lab = start_demo_lab()
            except LabError as exc:
                self.notify(str(exc), title="The demo needs its lab", severity="error", timeout=20)
                return
        self.open_engagement(write_demo_engagement(self.demo_lab))

    def on_unmount(self) -> None:
        if self.demo_lab is not None:
            self.demo_lab.stop()

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Keys and a short tour", self.action_help)
        commands = getattr(screen, "palette_commands", None)
        if commands is not None:
            yield from commands()


def make_app(
    engagement_path: Path | None = None, *, clock: Clock = utc_now, operator: str = ""
) -> LaunchApp:
    import getpass

    try:
        operator = operator or getpass.getuser()
    except (KeyError, OSError):
        operator = operator or "operator"
    return LaunchApp(engagement_path, clock=clock, operator=operator)
