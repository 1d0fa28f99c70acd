"""Exporting the handover documents: pick one and a format, see it, write it next to the
engagement (or wherever you say), and the change log notes when.

The preview is the Markdown rendering of the same data every format uses, so what you
read here is what the PDF says. PDFs are made in a worker thread: Typst takes a tenth of
a second, which a keypress should never wait for.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, Markdown, Select, Static

from ...engagement import Engagement
from ...handover.documents import DOCUMENTS, RENDERERS, ExportContext, formats_of, render
from ...runbook import Runbook, load_profiles
from ..actions import bindings
from ..saving import save_engagement
from .setup import SavingScreen

PREVIEW_FORMATS = {"handover": "md", "changes": "md"}  # monitors preview as their YAML
DOCUMENT_CHOICES = {
    "handover": "Handover checklist",
    "changes": "What changed",
    "monitors": "Monitors",
}


def default_path(engagement: Engagement, what: str, fmt: str) -> Path:
    """Beside the engagement, named after it: acme-handover.pdf, acme-gatus.yaml."""
    name = RENDERERS[(what, fmt)].file_name.lstrip(".")
    return engagement.path.parent / f"{engagement.path.stem}-{name}"


def last_exports(engagement: Engagement) -> list[str]:
    """For each document: when it was last exported, in which format, to which file."""
    lines = []
    for title in DOCUMENTS.values():
        logged = next(
            (c for c in reversed(engagement.changes) if c.what.startswith(f"Exported {title} ")),
            None,
        )
        when = (
            f"last exported {logged.at:%d %b %H:%M} by {logged.who}"
            if logged and logged.at
            else "not exported yet"
        )
        detail = logged.what.removeprefix(f"Exported {title} ").rstrip(".") if logged else ""
        lines.append(f"{title[0].upper()}{title[1:]}: {when}{' ' + detail if detail else ''}")
    return lines


class ExportScreen(SavingScreen):
    BINDINGS: ClassVar = bindings("export")

    def __init__(self, engagement: Engagement, runbook: Runbook) -> None:
        super().__init__(engagement)
        self.runbook = runbook

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="export"):
            with Vertical(id="export-form"):
                yield Label("Document")
                yield Select(
                    [(DOCUMENT_CHOICES[what], what) for what in DOCUMENTS],
                    value="handover",
                    allow_blank=False,
                    id="what",
                )
                yield Label("Format")
                yield Select(
                    self.format_options("handover"), value="pdf", allow_blank=False, id="format"
                )
                yield Label("Save to")
                yield Input(str(default_path(self.engagement, "handover", "pdf")), id="path")
                yield Button("Export", id="export-button", variant="primary")
                yield Static("", id="written", classes="dim")
            with VerticalScroll(id="preview-box"):
                yield Markdown("", id="preview")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Export · {self.engagement.apex}"
        self.sub_title = "ctrl+s exports · esc back"
        self.show_preview()

    def context(self) -> ExportContext:
        profile = load_profiles().get(self.engagement.profile)
        return ExportContext(
            self.engagement,
            self.runbook,
            profile,
            prepared=self.app.clock(),
            prepared_by=self.app.operator,
        )

    @staticmethod
    def format_options(what: str) -> list[tuple[str, str]]:
        return [(RENDERERS[(what, fmt)].label, fmt) for fmt in formats_of(what)]

    @property
    def choice(self) -> tuple[str, str]:
        return str(self.query_one("#what", Select).value), str(
            self.query_one("#format", Select).value
        )

    @on(Select.Changed, "#what")
    def document_chosen(self, event: Select.Changed) -> None:
        what = str(event.value)
        formats = self.query_one("#format", Select)
        options = self.format_options(what)
        formats.set_options(options)
        formats.value = "pdf" if "pdf" in formats_of(what) else options[0][1]
        self.show_preview()

    @on(Select.Changed, "#format")
    def format_chosen(self, _event: Select.Changed) -> None:
        what, fmt = self.choice
        if (what, fmt) in RENDERERS:
            self.query_one("#path", Input).value = str(default_path(self.engagement, what, fmt))

    def show_preview(self) -> None:
        what, _ = self.choice
        fmt = PREVIEW_FORMATS.get(what, "gatus")
        text = render(self.context(), what, fmt).decode("utf-8")
        if what not in PREVIEW_FORMATS:
            text = f"```yaml\n{text}```\n"
        self.query_one("#preview", Markdown).update(text)

    @on(Button.Pressed, "#export-button")
    def export_pressed(self) -> None:
        self.action_export()

    @on(Input.Submitted, "#path")
    def path_submitted(self) -> None:
        self.action_export()

    def action_export(self) -> None:
        what, fmt = self.choice
        target = Path(self.query_one("#path", Input).value.strip()).expanduser()
        if not str(target) or target.is_dir():
            self.notify("Give a file name to save to.", severity="error")
            return
        self.query_one("#written", Static).update(f"Writing {target.name}…")
        self.write_document(self.context(), what, fmt, target)

    @work(thread=True, group="export", exclusive=True, exit_on_error=False)
    def write_document(self, context: ExportContext, what: str, fmt: str, target: Path) -> None:
        from ...atomic import write_atomically

        try:
            data = render(context, what, fmt)
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(target, data)
        except Exception as exc:  # shown to the person; the app goes on
            self.app.call_from_thread(self.export_failed, target, exc)
            return
        self.app.call_from_thread(self.exported, what, fmt, target)

    def exported(self, what: str, fmt: str, target: Path) -> None:
        label = RENDERERS[(what, fmt)].label
        self.engagement.log(
            f"Exported {DOCUMENTS[what]} ({label}) to {target.name}.", stage="handover"
        )
        save_engagement(self, self.engagement)
        self.query_one("#written", Static).update(f"Written: {target}")
        self.notify(
            f"{DOCUMENTS[what][0].upper()}{DOCUMENTS[what][1:]} written to {target}.",
            title="Exported",
        )

    def export_failed(self, target: Path, error: Exception) -> None:
        reason = getattr(error, "strerror", None) or str(error)
        self.query_one("#written", Static).update(f"Not written: {reason}")
        self.notify(f"Could not write {target}: {reason}", severity="error", timeout=15)
