"""The secret inventory (the engagement's [[secrets]], and launchtui.inventory's matching of
leaks) and the keyring vault (launchtui.vault).

Unit tests select a test backend through keyring's own API (`keyring.set_keyring`); the
vault round trip also runs against a real gnome-keyring Secret Service.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from keyring.backends import fail, null
from keyring.errors import KeyringError

from launchtui import vault
from launchtui.engagement import (
    Actor,
    Engagement,
    EngagementError,
    Secret,
    SecretNotFound,
    SecretStatus,
    looks_like_a_value,
    reference_kind,
)
from launchtui.findings import Finding, Severity, Status
from launchtui.inventory import mark_exposed

from .conftest import run_launchtui
from .keyring_backend import MemoryKeyring, memory_keyring, secret_service_session, selected_keyring

TODAY = dt.date(2026, 11, 22)

HAND_WRITTEN = """\
# Acme launch engagement
schema = 1
id = "acme-test"

[domain]
apex = "acme.com"

# Secrets: where they live, never the values.
[[secrets]]
name = "STRIPE_SECRET_KEY"   # the live key
environment = "prod"
reference = "op://Ops/Stripe/secret key"
owner = "Dana (CTO)"
last_rotated = 2026-09-01
rotation_days = 90
used_by = ["api", "worker"]

[[secrets]]
name = "SENDGRID_API_KEY"
environment = "staging"
reference = "vercel:env/SENDGRID_API_KEY"
"""


@pytest.fixture
def engagement(tmp_path: Path) -> Engagement:
    path = tmp_path / "acme.toml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    return Engagement.load(path, actor=Actor("dana", "cli"))


@pytest.fixture
def memory():
    with memory_keyring() as backend:
        yield backend


def with_row(text: str) -> str:
    return HAND_WRITTEN + "\n[[secrets]]\n" + text


def leak(fingerprint: str, **evidence: object) -> Finding:
    return Finding(
        check=str(evidence.pop("check", "secrets.history")),
        stage="security",
        target="settings.py:3",
        status=Status.FAIL,
        severity=Severity.CRITICAL,
        summary="A live key is in the code.",
        evidence={"fingerprint": fingerprint, **evidence},
    )


# -- reading and status ---------------------------------------------------------------------


def test_reads_hand_written_entries_with_defaults(engagement):
    stripe, sendgrid = engagement.secrets
    assert stripe == Secret(
        name="STRIPE_SECRET_KEY",
        environment="prod",
        reference="op://Ops/Stripe/secret key",
        owner="Dana (CTO)",
        last_rotated=dt.date(2026, 9, 1),
        rotation_days=90,
        used_by=("api", "worker"),
    )
    assert stripe.reference_kind == "1password"
    assert stripe.next_rotation == dt.date(2026, 11, 30)
    assert sendgrid.reference_kind == "platform"
    assert sendgrid.rotation_days is None and sendgrid.owner == ""


@pytest.mark.parametrize(
    ("secret", "today", "expected"),
    [
        (Secret("A", last_rotated=dt.date(2026, 9, 1), rotation_days=90), TODAY, "ok"),
        (Secret("A", last_rotated=dt.date(2026, 9, 1), rotation_days=82), TODAY, "rotate-due"),
        (Secret("A", last_rotated=dt.date(2026, 9, 1), rotation_days=81), TODAY, "rotate-due"),
        (Secret("A", rotation_days=30), TODAY, "rotate-due"),  # a period, never rotated
        (Secret("A"), TODAY, "ok"),  # no period: never due
        (
            Secret(
                "A",
                last_rotated=TODAY,
                rotation_days=90,
                exposed_since=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
            ),
            TODAY,
            "exposed",
        ),
        (Secret("A", rotation_days=1, exposed_by_fingerprint="0123456789abcdef"), TODAY, "exposed"),
    ],
)
def test_status_is_computed_exposed_first_then_rotation_due(secret, today, expected):
    assert secret.status(today) == SecretStatus(expected)


@pytest.mark.parametrize(
    ("reference", "kind"),
    [
        ("op://Ops/Stripe/secret key", "1password"),
        ("op://Ops/Stripe/section/field", "1password"),
        ("doppler://acme/prd/STRIPE_SECRET_KEY", "doppler"),
        ("render:env/DATABASE_URL", "platform"),
        ("keyring:", "keyring"),
        ("Dana's laptop, ~/.aws/credentials", "text"),
        ("", ""),
    ],
)
def test_reference_kinds(reference, kind):
    assert reference_kind(reference) == kind


@pytest.mark.parametrize(
    ("row", "key", "problem"),
    [
        ('name = "A"\nrotation_days = "90"', "secrets[2].rotation_days", "whole number of days"),
        ('name = "A"\nrotation_days = 0', "secrets[2].rotation_days", "whole number of days"),
        ('name = "A"\nrotation_days = 1.5', "secrets[2].rotation_days", "whole number of days"),
        ('name = "A"\nlast_rotated = "last spring"', "secrets[2].last_rotated", "a date like"),
        ('environment = "prod"', "secrets[2]", 'missing key "name"'),
        ("name = 7", "secrets[2].name", "expected text"),
        ('name = "A"\nenvironment = "prod/eu"', "secrets[2].environment", "one word"),
        ('name = "A"\nused_by = "api"', "secrets[2].used_by", "list of text"),
        ('name = "A"\nreference = "op://Ops/Stripe"', "secrets[2].reference", "op://vault/item"),
        ('name = "A"\nreference = "doppler://acme"', "secrets[2].reference", "doppler://project"),
        ('name = "A"\nreference = "vercel:STRIPE"', "secrets[2].reference", "vercel:env/NAME"),
        (
            'name = "A"\nexposed_by_fingerprint = "sk_live_x"',
            "secrets[2].exposed_by_fingerprint",
            "16 hex",
        ),
        ('name = "A"\nexposed_since = "yesterday"', "secrets[2].exposed_since", "a time like"),
        (
            'name = "STRIPE_SECRET_KEY"\nenvironment = "prod"',
            "secrets[2]",
            "STRIPE_SECRET_KEY (prod) is already listed as secrets[0]",
        ),
    ],
)
def test_bad_keys_are_named_with_their_index(tmp_path, row, key, problem):
    path = tmp_path / "acme.toml"
    path.write_text(with_row(row), encoding="utf-8")
    with pytest.raises(EngagementError) as error:  # refused when loaded, not later
        Engagement.load(path)
    message = str(error.value)
    assert re.match(rf"{re.escape(str(path))}:\d+: {re.escape(key)}: ", message), message
    assert problem in message


def test_errors_never_quote_a_mistyped_reference_or_text_value(tmp_path):
    path = tmp_path / "acme.toml"
    path.write_text(with_row('name = "A"\nreference = "op://sk_live_leaked"'), encoding="utf-8")
    with pytest.raises(EngagementError) as error:
        _ = Engagement.load(path).secrets
    assert "sk_live_leaked" not in str(error.value)
    path.write_text(with_row('name = "A"\nrotation_days = "sk_live_leaked"'), encoding="utf-8")
    with pytest.raises(EngagementError) as error:
        _ = Engagement.load(path).secrets
    assert "sk_live_leaked" not in str(error.value)


def test_secrets_must_be_an_array_of_tables(tmp_path):
    path = tmp_path / "acme.toml"
    path.write_text('schema = 1\nsecrets = "all in 1Password"\n[domain]\napex = "acme.com"\n')
    with pytest.raises(EngagementError, match=r"acme.toml:2: secrets: expected a list of tables"):
        _ = Engagement.load(path).secrets


def test_find_secret_by_name_with_and_without_environment(engagement):
    assert engagement.secret("SENDGRID_API_KEY").environment == "staging"
    engagement.add_secret(Secret("SENDGRID_API_KEY", "prod"))
    with pytest.raises(EngagementError, match="several environments"):
        engagement.secret("SENDGRID_API_KEY")
    assert engagement.secret("SENDGRID_API_KEY", "prod").environment == "prod"
    with pytest.raises(SecretNotFound, match=r"no secret NOPE .*known: STRIPE_SECRET_KEY \(prod\)"):
        engagement.secret("NOPE")
    with pytest.raises(SecretNotFound):
        engagement.secret("STRIPE_SECRET_KEY", "staging")


def test_a_malformed_secrets_entry_is_refused_at_load_not_later(tmp_path):
    path = tmp_path / "e.toml"
    path.write_text(
        'schema = 1\n[domain]\napex = "good.test"\n[[secrets]]\n'
        'name = "STRIPE_SECRET_KEY"\nrotation_days = "90"\n'
    )
    with pytest.raises(EngagementError, match=r"secrets\[0\].rotation_days"):
        Engagement.load(path)
    result = run_launchtui("scan", str(tmp_path), "--engagement", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr


# -- changing -----------------------------------------------------------------------------


def test_add_update_remove_keep_comments_order_and_log(engagement):
    engagement.add_secret(
        Secret(
            "RESEND_API_KEY",
            "prod",
            reference="doppler://acme/prd/RESEND_API_KEY",
            rotation_days=180,
            used_by=("api",),
        ),
    )
    engagement.update_secret("STRIPE_SECRET_KEY", "prod", owner="Sam", used_by=["api"])
    engagement.update_secret("SENDGRID_API_KEY", "staging", reference=None)
    engagement.remove_secret("SENDGRID_API_KEY", "staging")
    engagement.save()

    text = engagement.path.read_text(encoding="utf-8")
    assert "# Acme launch engagement" in text
    assert "# Secrets: where they live, never the values." in text
    assert 'name = "STRIPE_SECRET_KEY"   # the live key' in text
    assert text.index('name = "STRIPE_SECRET_KEY"') < text.index('name = "RESEND_API_KEY"')
    assert "SENDGRID_API_KEY" not in text.split("[history]")[0]
    reloaded = Engagement.load(engagement.path)
    names = [secret.label for secret in reloaded.secrets]
    assert names == ["STRIPE_SECRET_KEY (prod)", "RESEND_API_KEY (prod)"]
    stripe = reloaded.secret("STRIPE_SECRET_KEY")
    assert stripe.owner == "Sam" and stripe.used_by == ("api",)
    assert stripe.rotation_days == 90  # untouched fields stay
    assert [change.what for change in reloaded.changes] == [
        "Added secret: RESEND_API_KEY (prod), lives at doppler://acme/prd/RESEND_API_KEY.",
        "Updated secret STRIPE_SECRET_KEY (prod): owner, used by.",
        "Updated secret SENDGRID_API_KEY (staging): reference.",
        "Removed secret: SENDGRID_API_KEY (staging) from the inventory.",
    ]
    assert {(change.who, change.via) for change in reloaded.changes} == {("dana", "cli")}
    assert engagement.path.with_name("acme.toml.bak").read_text(encoding="utf-8") == HAND_WRITTEN


def test_update_without_changes_logs_nothing(engagement):
    unchanged = engagement.update_secret("STRIPE_SECRET_KEY", "prod", owner="Dana (CTO)")
    assert unchanged == engagement.secret("STRIPE_SECRET_KEY")
    assert engagement.changes == []


def test_adding_a_duplicate_or_invalid_entry_changes_nothing(engagement):
    before = (engagement.secrets, engagement.changes)
    with pytest.raises(EngagementError, match="already in the inventory"):
        engagement.add_secret(Secret("STRIPE_SECRET_KEY", "prod"))
    with pytest.raises(EngagementError, match=r"secrets\[2\].environment"):
        engagement.add_secret(Secret("X", "prod/eu"))
    with pytest.raises(EngagementError, match=r"secrets\[0\].rotation_days"):
        engagement.update_secret("STRIPE_SECRET_KEY", "prod", rotation_days=-3)
    assert (engagement.secrets, engagement.changes) == before


@pytest.mark.parametrize("field", ["reference", "owner"])
def test_a_value_pasted_where_a_reference_belongs_is_refused(engagement, field):
    pasted = "sk_" + "live_" + "51H8x2eKq9ZrT4vB7nPw3LmYc0dXa"  # in parts: not a leak to scanners
    assert looks_like_a_value(pasted)
    before = (engagement.secrets, engagement.changes)
    with pytest.raises(EngagementError, match="looks like a secret value") as error:
        engagement.add_secret(Secret("X", **{field: pasted}))
    assert pasted not in str(error.value)
    with pytest.raises(EngagementError, match="looks like a secret value"):
        engagement.update_secret("STRIPE_SECRET_KEY", "prod", **{field: pasted})
    assert (engagement.secrets, engagement.changes) == before


@pytest.mark.parametrize(
    "text",
    [
        "op://Ops/Stripe/secret key",
        "vercel:env/STRIPE_SECRET_KEY_PRODUCTION",
        "STRIPE_SECRET_KEY_PRODUCTION_EU",
        "Dana (CTO), dana@acme.com",
        "1Password vault Ops, item Stripe",
    ],
)
def test_ordinary_references_do_not_look_like_values(text):
    assert not looks_like_a_value(text)


def test_rotation_clears_exposure_and_logs_who(engagement):
    engagement.mark_secret_exposed(
        "STRIPE_SECRET_KEY",
        "prod",
        since=dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC),
        fingerprint="8e86f7c759a410a5",
        how="found in a test",
    )
    assert engagement.secret("STRIPE_SECRET_KEY").status(TODAY) is SecretStatus.EXPOSED

    rotated = engagement.record_rotation("STRIPE_SECRET_KEY", "prod", today=TODAY)

    assert rotated.last_rotated == TODAY and not rotated.exposed
    assert rotated.status(TODAY) is SecretStatus.OK
    engagement.save()
    text = engagement.path.read_text(encoding="utf-8")
    assert "exposed_since =" not in text and "exposed_by_fingerprint =" not in text
    change = engagement.changes[-1]
    assert change.who == "dana"
    assert change.what == (
        "Rotated STRIPE_SECRET_KEY (prod); it had been exposed since 2026-11-20, now cleared."
    )


# -- matching scanner findings --------------------------------------------------------------


def test_value_fingerprint_is_the_scanners():
    from launchtui.checks.secrets.redact import fingerprint

    for value in ("sk_live_abc", "pässwörd", "x" * 300, "lone \udcff surrogate"):
        assert vault.value_fingerprint(value) == fingerprint(value)


async def test_a_real_scanner_finding_marks_the_entry_holding_that_value(
    engagement, memory, tmp_path
):
    from launchtui.checks.secrets import scan_repository

    live_key = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dcQw9Zk2Lm8Np3Rs6Tv"
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "settings.py").write_text(f'STRIPE_LIVE = "{live_key}"\n', encoding="utf-8")
    findings = (await scan_repository(repo, history=False)).findings
    assert any(f.evidence.get("fingerprint") for f in findings), findings
    engagement.add_secret(Secret("payments key", "prod", reference="keyring:"))
    vault.store(engagement.id, "prod", "payments key", live_key)

    now = dt.datetime(2026, 11, 22, 12, 0, 0, 123456, tzinfo=dt.UTC)
    exposures = mark_exposed(engagement, findings, now=now)

    assert exposures.values_compared
    # "payments key" by its value; STRIPE_SECRET_KEY (no value kept) by the rule's id.
    labels = {secret.label for secret in exposures.marked}
    assert labels == {"payments key (prod)", "STRIPE_SECRET_KEY (prod)"}
    marked = engagement.secret("payments key")
    assert marked.status() is SecretStatus.EXPOSED
    assert marked.exposed_by_fingerprint == vault.value_fingerprint(live_key)
    assert marked.exposed_since == now.replace(microsecond=0)  # tree findings carry no date
    engagement.save()
    text = engagement.path.read_text(encoding="utf-8")
    assert live_key not in text and live_key[:12] not in text


def test_name_matches_use_the_rule_or_variable(engagement, memory):
    findings = [
        leak("1111111111111111", rule="stripe-secret-key", date="2026-11-01T08:30:00+01:00"),
        leak("2222222222222222", rule="generic-secret", variable="process.env.SENDGRID_API_KEY"),
    ]
    exposures = mark_exposed(engagement, findings)
    stripe = engagement.secret("STRIPE_SECRET_KEY")
    sendgrid = engagement.secret("SENDGRID_API_KEY")
    assert [s.label for s in exposures.marked] == [stripe.label, sendgrid.label]
    # Committed after the last rotation (2026-09-01): exposed since the commit's date, in UTC.
    assert stripe.exposed_since == dt.datetime(2026, 11, 1, 7, 30, tzinfo=dt.UTC)
    assert stripe.exposed_by_fingerprint == "1111111111111111"
    assert sendgrid.exposed_by_fingerprint == "2222222222222222"
    log = [change.what for change in engagement.changes]
    assert log[0].startswith("STRIPE_SECRET_KEY (prod) marked exposed: secrets.history found")


def test_a_name_match_is_not_taken_when_it_cannot_be_this_value(engagement, memory):
    # STRIPE_SECRET_KEY was rotated on 2026-09-01; the leaked one was committed before.
    old_leak = leak("1111111111111111", rule="stripe-secret-key", date="2026-08-30T10:00:00Z")
    # SENDGRID_API_KEY's value is kept in the keyring and is not the leaked one.
    vault.store(engagement.id, "staging", "SENDGRID_API_KEY", "SG.current-value")
    other_value = leak("2222222222222222", variable="SENDGRID_API_KEY")
    assert mark_exposed(engagement, [old_leak, other_value]).marked == []
    assert not any(secret.exposed for secret in engagement.secrets)


def test_suppressed_passing_and_non_secret_findings_are_ignored(engagement, memory):
    vault.store(engagement.id, "prod", "STRIPE_SECRET_KEY", "sk_live_current")
    fingerprint = vault.value_fingerprint("sk_live_current")
    ignored = [
        leak(fingerprint).suppressed_because("test fixture"),
        leak(fingerprint, check="tls.certificate"),
        Finding("secrets.tree", "security", "x", Status.PASS, Severity.INFO, "ok", evidence={}),
        leak("not-a-fingerprint", rule="stripe-secret-key"),
    ]
    assert mark_exposed(engagement, ignored).marked == []
    marked = mark_exposed(engagement, [leak(fingerprint)]).marked
    assert [secret.label for secret in marked] == ["STRIPE_SECRET_KEY (prod)"]


def test_an_exposed_entry_keeps_its_first_exposure(engagement, memory):
    first = leak("1111111111111111", rule="stripe-secret-key", date="2026-10-01T00:00:00Z")
    mark_exposed(engagement, [first])
    later = leak("3333333333333333", rule="stripe-secret-key", date="2026-11-01T00:00:00Z")
    assert mark_exposed(engagement, [later]).marked == []
    stripe = engagement.secret("STRIPE_SECRET_KEY")
    assert stripe.exposed_by_fingerprint == "1111111111111111"


def test_without_a_keyring_only_names_are_matched_and_it_says_so(engagement):
    vault_less = [leak("1111111111111111", variable="SENDGRID_API_KEY")]
    with selected_keyring(fail.Keyring()):
        exposures = mark_exposed(engagement, vault_less)
    assert not exposures.values_compared
    assert [secret.label for secret in exposures.marked] == ["SENDGRID_API_KEY (staging)"]


# -- the vault ----------------------------------------------------------------------------


def test_vault_round_trip_through_keyrings_api(memory):
    assert vault.service_name("acme-test", "prod") == "launchtui/acme-test/prod"
    assert not vault.has_value("acme-test", "prod", "ADMIN_PASSWORD")
    vault.store("acme-test", "prod", "ADMIN_PASSWORD", "correct horse")
    assert memory.values == {("launchtui/acme-test/prod", "ADMIN_PASSWORD"): "correct horse"}
    assert vault.reveal("acme-test", "prod", "ADMIN_PASSWORD") == "correct horse"
    assert vault.reveal("acme-test", "staging", "ADMIN_PASSWORD") is None
    assert vault.stored_fingerprint("acme-test", "prod", "ADMIN_PASSWORD") == (
        vault.value_fingerprint("correct horse")
    )
    assert vault.forget("acme-test", "prod", "ADMIN_PASSWORD") is True
    assert vault.forget("acme-test", "prod", "ADMIN_PASSWORD") is False
    with pytest.raises(vault.VaultError, match="empty value"):
        vault.store("acme-test", "prod", "ADMIN_PASSWORD", "")


class PlaintextKeyring(MemoryKeyring):
    """Named like keyrings.alt's base64 'plaintext' file backend."""


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring(), PlaintextKeyring()])
def test_no_secure_backend_is_one_error_naming_the_fix(backend):
    with selected_keyring(backend):
        for call in (
            lambda: vault.store("acme-test", "prod", "A", "canary-value-7f3a"),
            lambda: vault.reveal("acme-test", "prod", "A"),
            lambda: vault.has_value("acme-test", "prod", "A"),
            lambda: vault.forget("acme-test", "prod", "A"),
        ):
            with pytest.raises(vault.VaultUnavailable) as error:
                call()
            message = str(error.value)
            assert type(backend).__name__ in message
            assert "gnome-keyring" in message and "dbus-run-session" in message
            assert "keyrings.cryptfile" in message and "keyring diagnose" in message
            assert "canary-value-7f3a" not in message
    if isinstance(backend, PlaintextKeyring):
        assert backend.values == {}  # nothing was written to it


class FailingKeyring(MemoryKeyring):
    """A backend whose error text repeats the value (as a careless backend might)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError(f"could not write {password!r} for {username}")


def test_backend_errors_never_carry_the_value():
    with selected_keyring(FailingKeyring()), pytest.raises(vault.VaultError) as error:
        vault.store("acme-test", "prod", "A", "canary-value-9b1c")
    assert "canary-value-9b1c" not in str(error.value)
    assert "canary-value-9b1c" not in repr(error.value)
    assert error.value.__cause__ is None and error.value.__context__ is None
    assert "KeyringError" in str(error.value)


def test_vault_round_trip_in_a_real_secret_service(tmp_path):
    with secret_service_session(tmp_path / "keyring") as session, session.in_process():
        assert vault.backend_description() == "keyring.backends.SecretService.Keyring"
        vault.store("acme-test", "prod", "RECOVERY_CODE", "1234-5678-canary")
        assert vault.reveal("acme-test", "prod", "RECOVERY_CODE") == "1234-5678-canary"
        looked_up = session.secret_tool_lookup("launchtui/acme-test/prod", "RECOVERY_CODE")
        assert looked_up == "1234-5678-canary"  # libsecret sees it: it is really in there
        assert vault.forget("acme-test", "prod", "RECOVERY_CODE")
        assert not vault.has_value("acme-test", "prod", "RECOVERY_CODE")
        assert session.secret_tool_lookup("launchtui/acme-test/prod", "RECOVERY_CODE") is None


def test_the_cli_and_model_import_without_loading_keyring():
    """keyring takes ~0.3 s to import; only commands that touch values pay for it."""
    code = (
        "import sys, launchtui.cli, launchtui.inventory, launchtui.vault\n"
        "assert 'keyring' not in sys.modules, 'keyring imported eagerly'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
