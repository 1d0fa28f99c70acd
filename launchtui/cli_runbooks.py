"""The founder's commands, headless: `runbook list|run`, `smoke`, `redirects`, `ci init`.

`runbook run` follows a founder runbook from a script or a terminal: instructions are
printed, inputs come from `--input NAME=VALUE` (a secret only from stdin or a no-echo
prompt, never the command line), checks run inline, and a confirm step needs `--yes` or a
typed yes. Every step is saved in the engagement as it happens, so a run stopped halfway
resumes with `--resume RUN`. Exit codes as for `check`: 0 done, 1 a check failed (the
run waits at that step), 2 usage or input error.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .cli_common import (
    OUTPUT_OPTION,
    ExitCode,
    checked_output,
    emit,
    engagement_argument,
    fail_usage,
    format_option,
    load_engagement,
)

if TYPE_CHECKING:
    from .procedures.model import Procedure
    from .procedures.session import CheckOutcome, Session
    from .targets import KnownRedirect


@click.group("runbook")
def runbook() -> None:
    """Founder runbooks: rotate a secret, roll back, restore a redirect, verify email…"""


@runbook.command("list")
@format_option("text", "json")
def list_runbooks(output_format: str) -> None:
    """The founder runbooks, shipped and your own."""
    procedures = _procedures()
    if output_format == "json":
        rows = [
            {
                "id": p.id,
                "title": p.title,
                "when": p.when,
                "steps": len(p.steps),
                "source": str(p.source),
            }
            for p in procedures.values()
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max(len(p.id) for p in procedures.values())
    for procedure in procedures.values():
        click.echo(f"{procedure.id:<{width}}  {procedure.title} — {procedure.when}")


@runbook.command("run")
@engagement_argument
@click.argument("runbook_id", metavar="ID")
@click.option(
    "--input",
    "inputs",
    multiple=True,
    metavar="NAME=VALUE",
    help="An answer for an input step, by its name (secret=NAME for the secret).",
)
@click.option("--value-stdin", is_flag=True, help="Read a secret input's value from stdin.")
@click.option("--yes", is_flag=True, help="Confirm the confirm steps, and do not wait for Enter.")
@click.option("--resume", "resume_run", metavar="RUN", help="Go on with an unfinished run.")
@format_option("text", "json")
def run_runbook(
    engagement_file: Path,
    runbook_id: str,
    inputs: tuple[str, ...],
    value_stdin: bool,
    yes: bool,
    resume_run: str | None,
    output_format: str,
) -> None:
    """Follow runbook ID on ENGAGEMENT, step by step, recording every step."""
    from .engagement import EngagementError
    from .procedures.services import engagement_services
    from .procedures.session import Session, StepRefused

    answers = _answers(inputs)
    procedure = _procedures().get(runbook_id)
    if procedure is None:
        fail_usage(f'no runbook "{runbook_id}"; `launchtui runbook list` shows them.')
    engagement = load_engagement(engagement_file)
    services = engagement_services(engagement)
    talk = (lambda text: click.echo(text, err=True)) if output_format == "json" else click.echo
    try:
        if resume_run:
            session = Session.resume(engagement, procedure, resume_run, services)
        else:
            session = Session.start(engagement, procedure, services)
        secret_value = (
            sys.stdin.read().rstrip("\n") if value_stdin and not sys.stdin.isatty() else None
        )
        failed = asyncio.run(_follow(session, answers, secret_value, yes, talk))
    except (EngagementError, StepRefused) as exc:
        fail_usage(str(exc))
    if output_format == "json":
        run = session.run
        click.echo(
            json.dumps(
                {
                    "runbook": procedure.id,
                    "run": run.id,
                    "status": run.status,
                    "subject": run.subject,
                    "steps": [
                        {
                            "step": o.step,
                            "result": o.result,
                            "note": o.note,
                            "at": o.at.isoformat() if o.at else None,
                        }
                        for o in run.outcomes
                    ],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    sys.exit(1 if failed else 0)


async def _follow(
    session: Session,
    answers: dict[str, str],
    secret_value: str | None,
    yes: bool,
    talk: Callable[[str], None],
) -> bool:
    """Do every step; True when a check failed and the run waits at that step."""
    from .procedures.session import StepRefused

    total = len(session.procedure.steps)
    talk(f"{session.procedure.title} (run {session.run.id})")
    while not session.finished:
        step = session.step
        talk(f"\n[{session.run.step + 1}/{total}] {step.title or step.id}")
        text = session.text()
        if text:
            talk(_indent(text))
        if step.kind == "instruction":
            if not yes and sys.stdin.isatty():
                click.prompt("  Press Enter when done", default="", show_default=False, err=True)
            session.acknowledge()
        elif step.kind == "input":
            await session.answer(_answer_for(session, answers, secret_value))
        elif step.kind in ("check", "wait"):
            outcome = await session.check(on_round=lambda o: _show(o, talk))
            if not outcome.passed and session.step is step:
                talk("  Not passing yet: fix it, then run again with --resume " + session.run.id)
                return True
        elif step.kind == "confirm":
            if not yes:
                if not sys.stdin.isatty():
                    raise StepRefused(f"step {step.id} needs a yes: add --yes to confirm it.")
                if not click.confirm("  Confirm?", default=False, err=True):
                    talk(f"  Not confirmed; the run waits here (--resume {session.run.id}).")
                    return False
            talk(f"  Recorded: {await session.confirm()}")
    talk(f"\nDone: {session.run.status}.")
    return False


def _answer_for(session: Session, answers: dict[str, str], secret_value: str | None) -> str:
    from .procedures.session import StepRefused

    step = session.step
    if step.secret:
        if secret_value is not None:
            return secret_value
        if sys.stdin.isatty():
            return click.prompt(
                "  Value (not shown)", hide_input=True, default="", show_default=False, err=True
            )
        if step.optional:
            return ""
        raise StepRefused(f"step {step.id} needs a secret value: pipe it with --value-stdin.")
    if step.choices == "secrets" and "secret" in answers:
        name, _, environment = answers["secret"].partition("/")
        return f"{name}\t{environment}"
    if step.name in answers:
        return answers[step.name]
    default = session.default()
    if sys.stdin.isatty():
        choices = session.choices()
        if choices:
            for number, (label, _value) in enumerate(choices, start=1):
                click.echo(f"    {number}. {label}", err=True)
            picked = click.prompt("  Choose", type=click.IntRange(1, len(choices)), err=True)
            return choices[picked - 1][1]
        return click.prompt(f"  {step.title or step.name}", default=default or "", err=True)
    if default or step.optional:
        return default
    raise StepRefused(f"step {step.id} needs an answer: add --input {step.name}=VALUE.")


def _show(outcome: CheckOutcome, talk: Callable[[str], None]) -> None:
    for finding in outcome.findings:
        mark = {"pass": "✓", "fail": "✗", "warn": "!", "error": "?", "skipped": "-"}[
            finding.status.value
        ]
        talk(f"  {mark} {finding.check:<20} {finding.summary}")
    for settling in outcome.settlings:
        talk(f"  {'✓' if settling.settled else '…'} {settling.describe()}")


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


def _answers(inputs: tuple[str, ...]) -> dict[str, str]:
    answers = {}
    for entry in inputs:
        name, equals, value = entry.partition("=")
        if not equals or not name.strip():
            fail_usage(f"--input {name.strip() or entry}: write it as NAME=VALUE.")
        answers[name.strip()] = value
    return answers


def _procedures() -> dict[str, Procedure]:
    from .checks import all_checks
    from .procedures.model import ProcedureError, load_procedures

    try:
        return load_procedures(known_checks=set(all_checks()))
    except ProcedureError as exc:
        fail_usage(str(exc))


@click.command("smoke")
@engagement_argument
@format_option("text", "json", "junit")
@OUTPUT_OPTION
def smoke(engagement_file: Path, output_format: str, output: str | None) -> None:
    """The post-deploy smoke test: key pages answer well, over valid TLS, within budget."""
    from .audit import CheckRequestError, plan_engagement_run, run_planned
    from .export import render
    from .findings import Severity

    destination = checked_output(output)
    engagement = load_engagement(engagement_file)
    try:
        plan = plan_engagement_run(engagement, ["smoke.routes", "tls.valid", "http.redirect-loop"])
    except CheckRequestError as exc:
        fail_usage(str(exc))
    report = asyncio.run(run_planned(plan))
    emit(render(report, output_format, width=100), destination)
    failed = any(f.fails_at(Severity.LOW) for f in report.findings)
    sys.exit(ExitCode.FINDINGS if failed else ExitCode.OK)


@click.command("redirects")
@engagement_argument
@click.option(
    "--record", is_flag=True, help="Keep the redirects as they are now as the right ones."
)
def redirects(engagement_file: Path, record: bool) -> None:
    """Where every way of reaching the site ends now; --record keeps it as known-good."""
    from .audit import engagement_context
    from .checks.redirect_map import current_redirects
    from .engagement import Engagement, EngagementError

    engagement = load_engagement(engagement_file)

    async def look() -> list[KnownRedirect]:
        context = engagement_context(engagement, [], None, 10.0, False)
        try:
            return await current_redirects(context)
        finally:
            await context.aclose()

    live = asyncio.run(look())
    recorded_at, known = engagement.known_redirects
    known_by_start = {k.start: k for k in known}
    for redirect in live:
        then = known_by_start.get(redirect.start)
        same = then is not None and (then.final, then.status) == (redirect.final, redirect.status)
        mark = "" if then is None else ("  (as recorded)" if same else f"  (was {then.final})")
        click.echo(f"{redirect.describe()}{mark}")
    if record:
        try:
            with Engagement.edit(engagement_file) as current:
                current.record_known_redirects(live)
        except EngagementError as exc:
            fail_usage(str(exc))
        click.echo(f"Recorded {len(live)} redirects as known-good.", err=True)
    elif recorded_at is None:
        click.echo("No redirects are recorded as right yet; --record keeps these.", err=True)


@click.group("ci")
def ci() -> None:
    """Set up launchtui in continuous integration."""


@ci.command("init")
@engagement_argument
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(".github/workflows/launchtui.yml"),
    show_default=True,
)
@click.option("--force", is_flag=True, help="Replace an existing workflow file.")
def ci_init(engagement_file: Path, output: Path, force: bool) -> None:
    """Write a GitHub Actions workflow: check, scan --history to code scanning, smoke after
    deploys."""
    from .atomic import write_atomically
    from .ci import github_workflow

    engagement = load_engagement(engagement_file)
    if output.exists() and not force:
        fail_usage(f"{output} already exists; pass --force to replace it.")
    output.parent.mkdir(parents=True, exist_ok=True)
    relative = Path(engagement_file)
    write_atomically(output, github_workflow(engagement, relative.as_posix()).encode("utf-8"))
    click.echo(f"Wrote {output}: commit it to run the checks on every push and deploy.", err=True)
