"""`launchtui secrets …`: the secret inventory and its keyring values, headless.

A value is read only from stdin (`--value-stdin`) or a no-echo prompt (`--prompt`), never
from the command line (shell history, `ps`), is kept only in the OS keyring, and is printed
only by `show --reveal`, alone on stdout. Everything else about a secret (where it lives,
owner, rotation) is in the engagement file, saved atomically with a `.bak`.

Exit codes follow `launchtui.cli_common.ExitCode`: 0 done, 2 usage or input error (unknown secret,
broken engagement file, no usable keyring), with one line on stderr saying why.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .cli_common import Command, engagement_argument, fail_usage, format_option, load_engagement

if TYPE_CHECKING:
    from .engagement import Actor, Engagement, Secret

_EXTRA_ARGS = {"allow_extra_args": True}  # so a value typed as an argument is never echoed
_ARGV_VALUE = (
    "values are never read from the command line (shell history and `ps` would keep them); "
    "pipe it with --value-stdin or type it at --prompt"
)


def _environment_option(function: Command) -> Command:
    return click.option(
        "--env",
        "environment",
        metavar="ENV",
        default=None,
        help="Environment (prod, staging, …); needed only when NAME exists in several.",
    )(function)


def _value_options(function: Command) -> Command:
    function = click.option(
        "--prompt",
        "prompt_for_value",
        is_flag=True,
        help="Type the value at a prompt that does not echo it.",
    )(function)
    return click.option(
        "--value-stdin",
        is_flag=True,
        help="Read the value from stdin (one trailing newline is dropped).",
    )(function)


@click.group("secrets")
def secrets() -> None:
    """The secret inventory: where each secret lives; values only in the OS keyring."""


@secrets.command("list")
@engagement_argument
@_environment_option
@format_option("text", "json")
def list_secrets(engagement_file: Path, environment: str | None, output_format: str) -> None:
    """List the inventory with each secret's status; never values."""
    engagement = load_engagement(engagement_file)
    inventory = engagement.secrets
    if environment is not None:
        inventory = [secret for secret in inventory if secret.environment == environment]
    stored = _stored_values(engagement, inventory)
    today = dt.date.today()
    if output_format == "json":
        rows = [_as_json(secret, stored.get(secret.label), today) for secret in inventory]
        click.echo(json.dumps(rows, indent=2))
        return
    if not inventory:
        click.echo(
            f"No secrets in {engagement_file} yet; add one with "
            f"`launchtui secrets set {engagement_file} NAME --reference op://vault/item/field`.",
            err=True,
        )
        return
    header = ("NAME", "ENV", "STATUS", "VALUE", "REFERENCE", "OWNER", "ROTATED", "EVERY", "USED BY")
    table = [header]
    for secret in inventory:
        table.append(
            (
                secret.name,
                secret.environment,
                _status_text(secret, today),
                _stored_word(stored.get(secret.label)),
                secret.reference or "-",
                secret.owner or "-",
                f"{secret.last_rotated:%Y-%m-%d}" if secret.last_rotated else "never",
                f"{secret.rotation_days} d" if secret.rotation_days else "-",
                ", ".join(secret.used_by) or "-",
            )
        )
    widths = [max(len(row[column]) for row in table) for column in range(len(header))]
    for row in table:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


@secrets.command("set", context_settings=_EXTRA_ARGS)
@engagement_argument
@click.argument("name")
@_environment_option
@click.option(
    "--reference", default=None, help="Where it lives: op://…, doppler://…, vercel:env/NAME…"
)
@click.option("--owner", default=None, help="Who can rotate it.")
@click.option(
    "--rotation-days", type=click.IntRange(min=1), default=None, help="Rotate every N days."
)
@click.option(
    "--last-rotated",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="When it was last rotated (YYYY-MM-DD), for secrets older than the inventory.",
)
@click.option("--used-by", multiple=True, metavar="X", help="A service that uses it; repeatable.")
@_value_options
@click.pass_context
def set_secret(
    context: click.Context,
    engagement_file: Path,
    name: str,
    environment: str | None,
    reference: str | None,
    owner: str | None,
    rotation_days: int | None,
    last_rotated: dt.datetime | None,
    used_by: tuple[str, ...],
    value_stdin: bool,
    prompt_for_value: bool,
) -> None:
    """Add or update the inventory entry NAME; optionally keep its value in the keyring."""
    from . import vault
    from .engagement import DEFAULT_ENVIRONMENT, EngagementError, Secret

    _refuse_values_in_argv(context)
    wants_value = _wants_value(value_stdin, prompt_for_value)
    inventory = load_engagement(engagement_file).secrets
    same_name = [secret for secret in inventory if secret.name == name]
    if environment is None and len(same_name) > 1:
        places = ", ".join(secret.environment for secret in same_name)
        fail_usage(f"{name} exists in several environments ({places}); pass --env.")
    if environment is None:
        environment = same_name[0].environment if same_name else DEFAULT_ENVIRONMENT
    value = None
    if wants_value:
        _require_vault()
        value = _read_value(Secret(name, environment), value_stdin)
    rotated = last_rotated.date() if last_rotated else None
    with _keyring_restored_on_failure() as keep_value, _editing(engagement_file) as engagement:
        before = next(
            (s for s in engagement.secrets if s.name == name and s.environment == environment),
            None,
        )
        if value is not None and reference is None and not (before and before.reference):
            reference = "keyring:"  # the value will live only in the keyring
        try:
            if before is None:
                secret = engagement.add_secret(
                    Secret(
                        name=name,
                        environment=environment,
                        reference=reference or "",
                        owner=owner or "",
                        last_rotated=rotated,
                        rotation_days=rotation_days,
                        used_by=used_by,
                    )
                )
            else:
                secret = engagement.update_secret(
                    name,
                    environment,
                    **_given(
                        reference=reference,
                        owner=owner,
                        last_rotated=rotated,
                        rotation_days=rotation_days,
                        used_by=used_by or None,
                    ),
                )
        except EngagementError as exc:
            fail_usage(str(exc))
        if value is None:
            if secret == before:
                click.echo(f"Nothing to change for {secret.label}.", err=True)
            else:
                click.echo(
                    f"{'Updated' if before else 'Added'} {secret.label} in {engagement_file}.",
                    err=True,
                )
            return
        _refuse_value_in_fields(value, secret)
        keep_value(engagement, secret, value)
        engagement.log(f"Kept a new value for {secret.label} in the keyring.", stage="handover")
    click.echo(
        f"{'Updated' if before else 'Added'} {secret.label} in {engagement_file}; its value is "
        f"in the keyring ({vault.service_name(engagement.id, secret.environment)}).",
        err=True,
    )


@secrets.command("show")
@engagement_argument
@click.argument("name")
@_environment_option
@click.option(
    "--reveal", is_flag=True, help="Print the stored value, alone on stdout (nothing else)."
)
def show_secret(engagement_file: Path, name: str, environment: str | None, reveal: bool) -> None:
    """Show the entry NAME; its value only with --reveal."""
    from . import vault

    engagement = load_engagement(engagement_file)
    secret = _find(engagement, name, environment)
    if reveal:
        _require_vault()
        try:
            value = vault.reveal(engagement.id, secret.environment, secret.name)
        except (vault.VaultUnavailable, vault.VaultError) as exc:
            fail_usage(str(exc))
        if value is None:
            where = f"; it lives at {secret.reference}" if secret.reference else ""
            fail_usage(f"the keyring holds no value for {secret.label}{where}.")
        sys.stdout.write(value + ("\n" if sys.stdout.isatty() else ""))
        sys.stdout.flush()
        click.echo(f"Revealed the value of {secret.label} from the keyring.", err=True)
        return
    stored = _stored_values(engagement, [secret]).get(secret.label)
    today = dt.date.today()
    service = vault.service_name(engagement.id, secret.environment)
    value_line = {
        True: f"stored in the keyring ({service}); print it with --reveal",
        False: "not kept by launchtui",
        None: "unknown (no usable keyring)",
    }[stored]
    kind = f" ({secret.reference_kind})" if secret.reference else ""
    rotation = "-"
    if secret.rotation_days:
        due = secret.next_rotation
        rotation = f"every {secret.rotation_days} days" + (f", next {due:%Y-%m-%d}" if due else "")
    lines = [
        ("name", secret.name),
        ("environment", secret.environment),
        ("status", _status_text(secret, today)),
        ("reference", f"{secret.reference}{kind}" if secret.reference else "-"),
        ("owner", secret.owner or "-"),
        ("last rotated", f"{secret.last_rotated:%Y-%m-%d}" if secret.last_rotated else "never"),
        ("rotation", rotation),
        ("used by", ", ".join(secret.used_by) or "-"),
        ("value", value_line),
    ]
    if secret.exposed:
        since = f"{secret.exposed_since:%Y-%m-%d %H:%M} UTC" if secret.exposed_since else "?"
        lines.append(("exposed", f"since {since}, fingerprint {secret.exposed_by_fingerprint}"))
    for label, text in lines:
        click.echo(f"{label + ':':<14}{text}")


@secrets.command("rotate", context_settings=_EXTRA_ARGS)
@engagement_argument
@click.argument("name")
@_environment_option
@click.option("--by", "rotated_by", default=None, help="Who rotated it (default: your login name).")
@_value_options
@click.pass_context
def rotate_secret(
    context: click.Context,
    engagement_file: Path,
    name: str,
    environment: str | None,
    rotated_by: str | None,
    value_stdin: bool,
    prompt_for_value: bool,
) -> None:
    """Record that NAME was rotated today (clears exposed); optionally keep the new value."""
    from . import vault
    from .engagement import Actor

    _refuse_values_in_argv(context)
    wants_value = _wants_value(value_stdin, prompt_for_value)
    engagement = load_engagement(engagement_file)
    secret = _find(engagement, name, environment)
    value = None
    if wants_value:
        _require_vault()
        value = _read_value(secret, value_stdin)
        _refuse_value_in_fields(value, secret)
        try:
            old = vault.stored_fingerprint(engagement.id, secret.environment, secret.name)
        except (vault.VaultUnavailable, vault.VaultError) as exc:
            fail_usage(str(exc))
        if old == vault.value_fingerprint(value):
            fail_usage(f"that is the value the keyring already holds for {secret.label}; "
                  "rotating means a new value.")  # fmt: skip
    actor = Actor(rotated_by, "cli") if rotated_by else None
    note = "new value kept in the keyring" if value is not None else ""
    with _keyring_restored_on_failure() as keep_value, _editing(engagement_file, actor) as edited:
        rotated = edited.record_rotation(secret.name, secret.environment, note=note)
        if value is not None:
            keep_value(edited, rotated, value)
    by = edited.actor.who
    click.echo(f"Rotated {rotated.label} on {rotated.last_rotated:%Y-%m-%d} by {by}.", err=True)
    if value is None and _stored_values(edited, [rotated], quiet=True).get(rotated.label):
        click.echo(
            f"The keyring still holds the previous value of {rotated.label}: replace it with "
            f"`launchtui secrets rotate … --value-stdin` or delete it with "
            f"`launchtui secrets forget {engagement_file} {rotated.name}`.",
            err=True,
        )


@secrets.command("forget")
@engagement_argument
@click.argument("name")
@_environment_option
@click.option("--remove", is_flag=True, help="Also remove the entry from the inventory.")
def forget_secret(engagement_file: Path, name: str, environment: str | None, remove: bool) -> None:
    """Delete NAME's value from the keyring (and with --remove, its inventory entry)."""
    from . import vault

    engagement = load_engagement(engagement_file)
    secret = _find(engagement, name, environment)
    _require_vault()
    with _editing(engagement_file) as edited:
        try:
            deleted = vault.forget(edited.id, secret.environment, secret.name)
        except (vault.VaultUnavailable, vault.VaultError) as exc:
            fail_usage(str(exc))
        if deleted:
            edited.log(f"Deleted the keyring value of {secret.label}.", stage="handover")
        if remove:
            edited.remove_secret(secret.name, secret.environment)
    done = "Deleted its keyring value" if deleted else "The keyring held no value for it"
    removed = "; removed it from the inventory" if remove else ""
    click.echo(f"{secret.label}: {done}{removed}.", err=True)


# -- helpers ------------------------------------------------------------------------------


@contextlib.contextmanager
def _editing(path: Path, actor: Actor | None = None) -> Iterator[Engagement]:
    """Load, change and save under the file's lock; any problem is one line and exit 2."""
    from .engagement import Engagement, EngagementError

    try:
        with Engagement.edit(path, actor=actor) as engagement:
            yield engagement
    except EngagementError as exc:
        fail_usage(str(exc))


def _find(engagement: Engagement, name: str, environment: str | None) -> Secret:
    from .engagement import EngagementError

    try:
        return engagement.secret(name, environment)
    except EngagementError as exc:
        message = str(exc)
        if "several environments" in message:
            message = message.replace("say which one", "pass --env")
        fail_usage(message)


def _given(**fields: object) -> dict[str, object]:
    """Only the options the user passed (None means the option was not given)."""
    return {key: value for key, value in fields.items() if value is not None}


def _refuse_values_in_argv(context: click.Context) -> None:
    if context.args:
        fail_usage(f"unexpected extra argument; {_ARGV_VALUE}.")


def _wants_value(value_stdin: bool, prompt_for_value: bool) -> bool:
    if value_stdin and prompt_for_value:
        fail_usage("choose one of --value-stdin and --prompt.")
    return value_stdin or prompt_for_value


def _require_vault() -> None:
    """Fail before reading a value or touching the file when no secure keyring exists."""
    from . import vault

    try:
        vault.usable_backend()
    except vault.VaultUnavailable as exc:
        fail_usage(str(exc))


def _read_value(secret: Secret, from_stdin: bool) -> str:
    """The value, from piped stdin or a no-echo prompt. A terminal on stdin gets the prompt,
    so a value typed after --value-stdin is not echoed either."""
    if from_stdin and not sys.stdin.isatty():
        data = sys.stdin.buffer.read()
        try:
            value = data.decode("utf-8")
        except UnicodeDecodeError:
            fail_usage("the value on stdin is not UTF-8 text; nothing was stored.")
        value = value.removesuffix("\n").removesuffix("\r")
    else:
        value = click.prompt(
            f"Value for {secret.label} (not shown)",
            hide_input=True,
            confirmation_prompt=True,
            err=True,
        )
    if not value:
        fail_usage(f"empty value for {secret.label}; nothing was stored.")
    return value


def _refuse_value_in_fields(value: str, secret: Secret) -> None:
    """A value must never be written to the file, even inside a reference or owner."""
    fields = (secret.name, secret.reference, secret.owner, *secret.used_by)
    if any(value in text for text in fields if text):
        fail_usage(
            f"the value given for {secret.label} also appears in its inventory entry; "
            "nothing was stored. Keep only where it lives in the file."
        )


@contextlib.contextmanager
def _keyring_restored_on_failure() -> Iterator[Callable[[Engagement, Secret, str], None]]:
    """Keep values in the keyring; if the file then cannot be saved, put the keyring back,
    so the inventory and the keyring never disagree."""
    from . import vault

    undo: list[Callable[[], None]] = []

    def keep(engagement: Engagement, secret: Secret, value: str) -> None:
        try:
            previous = vault.reveal(engagement.id, secret.environment, secret.name)
            vault.store(engagement.id, secret.environment, secret.name, value)
        except (vault.VaultUnavailable, vault.VaultError) as exc:
            fail_usage(str(exc))

        def restore() -> None:
            if previous is None:
                vault.forget(engagement.id, secret.environment, secret.name)
            else:
                vault.store(engagement.id, secret.environment, secret.name, previous)

        undo.append(restore)

    try:
        yield keep
    except SystemExit as exit:
        if exit.code:
            for restore in undo:
                try:
                    restore()
                except (vault.VaultUnavailable, vault.VaultError) as exc:
                    click.echo(f"launchtui: could not put the keyring back: {exc}", err=True)
        raise


def _stored_values(
    engagement: Engagement, inventory: list[Secret], *, quiet: bool = False
) -> dict[str, bool | None]:
    """Whether the keyring holds a value for each entry; None for all when it cannot tell."""
    from . import vault

    if not inventory:
        return {}
    try:
        return {
            secret.label: vault.has_value(engagement.id, secret.environment, secret.name)
            for secret in inventory
        }
    except (vault.VaultUnavailable, vault.VaultError) as exc:
        if not quiet:
            click.echo(f"launchtui: cannot tell which values are stored: {exc}", err=True)
        return dict.fromkeys((secret.label for secret in inventory), None)


def _status_text(secret: Secret, today: dt.date) -> str:
    from .engagement import SecretStatus

    status = secret.status(today)
    if status is SecretStatus.EXPOSED and secret.exposed_since:
        return f"exposed since {secret.exposed_since:%Y-%m-%d}"
    if status is SecretStatus.ROTATE_DUE:
        due = secret.next_rotation
        return f"rotate-due since {due:%Y-%m-%d}" if due else "rotate-due (never rotated)"
    return status.value


def _stored_word(stored: bool | None) -> str:
    return {True: "keyring", False: "-", None: "?"}[stored]


def _as_json(secret: Secret, stored: bool | None, today: dt.date) -> dict[str, object]:
    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "name": secret.name,
        "environment": secret.environment,
        "status": secret.status(today).value,
        "value_stored": stored,
        "reference": secret.reference,
        "reference_kind": secret.reference_kind,
        "owner": secret.owner,
        "last_rotated": day(secret.last_rotated),
        "rotation_days": secret.rotation_days,
        "next_rotation": day(secret.next_rotation),
        "used_by": list(secret.used_by),
        "exposed_since": secret.exposed_since.isoformat() if secret.exposed_since else None,
        "exposed_by_fingerprint": secret.exposed_by_fingerprint or None,
    }
