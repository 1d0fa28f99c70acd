"""Turning a run's findings into text, JSON, Markdown, SARIF or JUnit; no UI code lives here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..findings import Finding

FORMATS = ("text", "json", "markdown", "sarif", "junit")


@dataclass(frozen=True, slots=True)
class Report:
    """A finished run as the exporters see it."""

    target: str
    started: datetime
    finished: datetime
    findings: list[Finding]
    stage_titles: dict[str, str]  # stage id -> title, in runbook order


def render(
    report: Report,
    format: str,
    *,
    color: bool = False,
    width: int = 100,
    artifact: str | None = None,
    verbose: bool = False,
) -> str:
    """`artifact` anchors non-file SARIF results (the engagement file, when there is one);
    `verbose` lists passes and evidence in the text report (they are counted otherwise)."""
    if format == "sarif":
        from .sarif import render_sarif

        return render_sarif(report, artifact=artifact)
    if format == "junit":
        from .junit import render_junit

        return render_junit(report)
    if format == "json":
        from .json import render_json

        return render_json(report)
    if format == "markdown":
        from .markdown import render_markdown

        return render_markdown(report)
    from .text import render_text

    return render_text(report, color=color, width=width, verbose=verbose)
