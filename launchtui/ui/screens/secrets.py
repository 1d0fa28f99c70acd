"""Where every secret lives, its rotation status, and values kept only in the OS keyring.

Values are typed into a masked field and go straight to the keyring; the file
and the screen hold the reference and status only. A value is shown only when
asked for (v), in a box that hides itself again.
"""

from __future__ import annotations

import contextlib
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from ...engagement import ENVIRONMENT_NAMES, EngagementError, Secret
from ...vault import VaultError, VaultUnavailable, forget, has_value, reveal, store
from ..widgets.row_editor import Field, RowEditor
from .setup import SavingScreen

SECRET_FIELDS = [
    Field("name", "name", placeholder="STRIPE_SECRET_KEY"),
    Field("environment", "env", tuple((n, n) for n in ENVIRONMENT_NAMES)),
    Field("reference", "lives at", placeholder="op://Ops/Stripe/secret-key, vercel:env/NAME…"),
    Field("owner", "owner", placeholder="Dana"),
    Field("rotation_days", "rotate every (days)", placeholder="90"),
]
REVEAL_SECONDS = 15


class RevealScreen(ModalScreen[None]):
    """The value, on explicit request, for a short time."""

    BINDINGS: ClassVar = [Binding("escape,enter,v,q", "dismiss", "Hide")]

    def __init__(self, label: str, value: str) -> None:
        super().__init__()
        self.label, self.value = label, value

    def compose(self) -> ComposeResult:
        with Vertical(id="suppress-box"):
            yield Label(f"[b]{self.label}[/b]: hidden again in {REVEAL_SECONDS} s or on any key")
            yield Static(self.value, id="revealed")

    def on_mount(self) -> None:
        self.set_timer(REVEAL_SECONDS, self.dismiss)


class SecretsScreen(SavingScreen):
    BINDINGS: ClassVar = [
        Binding("escape", "dismiss", "Back"),
        Binding("v", "reveal", "Reveal value"),
        Binding("t", "rotate", "Rotate…"),
        Binding("f", "forget", "Forget value"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            "Where each secret lives (1Password, Doppler, the host's env vars…). "
            "Values are optional and go only to this computer's keyring.",
            classes="goal",
        )
        yield RowEditor(
            SECRET_FIELDS,
            self.secret_rows(),
            shown_only=("last rotated", "status", "value"),
            id="secrets",
        )
        with Horizontal(classes="row-form"):
            yield Input(
                placeholder="value to hand over (optional; masked, keyring only)",
                password=True,
                id="secret-value",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Secrets · {self.engagement.apex}"
        self.sub_title = "v reveal · t mark rotated · f forget value · esc back"

    def secret_rows(self) -> list[tuple[str, ...]]:
        return [
            (
                s.name,
                s.environment,
                s.reference,
                s.owner,
                str(s.rotation_days or "-"),
                f"{s.last_rotated or '-'}",
                s.status().value,
                self.value_state(s),
            )
            for s in self.engagement.secrets
        ]

    def value_state(self, secret: Secret) -> str:
        try:
            stored = has_value(self.engagement.id, secret.environment, secret.name)
        except (VaultUnavailable, VaultError):
            return "? (no keyring)"
        return "in keyring" if stored else "-"

    def refresh_rows(self) -> None:
        editor = self.query_one("#secrets", RowEditor)
        editor.set_rows(self.secret_rows())

    def on_row_editor_added(self, message: RowEditor.Added) -> None:
        values = message.values
        days = values["rotation_days"]
        if days and not days.isdigit():
            self.notify("Rotation period is a whole number of days.", severity="error")
            return
        secret = Secret(
            values["name"],
            values["environment"] or "prod",
            values["reference"],
            values["owner"],
            rotation_days=int(days) if days else None,
        )
        value_field = self.query_one("#secret-value", Input)
        try:
            self.engagement.add_secret(secret)
        except EngagementError as exc:
            self.notify(str(exc), severity="error")
            return
        if value_field.value:
            self.keep_value(secret, value_field.value)
            value_field.value = ""
        message.editor.clear_form()
        self.save()
        self.refresh_rows()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the masked value field adds the entry, like the Add button."""
        if event.input.id == "secret-value":
            editor = self.query_one("#secrets", RowEditor)
            self.post_message(RowEditor.Added(editor, editor.values()))

    def on_row_editor_removed(self, message: RowEditor.Removed) -> None:
        """Remove the entry and any value kept for it: a forgotten entry keeps no secret."""
        secrets = self.engagement.secrets
        if not 0 <= message.index < len(secrets):
            return
        secret = secrets[message.index]
        with contextlib.suppress(VaultUnavailable, VaultError):
            forget(self.engagement.id, secret.environment, secret.name)
        self.engagement.remove_secret(secret.name, secret.environment)
        self.save()
        self.refresh_rows()
        self.notify(f"{secret.label} removed from the inventory (and its kept value, if any).")

    def keep_value(self, secret: Secret, value: str) -> None:
        try:
            store(self.engagement.id, secret.environment, secret.name, value)
        except (VaultUnavailable, VaultError) as exc:
            self.notify(f"The value was NOT kept: {exc}", severity="error", timeout=20)

    def highlighted(self) -> Secret | None:
        table = self.query_one("#secrets DataTable", DataTable)
        secrets = self.engagement.secrets
        if not table.row_count or table.cursor_row >= len(secrets):
            self.notify("Highlight a secret in the table first.")
            return None
        return secrets[table.cursor_row]

    def action_reveal(self) -> None:
        secret = self.highlighted()
        if secret is None:
            return
        try:
            value = reveal(self.engagement.id, secret.environment, secret.name)
        except (VaultUnavailable, VaultError) as exc:
            self.notify(str(exc), severity="error", timeout=20)
            return
        if value is None:
            self.notify(f"No value is kept for {secret.label}.")
            return
        self.app.push_screen(RevealScreen(secret.label, value))

    def action_rotate(self) -> None:
        """Rotate the highlighted secret with the rotate-secret runbook: a new value to the
        keyring, the product checked, the old value revoked, and only then recorded."""
        from ...procedures.model import ProcedureError, procedure_by_id
        from .founder import start_runbook

        secret = self.highlighted()
        if secret is None:
            return
        try:
            procedure = procedure_by_id("rotate-secret")
        except ProcedureError as exc:
            self.notify(str(exc), severity="error", timeout=15)
            return
        start_runbook(self, self.engagement, procedure, secret=secret)

    def refresh_home(self) -> None:
        """After a runbook: the inventory shows the rotation (or the run's pause)."""
        self.refresh_rows()

    def action_forget(self) -> None:
        secret = self.highlighted()
        if secret is None:
            return
        try:
            forgotten = forget(self.engagement.id, secret.environment, secret.name)
        except (VaultUnavailable, VaultError) as exc:
            self.notify(str(exc), severity="error", timeout=20)
            return
        self.notify(
            f"Value for {secret.label} removed from the keyring."
            if forgotten
            else f"No value was kept for {secret.label}."
        )
        self.refresh_rows()
