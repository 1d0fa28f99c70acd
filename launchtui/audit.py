"""Running audits without the UI knowing how: target in, report out.

`launchtui check` and the TUI both come through here, so the way a target is
read, checks are chosen and suppressions applied is one code path.
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .cabundle import ca_bundle_problem
from .checks import CheckSpec, all_checks
from .context import CheckContext, Host, context_for_domain
from .domains import DomainError, parse_domain
from .engagement import (
    Engagement,
    EngagementError,
    RunRecord,
    Suppression,
    apply_suppressions,
)
from .engine import ProgressCallback, run_checks
from .export import Report
from .resolver import Resolver, parse_nameserver
from .runbook import (
    Profile,
    Runbook,
    RunbookError,
    default_profile_id,
    load_profiles,
    runbook_by_id,
)
from .tomlread import suggestion


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


@dataclass(frozen=True)
class CheckOutcome:
    """A finished request: the report to print, and the engagement it was about (if any)
    with the run as its history files it."""

    report: Report
    engagement: Engagement | None
    record: RunRecord


async def run_check_request(
    request: CheckRequest, *, progress: ProgressCallback | None = None
) -> CheckOutcome:
    engagement = _engagement_or_none(request.target)
    runbook = runbook_named(engagement.runbook if engagement else "launch-ready")
    specs = select_checks(runbook, request.stages, active_probes=request.active_probes)
    if engagement is not None:
        context = engagement_context(
            engagement,
            request.nameservers,
            request.ca_bundle,
            request.timeout,
            request.active_probes,
        )
    else:
        context = await _domain_context(request)
    suppressions = engagement.suppressions if engagement else []
    report = await audit(context, specs, runbook, suppressions, progress, request.stages)
    return CheckOutcome(report, engagement, run_record(report, specs, runbook, request.stages))


def run_record(
    report: Report, specs: list[CheckSpec], runbook: Runbook, stage_ids: list[str]
) -> RunRecord:
    """How the run history files a finished report: which checks, at which version."""
    versions = {spec.id: spec.version for spec in specs}
    return RunRecord(
        started=report.started,
        finished=report.finished,
        findings=report.findings,
        versions=versions,
        scope=", ".join(stage_ids) if stage_ids else "every stage",
        complete=set(runbook.check_ids) <= set(versions),
        stages=tuple(stage_ids),
    )


@dataclass
class PlannedRun:
    """Everything a run needs, prepared where the engagement lives (the UI thread), so the
    run itself can happen on another thread without touching the engagement."""

    context: CheckContext
    specs: list[CheckSpec]
    runbook: Runbook
    suppressions: list[Suppression]
    stage_ids: list[str]


def plan_engagement_run(
    engagement: Engagement,
    check_ids: Iterable[str],
    *,
    stage_ids: Iterable[str] = (),
    timeout: float = 10.0,
    active_probes: bool = True,
) -> PlannedRun:
    """`stage_ids` names the stages being run, for the history (none: every stage)."""
    runbook = runbook_named(engagement.runbook)
    available = all_checks()
    specs = [
        available[c]
        for c in dict.fromkeys(check_ids)
        if c in available and (active_probes or not available[c].active)
    ]
    context = engagement_context(engagement, [], None, timeout, active_probes)
    return PlannedRun(context, specs, runbook, engagement.suppressions, list(stage_ids))


async def run_planned(
    plan: PlannedRun,
    *,
    progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Report:
    """Run a plan; `cancelled` is polled so a run on another thread can be stopped."""
    run = asyncio.ensure_future(
        audit(plan.context, plan.specs, plan.runbook, plan.suppressions, progress, plan.stage_ids)
    )
    while cancelled is not None and not run.done():
        if cancelled():
            run.cancel()
            break
        await asyncio.wait({run}, timeout=0.1)
    return await run


async def audit(
    context: CheckContext,
    specs: list[CheckSpec],
    runbook: Runbook,
    suppressions: list[Suppression],
    progress: ProgressCallback | None,
    stage_ids: Sequence[str] = (),
) -> Report:
    """Run `specs`; each finding is filed under the runbook stage that ran its check."""
    try:
        result = await run_checks(
            context,
            specs,
            stages=stages_running(runbook, stage_ids),
            time_limit=max(30.0, context.timeout * 6),
            on_progress=progress,
        )
    finally:
        await context.aclose()
    return Report(
        target=context.apex,
        started=result.started,
        finished=result.finished,
        findings=apply_suppressions(result.findings, suppressions),
        stage_titles={stage.id: stage.title for stage in runbook.stages},
    )


def stages_running(runbook: Runbook, stage_ids: Sequence[str] = ()) -> dict[str, str]:
    """The stage each check's findings belong to: of the stages a run covers, the first (in
    runbook order) that lists the check; for a run of every stage, or a check none of the
    covered stages lists, the first stage of the runbook that lists it."""
    covered = [stage for stage in runbook.stages if stage.id in stage_ids]
    stages: dict[str, str] = {}
    for stage in (*covered, *runbook.stages):
        for check_id in stage.checks:
            stages.setdefault(check_id, stage.id)
    return stages


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


def runbook_named(runbook_id: str) -> Runbook:
    """The runbook with every check id validated, so a typo in a user's runbook is named."""
    try:
        return runbook_by_id(runbook_id, known_checks=set(all_checks()))
    except RunbookError as exc:
        raise CheckRequestError(str(exc)) from None


def engagement_context(
    engagement: Engagement,
    nameservers: list[str],
    ca_bundle: Path | None,
    timeout: float,
    active_probes: bool,
) -> CheckContext:
    """Command-line settings win over the engagement's own; a bad one is blamed on where it
    came from (the flag, or the file's key)."""
    in_file = f"{engagement.path}: domain"
    if nameservers:
        resolver = _resolver(nameservers, timeout)
    else:
        resolver = _resolver(engagement.nameservers, timeout, blame=f"{in_file}.nameservers")
    if ca_bundle is not None:
        bundle = _require_bundle(ca_bundle)
    else:
        bundle = _require_bundle(engagement.ca_bundle, blame=f"{in_file}.ca_bundle")
    return CheckContext(
        apex=engagement.apex,
        hosts=_hosts(engagement),
        resolver=resolver,
        profile=_profile(engagement.profile, blame=f"{engagement.path}: profile"),
        canonical_host=engagement.canonical_host,
        canonical_declared=engagement.canonical_declared,
        routes=engagement.routes,
        email_in_scope=engagement.email_in_scope,
        dkim_selectors=engagement.dkim_selectors,
        repo=engagement.repo,
        known_redirects=engagement.known_redirects[1],
        ca_bundle=bundle,
        timeout=timeout,
        active_probes=active_probes,
        credentials=route_credentials(engagement),
    )


def _hosts(engagement: Engagement) -> list[Host]:
    """The apex, www and every subdomain the engagement names, each once."""
    apex = engagement.apex
    hosts = [Host(apex, "apex"), Host(f"www.{apex}", "www")]
    seen = {host.name for host in hosts}
    for subdomain in engagement.subdomains:
        if subdomain.name not in seen:
            hosts.append(Host(subdomain.name, subdomain.role))
            seen.add(subdomain.name)
    return hosts


def _profile(profile_id: str | None, *, blame: str = "") -> Profile:
    """The named profile, or the default one a bare domain is judged by (None)."""
    try:
        profiles = load_profiles()
        wanted = default_profile_id() if profile_id is None else profile_id
    except RunbookError as exc:
        raise CheckRequestError(str(exc)) from None
    if wanted not in profiles:
        raise CheckRequestError(
            f'{blame}: unknown profile "{wanted}"{suggestion(wanted, sorted(profiles))}'
        )
    return profiles[wanted]


def route_credentials(engagement: Engagement) -> dict[str, dict[str, str]]:
    """Signed-in routes' headers, their values read from the keyring for this run only.

    A route whose secret has no value kept (or no keyring) is asked signed out; the smoke
    test then says so rather than failing on a missing cookie.
    """
    signed_in = [route for route in engagement.routes if route.credential]
    if not signed_in:
        return {}
    from . import vault

    credentials = {}
    for route in signed_in:
        try:
            secret = engagement.secret(route.credential)
            value = vault.reveal(engagement.id, secret.environment, secret.name)
        except (EngagementError, vault.VaultUnavailable, vault.VaultError):
            continue
        if value:
            header_value = (
                value if route.credential_header == "Cookie" or " " in value else f"Bearer {value}"
            )
            credentials[route.url] = {route.credential_header: header_value}
    return credentials


def _engagement_or_none(target: str) -> Engagement | None:
    path = Path(target)
    if path.suffix.lower() == ".toml" or _is_file_like(path):
        try:
            return Engagement.load(path)
        except EngagementError as exc:
            raise CheckRequestError(str(exc)) from None
    return None


async def _domain_context(request: CheckRequest) -> CheckContext:
    resolver = _resolver(request.nameservers, request.timeout)
    bundle = _require_bundle(request.ca_bundle)
    try:
        domain = parse_domain(request.target)
    except DomainError as exc:
        raise CheckRequestError(str(exc)) from None
    request.notes.extend(domain.notes)
    return await context_for_domain(
        domain,
        resolver,
        _profile(None),
        ca_bundle=bundle,
        timeout=request.timeout,
        active_probes=request.active_probes,
    )


def _is_file_like(path: Path) -> bool:
    """Something other than a folder is there, to read as an engagement (the loader then
    refuses a pipe or a device plainly). A folder named like the domain is not one, and a
    name the system cannot even look up (over 255 bytes) is a domain to refuse as such."""
    try:
        return not stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _resolver(nameserver_texts: list[str], timeout: float, *, blame: str = "") -> Resolver:
    """`blame` names the engagement key the servers came from; otherwise the flag did."""
    nameservers = []
    for index, text in enumerate(nameserver_texts):
        try:
            nameservers.append(parse_nameserver(text))
        except ValueError as exc:
            if blame:  # never repeat a value from the file (it may be anything pasted there)
                raise CheckRequestError(
                    f"{blame}[{index}]: expected an IP address or IP:PORT, e.g. 1.1.1.1"
                ) from None
            raise CheckRequestError(f"--nameserver: {exc}") from None
    return Resolver(nameservers, timeout=timeout)


def _require_bundle(bundle: Path | None, *, blame: str = "") -> Path | None:
    """Refuse a CA bundle TLS cannot use before any check runs; `blame` as for `_resolver`."""
    if bundle is None:
        return None
    problem = ca_bundle_problem(bundle)
    if problem is not None:
        raise CheckRequestError(f"{blame or '--ca-bundle'}: {bundle}: {problem}.")
    return bundle
