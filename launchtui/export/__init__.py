"""Turning a run's findings into text, JSON, Markdown, SARIF or JUnit; no UI code lives here."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from ..findings import Finding
from ..urls import redact_urls_in

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
    `verbose` lists passes and evidence in the text report (they are counted otherwise).

    Every format gets the findings with passwords and tokens taken out of their URLs
    first (a route may be listed as `https://user:pw@host/…?token=…`): reports are pasted
    into tickets and kept as CI artifacts, so no renderer is trusted to remember."""
    report = without_credentials(report)
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


def without_credentials(report: Report) -> Report:
    """The report with every URL in its findings redacted (`urls.redact_url`)."""
    return replace(
        report,
        target=redact_urls_in(report.target),
        findings=[_finding_without_credentials(finding) for finding in report.findings],
    )


def _finding_without_credentials(finding: Finding) -> Finding:
    return replace(
        finding,
        target=redact_urls_in(finding.target),
        summary=redact_urls_in(finding.summary),
        detail=redact_urls_in(finding.detail),
        fix=redact_urls_in(finding.fix),
        evidence=_evidence_without_credentials(finding.evidence),
        suppressed=finding.suppressed and redact_urls_in(finding.suppressed),
    )


def _evidence_without_credentials(value: Any) -> Any:
    """Evidence is whatever a check measured: text, numbers, lists and tables of them."""
    if isinstance(value, str):
        return redact_urls_in(value)
    if isinstance(value, dict):
        return {key: _evidence_without_credentials(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_evidence_without_credentials(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_evidence_without_credentials(item) for item in value)
    return value
