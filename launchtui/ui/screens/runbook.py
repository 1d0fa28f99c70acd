"""Following a founder runbook in the app, one step at a time.

The screen only shows what the core `Session` says and passes the person's answers back;
every step is saved as it happens, so escape pauses the run and it resumes later from the
founder home. Checks run in a worker thread (the engine on its own event loop), so the
screen stays responsive while the smoke test or a DNS wait is going.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import ClassVar, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ...engagement import EngagementError
from ...procedures.session import CheckOutcome, Session, StepRefused
from ..actions import bindings

T = TypeVar("T")

_MARKS = {"pass": "✓", "fail": "✗", "warn": "!", "error": "?", "skipped": "-"}
_HINTS = {
    "instruction": "enter when done",
    "input": "type the answer, enter",
    "check": "checking…",
    "wait": "waiting for it to settle…",
    "confirm": "y to confirm · n not yet",
}


class RunbookScreen(Screen[None]):
    """Returns nothing; the engagement (and the run's log in it) is what changed."""

    BINDINGS: ClassVar = bindings("runbook")

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.waiting = False  # on a look, or on the keyring: keys wait too
        self.shown_step = -1  # the step on screen (the session may already be past it)
        self._wait_started: float | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="runbook"):
            yield Static("", id="progress", classes="dim")
            yield Label("", id="step-title", classes="stage-title")
            yield Static("", id="step-text", classes="goal")
            yield OptionList(id="choices")
            yield Input(id="answer")
            yield Static("", id="results")
            yield Static("", id="hint", classes="dim")
            yield Static("", id="done-steps", classes="reference")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.session.procedure.title
        self.sub_title = self.session.run.subject or self.session.engagement.apex
        self.show_step()

    # -- showing ---------------------------------------------------------------------------

    def show_step(self) -> None:
        session = self.session
        steps = session.procedure.steps
        self.query_one("#done-steps", Static).update(self.history_text())
        if session.finished:
            self.query_one("#progress", Static).update(f"{len(steps)} of {len(steps)} steps")
            self.query_one("#step-title", Label).update(f"[b]{session.run.status.capitalize()}[/b]")
            self.query_one("#step-text", Static).update(
                "Every step is recorded in the engagement's log. Escape goes back."
            )
            for widget in self.query("#choices, #answer"):
                widget.display = False
            self.query_one("#hint", Static).update("escape back")
            return
        step = session.step
        self.shown_step = session.run.step
        self.query_one("#progress", Static).update(f"Step {session.run.step + 1} of {len(steps)}")
        self.query_one("#step-title", Label).update(f"[b]{step.title or step.id}[/b]")
        self.query_one("#step-text", Static).update(session.text())
        self.query_one("#results", Static).update("")
        choices = self.query_one("#choices", OptionList)
        answer = self.query_one("#answer", Input)
        options = session.choices() if step.kind == "input" else []
        choices.display = bool(options)
        answer.display = step.kind == "input" and not options
        if options:
            choices.clear_options()
            choices.add_options([Option(label, id=value) for label, value in options])
            choices.highlighted = 0
            choices.focus()
        elif step.kind == "input":
            answer.password = step.secret
            answer.value = session.default()
            answer.placeholder = "the value (hidden, to the keyring only)" if step.secret else ""
            answer.focus()
        self.query_one("#hint", Static).update(_HINTS[step.kind] + " · escape pauses")
        if step.kind in ("check", "wait"):
            self._wait_started = time.monotonic()
            self.look()

    def history_text(self) -> str:
        done = [o for o in self.session.run.outcomes]
        if not done:
            return ""
        lines = [f"  {o.step}: {o.result}" + (f" — {o.note}" if o.note else "") for o in done[-8:]]
        return "[b]So far[/b]\n" + "\n".join(lines)

    def show_outcome(self, outcome: CheckOutcome) -> None:
        lines = [
            f"{_MARKS[f.status.value]} {f.check}  {f.summary}"
            for f in sorted(outcome.findings, key=lambda f: (f.status.value != "fail", f.check))
        ]
        lines += [("✓ " if s.settled else "… ") + s.describe() for s in outcome.settlings]
        self.query_one("#results", Static).update("\n".join(lines) or "No results.")

    # -- checks -------------------------------------------------------------------------------

    @work(thread=True, group="runbook-checks", exclusive=True, exit_on_error=False)
    def look(self) -> None:
        self.waiting = True
        outcome = asyncio.run(self.session.look())
        self.app.call_from_thread(self.looked, outcome)

    def looked(self, outcome: CheckOutcome) -> None:
        self.waiting = False
        step = self.session.step
        self.show_outcome(outcome)
        waited = time.monotonic() - (self._wait_started or time.monotonic())
        if step.kind == "wait" and not outcome.passed and waited + step.interval_s <= step.limit_s:
            self.query_one("#hint", Static).update(
                f"not settled yet; looking again in {step.interval_s:g} s · s skips · escape pauses"
            )
            self.set_timer(step.interval_s, self.look)
            return
        self.settle(outcome)

    def settle(self, outcome: CheckOutcome) -> None:
        step = self.session.step
        try:
            self.session.settle(outcome)
        except EngagementError as exc:
            self.notify(f"Could not save: {exc}", severity="error", timeout=15)
            return
        if self.session.step is step and not self.session.finished:
            required = (
                "must pass before going on: fix it, then c checks again"
                if step.require
                else "did not settle: c looks again, s goes on without it"
            )
            self.query_one("#hint", Static).update(f"{required} · escape pauses")
            self.query_one("#done-steps", Static).update(self.history_text())
            return
        self.query_one("#hint", Static).update("enter for the next step")
        self.query_one("#done-steps", Static).update(self.history_text())

    # -- answering ------------------------------------------------------------------------------

    def action_next(self) -> None:
        session = self.session
        if session.finished or self.waiting:
            return
        if not self.showing_current_step():
            return  # a check passed while its results were on screen: now go on
        step = session.step
        try:
            if step.kind == "instruction":
                session.acknowledge()
            elif step.kind == "input":
                self.submit_answer()
                return
            elif step.kind in ("check", "wait"):
                return
            elif step.kind == "confirm":
                return  # only y confirms: enter is too easy to press by habit
        except (StepRefused, EngagementError) as exc:
            self.notify(str(exc), severity="error")
            return
        self.show_step()

    @on(Input.Submitted, "#answer")
    def answer_submitted(self) -> None:
        self.submit_answer()

    @on(OptionList.OptionSelected, "#choices")
    def choice_selected(self, event: OptionList.OptionSelected) -> None:
        self.submit_answer(event.option.id or "")

    def submit_answer(self, value: str | None = None) -> None:
        if self.waiting:
            return
        field = self.query_one("#answer", Input)
        if value is None:
            choices = self.query_one("#choices", OptionList)
            if choices.display:
                option = choices.get_option_at_index(choices.highlighted or 0)
                value = option.id or ""
            else:
                value = field.value
        field.value = ""  # a secret never stays on screen
        self.waiting = True
        self.hand_over(lambda: self.session.answer(value), then=lambda _: self.show_step())

    @work(group="runbook-steps", exit_on_error=False)
    async def hand_over(self, step: Callable[[], Awaitable[T]], then: Callable[[T], None]) -> None:
        """Await the session's step on the UI loop, so the engagement is only ever edited
        there, while its keyring call runs in a thread; the screen keeps answering (keys
        that would act on the run wait for `waiting` to clear)."""
        try:
            result = await step()
        except (StepRefused, EngagementError) as exc:
            self.notify(str(exc), severity="error")
            return
        finally:
            self.waiting = False
        then(result)

    def showing_current_step(self) -> bool:
        """Whether the screen shows the step the session is at; if not, show it now, so
        no key acts on a step the person has not seen."""
        if self.shown_step == self.session.run.step:
            return True
        self.show_step()
        return False

    def action_confirm(self) -> None:
        if self.waiting or not self.showing_current_step():
            return
        if self.session.finished or self.session.step.kind != "confirm":
            return
        self.waiting = True
        self.hand_over(self.session.confirm, then=self.confirmed)

    def confirmed(self, said: str) -> None:
        self.notify(f"Recorded: {said}.")
        self.show_step()

    def action_not_yet(self) -> None:
        if not self.session.finished and self.session.step.kind == "confirm":
            self.notify("Not confirmed: the run waits here. Escape pauses; it resumes later.")

    def action_check_again(self) -> None:
        if (
            not self.session.finished
            and self.session.step.kind in ("check", "wait")
            and not self.waiting
        ):
            self._wait_started = time.monotonic()
            self.look()

    def action_skip(self) -> None:
        if self.session.finished or self.waiting or not self.showing_current_step():
            return
        try:
            self.session.skip()
        except (StepRefused, EngagementError) as exc:
            self.notify(str(exc), severity="error")
            return
        self.show_step()

    def action_pause(self) -> None:
        if any(w.group == "runbook-steps" and not w.is_finished for w in self.workers):
            self.notify("Still keeping the last step; escape again in a moment.")
            return  # leaving now could drop a step whose value already reached the keyring
        if not self.session.finished:
            self.notify(
                f"Paused at step {self.session.run.step + 1}: it resumes from the founder home."
            )
        self.dismiss(None)
