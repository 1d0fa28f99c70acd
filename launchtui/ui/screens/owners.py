"""Who owns each account a launch depends on, with 2FA and recovery written down."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from ...engagement import EngagementError, Owner
from ..widgets.row_editor import Field, RowEditor
from .setup import SavingScreen

ACCOUNTS = (
    "registrar",
    "dns",
    "cdn",
    "hosting",
    "email provider",
    "monitoring",
    "repo",
    "analytics",
    "payments",
    "other",
)
OWNER_FIELDS = [
    Field("account", "account", tuple((a, a) for a in ACCOUNTS)),
    Field("provider", "provider", placeholder="Namecheap, Cloudflare…"),
    Field("owner", "owner", placeholder="Dana (CTO)"),
    Field("contact", "contact", placeholder="dana@acme.com"),
    Field("two_factor", "2FA", (("2FA on", "yes"), ("no 2FA", "no"), ("unknown", ""))),
    Field("recovery", "recovery codes at", placeholder="1Password: Ops vault"),
]


class OwnersScreen(SavingScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            "Every account the product depends on needs a company owner, 2FA, and "
            "recovery codes somewhere the company controls.",
            classes="goal",
        )
        yield RowEditor(OWNER_FIELDS, self.owner_rows(), id="owners")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Owners · {self.engagement.apex}"
        self.sub_title = "esc back"

    def owner_rows(self) -> list[tuple[str, ...]]:
        def two_factor(value: bool | None) -> str:
            return {True: "on", False: "OFF", None: "?"}[value]

        return [
            (o.account, o.provider, o.owner, o.contact, two_factor(o.two_factor), o.recovery)
            for o in self.engagement.owners
        ]

    def on_row_editor_added(self, message: RowEditor.Added) -> None:
        values = message.values
        if not values["owner"]:
            self.notify("Name the person who owns this account.", severity="error")
            return
        two_factor = {"yes": True, "no": False}.get(values["two_factor"])
        try:
            self.engagement.add_owner(
                Owner(
                    values["account"],
                    values["provider"],
                    values["owner"],
                    values["contact"],
                    two_factor,
                    values["recovery"],
                )
            )
        except EngagementError as exc:
            self.notify(str(exc), severity="error")
            return
        message.editor.clear_form()
        message.editor.set_rows(self.owner_rows())
        self.save()

    def on_row_editor_removed(self, message: RowEditor.Removed) -> None:
        try:
            self.engagement.remove_owner(self.engagement.owners[message.index])
        except (EngagementError, IndexError):
            self.notify("That row changed in the file meanwhile; the list is refreshed.")
        message.editor.set_rows(self.owner_rows())
        self.save()
