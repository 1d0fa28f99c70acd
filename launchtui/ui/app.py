"""The launchtui Textual app. Every entry point (CLI, tests, snapshots) builds it with
`make_app`, so tests run the real thing."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.worker import get_current_worker

from .. import __version__
from ..engagement import Actor, Engagement, EngagementError
from ..recent import remember
from ..runbook import RunbookError
from ..sprint import sprint_clock
from .actions import OffersCommands, bindings, commands

if TYPE_CHECKING:
    from ..lab import Lab

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class LaunchApp(App[None]):
    CSS_PATH = "launchtui.tcss"
    TITLE = "launchtui"
    SUB_TITLE = f"launch-ready sprint · {__version__}"
    BINDINGS: ClassVar = bindings("app")

    def __init__(
        self, engagement_path: Path | None = None, *, clock: Clock = utc_now, operator: str = ""
    ) -> None:
        super().__init__()
        self.engagement_path = engagement_path
        self.clock = clock
        self.operator = operator
        self.demo_lab: Lab | None = None
        self.open_problem = ""  # why the last file could not be opened

    def on_mount(self) -> None:
        from .screens.welcome import WelcomeScreen

        if self.engagement_path is None or not self.open_engagement(self.engagement_path):
            self.push_screen(WelcomeScreen())
        if not self.operator:
            self.ask_who_is_working()

    def ask_who_is_working(self) -> None:
        """The change log needs a name; ask once and keep it in the user's settings."""
        from ..settings import login_name, remember_operator
        from .screens.operator import OperatorScreen

        def keep(name: str | None) -> None:
            self.operator = name or login_name() or "someone"
            try:
                remember_operator(self.operator)
            except OSError as exc:
                self.notify(f"Could not keep your name in the settings: {exc.strerror}.")
            for screen in self.screen_stack:
                engagement = getattr(screen, "engagement", None)
                if isinstance(engagement, Engagement):
                    engagement.actor = self.actor

        self.push_screen(OperatorScreen(login_name() or "someone"), keep)

    @property
    def actor(self) -> Actor:
        """Who edits through this app, as the change log records it."""
        return Actor(self.operator or "someone", "app")

    def open_engagement(self, path: Path) -> bool:
        """Load `path` and show its sprint; a broken file is reported and left untouched."""
        from .screens.sprint import SprintScreen

        try:
            engagement = Engagement.load(path, actor=self.actor)
            sprint = SprintScreen(engagement)
        except (EngagementError, RunbookError) as exc:
            self.show_open_problem(str(exc))
            return False
        remember(path)
        self.open_problem = ""
        self.push_screen(sprint)
        if sprint_clock(engagement, self.clock()).day > 2:
            from .screens.founder import FounderHomeScreen

            self.push_screen(FounderHomeScreen(engagement))  # months later: the founder's view
        return True

    def show_open_problem(self, problem: str) -> None:
        """Why a file cannot be opened, as one message on the welcome screen (which is
        shown next when the app was started with that file)."""
        from .screens.welcome import WelcomeScreen

        self.open_problem = problem
        if isinstance(self.screen, WelcomeScreen):
            self.screen.show_problem(problem)

    def start_demo(self) -> None:
        """Start the local lab and open the demo engagement; say what to install if missing.
        The lab (DNS and web servers, a CA) takes a moment to start: a worker does it."""
        if self.demo_lab is None:
            self.notify("Starting the demo lab…", timeout=5)
        self.prepare_demo(self.demo_lab)

    @work(thread=True, group="demo", exclusive=True)
    def prepare_demo(self, lab: Lab | None) -> None:
        from ..demo import start_demo_lab, write_demo_engagement
        from ..lab import LabError

        if lab is None:
            try:
                lab = start_demo_lab()
            except LabError as exc:
                self.call_from_thread(
                    self.notify,
                    str(exc),
                    title="The demo needs its lab",
                    severity="error",
                    timeout=20,
                )
                return
        if get_current_worker().is_cancelled:  # the app is closing, or started another
            if lab is not self.demo_lab:
                lab.stop()
            return
        path = write_demo_engagement(lab)
        self.call_from_thread(self.open_demo, lab, path)

    def open_demo(self, lab: Lab, path: Path) -> None:
        if self.demo_lab is not None and self.demo_lab is not lab:
            lab.stop()  # a second start finished after the first: keep one lab
        else:
            self.demo_lab = lab
        self.open_engagement(path)

    def on_unmount(self) -> None:
        if self.demo_lab is not None:
            self.demo_lab.stop()

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from commands("app", self)
        if isinstance(screen, OffersCommands):
            yield from screen.palette_commands()


def make_app(
    engagement_path: Path | None = None, *, clock: Clock = utc_now, operator: str = ""
) -> LaunchApp:
    """`operator` names who is working; without it the configured name is used, and the app
    asks once when there is none."""
    from ..settings import configured_operator

    return LaunchApp(engagement_path, clock=clock, operator=operator or configured_operator())


def run_app(app: LaunchApp, *, headless: bool = False) -> None:
    """Run the app; an unhandled exception (Textual shows it and stops) ends the process
    with status 1, never 0, so a wrapper script or CI notices the crash."""
    app.run(headless=headless)
    if app.return_code:
        sys.exit(app.return_code)
