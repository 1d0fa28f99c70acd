"""One headless audit from start to finish: target in, report out.

Shared by `launchtui check` and anything else that audits without the UI, so the
way a target is read, checks are chosen and suppressions applied is one code path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .checks import CheckSpec, all_checks
from .context import CheckContext, context_for_domain, context_for_engagement
from .domains import DomainError, parse_domain
from .engagement import Engagement, EngagementError, Suppression
from .engine import ProgressCallback, run_checks
from .export import Report
from .findings import Finding
from .resolver import Resolver, parse_nameserver
from .runbook import Runbook, RunbookError, load_profiles, load_runbooks


class CheckRequestError(Exception):
    """The request cannot run (bad target, stage or option); the message is for the user."""


@dataclass
class CheckRequest:
    target: str  # an engagement file or a bare domain
    stages: list[str] = field(default_factory=list)
    nameservers: list[str] = field(default_factory=list)
    ca_bundle: Path | None = None
    timeout: float = 10.0
    active_probes: bool = True
    notes: list[str] = field(default_factory=list)  # what we changed about the input


async def run_check_request(
    request: CheckRequest, *, progress: ProgressCallback | None = None
) -> Report:
    engagement = _engagement_or_none(request.target)
    runbook = _runbook(engagement.runbook if engagement else "launch-ready")
    specs = select_checks(runbook, request.stages, active_probes=request.active_probes)
    context = await _context(request, engagement)
    try:
        result = await run_checks(
            context, specs, time_limit=max(30.0, request.timeout * 6), on_progress=progress
        )
    finally:
        await context.aclose()
    suppressions = engagement.suppressions if engagement else []
    return Report(
        target=engagement.apex if engagement else context.apex,
        started=result.started,
        finished=result.finished,
        findings=apply_suppressions(result.findings, suppressions),
        stage_titles={stage.id: stage.title for stage in runbook.stages},
    )


def select_checks(
    runbook: Runbook, stage_ids: list[str], *, active_probes: bool
) -> list[CheckSpec]:
    """The runbook's checks for these stages (all stages when none), each once, in order."""
    try:
        stages = [runbook.stage(s) for s in stage_ids] if stage_ids else list(runbook.stages)
    except RunbookError as exc:
        raise CheckRequestError(str(exc)) from None
    available = all_checks()
    wanted = dict.fromkeys(check for stage in stages for check in stage.checks)
    return [
        available[check_id]
        for check_id in wanted
        if check_id in available and (active_probes or not available[check_id].active)
    ]


def apply_suppressions(findings: list[Finding], suppressions: list[Suppression]) -> list[Finding]:
    def accepted(finding: Finding) -> Finding:
        for suppression in suppressions:
            if suppression.matches(finding):
                return finding.suppressed_because(suppression.reason)
        return finding

    return [accepted(finding) for finding in findings]


def _engagement_or_none(target: str) -> Engagement | None:
    path = Path(target)
    if path.suffix.lower() == ".toml" or path.is_file():
        try:
            return Engagement.load(path)
        except EngagementError as exc:
            raise CheckRequestError(str(exc)) from None
    return None


def _runbook(runbook_id: str) -> Runbook:
    try:
        runbooks = load_runbooks()
    except RunbookError as exc:
        raise CheckRequestError(str(exc)) from None
    if runbook_id not in runbooks:
        raise CheckRequestError(
            f"runbook {runbook_id!r} not found; available: {', '.join(runbooks)}"
        )
    return runbooks[runbook_id]


async def _context(request: CheckRequest, engagement: Engagement | None) -> CheckContext:
    nameserver_texts = request.nameservers or (engagement.nameservers if engagement else [])
    try:
        nameservers = [parse_nameserver(text) for text in nameserver_texts]
    except ValueError as exc:
        raise CheckRequestError(f"--nameserver: {exc}") from None
    if request.ca_bundle is not None and not request.ca_bundle.is_file():
        raise CheckRequestError(f"--ca-bundle: {request.ca_bundle} is not a readable file.")
    resolver = Resolver(nameservers, timeout=request.timeout)
    settings = {
        "ca_bundle": request.ca_bundle,
        "timeout": request.timeout,
        "active_probes": request.active_probes,
    }
    if engagement is not None:
        profile = load_profiles().get(engagement.profile)
        return context_for_engagement(engagement, resolver, profile=profile, **settings)
    try:
        domain = parse_domain(request.target)
    except DomainError as exc:
        raise CheckRequestError(str(exc)) from None
    request.notes.extend(domain.notes)
    return await context_for_domain(domain, resolver, **settings)
