"""Runbooks and product profiles: the sprint as data, read strictly.

Runbooks are TOML that a consultant edits without touching Python, so this loader is the
only thing between a typo and a confusing screen. Every problem is one `RunbookError`
whose one-line message starts with the file's full path (a user runbook may shadow a
shipped one of the same name) and names the exact key, e.g.
`/…/launch-ready.toml: stages[3].checklist[2]: missing key "text"`. Indexes count from 0,
in the order the tables appear in the file.

This module is part of the core and never imports textual.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from launchtui import resources
from launchtui.tomlread import Table, Where, read_toml_file, suggestion

PROFILES_FILE = "profiles.toml"
ROUTE_KINDS = ("page", "api", "auth", "health", "static")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_CHECK_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)+")

_RUNBOOK_KEYS = ("id", "title", "stages")
_RUNBOOK_OPTIONAL_KEYS = ("version", "description")
_STAGE_KEYS = ("id", "title", "goal")
_STAGE_OPTIONAL_KEYS = ("day", "checks", "checklist", "deliverables", "failure_signals", "shows")
# Extra panels a stage can show beside its checks and checklist.
STAGE_PANELS = ("risk-list", "documents")
_ITEM_KEYS = ("id", "text")
_ITEM_OPTIONAL_KEYS = ("why",)
_SPRINT_DAYS = (1, 2)

_PROFILES_KEYS = ("default", "monitoring", "phases", "types")
_MONITORING_KEYS = ("uptime_interval_s", "alert_within_s", "cert_warn_days", "cert_fail_days")
_PHASE_KEYS = ("title", "description", "latency_factor", "dmarc_none_acceptable")
_TYPE_KEYS = (
    "title",
    "description",
    "sends_transactional_mail",
    "error_rate_limit_pct",
    "budgets_ms",
)


class RunbookError(Exception):
    """A runbook or profile that cannot be used; the message is one line naming file and key."""


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    id: str
    text: str
    why: str = ""


@dataclass(frozen=True, slots=True)
class Stage:
    id: str
    title: str
    goal: str
    checks: tuple[str, ...] = ()
    checklist: tuple[ChecklistItem, ...] = ()
    deliverables: tuple[str, ...] = ()
    failure_signals: tuple[str, ...] = ()
    day: int | None = None
    shows: tuple[str, ...] = ()  # panels from STAGE_PANELS: the ranked risk list, documents


@dataclass(frozen=True, slots=True)
class Runbook:
    id: str
    title: str
    stages: tuple[Stage, ...]
    version: str = ""
    description: str = ""
    source: Path | None = field(default=None, compare=False)

    @property
    def stage_ids(self) -> tuple[str, ...]:
        return tuple(stage.id for stage in self.stages)

    @property
    def check_ids(self) -> tuple[str, ...]:
        """Every check the runbook runs, once, in the order the stages first list them."""
        return tuple(dict.fromkeys(check for stage in self.stages for check in stage.checks))

    def stage(self, stage_id: str) -> Stage:
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise RunbookError(
            f'runbook "{self.id}" has no stage "{stage_id}" '
            f"(stages: {', '.join(self.stage_ids)}){suggestion(stage_id, self.stage_ids)}"
        )


@dataclass(frozen=True, slots=True)
class Budgets:
    """p95 response-time budgets in milliseconds, one per kind of route.

    `api_write`, when set, is the budget for API calls that change data; products without
    one hold writes to the `api` budget.
    """

    page: int
    api: int
    auth: int
    health: int
    static: int
    api_write: int | None = None

    def scaled(self, factor: float) -> Budgets:
        def scale(ms: int) -> int:
            return round(ms * factor)

        return Budgets(
            page=scale(self.page),
            api=scale(self.api),
            auth=scale(self.auth),
            health=scale(self.health),
            static=scale(self.static),
            api_write=None if self.api_write is None else scale(self.api_write),
        )


@dataclass(frozen=True, slots=True)
class Monitoring:
    """How closely production is watched; the same for every profile today."""

    uptime_interval_s: int
    alert_within_s: int
    cert_warn_days: int
    cert_fail_days: int


@dataclass(frozen=True, slots=True)
class Profile:
    """Targets for one product type in one phase, e.g. "marketplace-launch"."""

    id: str
    product_type: str
    phase: str
    title: str
    description: str
    budgets: Budgets
    error_rate_limit_pct: float
    sends_transactional_mail: bool
    dmarc_none_acceptable: bool
    monitoring: Monitoring

    def budget_ms(self, kind: str, method: str = "GET") -> int:
        """The p95 budget for a route of this kind called with this HTTP method."""
        if kind not in ROUTE_KINDS:
            raise RunbookError(
                f'profile "{self.id}" has no budget for route kind "{kind}" '
                f"(kinds: {', '.join(ROUTE_KINDS)}){suggestion(kind, ROUTE_KINDS)}"
            )
        is_write = method.upper() in WRITE_METHODS
        if kind == "api" and is_write and self.budgets.api_write is not None:
            return self.budgets.api_write
        budget: int = getattr(self.budgets, kind)
        return budget

    @property
    def dmarc_none_fails(self) -> bool:
        """Whether DMARC p=none is a failure rather than a warning for this product.

        p=none only asks receivers for reports: mail forged in the product's name (a fake
        password reset, a fake receipt) is still delivered. That is a launch blocker for a
        product whose users expect mail from it, and a normal rollout step in beta.
        """
        return self.sends_transactional_mail and not self.dmarc_none_acceptable


def load_runbook(path: Path | str, known_checks: Collection[str] | None = None) -> Runbook:
    """Read and validate one runbook file.

    `known_checks` is the set of check ids the engine can run; pass None to skip that
    test, e.g. to show a runbook whose checks are not all written yet.
    """
    path = Path(path)
    data, where = read_toml_file(path, RunbookError)
    return _runbook(data, where, path, known_checks)


def is_founder_runbook(data: Mapping[str, Any]) -> bool:
    """Founder runbooks (rotate a secret, roll back…) are lists of steps; the sprint's
    runbooks are stages. Both live in the same folders."""
    return "steps" in data


def _runbook(
    data: dict[str, Any], where: Where, path: Path, known_checks: Collection[str] | None
) -> Runbook:
    top = Table(data, where, _RUNBOOK_KEYS, _RUNBOOK_OPTIONAL_KEYS)
    stage_tables = top.tables("stages", _STAGE_KEYS, _STAGE_OPTIONAL_KEYS)
    if not stage_tables:
        raise top.where.at("stages").error("a runbook needs at least one stage")
    stages = tuple(_stage(table, known_checks) for table in stage_tables)
    _refuse_duplicates(
        [stage.id for stage in stages],
        [table.where.at("id") for table in stage_tables],
        "stage id",
    )
    return Runbook(
        id=top.slug("id"),
        title=top.string("title"),
        stages=stages,
        version=top.string("version", default=""),
        description=top.string("description", default=""),
        source=path,
    )


def load_runbooks(
    extra_dirs: Sequence[Path] | None = None, known_checks: Collection[str] | None = None
) -> dict[str, Runbook]:
    """The shipped runbooks plus the user's own, keyed by runbook id.

    A user runbook with the same id as a shipped one replaces it: that is how a consultant
    adapts the sprint for a client without forking launchtui. `extra_dirs` are in priority
    order, like PATH: when two folders define the same id, the earlier folder wins. None
    means `resources.user_runbook_dirs()`; pass [] for the shipped runbooks only. Missing
    folders are skipped; two files with one id in the same folder are an error, since
    neither can be said to win. `profiles.toml` is never read as a runbook.
    """
    user_dirs = resources.user_runbook_dirs() if extra_dirs is None else list(extra_dirs)
    runbooks: dict[str, Runbook] = {}
    for folder in [resources.runbooks_dir(), *reversed(user_dirs)]:
        runbooks.update(_runbooks_in(folder, known_checks))
    return runbooks


def runbook_by_id(runbook_id: str, known_checks: Collection[str] | None = None) -> Runbook:
    """One runbook, shipped or the user's; RunbookError names the ones that exist."""
    runbooks = load_runbooks(known_checks=known_checks)
    if runbook_id not in runbooks:
        raise RunbookError(f'runbook "{runbook_id}" not found; available: {", ".join(runbooks)}')
    return runbooks[runbook_id]


def load_profiles(path: Path | str | None = None) -> dict[str, Profile]:
    """Every product type × phase profile, keyed by profile id; shipped file unless `path`."""
    profiles, _default = _read_profiles(path)
    return profiles


def default_profile_id(path: Path | str | None = None) -> str:
    """The profile used when an engagement names none, as set by `default` in the file."""
    _profiles, default = _read_profiles(path)
    return default


def _runbooks_in(folder: Path, known_checks: Collection[str] | None) -> dict[str, Runbook]:
    if not folder.is_dir():
        return {}
    found: dict[str, Runbook] = {}
    for path in sorted(folder.glob("*.toml")):
        if path.name == PROFILES_FILE:
            continue
        data, where = read_toml_file(path, RunbookError)  # each file is read once
        if is_founder_runbook(data):
            continue  # launchtui.procedures reads those
        runbook = _runbook(data, where, path, known_checks)
        if runbook.id in found:
            raise Where(path, "id", error_type=RunbookError).error(
                f'runbook id "{runbook.id}" is also used by {found[runbook.id].source}'
            )
        found[runbook.id] = runbook
    return found


def _stage(table: Table, known_checks: Collection[str] | None) -> Stage:
    item_tables = table.tables("checklist", _ITEM_KEYS, _ITEM_OPTIONAL_KEYS)
    checklist = tuple(_checklist_item(item) for item in item_tables)
    _refuse_duplicates(
        [item.id for item in checklist],
        [item.where.at("id") for item in item_tables],
        "checklist id",
    )
    return Stage(
        id=table.slug("id"),
        title=table.string("title"),
        goal=table.string("goal"),
        checks=_checks(table, known_checks),
        checklist=checklist,
        deliverables=table.strings("deliverables"),
        failure_signals=table.strings("failure_signals"),
        day=_sprint_day(table),
        shows=_panels(table),
    )


def _checklist_item(table: Table) -> ChecklistItem:
    return ChecklistItem(
        id=table.slug("id"),
        text=table.string("text"),
        why=table.string("why", default=""),
    )


def _checks(table: Table, known_checks: Collection[str] | None) -> tuple[str, ...]:
    checks = table.strings("checks")
    where = table.where.at("checks")
    locations = [where.item(index) for index in range(len(checks))]
    for check_id, location in zip(checks, locations, strict=True):
        _require_check_id(check_id, location, known_checks)
    _refuse_duplicates(checks, locations, "check id")
    return checks


def _require_check_id(check_id: str, where: Where, known_checks: Collection[str] | None) -> None:
    if not _CHECK_ID.fullmatch(check_id):
        raise where.error(
            f'"{check_id}" is not a check id; check ids are dotted lowercase words like "dns.ns"'
        )
    if known_checks is not None and check_id not in known_checks:
        raise where.error(
            f'unknown check id "{check_id}"{suggestion(check_id, sorted(known_checks))}'
        )


def _panels(table: Table) -> tuple[str, ...]:
    panels = table.strings("shows", example='["risk-list"]')
    for index, panel in enumerate(panels):
        if panel not in STAGE_PANELS:
            raise (
                table.where.at("shows")
                .item(index)
                .error(
                    f'unknown panel "{panel}"; a stage can show {", ".join(STAGE_PANELS)}'
                    f"{suggestion(panel, STAGE_PANELS)}"
                )
            )
    return panels


def _sprint_day(table: Table) -> int | None:
    if "day" not in table:
        return None
    day = table.integer("day")
    if day not in _SPRINT_DAYS:
        raise table.where.at("day").error(f"expected 1 or 2, got {day}")
    return day


def _refuse_duplicates(ids: Sequence[str], locations: Sequence[Where], noun: str) -> None:
    first_seen: dict[str, Where] = {}
    for id_, where in zip(ids, locations, strict=True):
        if id_ in first_seen:
            raise where.error(f'duplicate {noun} "{id_}", already used at {first_seen[id_].key}')
        first_seen[id_] = where


def _read_profiles(path: Path | str | None) -> tuple[dict[str, Profile], str]:
    path = Path(path) if path is not None else resources.runbooks_dir() / PROFILES_FILE
    top = _read_toml(path, _PROFILES_KEYS)
    monitoring = _monitoring(top.table("monitoring", _MONITORING_KEYS))
    phases = [_phase(name, table) for name, table in top.named_tables("phases", _PHASE_KEYS)]
    product_types = [
        _product_type(name, table) for name, table in top.named_tables("types", _TYPE_KEYS)
    ]
    profiles = {
        f"{product_type.id}-{phase.id}": _profile(product_type, phase, monitoring)
        for product_type in product_types
        for phase in phases
    }
    default = top.string("default")
    if default not in profiles:
        raise top.where.at("default").error(
            f'unknown profile "{default}"{suggestion(default, profiles)}'
        )
    return profiles, default


@dataclass(frozen=True, slots=True)
class _Phase:
    id: str
    title: str
    description: str
    latency_factor: float
    dmarc_none_acceptable: bool


@dataclass(frozen=True, slots=True)
class _ProductType:
    id: str
    title: str
    description: str
    sends_transactional_mail: bool
    error_rate_limit_pct: float
    budgets: Budgets


def _profile(product_type: _ProductType, phase: _Phase, monitoring: Monitoring) -> Profile:
    return Profile(
        id=f"{product_type.id}-{phase.id}",
        product_type=product_type.id,
        phase=phase.id,
        title=f"{product_type.title}, {phase.title}",
        description=f"{product_type.description} {phase.description}",
        budgets=product_type.budgets.scaled(phase.latency_factor),
        error_rate_limit_pct=product_type.error_rate_limit_pct,
        sends_transactional_mail=product_type.sends_transactional_mail,
        dmarc_none_acceptable=phase.dmarc_none_acceptable,
        monitoring=monitoring,
    )


def _monitoring(table: Table) -> Monitoring:
    monitoring = Monitoring(**{key: table.integer(key, minimum=1) for key in _MONITORING_KEYS})
    if monitoring.cert_fail_days >= monitoring.cert_warn_days:
        raise table.where.at("cert_fail_days").error(
            f"must be fewer than cert_warn_days ({monitoring.cert_warn_days})"
        )
    return monitoring


def _phase(phase_id: str, table: Table) -> _Phase:
    latency_factor = table.number("latency_factor")
    if latency_factor <= 0:
        raise table.where.at("latency_factor").error(
            f"expected a number above 0, got {latency_factor}"
        )
    return _Phase(
        id=phase_id,
        title=table.string("title"),
        description=table.string("description"),
        latency_factor=latency_factor,
        dmarc_none_acceptable=table.boolean("dmarc_none_acceptable"),
    )


def _product_type(type_id: str, table: Table) -> _ProductType:
    error_rate_limit_pct = table.number("error_rate_limit_pct")
    if not 0 < error_rate_limit_pct <= 100:
        raise table.where.at("error_rate_limit_pct").error(
            f"expected a percentage above 0 and at most 100, got {error_rate_limit_pct}"
        )
    return _ProductType(
        id=type_id,
        title=table.string("title"),
        description=table.string("description"),
        sends_transactional_mail=table.boolean("sends_transactional_mail"),
        error_rate_limit_pct=error_rate_limit_pct,
        budgets=_budgets(table.table("budgets_ms", ROUTE_KINDS, ("api_write",))),
    )


def _budgets(table: Table) -> Budgets:
    budgets = Budgets(**{kind: table.integer(kind, minimum=1) for kind in ROUTE_KINDS})
    if "api_write" not in table:
        return budgets
    return replace(budgets, api_write=table.integer("api_write", minimum=1))


def _read_toml(path: Path, required: Sequence[str], optional: Sequence[str] = ()) -> Table:
    """The file's top-level table, with line numbers for every error about it."""
    data, where = read_toml_file(path, RunbookError)
    return Table(data, where, required, optional)
