"""Turning a run's findings into text, JSON or Markdown; no UI code lives here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..findings import Finding

FORMATS = ("text", "json", "markdown")


@dataclass(frozen=True, slots=True)
class Report:
    """A finished run as the exporters see it."""

    target: str
    started: datetime
    finished: datetime
    findings: list[Finding]
    stage_titles: dict[str, str]  # stage id -> title, in runbook order


def render(report: Report, format: str, *, color: bool = False, width: int = 100) -> str:
    if format == "json":
        from .json import render_json

        return render_json(report)
    if format == "markdown":
        from .markdown import render_markdown

        return render_markdown(report)
    from .text import render_text

    return render_text(report, color=color, width=width)
