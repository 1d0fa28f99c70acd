"""The `launchtui` command: no subcommand opens the TUI; subcommands run headless.

Results go to stdout and diagnostics to stderr, so `launchtui check … > out.json`
stays parseable. Exit codes are a contract with CI scripts (see `ExitCode`).
"""

from __future__ import annotations

import asyncio
import importlib
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import __version__
from .cli_common import (
    FAIL_ON_OPTION,
    OUTPUT_OPTION,
    ExitCode,
    FiniteFloatRange,
    checked_output,
    emit,
    fail_usage,
    format_option,
    load_engagement,
)
from .export import formats_for
from .findings import Severity

if TYPE_CHECKING:
    from .engagement import Engagement, Route, RunRecord
    from .engine import Progress, ProgressCallback
    from .findings import Finding
    from .runbook import Profile


# Subcommands kept in their own modules, imported only when named (or listed by --help),
# so opening the app or running `check` does not pay for the others.
_LAZY_COMMANDS = {
    "secrets": "cli_secrets:secrets",
    "log": "cli_history:log",
    "history": "cli_history:history",
    "operator": "cli_history:operator",
    "export": "cli_export:export",
    "runbook": "cli_runbooks:runbook",
    "smoke": "cli_runbooks:smoke",
    "redirects": "cli_runbooks:redirects",
    "ci": "cli_runbooks:ci",
}


class CommandOrFile(click.Group):
    """`launchtui FILE` opens FILE, as `harlequin my.db` does; a command's name wins."""

    def parse_args(self, context: click.Context, args: list[str]) -> list[str]:
        named = args and (args[0] in self.commands or args[0] in _LAZY_COMMANDS)
        if args and not named and _names_a_file(args[0]):
            args = ["open", *args]
        return super().parse_args(context, args)

    def list_commands(self, context: click.Context) -> list[str]:
        return sorted({*self.commands, *_LAZY_COMMANDS})

    def get_command(self, context: click.Context, name: str) -> click.Command | None:
        if name in _LAZY_COMMANDS and name not in self.commands:
            module, attribute = _LAZY_COMMANDS[name].split(":")
            command = getattr(importlib.import_module(f".{module}", __package__), attribute)
            self.add_command(command, name)
        return super().get_command(context, name)


def _names_a_file(text: str) -> bool:
    """A path, not a mistyped command: it exists, has a folder in it, or ends in .toml."""
    if text.startswith("-"):
        return False
    return "/" in text or text.endswith(".toml") or Path(text).exists()


@click.group(
    cls=CommandOrFile,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="launchtui")
@click.pass_context
def main(context: click.Context) -> None:
    """Get a small web product launch-ready: run with no command to open the app, or
    `launchtui FILE` to open an engagement."""
    if context.invoked_subcommand is None:
        from .ui.app import make_app, run_app

        run_app(make_app())


@main.command("open")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def open_engagement(file: Path) -> None:
    """Open an engagement file in the app."""
    from .engagement import Engagement, EngagementError

    try:
        Engagement.load(file)
    except EngagementError as exc:
        fail_usage(str(exc))
    from .ui.app import make_app, run_app

    run_app(make_app(file))


@main.command()
@click.option(
    "--fresh",
    is_flag=True,
    help="Start a new demo engagement; the earlier one is kept beside it under a dated name.",
)
def demo(fresh: bool) -> None:
    """Open a ready-made engagement against a local lab with planted problems (your
    earlier demo engagement, with its notes, when there is one)."""
    from .demo import start_demo_lab, write_demo_engagement
    from .lab import LabError

    try:
        lab = start_demo_lab()
    except LabError as exc:
        fail_usage(f"the demo needs its local lab: {exc}")
    import signal

    for hangup in (signal.SIGHUP, signal.SIGTERM):  # a closed terminal still stops the lab
        signal.signal(hangup, lambda *_: sys.exit(0))
    try:
        from .ui.app import make_app, run_app

        run_app(make_app(write_demo_engagement(lab, fresh=fresh)))
    finally:
        lab.stop()


@main.command()
def profiles() -> None:
    """List the product profiles and their targets."""
    from .runbook import RunbookError, default_profile_id, load_profiles

    try:
        known, default = load_profiles(), default_profile_id()
    except RunbookError as exc:
        fail_usage(str(exc))
    for profile in known.values():
        marker = " (default)" if profile.id == default else ""
        budgets = profile.budgets
        write = f", writes {budgets.api_write} ms" if budgets.api_write else ""
        click.echo(
            f"{profile.id:<26} {profile.title}{marker}\n"
            f"{'':<26} p95 page {budgets.page} ms, api {budgets.api} ms{write}, "
            f"auth {budgets.auth} ms; errors < {profile.error_rate_limit_pct:g} %"
        )


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--domain", required=True, help="The product's apex domain, e.g. example.com.")
@click.option(
    "--subdomain",
    "subdomains",
    multiple=True,
    metavar="NAME[=ROLE]",
    help="A subdomain to check (app, api=api, auth…); repeatable.",
)
@click.option(
    "--route",
    "routes",
    multiple=True,
    metavar="NAME=URL[,kind=KIND][,budget=MS]",
    help="A key route; its kind is inferred from the URL path and name (/login → auth) "
    "unless given; its p95 budget comes from the profile unless given; repeatable.",
)
@click.option(
    "--profile", "profile_id", default=None, help="Profile id (see `launchtui profiles`)."
)
@click.option("--product", default="", help="Product name shown in reports.")
@click.option("--canonical", default="", help="The host visitors should end up on.")
@click.option("--repo", default="", help="Path to the product's git repository.")
@click.option("--force", is_flag=True, help="Overwrite an existing file (a .bak is kept).")
def init(
    file: Path,
    domain: str,
    subdomains: tuple[str, ...],
    routes: tuple[str, ...],
    profile_id: str | None,
    product: str,
    canonical: str,
    repo: str,
    force: bool,
) -> None:
    """Create an engagement file non-interactively."""
    from .domains import DomainError
    from .engagement import Engagement, EngagementError
    from .runbook import RunbookError, default_profile_id, load_profiles

    if _mode_of(file) is not None and not force:
        fail_usage(f"{file} already exists; pass --force to replace it (a .bak is kept).")
    try:
        known = load_profiles()
        profile_id = profile_id or default_profile_id()
    except RunbookError as exc:
        fail_usage(str(exc))
    if profile_id not in known:
        fail_usage(f"unknown profile {profile_id!r}; choose one of: {', '.join(known)}")
    profile = known[profile_id]
    try:
        engagement = Engagement.new(
            file,
            apex=domain,
            product=product,
            profile=profile_id,
            canonical_host=canonical,
            repo=repo,
        )
        for entry in subdomains:
            name, _, role = entry.partition("=")
            engagement.add_subdomain(name, role)
        for entry in routes:
            engagement.add_route(_route_option(entry, profile))
        engagement.save()
    except (DomainError, EngagementError) as exc:
        fail_usage(str(exc))
    except OSError as exc:
        fail_usage(f"cannot write {file}: {exc.strerror}")
    click.echo(f"Created {file} for {engagement.apex} (profile {profile_id}).", err=True)


def _route_option(entry: str, profile: Profile) -> Route:
    """`NAME=URL[,kind=KIND][,budget=MS]` as a route; a bad one is a usage error."""
    from .engagement import Route, infer_route_kind
    from .runbook import ROUTE_KINDS

    example = "login=https://app.example.com/login,kind=auth,budget=700"
    name, sep, rest = entry.partition("=")
    url, *options = rest.split(",") if sep else [""]
    name, url = name.strip(), url.strip()
    if not name or not url:
        fail_usage(f"--route: write it as NAME=URL[,kind=KIND][,budget=MS], e.g. {example}")
    settings = {}
    for option in options:
        key, equals, value = option.partition("=")
        if not equals or key.strip() not in ("kind", "budget"):
            fail_usage(f"--route {name}: options are kind=KIND and budget=MS, e.g. {example}")
        settings[key.strip()] = value.strip()
    kind = settings.get("kind") or infer_route_kind(name, url)
    if kind not in ROUTE_KINDS:
        fail_usage(f"--route {name}: kind is one of {', '.join(ROUTE_KINDS)}")
    budget_text = settings.get("budget", "")
    if budget_text and (not budget_text.isdigit() or not 0 < int(budget_text) <= 600_000):
        fail_usage(f"--route {name}: budget is a whole number of milliseconds, e.g. 700")
    budget = int(budget_text) if budget_text else profile.budget_ms(kind)
    return Route(name, url, "GET", kind, budget)


@main.command()
@click.argument("target")
@click.option("--stage", "stages", multiple=True, metavar="ID", help="Only this stage; repeatable.")
@format_option(*formats_for())
@OUTPUT_OPTION
@click.option(
    "--nameserver",
    "nameservers",
    multiple=True,
    metavar="IP[:PORT]",
    help="DNS server to ask instead of the system resolver; repeatable.",
)
@click.option(
    "--ca-bundle",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Extra CA certificates (PEM) trusted by every TLS connection.",
)
@click.option(
    "--timeout",
    type=FiniteFloatRange(0.1, 600),
    default=10.0,
    show_default=True,
    help="Seconds per network operation.",
)
@FAIL_ON_OPTION
@click.option(
    "--no-active-probes",
    is_flag=True,
    help="Skip checks that send repeated requests (latency, rate limits).",
)
@click.option(
    "--verbose", is_flag=True, help="Text report: list every pass and each problem's evidence."
)
@click.option(
    "--no-record",
    is_flag=True,
    help="Do not file this run in the engagement's history (e.g. CI on a read-only checkout).",
)
def check(
    target: str,
    stages: tuple[str, ...],
    output_format: str,
    output: str | None,
    nameservers: tuple[str, ...],
    ca_bundle: Path | None,
    timeout: float,
    fail_on: str,
    no_active_probes: bool,
    verbose: bool,
    no_record: bool,
) -> None:
    """Check TARGET (an engagement file or a bare domain) and report findings.

    With an engagement file, the run is filed in its history (see `launchtui history`)."""
    from .audit import CheckRequest, CheckRequestError, run_check_request

    request = CheckRequest(
        target=target,
        stages=list(stages),
        nameservers=list(nameservers),
        ca_bundle=ca_bundle,
        timeout=timeout,
        active_probes=not no_active_probes,
    )
    destination = checked_output(output)
    if destination.overwrites(Path(target)):
        fail_usage(f"--output {output} is the engagement file itself; pick another file.")
    try:
        outcome = asyncio.run(run_check_request(request, progress=_stderr_progress()))
    except CheckRequestError as exc:
        fail_usage(str(exc))
    report = outcome.report
    for note in request.notes:
        click.echo(f"launchtui: note: {note}", err=True)
    if outcome.engagement is not None and not no_record:
        _file_the_run(outcome.engagement, outcome.record)
    from .export import render

    color = destination.to_stdout and output_format == "text" and sys.stdout.isatty()
    artifact = target if target.lower().endswith(".toml") else None
    text = render(
        report, output_format, color=color, width=_width(), artifact=artifact, verbose=verbose
    )
    emit(text, destination)
    threshold = Severity(fail_on)
    failed = any(finding.fails_at(threshold) for finding in report.findings)
    sys.exit(ExitCode.FINDINGS if failed else ExitCode.OK)


def _file_the_run(engagement: Engagement, record: RunRecord) -> None:
    """Keep the run in the engagement's history; failing to is a note, not a failed check."""
    from .engagement import EngagementError

    try:
        engagement.record_run(record)
        saved = engagement.save()
    except EngagementError as exc:
        click.echo(
            f"launchtui: note: the run was not filed in the history ({exc}); "
            "pass --no-record to skip filing.",
            err=True,
        )
        return
    for conflict in saved.conflicts:
        click.echo(f"launchtui: note: not saved, changed meanwhile: {conflict}", err=True)


@main.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--history/--no-history",
    default=False,
    help="Also scan every commit reachable from any ref (each blob once).",
)
@format_option(*formats_for(scans=True))
@OUTPUT_OPTION
@click.option(
    "--ignore-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Accepted fingerprints (default: .launchtui-ignore at the top of the git "
    "repository, or of PATH when it is not a repository).",
)
@FAIL_ON_OPTION
@click.option(
    "--max-file-size",
    type=FiniteFloatRange(0.1, 1024),
    default=2.0,
    show_default=True,
    metavar="MIB",
    help="Files larger than this are listed as skipped, not scanned.",
)
@click.option(
    "--engagement",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Mark matching secrets in this engagement's inventory as exposed.",
)
def scan(
    path: Path,
    history: bool,
    output_format: str,
    output: str | None,
    ignore_file: Path | None,
    fail_on: str,
    engagement: Path | None,
    max_file_size: float,
) -> None:
    """Find leaked secrets in PATH (working tree, build output, and with --history every
    commit). Findings show a redacted prefix, the length and a fingerprint, never a value."""
    if not _is_folder(path):
        fail_usage(f"{path} is not a folder.")
    if ignore_file is not None:
        _require_ignore_file(ignore_file)
    destination = checked_output(output)
    inventory_owner = load_engagement(engagement) if engagement else None
    import datetime as dt

    from .checks.secrets import scan_repository

    started = dt.datetime.now(dt.UTC)
    scanned = asyncio.run(
        scan_repository(
            path, history=history, ignore_file=ignore_file, size_cap=int(max_file_size * 2**20)
        )
    )
    finished = dt.datetime.now(dt.UTC)
    for note in scanned.notes:
        click.echo(f"launchtui: note: {note}", err=True)
    stats = scanned.stats
    click.echo(
        f"launchtui: scanned {stats.files} files, {stats.blobs} blobs, "
        f"{stats.bytes_scanned / 2**20:.1f} MiB in {stats.seconds:.2f} s; "
        f"{len(scanned.skipped)} skipped",
        err=True,
    )
    from .export import Report, render

    report = Report(
        str(path), started, finished, scanned.findings, {"security": "Secrets in code and history"}
    )
    emit(render(report, output_format, width=_width()), destination)
    if inventory_owner is not None:
        _mark_exposed(inventory_owner, scanned.findings)
    failed = any(f.fails_at(Severity(fail_on)) for f in scanned.findings)
    sys.exit(ExitCode.FINDINGS if failed else ExitCode.OK)


def _mark_exposed(engagement: Engagement, findings: list[Finding]) -> None:
    """Flag leaked inventory entries, re-reading the file under its lock (the scan took a
    while, and someone may have edited it meanwhile)."""
    from .engagement import Engagement, EngagementError
    from .inventory import mark_exposed

    try:
        with Engagement.edit(engagement.path) as current:
            marked = mark_exposed(current, findings).marked
    except EngagementError as exc:
        fail_usage(str(exc))
    if marked:
        names = ", ".join(secret.label for secret in marked)
        click.echo(f"launchtui: marked exposed in {engagement.path}: {names}", err=True)


def _mode_of(path: Path) -> int | None:
    """What `path` is (its st_mode), or None when there is nothing the system can find
    there; unlike Path.exists(), a name over 255 bytes is not an exception."""
    try:
        return os.stat(path).st_mode
    except (OSError, ValueError):
        return None


def _is_folder(path: Path) -> bool:
    mode = _mode_of(path)
    return mode is not None and stat.S_ISDIR(mode)


def _require_ignore_file(path: Path) -> None:
    """An ignore file the user named must be there: a typo would silently accept nothing,
    and a pipe or device would hang the scan."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        fail_usage(f"--ignore-file {path}: {exc.strerror or exc}.")
    if not stat.S_ISREG(mode):
        fail_usage(f"--ignore-file {path}: not a regular file.")
    if not os.access(path, os.R_OK):
        fail_usage(f"--ignore-file {path}: permission denied.")


def _width() -> int:
    try:
        return max(80, min(os.get_terminal_size(sys.stdout.fileno()).columns, 160))
    except OSError:
        return 100


def _stderr_progress() -> ProgressCallback | None:
    """A one-line live counter on stderr when it is a terminal; silent otherwise."""
    if not sys.stderr.isatty():
        return None

    def show(progress: Progress) -> None:
        if progress.finished:
            end = "\n" if progress.done == progress.total else ""
            click.echo(
                f"\r\033[2K  {progress.done}/{progress.total} checks done ({progress.check})",
                err=True,
                nl=False,
            )
            click.echo(end, err=True, nl=False)

    return show
