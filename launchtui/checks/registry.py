"""How a check declares itself: a stable id, a default severity, its version and the
numbers it measures.

A check has no stage of its own: the runbook says which stage runs it, and the run files
each finding under that stage (see `engine.run_checks`).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..findings import Finding, Severity, Status

if TYPE_CHECKING:
    from ..context import CheckContext

CheckFunction = Callable[["CheckContext"], Awaitable[list[Finding]]]


@dataclass(frozen=True, slots=True)
class CheckSpec:
    id: str
    title: str
    severity: Severity
    active: bool = False  # sends repeated requests (load), so --no-active-probes turns it off
    run: CheckFunction | None = field(default=None, compare=False)
    time_limit: float | None = None  # seconds; None: the run's limit for network checks
    # Raised when the check starts judging differently, so the run history reports a
    # changed verdict as "checked differently", not as a change of the site.
    version: int = 1
    # Evidence keys that are key numbers worth following from run to run, with their unit
    # ("days_left": "days"); values that change on every run never belong here.
    metrics: Mapping[str, str] = field(default_factory=dict, compare=False)

    def finding(
        self,
        target: str,
        status: Status,
        summary: str,
        *,
        severity: Severity | None = None,
        detail: str = "",
        evidence: dict[str, Any] | None = None,
        fix: str = "",
        refs: tuple[str, ...] = (),
    ) -> Finding:
        """A finding of this check; passing findings default to severity info. Its stage is
        filled in by the run, which knows which runbook stage ran the check."""
        if severity is None:
            severity = Severity.INFO if status is Status.PASS else self.severity
        return Finding(
            metrics=self.measured(evidence or {}),
            check=self.id,
            stage="",
            target=target,
            status=status,
            severity=severity,
            summary=summary,
            detail=detail,
            evidence=evidence or {},
            fix=fix,
            refs=refs,
        )

    def measured(self, evidence: Mapping[str, Any]) -> dict[str, float]:
        """The declared key numbers found in `evidence`."""
        return {
            key: evidence[key]
            for key in self.metrics
            if isinstance(evidence.get(key), int | float) and not isinstance(evidence[key], bool)
        }


_REGISTRY: dict[str, CheckSpec] = {}
RunSetup = Callable[["CheckContext"], None]
_RUN_SETUP: list[RunSetup] = []
RunFold = Callable[["CheckContext", list[Finding]], list[Finding]]
_RUN_FOLDS: list[RunFold] = []


def before_every_check(setup: RunSetup) -> RunSetup:
    """Decorator: `setup(context)` runs before each registered check, so state every check
    must respect (the login routes' request budget) is in place whichever check of a run
    starts first. It must be quick and idempotent: it runs once per check."""
    _RUN_SETUP.append(setup)
    return setup


def after_every_run(fold: RunFold) -> RunFold:
    """Decorator: `fold(context, findings)` rewrites a finished run's findings, for checks
    that see one problem from two sides (a key in the code is also in git history) and must
    report it once, whoever runs them. It must keep every finding it does not fold."""
    _RUN_FOLDS.append(fold)
    return fold


def folded(context: CheckContext, findings: list[Finding]) -> list[Finding]:
    """`findings` after every registered fold."""
    for fold in _RUN_FOLDS:
        findings = fold(context, findings)
    return findings


def _after_setup(function: CheckFunction) -> CheckFunction:
    @functools.wraps(function)
    async def run(context: CheckContext) -> list[Finding]:
        for setup in _RUN_SETUP:
            setup(context)
        return await function(context)

    return run


def register(spec: CheckSpec) -> Callable[[CheckFunction], CheckFunction]:
    """Decorator: bind a check function to its spec; ids must be unique."""

    def bind(function: CheckFunction) -> CheckFunction:
        if spec.id in _REGISTRY:
            raise ValueError(f"check id {spec.id!r} registered twice")
        _REGISTRY[spec.id] = replace(spec, run=_after_setup(function))
        return function

    return bind


def registered_checks() -> dict[str, CheckSpec]:
    return dict(_REGISTRY)
