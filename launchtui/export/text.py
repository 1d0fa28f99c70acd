"""The human report: counts first, then the ranked risk list, then what was not checked.

A founder reads it top to bottom and should meet the most urgent problem first. The same
finding on several hosts is one item that lists them, a reason for not checking is shown
once with the checks and hosts it covers, and passes are counted at the end (listed with
`--verbose`). Check ids sit in their own column so they can be copied into suppressions.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..findings import Finding, Status, Tier
from . import Report
from .digest import (
    STATUS_ORDER,
    Item,
    accepted,
    counts_sentence,
    detail_lines,
    fold,
    passed,
    passes_by_check,
    risk_items,
    skipped_items,
    stage_rows,
)
from .evidence import new_evidence_rows

STATUS_STYLE = {
    Status.PASS: ("✓ pass", "green"),
    Status.WARN: ("! warn", "yellow"),
    Status.FAIL: ("✗ fail", "bold red"),
    Status.ERROR: ("? error", "magenta"),
    Status.SKIPPED: ("- skip", "dim"),
}
TIER_HEADINGS = {
    Tier.BLOCKER: "Blockers: fix before launch",
    Tier.IMPORTANT: "Important: fix this week",
    Tier.OPTIONAL: "Optional: worth doing",
}
DETAIL_LINES = 6  # of a problem's detail; the JSON report has all of it
STATUS_WIDTH = 7


def status_text(finding: Finding) -> Text:
    label, style = STATUS_STYLE[finding.status]
    if finding.suppressed:
        return Text(f"{label} (accepted)", style="dim")
    return Text(label, style=style)


def render_text(
    report: Report, *, color: bool = False, width: int = 100, verbose: bool = False
) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
    )
    findings = report.findings
    console.print(Text(f"launchtui · {report.target}", style="bold"))
    console.print(
        f"{report.started.strftime('%Y-%m-%d %H:%M UTC')} · {len(findings)} results: "
        f"{counts_sentence(findings)}"
    )
    if findings:
        console.print(_stage_table(report))
    where = report.target
    _print_risks(console, findings, where, verbose)
    _print_section(console, "Not checked", skipped_items(findings), where, verbose=False)
    _print_accepted(console, accepted(findings), where)
    _print_passes(console, findings, where, verbose)
    # Rich pads table cells to the full width; trailing blanks only get in a reader's way.
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))


def _stage_table(report: Report) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, padding=(0, 1))
    table.add_column("stage")
    for status in STATUS_ORDER:
        table.add_column(status.value, justify="right")
    for title, counts in stage_rows(report.findings, report.stage_titles):
        table.add_row(title, *(str(counts.get(status, "")) for status in STATUS_ORDER))
    return table


def _print_risks(console: Console, findings: list[Finding], where: str, verbose: bool) -> None:
    items = risk_items(findings)
    if not items:
        console.print()
        console.print(Text("No risks found by these checks.", style="bold green"))
        return
    for tier in Tier:
        in_tier = [item for item in items if item.tier is tier]
        _print_section(console, TIER_HEADINGS[tier], in_tier, where, verbose=verbose)


def _print_section(
    console: Console, heading: str, items: list[Item], where: str, *, verbose: bool
) -> None:
    if not items:
        return
    console.print()
    console.print(Text(f"{heading} ({len(items)})", style="bold"))
    grid = _grid(items)
    for item in items:
        _add_item(grid, item, where, verbose=verbose)
    console.print(grid)


def _grid(items: list[Item]) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, width=STATUS_WIDTH)
    grid.add_column(no_wrap=True, width=max(len(check) for item in items for check in item.checks))
    grid.add_column(ratio=1, overflow="fold")
    return grid


def _add_item(grid: Table, item: Item, report_target: str, *, verbose: bool) -> None:
    lead = item.lead
    text = Text(lead.summary)
    where = item.where(report_target)
    if where:
        text.append(f"\nOn: {where}", style="cyan")
    shown, more = detail_lines(lead, DETAIL_LINES)
    for line in shown:
        text.append(f"\n{line}", style="dim")
    if more:
        text.append(f"\n… {more} more line{'s' if more != 1 else ''} (--format json)", style="dim")
    if verbose:
        for label, value in new_evidence_rows(lead):
            text.append(f"\n{label}: {value}", style="dim")
    if lead.fix:
        text.append(f"\nFix: {lead.fix}", style="italic")
    grid.add_row(status_text(lead), "\n".join(item.checks), text)


def _print_accepted(console: Console, findings: list[Finding], report_target: str) -> None:
    if not findings:
        return
    console.print()
    items = fold(findings)
    console.print(Text(f"Accepted risks ({len(items)})", style="bold"))
    grid = _grid(items)
    for item in items:
        lead = item.lead
        label, _style = STATUS_STYLE[lead.status]
        text = Text(lead.summary)
        where = item.where(report_target)
        if where:
            text.append(f"\nOn: {where}", style="cyan")
        text.append(f"\nAccepted: {lead.suppressed}", style="italic")
        grid.add_row(Text(label, style="dim"), lead.check, text)
    console.print(grid)


def _print_passes(
    console: Console, findings: list[Finding], report_target: str, verbose: bool
) -> None:
    passes = passed(findings)
    if not passes:
        return
    if verbose:
        _print_section(console, "Passed", fold(passes), report_target, verbose=False)
        return
    console.print()
    tally = " · ".join(
        f"{check} ×{count}" if count > 1 else check for check, count in passes_by_check(passes)
    )
    console.print(
        Text.assemble((f"Passed ({len(passes)}, --verbose lists them): ", "bold"), (tally, "green"))
    )
