"""`launchtui export`: the handover documents, headless.

    launchtui export ENGAGEMENT --what handover|changes|monitors|all
                     --format md|html|pdf|json|gatus|upptime [--output PATH] [--template-dir DIR]

One document goes to `--output FILE`, or to stdout for text formats; `--what all` writes
every document in that format into `--output DIR` (plus the monitors as Gatus and Upptime
config). Exit codes as for `check`: 0 written, 2 usage or input error. Each export is
noted in the engagement's change log, which is how the app shows when each document was
last exported.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .cli_common import checked_output, emit, engagement_argument, fail_usage
from .handover.documents import (
    BINARY_FORMATS,
    DOCUMENTS,
    FORMATS,
    RENDERERS,
    ExportContext,
    ExportError,
    every_document,
    render,
    valid_combinations,
)

if TYPE_CHECKING:
    from .output import Output


@click.command("export")
@engagement_argument
@click.option(
    "--what",
    type=click.Choice([*DOCUMENTS, "all"]),
    default="handover",
    show_default=True,
    help="".join(f"{what}: {title}; " for what, title in DOCUMENTS.items())
    + "all: every document into --output DIR.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="md",
    show_default=True,
)
@click.option(
    "--output",
    type=click.Path(allow_dash=True),
    metavar="PATH",
    help="A file (- for stdout), or a folder with --what all.",
)
@click.option(
    "--template-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Your own copies of templates (and plain-language.toml) to use first.",
)
def export(
    engagement_file: Path,
    what: str,
    output_format: str,
    output: str | None,
    template_dir: Path | None,
) -> None:
    """Write the handover checklist, the "what changed" summary or the monitors."""
    from .handover.render import RenderError  # shutil and tempfile: not for `launchtui --help`

    wanted = every_document(output_format) if what == "all" else [(what, output_format)]
    if not wanted or any(combination not in RENDERERS for combination in wanted):
        fail_usage(
            f"--what {what} --format {output_format} is not a document; valid: "
            f"{valid_combinations()}."
        )
    if what == "all" and output in (None, "-"):
        fail_usage("--what all writes several files: give a folder with --output DIR.")
    if output in (None, "-") and output_format in BINARY_FORMATS and sys.stdout.isatty():
        fail_usage(f"a {output_format.upper()} goes to a file: add --output FILE.")
    folder = Path(output) if what == "all" and output is not None else None
    single = None if folder is not None else checked_output(output)
    context = _context(engagement_file, template_dir)
    written = []
    for document, fmt in wanted:
        try:
            data = render(context, document, fmt)
        except (ExportError, RenderError) as exc:  # a template's own error is named too
            fail_usage(str(exc))
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            destination = checked_output(str(folder / RENDERERS[(document, fmt)].file_name))
        else:
            assert single is not None
            destination = single
        _write(destination, data)
        if destination.path is not None:
            written.append((document, fmt, destination.path))
    if written:
        _note_exports(context, written)


def _context(path: Path, template_dir: Path | None) -> ExportContext:
    from .engagement import Engagement, EngagementError
    from .handover.plain import PlainLanguageError
    from .runbook import RunbookError, load_profiles, runbook_by_id
    from .settings import operator_name

    try:
        engagement = Engagement.load(path)
        runbook = runbook_by_id(engagement.runbook)
        profile = load_profiles().get(engagement.profile)
    except (EngagementError, RunbookError) as exc:
        fail_usage(str(exc))
    context = ExportContext(
        engagement,
        runbook,
        profile,
        prepared=dt.datetime.now(dt.UTC),
        prepared_by=operator_name(),
        template_dir=template_dir,
    )
    try:
        _ = context.words
    except PlainLanguageError as exc:
        fail_usage(str(exc))
    return context


def _write(destination: Output, data: bytes) -> None:
    emit(data, destination)
    if destination.path is not None:
        click.echo(f"Wrote {destination.shown}", err=True)


def _note_exports(context: ExportContext, written: list[tuple[str, str, Path]]) -> None:
    """Log each export in the engagement; a read-only engagement only gets a note."""
    from .engagement import Engagement, EngagementError

    try:
        with Engagement.edit(context.engagement.path) as engagement:
            for document, fmt, target in written:
                label = RENDERERS[(document, fmt)].label
                engagement.log(
                    f"Exported {DOCUMENTS[document]} ({label}) to {target.name}.", stage="handover"
                )
    except EngagementError as exc:
        click.echo(f"launchtui: note: the export was not logged ({exc}).", err=True)
