"""`launchtui scan` as CI runs it: exit codes, SARIF GitHub accepts, never a value, and
exposure marked in the engagement's inventory."""

import json

from launchtui.engagement import Engagement, Secret

from .conftest import run_launchtui
from .secrets.planted import Fakes, commit_all, init_repo, write


def leaky_repo(tmp_path):
    """A repo whose history once held a live Stripe key, since deleted from the tree."""
    repo = init_repo(tmp_path / "repo")
    key = "sk_" + "live_" + Fakes(7).chars(99)
    write(repo, "app/config.py", f'STRIPE_SECRET_KEY = "{key}"\n')
    commit_all(repo, "add payments")
    write(repo, "app/config.py", 'import os\nSTRIPE_SECRET_KEY = os.environ["STRIPE_SECRET_KEY"]\n')
    commit_all(repo, "read the key from the environment")
    return repo, key


def test_history_scan_finds_a_deleted_key_and_fails_ci(tmp_path):
    repo, key = leaky_repo(tmp_path)
    tree_only = run_launchtui("scan", str(repo), "--format", "json")
    assert tree_only.returncode == 0, tree_only.stdout
    result = run_launchtui("scan", str(repo), "--history", "--format", "json")
    assert result.returncode == 1
    [finding] = [f for f in json.loads(result.stdout)["findings"] if f["status"] == "fail"]
    assert finding["check"] == "secrets.history"
    assert finding["target"] == "app/config.py:1"
    for stream in (result.stdout, result.stderr, tree_only.stdout, tree_only.stderr):
        assert key not in stream and key[8:40] not in stream


def test_sarif_points_at_the_file_and_line_with_a_stable_rule(tmp_path):
    repo, key = leaky_repo(tmp_path)
    out = tmp_path / "scan.sarif"
    result = run_launchtui(
        "scan", str(repo), "--history", "--format", "sarif", "--output", str(out)
    )
    assert result.returncode == 1
    sarif = json.loads(out.read_text())
    [result_] = sarif["runs"][0]["results"]
    assert result_["ruleId"] == "secrets.history/stripe-secret-key"
    location = result_["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "app/config.py"}, "region": {"startLine": 1}}
    assert key not in out.read_text()


def test_an_accepted_fingerprint_passes_ci(tmp_path):
    repo, _ = leaky_repo(tmp_path)
    report = json.loads(run_launchtui("scan", str(repo), "--history", "--format", "json").stdout)
    [leak] = [f for f in report["findings"] if f["status"] == "fail"]
    fingerprint = leak["evidence"]["fingerprint"]
    (repo / ".launchtui-ignore").write_text(f"{fingerprint}  # rotated on 2026-11-20\n")
    result = run_launchtui("scan", str(repo), "--history")
    assert result.returncode == 0
    assert "accepted" in result.stdout


def test_a_leak_marks_the_inventory_entry_exposed(tmp_path):
    repo, _ = leaky_repo(tmp_path)
    path = tmp_path / "acme.toml"
    engagement = Engagement.new(path, apex="acme.test")
    engagement.add_secret(Secret("STRIPE_SECRET_KEY", reference="op://Ops/Stripe/key"))
    engagement.save()
    result = run_launchtui("scan", str(repo), "--history", "--engagement", str(path))
    assert "marked exposed" in result.stderr
    [secret] = Engagement.load(path).secrets
    assert secret.exposed


def test_a_folder_that_is_not_a_repo_is_scanned_as_files_and_said_plainly(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "settings.env").write_text(
        "SENDGRID_API_KEY=SG." + Fakes(3).chars(22) + "." + Fakes(4).chars(43) + "\n"
    )
    result = run_launchtui("scan", str(folder), "--history", "--format", "json")
    assert result.returncode == 1
    assert "not a git repository" in (result.stderr + result.stdout).lower()


def test_a_missing_folder_is_a_usage_error():
    result = run_launchtui("scan", "/nonexistent/repo")
    assert result.returncode == 2 and "is not a folder" in result.stderr


def test_an_ignore_file_saved_with_a_bom_still_works(tmp_path):
    from .secrets.planted import Fakes, commit_all, init_repo, write

    repo = init_repo(tmp_path / "repo")
    write(repo, "app.py", f'STRIPE = "{"sk_" + "live_" + Fakes(5).chars(99)}"\n')
    commit_all(repo, "leak")
    report = json.loads(run_launchtui("scan", str(repo), "--format", "json").stdout)
    [leak] = [f for f in report["findings"] if f["status"] == "fail"]
    (repo / ".launchtui-ignore").write_bytes(
        b"\xef\xbb\xbf" + leak["evidence"]["fingerprint"].encode() + b"  # rotated\n"
    )
    assert run_launchtui("scan", str(repo)).returncode == 0


def test_a_file_over_the_chosen_size_is_skipped_and_a_bigger_cap_scans_it(tmp_path):
    from .secrets.planted import Fakes

    folder = tmp_path / "plain"
    folder.mkdir()
    key = "sk_" + "live_" + Fakes(6).chars(99)
    (folder / "big.py").write_text("# padding\n" * 300_000 + f'KEY = "{key}"\n')
    assert run_launchtui("scan", str(folder)).returncode == 0  # 3 MB: skipped by default
    assert run_launchtui("scan", str(folder), "--max-file-size", "5").returncode == 1
