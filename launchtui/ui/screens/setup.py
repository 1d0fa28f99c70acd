"""What gets checked: domains and subdomains with roles, key routes, environments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, TabbedContent, TabPane, TextArea

from ...engagement import Backup, Deploy, Engagement, Monitoring
from ..actions import bindings
from ..saving import save_engagement
from ..widgets.row_editor import RowEditor
from .base import LaunchScreen
from .setup_entries import (
    ENVIRONMENT_FIELDS,
    ROUTE_FIELDS,
    SUBDOMAIN_FIELDS,
    EnvironmentEntries,
    RouteEntries,
    SubdomainEntries,
)


class SavingScreen(LaunchScreen):
    """A screen that edits the engagement and saves every change at once."""

    BINDINGS: ClassVar = bindings("editing")

    def __init__(self, engagement: Engagement) -> None:
        super().__init__()
        self.engagement = engagement

    def save(self) -> None:
        if save_engagement(self, self.engagement):
            self.sub_title = f"saved {self.app.clock():%H:%M:%S}"

    def on_row_editor_changed(self, _message: RowEditor.Changed) -> None:
        self.save()


class SetupScreen(SavingScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent():
            with TabPane("Domains", id="tab-domains"):
                yield RowEditor(
                    SUBDOMAIN_FIELDS, SubdomainEntries(self.engagement), id="subdomains"
                )
            with TabPane("Key routes", id="tab-routes"):
                yield RowEditor(ROUTE_FIELDS, RouteEntries(self.engagement), id="routes")
            with TabPane("Environments", id="tab-environments"):
                yield RowEditor(
                    ENVIRONMENT_FIELDS, EnvironmentEntries(self.engagement), id="environments"
                )
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
        yield Footer(compact=True)

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

    @on(Input.Submitted, "#nameservers, #ca-bundle")
    def save_network(self) -> None:
        from ...cabundle import ca_bundle_problem
        from ...resolver import parse_nameserver

        texts = [t.strip() for t in self.query_one("#nameservers", Input).value.split(",")]
        nameservers = [t for t in texts if t]
        ca_bundle = self.query_one("#ca-bundle", Input).value.strip()
        try:
            for text in nameservers:
                parse_nameserver(text)
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        problem = ca_bundle_problem(Path(ca_bundle).expanduser()) if ca_bundle else None
        if problem is not None:
            self.notify(f"{ca_bundle}: {problem}.", severity="error")
            return
        self.engagement.set_network(nameservers, ca_bundle)
        self.save()
        self.notify("Network settings saved.")
