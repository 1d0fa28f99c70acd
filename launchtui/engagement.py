"""The engagement file: everything about one product's sprint, as TOML a person can edit.

The file is the source of truth and belongs to the people who edit it: we load it
with tomlkit and change it in place, so comments, key order and hand formatting
survive every save. Saves are atomic and keep the previous version as `.bak`. A
file we cannot read is reported with its line or key and never overwritten.

Secret values never appear here; `[[secrets]]` holds only where a secret lives.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
import tomlkit.exceptions
from tomlkit.items import AoT, Table

from .atomic import write_atomically
from .domains import DomainError, host_under, parse_domain
from .findings import Finding
from .runbook import ROUTE_KINDS

SCHEMA_VERSION = 1

SUBDOMAIN_ROLES = ("app", "api", "auth", "admin", "docs", "status", "dashboard", "www", "other")
ENVIRONMENT_NAMES = ("prod", "preview", "staging", "dev")

_AUTH_WORDS = ("login", "signin", "sign-in", "signup", "sign-up", "register", "reset", "password")
_HEALTH_WORDS = ("health", "healthz", "status", "ready", "readyz", "livez")


class EngagementError(Exception):
    """The file cannot be used; the message names the file and the line or key."""


@dataclass(frozen=True, slots=True)
class Subdomain:
    name: str  # full host name
    role: str


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    url: str
    method: str = "GET"
    kind: str = "page"
    budget_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Environment:
    name: str
    url: str
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Owner:
    account: str
    provider: str = ""
    owner: str = ""
    contact: str = ""
    two_factor: bool | None = None
    recovery: str = ""


@dataclass(frozen=True, slots=True)
class Suppression:
    check: str
    target: str  # "*" or a glob matches any target
    reason: str

    def matches(self, finding: Finding) -> bool:
        from fnmatch import fnmatchcase

        return finding.check == self.check and fnmatchcase(finding.target, self.target or "*")


def apply_suppressions(findings: list[Finding], suppressions: list[Suppression]) -> list[Finding]:
    """Mark findings the engagement has accepted, with the reason given."""

    def accepted(finding: Finding) -> Finding:
        for suppression in suppressions:
            if suppression.matches(finding):
                return finding.suppressed_because(suppression.reason)
        return finding

    return [accepted(finding) for finding in findings]


@dataclass(frozen=True, slots=True)
class ChecklistMark:
    done: bool
    by: str = ""
    at: dt.datetime | None = None


def infer_route_kind(name: str) -> str:
    """Guess a route's kind from its name; people correct it later in the file or the UI."""
    lowered = name.lower()
    if any(word in lowered for word in _AUTH_WORDS):
        return "auth"
    if any(lowered == word or lowered.startswith(word) for word in _HEALTH_WORDS):
        return "health"
    return "page"


def canonical_from(apex: str, text: str) -> str:
    """The canonical host as a name under the apex; a URL is reduced to its host."""
    text = text.strip()
    # "www" is a label under the apex; anything with a dot (or a URL) is a full host name.
    host = parse_domain(text if "." in text else host_under(apex, text)).name
    if host != apex and not host.endswith("." + apex):
        raise DomainError(f"{text!r} is not {apex} or one of its subdomains.")
    return host


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "engagement"


class Engagement:
    """A loaded engagement file; properties read it, methods change it in place."""

    def __init__(self, path: Path, document: tomlkit.TOMLDocument) -> None:
        self.path = path
        self.doc = document

    # -- creating, loading, saving -------------------------------------------------

    @classmethod
    def new(
        cls,
        path: Path,
        *,
        apex: str,
        product: str = "",
        profile: str = "community-launch",
        canonical_host: str = "",
        repo: str = "",
        runbook: str = "launch-ready",
    ) -> Engagement:
        domain = parse_domain(apex)
        now = _now()
        doc = tomlkit.document()
        doc.add(tomlkit.comment("launchtui engagement: edit freely, comments and order are kept."))
        doc.add(tomlkit.comment("Secret values never live here: only where each secret is kept."))
        doc.add("schema", SCHEMA_VERSION)
        doc.add("id", f"{slug(product or domain.name)}-{now:%Y%m%d}")
        doc.add("product", product or domain.unicode_name)
        doc.add("profile", profile)
        doc.add("runbook", runbook)
        doc.add("repo", repo)
        doc.add("created", now)
        doc.add(tomlkit.nl())
        domain_table = tomlkit.table()
        domain_table.add("apex", domain.name)
        if canonical_host:
            domain_table.add("canonical", canonical_from(domain.name, canonical_host))
        domain_table.add("nameservers", tomlkit.array())
        domain_table["nameservers"].comment('resolver override, e.g. ["1.1.1.1"]; empty = system')
        doc.add("domain", domain_table)
        email = tomlkit.table()
        email.add("in_scope", True)
        email.add("dkim_selectors", tomlkit.array())
        doc.add("email", email)
        engagement = cls(path, doc)
        engagement.log_change(f"Engagement created for {domain.display}.", by="launchtui")
        return engagement

    @classmethod
    def load(cls, path: Path) -> Engagement:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")  # tolerate a BOM (Windows editors)
        except FileNotFoundError:
            raise EngagementError(f"{path}: no such file.") from None
        except UnicodeDecodeError:
            raise EngagementError(f"{path}: not a text file (it is not valid UTF-8).") from None
        except OSError as exc:
            raise EngagementError(f"{path}: cannot be read: {exc.strerror}.") from None
        try:
            document = tomlkit.parse(text)
        except tomlkit.exceptions.ParseError as exc:
            raise EngagementError(
                f"{path}:{exc.line}:{exc.col}: not valid TOML ({_parse_reason(exc)})."
            ) from None
        except tomlkit.exceptions.TOMLKitError as exc:  # e.g. a key written twice
            raise EngagementError(f"{path}: not valid TOML ({exc}).") from None
        engagement = cls(path, document)
        engagement.validate()
        return engagement

    def save(self) -> None:
        """Atomic save; the previous version is kept as `<file>.bak`."""
        self.validate()
        write_atomically(self.path, tomlkit.dumps(self.doc).encode("utf-8"), keep_backup=True)

    def validate(self) -> None:
        """Raise EngagementError naming the first bad key; reading every section proves it."""
        schema = self.doc.get("schema")
        if schema is None:
            self._fail("schema", "missing; add `schema = 1` at the top")
        if not isinstance(schema, int) or isinstance(schema, bool):
            self._fail("schema", f"expected a whole number, got {schema!r}")
        if schema > SCHEMA_VERSION:
            self._fail("schema", f"version {schema} is newer than this launchtui understands")
        if not isinstance(self.doc.get("domain"), dict):
            self._fail("domain", 'missing table; add [domain] with apex = "example.com"')
        try:
            parse_domain(self._string("domain.apex", self.doc["domain"].get("apex")))
        except DomainError as exc:
            self._fail("domain.apex", str(exc))
        for read in (
            lambda: self.subdomains,
            lambda: self.routes,
            lambda: self.environments,
            lambda: self.owners,
            lambda: self.suppressions,
            lambda: self.nameservers,
            lambda: self.dkim_selectors,
            lambda: self.email_in_scope,
            lambda: self.ca_bundle,
            lambda: self.canonical_host,
            lambda: self.repo,
            lambda: self.id,
            lambda: self._rows("changes", self.doc.get("changes")),
            self._validate_secrets,
            lambda: self._rows("results.findings", self._results().get("findings")),
            lambda: self.checklist_marks(),
        ):
            read()

    def _validate_secrets(self) -> None:
        from .inventory import validate_secrets  # the inventory builds on this module

        validate_secrets(self)

    def _fail(self, key: str, problem: str) -> None:
        raise EngagementError(f"{self.path}: {key}: {problem}")

    # -- reading ------------------------------------------------------------------

    @property
    def id(self) -> str:
        return self._string("id", self.doc.get("id")) or slug(self.apex)

    @property
    def product(self) -> str:
        return self._string("product", self.doc.get("product", ""))

    @property
    def profile(self) -> str:
        return self._string("profile", self.doc.get("profile", "")) or "community-launch"

    @property
    def runbook(self) -> str:
        return self._string("runbook", self.doc.get("runbook", "")) or "launch-ready"

    @property
    def repo(self) -> Path | None:
        repo = self._string("repo", self.doc.get("repo", ""))
        if not repo:
            return None
        return self._resolve(repo)

    def _resolve(self, text: str) -> Path:
        """Paths in the file are relative to the file, so a repo can travel with it."""
        path = Path(text).expanduser()
        return path if path.is_absolute() else (self.path.parent / path)

    @property
    def apex(self) -> str:
        return parse_domain(str(self.doc["domain"]["apex"])).name

    @property
    def canonical_host(self) -> str:
        canonical = self._string("domain.canonical", self.doc["domain"].get("canonical", ""))
        if not canonical:
            return self.apex
        try:
            return canonical_from(self.apex, canonical)
        except DomainError as exc:
            self._fail("domain.canonical", str(exc))

    @property
    def canonical_declared(self) -> bool:
        """Only a canonical host the person wrote down is held against the redirects."""
        return bool(str(self.doc["domain"].get("canonical", "")).strip())

    @property
    def nameservers(self) -> list[str]:
        return self._strings("domain.nameservers", self.doc["domain"].get("nameservers", []))

    @property
    def ca_bundle(self) -> Path | None:
        """Extra CA certificates for this product's TLS (a corporate proxy, the demo lab)."""
        bundle = self._string("domain.ca_bundle", self.doc["domain"].get("ca_bundle", ""))
        return self._resolve(bundle) if bundle else None

    @property
    def email_in_scope(self) -> bool:
        return self._bool("email.in_scope", self._email().get("in_scope", True))

    @property
    def dkim_selectors(self) -> list[str]:
        return self._strings("email.dkim_selectors", self._email().get("dkim_selectors", []))

    @property
    def subdomains(self) -> list[Subdomain]:
        subdomains = []
        for key, row in self._rows("domain.subdomains", self.doc["domain"].get("subdomains")):
            name = self._string(f"{key}.name", row.get("name"), required=True)
            role = self._string(f"{key}.role", row.get("role", "other")) or "other"
            if role not in SUBDOMAIN_ROLES:
                self._fail(f"{key}.role", f"{role!r} is not one of {', '.join(SUBDOMAIN_ROLES)}")
            try:
                host = parse_domain(host_under(self.apex, name)).name
            except DomainError as exc:
                self._fail(f"{key}.name", str(exc))
            subdomains.append(Subdomain(host, role))
        return subdomains

    @property
    def routes(self) -> list[Route]:
        routes = []
        for key, row in self._rows("routes", self.doc.get("routes")):
            name = self._string(f"{key}.name", row.get("name"), required=True)
            url = self._string(f"{key}.url", row.get("url"), required=True)
            if not url.startswith(("http://", "https://")):
                self._fail(f"{key}.url", f"{url!r} must start with http:// or https://")
            kind = self._string(f"{key}.kind", row.get("kind", "")) or infer_route_kind(name)
            if kind not in ROUTE_KINDS:
                self._fail(f"{key}.kind", f"{kind!r} is not one of {', '.join(ROUTE_KINDS)}")
            budget = row.get("budget_ms")
            if budget is not None and (
                isinstance(budget, bool) or not isinstance(budget, int) or budget <= 0
            ):
                self._fail(
                    f"{key}.budget_ms", f"expected milliseconds as a whole number, got {budget!r}"
                )
            method = self._string(f"{key}.method", row.get("method", "GET")).upper() or "GET"
            routes.append(Route(name, url, method, kind, budget))
        return routes

    @property
    def environments(self) -> list[Environment]:
        return [
            Environment(
                self._string(f"{key}.name", row.get("name"), required=True),
                self._string(f"{key}.url", row.get("url", "")),
                self._string(f"{key}.notes", row.get("notes", "")),
            )
            for key, row in self._rows("environments", self.doc.get("environments"))
        ]

    @property
    def owners(self) -> list[Owner]:
        owners = []
        for key, row in self._rows("owners", self.doc.get("owners")):
            two_factor = row.get("two_factor")
            if two_factor is not None:
                two_factor = self._bool(f"{key}.two_factor", two_factor)
            owners.append(
                Owner(
                    self._string(f"{key}.account", row.get("account"), required=True),
                    self._string(f"{key}.provider", row.get("provider", "")),
                    self._string(f"{key}.owner", row.get("owner", "")),
                    self._string(f"{key}.contact", row.get("contact", "")),
                    two_factor,
                    self._string(f"{key}.recovery", row.get("recovery", "")),
                )
            )
        return owners

    @property
    def suppressions(self) -> list[Suppression]:
        return [
            Suppression(
                self._string(f"{key}.check", row.get("check"), required=True),
                self._string(f"{key}.target", row.get("target", "*")) or "*",
                self._string(f"{key}.reason", row.get("reason"), required=True),
            )
            for key, row in self._rows("suppressions", self.doc.get("suppressions"))
        ]

    def checklist_marks(self, stage: str | None = None) -> dict[tuple[str, str], ChecklistMark]:
        """Ticked manual items, keyed by (stage id, item id)."""
        marks = {}
        stages = self.doc.get("stages", {})
        if not isinstance(stages, dict):
            self._fail("stages", "expected a table of stages")
        for stage_id, table in stages.items():
            if stage is not None and stage_id != stage:
                continue
            checklist = table.get("checklist", {}) if isinstance(table, dict) else None
            if not isinstance(checklist, dict):
                self._fail(f"stages.{stage_id}.checklist", "expected a table of items")
            for item_id, mark in checklist.items():
                key = f"stages.{stage_id}.checklist.{item_id}"
                if not isinstance(mark, dict):
                    self._fail(key, 'expected { done = true, by = "…", at = … }')
                at = mark.get("at")
                marks[(stage_id, item_id)] = ChecklistMark(
                    self._bool(f"{key}.done", mark.get("done", False)),
                    self._string(f"{key}.by", mark.get("by", "")),
                    at if isinstance(at, dt.datetime) else None,
                )
        return marks

    def notes(self, stage: str) -> str:
        table = self.doc.get("stages", {}).get(stage, {})
        return str(table.get("notes", "")) if isinstance(table, dict) else ""

    def last_findings(self) -> list[Finding]:
        """The findings saved from the most recent run of each check."""
        findings = []
        for _, row in self._rows("results.findings", self._results().get("findings")):
            data = dict(row)
            data.pop("at", None)
            try:
                data["evidence"] = json.loads(data.pop("evidence_json", "{}") or "{}")
                findings.append(Finding.from_dict(data))
            except (KeyError, ValueError, TypeError):
                continue  # a hand-edited snapshot row we cannot read is only a cache
        return findings

    def _results(self) -> dict[str, Any]:
        results = self.doc.get("results", {})
        if not isinstance(results, dict):
            self._fail("results", "expected a table")
        return results

    # -- changing -------------------------------------------------------------------

    def add_subdomain(self, name: str, role: str = "") -> Subdomain:
        host = host_under(self.apex, parse_domain(host_under(self.apex, name)).name)
        label = host.removesuffix("." + self.apex)
        role = role or (label if label in SUBDOMAIN_ROLES else "other")
        if role not in SUBDOMAIN_ROLES:
            raise EngagementError(f"role {role!r} is not one of {', '.join(SUBDOMAIN_ROLES)}")
        row = tomlkit.table()
        row.add("name", label)
        row.add("role", role)
        self._array("subdomains", parent=self.doc["domain"]).append(row)
        return Subdomain(host, role)

    def add_route(self, route: Route) -> None:
        row = tomlkit.table()
        row.add("name", route.name)
        row.add("url", route.url)
        row.add("method", route.method)
        row.add("kind", route.kind)
        if route.budget_ms is not None:
            row.add("budget_ms", route.budget_ms)
        self._array("routes").append(row)

    def add_environment(self, environment: Environment) -> None:
        row = tomlkit.table()
        row.add("name", environment.name)
        row.add("url", environment.url)
        if environment.notes:
            row.add("notes", environment.notes)
        self._array("environments").append(row)

    def add_suppression(self, suppression: Suppression) -> None:
        row = tomlkit.table()
        row.add("check", suppression.check)
        row.add("target", suppression.target)
        row.add("reason", suppression.reason)
        self._array("suppressions").append(row)
        self.log_change(
            f"Accepted {suppression.check} on {suppression.target}: {suppression.reason}"
        )

    def set_network(self, nameservers: list[str], ca_bundle: str) -> None:
        """The resolver and extra CA the checks use (split DNS, corporate proxies)."""
        domain = self.doc["domain"]
        domain["nameservers"] = nameservers
        if ca_bundle:
            domain["ca_bundle"] = ca_bundle
        elif "ca_bundle" in domain:
            del domain["ca_bundle"]

    def add_owner(self, owner: Owner) -> None:
        row = tomlkit.table()
        for key in ("account", "provider", "owner", "contact", "recovery"):
            if getattr(owner, key):
                row.add(key, getattr(owner, key))
        if owner.two_factor is not None:
            row.add("two_factor", owner.two_factor)
        self._array("owners").append(row)

    def remove_entry(self, section: str, index: int) -> None:
        """Delete row `index` of a list section: routes, environments, owners,
        suppressions or domain.subdomains."""
        parent = self.doc["domain"] if section == "domain.subdomains" else self.doc
        key = section.removeprefix("domain.")
        rows = parent.get(key)
        if not isinstance(rows, list) or not 0 <= index < len(rows):
            raise EngagementError(f"{self.path}: {section}[{index}]: no such entry")
        del rows[index]
        self.log_change(f"Removed {section}[{index}].")

    def mark_checklist(self, stage: str, item: str, done: bool, by: str) -> None:
        checklist = self._stage_table(stage).setdefault("checklist", tomlkit.table())
        mark = tomlkit.inline_table()
        mark.update({"done": done, "by": by, "at": _now()})
        checklist[item] = mark

    def set_notes(self, stage: str, text: str) -> None:
        self._stage_table(stage)["notes"] = tomlkit.string(text, multiline="\n" in text)

    def record_findings(self, findings: Iterable[Finding]) -> None:
        """Keep the latest findings per check, replacing older results of the same checks."""
        findings = list(findings)
        checks = {f.check for f in findings}
        results = self.doc.setdefault("results", tomlkit.table())
        kept = [row for row in results.get("findings", []) if row.get("check") not in checks]
        rows = tomlkit.aot()
        for row in kept:
            rows.append(row)
        now = _now()
        for finding in findings:
            rows.append(_finding_row(finding, now))
        results["last_run"] = now
        results["findings"] = rows

    def log_change(self, what: str, by: str = "") -> None:
        row = tomlkit.table()
        row.add("at", _now())
        if by:
            row.add("by", by)
        row.add("what", what)
        self._array("changes").append(row)

    # -- helpers --------------------------------------------------------------------

    def _email(self) -> dict[str, Any]:
        email = self.doc.get("email", {})
        if not isinstance(email, dict):
            self._fail("email", "expected a table")
        return email

    def _stage_table(self, stage: str) -> Table:
        stages = self.doc.setdefault("stages", tomlkit.table(is_super_table=True))
        return stages.setdefault(stage, tomlkit.table())

    def _array(self, key: str, parent: Any = None) -> AoT:
        parent = self.doc if parent is None else parent
        if key not in parent:
            parent[key] = tomlkit.aot()
        return parent[key]

    def _rows(self, key: str, value: Any) -> list[tuple[str, dict[str, Any]]]:
        if value is None:
            return []
        if not isinstance(value, list):
            self._fail(key, f"expected a list of tables ([[{key}]]), got {type(value).__name__}")
        rows = []
        for index, row in enumerate(value):
            if not isinstance(row, dict):
                self._fail(f"{key}[{index}]", "expected a table")
            rows.append((f"{key}[{index}]", row))
        return rows

    def _string(self, key: str, value: Any, *, required: bool = False) -> str:
        if value is None or value == "":
            if required:
                self._fail(key, "missing")
            return ""
        if not isinstance(value, str):
            self._fail(key, f"expected text, got {value!r}")
        return str(value)

    def _strings(self, key: str, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self._fail(key, f"expected a list of text, got {value!r}")
        return [str(v) for v in value]

    def _bool(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            self._fail(key, f"expected true or false, got {value!r}")
        return bool(value)


def _finding_row(finding: Finding, at: dt.datetime) -> Table:
    row = tomlkit.table()
    data = finding.to_dict()
    for key in ("check", "stage", "target", "status", "severity", "summary", "detail", "fix"):
        if data[key]:
            row.add(key, data[key])
    if finding.refs:
        row.add("refs", list(finding.refs))
    if finding.evidence:
        row.add("evidence_json", json.dumps(finding.evidence, sort_keys=True, default=str))
    if finding.suppressed:
        row.add("suppressed", finding.suppressed)
    row.add("at", at)
    return row


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _parse_reason(exc: tomlkit.exceptions.ParseError) -> str:
    message = str(exc)
    return message.split(" at line ")[0].rstrip(".")
