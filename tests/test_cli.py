"""The command line as users' scripts see it: stdout, stderr and exit codes."""

import json

import pytest

from launchtui.engagement import Engagement

from .conftest import REPO, run_launchtui


def check(lab, *args: str):
    return run_launchtui(
        "check", *args, "--nameserver", lab.nameserver, "--ca-bundle", str(lab.ca_bundle)
    )


def test_json_lists_real_findings_and_exits_1_on_planted_faults(lab):
    result = check(lab, "bad.test", "--format", "json", "--stage", "dns")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert set(report) >= {"tool", "target", "started", "finished", "findings"}
    assert report["tool"]["name"] == "launchtui"
    assert report["target"] == "bad.test"
    failed = {(f["check"], f["target"]) for f in report["findings"] if f["status"] == "fail"}
    assert ("dns.dangling-cname", "api.bad.test") in failed
    assert ("dns.resolves", "www.bad.test") in failed
    for finding in report["findings"]:
        assert set(finding) >= {"check", "stage", "target", "status", "severity", "summary"}


def test_a_finding_is_filed_under_the_runbook_stage_that_ran_its_check(lab):
    # dns.mx and tls.expiry are listed under monitoring as well as under dns and security
    result = check(lab, "good.test", "--format", "json", "--stage", "monitoring")
    filed = {(f["check"], f["stage"]) for f in json.loads(result.stdout)["findings"]}
    assert {("dns.mx", "monitoring"), ("tls.expiry", "monitoring")} <= filed
    assert {stage for _check, stage in filed} == {"monitoring"}


def test_a_clean_domain_exits_0_with_only_passes(lab):
    result = check(lab, "good.test", "--format", "json", "--stage", "dns")
    assert result.returncode == 0, result.stdout
    statuses = {f["status"] for f in json.loads(result.stdout)["findings"]}
    assert statuses == {"pass"}


def test_fail_on_critical_ignores_high_failures(lab):
    result = check(lab, "solo.test", "--stage", "dns", "--fail-on", "critical")
    assert result.returncode == 0
    assert check(lab, "solo.test", "--stage", "dns").returncode == 1


def test_text_output_groups_by_stage_and_ranks_risks(lab):
    result = check(lab, "bad.test", "--stage", "dns")
    assert "DNS and domain control" in result.stdout
    assert "Blockers: fix before launch" in result.stdout
    assert result.stdout.index("Blockers") < result.stdout.index("Optional")
    assert result.stderr == ""


def test_markdown_report_is_rendered_from_the_template(lab):
    result = check(lab, "bad.test", "--stage", "dns", "--format", "markdown")
    assert result.stdout.startswith("# Launch readiness: bad.test")
    assert "| fail | `dns.dangling-cname` | api.bad.test |" in result.stdout


def test_output_file_receives_the_report(lab, tmp_path):
    out = tmp_path / "report.json"
    result = check(lab, "good.test", "--stage", "dns", "--format", "json", "--output", str(out))
    assert result.stdout == ""
    assert json.loads(out.read_text())["target"] == "good.test"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["not a domain"], "contains a space"),
        (["good.test", "--stage", "dnss"], 'did you mean "dns"'),
        (["missing.toml"], "missing.toml: no such file"),
        (["good.test", "--nameserver", "dns.google"], "--nameserver"),
        (["good.test", "--output", "/nonexistent/dir/out.json"], "does not exist"),
        (["good.test", "--ca-bundle", "/nonexistent.pem"], "--ca-bundle"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(args, message):
    result = run_launchtui("check", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_corrupt_engagement_is_reported_and_left_untouched(tmp_path):
    path = tmp_path / "acme.toml"
    path.write_bytes(b'schema = 1\n[domain]\napex = "acme.test\n')
    before = path.read_bytes()
    result = run_launchtui("check", str(path))
    assert result.returncode == 2
    assert f"{path}:3:" in result.stderr
    assert path.read_bytes() == before


def test_init_writes_an_engagement_that_check_can_run(lab, tmp_path):
    path = tmp_path / "bad.toml"
    created = run_launchtui(
        "init",
        str(path),
        "--domain",
        "https://bad.test/",
        "--subdomain",
        "app",
        "--subdomain",
        "api=api",
        "--route",
        "login=https://bad.test/login",
        "--route",
        "home=https://bad.test/",
        "--profile",
        "marketplace-launch",
    )
    assert created.returncode == 0, created.stderr
    engagement = Engagement.load(path)
    assert [(r.name, r.kind, r.budget_ms) for r in engagement.routes] == [
        ("login", "auth", 700),
        ("home", "page", 1500),
    ]
    assert [(s.name, s.role) for s in engagement.subdomains] == [
        ("app.bad.test", "app"),
        ("api.bad.test", "api"),
    ]
    result = check(lab, str(path), "--stage", "dns", "--format", "json")
    targets = {f["target"] for f in json.loads(result.stdout)["findings"]}
    assert {"app.bad.test", "api.bad.test", "www.bad.test"} <= targets


def test_init_refuses_to_overwrite_without_force(tmp_path):
    path = tmp_path / "x.toml"
    assert run_launchtui("init", str(path), "--domain", "x.test").returncode == 0
    again = run_launchtui("init", str(path), "--domain", "x.test")
    assert again.returncode == 2 and "already exists" in again.stderr
    replaced = run_launchtui("init", str(path), "--domain", "x.test", "--product", "X", "--force")
    assert replaced.returncode == 0
    assert path.with_name("x.toml.bak").exists()


def test_suppressions_in_the_engagement_mark_findings_accepted_and_pass_ci(lab, tmp_path):
    path = tmp_path / "solo.toml"
    run_launchtui("init", str(path), "--domain", "solo.test")
    engagement = Engagement.load(path)
    from launchtui.engagement import Suppression

    engagement.add_suppression(Suppression("dns.mx", "*", "mail is handled on another domain"))
    engagement.save()
    result = check(lab, str(path), "--stage", "dns", "--format", "json")
    mx = [f for f in json.loads(result.stdout)["findings"] if f["check"] == "dns.mx"]
    assert mx and all(f["suppressed"] == "mail is handled on another domain" for f in mx)
    assert result.returncode == 0, result.stdout


def test_profiles_are_listed_with_their_budgets():
    result = run_launchtui("profiles")
    assert result.returncode == 0
    assert "marketplace-launch" in result.stdout
    assert "api 500 ms" in result.stdout


def test_a_typo_in_a_users_runbook_is_named_before_anything_runs(tmp_path):
    folder = tmp_path / "runbooks"
    folder.mkdir()
    shipped = (REPO / "runbooks" / "launch-ready.toml").read_text()
    (folder / "launch-ready.toml").write_text(shipped.replace('"dns.ttl"', '"dns.tll"', 1))
    result = run_launchtui("check", "good.test", env={"LAUNCHTUI_RUNBOOKS_PATH": str(folder)})
    assert result.returncode == 2
    assert 'unknown check id "dns.tll"' in result.stderr
    assert 'did you mean "dns.ttl"' in result.stderr


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


def test_output_over_the_engagement_file_is_refused(tmp_path):
    path = tmp_path / "e.toml"
    Engagement.new(path, apex="good.test").save()
    before = path.read_bytes()
    result = run_launchtui("check", str(path), "--output", str(path), "--format", "json")
    assert result.returncode == 2 and "engagement file itself" in result.stderr
    assert path.read_bytes() == before
