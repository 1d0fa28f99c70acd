"""Turning a run's findings into text, JSON, Markdown, SARIF or JUnit; no UI code lives here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from ..findings import Finding
from ..urls import redact_urls_in


@dataclass(frozen=True, slots=True)
class Report:
    """A finished run as the exporters see it."""

    target: str
    started: datetime
    finished: datetime
    findings: list[Finding]
    stage_titles: dict[str, str]  # stage id -> title, in runbook order


@dataclass(frozen=True, slots=True)
class RenderSettings:
    color: bool = False
    width: int = 100
    artifact: str | None = None  # what SARIF anchors non-file results to
    verbose: bool = False


@dataclass(frozen=True, slots=True)
class ReportFormat:
    """One way to write a report: the CLI's `--format` choices come from these."""

    name: str
    describe: str
    render: Callable[[Report, RenderSettings], str]
    for_scans: bool = True  # offered by `scan` too (Markdown is a sprint report)


def _text(report: Report, settings: RenderSettings) -> str:
    from .text import render_text

    return render_text(report, color=settings.color, width=settings.width, verbose=settings.verbose)


def _json(report: Report, _settings: RenderSettings) -> str:
    from .json import render_json

    return render_json(report)


def _markdown(report: Report, _settings: RenderSettings) -> str:
    from .markdown import render_markdown

    return render_markdown(report)


def _sarif(report: Report, settings: RenderSettings) -> str:
    from .sarif import render_sarif

    return render_sarif(report, artifact=settings.artifact)


def _junit(report: Report, _settings: RenderSettings) -> str:
    from .junit import render_junit

    return render_junit(report)


REPORT_FORMATS: dict[str, ReportFormat] = {
    fmt.name: fmt
    for fmt in (
        ReportFormat("text", "a report to read: counts, ranked risks, then the rest", _text),
        ReportFormat("json", "the stable contract for scripts", _json),
        ReportFormat("markdown", "the report to paste into a document", _markdown, False),
        ReportFormat("sarif", "SARIF 2.1.0 for code-scanning dashboards", _sarif),
        ReportFormat("junit", "a CI test report", _junit),
    )
}
FORMATS = tuple(REPORT_FORMATS)


def formats_for(*, scans: bool = False) -> list[str]:
    return [name for name, fmt in REPORT_FORMATS.items() if fmt.for_scans or not scans]


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
    settings = RenderSettings(color=color, width=width, artifact=artifact, verbose=verbose)
    return REPORT_FORMATS[format].render(without_credentials(report), settings)


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
