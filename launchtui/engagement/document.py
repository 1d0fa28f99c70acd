"""The engagement file: everything about one product's sprint, as TOML a person can edit.

This class owns every key of the file: reading, validating, changing, saving and
migrating. Nothing else touches the TOML. The file belongs to the people who edit it, so
edits are made in place with tomlkit and comments, key order and hand formatting survive.

Saving is read-modify-write under a lock (`launchtui.filelock`): if someone else changed
the file since it was loaded, their changes and ours are merged entry by entry
(`engagement.merge`) and only a true conflict is refused, plainly. Saves are atomic, keep
the previous version as `.bak`, and keep the file's owner and mode. Every change is
logged with who made it, when and through what (`engagement.changelog`); every check run
is filed in the run history (`engagement.history`).

Reading is fast: a file is parsed with tomllib, and with tomlkit only once something is
changed. Secret values never appear here; `[[secrets]]` holds only where a secret lives.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import stat
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar, cast

import tomlkit
import tomlkit.exceptions
from tomlkit.items import AoT
from tomlkit.items import Table as TomlTable
from tomlkit.toml_document import TOMLDocument

from ..atomic import WriteRefused, remove_leftover_temps, write_atomically
from ..domains import DomainError, host_under, parse_domain
from ..filelock import LockTimeout, locked
from ..findings import Finding, Tier
from ..runbook import ROUTE_KINDS
from ..tomlread import KeyLines, Table, Where
from .changelog import Actor, Change, new_change, parse_changes
from .history import (
    MAX_RUNS,
    Run,
    RunRecord,
    baseline_of,
    checks_each_run_provides,
    compacted,
    count_statuses,
    decode_versions,
    encode_results,
    encode_versions,
    latest_findings,
    run_id_for,
)
from .layout import append_row, insert_section, literal_text, new_history_table
from .merge import merge_into
from .model import (
    HTTP_METHODS,
    SUBDOMAIN_ROLES,
    Backup,
    ChecklistMark,
    Deploy,
    Environment,
    KnownRedirect,
    Monitoring,
    Owner,
    Route,
    RunbookRun,
    StepOutcome,
    Subdomain,
    Suppression,
    canonical_from,
    infer_route_kind,
    slug,
)
from .secrets import FIELDS as SECRET_FIELDS
from .secrets import (
    MAX_ROTATION_DAYS,
    Secret,
    secret_from_table,
    secret_row,
    value_lookalike_field,
)

SCHEMA_VERSION = 2
# Far above any real engagement (a year of runs is well under 2 MB); a bigger file is a
# mistake (a log pasted in, the wrong file) and would make every command slow.
MAX_FILE_BYTES = 16 * 2**20
T = TypeVar("T")

_TOP_KEYS = ("schema", "id", "product", "profile", "runbook", "repo", "created",
             "sprint_started", "domain", "email", "deploy", "backup", "monitoring", "routes",
             "environments", "owners", "secrets", "stages", "suppressions", "redirects",
             "history")  # fmt: skip
_DEPLOY_KEYS = ("provider", "how", "rollback", "last_good", "who")
_BACKUP_KEYS = ("what", "schedule", "restore", "tested")
_MONITORING_KEYS = ("service", "alerts_to")
_DOMAIN_KEYS = ("apex", "canonical", "nameservers", "ca_bundle", "subdomains")
_ROUTE_KEYS = ("kind", "method", "budget_ms", "credential", "credential_header")
_CREDENTIAL_HEADERS = ("Cookie", "Authorization")
_RUNBOOK_RUN_KEYS = ("id", "runbook", "who", "via", "started", "finished", "status", "subject",
                     "step", "inputs", "steps")  # fmt: skip
RUN_STATUSES = ("in progress", "done", "stopped")
_OWNER_KEYS = ("provider", "owner", "contact", "two_factor", "recovery")
_RUN_KEYS = ("id", "at", "seconds", "who", "via", "scope", "complete", "checks", "counts",
             "results")  # fmt: skip
_NOTES_COALESCE = dt.timedelta(minutes=10)


class EngagementError(Exception):
    """The file cannot be used or saved; the message names the file and the line or key."""


class SecretNotFound(EngagementError):
    """No inventory entry by that name (and environment); the message lists the known ones."""


@dataclass
class SaveResult:
    """What a save did besides writing: what came in from others, what could not be kept."""

    incoming: list[Change] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    @property
    def merged(self) -> bool:
        return bool(self.incoming or self.conflicts)


class Engagement:
    """A loaded engagement file; properties read it, methods change it and log the change."""

    def __init__(
        self,
        path: Path,
        *,
        text: str | None,
        plain: dict[str, Any] | None = None,
        document: TOMLDocument | None = None,
        actor: Actor | None = None,
    ) -> None:
        self.path = Path(path)
        self.actor = actor or default_actor()
        self._base_text = text  # what was read from disk (None: a file not yet saved)
        self._plain = plain  # tomllib's reading, for fast read-only use
        self._views: dict[str, Any] = {}  # what is built from an unchanged _plain, kept
        self._doc = document  # tomlkit's, made on the first change
        self._dirty = document is not None and text is None
        self._signature = _signature(self.path) if text is not None else None

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
        actor: Actor | None = None,
        engagement_id: str = "",
    ) -> Engagement:
        """A new engagement in memory; `engagement_id` files its keyring values (default:
        the product and today's date)."""
        domain = parse_domain(apex)
        now = _now()
        doc = tomlkit.document()
        doc.add(tomlkit.comment("launchtui engagement: edit freely, comments and order are kept."))
        doc.add(tomlkit.comment("Secret values never live here: only where each secret is kept."))
        doc.add("schema", SCHEMA_VERSION)
        doc.add("id", engagement_id or f"{slug(product or domain.name)}-{now:%Y%m%d}")
        doc.add("product", product or domain.unicode_name)
        doc.add("profile", profile or "community-launch")
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
        domain_table.add(tomlkit.nl())
        doc.add("domain", domain_table)
        email = tomlkit.table()
        email.add("in_scope", True)
        email.add("dkim_selectors", tomlkit.array())
        email.add(tomlkit.nl())
        doc.add("email", email)
        engagement = cls(path, text=None, document=doc, actor=actor)
        engagement.log(f"Engagement created for {domain.display}.")
        return engagement

    @classmethod
    def load(cls, path: Path, *, actor: Actor | None = None) -> Engagement:
        """Read and validate; EngagementError names the file and the first bad key."""
        path = Path(path)
        text = _read_text(path)
        plain = _parse_plain(path, text)
        engagement = cls(path, text=text, plain=plain, actor=actor)
        schema = plain.get("schema")
        if isinstance(schema, int) and not isinstance(schema, bool) and 0 < schema < SCHEMA_VERSION:
            engagement._doc = engagement._parsed(text)  # upgraded now, written on first save
            engagement._dirty = True
        engagement.validate()
        return engagement

    @classmethod
    @contextlib.contextmanager
    def edit(cls, path: Path, *, actor: Actor | None = None) -> Iterator[Engagement]:
        """Load, change and save as one step no other launchtui can interleave with.

        Nothing is saved when the block raises.
        """
        with _locking(path):
            engagement = cls.load(path, actor=actor)
            yield engagement
            if engagement._dirty:
                engagement.save()

    @property
    def modified(self) -> bool:
        """Changed in memory since the last save."""
        return self._dirty

    def save(self) -> SaveResult:
        """Save under the lock, merging what others saved meanwhile.

        Conflicting entries keep the file's version and are listed in the result; the
        rest is written atomically with the previous version kept as `<file>.bak`.
        """
        document = self._editable()
        result = SaveResult()
        with _locking(self.path):
            remove_leftover_temps(self.path)
            on_disk = _read_text_or_none(self.path)
            if on_disk is not None and self._base_text is not None and on_disk != self._base_text:
                result = self._merge_with(on_disk)
                document = self._editable()
            self._tidy_history()
            self.validate()
            text = tomlkit.dumps(document)
            if text == on_disk:  # nothing changed after all: leave the file (and .bak) alone
                self._base_text, self._dirty = text, False
                self._signature = _signature(self.path)
                return result
            try:
                write_atomically(self.path, text.encode("utf-8"), keep_backup=True)
            except WriteRefused as exc:
                raise EngagementError(str(exc)) from None
            except OSError as exc:
                raise EngagementError(
                    f"cannot save {self.path}: {exc.strerror or exc}; nothing was changed."
                ) from None
            self._base_text = text
            self._plain = None
            self._views.clear()
            self._dirty = False
            self._signature = _signature(self.path)
        return result

    def changed_on_disk(self) -> bool:
        """Whether the file was replaced or edited since we last read or wrote it."""
        return self._signature is not None and _signature(self.path) != self._signature

    def reload(self) -> SaveResult:
        """Take in what others saved: merged with unsaved changes here, if there are any."""
        if self._dirty:
            return self.save()
        on_disk = _read_text(self.path)
        if on_disk == self._base_text:
            self._signature = _signature(self.path)
            return SaveResult()
        fresh = Engagement(self.path, text=on_disk, plain=_parse_plain(self.path, on_disk))
        fresh.actor = self.actor
        if fresh.schema < SCHEMA_VERSION:
            fresh._doc = fresh._parsed(on_disk)
        fresh.validate()
        incoming = _new_changes(self.changes, fresh.changes)
        self.__dict__.update(fresh.__dict__)
        return SaveResult(incoming=incoming)

    def _merge_with(self, on_disk: str) -> SaveResult:
        ours = self._editable()
        theirs = self._parsed(on_disk)
        base = self._parsed(self._base_text or "")
        before = self.changes
        outcome = merge_into(base, ours, theirs)
        self._doc = theirs
        self._base_text = on_disk
        incoming = [c for c in _new_changes(before, self.changes) if c.who or c.what]
        return SaveResult(incoming=incoming, conflicts=outcome.conflicts)

    def validate(self) -> None:
        """Raise EngagementError naming the first bad key; reading every section proves it."""
        top = self._top()
        schema = self.schema
        if schema > SCHEMA_VERSION:
            raise top.fail(
                "schema",
                f"version {schema} is newer than this launchtui understands "
                f"(it reads up to {SCHEMA_VERSION}); update launchtui to open it",
            )
        for read in (
            lambda: self.apex,
            lambda: self.id,
            lambda: self.product,
            lambda: self.profile,
            lambda: self.runbook,
            lambda: self.repo,
            lambda: self.created,
            lambda: self.sprint_started,
            lambda: self.canonical_host,
            lambda: self.nameservers,
            lambda: self.ca_bundle_setting,
            lambda: self.email_in_scope,
            lambda: self.dkim_selectors,
            lambda: self.subdomains,
            lambda: self.routes,
            lambda: self.environments,
            lambda: self.owners,
            lambda: self.deploy,
            lambda: self.backup,
            lambda: self.monitoring,
            lambda: self.secrets,
            lambda: self.suppressions,
            lambda: self.checklist_marks(),
            lambda: [self.notes(stage) for stage in self._stage_ids()],
            lambda: self.runs,
            lambda: self.pinned_baseline,
            lambda: self.known_redirects,
            lambda: self.runbook_runs,
        ):
            read()

    # -- reading ------------------------------------------------------------------

    @property
    def schema(self) -> int:
        top = self._top()
        if "schema" not in top:
            raise top.fail("schema", f"missing; add `schema = {SCHEMA_VERSION}` at the top")
        return top.integer("schema", minimum=1)

    @property
    def id(self) -> str:
        return self._top().string("id", "") or slug(self.apex)

    @property
    def product(self) -> str:
        return self._top().string("product", "")

    @property
    def profile(self) -> str:
        return self._top().string("profile", "") or "community-launch"

    @property
    def runbook(self) -> str:
        return self._top().string("runbook", "") or "launch-ready"

    @property
    def repo(self) -> Path | None:
        repo = self._top().string("repo", "")
        return self._resolve(repo) if repo else None

    @property
    def created(self) -> dt.datetime | None:
        return self._top().moment("created")

    @property
    def sprint_started(self) -> dt.datetime | None:
        """When the 48 hours began: set explicitly, else when the engagement was made."""
        return self._top().moment("sprint_started") or self.created

    def _resolve(self, text: str) -> Path:
        """Paths in the file are relative to the file, so a repo can travel with it."""
        path = Path(text).expanduser()
        return path if path.is_absolute() else (self.path.parent / path)

    @property
    def apex(self) -> str:
        domain = self._domain()
        try:
            return parse_domain(domain.string("apex")).name
        except DomainError as exc:
            raise domain.fail("apex", str(exc)) from None

    @property
    def canonical_host(self) -> str:
        domain = self._domain()
        canonical = domain.string("canonical", "")
        if not canonical:
            return self.apex
        try:
            return canonical_from(self.apex, canonical)
        except DomainError as exc:
            raise domain.fail("canonical", str(exc)) from None

    @property
    def canonical_declared(self) -> bool:
        """Only a canonical host the person wrote down is held against the redirects."""
        return bool(self._domain().string("canonical", ""))

    @property
    def nameservers(self) -> list[str]:
        return list(self._domain().strings("nameservers", example='["1.1.1.1"]'))

    @property
    def ca_bundle_setting(self) -> str:
        """The extra CA file as written in the file (relative paths stay relative)."""
        return self._domain().string("ca_bundle", "")

    @property
    def ca_bundle(self) -> Path | None:
        """Extra CA certificates for this product's TLS (a corporate proxy, the demo lab)."""
        bundle = self.ca_bundle_setting
        return self._resolve(bundle) if bundle else None

    @property
    def email_in_scope(self) -> bool:
        return self._email().boolean("in_scope", True)

    @property
    def dkim_selectors(self) -> list[str]:
        return list(self._email().strings("dkim_selectors", example='["google", "s1"]'))

    @property
    def subdomains(self) -> list[Subdomain]:
        apex = self.apex
        subdomains = []
        for row in self._domain().tables("subdomains", ("name",), ("role",), unknown="typos"):
            role = row.string("role", "other")
            if role not in SUBDOMAIN_ROLES:
                raise row.fail("role", f"expected one of {', '.join(SUBDOMAIN_ROLES)}")
            try:
                host = parse_domain(host_under(apex, row.string("name"))).name
            except DomainError as exc:
                raise row.fail("name", _without_quotes(str(exc))) from None
            subdomains.append(Subdomain(host, role))
        return subdomains

    @property
    def routes(self) -> list[Route]:
        return [self._route(row) for row in self._rows("routes", ("name", "url"), _ROUTE_KEYS)]

    def _route(self, row: Table) -> Route:
        name, url = row.string("name"), row.string("url")
        if not _is_http_url(url):
            raise row.fail("url", "expected an http:// or https:// URL with a host name")
        kind = row.string("kind", "") or infer_route_kind(name, url)
        if kind not in ROUTE_KINDS:
            raise row.fail("kind", f"expected one of {', '.join(ROUTE_KINDS)}")
        method = row.string("method", "GET").upper()
        if method not in HTTP_METHODS:
            raise row.fail("method", f"expected one of {', '.join(HTTP_METHODS)}")
        budget = row.optional_integer("budget_ms", minimum=1, maximum=600_000, unit="milliseconds")
        credential = row.string("credential", "")
        header = row.string("credential_header", "Cookie")
        if header not in _CREDENTIAL_HEADERS:
            raise row.fail("credential_header", f"expected one of {', '.join(_CREDENTIAL_HEADERS)}")
        return Route(name, url, method, kind, budget, credential, header)

    @property
    def environments(self) -> list[Environment]:
        return [
            Environment(row.string("name"), row.string("url", ""), row.string("notes", ""))
            for row in self._rows("environments", ("name",), ("url", "notes"))
        ]

    @property
    def deploy(self) -> Deploy:
        table = self._top().table("deploy", (), _DEPLOY_KEYS, missing_ok=True, unknown="typos")
        return Deploy(
            provider=table.string("provider", ""),
            how=table.string("how", ""),
            rollback=table.strings("rollback", example='["Open Deployments", "Promote …"]'),
            last_good=table.string("last_good", ""),
            who=table.string("who", ""),
        )

    @property
    def backup(self) -> Backup:
        table = self._top().table("backup", (), _BACKUP_KEYS, missing_ok=True, unknown="typos")
        return Backup(
            what=table.string("what", ""),
            schedule=table.string("schedule", ""),
            restore=table.strings("restore", example='["Open the console", "Restore …"]'),
            tested=table.date("tested"),
        )

    @property
    def monitoring(self) -> Monitoring:
        table = self._top().table(
            "monitoring", (), _MONITORING_KEYS, missing_ok=True, unknown="typos"
        )
        return Monitoring(table.string("service", ""), table.string("alerts_to", ""))

    @property
    def owners(self) -> list[Owner]:
        return [
            Owner(
                row.string("account"),
                row.string("provider", ""),
                row.string("owner", ""),
                row.string("contact", ""),
                row.optional_boolean("two_factor"),
                row.string("recovery", ""),
            )
            for row in self._rows("owners", ("account",), _OWNER_KEYS)
        ]

    @property
    def secrets(self) -> list[Secret]:
        """Every inventory entry, validated; a name listed twice in one environment is refused."""
        return list(self._built_once("secrets", self._read_secrets))

    def _read_secrets(self) -> list[Secret]:
        secrets: list[Secret] = []
        seen: dict[tuple[str, str], str] = {}
        for row in self._rows("secrets", ("name",), SECRET_FIELDS[1:]):
            secret = secret_from_table(row)
            identity = (secret.name, secret.environment)
            if identity in seen:
                raise row.where.error(f"{secret.label} is already listed as {seen[identity]}")
            seen[identity] = row.where.key
            secrets.append(secret)
        return secrets

    def secret(self, name: str, environment: str | None = None) -> Secret:
        """The entry called `name`; with no environment, the only one of that name."""
        secrets = self.secrets
        same_name = [secret for secret in secrets if secret.name == name]
        if environment is not None:
            for secret in same_name:
                if secret.environment == environment:
                    return secret
        elif len(same_name) == 1:
            return same_name[0]
        elif same_name:
            environments = ", ".join(secret.environment for secret in same_name)
            raise EngagementError(
                f"{self.path}: {name} exists in several environments ({environments}); "
                "say which one."
            )
        known = ", ".join(secret.label for secret in secrets) or "none yet"
        wanted = f"{name} ({environment})" if environment else name
        raise SecretNotFound(f"{self.path}: no secret {wanted} in the inventory (known: {known}).")

    @property
    def suppressions(self) -> list[Suppression]:
        return [
            Suppression(row.string("check"), row.string("target", "*"), row.string("reason"))
            for row in self._rows("suppressions", ("check", "reason"), ("target",))
        ]

    def checklist_marks(self, stage: str | None = None) -> dict[tuple[str, str], ChecklistMark]:
        """Ticked manual items, keyed by (stage id, item id)."""
        marks = {}
        for stage_id, table in self._stages():
            if stage is not None and stage_id != stage:
                continue
            checklist = table.table("checklist", unknown="allow", missing_ok=True)
            for item_id in checklist.values:
                mark = checklist.table(item_id, ("done",), ("by", "at"))
                marks[(stage_id, item_id)] = ChecklistMark(
                    mark.boolean("done"), mark.string("by", ""), mark.moment("at")
                )
        return marks

    def notes(self, stage: str) -> str:
        for stage_id, table in self._stages():
            if stage_id == stage:
                return table.string("notes", "", strip=False)
        return ""

    # -- history ----------------------------------------------------------------------

    @property
    def changes(self) -> list[Change]:
        """The change log, oldest first."""
        return parse_changes(self._history().string("changes", "", strip=False))

    @property
    def runs(self) -> list[Run]:
        """Every filed run, oldest first."""
        return [
            self._run(row) for row in self._history().tables("runs", ("id", "at"), _RUN_KEYS[2:])
        ]

    def _run(self, row: Table) -> Run:
        counts = row.table("counts", unknown="allow", missing_ok=True)
        return Run(
            id=row.string("id"),
            at=row.moment("at") or _now(),
            seconds=row.number("seconds") if "seconds" in row else 0.0,
            who=row.string("who", ""),
            via=row.string("via", ""),
            scope=row.string("scope", ""),
            complete=row.boolean("complete", False),
            versions=decode_versions(row.string("checks", "")),
            counts={key: counts.integer(key, minimum=0) for key in counts.values},
            results_text=row.string("results", "", strip=False),
        )

    @property
    def known_redirects(self) -> tuple[dt.datetime | None, list[KnownRedirect]]:
        """The redirect map recorded as right (when, and each start URL's end)."""
        table = self._top().table("redirects", (), ("recorded", "known"), missing_ok=True)
        known = [
            KnownRedirect(
                row.string("start"),
                row.string("final", ""),
                row.integer("status", 0, minimum=0, maximum=999),
                row.strings("chain"),
            )
            for row in table.tables("known", ("start",), ("final", "status", "chain"))
        ]
        return table.moment("recorded"), known

    @property
    def runbook_runs(self) -> list[RunbookRun]:
        """Founder runbooks followed so far, oldest first; unfinished ones can resume."""
        return [
            self._runbook_run(row)
            for row in self._history().tables("runbooks", ("id", "runbook"), _RUNBOOK_RUN_KEYS[2:])
        ]

    def _runbook_run(self, row: Table) -> RunbookRun:
        status = row.string("status", "in progress")
        if status not in RUN_STATUSES:
            raise row.fail("status", f"expected one of {', '.join(RUN_STATUSES)}")
        inputs = row.table("inputs", unknown="allow", missing_ok=True)
        return RunbookRun(
            id=row.string("id"),
            runbook=row.string("runbook"),
            who=row.string("who", ""),
            via=row.string("via", ""),
            started=row.moment("started") or _now(),
            status=status,
            step=row.integer("step", 0, minimum=0),
            subject=row.string("subject", ""),
            inputs={key: inputs.string(key, "") for key in inputs.values},
            outcomes=tuple(
                StepOutcome(c.at, c.who, c.via, c.what)
                for c in parse_changes(row.string("steps", "", strip=False))
            ),
            finished=row.moment("finished"),
        )

    @property
    def pinned_baseline(self) -> str:
        return self._history().string("baseline", "")

    @property
    def baseline(self) -> Run | None:
        """The run later runs are compared with: the pinned one, else the first complete one."""
        return baseline_of(self.runs, self.pinned_baseline)

    def latest_findings(self) -> list[Finding]:
        """Each check's findings from the newest run that ran it."""
        return latest_findings(self.runs)

    @property
    def last_checked(self) -> dt.datetime | None:
        runs = self.runs
        return runs[-1].at if runs else None

    # -- changing: settings -----------------------------------------------------------

    def set_network(self, nameservers: Sequence[str], ca_bundle: str) -> None:
        """The resolver and extra CA the checks use (split DNS, corporate proxies)."""
        domain = self._editable()["domain"]
        nameservers = [text.strip() for text in nameservers if text.strip()]
        if list(self.nameservers) != nameservers:
            domain["nameservers"] = nameservers
            said = ", ".join(nameservers) or "this computer's resolver"
            self.log(f"DNS servers to ask set to {said}.")
        if ca_bundle.strip() != self.ca_bundle_setting:
            if ca_bundle.strip():
                domain["ca_bundle"] = ca_bundle.strip()
                self.log(f"Extra CA certificates set to {ca_bundle.strip()}.")
            else:
                del domain["ca_bundle"]
                self.log("Extra CA certificates removed.")

    def set_product(self, *, product: str | None = None, profile: str | None = None) -> None:
        doc = self._editable()
        if product is not None and product.strip() != self.product:
            doc["product"] = product.strip()
            self.log(f"Product name set to {product.strip()}.")
        if profile is not None and profile.strip() and profile.strip() != self.profile:
            doc["profile"] = profile.strip()
            self.log(f"Profile set to {profile.strip()}.")

    def set_deploy(self, deploy: Deploy) -> None:
        """How production deploys and rolls back; empty fields are left out of the file."""
        self._set_section("deploy", _section_values(deploy), "How production deploys", "deploy")

    def set_backup(self, backup: Backup) -> None:
        self._set_section("backup", _section_values(backup), "The backups", "handover")

    def set_monitoring(self, monitoring: Monitoring) -> None:
        self._set_section("monitoring", _section_values(monitoring), "Who is alerted", "monitoring")

    def _set_section(self, key: str, values: dict[str, Any], said: str, stage: str) -> None:
        current = self.data.get(key, {})
        if _plain(current) == values or (not current and not values):
            return
        table = tomlkit.table()
        for name, value in values.items():
            table.add(name, value)
        table.add(tomlkit.nl())
        document = self._editable()
        if key in document:
            document[key] = table
        else:
            insert_section(document, key, table)
        self.log(f"{said}: recorded.", stage=stage)

    # -- changing: lists ----------------------------------------------------------------

    def add_subdomain(self, name: str, role: str = "", *, at: int | None = None) -> Subdomain:
        """`at`: the position in the list (a removal undone); the end by default."""
        row, added = self._subdomain_row(name, role, [s.name for s in self.subdomains])
        append_row(self._aot("subdomains", parent=self._editable()["domain"]), row, at)
        self.log(f"Added subdomain: {added.describe()}.", stage="dns")
        return added

    def update_subdomain(self, host: str, name: str, role: str = "") -> Subdomain:
        """Rename a listed subdomain or change its role, in place."""
        hosts = [s.name for s in self.subdomains]
        index = self._index_of("domain.subdomains", hosts, host)
        row, changed = self._subdomain_row(name, role, hosts[:index] + hosts[index + 1 :])
        row.add(tomlkit.nl())
        self._editable()["domain"]["subdomains"][index] = row
        self.log(f"Changed subdomain {host}: now {changed.describe()}.", stage="dns")
        return changed

    def _subdomain_row(
        self, name: str, role: str, others: list[str]
    ) -> tuple[TomlTable, Subdomain]:
        host = parse_domain(host_under(self.apex, name)).name
        if host == self.apex:  # an empty name or "@" would list the apex as its own subdomain
            raise EngagementError(
                "A subdomain needs a name such as app or api; the apex is always checked."
            )
        label = host.removesuffix("." + self.apex)
        role = role or (label if label in SUBDOMAIN_ROLES else "other")
        if role not in SUBDOMAIN_ROLES:
            raise EngagementError(f"role {role!r} is not one of {', '.join(SUBDOMAIN_ROLES)}")
        if host in others:
            raise EngagementError(f"{host} is already listed.")
        row = tomlkit.table()
        row.add("name", label)
        row.add("role", role)
        return row, Subdomain(host, role)

    def remove_subdomain(self, host: str) -> None:
        subdomains = self.subdomains
        index = self._index_of("domain.subdomains", [s.name for s in subdomains], host)
        del self._editable()["domain"]["subdomains"][index]
        removed = subdomains[index]
        self.log(f"Removed subdomain: {removed.describe()}.", stage="dns")

    def add_route(self, route: Route, *, at: int | None = None) -> None:
        _require_route(route)
        if any(existing.name == route.name for existing in self.routes):
            raise EngagementError(f"A route named {route.name} is already listed.")
        append_row(self._aot("routes"), _route_row(route), at)
        self.log(f"Added route: {route.describe()}.", stage="performance")

    def update_route(self, name: str, route: Route) -> None:
        _require_route(route)
        names = [r.name for r in self.routes]
        index = self._index_of("routes", names, name)
        if route.name != name and route.name in names:
            raise EngagementError(f"A route named {route.name} is already listed.")
        self._editable()["routes"][index] = _route_row(route)
        self.log(f"Changed route {name}: {route.describe()}.", stage="performance")

    def remove_route(self, name: str) -> None:
        routes = self.routes
        index = self._index_of("routes", [r.name for r in routes], name)
        del self._editable()["routes"][index]
        self.log(f"Removed route: {routes[index].describe()}.", stage="performance")

    def add_environment(self, environment: Environment, *, at: int | None = None) -> None:
        append_row(self._aot("environments"), _environment_row(environment), at)
        self.log(f"Added environment: {environment.describe()}.", stage="deploy")

    def update_environment(self, name: str, environment: Environment) -> None:
        """Change a listed environment (its name, URL or notes) in place."""
        index = self._index_of("environments", [e.name for e in self.environments], name)
        row = _environment_row(environment)
        row.add(tomlkit.nl())
        self._editable()["environments"][index] = row
        self.log(f"Changed environment {name}: now {environment.describe()}.", stage="deploy")

    def remove_environment(self, name: str) -> None:
        environments = self.environments
        index = self._index_of("environments", [e.name for e in environments], name)
        del self._editable()["environments"][index]
        self.log(f"Removed environment: {environments[index].describe()}.", stage="deploy")

    def add_owner(self, owner: Owner, *, at: int | None = None) -> None:
        if not owner.account.strip():
            raise EngagementError("Say which account this is (registrar, DNS, hosting…).")
        append_row(self._aot("owners"), _owner_row(owner), at)
        self.log(f"Added owner: {owner.describe()}.", stage="handover")

    def update_owner(self, old: Owner, new: Owner) -> None:
        index = self._index_of("owners", self.owners, old)
        self._editable()["owners"][index] = _owner_row(new)
        self.log(f"Changed owner {old.describe()}: now {new.describe()}.", stage="handover")

    def remove_owner(self, owner: Owner) -> None:
        index = self._index_of("owners", self.owners, owner)
        del self._editable()["owners"][index]
        self.log(f"Removed owner: {owner.describe()}.", stage="handover")

    def add_suppression(self, suppression: Suppression, *, stage: str = "") -> None:
        row = tomlkit.table()
        row.add("check", suppression.check)
        row.add("target", suppression.target)
        row.add("reason", suppression.reason)
        append_row(self._aot("suppressions"), row)
        self.log(f"Accepted the risk of {suppression.describe()}", stage=stage)

    def remove_suppression(self, suppression: Suppression) -> None:
        index = self._index_of("suppressions", self.suppressions, suppression)
        del self._editable()["suppressions"][index]
        self.log(f"No longer accepting {suppression.check} on {suppression.target}.")

    # -- changing: the secret inventory ---------------------------------------------------

    def add_secret(self, secret: Secret, *, at: int | None = None) -> Secret:
        """Append an entry (or put it at `at`); EngagementError when it is invalid or
        already listed."""
        existing = self.secrets  # a broken inventory is reported, never appended to
        if any(s.name == secret.name and s.environment == secret.environment for s in existing):
            raise EngagementError(f"{self.path}: {secret.label} is already in the inventory.")
        index = len(existing) if at is None else min(max(at, 0), len(existing))
        append_row(self._aot("secrets"), self._secret_table(secret, index), index)
        added = self.secrets[index]
        self.log(f"Added secret: {added.describe()}.", stage="handover")
        return added

    def update_secret(self, name: str, environment: str, **changes: Any) -> Secret:
        """Change the given fields of one entry in place (None or empty clears a field).

        Other keys, comments and the entry's position are kept.
        """
        index, current = self._secret_index(name, environment)
        unknown = set(changes) - {"reference", "owner", "last_rotated", "rotation_days", "used_by"}
        if unknown:
            raise TypeError(f"cannot change {', '.join(sorted(unknown))} this way")
        if "used_by" in changes and changes["used_by"] is not None:
            changes["used_by"] = tuple(changes["used_by"])
        cleared = {
            key: (value if value is not None else _EMPTY[key]) for key, value in changes.items()
        }
        candidate = replace(current, **cleared)
        row = self._editable()["secrets"][index]
        desired = secret_row(self._checked_secret(candidate, index))
        changed = []
        for key in changes:
            value = desired.get(key)
            if value is None and key in row:
                del row[key]
                changed.append(key.replace("_", " "))
            elif value is not None and _plain(row.get(key)) != value:
                row[key] = value
                changed.append(key.replace("_", " "))
        updated = self.secrets[index]
        if changed:
            self.log(f"Updated secret {updated.label}: {', '.join(changed)}.", stage="handover")
        return updated

    def remove_secret(self, name: str, environment: str) -> Secret:
        index, removed = self._secret_index(name, environment)
        del self._editable()["secrets"][index]
        self.log(f"Removed secret: {removed.label} from the inventory.", stage="handover")
        return removed

    def record_rotation(
        self, name: str, environment: str, *, today: dt.date | None = None, note: str = ""
    ) -> Secret:
        """Rotation done: last_rotated = today, exposure cleared, who and when logged."""
        index, before = self._secret_index(name, environment)
        row = self._editable()["secrets"][index]
        row["last_rotated"] = today or dt.date.today()
        for key in ("exposed_since", "exposed_by_fingerprint"):
            if key in row:
                del row[key]
        what = f"Rotated {before.label}"
        if before.exposed:
            since = f" since {before.exposed_since:%Y-%m-%d}" if before.exposed_since else ""
            what += f"; it had been exposed{since}, now cleared"
        self.log(f"{what}{'; ' + note if note else ''}.", stage="handover")
        return self.secrets[index]

    def mark_secret_exposed(
        self, name: str, environment: str, *, since: dt.datetime, fingerprint: str, how: str
    ) -> Secret:
        """Flag an entry as leaked: when, and which redacted fingerprint showed it."""
        index, secret = self._secret_index(name, environment)
        row = self._editable()["secrets"][index]
        row["exposed_since"] = since.astimezone(dt.UTC).replace(microsecond=0)
        row["exposed_by_fingerprint"] = fingerprint
        self.log(f"{secret.label} marked exposed: {how}; rotate it.", stage="security")
        return self.secrets[index]

    def _secret_index(self, name: str, environment: str) -> tuple[int, Secret]:
        secret = self.secret(name, environment)
        return self.secrets.index(secret), secret

    def _secret_table(self, secret: Secret, index: int) -> TomlTable:
        row = tomlkit.table()
        for key, value in secret_row(self._checked_secret(secret, index)).items():
            row.add(key, value)
        return row

    def _checked_secret(self, secret: Secret, index: int) -> Secret:
        """Validate an entry on its way in, and refuse anything that looks like a value."""
        where = Where(self.path, f"secrets[{index}]", error_type=EngagementError)
        checked = secret_from_table(Table(secret_row(secret), where, unknown="allow"))
        if secret.rotation_days is not None and secret.rotation_days > MAX_ROTATION_DAYS:
            raise where.at("rotation_days").error(
                f"at most {MAX_ROTATION_DAYS} days (ten years); rotate more often than that"
            )
        lookalike = value_lookalike_field(secret)
        if lookalike:
            raise where.error(
                f"the {lookalike} looks like a secret value itself; record where the secret "
                "lives (op://vault/item/field, vercel:env/NAME, …), never the value."
            )
        return checked

    # -- changing: checklist, notes, runs -------------------------------------------------

    def mark_checklist(self, stage: str, item: str, done: bool, *, label: str = "") -> None:
        checklist = self._stage_table(stage).setdefault("checklist", tomlkit.table())
        mark = tomlkit.inline_table()
        mark.update({"done": done, "by": self.actor.who, "at": _now()})
        checklist[item] = mark
        verb = "Ticked" if done else "Unticked"
        self.log(f"{verb}: “{label or item}”.", stage=stage)

    def set_notes(self, stage: str, text: str) -> None:
        """Replace a stage's notes; a burst of typing is one line in the change log."""
        if text == self.notes(stage):
            return
        self._stage_table(stage)["notes"] = tomlkit.string(text, multiline="\n" in text)
        what = f"Edited the notes of {stage}."
        last = self.changes[-1] if self.changes else None
        if (
            last is not None
            and last.what == what
            and last.who == self.actor.who
            and last.at is not None
            and _now() - last.at < _NOTES_COALESCE
        ):
            return
        self.log(what, stage=stage)

    def record_run(self, record: RunRecord) -> Run:
        """File a finished run in the history and log it; old runs are thinned."""
        history = self._history_table()
        runs = history.setdefault("runs", tomlkit.aot())
        run_id = run_id_for(record.started, (run.id for run in self.runs))
        row = tomlkit.table()
        row.add("id", run_id)
        row.add("at", record.started.astimezone(dt.UTC).replace(microsecond=0))
        row.add("seconds", round((record.finished - record.started).total_seconds(), 1))
        row.add("who", self.actor.who)
        row.add("via", self.actor.via)
        row.add("scope", record.scope)
        row.add("complete", record.complete)
        row.add("checks", encode_versions(record.versions))
        counts = tomlkit.inline_table()
        counts.update(count_statuses(record.findings))
        row.add("counts", counts)
        row.add("results", literal_text(encode_results(record.findings, detailed_checks=None)))
        runs.append(row)
        self._tidy_history()
        problems = [f for f in record.findings if f.is_problem]
        blockers = sum(1 for f in problems if f.tier is Tier.BLOCKER)
        stage = record.stages[0] if len(record.stages) == 1 else ""
        self.log(
            f"Ran {len(record.versions)} checks ({record.scope}): {len(problems)} to look at, "
            f"{blockers} blocking launch.",
            stage=stage,
        )
        return next(run for run in self.runs if run.id == run_id)

    def pin_baseline(self, run_id: str | None) -> None:
        """Compare later runs with this run (None: back to the first complete run)."""
        history = self._history_table()
        if run_id is None:
            if "baseline" in history:
                del history["baseline"]
                self.log("Baseline set back to the first complete run.")
            return
        run = next((run for run in self.runs if run.id == run_id), None)
        if run is None:
            known = ", ".join(run.id for run in self.runs) or "none yet"
            raise EngagementError(f"{self.path}: no run {run_id} (runs: {known}).")
        history["baseline"] = run_id
        self.log(f"Pinned the run of {run.at:%Y-%m-%d %H:%M} UTC as the baseline.")

    # -- changing: what founder runbooks record ----------------------------------------

    def record_known_redirects(self, redirects: Sequence[KnownRedirect]) -> None:
        """Keep the redirect map as it is now as the one that is right."""
        table = tomlkit.table()
        table.add("recorded", _now())
        rows = tomlkit.aot()
        for redirect in redirects:
            row = tomlkit.table()
            row.add("start", redirect.start)
            row.add("final", redirect.final)
            row.add("status", redirect.status)
            row.add("chain", list(redirect.chain))
            rows.append(row)
        table.add("known", rows)
        document = self._editable()
        if "redirects" in document:
            document["redirects"] = table
        else:
            insert_section(document, "redirects", table)
        self.log(
            f"Recorded the redirects of {len(redirects)} addresses as known-good.", stage="dns"
        )

    def record_rollback(self, release: str, *, smoke_passed: bool) -> None:
        """Production was rolled back to `release`; it is the last one known to work."""
        outcome = "the smoke test passed" if smoke_passed else "the smoke test did NOT pass"
        if release.strip() and smoke_passed:
            self.set_deploy(replace(self.deploy, last_good=release.strip()))
        self.log(f"Rolled production back to {release.strip() or 'an earlier release'}; {outcome}.",
                 stage="deploy")  # fmt: skip

    def record_incident(self, note: str) -> None:
        self.log(f"Incident: {note.strip()}", stage="monitoring")

    def record_inbox_test(self, results: dict[str, str]) -> None:
        said = ", ".join(f"{inbox}: {where}" for inbox, where in results.items())
        self.log(f"Inbox test after a DNS change: {said}.", stage="monitoring")

    # -- changing: runbook runs ---------------------------------------------------------

    def start_runbook_run(self, runbook: str, subject: str = "", *, title: str = "") -> RunbookRun:
        history = self._history_table()
        rows = history.setdefault("runbooks", tomlkit.aot())
        started = _now()
        run_id = run_id_for(started, (run.id for run in self.runbook_runs))
        row = tomlkit.table()
        fields = {
            "id": run_id,
            "runbook": runbook,
            "who": self.actor.who,
            "via": self.actor.via,
            "started": started,
            "status": "in progress",
            "subject": subject,
            "step": 0,
        }
        for key, value in fields.items():
            row.add(key, value)
        row.add("inputs", tomlkit.inline_table())
        row.add("steps", literal_text(""))
        rows.append(row)
        about = f" for {subject}" if subject else ""
        self.log(f"Started the runbook “{title or runbook}”{about}.", stage="handover")
        return self.runbook_run(run_id)

    def runbook_run(self, run_id: str) -> RunbookRun:
        for run in self.runbook_runs:
            if run.id == run_id:
                return run
        raise EngagementError(f"{self.path}: no runbook run {run_id}.")

    def log_runbook_step(
        self,
        run_id: str,
        step: str,
        result: str,
        note: str = "",
        *,
        next_step: int,
        inputs: dict[str, str] | None = None,
        subject: str | None = None,
    ) -> RunbookRun:
        """Add one step's outcome to a run (never a secret value: callers pass notes)."""
        row = self._runbook_row(run_id)
        # A step's line has the change log's shape: when | step | result | - | note.
        change = new_change(Actor(step, result), note or result)
        current = str(row.get("steps", "")).rstrip("\n")
        row["steps"] = literal_text((current + "\n" if current else "") + change.line() + "\n")
        row["step"] = next_step
        if inputs:
            table = row.setdefault("inputs", tomlkit.inline_table())
            for key, value in inputs.items():
                table[key] = value
        if subject is not None:
            row["subject"] = subject
        return self.runbook_run(run_id)

    def finish_runbook_run(self, run_id: str, status: str, summary: str, *, title: str) -> None:
        if status not in RUN_STATUSES:
            raise ValueError(f"status {status!r} is not one of {RUN_STATUSES}")
        row = self._runbook_row(run_id)
        row["status"] = status
        row["finished"] = _now()
        run = self.runbook_run(run_id)
        about = f" for {run.subject}" if run.subject else ""
        verb = "Finished" if status == "done" else "Stopped"
        self.log(f"{verb} the runbook “{title}”{about}: {summary}", stage="handover")

    def _runbook_row(self, run_id: str) -> TomlTable:
        history = self._history_table()
        for row in history.get("runbooks", []):
            if row.get("id") == run_id:
                return cast(TomlTable, row)
        raise EngagementError(f"{self.path}: no runbook run {run_id}.")

    def log(self, what: str, *, stage: str = "") -> Change:
        """Add a line to the change log, by this engagement's actor."""
        change = new_change(self.actor, what, stage=stage)
        history = self._history_table()
        current = str(history.get("changes", "")).rstrip("\n")
        history["changes"] = literal_text(
            (current + "\n" if current else "") + change.line() + "\n"
        )
        return change

    # -- helpers ------------------------------------------------------------------------

    @property
    def data(self) -> Any:
        """The file's content as read (tomlkit's document once something was changed)."""
        if self._doc is not None:
            return self._doc
        if self._plain is None:
            self._plain = _parse_plain(self.path, self._base_text or "")
        return self._plain

    def _built_once(self, name: str, build: Callable[[], T]) -> T:
        """A view of the file as read, built on first use: validating an inventory of
        thousands of entries takes seconds, and the app asks for it on every repaint.
        Once the file is being edited, every read builds afresh from the edited document."""
        if self._doc is not None:
            return build()
        if name not in self._views:
            self._views[name] = build()
        view: T = self._views[name]
        return view

    def _editable(self) -> TOMLDocument:
        self._views.clear()
        if self._doc is None:
            self._doc = self._parsed(self._base_text or "")
        self._dirty = True
        return self._doc

    def _parsed(self, text: str) -> TOMLDocument:
        """tomlkit's reading of `text`, upgraded to the current schema."""
        from .migrate import MigrationError, upgrade

        try:
            document = tomlkit.parse(text)
        except tomlkit.exceptions.ParseError as exc:
            reason = str(exc).split(" at line ")[0].rstrip(".")
            raise EngagementError(
                f"{self.path}:{exc.line}:{exc.col}: not valid TOML ({reason})."
            ) from None
        except tomlkit.exceptions.TOMLKitError as exc:
            raise EngagementError(f"{self.path}: not valid TOML ({exc}).") from None
        try:
            upgrade(document)
        except MigrationError as exc:
            raise EngagementError(f"{self.path}: {exc}") from None
        return document

    def _where(self) -> Where:
        return Where(self.path, lines=KeyLines(self._base_text or ""), error_type=EngagementError)

    def _top(self) -> Table:
        return Table(self.data, self._where(), (), _TOP_KEYS, unknown="typos")

    def _domain(self) -> Table:
        top = self._top()
        if "domain" not in top:
            raise top.fail("domain", 'missing table; add [domain] with apex = "example.com"')
        return top.table("domain", ("apex",), _DOMAIN_KEYS, unknown="typos")

    def _email(self) -> Table:
        return self._top().table(
            "email", (), ("in_scope", "dkim_selectors"), missing_ok=True, unknown="typos"
        )

    def _history(self) -> Table:
        return self._top().table(
            "history",
            (),
            ("changes", "baseline", "runs", "runbooks"),
            missing_ok=True,
            unknown="typos",
        )

    def _stages(self) -> list[tuple[str, Table]]:
        stages = self._top().table("stages", unknown="allow", missing_ok=True)
        return [
            (key, stages.table(key, (), ("checklist", "notes"), unknown="typos"))
            for key in stages.values
        ]

    def _stage_ids(self) -> list[str]:
        return [stage_id for stage_id, _ in self._stages()]

    def _rows(self, key: str, required: Sequence[str], optional: Sequence[str]) -> list[Table]:
        return self._top().tables(key, required, optional, unknown="typos")

    def _aot(self, key: str, parent: Any = None) -> AoT:
        document = self._editable()
        if parent is None:
            if key not in document:
                insert_section(document, key, tomlkit.aot())
            return cast(AoT, document[key])
        if key not in parent:
            parent[key] = tomlkit.aot()
        return cast(AoT, parent[key])

    def _stage_table(self, stage: str) -> TomlTable:
        document = self._editable()
        if "stages" not in document:
            insert_section(document, "stages", tomlkit.table(is_super_table=True))
        return cast(TomlTable, document["stages"].setdefault(stage, tomlkit.table()))

    def _history_table(self) -> TomlTable:
        document = self._editable()
        if "history" not in document:
            insert_section(document, "history", new_history_table())
        return cast(TomlTable, document["history"])

    def _index_of(self, section: str, entries: Sequence[Any], wanted: Any) -> int:
        try:
            return list(entries).index(wanted)
        except ValueError:
            raise EngagementError(
                f"{self.path}: {section}: that entry is no longer in the file (it was changed "
                "or removed meanwhile)."
            ) from None

    def _tidy_history(self) -> None:
        """Drop runs beyond the limit and the words nobody will read again."""
        if self._doc is None or "history" not in self._doc:
            return
        rows = self._doc["history"].get("runs")
        if not rows:
            return
        runs = self.runs
        baseline = baseline_of(runs, self.pinned_baseline)
        keep_ids = {run.id for run in runs[-MAX_RUNS:]} | ({baseline.id} if baseline else set())
        for index in reversed(range(len(runs))):
            if runs[index].id not in keep_ids:
                del rows[index]
        runs = [run for run in runs if run.id in keep_ids]
        provides = checks_each_run_provides(runs)
        for row, run in zip(rows, runs, strict=True):
            keep = set(run.versions) if baseline and run.id == baseline.id else provides[run.id]
            text = compacted(run.results_text, keep)
            if text != run.results_text:
                row["results"] = literal_text(text)


# -- module helpers ------------------------------------------------------------------------

_EMPTY: dict[str, Any] = {
    "reference": "",
    "owner": "",
    "last_rotated": None,
    "rotation_days": None,
    "used_by": (),
}


def default_actor() -> Actor:
    from ..settings import operator_name

    return Actor(operator_name(), "cli")


def _locking(path: Path) -> contextlib.AbstractContextManager[None]:
    """The file's lock, with a wait that ends in a plain error rather than a hang."""

    @contextlib.contextmanager
    def hold() -> Iterator[None]:
        with contextlib.ExitStack() as stack:
            try:
                stack.enter_context(locked(path))
            except LockTimeout as exc:
                raise EngagementError(str(exc)) from None
            except PermissionError as exc:
                raise EngagementError(
                    f"cannot save {path}: no permission to write in "
                    f"{Path(path).resolve().parent} ({exc.strerror}); nothing was changed."
                ) from None
            except OSError as exc:  # a read-only or full disk, a name too long for it
                raise EngagementError(
                    f"cannot save {path}: {exc.strerror or exc}; nothing was changed."
                ) from None
            yield

    return hold()


def _read_text(path: Path) -> str:
    """The file's text, refusing what is not a reasonable engagement before reading it."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise EngagementError(f"{path}: no such file.") from None
    except OSError as exc:
        raise EngagementError(f"{path}: cannot be read: {exc.strerror or exc}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise EngagementError(f"{path}: is a folder, not an engagement file.")
    if not stat.S_ISREG(info.st_mode):
        raise EngagementError(f"{path}: is not a regular file (a pipe or a device?).")
    if info.st_size > MAX_FILE_BYTES:
        raise EngagementError(
            f"{path}: is {info.st_size / 2**20:.0f} MB; an engagement file is at most "
            f"{MAX_FILE_BYTES // 2**20} MB. Is it the right file?"
        )
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise EngagementError(f"{path}: cannot be read: {exc.strerror or exc}.") from None
    try:
        return data.decode("utf-8-sig")  # tolerate a BOM (Windows editors)
    except UnicodeDecodeError:
        raise EngagementError(f"{path}: not a text file (it is not valid UTF-8).") from None


def _read_text_or_none(path: Path) -> str | None:
    try:
        return _read_text(path)
    except EngagementError:
        if not Path(path).exists():
            return None
        raise


_TOMLLIB_POSITION = re.compile(r"^(?P<reason>.*?) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def _parse_plain(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOMLLIB_POSITION.match(str(exc))
        if match:
            raise EngagementError(
                f"{path}:{match['line']}:{match['col']}: not valid TOML ({match['reason']})."
            ) from None
        raise EngagementError(f"{path}: not valid TOML ({exc}).") from None


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def _new_changes(before: Sequence[Change], after: Sequence[Change]) -> list[Change]:
    known = {change.line() for change in before}
    return [change for change in after if change.line() not in known]


def _section_values(entry: Any) -> dict[str, Any]:
    """A section's keys for `entry` (a dataclass), empty ones left out, lists as lists."""
    values = {}
    for name in entry.__dataclass_fields__:
        value = getattr(entry, name)
        if isinstance(value, tuple):
            value = [item for item in value if item.strip()]
        if isinstance(value, str):
            value = value.strip()
        if value not in ("", None, []):
            values[name] = value
    return values


def _require_route(route: Route) -> None:
    if not route.name.strip():
        raise EngagementError("A route needs a name (login, dashboard, …).")
    if not _is_http_url(route.url):
        raise EngagementError("A route's URL starts with http:// or https:// and names a host.")
    if route.kind not in ROUTE_KINDS:
        raise EngagementError(f"A route's kind is one of {', '.join(ROUTE_KINDS)}.")
    if route.budget_ms is not None and not 0 < route.budget_ms <= 600_000:
        raise EngagementError("A p95 budget is a whole number of milliseconds above 0.")


def _route_row(route: Route) -> TomlTable:
    row = tomlkit.table()
    row.add("name", route.name)
    row.add("url", route.url)
    row.add("method", route.method)
    row.add("kind", route.kind)
    if route.budget_ms is not None:
        row.add("budget_ms", route.budget_ms)
    return row


def _environment_row(environment: Environment) -> TomlTable:
    if not environment.name.strip():
        raise EngagementError("An environment needs a name (prod, staging, …).")
    if environment.url and not _is_http_url(environment.url):
        raise EngagementError("An environment's URL starts with http:// or https://.")
    row = tomlkit.table()
    row.add("name", environment.name)
    row.add("url", environment.url)
    if environment.notes:
        row.add("notes", environment.notes)
    return row


def _owner_row(owner: Owner) -> TomlTable:
    row = tomlkit.table()
    for key in ("account", "provider", "owner", "contact", "recovery"):
        if getattr(owner, key):
            row.add(key, getattr(owner, key))
    if owner.two_factor is not None:
        row.add("two_factor", owner.two_factor)
    return row


def _is_http_url(url: str) -> bool:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(host)


def _without_quotes(message: str) -> str:
    """A domain error without the text that caused it (it may be a pasted secret)."""
    return re.sub(r"'[^']*'", "the name", message)


def _plain(value: Any) -> Any:
    return value.unwrap() if hasattr(value, "unwrap") else value


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
