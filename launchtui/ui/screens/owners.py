"""Who owns each account a launch depends on, with 2FA and recovery written down."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from ...engagement import Owner
from ..widgets.row_editor import CHANGED_MEANWHILE, EngagementEntries, Field, Removed, RowEditor
from .setup import SavingScreen

ACCOUNTS = (
    "registrar",
    "dns",
    "cdn",
    "hosting",
    "email",
    "monitoring",
    "repo",
    "analytics",
    "payments",
    "other",
)
TWO_FACTOR = {"yes": True, "no": False, "": None}
OWNER_FIELDS = [
    Field("account", "account", tuple((a, a) for a in ACCOUNTS)),
    Field("provider", "provider", placeholder="Namecheap, Cloudflare…"),
    Field("owner", "owner", placeholder="Dana (CTO)"),
    Field("contact", "contact", placeholder="dana@acme.com"),
    Field("two_factor", "2FA", (("on", "yes"), ("off", "no"), ("unknown", ""))),
    Field("recovery", "recovery codes at", placeholder="1Password: Ops vault"),
]


class OwnerEntries(EngagementEntries):
    """The engagement's owners as the row editor sees them."""

    noun = "owner"

    def rows(self) -> list[tuple[str, ...]]:
        shown = {True: "on", False: "OFF", None: "?"}
        return [
            (o.account, o.provider, o.owner, o.contact, shown[o.two_factor], o.recovery)
            for o in self.engagement.owners
        ]

    def values(self, index: int) -> dict[str, str]:
        owner = self.engagement.owners[index]
        answer = {True: "yes", False: "no", None: ""}[owner.two_factor]
        return {
            "account": owner.account,
            "provider": owner.provider,
            "owner": owner.owner,
            "contact": owner.contact,
            "two_factor": answer,
            "recovery": owner.recovery,
        }

    def _owner(self, values: dict[str, str]) -> Owner | str:
        if not values["owner"]:
            return "Name the person who owns this account."
        return Owner(
            values["account"],
            values["provider"],
            values["owner"],
            values["contact"],
            TWO_FACTOR.get(values["two_factor"]),
            values["recovery"],
        )

    def add(self, values: dict[str, str]) -> str | None:
        owner = self._owner(values)
        if isinstance(owner, str):
            return owner
        return self.attempt(lambda: self.engagement.add_owner(owner))

    def update(self, index: int, values: dict[str, str]) -> str | None:
        owner, current = self._owner(values), self.entry(self.engagement.owners, index)
        if isinstance(owner, str):
            return owner
        if current is None:
            return CHANGED_MEANWHILE
        return self.attempt(lambda: self.engagement.update_owner(current, owner))

    def remove(self, index: int) -> Removed | str:
        owner = self.entry(self.engagement.owners, index)
        if owner is None:
            return CHANGED_MEANWHILE
        error = self.attempt(lambda: self.engagement.remove_owner(owner))
        return error or Removed(
            f"owner {owner.describe()}", lambda: self.engagement.add_owner(owner, at=index)
        )


class OwnersScreen(SavingScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            "Every account the product depends on needs a company owner, 2FA, and "
            "recovery codes somewhere the company controls.",
            classes="goal",
        )
        yield RowEditor(OWNER_FIELDS, OwnerEntries(self.engagement), id="owners")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = f"Owners · {self.engagement.apex}"
