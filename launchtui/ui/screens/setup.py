"""What gets checked: domains and subdomains with roles, key routes, environments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, TabbedContent, TabPane, TextArea

from ...domains import DomainError
from ...engagement import (
    ENVIRONMENT_NAMES,
    SUBDOMAIN_ROLES,
    Backup,
    Deploy,
    Engagement,
    EngagementError,
    Environment,
    Monitoring,
    Route,
    infer_route_kind,
)
from ...resolver import parse_nameserver
from ...runbook import ROUTE_KINDS, RunbookError, load_profiles
from ..saving import save_engagement
from ..widgets.row_editor import Field, RowEditor

SUBDOMAIN_FIELDS = [
    Field("name", "subdomain", placeholder="app (or app.example.com)"),
    Field("role", "role", tuple((role, role) for role in SUBDOMAIN_ROLES)),
]
ROUTE_FIELDS = [
    Field("name", "name", placeholder="login"),
    Field("url", "URL", placeholder="https://app.example.com/login"),
    Field("kind", "kind", (("from name", ""), *((k, k) for k in ROUTE_KINDS))),
    Field("method", "method", tuple((m, m) for m in ("GET", "POST", "PUT", "PATCH", "DELETE"))),
    Field("budget_ms", "p95 budget ms", placeholder="from profile"),
]
ENVIRONMENT_FIELDS = [
    Field("name", "environment", tuple((n, n) for n in ENVIRONMENT_NAMES)),
    Field("url", "URL", placeholder="https://staging.example.com"),
    Field("notes", "notes", placeholder="who can see it, how it deploys"),
]


class SavingScreen(Screen[None]):
    """A screen that edits the engagement and saves every change at once."""

    BINDINGS: ClassVar = [Binding("escape", "dismiss", "Back")]

    def __init__(self, engagement: Engagement) -> None:
        super().__init__()
        self.engagement = engagement

    def save(self) -> None:
        if save_engagement(self, self.engagement):
            self.sub_title = f"saved {self.app.clock():%H:%M:%S}"

    def action_dismiss(self) -> None:
        self.dismiss(None)


class SetupScreen(SavingScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent():
            with TabPane("Domains", id="tab-domains"):
                yield RowEditor(SUBDOMAIN_FIELDS, self.subdomain_rows(), id="subdomains")
            with TabPane("Key routes", id="tab-routes"):
                yield RowEditor(ROUTE_FIELDS, self.route_rows(), id="routes")
            with TabPane("Environments", id="tab-environments"):
                yield RowEditor(ENVIRONMENT_FIELDS, self.environment_rows(), id="environments")
            with TabPane("Network", id="tab-network"), Vertical(classes="network"):
                yield Label(
                    "DNS servers to ask (empty: this computer's resolver), e.g. "
                    "1.1.1.1, 10.0.0.2:5353"
                )
                yield Input(", ".join(self.engagement.nameservers), id="nameservers")
                yield Label("Extra CA certificates to trust (PEM file; corporate proxy)")
                yield Input(
                    self.engagement.ca_bundle_setting, placeholder="/path/to/ca.pem", id="ca-bundle"
                )
                yield Label("enter saves", classes="dim")
            with TabPane("Deploy, backups, alerts", id="tab-handover"):
                yield from self.handover_form()
        yield Footer()

    def handover_form(self) -> ComposeResult:
        """What the handover checklist prints about running the product: one field each,
        steps one per line."""
        deploy, backup = self.engagement.deploy, self.engagement.backup
        monitoring = self.engagement.monitoring
        with VerticalScroll(classes="network"):
            for label, widget_id, value in (
                (
                    "Hosting provider (Vercel, Render, Fly, a VPS…)",
                    "deploy-provider",
                    deploy.provider,
                ),
                ("How a deploy happens", "deploy-how", deploy.how),
                ("Last release known to work", "deploy-last-good", deploy.last_good),
                ("Who can deploy and roll back", "deploy-who", deploy.who),
            ):
                yield Label(label)
                yield Input(value, id=widget_id)
            yield Label("Rollback steps, one per line")
            yield TextArea("\n".join(deploy.rollback), id="deploy-rollback", classes="steps")
            for label, widget_id, value in (
                ("What is backed up", "backup-what", backup.what),
                ("How often, and how long backups are kept", "backup-schedule", backup.schedule),
                ("Last restore test (YYYY-MM-DD)", "backup-tested", str(backup.tested or "")),
            ):
                yield Label(label)
                yield Input(value, id=widget_id)
            yield Label("Restore steps, one per line")
            yield TextArea("\n".join(backup.restore), id="backup-restore", classes="steps")
            yield Label("Uptime service (Better Stack, UptimeRobot, Gatus…)")
            yield Input(monitoring.service, id="monitoring-service")
            yield Label("Who is alerted, and where")
            yield Input(monitoring.alerts_to, id="monitoring-alerts-to")
            yield Button("Save", id="save-handover", variant="primary")

    @on(Button.Pressed, "#save-handover")
    def save_handover(self) -> None:
        def text(widget_id: str) -> str:
            return self.query_one(f"#{widget_id}", Input).value.strip()

        def steps(widget_id: str) -> tuple[str, ...]:
            lines = self.query_one(f"#{widget_id}", TextArea).text.splitlines()
            return tuple(line.strip() for line in lines if line.strip())

        tested_text = text("backup-tested")
        try:
            tested = dt.date.fromisoformat(tested_text) if tested_text else None
        except ValueError:
            self.notify(
                "The restore test date reads YYYY-MM-DD, e.g. 2026-11-21.", severity="error"
            )
            return
        self.engagement.set_deploy(
            Deploy(
                text("deploy-provider"),
                text("deploy-how"),
                steps("deploy-rollback"),
                text("deploy-last-good"),
                text("deploy-who"),
            )
        )
        self.engagement.set_backup(
            Backup(text("backup-what"), text("backup-schedule"), steps("backup-restore"), tested)
        )
        self.engagement.set_monitoring(
            Monitoring(text("monitoring-service"), text("monitoring-alerts-to"))
        )
        self.save()
        self.notify("Deploy, backups and alerts saved.")

    def on_mount(self) -> None:
        self.title = f"Setup · {self.engagement.apex}"
        self.sub_title = "add with the form · delete removes the highlighted row · esc back"

    def subdomain_rows(self) -> list[tuple[str, ...]]:
        return [(s.name, s.role) for s in self.engagement.subdomains]

    def route_rows(self) -> list[tuple[str, ...]]:
        return [
            (r.name, r.url, r.kind, r.method, str(r.budget_ms or "profile"))
            for r in self.engagement.routes
        ]

    def environment_rows(self) -> list[tuple[str, ...]]:
        return [(e.name, e.url, e.notes) for e in self.engagement.environments]

    def on_row_editor_added(self, message: RowEditor.Added) -> None:
        values = message.values
        try:
            if message.editor.id == "subdomains":
                self.engagement.add_subdomain(values["name"], values["role"])
            elif message.editor.id == "routes":
                self.engagement.add_route(self.route_from(values))
            else:
                self.engagement.add_environment(
                    Environment(values["name"], values["url"], values["notes"])
                )
        except (DomainError, EngagementError, ValueError) as exc:
            self.notify(str(exc), severity="error")
            return
        message.editor.clear_form()
        self.refresh_rows(message.editor)
        self.save()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id not in ("nameservers", "ca-bundle"):
            return
        texts = [t.strip() for t in self.query_one("#nameservers", Input).value.split(",")]
        nameservers = [t for t in texts if t]
        ca_bundle = self.query_one("#ca-bundle", Input).value.strip()
        try:
            for text in nameservers:
                parse_nameserver(text)
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        if ca_bundle and not Path(ca_bundle).expanduser().is_file():
            self.notify(f"{ca_bundle} is not a readable file.", severity="error")
            return
        self.engagement.set_network(nameservers, ca_bundle)
        self.save()
        self.notify("Network settings saved.")

    def route_from(self, values: dict[str, str]) -> Route:
        if not values["name"] or not values["url"]:
            raise ValueError("A route needs a name and a URL.")
        if not values["url"].startswith(("http://", "https://")):
            raise ValueError(f"{values['url']!r} must start with http:// or https://.")
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

    def on_row_editor_removed(self, message: RowEditor.Removed) -> None:
        engagement = self.engagement
        try:
            if message.editor.id == "subdomains":
                engagement.remove_subdomain(engagement.subdomains[message.index].name)
            elif message.editor.id == "routes":
                engagement.remove_route(engagement.routes[message.index].name)
            else:
                engagement.remove_environment(engagement.environments[message.index].name)
        except (EngagementError, IndexError):
            self.notify("That row changed in the file meanwhile; the list is refreshed.")
        self.refresh_rows(message.editor)
        self.save()

    def refresh_rows(self, editor: RowEditor) -> None:
        rows = {
            "subdomains": self.subdomain_rows,
            "routes": self.route_rows,
            "environments": self.environment_rows,
        }[editor.id or ""]()
        editor.set_rows(rows)
