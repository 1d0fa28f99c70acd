"""How a stage's results read on screen: status cells, the detail pane, the risk list.

Plain functions from findings to Rich text, so the stage view only places them. They
use the same folding (`export.digest`) and evidence rows (`export.evidence`) as the
human reports, so the app and `launchtui check` say the same thing the same way.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

from rich.text import Text

from ...engagement import ChecklistMark
from ...export.digest import Item, risk_items, target_host
from ...export.evidence import new_evidence_rows
from ...export.text import STATUS_STYLE
from ...findings import Finding, Status, Tier
from ...runbook import ChecklistItem
from ...sprint import StageChecked, age_text

PROBLEM_ORDER = (Status.FAIL, Status.WARN, Status.ERROR)
TIER_TITLES = {Tier.BLOCKER: "Blockers", Tier.IMPORTANT: "Important", Tier.OPTIONAL: "Optional"}
TIER_STYLES = {Tier.BLOCKER: "bold red", Tier.IMPORTANT: "yellow", Tier.OPTIONAL: "dim"}
RISKS_PER_TIER = 5  # before "… and N more (m shows every risk)"


def status_cell(finding: Finding) -> Text:
    label, style = STATUS_STYLE[finding.status]
    if finding.suppressed:
        return Text("accepted", style="dim")
    return Text(label, style=style)


def where_cell(item: Item, limit: int) -> str:
    """One target, or how many hosts share the finding (the detail pane lists them)."""
    targets = item.targets
    if len(targets) > 1:
        hosts = list(dict.fromkeys(target_host(t) for t in targets))
        return f"{len(hosts)} hosts" if len(hosts) > 1 else clipped(hosts[0], limit)
    return clipped(targets[0], limit) if targets else ""


def clipped(text: str, limit: int) -> str:
    """Table cells stay one readable line; the detail pane shows the whole sentence."""
    return text if len(text) <= limit else text[: max(limit - 1, 1)].rstrip() + "…"


def checked_text(checked: StageChecked | None, now: dt.datetime) -> Text:
    """When the shown results were measured and whether that is too long ago to trust."""
    if checked is None:
        return Text("Not checked yet: r runs this stage's checks.", style="bold")
    text = Text()
    text.append(f"Checked {checked.oldest:%d %b %H:%M} UTC, {age_text(checked.oldest, now)}")
    if checked.newest - checked.oldest > dt.timedelta(minutes=5):
        text.append(f" (some checks {age_text(checked.newest, now)})")
    if checked.missing:
        text.append(f"; {checked.missing} not run yet")
    if checked.is_stale(now):
        text.append(". Stale: r re-runs this stage.", style="bold yellow")
    else:
        text.append(". r re-runs it.", style="dim")
    return text


def detail_text(item: Item | None, pending: str = "") -> Text:
    """Everything about one row: what, where, why, how to fix, and the evidence."""
    if item is None:
        return Text(pending or "This check has no result yet: r runs the stage.", style="dim")
    finding = item.lead
    text = Text()
    text.append_text(status_cell(finding))
    if finding.status is not Status.PASS:
        text.append(f"  {finding.severity.value}", style="bold")
    text.append(f"  {finding.check}\n", style="dim")
    text.append(finding.summary + "\n", style="bold")
    if len(item.targets) > 1:
        text.append(f"On {len(item.targets)} targets: ", style="bold")
        text.append(", ".join(item.targets) + "\n")
    elif item.targets and item.targets[0] not in finding.summary:
        text.append("Where: ", style="bold")
        text.append(item.targets[0] + "\n")
    if finding.suppressed:
        text.append(f"Accepted: {finding.suppressed}\n", style="italic")
    if finding.detail:
        text.append(finding.detail + "\n")
    if finding.fix:
        text.append("Fix: ", style="bold green")
        text.append(finding.fix + "\n")
    histogram = finding.evidence.get("histogram")
    if isinstance(histogram, dict):
        text.append_text(histogram_text(histogram))
    rows = new_evidence_rows(finding)
    if rows:
        heading = f"Evidence ({finding.target})" if len(item.targets) > 1 else "Evidence"
        text.append(heading + "\n", style="bold")
        for label, value in rows:
            text.append(f"  {label}: ", style="dim")
            text.append(value + "\n")
    for ref in finding.refs:
        text.append(f"→ {ref}\n", style="underline blue")
    text.rstrip()
    return text


def histogram_text(histogram: dict[str, Any]) -> Text:
    """Latency buckets as horizontal bars, drawn in the terminal."""
    counts = [int(c) for c in histogram.get("counts", [])]
    edges = histogram.get("edges_ms") or histogram.get("edges") or []
    if not counts:
        return Text()
    peak = max(counts) or 1
    text = Text("Latency histogram\n", style="bold")
    for index, count in enumerate(counts):
        low = edges[index] if index < len(edges) else index
        label = f"{low:>7.0f} ms " if isinstance(low, int | float) else f"{low!s:>10} "
        text.append(label, style="dim")
        text.append("█" * max(1 if count else 0, round(30 * count / peak)), style="cyan")
        text.append(f" {count}\n", style="dim")
    return text


def problem_counts(findings: list[Finding]) -> Text:
    """`17 to look at (12 fail, 3 warn, 2 error) · 80 pass · 2 accepted`: the same units
    the risk list's headings count (findings, a folded item counts once per target)."""
    problems = [f for f in findings if f.is_problem]
    by_status = {s: sum(1 for f in problems if f.status is s) for s in PROBLEM_ORDER}
    parts = ", ".join(f"{n} {s.value}" for s, n in by_status.items() if n)
    text = Text()
    text.append(f"{len(problems)} to look at", style="bold" if problems else "")
    if parts:
        text.append(f" ({parts})")
    passes = sum(1 for f in findings if f.status is Status.PASS and not f.suppressed)
    accepted = sum(1 for f in findings if f.suppressed)
    if passes:
        text.append(f" · {passes} pass")
    if accepted:
        text.append(f" · {accepted} accepted")
    return text


def risk_list_text(findings: list[Finding], *, show_all: bool) -> Text:
    """Every stage's problems, most urgent first, the same finding on several hosts once."""
    if not findings:
        return Text("Run the checks (R runs everything) to see the ranked risk list.", style="dim")
    items = risk_items(findings)
    if not items:
        return Text("No risks found by the checks so far.", style="bold green")
    text = Text()
    text.append("Across every stage: ", style="bold")
    text.append_text(problem_counts(findings))
    text.append("\n")
    hidden = 0
    for tier, grouped in groupby(items, key=lambda item: item.tier):
        assert tier is not None
        tier_items = list(grouped)
        count = sum(len(item.findings) for item in tier_items)
        text.append(f"{TIER_TITLES[tier]} ({count})\n", style=TIER_STYLES[tier])
        shown = tier_items if show_all else tier_items[:RISKS_PER_TIER]
        for item in shown:
            text.append(f"  • {item.lead.summary}")
            where = item.where()
            if len(item.findings) > 1 and where:
                text.append(f" — on {where}", style="dim")
            text.append("\n")
        if len(tier_items) > len(shown):
            hidden += len(tier_items) - len(shown)
            text.append(f"  … and {len(tier_items) - len(shown)} more\n", style="dim")
    if hidden:
        text.append("m shows every risk", style="dim italic")
    elif show_all and len(items) > RISKS_PER_TIER:
        text.append("m shows the top of each list", style="dim italic")
    text.rstrip()
    return text


def checklist_prompt(item: ChecklistItem, mark: ChecklistMark | None) -> Text:
    prompt = Text(item.text)
    if mark and mark.done:
        when = f" {mark.at:%d %b %H:%M}" if mark.at else ""
        prompt.append(f"  ✓ {mark.by}{when}", style="dim green")
    return prompt


def checklist_detail(item: ChecklistItem, mark: ChecklistMark | None) -> Text:
    """The highlighted item in full, with why it matters and who ticked it."""
    text = Text()
    text.append(item.text, style="bold")
    if item.why:
        text.append(f"\n{item.why}", style="dim")
    if mark and mark.done:
        when = f" on {mark.at:%d %b %Y at %H:%M} UTC" if mark.at else ""
        text.append(f"\nTicked by {mark.by}{when}.", style="green")
    return text
