"""What every `launchtui` subcommand shares: exit codes, one-line usage errors, the
common options, reading an engagement, and writing a report where `--output` says.

It sits apart from cli.py so the subcommand modules (secrets, runbooks, history, export)
import it at the top instead of reaching back into the command group that imports them.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from .findings import Severity

if TYPE_CHECKING:
    from .engagement import Engagement
    from .output import Output

Command = TypeVar("Command", bound=Callable[..., Any])


class ExitCode(IntEnum):
    OK = 0  # nothing at or above --fail-on failed
    FINDINGS = 1  # something at or above --fail-on failed (or could not be checked)
    USAGE = 2  # bad arguments or unreadable input


def fail_usage(message: str) -> NoReturn:
    click.echo(f"launchtui: {message}", err=True)
    sys.exit(ExitCode.USAGE)


def engagement_argument(function: Command) -> Command:
    return click.argument(
        "engagement_file", metavar="ENGAGEMENT", type=click.Path(dir_okay=False, path_type=Path)
    )(function)


def format_option(*formats: str) -> Callable[[Command], Command]:
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(formats)),
        default="text",
        show_default=True,
    )


OUTPUT_OPTION = click.option(
    "--output",
    type=click.Path(allow_dash=True),
    metavar="FILE",
    help="Write the report here instead of stdout (- is stdout). A file is replaced "
    "atomically; a device or pipe is written in place, never replaced.",
)
FAIL_ON_OPTION = click.option(
    "--fail-on",
    type=click.Choice([s.value for s in Severity]),
    default="high",
    show_default=True,
    help="Exit 1 when a finding at or above this severity fails.",
)


class FiniteFloatRange(click.FloatRange):
    """click's FloatRange lets `nan` through (every comparison with it is false); a time
    limit or a size of nan would then disable the limit or crash far from the option."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a number.", param, ctx)
        return number


def load_engagement(path: Path) -> Engagement:
    """The engagement as it is now, read only (no lock needed); a broken file is exit 2."""
    from .engagement import Engagement, EngagementError

    try:
        return Engagement.load(path)
    except EngagementError as exc:
        fail_usage(str(exc))


def checked_output(output: str | None) -> Output:
    """Check `--output` before the run, so a long run is not wasted on a bad path."""
    from .output import OutputError, output_to

    try:
        return output_to(output)
    except OutputError as exc:
        fail_usage(str(exc))


def emit(content: str | bytes, destination: Output) -> None:
    """Write a report where `--output` said; a failure is one line and exit 2."""
    from .output import OutputError, write_output

    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        write_output(destination, data)
    except OutputError as exc:
        fail_usage(str(exc))
