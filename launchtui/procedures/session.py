"""Following a founder runbook, one step at a time, saved after every step.

The CLI and the app drive the same `Session`: it says what the current step shows, takes
the person's answer, runs the step's checks, and records what happened in the engagement
(the run's own log, and the change log once it ends), so a run can stop at any step and
resume later, and months later the log says who did what and what the checks said.

A secret typed into an input step goes straight to the keyring as the entry's *pending*
value; it replaces the current value only when the person confirms the rotation, so an
abandoned rotation never leaves the keyring holding a key the provider does not know.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ..engagement import Engagement, RunbookRun, Secret
from ..findings import Finding, Status
from ..propagation import Settling
from .model import Procedure, Step
from .templating import render, template_context

PENDING_SUFFIX = " (new, not yet confirmed)"

CheckRunner = Callable[[list[str]], Awaitable[list[Finding]]]
SettlingProbe = Callable[[list[tuple[str, str]]], Awaitable[list[Settling]]]


class StepRefused(Exception):
    """The answer cannot be taken; the message says why, for the person to fix it."""


@dataclass
class Services:
    """What a session needs from the outside world, so tests and the app can supply it."""

    run_checks: CheckRunner
    settling: SettlingProbe
    keep_pending: Callable[[Secret, str], None]  # store a new value beside the current one
    promote_pending: Callable[[Secret], bool]  # make it the current value; False if none
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


@dataclass
class CheckOutcome:
    findings: list[Finding]
    settlings: list[Settling] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        checks_pass = all(
            f.status in (Status.PASS, Status.SKIPPED) or f.suppressed for f in self.findings
        )
        return checks_pass and all(s.settled for s in self.settlings)

    def summary(self) -> str:
        problems = [f for f in self.findings if f.is_problem]
        lagging = [s for s in self.settlings if not s.settled]
        if not problems and not lagging:
            return f"{len(self.findings)} check result(s) pass" + (
                f"; {len(self.settlings)} record(s) settled everywhere" if self.settlings else ""
            )
        parts = [f"{f.check} {f.status.value} on {f.target}" for f in problems[:3]]
        parts += [f"{s.name} {s.rdtype} not settled" for s in lagging[:2]]
        more = len(problems) + len(lagging) - len(parts)
        return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


class Session:
    def __init__(
        self, engagement: Engagement, procedure: Procedure, run: RunbookRun, services: Services
    ) -> None:
        self.engagement = engagement
        self.procedure = procedure
        self.run = run
        self.services = services
        self.last_outcome: CheckOutcome | None = None

    # -- starting and resuming ------------------------------------------------------------

    @classmethod
    def start(
        cls,
        engagement: Engagement,
        procedure: Procedure,
        services: Services,
        *,
        secret: Secret | None = None,
    ) -> Session:
        run = engagement.start_runbook_run(
            procedure.id, secret.label if secret else "", title=procedure.title
        )
        session = cls(engagement, procedure, run, services)
        first = procedure.steps[0]
        if secret is not None and first.kind == "input" and first.choices == "secrets":
            session._choose_secret(f"{secret.name}\t{secret.environment}")  # chosen already
        session.save()
        return session

    @classmethod
    def resume(
        cls, engagement: Engagement, procedure: Procedure, run_id: str, services: Services
    ) -> Session:
        return cls(engagement, procedure, engagement.runbook_run(run_id), services)

    # -- what the current step shows ----------------------------------------------------

    @property
    def finished(self) -> bool:
        return not self.run.in_progress or self.run.step >= len(self.procedure.steps)

    @property
    def step(self) -> Step:
        return self.procedure.steps[min(self.run.step, len(self.procedure.steps) - 1)]

    @property
    def secret(self) -> Secret | None:
        inputs = self.run.inputs or {}
        if "secret" not in inputs:
            return None
        try:
            return self.engagement.secret(inputs["secret"], inputs.get("environment") or None)
        except Exception:  # renamed or removed meanwhile: the step that picks it asks again
            return None

    def context(self) -> dict[str, Any]:
        return template_context(self.engagement, secret=self.secret, inputs=self.run.inputs)

    def text(self, step: Step | None = None) -> str:
        """The step's text, from the variant that fits this engagement when there is one."""
        step = step or self.step
        context = self.context()
        template = step.text
        if step.variant_by:
            key = render(step.variant_by, context).strip().lower()
            template = step.variants.get(key) or step.variants.get("default") or step.text
        return render(template, context) if template else ""

    def choices(self) -> list[tuple[str, str]]:
        """(label, value) pairs an input step offers; empty for free text."""
        step = self.step
        if step.choices == "secrets":
            return [
                (f"{s.label} — {s.status().value}", f"{s.name}\t{s.environment}")
                for s in self.engagement.secrets
            ]
        return [(choice, choice) for choice in step.choices]

    def default(self) -> str:
        return render(self.step.default, self.context()) if self.step.default else ""

    # -- answering ------------------------------------------------------------------------

    def acknowledge(self) -> None:
        """An instruction was followed (or read)."""
        self._require("instruction")
        self._done("done", self.step.title or "read")

    async def answer(self, value: str) -> None:
        """Take the person's answer; a new secret value goes to the keyring in a thread
        (a locked keyring may wait on its unlock prompt) and never into the file."""
        step = self._require("input")
        value = value.strip()
        if not value:
            if not step.optional:
                raise StepRefused(f"{step.title or step.name}: an answer is needed.")
            self._done("skipped", "no answer")
            return
        if step.choices == "secrets":
            self._choose_secret(value)
            return
        if step.choices and value not in step.choices:
            raise StepRefused(f"Choose one of: {', '.join(step.choices)}.")
        if step.secret:
            secret = self.secret
            if secret is None:
                raise StepRefused("Choose which secret this is first.")
            await asyncio.to_thread(self.services.keep_pending, secret, value)
            self._done("kept", "a new value, in the keyring only")
            return
        self._done("answered", value, inputs={step.name: value})

    async def check(self, on_round: Callable[[CheckOutcome], None] | None = None) -> CheckOutcome:
        """Run a check step's checks (or a wait step's, again and again until they settle),
        and record the outcome. The app drives `look` and `settle` itself instead."""
        step = self.step
        started = time.monotonic()
        while True:
            outcome = await self.look()
            if on_round is not None:
                on_round(outcome)
            waited_out = time.monotonic() - started + step.interval_s > step.limit_s
            if step.kind == "check" or outcome.passed or waited_out:
                break
            await self.services.sleep(step.interval_s)
        self.settle(outcome)
        return outcome

    async def look(self) -> CheckOutcome:
        """One look: the step's checks and DNS answers now. Records nothing."""
        step = self.step
        if step.kind not in ("check", "wait"):
            raise StepRefused(f"This step is a {step.kind} step, not a check.")
        findings = await self.services.run_checks(list(step.checks)) if step.checks else []
        records = [(render(name, self.context()), rdtype) for name, rdtype in step.records]
        settlings = await self.services.settling(records) if records else []
        return CheckOutcome(findings, settlings)

    def settle(self, outcome: CheckOutcome) -> None:
        """Record a look's outcome: on to the next step when it passed (or was only for
        information); a required check that failed, or a wait that did not settle, stays."""
        step = self.step
        self.last_outcome = outcome
        if outcome.passed:
            self._done("passed", outcome.summary())
        elif step.require == "pass" or step.kind == "wait":
            self._note("failed" if step.kind == "check" else "not settled", outcome.summary())
        else:
            self._done("failed", outcome.summary())

    def skip(self) -> None:
        """Go on without this step passing (a wait that did not settle, an optional step)."""
        if self.step.require == "pass":
            raise StepRefused("This step's checks must pass before the runbook can go on.")
        self._done("skipped", "went on without it")

    async def confirm(self) -> str:
        """The person said yes: record what the step records, and say what was recorded."""
        step = self._require("confirm")
        said = await self._record(step.record)
        self._done("confirmed", said)
        return said

    def stop(self, reason: str = "stopped by the person following it") -> None:
        self.engagement.finish_runbook_run(
            self.run.id, "stopped", reason, title=self.procedure.title
        )
        self.refresh()
        self.save()

    # -- recording --------------------------------------------------------------------------

    async def _record(self, record: str) -> str:
        engagement = self.engagement
        inputs = self.run.inputs or {}
        if record == "rotation":
            secret = self.secret
            if secret is None:
                raise StepRefused("No secret was chosen, so there is no rotation to record.")
            kept = await asyncio.to_thread(self.services.promote_pending, secret)
            note = "new value kept in the keyring" if kept else ""
            engagement.record_rotation(secret.name, secret.environment, note=note)
            return f"{secret.label} recorded as rotated today" + (f"; {note}" if kept else "")
        if record == "rollback":
            smoke = self._passed("smoke")
            release = inputs.get("release", "")
            engagement.record_rollback(release, smoke_passed=smoke)
            return f"rollback to {release or 'an earlier release'} recorded"
        if record == "incident":
            note = inputs.get("incident", "") or "an outage (no note written)"
            engagement.record_incident(note)
            return "incident note recorded"
        if record == "inbox-test":
            results = {
                key.removeprefix("inbox-"): value
                for key, value in inputs.items()
                if key.startswith("inbox-")
            }
            engagement.record_inbox_test(results)
            return "inbox test recorded"
        if record == "known-redirects":
            findings = self.last_outcome.findings if self.last_outcome else []
            from ..engagement import KnownRedirect

            known = [
                KnownRedirect(
                    f.target,
                    str(f.evidence.get("live_final", "")),
                    int(f.evidence.get("live_status", 0) or 0),
                    tuple(f.evidence.get("live_chain", [])),
                )
                for f in findings
                if f.check == "http.redirect-map" and f.evidence.get("live_final")
            ]
            if known:
                engagement.record_known_redirects(known)
            return f"{len(known)} redirects recorded as right"
        return "noted"

    def _passed(self, step_id: str) -> bool:
        return any(o.step == step_id and o.result == "passed" for o in self.run.outcomes)

    # -- bookkeeping ------------------------------------------------------------------------

    def _choose_secret(self, value: str) -> None:
        name, _, environment = value.partition("\t")
        try:
            secret = self.engagement.secret(name.strip(), environment.strip() or None)
        except Exception as exc:
            raise StepRefused(str(exc).split(": ", 1)[-1]) from None
        self._done(
            "chosen",
            secret.label,
            inputs={"secret": secret.name, "environment": secret.environment},
            subject=secret.label,
        )

    def _require(self, kind: str) -> Step:
        if self.finished:
            raise StepRefused("This runbook run is over.")
        if self.step.kind != kind:
            raise StepRefused(f"This step is a {self.step.kind} step.")
        return self.step

    def _done(
        self,
        result: str,
        note: str,
        *,
        inputs: dict[str, str] | None = None,
        subject: str | None = None,
    ) -> None:
        self.engagement.log_runbook_step(
            self.run.id,
            self.step.id,
            result,
            note,
            next_step=self.run.step + 1,
            inputs=inputs,
            subject=subject,
        )
        self.refresh()
        if self.run.step >= len(self.procedure.steps):
            self.engagement.finish_runbook_run(
                self.run.id, "done", self._ending(), title=self.procedure.title
            )
            self.refresh()
        self.save()

    def _note(self, result: str, note: str) -> None:
        """Log a step's outcome without moving on (a required check that failed)."""
        self.engagement.log_runbook_step(
            self.run.id, self.step.id, result, note, next_step=self.run.step
        )
        self.refresh()
        self.save()

    def _ending(self) -> str:
        results = [o for o in self.run.outcomes if o.step != "subject"]
        checks = [o for o in results if o.result in ("passed", "failed", "not settled")]
        failed = [o for o in checks if o.result != "passed"]
        return (
            f"{len(results)} steps; {len(checks) - len(failed)} of {len(checks)} check steps "
            "passed."
        )

    def refresh(self) -> None:
        self.run = self.engagement.runbook_run(self.run.id)

    def save(self) -> None:
        self.engagement.save()
