"""The sprint: seven stages in a sidebar with progress and a 48-hour clock.

Checks run in a child process (`child_run`), so painting and keys never delay the load
probes' schedule; a worker only relays the child's progress as messages. Every state
change happens in a message handler, and every change is saved at once. Which checks
are running is derived from the live workers, so it cannot go stale.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState, get_current_worker

from ...engagement import Engagement, EngagementError, Secret, Suppression, apply_suppressions
from ...findings import Finding
from ...runbook import Stage, runbook_by_id
from ...settings import remember_view_state, view_state
from ...sprint import (
    STALE_AFTER,
    age_text,
    check_times,
    sprint_clock,
    stage_checked,
    stage_progress,
    todays_plan,
)
from ..actions import bindings, commands
from ..saving import save_engagement, tell_what_came_in
from ..widgets.stage_view import StageState, StageView
from .base import LaunchScreen

if TYPE_CHECKING:  # the check engine (httpx, dnspython) is never needed to paint
    from ...child_run import FinishedRun
    from ...engine import Progress

NARROW = 100  # columns below which the sidebar is slimmer
NAVIGATION_PAUSE_S = 0.4  # progress waits this long after a stage change before redrawing


class StageList(OptionList):
    """The stages with their progress, as one widget: it paints in the first frame
    (a list of item widgets mounts a frame or two later) and moving through it restyles
    no child widgets. Moving switches the stage in the same frame as the highlight:
    waiting for the Highlighted message to bubble up would cost one more screen update
    (about 20 ms) on every keypress."""

    def __init__(
        self, stages: Iterable[Stage], *, switch: Callable[[str], None], **kwargs: Any
    ) -> None:
        self.switch = switch  # before the options: adding them may set the highlight
        super().__init__(*(Option(stage.title, id=stage.id) for stage in stages), **kwargs)

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        if highlighted is not None and 0 <= highlighted < self.option_count:
            self.switch(self.get_option_at_index(highlighted).id or "")

    def stage_label(self, stage_id: str) -> str:
        """What the list says about a stage (its title, marker and progress)."""
        return str(self.get_option(stage_id).prompt)


class SprintScreen(LaunchScreen):
    BINDINGS: ClassVar = bindings("sprint")

    # What the screen shows follows these: each watcher redraws what depends on it.
    running: reactive[frozenset[str]] = reactive(frozenset, init=False)  # checks under way
    findings: reactive[tuple[Finding, ...]] = reactive(tuple, init=False)  # latest results
    available: reactive[frozenset[str]] = reactive(frozenset, init=False)  # known check ids

    class ChecksProgressed(Message):
        def __init__(self, progress: Progress) -> None:
            super().__init__()
            self.progress = progress

    class ChecksFinished(Message):
        def __init__(self, run: FinishedRun) -> None:
            super().__init__()
            self.run = run

    def __init__(self, engagement: Engagement) -> None:
        """Raises RunbookError when the engagement names a runbook that cannot be loaded."""
        super().__init__()
        self.engagement = engagement
        self.runbook = runbook_by_id(engagement.runbook)
        # Importing every check module takes ~0.5 s; it happens after the first paint.
        self.set_reactive(SprintScreen.available, frozenset(self.runbook.check_ids))
        self.set_reactive(
            SprintScreen.findings,
            tuple(apply_suppressions(engagement.latest_findings(), engagement.suppressions)),
        )
        self._version = 0  # bumped with every change of findings: a view sees nothing changed
        self._times = check_times(engagement)
        self._runs: dict[Worker[None], set[str]] = {}  # live worker -> its checks not finished yet
        self._frame = 0
        self._sidebar_said: dict[str, str] = {}  # stage id -> the label it shows
        self._navigated_at = 0.0  # when the person last moved to another stage
        # Open stage and highlighted findings: the user's cache keeps them, not the file.
        self._view_state = view_state(engagement.path)
        self._view_state_kept = copy.deepcopy(self._view_state)
        self._notes_timer: Timer | None = None

    # -- layout -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="sidebar"):
                yield Static(self.engagement.product or self.engagement.apex, id="product")
                yield Static("", id="clock")
                yield Static("", id="plan", classes="dim")
                yield StageList(self.runbook.stages, switch=self.switch_to_stage, id="stages")
                yield Static("", id="saved", classes="dim")
            yield ContentSwitcher(id="stage-views")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.sub_title = f"{self.engagement.apex} · {self.engagement.profile}"
        self.update_clock()
        self.update_sidebar()
        self.query_one("#stages", StageList).focus()
        # Only while checks run (watch_running): the spinner turns, and progress is drawn.
        self._spinner = self.set_interval(0.2, self.advance_spinner, pause=True)
        self._progress_drawer = self.set_interval(0.5, self.draw_progress, pause=True)
        # The stage list and clock paint first; the open stage follows in the next frame.
        self.call_after_refresh(self.open_first_stage)

    def open_first_stage(self) -> None:
        """The stage the person last looked at (or the first), with its results."""
        if not self.query_one("#stage-views").is_attached:
            return  # quit before the first frame was even drawn
        remembered = self._view_state.get("stage", "")
        ids = list(self.runbook.stage_ids)
        self.show_stage(remembered if remembered in ids else ids[0])
        self.query_one("#stages", StageList).highlighted = ids.index(self.current_stage_id)
        self.refresh_everything()
        self.say_when_results_are_old()
        self.set_interval(30, self.update_clock)
        # After the first frame: the import competes for the GIL with painting.
        self.set_timer(0.5, self.start_loading_checks)
        self.set_interval(1.0, self.take_in_outside_changes)

    def on_resize(self, event: Resize) -> None:
        narrow = event.size.width < NARROW
        if narrow != self.has_class("narrow"):
            self.set_class(narrow, "narrow")
            self.update_clock()

    def start_loading_checks(self) -> None:
        self.run_worker(self.load_check_registry, thread=True, group="registry")

    def load_check_registry(self) -> None:
        from ...checks import all_checks

        available = frozenset(all_checks())
        self.app.call_from_thread(self.checks_loaded, available)

    def checks_loaded(self, available: frozenset[str]) -> None:
        self.available = available

    def watch_available(self) -> None:
        self.refresh_visible_stage()

    def say_when_results_are_old(self) -> None:
        """A founder reopening the file months later is told the results are old (unless
        another screen, the founder home, opened in front and says so itself)."""
        if not self._times or self.app.screen is not self:
            return
        newest, now = max(self._times.values()), self.app.clock()
        if now - newest > STALE_AFTER:
            self.notify(
                f"These results are from {newest:%d %b %Y} ({age_text(newest, now)}). "
                "R re-runs every check; r re-runs the open stage.",
                title="Old results",
                severity="warning",
                timeout=12,
            )

    # -- showing state --------------------------------------------------------------

    def show_stage(self, stage_id: str) -> StageView:
        """Switch to a stage, building its view the first time it is shown (fast start)."""
        switcher = self.query_one("#stage-views", ContentSwitcher)
        view = self.stage_view(stage_id)
        if view is None:
            view = StageView(
                self.runbook.stage(stage_id),
                self.engagement.notes(stage_id),
                self.remembered_highlight(stage_id),
                id=f"view-{stage_id}",
            )
            switcher.mount(view)
            self.refresh_stage(view)
        elif not self.running:
            # Shown first, brought up to date right after (the view redraws only what
            # changed): the key's frame stays cheap. During a run, draw_progress does it
            # once the person stops on a stage.
            self.call_after_refresh(self.refresh_stage, view)
        switcher.current = view.id
        return view

    def stage_view(self, stage_id: str) -> StageView | None:
        return next(self.query(f"#view-{stage_id}").results(StageView), None)

    def has_checks(self, stage_id: str) -> bool:
        return stage_id in self.runbook.stage_ids and bool(self.runbook.stage(stage_id).checks)

    @property
    def current_stage_id(self) -> str:
        current = self.query_one("#stage-views", ContentSwitcher).current or ""
        return current.removeprefix("view-")

    def refresh_everything(self) -> None:
        self.update_clock()
        self.update_sidebar()
        self.refresh_visible_stage()
        self.refresh_bindings()

    def refresh_visible_stage(self) -> None:
        """Only the stage on screen is redrawn; others are brought up to date when shown."""
        view = self.stage_view(self.current_stage_id)
        if view is not None:
            self.refresh_stage(view)

    def draw_progress(self) -> None:
        """Progress arrives per check; during a run it is drawn at most twice a second,
        which keeps keys fast, and not while the person is moving through the stages (each
        redraw costs a layout, which the next key would wait for); the stage they stop on
        is current."""
        if time.monotonic() - self._navigated_at < NAVIGATION_PAUSE_S:
            return
        self.update_sidebar()
        self.refresh_visible_stage()

    def refresh_stage(self, view: StageView) -> None:
        if "documents" in view.stage.shows:
            from .export import last_exports

            view.show_documents(last_exports(self.engagement))
        view.show(
            StageState(
                version=self._version,
                findings=list(self.findings),
                running=self.running,
                available=self.available,
                marks=self.engagement.checklist_marks(),
                checked=stage_checked(view.stage, self._times),
                now=self.app.clock(),
            )
        )

    def update_sidebar(self) -> None:
        for stage in self.runbook.stages:
            progress = stage_progress(self.engagement, stage, list(self.findings))
            marker = " ⠿" if any(check in self.running for check in stage.checks) else ""
            text = f"{stage.title}{marker}\n  [dim]{progress.label}[/]"
            if self._sidebar_said.get(stage.id) != text:  # an update costs a layout
                self._sidebar_said[stage.id] = text
                self.query_one("#stages", StageList).replace_option_prompt(stage.id, text)

    def update_clock(self) -> None:
        clock = sprint_clock(self.engagement, self.app.clock())
        plan = todays_plan(self.runbook, clock)
        narrow = self.has_class("narrow")
        self.query_one("#clock", Static).update(clock.short() if narrow else clock.describe())
        self.query_one("#plan", Static).update(plan)

    def advance_spinner(self) -> None:
        if self.running:
            self._frame += 1
            view = self.stage_view(self.current_stage_id)
            if view is not None:
                view.spin(self._frame)

    def show_saved(self) -> None:
        for label in self.query("#saved").results(Static):
            label.update(f"saved {self.app.clock():%H:%M:%S}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer shows the keys that do something here and now."""
        if action == "cancel_run":
            return bool(self.running)
        if action == "run_stage" and self.is_mounted:
            return self.has_checks(self.current_stage_id)
        if action == "suppress":
            return self.focused is not None and self.focused.id == "findings"
        return True

    # -- saving -------------------------------------------------------------------

    def save(self) -> bool:
        if self._notes_timer is not None:
            self._notes_timer.stop()
            self._notes_timer = None
        if not save_engagement(self, self.engagement):
            return False
        self.show_saved()
        return True

    def watch_findings(self) -> None:
        """New results (a check finished, a risk accepted, the file reloaded). During a
        run, draw_progress draws them; otherwise they are drawn at once."""
        self._version += 1
        if not self.running:
            self.update_sidebar()
            self.refresh_visible_stage()

    def take_in_outside_changes(self) -> None:
        """Someone saved the file meanwhile (the CLI, an editor): show what came in."""
        if not self.engagement.changed_on_disk():
            return
        try:
            result = self.engagement.reload()
        except EngagementError as exc:
            self.notify(
                f"The file changed and cannot be read now: {exc} Your view is kept; fix the "
                "file and it will be read again.",
                severity="error",
                timeout=15,
            )
            return
        tell_what_came_in(self, result)
        if not self.running:
            self.findings = tuple(self.engagement.latest_findings())
            self._times = check_times(self.engagement)
        self.reapply_suppressions()
        for view in self.query(StageView).results(StageView):
            view.load_notes(self.engagement.notes(view.stage.id))
        self.refresh_everything()

    def remembered_highlight(self, stage_id: str) -> tuple[str, str] | None:
        selected = self._view_state.get("selected", {})
        remembered = selected.get(stage_id) if isinstance(selected, dict) else None
        if isinstance(remembered, list) and len(remembered) == 2:
            return str(remembered[0]), str(remembered[1])
        return None

    def on_stage_view_finding_highlighted(self, message: StageView.FindingHighlighted) -> None:
        selected = self._view_state.setdefault("selected", {})
        choice = [message.finding.check, message.finding.target]
        selected[message.stage] = choice

    def remember_stage(self, stage_id: str) -> None:
        self._view_state["stage"] = stage_id

    # -- stage navigation -------------------------------------------------------------

    def switch_to_stage(self, stage_id: str) -> None:
        if not self.is_mounted or stage_id == self.current_stage_id:
            return
        self._navigated_at = time.monotonic()
        had_checks = self.has_checks(self.current_stage_id)
        self.show_stage(stage_id)
        self.remember_stage(stage_id)
        if self.has_checks(stage_id) != had_checks:
            self.refresh_bindings()  # r comes or goes; the footer is rebuilt only then

    @on(OptionList.OptionSelected, "#stages")
    def stage_chosen(self, event: OptionList.OptionSelected) -> None:
        """Enter (or a click) on a stage goes into it."""
        event.stop()
        view = self.stage_view(self.current_stage_id)
        if view is not None:
            view.focus_first()

    def action_focus_sidebar(self) -> None:
        sidebar = self.query_one("#sidebar")
        if not sidebar.display:
            sidebar.display = True
        self.query_one("#stages", StageList).focus()

    def action_toggle_sidebar(self) -> None:
        """Hide the stage list for a wider stage (s again, or escape, brings it back)."""
        sidebar = self.query_one("#sidebar")
        sidebar.display = not sidebar.display
        if sidebar.display:
            self.query_one("#stages", StageList).focus()
        else:
            view = self.stage_view(self.current_stage_id)
            if view is not None:
                view.focus_first()

    def go_to_stage(self, stage_id: str) -> None:
        stages = self.query_one("#stages", StageList)
        stages.highlighted = list(self.runbook.stage_ids).index(stage_id)

    def action_toggle_failures(self) -> None:
        view = self.stage_view(self.current_stage_id)
        if view is not None and view.stage.checks:
            view.toggle_failures()

    def action_toggle_risks(self) -> None:
        view = self.stage_view(self.current_stage_id)
        if view is not None:
            view.toggle_risks()

    # -- running checks -------------------------------------------------------------

    def action_run_stage(self) -> None:
        stage = self.runbook.stage(self.current_stage_id)
        if not stage.checks:
            self.notify("This stage has no automated checks: it is the manual checklist.")
            return
        self.start_run(stage.checks, stage_ids=[stage.id])

    def action_run_all(self) -> None:
        self.start_run(self.runbook.check_ids)

    def start_run(self, check_ids: Iterable[str], *, stage_ids: Iterable[str] = ()) -> None:
        wanted = [c for c in check_ids if c in self.available and c not in self.running]
        if not wanted:
            self.notify("Those checks are already running.")
            return
        from ..network_settings import network_problem

        problem = network_problem(self.engagement)
        if problem is not None:
            self.notify(problem, title="Cannot run the checks", severity="error", timeout=20)
            return
        if self.engagement.modified and not self.save():
            return  # the run reads the file; it must hold what is on screen
        worker = self.run_in_child(wanted, list(stage_ids))
        self._runs[worker] = set(wanted)
        self.update_running()

    @work(group="checks", exit_on_error=False)
    async def run_in_child(self, check_ids: list[str], stage_ids: list[str]) -> None:
        """The engine in a child process: its load probes keep their schedule however
        busy the screen is. This worker only relays what the child reports."""
        from ...child_run import FinishedRun, run_in_child

        async for event in run_in_child(self.engagement.path, check_ids, stage_ids):
            if isinstance(event, FinishedRun):
                self.post_message(self.ChecksFinished(event))
            elif event.finished:
                self.post_message(self.ChecksProgressed(event))

    def update_running(self) -> None:
        """Running = the unfinished checks of the workers that are still alive."""
        alive = {
            worker
            for worker in self.workers
            if worker.group == "checks" and worker.node is self and not worker.is_finished
        }
        for gone in set(self._runs) - alive:
            del self._runs[gone]
        self.running = frozenset(check for checks in self._runs.values() for check in checks)

    def watch_running(self, now: frozenset[str]) -> None:
        for timer in (self._spinner, self._progress_drawer):
            if now:
                timer.resume()
            else:
                timer.pause()
        self.update_sidebar()
        self.refresh_visible_stage()
        self.refresh_bindings()

    def on_sprint_screen_checks_progressed(self, message: ChecksProgressed) -> None:
        step = message.progress
        for checks in self._runs.values():
            checks.discard(step.check)
        fresh = apply_suppressions(list(step.findings), self.engagement.suppressions)
        self.findings = (*(f for f in self.findings if f.check != step.check), *fresh)
        self.update_running()

    def on_sprint_screen_checks_finished(self, message: ChecksFinished) -> None:
        report, record = message.run.report, message.run.record
        self.engagement.record_run(record)
        self._times = check_times(self.engagement)
        self.save()
        self.refresh_everything()  # the final state at once, not on the next tick
        problems = sum(1 for f in report.findings if f.is_problem)
        self.notify(
            f"{len(report.findings)} findings, {problems} to look at.", title="Checks finished"
        )
        if any(f.check.startswith("secrets.") and f.is_problem for f in report.findings):
            secrets = [s for s in self.engagement.secrets if not s.exposed]
            self.read_kept_fingerprints(report.findings, self.engagement.id, secrets)

    @work(thread=True, group="keyring")
    def read_kept_fingerprints(
        self, findings: list[Finding], engagement_id: str, secrets: list[Secret]
    ) -> None:
        """A leak matches an inventory entry by the value the keyring keeps for it: the
        keyring is read here, off the UI loop; the entry is marked on it."""
        from ...vault import VaultError, VaultUnavailable, stored_fingerprint

        kept: dict[tuple[str, str], str | None] = {}
        for secret in secrets:
            try:
                kept[(secret.environment, secret.name)] = stored_fingerprint(
                    engagement_id, secret.environment, secret.name
                )
            except (VaultUnavailable, VaultError):
                break  # as mark_exposed does: names alone from here on
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.mark_leaked_secrets, findings, kept)

    def mark_leaked_secrets(
        self, findings: list[Finding], kept: dict[tuple[str, str], str | None]
    ) -> None:
        """A leaked key that matches the inventory is flagged there, to be rotated."""
        from ...inventory import mark_exposed
        from ...vault import VaultUnavailable

        def kept_fingerprint(secret: Secret) -> str | None:
            key = (secret.environment, secret.name)
            if key not in kept:  # the keyring failed there (or the entry is new)
                raise VaultUnavailable(f"{secret.label} was not read from the keyring.")
            return kept[key]

        exposures = mark_exposed(self.engagement, findings, stored_fingerprint=kept_fingerprint)
        if exposures.marked:
            self.save()
            names = ", ".join(secret.label for secret in exposures.marked)
            self.notify(
                f"{names} leaked: marked exposed in the secrets inventory (k). "
                "Rotate, then press t there.",
                severity="warning",
                timeout=15,
            )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "checks":
            return
        self.update_running()
        if event.state is WorkerState.ERROR:
            from ...child_run import ChildRunError

            error = event.worker.error
            plain = isinstance(error, ChildRunError)
            message = str(error) if plain else f"{type(error).__name__}: {error}"
            self.notify(message, title="The run stopped", severity="error", timeout=15)

    def action_cancel_run(self) -> None:
        if self.running:
            self.workers.cancel_group(self, "checks")
            self.notify("Run cancelled.")

    # -- checklist, notes, suppressions -------------------------------------------------

    def on_stage_view_checklist_toggled(self, message: StageView.ChecklistToggled) -> None:
        items = {item.id: item.text for item in self.runbook.stage(message.stage).checklist}
        self.engagement.mark_checklist(
            message.stage, message.item, message.done, label=items.get(message.item, "")
        )
        self.save()
        self.update_sidebar()
        view = self.stage_view(message.stage)
        if view is not None:
            self.refresh_stage(view)

    def on_stage_view_notes_edited(self, message: StageView.NotesEdited) -> None:
        self.engagement.set_notes(message.stage, message.text)
        if self._notes_timer is not None:
            self._notes_timer.stop()
        self._notes_timer = self.set_timer(0.8, self.save)

    def action_suppress(self) -> None:
        from .suppress import SuppressScreen

        view = self.stage_view(self.current_stage_id)
        item = view.selected_item() if view is not None else None
        if item is None or not item.lead.is_problem:
            self.notify("Highlight a failing or warning finding first.")
            return

        def accept(reason: str | None) -> None:
            if not reason:
                return
            for finding in item.findings:
                self.engagement.add_suppression(
                    Suppression(finding.check, finding.target, reason),
                    stage=finding.stage or self.current_stage_id,
                )
            self.reapply_suppressions()
            self.save()
            self.refresh_everything()

        self.app.push_screen(SuppressScreen(item.lead, item.targets), accept)

    # -- other screens ----------------------------------------------------------------

    def action_setup(self) -> None:
        from .setup import SetupScreen

        self.app.push_screen(SetupScreen(self.engagement), lambda _: self.after_edit())

    def action_owners(self) -> None:
        from .owners import OwnersScreen

        self.app.push_screen(OwnersScreen(self.engagement), lambda _: self.after_edit())

    def action_secrets(self) -> None:
        from .secrets import SecretsScreen

        self.app.push_screen(SecretsScreen(self.engagement), lambda _: self.after_edit())

    def action_founder_home(self) -> None:
        from .founder import FounderHomeScreen

        self.app.push_screen(FounderHomeScreen(self.engagement), lambda _: self.after_edit())

    def action_export(self) -> None:
        from .export import ExportScreen

        self.app.push_screen(
            ExportScreen(self.engagement, self.runbook), lambda _: self.after_edit()
        )

    def action_history(self) -> None:
        from .history import HistoryScreen

        self.app.push_screen(
            HistoryScreen(self.engagement, self.runbook), lambda _: self.after_edit()
        )

    def after_edit(self) -> None:
        self.reapply_suppressions()
        self.refresh_everything()

    def reapply_suppressions(self) -> None:
        """Accepted risks as the file has them now (one may have been withdrawn)."""
        fresh = [replace(finding, suppressed=None) for finding in self.findings]
        self.findings = tuple(apply_suppressions(fresh, self.engagement.suppressions))

    def on_unmount(self) -> None:
        """Keep unsaved notes and the open stage for next time (the latter in the user's
        cache, not the engagement); an unchanged file is not rewritten."""
        if self.engagement.modified:
            self.save()
        if self._view_state != self._view_state_kept:
            remember_view_state(self.engagement.path, self._view_state)

    def palette_commands(self) -> Iterable[SystemCommand]:
        """The sprint's actions from the actions table, and a jump to each stage."""
        yield from commands("sprint", self)
        for stage in self.runbook.stages:
            yield SystemCommand(
                f"Stage: {stage.title}", "Go to this stage", partial(self.go_to_stage, stage.id)
            )
