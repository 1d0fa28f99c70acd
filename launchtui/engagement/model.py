"""The entries an engagement file lists, as plain values the rest of launchtui passes around.

Each entry type also says how a person reads it in one line (`describe`), which is what
the change log and the app show, so "Added owner: DNS — Cloudflare, Sam Lee" is written
the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from ..domains import DomainError, host_under, parse_domain
from ..findings import Finding
from ..targets import KnownRedirect as KnownRedirect  # re-exported: the file stores them
from ..targets import Route as Route
from ..targets import Subdomain as Subdomain
from ..urls import redact_url

SUBDOMAIN_ROLES = ("app", "api", "auth", "admin", "docs", "status", "dashboard", "www", "other")
ENVIRONMENT_NAMES = ("prod", "preview", "staging", "dev")
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

_AUTH_WORDS = ("login", "signin", "sign-in", "signup", "sign-up", "register", "reset", "password")
_HEALTH_WORDS = ("health", "healthz", "status", "ready", "readyz", "livez")
_AUTH_SEGMENTS = {"login", "signin", "sign-in", "signup", "sign-up", "auth", "session",
                  "sessions", "oauth", "sso", "register", "password", "reset-password", "logout",
                  "token"}  # fmt: skip
_HEALTH_SEGMENTS = {
    "health",
    "healthz",
    "healthcheck",
    "status",
    "ready",
    "readyz",
    "livez",
    "ping",
}
_STATIC_SUFFIXES = (".js", ".css", ".png", ".jpg", ".jpeg", ".svg", ".webp", ".woff2", ".ico")


@dataclass(frozen=True, slots=True)
class Environment:
    name: str
    url: str
    notes: str = ""

    def describe(self) -> str:
        return f"{self.name} — {redact_url(self.url)}" if self.url else self.name


@dataclass(frozen=True, slots=True)
class Owner:
    account: str
    provider: str = ""
    owner: str = ""
    contact: str = ""
    two_factor: bool | None = None
    recovery: str = ""

    def describe(self) -> str:
        where = f" — {self.provider}" if self.provider else ""
        who = f", {self.owner}" if self.owner else ""
        return f"{self.account}{where}{who}"


@dataclass(frozen=True, slots=True)
class Suppression:
    check: str
    target: str  # "*" or a glob matches any target
    reason: str

    def matches(self, finding: Finding) -> bool:
        return finding.check == self.check and fnmatchcase(finding.target, self.target or "*")

    def describe(self) -> str:
        return f"{self.check} on {self.target}: {self.reason}"


def apply_suppressions(findings: list[Finding], suppressions: list[Suppression]) -> list[Finding]:
    """Mark findings the engagement has accepted, with the reason given."""

    def accepted(finding: Finding) -> Finding:
        for suppression in suppressions:
            if suppression.matches(finding):
                return finding.suppressed_because(suppression.reason)
        return finding

    return [accepted(finding) for finding in findings]


@dataclass(frozen=True, slots=True)
class Deploy:
    """How production is deployed and rolled back, written down during the sprint."""

    provider: str = ""  # where it is hosted: Vercel, Render, Fly, a VPS…
    how: str = ""  # how a deploy happens, in a sentence
    rollback: tuple[str, ...] = ()  # the steps, in order
    last_good: str = ""  # the last release known to work
    who: str = ""  # who can deploy and roll back

    @property
    def recorded(self) -> bool:
        return any((self.provider, self.how, self.rollback, self.last_good, self.who))


@dataclass(frozen=True, slots=True)
class Backup:
    """What is backed up, how often, and how a restore goes."""

    what: str = ""
    schedule: str = ""
    restore: tuple[str, ...] = ()  # the steps, in order
    tested: dt.date | None = None  # when a restore was last tried for real

    @property
    def recorded(self) -> bool:
        return any((self.what, self.schedule, self.restore, self.tested))


@dataclass(frozen=True, slots=True)
class Monitoring:
    """Who is told when production breaks, and by what."""

    service: str = ""  # the uptime service: Better Stack, UptimeRobot, Gatus…
    alerts_to: str = ""  # people and channels that get the alert

    @property
    def recorded(self) -> bool:
        return bool(self.service or self.alerts_to)


@dataclass(frozen=True, slots=True)
class StepOutcome:
    """One step of a runbook run, as the run's log keeps it."""

    at: dt.datetime | None
    step: str
    result: str  # done, passed, failed, confirmed, skipped, stopped…
    note: str = ""


@dataclass(frozen=True, slots=True)
class RunbookRun:
    """A founder runbook being followed (or finished): enough to resume it and to show,
    later, who did what and what the checks said."""

    id: str
    runbook: str
    who: str
    via: str
    started: dt.datetime
    status: str  # "in progress", "done", "stopped"
    step: int  # the index of the next step to do
    subject: str = ""  # what it is about: "STRIPE_SECRET_KEY (prod)"
    inputs: dict[str, str] | None = None  # the answers given, never a secret value
    outcomes: tuple[StepOutcome, ...] = ()
    finished: dt.datetime | None = None

    @property
    def in_progress(self) -> bool:
        return self.status == "in progress"


@dataclass(frozen=True, slots=True)
class ChecklistMark:
    done: bool
    by: str = ""
    at: dt.datetime | None = None


def infer_route_kind(name: str, url: str = "") -> str:
    """Guess a route's kind from its URL path, then its name; people correct it later.

    The path is the better witness (`good-healthz` at `/healthz` is a health check), so
    it is asked first: `/login`, `/auth/…` mean auth, `/health`, `/status` health,
    `/api/…` api, a file such as `/app.js` static.
    """
    path = _path_of(url)
    segments = [segment for segment in path.lower().split("/") if segment]
    if any(segment in _AUTH_SEGMENTS for segment in segments):
        return "auth"
    if segments and segments[-1] in _HEALTH_SEGMENTS:
        return "health"
    if segments and segments[0] == "api":
        return "api"
    if path.lower().endswith(_STATIC_SUFFIXES) or (
        segments and segments[0] in ("static", "assets")
    ):
        return "static"
    lowered = name.lower()
    if any(word in lowered for word in _AUTH_WORDS):
        return "auth"
    if any(lowered == word or lowered.startswith(word) for word in _HEALTH_WORDS):
        return "health"
    return "page"


def _path_of(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


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
