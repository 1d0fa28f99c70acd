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

if TYPE_CHECKING:
    from .handover.documents import ExportContext


@click.command("export")
@click.argument(
    "engagement_file", metavar="ENGAGEMENT", type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "--what",
    type=click.Choice(["handover", "changes", "monitors", "all"]),
    default="handover",
    show_default=True,
    help="handover: the one-page checklist; changes: what changed, for non-engineers; "
    "monitors: uptime checks as config; all: every document into --output DIR.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["md", "html", "pdf", "json", "gatus", "upptime"]),
    default="md",
    show_default=True,
)
@click.option(
    "--output", type=click.Path(path_type=Path), help="A file, or a folder with --what all."
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
    output: Path | None,
    template_dir: Path | None,
) -> None:
    """Write the handover checklist, the "what changed" summary or the monitors."""
    from .cli import fail_usage
    from .handover.documents import (
        BINARY_FORMATS,
        RENDERERS,
        ExportError,
        every_document,
        render,
        valid_combinations,
    )

    wanted = every_document(output_format) if what == "all" else [(what, output_format)]
    if not wanted or any(combination not in RENDERERS for combination in wanted):
        fail_usage(
            f"--what {what} --format {output_format} is not a document; valid: "
            f"{valid_combinations()}."
        )
    if what == "all" and output is None:
        fail_usage("--what all writes several files: give a folder with --output DIR.")
    if output is None and output_format in BINARY_FORMATS:
        fail_usage(f"a {output_format.upper()} goes to a file: add --output FILE.")
    context = _context(engagement_file, template_dir)
    written = []
    for document, fmt in wanted:
        try:
            data = render(context, document, fmt)
        except ExportError as exc:
            fail_usage(str(exc))
        except Exception as exc:  # a template's own error: name it, never a traceback
            from .handover.render import RenderError

            if not isinstance(exc, RenderError):
                raise
            fail_usage(str(exc))
        target = output / RENDERERS[(document, fmt)].file_name if what == "all" else output
        if target is None:
            sys.stdout.write(data.decode("utf-8"))
            continue
        _write(target, data)
        written.append((document, fmt, target))
    if written:
        _note_exports(context, written)


def _context(path: Path, template_dir: Path | None) -> ExportContext:
    from .cli import fail_usage
    from .engagement import Engagement, EngagementError
    from .handover.documents import ExportContext
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


def _write(target: Path, data: bytes) -> None:
    from .atomic import WriteRefused, write_atomically
    from .cli import fail_usage

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, data)
    except WriteRefused as exc:
        fail_usage(str(exc))
    except OSError as exc:
        fail_usage(f"cannot write {target}: {exc.strerror or exc}.")
    click.echo(f"Wrote {target}", err=True)


def _note_exports(context: ExportContext, written: list[tuple[str, str, Path]]) -> None:
    """Log each export in the engagement; a read-only engagement only gets a note."""
    from .engagement import Engagement, EngagementError
    from .handover.documents import DOCUMENTS, RENDERERS

    try:
        with Engagement.edit(context.engagement.path) as engagement:
            for document, fmt, target in written:
                label = RENDERERS[(document, fmt)].label
                engagement.log(
                    f"Exported {DOCUMENTS[document]} ({label}) to {target.name}.", stage="handover"
                )
    except EngagementError as exc:
        click.echo(f"launchtui: note: the export was not logged ({exc}).", err=True)
