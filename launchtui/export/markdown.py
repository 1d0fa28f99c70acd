"""A Markdown report from a Jinja2 template, for pasting into the founder's docs.

The template lays out; this module decides what goes in, the same way the text report
does (`digest`): counts, the risk list with repeats folded, what was not checked, then
every result in one table.
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..findings import Finding, Tier
from ..resources import templates_dir
from . import Report
from .digest import (
    STATUS_ORDER,
    Item,
    accepted,
    counts_sentence,
    fold,
    risk_items,
    skipped_items,
    stage_rows,
)
from .evidence import new_evidence_rows

TIER_HEADINGS = {
    Tier.BLOCKER: "Blockers — fix before launch",
    Tier.IMPORTANT: "Important — fix this week",
    Tier.OPTIONAL: "Optional — worth doing",
}


@dataclass(frozen=True, slots=True)
class Entry:
    """One list item as the template shows it."""

    lead: Finding
    checks: list[str]
    where: str
    detail: list[tuple[int, str]]  # (nesting depth, line): the detail's own indentation kept
    evidence: list[tuple[str, str]]


def render_markdown(report: Report) -> str:
    environment = Environment(
        loader=FileSystemLoader(templates_dir()),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = environment.get_template("report.md.j2")
    findings = report.findings
    items = risk_items(findings)
    tiers = [
        (TIER_HEADINGS[tier], [_entry(item, report.target) for item in items if item.tier is tier])
        for tier in Tier
    ]
    return template.render(
        report=report,
        counts=counts_sentence(findings),
        statuses=[status.value for status in STATUS_ORDER],
        stages=[
            (title, [counts.get(status, "") for status in STATUS_ORDER])
            for title, counts in stage_rows(findings, report.stage_titles)
        ],
        tiers=[(heading, entries) for heading, entries in tiers if entries],
        skipped=[_entry(item, report.target) for item in skipped_items(findings)],
        accepted=[_entry(item, report.target) for item in fold(accepted(findings))],
        cell=_cell,
    )


def _entry(item: Item, report_target: str) -> Entry:
    lead = item.lead
    return Entry(
        lead=lead,
        checks=item.checks,
        where=item.where(report_target),
        detail=[
            ((len(line) - len(line.lstrip(" "))) // 2, line.strip())
            for line in lead.detail.splitlines()
            if line.strip()
        ],
        evidence=new_evidence_rows(lead),
    )


def _cell(text: str) -> str:
    """Text safe inside a table cell: pipes escaped, line breaks as spaces."""
    return " ".join(text.replace("|", "\\|").split())
