"""Regressions for bugs a review found: each test is one reported failure."""

import json

import pytest

from launchtui.checks.http import judge_cookie, judge_cors_on
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
