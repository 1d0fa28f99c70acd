"""Where every secret lives, its rotation status, and values kept only in the OS keyring.

Values are typed into a masked field and go straight to the keyring; the file
and the screen hold the reference and status only. A value is shown only when
asked for (v), in a box that hides itself again.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Header, Label, Static

from ...engagement import Secret
from ...vault import VaultError, VaultUnavailable, forget, reveal
from ..actions import bindings
from ..widgets.row_editor import RowEditor
from .secret_entries import SECRET_FIELDS, SHOWN_ONLY, SecretEntries
from .setup import SavingScreen

REVEAL_SECONDS = 15


class RevealScreen(ModalScreen[None]):
    """The value, on explicit request, for a short time."""

    BINDINGS: ClassVar = bindings("reveal")

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
    BINDINGS: ClassVar = bindings("secrets")

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            "Where each secret lives (1Password, Doppler, the host's env vars…). "
            "Values are optional and go only to this computer's keyring.",
            classes="goal",
        )
        entries = SecretEntries(
            self.engagement, lambda said: self.notify(said, severity="error", timeout=20)
        )
        yield RowEditor(SECRET_FIELDS, entries, shown_only=SHOWN_ONLY, id="secrets")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = f"Secrets · {self.engagement.apex}"
        self.sub_title = "v reveal · t rotate (guided) · f forget value · esc back"

    def refresh_rows(self) -> None:
        self.query_one("#secrets", RowEditor).refresh_rows()

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
