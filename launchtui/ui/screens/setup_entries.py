"""What Setup's lists mean to the row editor: subdomains, key routes, environments.

Each class turns form values into the engagement's own calls (which validate and log
the change in a plain sentence) and says what went wrong in words for the person.
"""

from __future__ import annotations

from ...domains import DomainError
from ...engagement import (
    ENVIRONMENT_NAMES,
    SUBDOMAIN_ROLES,
    Engagement,
    EngagementError,
    Environment,
    Route,
    infer_route_kind,
)
from ...runbook import ROUTE_KINDS, RunbookError, load_profiles
from ..widgets.row_editor import Field, Removed

SUBDOMAIN_FIELDS = [
    Field("name", "subdomain", placeholder="app (or app.example.com)"),
    Field("role", "role", tuple((role, role) for role in SUBDOMAIN_ROLES)),
]
ROUTE_FIELDS = [
    Field("name", "name", placeholder="login"),
    Field("url", "URL", placeholder="https://app.example.com/login"),
    Field("kind", "kind", (("from the URL", ""), *((k, k) for k in ROUTE_KINDS))),
    Field("method", "method", tuple((m, m) for m in ("GET", "POST", "PUT", "PATCH", "DELETE"))),
    Field("budget_ms", "p95 budget ms", placeholder="from the profile"),
]
ENVIRONMENT_FIELDS = [
    Field("name", "environment", tuple((n, n) for n in ENVIRONMENT_NAMES)),
    Field("url", "URL", placeholder="https://staging.example.com"),
    Field("notes", "notes", placeholder="who can see it, how it deploys"),
]
CHANGED_MEANWHILE = "That entry changed in the file meanwhile; close this form to see it."


class SubdomainEntries:
    noun = "subdomain"

    def __init__(self, engagement: Engagement) -> None:
        self.engagement = engagement

    def rows(self) -> list[tuple[str, ...]]:
        return [(s.name, s.role) for s in self.engagement.subdomains]

    def values(self, index: int) -> dict[str, str]:
        subdomain = self.engagement.subdomains[index]
        return {"name": subdomain.name, "role": subdomain.role}

    def add(self, values: dict[str, str]) -> str | None:
        try:
            self.engagement.add_subdomain(values["name"], values["role"])
        except (DomainError, EngagementError) as exc:
            return str(exc)
        return None

    def update(self, index: int, values: dict[str, str]) -> str | None:
        try:
            host = self.engagement.subdomains[index].name
            self.engagement.update_subdomain(host, values["name"], values["role"])
        except IndexError:
            return CHANGED_MEANWHILE
        except (DomainError, EngagementError) as exc:
            return str(exc)
        return None

    def remove(self, index: int) -> Removed | str:
        try:
            subdomain = self.engagement.subdomains[index]
            self.engagement.remove_subdomain(subdomain.name)
        except (EngagementError, IndexError):
            return CHANGED_MEANWHILE
        return Removed(
            f"subdomain {subdomain.describe()}",
            lambda: self.engagement.add_subdomain(subdomain.name, subdomain.role, at=index),
        )


class RouteEntries:
    noun = "route"

    def __init__(self, engagement: Engagement) -> None:
        self.engagement = engagement

    def rows(self) -> list[tuple[str, ...]]:
        return [
            (r.name, r.url, r.kind, r.method, str(r.budget_ms or "profile"))
            for r in self.engagement.routes
        ]

    def values(self, index: int) -> dict[str, str]:
        route = self.engagement.routes[index]
        return {
            "name": route.name,
            "url": route.url,
            "kind": route.kind,
            "method": route.method,
            "budget_ms": str(route.budget_ms or ""),
        }

    def route_from(self, values: dict[str, str]) -> Route:
        """A route from the form; the kind and budget default as `init --route` does."""
        if not values["name"] or not values["url"]:
            raise ValueError("A route needs a name and a URL.")
        if not values["url"].startswith(("http://", "https://")):
            raise ValueError("A route's URL starts with http:// or https://.")
        kind = values["kind"] or infer_route_kind(values["name"], values["url"])
        budget = values["budget_ms"]
        if budget and not budget.isdigit():
            raise ValueError("The p95 budget is a whole number of milliseconds.")
        if not budget:
            try:
                profile = load_profiles().get(self.engagement.profile)
            except RunbookError:
                profile = None
            budget = str(profile.budget_ms(kind, values["method"])) if profile else ""
        return Route(
            values["name"], values["url"], values["method"], kind, int(budget) if budget else None
        )

    def add(self, values: dict[str, str]) -> str | None:
        try:
            self.engagement.add_route(self.route_from(values))
        except (EngagementError, ValueError) as exc:
            return str(exc)
        return None

    def update(self, index: int, values: dict[str, str]) -> str | None:
        try:
            name = self.engagement.routes[index].name
            self.engagement.update_route(name, self.route_from(values))
        except IndexError:
            return CHANGED_MEANWHILE
        except (EngagementError, ValueError) as exc:
            return str(exc)
        return None

    def remove(self, index: int) -> Removed | str:
        try:
            route = self.engagement.routes[index]
            self.engagement.remove_route(route.name)
        except (EngagementError, IndexError):
            return CHANGED_MEANWHILE
        return Removed(
            f"route {route.describe()}", lambda: self.engagement.add_route(route, at=index)
        )


class EnvironmentEntries:
    noun = "environment"

    def __init__(self, engagement: Engagement) -> None:
        self.engagement = engagement

    def rows(self) -> list[tuple[str, ...]]:
        return [(e.name, e.url, e.notes) for e in self.engagement.environments]

    def values(self, index: int) -> dict[str, str]:
        environment = self.engagement.environments[index]
        return {"name": environment.name, "url": environment.url, "notes": environment.notes}

    def add(self, values: dict[str, str]) -> str | None:
        try:
            self.engagement.add_environment(
                Environment(values["name"], values["url"], values["notes"])
            )
        except EngagementError as exc:
            return str(exc)
        return None

    def update(self, index: int, values: dict[str, str]) -> str | None:
        try:
            name = self.engagement.environments[index].name
            self.engagement.update_environment(
                name, Environment(values["name"], values["url"], values["notes"])
            )
        except IndexError:
            return CHANGED_MEANWHILE
        except EngagementError as exc:
            return str(exc)
        return None

    def remove(self, index: int) -> Removed | str:
        try:
            environment = self.engagement.environments[index]
            self.engagement.remove_environment(environment.name)
        except (EngagementError, IndexError):
            return CHANGED_MEANWHILE
        return Removed(
            f"environment {environment.describe()}",
            lambda: self.engagement.add_environment(environment, at=index),
        )
