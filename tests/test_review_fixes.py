"""Regressions for bugs a review found: each test is one reported failure."""

import json
import os
import stat

import pytest

from launchtui.checks.http import judge_cookie, judge_cors_on
from launchtui.engagement import Engagement, EngagementError
from launchtui.findings import Status
from launchtui.net.fetch import Fetch, Hop
from launchtui.parsers.cookies import parse_set_cookie
from launchtui.parsers.hsts import parse_hsts

from .conftest import run_launchtui

HOP = Hop("https://good.test/", 200, (), "127.0.0.1", 0.0)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("sessionid=; Max-Age=0; Path=/", None),
        ("sessionid=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT", None),
        ("sessionid=abc; Secure; HttpOnly; SameSite=None", Status.WARN),
        (
            "__Host-session=abc; Secure; HttpOnly; SameSite=Lax; Domain=good.test; Path=/",
            Status.FAIL,
        ),
        ("sessionid=abc; Secure; HttpOnly; SameSite=Lax", Status.PASS),
    ],
)
def test_cookie_verdicts_follow_what_browsers_do(header, expected):
    verdict = judge_cookie(HOP, parse_set_cookie(header))
    assert (verdict.status if verdict else None) is expected


def test_wildcard_cors_with_credentials_warns_because_browsers_refuse_it():
    hop = Hop(
        "https://api.good.test/",
        200,
        (("access-control-allow-origin", "*"), ("access-control-allow-credentials", "true")),
        "",
        0.0,
    )
    finding = judge_cors_on("https://api.good.test/", Fetch("https://api.good.test/", (hop,)))
    assert finding.status is Status.WARN


def test_an_hsts_header_with_junk_directives_is_invalid():
    assert not parse_hsts("max-age=31536000; includeSubDomains; foo bar").valid


def test_canonical_is_only_judged_when_declared(tmp_path):
    made = Engagement.new(tmp_path / "e.toml", apex="good.test")
    made.save()
    assert not Engagement.load(tmp_path / "e.toml").canonical_declared
    declared = Engagement.new(
        tmp_path / "f.toml", apex="good.test", canonical_host="https://www.good.test/"
    )
    assert declared.canonical_host == "www.good.test" and declared.canonical_declared


@pytest.mark.parametrize("canonical", ["other.org", "https://elsewhere.test/"])
def test_a_canonical_host_outside_the_domain_is_refused(tmp_path, canonical):
    result = run_launchtui(
        "init", str(tmp_path / "e.toml"), "--domain", "good.test", "--canonical", canonical
    )
    assert result.returncode == 2 and "not good.test or one of its subdomains" in result.stderr


@pytest.mark.parametrize(
    "args", [["check", "http://[x"], ["init", "x.toml", "--domain", "http://[x"]]
)
def test_a_url_with_a_broken_bracket_is_a_usage_error(tmp_path, args):
    result = run_launchtui(*args, cwd=tmp_path)
    assert result.returncode == 2 and "not a valid URL" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('schema = 1\n[domain]\napex = "good.test"\napex = "good.test"\n', "not valid TOML"),
        ('schema = 1\n[domain]\napex = "good.test"\ncanonical = 5\n', "domain.canonical"),
        ('schema = 1\nrepo = 5\n[domain]\napex = "good.test"\n', "repo: expected text"),
        ('schema = 1\nchanges = "x"\n[domain]\napex = "good.test"\n', "changes: expected"),
        (
            'schema = 1\n[domain]\napex = "good.test"\n[[domain.subdomains]]\nname = "a b"\n',
            r"domain.subdomains\[0\].name",
        ),
    ],
)
def test_hand_edits_that_used_to_crash_are_named(tmp_path, text, message):
    path = tmp_path / "e.toml"
    path.write_text(text)
    with pytest.raises(EngagementError, match=message):
        Engagement.load(path)
    result = run_launchtui("check", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_a_broken_results_row_is_skipped_not_fatal(tmp_path):
    path = tmp_path / "e.toml"
    path.write_text(
        'schema = 1\n[domain]\napex = "good.test"\n[[results.findings]]\n'
        'check = "dns.ttl"\nstatus = "warn"\nseverity = "low"\n'
        'evidence_json = "{"\n'
    )
    assert Engagement.load(path).last_findings() == []


def test_a_bom_from_a_windows_editor_is_fine(tmp_path):
    path = tmp_path / "e.toml"
    path.write_bytes(b'\xef\xbb\xbfschema = 1\n[domain]\napex = "good.test"\n')
    assert Engagement.load(path).apex == "good.test"


def test_saves_keep_the_files_permissions_and_the_backup_is_as_private(tmp_path):
    path = tmp_path / "e.toml"
    Engagement.new(path, apex="good.test").save()
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    path.chmod(0o640)
    engagement = Engagement.load(path)
    engagement.set_notes("dns", "x")
    engagement.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert stat.S_IMODE(path.with_name("e.toml.bak").stat().st_mode) == 0o640


def test_output_over_the_engagement_file_is_refused(tmp_path):
    path = tmp_path / "e.toml"
    Engagement.new(path, apex="good.test").save()
    before = path.read_bytes()
    result = run_launchtui("check", str(path), "--output", str(path), "--format", "json")
    assert result.returncode == 2 and "engagement file itself" in result.stderr
    assert path.read_bytes() == before


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


def test_a_value_pasted_as_a_name_or_used_by_is_refused(tmp_path):
    from launchtui.inventory import Secret, add_secret

    pasted = "sk_" + "live_" + "51H8x2eKq9ZrT4vB7nPw3LmYc0dXaQ"
    engagement = Engagement.new(tmp_path / "e.toml", apex="good.test")
    for secret in (Secret(pasted), Secret("STRIPE_SECRET_KEY", used_by=(pasted,))):
        with pytest.raises(EngagementError, match="looks like a secret value") as error:
            add_secret(engagement, secret)
        assert pasted not in str(error.value)


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
