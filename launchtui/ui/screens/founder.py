"""The founder's home, months after the sprint: is the site still right, what changed since
the handover, and the runbooks for the day something breaks."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, OptionList, Static
from textual.widgets.option_list import Option

from ...engagement import Engagement, Secret
from ...procedures.model import Procedure, ProcedureError, load_procedures
from ...procedures.services import engagement_services
from ...procedures.session import Session
from ...sprint import STALE_AFTER, age_text
from ..actions import bindings
from .base import LaunchScreen


class FounderHomeScreen(LaunchScreen):
    BINDINGS: ClassVar = bindings("founder")

    def __init__(self, engagement: Engagement) -> None:
        super().__init__()
        self.engagement = engagement
        self.procedures: dict[str, Procedure] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="founder"):
            with Vertical(id="founder-left"):
                yield Static("", id="last-checked", classes="goal")
                yield Static("", id="since-handover")
                yield Label("[b]Owners[/b]", classes="section")
                yield DataTable(id="founder-owners", cursor_type="row", zebra_stripes=True)
            with Vertical(id="founder-right"):
                yield Label(
                    "[b]Runbooks[/b]  [dim](enter starts or resumes one)[/]", classes="section"
                )
                yield OptionList(id="runbooks")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"{self.engagement.product or self.engagement.apex} · founder home"
        owners = self.query_one("#founder-owners", DataTable)
        owners.add_columns("account", "provider", "owner", "2FA")
        self.refresh_home()
        self.query_one("#runbooks", OptionList).focus()

    def refresh_home(self) -> None:
        engagement = self.engagement
        now = self.app.clock()
        last = engagement.last_checked
        stale = " — time to check again (r)" if last is None or now - last > STALE_AFTER else ""
        self.query_one("#last-checked", Static).update(
            f"Last checked: {'never' if last is None else age_text(last, now)}"
            + (f" ({last:%d %b %Y %H:%M} UTC)" if last else "")
            + stale
        )
        self.query_one("#since-handover", Static).update(self.since_handover())
        owners = self.query_one("#founder-owners", DataTable)
        owners.clear()
        for owner in engagement.owners:
            two_factor = {True: "on", False: "OFF", None: "?"}[owner.two_factor]
            owners.add_row(owner.account, owner.provider or "-", owner.owner or "-", two_factor)
        self.show_runbooks()

    def since_handover(self) -> str:
        from ...checks import all_checks
        from ...handover.changes import what_changed

        units = {(s.id, m): u for s in all_checks().values() for m, u in s.metrics.items()}
        changes = what_changed(self.engagement, units)
        if changes.baseline is None:
            return "What changed: no complete run yet to compare with."
        lines = [f"[b]Since {changes.baseline.at:%d %b %Y}[/b]: {changes.counts_sentence}"]
        for finding in changes.new[:3]:
            lines.append(f"  [red]new[/red] {finding.summary or finding.check}")
        return "\n".join(lines)

    def show_runbooks(self) -> None:
        try:
            self.procedures = load_procedures()
        except ProcedureError as exc:
            self.notify(
                str(exc), title="A runbook file has a mistake", severity="error", timeout=15
            )
            self.procedures = {}
        options = self.query_one("#runbooks", OptionList)
        options.clear_options()
        unfinished = {run.runbook: run for run in self.engagement.runbook_runs if run.in_progress}
        for procedure in self.procedures.values():
            run = unfinished.get(procedure.id)
            resume = ""
            if run is not None:
                about = run.subject or "started"
                resume = f"\n   [yellow]resume: step {run.step + 1}, {about} {run.started:%d %b}[/]"
            options.add_option(
                Option(
                    f"[b]{procedure.title}[/b]\n   [dim]{procedure.when}[/]{resume}",
                    id=procedure.id,
                )
            )

    @on(OptionList.OptionSelected, "#runbooks")
    def runbook_chosen(self, event: OptionList.OptionSelected) -> None:
        procedure = self.procedures.get(event.option.id or "")
        if procedure is not None:
            start_runbook(self, self.engagement, procedure)

    def action_sprint(self) -> None:
        self.dismiss(None)

    def action_run_all(self) -> None:
        self.dismiss(None)
        sprint = self.app.screen
        run_all = getattr(sprint, "action_run_all", None)
        if run_all is not None:
            run_all()

    def action_documents(self) -> None:
        self._on_sprint("action_export")

    def action_secrets(self) -> None:
        self._on_sprint("action_secrets")

    def _on_sprint(self, action: str) -> None:
        self.dismiss(None)
        handler = getattr(self.app.screen, action, None)
        if handler is not None:
            handler()


def start_runbook(
    screen: Screen[Any],
    engagement: Engagement,
    procedure: Procedure,
    *,
    secret: Secret | None = None,
) -> None:
    """Open the runner on a new run, or on the unfinished run of this runbook."""
    from .runbook import RunbookScreen

    services = engagement_services(engagement)
    unfinished = [
        run for run in engagement.runbook_runs if run.in_progress and run.runbook == procedure.id
    ]
    subject = secret.label if secret else None
    resumable = [run for run in unfinished if subject is None or run.subject == subject]
    if resumable:
        session = Session.resume(engagement, procedure, resumable[-1].id, services)
    else:
        session = Session.start(engagement, procedure, services, secret=secret)
    refresh = getattr(screen, "refresh_home", None)
    screen.app.push_screen(RunbookScreen(session), lambda _: refresh() if refresh else None)
