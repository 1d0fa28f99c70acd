"""The human report: findings grouped by stage, then the ranked risk list."""

from __future__ import annotations

import io
from itertools import groupby

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..findings import Finding, Status, Tier, ranked_risks
from . import Report

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


def status_text(finding: Finding) -> Text:
    label, style = STATUS_STYLE[finding.status]
    if finding.suppressed:
        return Text(f"{label} (accepted)", style="dim")
    return Text(label, style=style)


def render_text(report: Report, *, color: bool = False, width: int = 100) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
    )
    console.print(Text(f"launchtui · {report.target}", style="bold"))
    order = list(report.stage_titles)
    by_stage = sorted(report.findings, key=lambda f: _stage_position(order, f.stage))
    for stage, findings in groupby(by_stage, key=lambda f: f.stage):
        console.print(_stage_table(report.stage_titles.get(stage, stage), list(findings)))
    _print_risks(console, report.findings)
    return buffer.getvalue()


def _stage_position(order: list[str], stage: str) -> int:
    return order.index(stage) if stage in order else len(order)


def _stage_table(title: str, findings: list[Finding]) -> Table:
    table = Table(
        title=title,
        title_justify="left",
        title_style="bold cyan",
        expand=True,
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
    )
    table.add_column("status", no_wrap=True, width=9)
    table.add_column("target", overflow="fold", max_width=30)
    table.add_column("finding", ratio=1)
    for finding in findings:
        summary = Text.assemble(finding.summary, (f"  {finding.check}", "dim"))
        table.add_row(status_text(finding), finding.target, summary)
    return table


def _print_risks(console: Console, findings: list[Finding]) -> None:
    risks = ranked_risks(findings)
    console.print()
    if not risks:
        console.print(Text("No risks found by these checks.", style="bold green"))
        return
    for tier, tier_findings in groupby(risks, key=lambda f: f.tier):
        assert tier is not None
        console.print(Text(TIER_HEADINGS[tier], style="bold"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        for finding in tier_findings:
            grid.add_row("•", Text.assemble(finding.summary, (f"  {finding.check}", "dim")))
            if finding.fix:
                grid.add_row("", Text(f"Fix: {finding.fix}", style="italic"))
        console.print(grid)
    suppressed = [f for f in findings if f.suppressed]
    if suppressed:
        console.print(Text(f"{len(suppressed)} finding(s) accepted by suppressions.", style="dim"))
