"""`launchtui secrets …` as a founder's shell sees it, against a real Secret Service.

Every command runs as `python -m launchtui secrets …` inside a private D-Bus session with an
unlocked gnome-keyring (see tests/keyring_backend.py); `secret-tool` checks from outside
that values really are in the Secret Service.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import pty
import select
import sys
import time
import uuid
from pathlib import Path

import pytest

from launchtui import vault
from launchtui.engagement import Engagement, Secret

from .keyring_backend import SecretServiceSession, secret_service_session

NO_BACKEND = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> SecretServiceSession:
    with secret_service_session(tmp_path_factory.mktemp("secret-service")) as running:
        yield running


@pytest.fixture
def engagement_file(session: SecretServiceSession, tmp_path: Path) -> Path:
    """A fresh engagement with its own id, so tests sharing the keyring never collide."""
    path = tmp_path / "acme.toml"
    engagement = Engagement.new(
        path, apex="acme.com", product="Acme", engagement_id=f"acme-{uuid.uuid4().hex[:10]}"
    )
    engagement.save()
    return path


def engagement_id(path: Path) -> str:
    return Engagement.load(path).id


def secrets_cli(session: SecretServiceSession, *args: str, **kwargs):
    return session.run_launchtui("secrets", *args, **kwargs)


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


# -- the everyday flow ----------------------------------------------------------------------


def test_set_list_show_reveal(session, engagement_file):
    value = "admin-pw-" + uuid.uuid4().hex
    done = secrets_cli(
        session,
        "set",
        str(engagement_file),
        "ADMIN_PASSWORD",
        "--owner",
        "Dana",
        "--rotation-days",
        "30",
        "--used-by",
        "admin",
        "--used-by",
        "support",
        "--value-stdin",
        stdin=value + "\n",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "Added ADMIN_PASSWORD (prod)" in done.stderr and "keyring" in done.stderr
    service = f"launchtui/{engagement_id(engagement_file)}/prod"
    assert session.secret_tool_lookup(service, "ADMIN_PASSWORD") == value  # newline dropped

    listed = secrets_cli(session, "list", str(engagement_file))
    assert listed.returncode == 0, listed.stderr
    header, row = listed.stdout.splitlines()
    assert header.split()[:4] == ["NAME", "ENV", "STATUS", "VALUE"]
    assert row.split()[:4] == ["ADMIN_PASSWORD", "prod", "rotate-due", "(never"]
    assert "keyring" in row and "admin, support" in row

    shown = secrets_cli(session, "show", str(engagement_file), "ADMIN_PASSWORD")
    assert shown.returncode == 0, shown.stderr
    assert "reference:    keyring: (keyring)" in shown.stdout
    assert f"stored in the keyring ({service}); print it with --reveal" in shown.stdout

    revealed = secrets_cli(session, "show", str(engagement_file), "ADMIN_PASSWORD", "--reveal")
    assert revealed.returncode == 0, revealed.stderr
    assert revealed.stdout == value  # alone: no label, no newline when piped
    assert "Revealed" in revealed.stderr and value not in revealed.stderr

    for output in (done, listed, shown):
        assert value not in output.stdout + output.stderr
    assert value not in engagement_file.read_text(encoding="utf-8")


def test_list_as_json_reports_value_presence_and_status(session, engagement_file):
    path = str(engagement_file)
    assert secrets_cli(session, "set", path, "A", "--reference", "op://Ops/A/key").returncode == 0
    done = secrets_cli(
        session, "set", path, "B", "--env", "staging", "--last-rotated", "2020-01-01",
        "--rotation-days", "90", "--value-stdin", stdin="b-value",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    listed = secrets_cli(session, "list", path, "--format", "json")
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert rows["A"]["value_stored"] is False and rows["A"]["status"] == "ok"
    assert rows["A"]["reference_kind"] == "1password"
    assert rows["B"]["value_stored"] is True and rows["B"]["status"] == "rotate-due"
    assert rows["B"]["next_rotation"] == "2020-03-31" and rows["B"]["environment"] == "staging"
    only_staging = secrets_cli(session, "list", path, "--env", "staging", "--format", "json")
    assert [row["name"] for row in json.loads(only_staging.stdout)] == ["B"]


def test_set_updates_in_place_and_says_when_nothing_changed(session, engagement_file):
    path = str(engagement_file)
    engagement_file.write_text(
        engagement_file.read_text(encoding="utf-8")
        + '\n[[secrets]]\nname = "DB_URL"  # Neon\nenvironment = "prod"\nowner = "Sam"\n',
        encoding="utf-8",
    )
    done = secrets_cli(session, "set", path, "DB_URL", "--reference", "render:env/DATABASE_URL")
    assert done.returncode == 0, done.stderr
    assert "Updated DB_URL (prod)" in done.stderr
    text = engagement_file.read_text(encoding="utf-8")
    assert 'name = "DB_URL"  # Neon' in text and 'reference = "render:env/DATABASE_URL"' in text
    again = secrets_cli(session, "set", path, "DB_URL", "--owner", "Sam")
    assert again.returncode == 0 and "Nothing to change" in again.stderr
    assert engagement_file.read_text(encoding="utf-8") == text


def test_rotate_clears_exposure_logs_who_and_keeps_the_new_value(session, engagement_file):
    path = str(engagement_file)
    old, new = "old-" + uuid.uuid4().hex, "new-" + uuid.uuid4().hex
    set_old = secrets_cli(session, "set", path, "STRIPE_SECRET_KEY", "--value-stdin", stdin=old)
    assert set_old.returncode == 0, set_old.stderr
    engagement = Engagement.load(engagement_file)
    engagement.mark_secret_exposed(
        "STRIPE_SECRET_KEY",
        "prod",
        since=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
        fingerprint=vault.value_fingerprint(old),
        how="found by a test",
    )
    engagement.save()
    listed = secrets_cli(session, "list", path)
    assert "exposed since 2026-01-05" in listed.stdout

    same = secrets_cli(session, "rotate", path, "STRIPE_SECRET_KEY", "--value-stdin", stdin=old)
    assert same.returncode == 2 and "rotating means a new value" in one_line(same.stderr)

    done = secrets_cli(
        session, "rotate", path, "STRIPE_SECRET_KEY", "--by", "dana", "--value-stdin", stdin=new
    )
    assert done.returncode == 0, done.stderr
    assert f"Rotated STRIPE_SECRET_KEY (prod) on {dt.date.today():%Y-%m-%d} by dana." in done.stderr
    secret = Engagement.load(engagement_file).secrets[0]
    assert secret.last_rotated == dt.date.today() and not secret.exposed
    change = Engagement.load(engagement_file).changes[-1]
    assert (change.who, change.via) == ("dana", "cli")
    assert change.what.startswith("Rotated STRIPE_SECRET_KEY (prod); it had been exposed")
    service = f"launchtui/{engagement_id(engagement_file)}/prod"
    assert session.secret_tool_lookup(service, "STRIPE_SECRET_KEY") == new


def test_rotate_without_a_value_warns_that_the_old_one_is_still_kept(session, engagement_file):
    path = str(engagement_file)
    secrets_cli(session, "set", path, "TOKEN", "--value-stdin", stdin="tok-" + uuid.uuid4().hex)
    done = secrets_cli(session, "rotate", path, "TOKEN", "--by", "sam")
    assert done.returncode == 0, done.stderr
    assert "still holds the previous value of TOKEN (prod)" in done.stderr


def test_forget_deletes_the_value_and_remove_drops_the_entry(session, engagement_file):
    path = str(engagement_file)
    secrets_cli(session, "set", path, "RECOVERY", "--value-stdin", stdin="rc-" + uuid.uuid4().hex)
    service = f"launchtui/{engagement_id(engagement_file)}/prod"
    forgot = secrets_cli(session, "forget", path, "RECOVERY")
    assert forgot.returncode == 0, forgot.stderr
    assert session.secret_tool_lookup(service, "RECOVERY") is None
    assert [s.name for s in Engagement.load(engagement_file).secrets] == ["RECOVERY"]
    again = secrets_cli(session, "forget", path, "RECOVERY")
    assert again.returncode == 0 and "held no value" in again.stderr
    removed = secrets_cli(session, "forget", path, "RECOVERY", "--remove")
    assert removed.returncode == 0, removed.stderr
    engagement = Engagement.load(engagement_file)
    assert engagement.secrets == []
    assert engagement.changes[-1].what.startswith("Removed secret: RECOVERY (prod)")


def test_prompt_reads_the_value_without_echoing_it(session, engagement_file):
    """A real terminal: the typed value must not appear in what the terminal shows."""
    value = "typed-" + uuid.uuid4().hex
    argv = [sys.executable, "-m", "launchtui", "secrets", "set", str(engagement_file)]
    argv += ["TYPED", "--prompt"]
    pid, terminal = pty.fork()
    if pid == 0:  # the child: becomes the CLI, with the pty as its controlling terminal
        try:
            os.chdir(session.root)
            os.execve(sys.executable, argv, session.env)
        finally:
            os._exit(127)
    shown = b""
    try:
        for _ in range(2):  # the value, then its confirmation
            # ": " appears once getpass has turned echo off and written its own " ".
            shown += _read_until(terminal, b": ", timeout=20)
            os.write(terminal, value.encode() + b"\r")
        shown += _read_until(terminal, None, timeout=20)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(terminal)
    assert os.waitstatus_to_exitcode(status) == 0, shown
    assert b"Value for TYPED (prod) (not shown)" in shown
    assert value.encode() not in shown
    service = f"launchtui/{engagement_id(engagement_file)}/prod"
    assert session.secret_tool_lookup(service, "TYPED") == value


def _read_until(fd: int, marker: bytes | None, timeout: float) -> bytes:
    """Read the terminal until `marker` shows up (or, with None, until the child is gone)."""
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        data += chunk
        if marker is not None and marker in data.split(b"\n")[-1]:
            break
    return data


# -- usage errors: exit 2, one line, file untouched -------------------------------------------


def test_unknown_secret_is_exit_2_naming_what_exists(session, engagement_file):
    secrets_cli(session, "set", str(engagement_file), "KNOWN")
    for command in ("show", "rotate", "forget"):
        result = secrets_cli(session, command, str(engagement_file), "NOPE")
        assert result.returncode == 2
        assert result.stdout == ""
        assert one_line(result.stderr).endswith(
            "no secret NOPE in the inventory (known: KNOWN (prod))."
        )


def test_a_name_in_two_environments_needs_env(session, engagement_file):
    path = str(engagement_file)
    secrets_cli(session, "set", path, "API_KEY", "--env", "prod")
    secrets_cli(session, "set", path, "API_KEY", "--env", "staging")
    result = secrets_cli(session, "show", path, "API_KEY")
    assert result.returncode == 2
    assert "several environments (prod, staging); pass --env" in one_line(result.stderr)
    assert secrets_cli(session, "show", path, "API_KEY", "--env", "staging").returncode == 0


def test_a_broken_inventory_is_exit_2_naming_the_key(session, engagement_file):
    engagement_file.write_text(
        engagement_file.read_text(encoding="utf-8")
        + '\n[[secrets]]\nname = "A"\nrotation_days = "ninety"\n',
        encoding="utf-8",
    )
    before = engagement_file.read_bytes()
    for args in (("list",), ("set", "B"), ("show", "A"), ("rotate", "A")):
        result = secrets_cli(session, args[0], str(engagement_file), *args[1:])
        assert result.returncode == 2, args
        line = engagement_file.read_text(encoding="utf-8").splitlines().index(
            'rotation_days = "ninety"'
        )
        assert one_line(result.stderr) == (
            f"launchtui: {engagement_file}:{line + 1}: secrets[0].rotation_days: "
            "expected a whole number of days, got text"
        )
    assert engagement_file.read_bytes() == before


def test_a_missing_engagement_file_is_exit_2(session, tmp_path):
    result = secrets_cli(session, "list", str(tmp_path / "nope.toml"))
    assert result.returncode == 2 and "no such file" in one_line(result.stderr)


def test_a_value_typed_as_an_argument_is_refused_without_being_echoed(session, engagement_file):
    before = engagement_file.read_bytes()
    for command in ("set", "rotate"):
        result = secrets_cli(session, command, str(engagement_file), "A", "sk_live_typed_in_argv")
        assert result.returncode == 2
        assert "never read from the command line" in one_line(result.stderr)
        assert "sk_live_typed_in_argv" not in result.stdout + result.stderr
    assert engagement_file.read_bytes() == before


def test_a_value_repeated_in_the_reference_is_refused(session, engagement_file):
    before = engagement_file.read_bytes()
    result = secrets_cli(
        session, "set", str(engagement_file), "A", "--reference", "note: pw is hunter2-xyz",
        "--value-stdin", stdin="hunter2-xyz",
    )  # fmt: skip
    assert result.returncode == 2
    assert "also appears in its inventory entry" in one_line(result.stderr)
    assert "hunter2-xyz" not in result.stderr
    assert engagement_file.read_bytes() == before


@pytest.mark.parametrize(
    "backend", ["keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"]
)
def test_no_keyring_backend_is_exit_2_naming_the_fix_and_the_file_is_unchanged(
    session, engagement_file, backend
):
    path = str(engagement_file)
    assert secrets_cli(session, "set", path, "EXISTING").returncode == 0
    before = engagement_file.read_bytes()
    backup = engagement_file.with_name("acme.toml.bak").read_bytes()
    env = {"PYTHON_KEYRING_BACKEND": backend}
    canary = "no-backend-" + uuid.uuid4().hex
    attempts = [
        ("set", path, "NEW", "--value-stdin"),
        ("set", path, "EXISTING", "--owner", "Dana", "--value-stdin"),
        ("rotate", path, "EXISTING", "--value-stdin"),
        ("show", path, "EXISTING", "--reveal"),
        ("forget", path, "EXISTING"),
        ("forget", path, "EXISTING", "--remove"),
    ]
    if backend.endswith("null.Keyring"):
        attempts = attempts[:1]  # the same refusal: one command proves it
    for args in attempts:
        result = secrets_cli(session, *args, stdin=canary, env=env)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stdout == ""
        line = one_line(result.stderr)
        assert line.startswith("launchtui: no secure keyring to hold secret values")
        assert backend in line
        assert "gnome-keyring" in line and "libsecret-tools" in line
        assert "keyrings.cryptfile" in line and "keyring diagnose" in line
        assert canary not in line
        assert engagement_file.read_bytes() == before, args
        assert engagement_file.with_name("acme.toml.bak").read_bytes() == backup
    # Without values, the inventory is still readable; the value column says "unknown".
    listed = secrets_cli(session, "list", path, env=env)
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[1].split()[3] == "?"
    assert "cannot tell which values are stored" in listed.stderr


def test_rotation_alone_needs_no_keyring(session, engagement_file):
    path = str(engagement_file)
    secrets_cli(session, "set", path, "WEBHOOK_SECRET")
    result = secrets_cli(session, "rotate", path, "WEBHOOK_SECRET", "--by", "dana", env=NO_BACKEND)
    assert result.returncode == 0, result.stderr
    assert Engagement.load(engagement_file).secrets[0].last_rotated == dt.date.today()


# -- canaries ---------------------------------------------------------------------------------


def encodings_of(canary: str) -> list[bytes]:
    """The canary as bytes, hex, and base64 at every alignment (keyrings.alt's 'plaintext'
    is base64), so a value hidden by a trivial encoding is still caught."""
    raw = canary.encode("utf-8")
    forms = [raw, raw.hex().encode(), canary.encode("utf-16-le")]
    for shift in range(3):
        # Only whole 3-byte groups of the canary encode the same way wherever it sits.
        encoded = base64.b64encode(b"\0" * shift + raw)
        forms.append(encoded[4 if shift else 0 : -4])
    return forms


def files_containing(root: Path, canaries: dict[str, str], skip: Path) -> list[str]:
    hits = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.is_relative_to(skip):
            continue
        data = path.read_bytes()
        for where, canary in canaries.items():
            if any(form in data for form in encodings_of(canary)):
                hits.append(f"{path.relative_to(root)} contains the {where} canary")
    return hits


def test_canary_values_reach_only_the_keyring(tmp_path):
    """Plant a distinctive value through every input path, then look everywhere the app
    could have written: the engagement, its .bak, temp files, HOME, XDG dirs, TMPDIR and
    every stdout/stderr (except the one `show --reveal` stdout that is asked for)."""
    canaries = {
        "set --value-stdin": f"CANARY-set-{uuid.uuid4().hex}",
        "rotate --value-stdin": f"CANARY-rotate-{uuid.uuid4().hex}",
        "vault.store": f"CANARY-api-{uuid.uuid4().hex}",
    }
    root = tmp_path / "world"
    with secret_service_session(root) as session:
        work = root / "work"
        work.mkdir()
        path = work / "acme.toml"
        engagement = Engagement.new(path, apex="acme.com", product="Acme")
        engagement.save()
        outputs = []

        def run(*args: str, stdin: str | None = None):
            result = session.run_launchtui("secrets", *args, stdin=stdin, cwd=work)
            assert result.returncode == 0, result.stderr
            outputs.append((args, result.stdout, result.stderr))
            return result

        run("set", str(path), "STRIPE_SECRET_KEY", "--reference", "op://Ops/Stripe/key",
            "--owner", "Dana", "--rotation-days", "90", "--used-by", "api",
            "--value-stdin", stdin=canaries["set --value-stdin"] + "\n")  # fmt: skip
        run("list", str(path))
        run("list", str(path), "--format", "json")
        run("show", str(path), "STRIPE_SECRET_KEY")
        run("rotate", str(path), "STRIPE_SECRET_KEY", "--by", "dana", "--value-stdin",
            stdin=canaries["rotate --value-stdin"])  # fmt: skip

        # The Python API path: the inventory and the vault used directly, then a scanner
        # finding carrying the value's fingerprint matched against it.
        with session.in_process():
            engagement = Engagement.load(path)
            engagement.add_secret(Secret("ADMIN_PASSWORD", "prod", reference="keyring:"))
            vault.store(engagement.id, "prod", "ADMIN_PASSWORD", canaries["vault.store"])
            from launchtui.findings import Finding, Severity, Status
            from launchtui.inventory import mark_exposed

            leaked = Finding(
                "secrets.tree", "security", "app.py:1", Status.FAIL, Severity.CRITICAL,
                "A key is in the code.",
                evidence={"fingerprint": vault.value_fingerprint(canaries["vault.store"])},
            )  # fmt: skip
            assert [s.name for s in mark_exposed(engagement, [leaked]).marked] == ["ADMIN_PASSWORD"]
            engagement.save()
        run("list", str(path))
        run("show", str(path), "ADMIN_PASSWORD")
        run("rotate", str(path), "ADMIN_PASSWORD", "--by", "sam")

        # Each value is really in the keyring (the test is not vacuous) ...
        revealed = {
            name: run("show", str(path), name, "--reveal")
            for name in ("STRIPE_SECRET_KEY", "ADMIN_PASSWORD")
        }
        assert revealed["STRIPE_SECRET_KEY"].stdout == canaries["rotate --value-stdin"]
        assert revealed["ADMIN_PASSWORD"].stdout == canaries["vault.store"]
        engagement_id = Engagement.load(path).id
        assert (
            session.secret_tool_lookup(f"launchtui/{engagement_id}/prod", "STRIPE_SECRET_KEY")
            == canaries["rotate --value-stdin"]
        )
        # ... and the set canary was replaced there by the rotation.

    assert path.with_name("acme.toml.bak").exists()
    assert list(work.glob(".acme.toml.*.tmp")) == []
    hits = files_containing(root, canaries, skip=session.keyring_storage)
    assert hits == []
    for args, stdout, stderr in outputs:
        is_reveal = "--reveal" in args
        for where, canary in canaries.items():
            assert canary not in stderr, (args, where)
            if not is_reveal:
                assert canary not in stdout, (args, where)
    # gnome-keyring's own storage exists and is encrypted: no canary in it either.
    stored = list(session.keyring_storage.glob("*.keyring"))
    assert stored, "the Secret Service wrote no keyring file"
    for keyring_file in stored:
        data = keyring_file.read_bytes()
        assert not any(
            form in data for canary in canaries.values() for form in encodings_of(canary)
        )
