"""What Setup's lists mean to the row editor: subdomains, key routes, environments.

Each class turns form values into the engagement's own calls (which validate and log
the change in a plain sentence) and says what went wrong in words for the person.
"""

from __future__ import annotations

from ...engagement import (
    ENVIRONMENT_NAMES,
    SUBDOMAIN_ROLES,
    Environment,
    Route,
    infer_route_kind,
)
from ...runbook import ROUTE_KINDS, RunbookError, load_profiles
from ..widgets.row_editor import CHANGED_MEANWHILE, EngagementEntries, Field, Removed

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


class SubdomainEntries(EngagementEntries):
    noun = "subdomain"

    def rows(self) -> list[tuple[str, ...]]:
        return [(s.name, s.role) for s in self.engagement.subdomains]

    def values(self, index: int) -> dict[str, str]:
        subdomain = self.engagement.subdomains[index]
        return {"name": subdomain.name, "role": subdomain.role}

    def add(self, values: dict[str, str]) -> str | None:
        return self.attempt(lambda: self.engagement.add_subdomain(values["name"], values["role"]))

    def update(self, index: int, values: dict[str, str]) -> str | None:
        subdomain = self.entry(self.engagement.subdomains, index)
        if subdomain is None:
            return CHANGED_MEANWHILE
        name, role = values["name"], values["role"]
        return self.attempt(lambda: self.engagement.update_subdomain(subdomain.name, name, role))

    def remove(self, index: int) -> Removed | str:
        subdomain = self.entry(self.engagement.subdomains, index)
        if subdomain is None:
            return CHANGED_MEANWHILE
        error = self.attempt(lambda: self.engagement.remove_subdomain(subdomain.name))
        return error or Removed(
            f"subdomain {subdomain.describe()}",
            lambda: self.engagement.add_subdomain(subdomain.name, subdomain.role, at=index),
        )


class RouteEntries(EngagementEntries):
    noun = "route"

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
        return self.attempt(lambda: self.engagement.add_route(self.route_from(values)))

    def update(self, index: int, values: dict[str, str]) -> str | None:
        route = self.entry(self.engagement.routes, index)
        if route is None:
            return CHANGED_MEANWHILE
        return self.attempt(
            lambda: self.engagement.update_route(route.name, self.route_from(values))
        )

    def remove(self, index: int) -> Removed | str:
        route = self.entry(self.engagement.routes, index)
        if route is None:
            return CHANGED_MEANWHILE
        error = self.attempt(lambda: self.engagement.remove_route(route.name))
        return error or Removed(
            f"route {route.describe()}", lambda: self.engagement.add_route(route, at=index)
        )


class EnvironmentEntries(EngagementEntries):
    noun = "environment"

    def rows(self) -> list[tuple[str, ...]]:
        return [(e.name, e.url, e.notes) for e in self.engagement.environments]

    def values(self, index: int) -> dict[str, str]:
        environment = self.engagement.environments[index]
        return {"name": environment.name, "url": environment.url, "notes": environment.notes}

    def add(self, values: dict[str, str]) -> str | None:
        environment = Environment(values["name"], values["url"], values["notes"])
        return self.attempt(lambda: self.engagement.add_environment(environment))

    def update(self, index: int, values: dict[str, str]) -> str | None:
        current = self.entry(self.engagement.environments, index)
        if current is None:
            return CHANGED_MEANWHILE
        environment = Environment(values["name"], values["url"], values["notes"])
        return self.attempt(lambda: self.engagement.update_environment(current.name, environment))

    def remove(self, index: int) -> Removed | str:
        environment = self.entry(self.engagement.environments, index)
        if environment is None:
            return CHANGED_MEANWHILE
        error = self.attempt(lambda: self.engagement.remove_environment(environment.name))
        return error or Removed(
            f"environment {environment.describe()}",
            lambda: self.engagement.add_environment(environment, at=index),
        )
