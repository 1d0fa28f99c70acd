"""How a check declares itself: a stable id, its home stage, a default severity, its
version and the numbers it measures."""

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
    stage: str
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
        """A finding of this check; passing findings default to severity info."""
        if severity is None:
            severity = Severity.INFO if status is Status.PASS else self.severity
        return Finding(
            metrics=self.measured(evidence or {}),
            check=self.id,
            stage=self.stage,
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


def before_every_check(setup: RunSetup) -> RunSetup:
    """Decorator: `setup(context)` runs before each registered check, so state every check
    must respect (the login routes' request budget) is in place whichever check of a run
    starts first. It must be quick and idempotent: it runs once per check."""
    _RUN_SETUP.append(setup)
    return setup


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
