"""Every handover document in every format, from one registry.

A document (handover, changes, monitors) is plain data built once per export; a format
turns it into bytes: Markdown and HTML through the Jinja2 templates in `templates/`, PDF
through Typst (`templates/*.typ`, the data passed as JSON so nothing needs escaping),
JSON as is, and the monitor configs as YAML. The CLI's choices and the app's export
screen both come from `RENDERERS`, so adding a format is one entry and one template.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import resources

if TYPE_CHECKING:  # the builders load when a document is made: `launchtui --help` stays quick
    from ..engagement import Engagement
    from ..runbook import Profile, Runbook
    from .changes import WhatChanged
    from .plain import PlainLanguage

DOCUMENTS = {
    "handover": "the one-page handover checklist",
    "changes": 'the "what changed" summary',
    "monitors": "uptime monitors as config",
}


class ExportError(Exception):
    """A document cannot be made; the message says why in one line."""


@dataclass
class ExportContext:
    """What every document is made from; each document is built at most once."""

    engagement: Engagement
    runbook: Runbook
    profile: Profile | None
    prepared: dt.datetime
    prepared_by: str
    template_dir: Path | None = None
    system_fonts: bool = True  # False: only the bundled fonts (reproducible tests)

    @cached_property
    def words(self) -> PlainLanguage:
        from .plain import load_plain_language

        folder = self.template_dir
        if folder is None or not (folder / "plain-language.toml").is_file():
            folder = resources.templates_dir()
        return load_plain_language(folder)

    @cached_property
    def handover(self) -> dict[str, Any]:
        from .checklist import handover_document

        return handover_document(
            self.engagement,
            self.runbook,
            self.profile,
            self.words,
            prepared=self.prepared,
            prepared_by=self.prepared_by,
        )

    @cached_property
    def units(self) -> dict[tuple[str, str], str]:
        """(check, metric) -> unit, as the checks declare them; loading the checks takes
        half a second, so only the documents that compare numbers pay for it."""
        from ..checks import all_checks

        return {
            (spec.id, metric): unit
            for spec in all_checks().values()
            for metric, unit in spec.metrics.items()
        }

    @cached_property
    def changes(self) -> WhatChanged:
        from .changes import what_changed

        return what_changed(self.engagement, self.units)

    @cached_property
    def summary(self) -> dict[str, Any]:
        from .narrative import summary_document

        return summary_document(
            self.engagement,
            self.changes,
            self.words,
            prepared=self.prepared,
            prepared_by=self.prepared_by,
        )

    @property
    def source(self) -> str:
        return self.engagement.path.name


@dataclass(frozen=True)
class Renderer:
    file_name: str  # its name when every document is written to a folder
    make: Callable[[ExportContext], bytes]
    label: str  # how people name the format: "PDF"


def _text(make: Callable[[ExportContext], str]) -> Callable[[ExportContext], bytes]:
    return lambda context: make(context).encode("utf-8")


def _json(data: Callable[[ExportContext], Any]) -> Callable[[ExportContext], bytes]:
    return _text(lambda context: json.dumps(data(context), indent=2, ensure_ascii=False) + "\n")


def _template(name: str, data: Callable[[ExportContext], Any]) -> Callable[[ExportContext], bytes]:
    def make(context: ExportContext) -> str:
        from .render import render_template

        return render_template(name, data(context), context.template_dir)

    return _text(make)


def _typst(name: str, data: Callable[[ExportContext], Any]) -> Callable[[ExportContext], bytes]:
    def make(context: ExportContext) -> bytes:
        from .render import render_pdf

        return render_pdf(
            name,
            data(context),
            template_dir=context.template_dir,
            timestamp=context.prepared,
            system_fonts=context.system_fonts,
        )

    return make


def _monitors(config_name: str) -> Callable[[ExportContext], bytes]:
    """A monitor config by its builder's name in `monitors.py`."""

    def make(context: ExportContext) -> str:
        from . import monitors

        config: Callable[..., str] = getattr(monitors, config_name)
        return config(
            context.engagement, context.profile, generated=context.prepared, source=context.source
        )

    return _text(make)


def _handover(context: ExportContext) -> Any:
    return context.handover


def _summary(context: ExportContext) -> Any:
    return context.summary


RENDERERS: dict[tuple[str, str], Renderer] = {
    ("handover", "md"): Renderer("handover.md", _template("handover.md.j2", _handover), "Markdown"),
    ("handover", "html"): Renderer(
        "handover.html", _template("handover.html.j2", _handover), "HTML"
    ),
    ("handover", "pdf"): Renderer("handover.pdf", _typst("handover.typ", _handover), "PDF"),
    ("handover", "json"): Renderer("handover.json", _json(_handover), "JSON"),
    ("changes", "md"): Renderer(
        "what-changed.md", _template("changes.md.j2", _summary), "Markdown"
    ),
    ("changes", "html"): Renderer(
        "what-changed.html", _template("changes.html.j2", _summary), "HTML"
    ),
    ("changes", "pdf"): Renderer("what-changed.pdf", _typst("changes.typ", _summary), "PDF"),
    ("changes", "json"): Renderer(
        "what-changed.json", _json(lambda context: context.changes.to_dict()), "JSON"
    ),
    ("monitors", "gatus"): Renderer("gatus.yaml", _monitors("gatus_config"), "Gatus YAML"),
    ("monitors", "upptime"): Renderer(
        ".upptimerc.yml", _monitors("upptime_config"), "Upptime YAML"
    ),
}
FORMATS = tuple(dict.fromkeys(fmt for _, fmt in RENDERERS))
BINARY_FORMATS = ("pdf",)


def formats_of(what: str) -> list[str]:
    return [fmt for (document, fmt) in RENDERERS if document == what]


def valid_combinations() -> str:
    """One line per document: `handover: md, html, pdf, json`."""
    return "; ".join(f"{what}: {', '.join(formats_of(what))}" for what in DOCUMENTS)


def render(context: ExportContext, what: str, fmt: str) -> bytes:
    renderer = RENDERERS.get((what, fmt))
    if renderer is None:
        raise ExportError(f"there is no {what} document as {fmt}; valid: {valid_combinations()}")
    return renderer.make(context)


def every_document(fmt: str) -> list[tuple[str, str]]:
    """What `--what all` writes for a format: each document that has it; the monitors in
    both their formats when the format is one of the documents' own."""
    chosen = [(what, f) for (what, f) in RENDERERS if f == fmt]
    if fmt in formats_of("handover"):
        chosen += [(what, f) for (what, f) in RENDERERS if what == "monitors"]
    return chosen
