"""`launchtui log`, `launchtui history` and `launchtui operator`: what happened, headless.

The change log answers "who did what, when"; the run history answers "what was checked
when, and what did it find". Both read the engagement file only, so they work on a
read-only checkout. `history --pin` and `operator NAME` are the two that write.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from .engagement.history import Run

from .cli_common import engagement_argument, fail_usage, format_option, load_engagement


@click.command("log")
@engagement_argument
@click.option("--stage", default=None, metavar="ID", help="Only changes about this stage.")
@click.option("--who", default=None, metavar="NAME", help="Only changes by this person.")
@format_option("text", "json")
def log(engagement_file: Path, stage: str | None, who: str | None, output_format: str) -> None:
    """Show the engagement's change log: every edit and run, with who, when and how."""
    engagement = load_engagement(engagement_file)
    changes = [
        change
        for change in engagement.changes
        if (stage is None or change.stage == stage)
        and (who is None or change.who.casefold() == who.casefold())
    ]
    if output_format == "json":
        click.echo(
            json.dumps([change.to_dict() for change in changes], indent=2, ensure_ascii=False)
        )
        return
    if not changes:
        click.echo("No changes match.", err=True)
        return
    for change in changes:
        at = f"{change.at:%Y-%m-%d %H:%M}" if change.at else "?"
        where = f" [{change.stage}]" if change.stage else ""
        click.echo(f"{at}  {change.who or '?'} ({change.via or '?'}){where}  {change.what}")


@click.command("history")
@engagement_argument
@click.option(
    "--pin",
    metavar="RUN",
    default=None,
    help="Compare later runs with this run: its number in the list, or its id.",
)
@click.option("--unpin", is_flag=True, help="Go back to the first complete run as the baseline.")
@format_option("text", "json")
def history(engagement_file: Path, pin: str | None, unpin: bool, output_format: str) -> None:
    """List the runs filed in the engagement, and choose the baseline later runs are
    compared with (the first complete run unless one is pinned)."""
    from .engagement import Engagement, EngagementError

    if pin is not None and unpin:
        fail_usage("choose one of --pin and --unpin.")
    if pin is not None or unpin:
        try:
            with Engagement.edit(engagement_file) as engagement:
                run_id = None if unpin else _run_id(engagement.runs, pin or "")
                engagement.pin_baseline(run_id)
        except EngagementError as exc:
            fail_usage(str(exc))
        click.echo("Baseline unpinned." if unpin else f"Baseline pinned: run {run_id}.", err=True)
    engagement = load_engagement(engagement_file)
    runs, baseline = engagement.runs, engagement.baseline
    if output_format == "json":
        rows = [
            {
                "number": number,
                "id": run.id,
                "at": run.at.isoformat(),
                "who": run.who,
                "via": run.via,
                "scope": run.scope,
                "complete": run.complete,
                "seconds": run.seconds,
                "counts": run.counts,
                "baseline": baseline is not None and run.id == baseline.id,
            }
            for number, run in enumerate(runs, start=1)
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not runs:
        click.echo(f"No runs filed yet; `launchtui check {engagement_file}` files one.", err=True)
        return
    for number, run in enumerate(runs, start=1):
        marker = "  ← baseline" if baseline is not None and run.id == baseline.id else ""
        counts = ", ".join(f"{n} {status}" for status, n in run.counts.items())
        click.echo(f"{number:>3}  {run.describe()}  ({counts}){marker}")


@click.command("operator")
@click.argument("name", required=False)
def operator(name: str | None) -> None:
    """Show or set your name as the change log records it (kept in your config folder)."""
    from .settings import config_file, configured_operator, operator_name, remember_operator

    if name is None:
        configured = configured_operator()
        click.echo(operator_name())
        if not configured:
            click.echo(
                "launchtui: note: not set, so your login name is used; set it with "
                '`launchtui operator "Your Name"`.',
                err=True,
            )
        return
    if not name.strip() or not name.isprintable():
        fail_usage('give a name, e.g. launchtui operator "Dana Lee".')
    remember_operator(name)
    click.echo(
        f"The change log will record you as {name.strip()} (kept in {config_file()}).", err=True
    )


def _run_id(runs: list[Run], wanted: str) -> str:
    """A run named by its number in `history`'s list, or by its id."""
    if wanted.isdigit() and 1 <= int(wanted) <= len(runs):
        return str(runs[int(wanted) - 1].id)
    for run in runs:
        if run.id == wanted:
            return wanted
    fail_usage(f"no run {wanted!r}; `launchtui history FILE` lists them (1–{len(runs)}).")
