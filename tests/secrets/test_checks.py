"""The four checks against real git repositories built in temporary folders."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from launchtui.audit import audit, runbook_named
from launchtui.checks import all_checks
from launchtui.checks.secrets import (
    BUNDLE_CHECK,
    ENV_FILE_CHECK,
    HISTORY_CHECK,
    TREE_CHECK,
    ScanOptions,
    SkipReason,
    fingerprint,
    scan_check,
    scan_repository,
    sources,
)
from launchtui.context import context_for_repository
from launchtui.findings import Finding, Severity, Status

from ..conftest import default_profile
from .planted import Fakes, commit_all, git, init_repo, plants, shallow_clone, write


async def findings_of(check: str, repo: Path, **options) -> list[Finding]:
    """One secret check's findings over `repo`, through the engine as `scan` runs it."""
    return (await scan_check(check, repo, ScanOptions(**options))).findings


def failures(findings: list[Finding], check: str | None = None) -> list[Finding]:
    return [
        finding
        for finding in findings
        if finding.status is Status.FAIL and (check is None or finding.check == check)
    ]


def rules_of(findings: list[Finding]) -> list[str]:
    return sorted(str(finding.evidence["rule"]) for finding in findings)


def assert_no_secret_leaks(findings: list[Finding], secrets: list[str]) -> None:
    for finding in findings:
        text = str(finding) + json.dumps(finding.to_dict())
        for secret in secrets:
            assert secret not in text, (finding.check, finding.target)
            assert secret[4:16] not in text, (finding.check, finding.target)


@pytest.fixture
def planted_repo(tmp_path: Path) -> Path:
    """A repository with one committed leak per rule."""
    repo = init_repo(tmp_path / "shop")
    for plant in plants():
        write(repo, plant.filename, plant.text)
    write(repo, "README.md", "# Shop\n")
    commit_all(repo, "initial import")
    return repo


async def test_tree_finds_every_planted_rule_with_location_and_redaction(planted_repo):
    findings = await findings_of(TREE_CHECK, planted_repo)
    found = failures(findings, TREE_CHECK)
    assert rules_of(found) == sorted(plant.rule for plant in plants())
    by_target = {finding.target: finding for finding in found}
    stripe = by_target["server/billing.js:1"]
    assert stripe.severity is Severity.CRITICAL and stripe.stage == "security"
    assert stripe.summary.startswith("A live Stripe secret key is in your code:")
    assert set(stripe.evidence) >= {"rule", "fingerprint", "redacted", "line", "path"}
    assert stripe.evidence["redacted"].startswith("sk_l…(107 chars)")
    assert stripe.fix.startswith("Rotate")
    assert_no_secret_leaks(findings, [plant.secret for plant in plants()])


async def test_nothing_found_gives_one_pass_per_check(tmp_path):
    repo = init_repo(tmp_path / "clean")
    write(repo, "app.py", "print('hello')\n")
    write(repo, ".gitignore", ".env\n")
    write(repo, ".env", "DEBUG=1\n")
    commit_all(repo, "clean")
    tree = await findings_of(TREE_CHECK, repo)
    history = await findings_of(HISTORY_CHECK, repo)
    env = await findings_of(ENV_FILE_CHECK, repo)
    assert [finding.status for finding in tree] == [Status.PASS]
    assert [finding.status for finding in history] == [Status.PASS]
    assert [finding.status for finding in env] == [Status.PASS]
    assert "1 commit" in history[0].summary


async def test_secret_deleted_later_is_found_in_history_only_and_attributed(tmp_path):
    repo = init_repo(tmp_path / "app")
    fake = Fakes(41)
    token = "sk" + "_live_" + fake.chars(40)
    write(repo, "README.md", "# app\n")
    commit_all(repo, "start", date="2024-01-01T10:00:00Z")
    write(repo, "config/payments.py", f'STRIPE = "{token}"\n')
    introduced = commit_all(repo, "add payments", date="2024-02-02T10:00:00Z")
    write(repo, "config/payments.py", f'STRIPE = "{token}"\nCURRENCY = "eur"\n')
    commit_all(repo, "add currency", date="2024-03-03T10:00:00Z")
    write(repo, "config/payments.py", 'STRIPE = os.environ["STRIPE"]\n')
    commit_all(repo, "move key to env", date="2024-04-04T10:00:00Z")

    assert failures(await findings_of(TREE_CHECK, repo)) == []
    history = failures(await findings_of(HISTORY_CHECK, repo))
    assert len(history) == 1  # two file versions hold the key: one finding
    finding = history[0]
    assert finding.evidence["commit"] == introduced[:7]
    assert finding.evidence["commit_full"] == introduced
    assert finding.evidence["date"].startswith("2024-02-02")
    assert finding.target == "config/payments.py:1"
    assert "added in commit " + introduced[:7] in finding.summary
    assert "1 other place" in finding.detail
    assert_no_secret_leaks(history, [token])


async def test_history_scans_each_blob_once_across_paths_and_commits(tmp_path):
    repo = init_repo(tmp_path / "app")
    fake = Fakes(43)
    token = "gh" + "p_" + fake.chars(36)
    text = f"GH_TOKEN={token}\n"
    write(repo, "a/deploy.sh", text)
    write(repo, "b/deploy.sh", text)
    first = commit_all(repo, "two copies")
    write(repo, "c/deploy.sh", text)
    commit_all(repo, "a third copy")
    report = await scan_repository(repo, history=True)
    history = failures(report.findings, HISTORY_CHECK)
    tree = failures(report.findings, TREE_CHECK)
    # one blob (same content everywhere), read once; the tree finding carries its history
    assert report.stats.blobs == 1
    assert history == []
    assert len(tree) == 3 and {finding.evidence["commit"] for finding in tree} == {first[:7]}
    alone = failures(await findings_of(HISTORY_CHECK, repo))
    assert len(alone) == 1 and alone[0].evidence["commit"] == first[:7]
    assert alone[0].target in {"a/deploy.sh:1", "b/deploy.sh:1"}


async def test_committed_env_file_versus_example(tmp_path):
    repo = init_repo(tmp_path / "app")
    fake = Fakes(47)
    write(repo, ".env", f"SESSION_SECRET={fake.chars(40)}\n")
    write(repo, ".env.example", "SESSION_SECRET=change-me\n")
    write(repo, "web/.env.production", f"API_TOKEN={fake.chars(40)}\n")
    write(repo, ".env.sample", "X=1\n")
    write(repo, ".env.template", "X=1\n")
    commit_all(repo, "env files")
    write(repo, ".gitignore", ".env\n")  # too late: .env is already tracked
    commit_all(repo, "ignore env")
    findings = await findings_of(ENV_FILE_CHECK, repo)
    found = {finding.target: finding for finding in failures(findings)}
    assert set(found) == {".env", "web/.env.production"}
    root_env = found[".env"]
    assert root_env.severity is Severity.HIGH
    assert "committed" in root_env.summary
    assert "listed in .gitignore" in root_env.detail
    assert "git rm --cached .env" in root_env.fix
    assert root_env.evidence["fingerprint"] == fingerprint("env-file:.env")


async def test_untracked_env_file_not_ignored(tmp_path):
    repo = init_repo(tmp_path / "app")
    write(repo, "app.py", "print(1)\n")
    commit_all(repo, "start")
    write(repo, ".env.local", "SECRET=abc\n")
    findings = failures(await findings_of(ENV_FILE_CHECK, repo))
    assert [finding.target for finding in findings] == [".env.local"]
    assert findings[0].severity is Severity.MEDIUM
    assert "git add ." in findings[0].summary
    write(repo, ".gitignore", ".env*\n!.env.example\n")
    assert failures(await findings_of(ENV_FILE_CHECK, repo)) == []


async def test_env_file_deleted_but_still_in_history(tmp_path):
    repo = init_repo(tmp_path / "app")
    write(repo, ".env", "SECRET=abc\n")
    added = commit_all(repo, "oops")
    git(repo, "rm", "-q", "--cached", ".env")
    write(repo, ".gitignore", ".env\n")
    commit_all(repo, "remove env")
    findings = failures(await findings_of(ENV_FILE_CHECK, repo))
    assert len(findings) == 1
    assert findings[0].evidence["commit"] == added[:7]
    assert "still in your git history" in findings[0].summary


async def test_bundle_secret_key_is_critical_and_publishable_keys_are_fine(tmp_path):
    repo = init_repo(tmp_path / "web")
    write(repo, ".gitignore", "dist/\n.next/\n")
    write(repo, "src/main.ts", "console.log('hi')\n")
    commit_all(repo, "start")
    fake = Fakes(53)
    publishable = "pk" + "_live_" + fake.chars(99)
    firebase = "AI" + "za" + fake.chars(35)
    write(
        repo,
        "dist/assets/index-3f2a.js",
        f'const s="{publishable}";const f={{apiKey:"{firebase}",authDomain:"x.firebaseapp.com"}};',
    )
    assert [finding.status for finding in await findings_of(BUNDLE_CHECK, repo)] == [Status.PASS]
    public = await findings_of(BUNDLE_CHECK, repo)
    assert "meant to be public" in public[0].detail

    secret = "sk" + "_test_" + fake.chars(99)
    live = "sk" + "_live_" + fake.chars(99)
    write(repo, ".next/static/chunks/pages/pay.js", f'fetch("/x",{{headers:{{k:"{live}"}}}})')
    write(repo, ".next/server/pages/api/pay.js", f'const key="{secret}";')  # never shipped
    write(repo, "dist/assets/admin.js", f'var key="{secret}";')
    findings = await findings_of(BUNDLE_CHECK, repo)
    found = {finding.target: finding for finding in failures(findings)}
    assert set(found) == {".next/static/chunks/pages/pay.js:1", "dist/assets/admin.js:1"}
    assert found[".next/static/chunks/pages/pay.js:1"].severity is Severity.CRITICAL
    assert found["dist/assets/admin.js:1"].severity is Severity.HIGH
    assert "every visitor" in found["dist/assets/admin.js:1"].summary
    # git ignores dist/, so the tree check never saw it: only the bundle check reports it
    assert failures(await findings_of(TREE_CHECK, repo)) == []
    assert_no_secret_leaks(findings, [live, secret])


async def test_no_build_output_is_skipped_not_failed(tmp_path):
    repo = init_repo(tmp_path / "api")
    findings = await findings_of(BUNDLE_CHECK, repo)
    assert [finding.status for finding in findings] == [Status.SKIPPED]


async def test_binary_and_oversized_files_are_skipped_with_a_note(tmp_path):
    repo = init_repo(tmp_path / "app")
    fake = Fakes(59)
    token = "gh" + "p_" + fake.chars(36)
    write(repo, "logo.bin", b"\0\1\2 GH_TOKEN=" + token.encode())
    write(repo, "data/dump.sql", f"-- {token}\n" + "x" * 5000)
    write(repo, "app.py", "print(1)\n")
    commit_all(repo, "files")
    report = await scan_repository(repo, size_cap=1000)
    reasons = {item.path: item.reason for item in report.skipped}
    assert reasons["logo.bin"] is SkipReason.BINARY
    assert reasons["data/dump.sql"] is SkipReason.TOO_LARGE
    assert failures(report.findings) == []
    warnings = [
        finding
        for finding in report.findings
        if finding.status is Status.WARN and finding.check == TREE_CHECK
    ]
    assert len(warnings) == 1 and "too large" in warnings[0].summary
    assert "data/dump.sql" in warnings[0].detail
    history_skips = [item for item in report.skipped if item.commit]
    assert [item.path for item in history_skips] == ["data/dump.sql"]


async def test_non_utf8_content_and_file_names(tmp_path):
    repo = init_repo(tmp_path / "app")
    fake = Fakes(61)
    token = "xo" + "xb-" + fake.digits(12) + "-" + fake.digits(12) + "-" + fake.chars(24)
    name = os.fsdecode(b"notes-caf\xe9.txt")
    (repo / name).write_bytes(b"caf\xe9 \xff\xfe\n" + f"SLACK={token}\n".encode())
    commit_all(repo, "latin-1")
    report = await scan_repository(repo)
    found = failures(report.findings)
    assert [finding.target for finding in found] == ["notes-caf\\xe9.txt:2"]
    assert found[0].evidence["commit"]


async def test_symlinks_are_never_followed(tmp_path):
    outside = tmp_path / "outside"
    fake = Fakes(67)
    token = "sk" + "_live_" + fake.chars(40)
    write(outside, "secrets.txt", f"STRIPE={token}\n")
    repo = init_repo(tmp_path / "app")
    write(repo, "app.py", "print(1)\n")
    (repo / "linked.txt").symlink_to(outside / "secrets.txt")
    (repo / "linked-dir").symlink_to(outside, target_is_directory=True)
    commit_all(repo, "symlinks")
    report = await scan_repository(repo)
    assert failures(report.findings) == []
    symlinks = {item.path: item for item in report.skipped if item.reason is SkipReason.SYMLINK}
    assert "outside" in symlinks["linked.txt"].detail
    assert "linked-dir" in symlinks


async def test_shallow_clone_checks_what_is_there_and_says_so(tmp_path):
    origin = init_repo(tmp_path / "origin")
    fake = Fakes(71)
    old = "sk" + "_live_" + fake.chars(40)
    current = "gh" + "p_" + fake.chars(36)
    write(origin, "old.py", f'KEY = "{old}"\n')
    commit_all(origin, "old key")
    (origin / "old.py").unlink()
    commit_all(origin, "drop old key")
    write(origin, "deploy.sh", f"GH_TOKEN={current}\n")
    head = commit_all(origin, "new token")
    clone = shallow_clone(origin, tmp_path / "clone")
    findings = await findings_of(HISTORY_CHECK, clone)
    found = failures(findings)
    assert rules_of(found) == ["github-token"]
    assert found[0].evidence["commit"] == head[:7]
    shallow = [finding for finding in findings if finding.status is Status.WARN]
    assert len(shallow) == 1 and "shallow clone" in shallow[0].summary


async def test_empty_repository(tmp_path):
    repo = init_repo(tmp_path / "empty")
    report = await scan_repository(repo)
    statuses = {finding.check: finding.status for finding in report.findings}
    assert statuses == {
        TREE_CHECK: Status.PASS,
        HISTORY_CHECK: Status.PASS,
        ENV_FILE_CHECK: Status.PASS,
        BUNDLE_CHECK: Status.SKIPPED,
    }
    history = next(finding for finding in report.findings if finding.check == HISTORY_CHECK)
    assert "no commits yet" in history.summary


async def test_folder_that_is_not_a_repository(tmp_path):
    folder = tmp_path / "plain"
    fake = Fakes(73)
    token = "SG" + "." + fake.chars(22) + "." + fake.chars(43)
    write(folder, "mail.py", f'KEY = "{token}"\n')
    write(folder, "node_modules/lib/index.js", f'KEY = "{token}"\n')
    report = await scan_repository(folder)
    found = failures(report.findings)
    assert [finding.target for finding in found] == ["mail.py:1"]
    tree_notes = [
        finding
        for finding in report.findings
        if finding.check == TREE_CHECK and finding.status is Status.SKIPPED
    ]
    assert len(tree_notes) == 1 and "history could not be checked" in tree_notes[0].summary
    history = [finding for finding in report.findings if finding.check == HISTORY_CHECK]
    assert [finding.status for finding in history] == [Status.SKIPPED]
    assert "not a git repository" in history[0].summary


async def test_unreadable_file_is_reported_not_fatal(tmp_path, monkeypatch):
    repo = init_repo(tmp_path / "app")
    write(repo, "app.py", "print(1)\n")
    write(repo, "secrets.yml", "token: abc\n")
    commit_all(repo, "files")
    real_open = os.open

    def refuse(path, flags, *args, **kwargs):  # root reads everything, so simulate EACCES
        if os.fsencode(path).endswith(b"secrets.yml"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(sources.os, "open", refuse)
    findings = await findings_of(TREE_CHECK, repo, ignore_file=tmp_path / "none")
    statuses = [(finding.status, finding.severity) for finding in findings]
    assert statuses == [(Status.PASS, Severity.INFO), (Status.WARN, Severity.LOW)]
    assert "unreadable" in findings[1].summary and "secrets.yml" in findings[1].detail
    assert findings[1].evidence["files"][0]["detail"] == "Permission denied"


async def test_unreadable_file_and_missing_folder_never_raise(tmp_path):
    folder = tmp_path / "app"
    write(folder, "ok.py", "print(1)\n")
    locked = write(folder, "locked.env", "X=1\n")
    locked.chmod(0)
    try:
        report = await scan_repository(folder)
    finally:
        locked.chmod(0o600)
    if os.geteuid() != 0:  # root reads anything; elsewhere the file is reported
        assert any(item.reason is SkipReason.UNREADABLE for item in report.skipped)
    missing = await findings_of(TREE_CHECK, tmp_path / "does-not-exist")
    assert [finding.status for finding in missing] == [Status.ERROR]
    assert "does not exist" in missing[0].summary


async def test_ignore_file_suppresses_by_fingerprint(tmp_path):
    repo = init_repo(tmp_path / "app")
    fake = Fakes(79)
    token = "sk" + "_test_" + fake.chars(40)
    write(repo, "tests/test_pay.py", f'STRIPE = "{token}"\n')
    commit_all(repo, "fixture")
    first = failures(await findings_of(TREE_CHECK, repo))
    assert len(first) == 1 and first[0].is_problem
    accepted = first[0].evidence["fingerprint"]
    write(repo, ".launchtui-ignore", f"# reviewed\n{accepted}  # Stripe test fixture\n")
    again = failures(await findings_of(TREE_CHECK, repo))
    assert again[0].suppressed == "Stripe test fixture" and not again[0].is_problem
    history = failures(await findings_of(HISTORY_CHECK, repo))
    assert history[0].suppressed == "Stripe test fixture"
    elsewhere = tmp_path / "accepted.txt"
    elsewhere.write_text(f"{accepted}\n")
    (repo / ".launchtui-ignore").unlink()
    custom = failures(await findings_of(TREE_CHECK, repo, ignore_file=elsewhere))
    assert custom[0].suppressed


async def test_full_scan_never_holds_a_planted_value(planted_repo):
    fake = Fakes(83)
    bundle_secret = "sk" + "_live_" + fake.chars(60)
    write(planted_repo, ".gitignore", "dist/\n")
    write(planted_repo, "dist/app.js", f'var k="{bundle_secret}";')
    (planted_repo / "server" / "billing.js").unlink()
    commit_all(planted_repo, "remove billing")
    report = await scan_repository(planted_repo)
    secrets = [plant.secret for plant in plants()] + [bundle_secret]
    assert_no_secret_leaks(report.findings, secrets)
    checks = {finding.check for finding in failures(report.findings)}
    assert checks == {TREE_CHECK, HISTORY_CHECK, BUNDLE_CHECK, ENV_FILE_CHECK}  # aws.env...
    # billing.js is gone from the tree, so its key is now reported from history
    history_rules = rules_of(failures(report.findings, HISTORY_CHECK))
    assert history_rules == ["stripe-secret-key"]
    assert report.stats.files > 0 and report.stats.blobs > 0 and report.stats.bytes_scanned > 0


async def test_the_registered_checks_read_the_context_repo(planted_repo):
    specs = all_checks()
    context = context_for_repository(planted_repo, default_profile())
    findings = await specs[TREE_CHECK].run(context)
    assert failures(findings)
    context.repo = None
    skipped = await specs[HISTORY_CHECK].run(context)
    assert [finding.status for finding in skipped] == [Status.SKIPPED]


async def test_check_and_scan_report_one_repository_the_same_way(tmp_path):
    repo = init_repo(tmp_path / "app")
    write(repo, "deploy.sh", f"GH_TOKEN={'gh' + 'p_' + Fakes(44).chars(36)}\n")
    commit_all(repo, "deploy script")
    scanned = await scan_repository(repo)
    specs = [
        all_checks()[check] for check in (TREE_CHECK, HISTORY_CHECK, ENV_FILE_CHECK, BUNDLE_CHECK)
    ]
    context = context_for_repository(repo, default_profile())
    checked = await audit(context, specs, runbook_named("launch-ready"), [], None, ["security"])
    assert [finding.to_dict() for finding in checked.findings] == [
        finding.to_dict() for finding in scanned.findings
    ]
    # the key in the code is also in history: one finding, which says since when
    [leak] = failures(checked.findings)
    assert leak.check == TREE_CHECK and "in git history since commit" in leak.detail


async def test_cancelling_a_scan_stops_it(planted_repo):
    task = asyncio.create_task(scan_repository(planted_repo))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_worker_processes_find_exactly_what_one_process_finds(planted_repo):
    one = ScanOptions(workers=1)
    many = ScanOptions(workers=2, parallel_threshold=0)
    for check in (TREE_CHECK, HISTORY_CHECK):
        alone = await scan_check(check, planted_repo, one)
        pooled = await scan_check(check, planted_repo, many)
        assert [finding.to_dict() for finding in pooled.findings] == [
            finding.to_dict() for finding in alone.findings
        ]
        assert not pooled.notes  # the pool started and finished without falling back


async def test_missing_git_is_an_error_for_history_and_a_plain_walk_for_the_tree(
    tmp_path, monkeypatch
):
    repo = init_repo(tmp_path / "app")
    fake = Fakes(89)
    write(repo, "mail.py", f'KEY = "{"SG" + "." + fake.chars(22) + "." + fake.chars(43)}"\n')
    monkeypatch.setenv("PATH", str(tmp_path / "no-binaries-here"))
    history = await findings_of(HISTORY_CHECK, repo)
    assert [finding.status for finding in history] == [Status.ERROR]
    assert "git is not installed" in history[0].summary
    tree = await findings_of(TREE_CHECK, repo)
    assert rules_of(failures(tree)) == ["sendgrid-api-key"]


async def test_folder_ignored_by_the_enclosing_repository_is_read_as_a_folder(tmp_path):
    repo = init_repo(tmp_path / "app")
    write(repo, ".gitignore", "vendor/\n")
    commit_all(repo, "ignore vendor")
    fake = Fakes(97)
    write(repo, "vendor/lib/config.py", f'KEY = "{"gh" + "p_" + fake.chars(36)}"\n')
    findings = await findings_of(TREE_CHECK, repo / "vendor")
    assert [finding.target for finding in failures(findings)] == ["lib/config.py:1"]


async def test_bare_repository_has_history_and_committed_env_files_but_no_tree(tmp_path):
    origin = init_repo(tmp_path / "origin")
    fake = Fakes(101)
    write(origin, ".env", f"SESSION_SECRET={fake.chars(40)}\n")
    commit_all(origin, "env")
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(origin), str(bare))
    report = await scan_repository(bare)
    by_check = {}
    for finding in report.findings:
        by_check.setdefault(finding.check, []).append(finding.status)
    assert by_check[TREE_CHECK] == [Status.SKIPPED]
    assert by_check[HISTORY_CHECK] == [Status.FAIL]
    assert by_check[ENV_FILE_CHECK] == [Status.FAIL]
