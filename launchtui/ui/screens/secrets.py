"""Where every secret lives, its rotation status, and values kept only in the OS keyring.

Values are typed into a masked field and go straight to the keyring; the file
and the screen hold the reference and status only. A value is shown only when
asked for (v), in a box that hides itself again.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Header, Label, Static
from textual.worker import get_current_worker

from ...engagement import Secret
from ...vault import VaultError, VaultUnavailable, forget, reveal, store
from ..actions import bindings
from ..widgets.row_editor import RowEditor
from .secret_entries import SECRET_FIELDS, SHOWN_ONLY, SecretEntries, SecretKey, value_states
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
    """Every keyring call (looking values up, keeping, showing and forgetting one) runs in
    a worker thread: a Secret Service answers in a quarter of a second, or waits for an
    unlock prompt, and the screen must not freeze meanwhile."""

    BINDINGS: ClassVar = bindings("secrets")

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            "Where each secret lives (1Password, Doppler, the host's env vars…). "
            "Values are optional and go only to this computer's keyring.",
            classes="goal",
        )
        self.entries = SecretEntries(self.engagement, self.keep_value)
        yield RowEditor(SECRET_FIELDS, self.entries, shown_only=SHOWN_ONLY, id="secrets")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = f"Secrets · {self.engagement.apex}"
        self.sub_title = "v reveal · t rotate (guided) · f forget value · esc back"
        self.look_up_values()

    def refresh_rows(self) -> None:
        self.query_one("#secrets", RowEditor).refresh_rows()

    @on(RowEditor.Changed, "#secrets")
    def look_up_values(self) -> None:
        """Which secrets have a value in the keyring, for the value column."""
        self.read_value_states(self.engagement.id, self.entries.keys())

    @work(thread=True, group="keyring-lookup", exclusive=True)
    def read_value_states(self, engagement_id: str, secrets: list[SecretKey]) -> None:
        states = value_states(engagement_id, secrets)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_value_states, states)

    def show_value_states(self, states: dict[SecretKey, str]) -> None:
        self.entries.value_states = states
        self.refresh_rows()

    def highlighted(self) -> Secret | None:
        table = self.query_one("#secrets DataTable", DataTable)
        secrets = self.engagement.secrets
        if not table.row_count or table.cursor_row >= len(secrets):
            self.notify("Highlight a secret in the table first.")
            return None
        return secrets[table.cursor_row]

    def keep_value(self, secret: Secret, value: str) -> None:
        self.store_value(self.engagement.id, secret, value)

    @work(thread=True, group="keyring-write")
    def store_value(self, engagement_id: str, secret: Secret, value: str) -> None:
        try:
            store(engagement_id, secret.environment, secret.name, value)
        except (VaultUnavailable, VaultError) as exc:
            said = f"The value for {secret.label} was NOT kept: {exc}"
            self.app.call_from_thread(self.notify, said, severity="error", timeout=20)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.look_up_values)

    def action_reveal(self) -> None:
        secret = self.highlighted()
        if secret is not None:
            self.reveal_value(self.engagement.id, secret)

    @work(thread=True, group="keyring-reveal", exclusive=True)
    def reveal_value(self, engagement_id: str, secret: Secret) -> None:
        try:
            value = reveal(engagement_id, secret.environment, secret.name)
        except (VaultUnavailable, VaultError) as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=20)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_value, secret, value)

    def show_value(self, secret: Secret, value: str | None) -> None:
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
        self.look_up_values()

    def action_forget(self) -> None:
        secret = self.highlighted()
        if secret is not None:
            self.forget_value(self.engagement.id, secret)

    @work(thread=True, group="keyring-write")
    def forget_value(self, engagement_id: str, secret: Secret) -> None:
        try:
            forgotten = forget(engagement_id, secret.environment, secret.name)
        except (VaultUnavailable, VaultError) as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=20)
            return
        said = (
            f"Value for {secret.label} removed from the keyring."
            if forgotten
            else f"No value was kept for {secret.label}."
        )
        self.app.call_from_thread(self.notify, said)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.look_up_values)
