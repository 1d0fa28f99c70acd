"""The run history and the change log: what was checked when, and who did what."""

import datetime as dt
import json
import random
from pathlib import Path

import pytest

from launchtui.engagement import (
    Actor,
    Engagement,
    EngagementError,
    Environment,
    Owner,
    Route,
    RunRecord,
    Secret,
    Suppression,
)
from launchtui.engagement.history import MAX_RUNS
from launchtui.findings import Finding, Severity, Status

from .conftest import run_launchtui

START = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
EVERY_CHECK = ("dns.ns", "tls.expiry", "perf.latency")


DANA = Actor("dana", "app")


def engagement(tmp_path: Path, actor: Actor = DANA) -> Engagement:
    made = Engagement.new(tmp_path / "acme.toml", apex="acme.test", actor=actor)
    made.save()
    return Engagement.load(made.path, actor=actor)


def finding(check: str, target: str, status: str, **metrics: float) -> Finding:
    failing = status != "pass"
    return Finding(
        check=check,
        stage="security",
        target=target,
        status=Status(status),
        severity=Severity.HIGH if failing else Severity.INFO,
        summary=f"{check} on {target} is {status}.",
        evidence={"note": "a" * 40, **metrics},
        fix="Renew it." if failing else "",
        metrics=dict(metrics),
    )


def record(findings, *, hours: float = 0, versions=None, complete=True, stages=()) -> RunRecord:
    started = START + dt.timedelta(hours=hours)
    return RunRecord(
        started=started,
        finished=started + dt.timedelta(seconds=30),
        findings=findings,
        versions=versions or dict.fromkeys(EVERY_CHECK, 1),
        scope=", ".join(stages) or "every stage",
        complete=complete,
        stages=tuple(stages),
    )


def test_a_run_is_filed_with_its_verdicts_numbers_versions_and_author(tmp_path):
    made = engagement(tmp_path)
    run = made.record_run(
        record(
            [
                finding("tls.expiry", "acme.test", "fail", days_left=6),
                finding("dns.ns", "acme.test", "pass"),
            ],
            versions={"tls.expiry": 2, "dns.ns": 1, "perf.latency": 1},
        )
    )
    made.save()
    [filed] = Engagement.load(made.path).runs
    assert filed == run
    assert (filed.who, filed.via, filed.complete, filed.scope) == (
        "dana",
        "app",
        True,
        "every stage",
    )
    assert filed.versions == {"tls.expiry": 2, "dns.ns": 1, "perf.latency": 1}
    assert filed.counts == {"pass": 1, "fail": 1}
    expiry = next(f for f in filed.findings if f.check == "tls.expiry")
    assert expiry.metrics == {"days_left": 6} and expiry.summary.startswith("tls.expiry")
    assert made.changes[-1].what == "Ran 3 checks (every stage): 1 to look at, 1 blocking launch."
    text = made.path.read_text()
    assert 'checks = "dns.ns perf.latency tls.expiry@2"' in text


def test_latest_findings_take_each_check_from_its_newest_run(tmp_path):
    made = engagement(tmp_path)
    made.record_run(record([finding("tls.expiry", "acme.test", "fail", days_left=6),
                            finding("dns.ns", "acme.test", "pass")]))  # fmt: skip
    made.record_run(
        record(
            [finding("tls.expiry", "acme.test", "pass", days_left=88)],
            hours=5,
            versions={"tls.expiry": 1},
            complete=False,
            stages=("security",),
        )
    )
    latest = {(f.check, f.status.value) for f in made.latest_findings()}
    assert latest == {("tls.expiry", "pass"), ("dns.ns", "pass")}
    assert made.changes[-1].stage == "security"


def test_words_are_kept_only_where_someone_will_read_them(tmp_path):
    """The baseline and each check's latest keep summaries; runs in between keep only
    verdicts and numbers, which is what keeps a long sprint's file small."""
    made = engagement(tmp_path)
    for hours in range(4):
        made.record_run(record([finding("tls.expiry", "acme.test", "fail", days_left=6 - hours),
                                finding("dns.ns", "acme.test", "pass")], hours=hours))  # fmt: skip
    made.save()
    runs = Engagement.load(made.path).runs
    summaries = [[f.summary for f in run.findings] for run in runs]
    assert all(summaries[0]) and all(summaries[-1])  # the baseline, and the latest
    assert summaries[1] == summaries[2] == ["", ""]
    assert [f.metrics for f in runs[2].findings] == [{"days_left": 4}, {}]


def test_the_baseline_is_the_first_complete_run_unless_one_is_pinned(tmp_path):
    made = engagement(tmp_path)
    partial = made.record_run(record([finding("dns.ns", "acme.test", "pass")], complete=False))
    first = made.record_run(record([finding("dns.ns", "acme.test", "fail")], hours=1))
    second = made.record_run(record([finding("dns.ns", "acme.test", "pass")], hours=2))
    assert made.baseline == first and partial.id != first.id
    made.pin_baseline(second.id)
    made.save()
    reloaded = Engagement.load(made.path)
    assert reloaded.baseline == second and reloaded.pinned_baseline == second.id
    assert reloaded.changes[-1].what == "Pinned the run of 2026-11-20 11:00 UTC as the baseline."
    reloaded.pin_baseline(None)
    assert reloaded.baseline.id == first.id  # back to the first complete run
    with pytest.raises(EngagementError, match="no run nope"):
        reloaded.pin_baseline("nope")


def test_runs_started_in_the_same_second_get_distinct_ids(tmp_path):
    made = engagement(tmp_path)
    ids = [made.record_run(record([finding("dns.ns", "acme.test", "pass")])).id for _ in range(3)]
    assert ids == ["2026-11-20T09:00:00Z", "2026-11-20T09:00:00Z-2", "2026-11-20T09:00:00Z-3"]


def test_old_runs_are_dropped_but_never_the_baseline(tmp_path):
    made = engagement(tmp_path)
    for hours in range(MAX_RUNS + 5):
        made.record_run(record([finding("dns.ns", "acme.test", "pass")], hours=hours))
    runs = made.runs
    assert len(runs) == MAX_RUNS + 1
    assert runs[0].at == START  # the baseline stays
    assert runs[1].at == START + dt.timedelta(hours=5)


def test_thirty_runs_of_three_hundred_findings_stay_under_a_megabyte(tmp_path):
    rng = random.Random(7)
    hosts = [f"h{n}.acme.test" for n in range(30)]
    checks = [f"check.{n}" for n in range(10)]
    made = engagement(tmp_path)
    for hours in range(30):
        findings = [
            finding(
                check,
                host,
                rng.choice(["pass", "pass", "pass", "warn", "fail"]),
                value=rng.randint(1, 900),
            )
            for check in checks
            for host in hosts
        ]
        made.record_run(record(findings, hours=hours, versions=dict.fromkeys(checks, 1)))
    made.save()
    size = made.path.stat().st_size
    assert size < 1_000_000, size
    reloaded = Engagement.load(made.path)
    assert len(reloaded.runs) == 30 and len(reloaded.latest_findings()) == 300


def test_the_change_log_records_each_kind_of_edit_with_its_author(tmp_path):
    made = engagement(tmp_path, Actor("Sam Lee", "cli"))
    made.add_owner(Owner("dns", "Cloudflare", "Sam Lee", two_factor=True))
    made.add_route(Route("login", "https://app.acme.test/login", kind="auth", budget_ms=700))
    made.add_subdomain("app")
    made.add_environment(Environment("staging", "https://staging.acme.test"))
    made.add_secret(Secret("STRIPE_SECRET_KEY", reference="op://Ops/Stripe/key"))
    made.record_rotation("STRIPE_SECRET_KEY", "prod", today=dt.date(2026, 11, 21))
    made.mark_checklist("dns", "registrar-2fa", True, label="Registrar account has 2FA")
    made.set_notes("dns", "Registrar is Namecheap.")
    made.set_notes("dns", "Registrar is Namecheap; Sam owns it.")  # one line for a burst
    made.add_suppression(Suppression("dns.ttl", "*", "moving next week"), stage="dns")
    made.set_network(["1.1.1.1"], "")
    made.set_product(product="Acme Shop")
    made.save()
    changes = Engagement.load(made.path).changes[1:]  # after "Engagement created"
    assert [(c.stage, c.what) for c in changes] == [
        ("handover", "Added owner: dns — Cloudflare, Sam Lee."),
        (
            "performance",
            "Added route: login — https://app.acme.test/login (auth, p95 budget 700 ms).",
        ),
        ("dns", "Added subdomain: app.acme.test (app)."),
        ("deploy", "Added environment: staging — https://staging.acme.test."),
        ("handover", "Added secret: STRIPE_SECRET_KEY (prod), lives at op://Ops/Stripe/key."),
        ("handover", "Rotated STRIPE_SECRET_KEY (prod)."),
        ("dns", "Ticked: “Registrar account has 2FA”."),
        ("dns", "Edited the notes of dns."),
        ("dns", "Accepted the risk of dns.ttl on *: moving next week"),
        ("", "DNS servers to ask set to 1.1.1.1."),
        ("", "Product name set to Acme Shop."),
    ]  # fmt: skip
    assert {(c.who, c.via) for c in changes} == {("Sam Lee", "cli")}


def test_logged_text_never_holds_a_secret_value_or_a_url_password(tmp_path):
    pasted = "sk_" + "live_" + "51H8x2eKq9ZrT4vB7nPw3LmYc0dXaQ"
    made = engagement(tmp_path)
    made.add_suppression(Suppression("http.cors", "*", f"the key {pasted} is a test one"))
    made.add_route(Route("admin", "https://admin:hunter2@app.acme.test/?token=abc123&page=2"))
    made.save()
    text = made.path.read_text()
    log = "\n".join(change.what for change in Engagement.load(made.path).changes)
    assert pasted not in log and "hunter2" not in log and "abc123" not in log
    assert "admin:REDACTED@app.acme.test/?token=REDACTED&page=2" in log
    assert text.count(pasted) == 1  # only where the person put it: the reason itself


@pytest.mark.lab
def test_check_files_its_run_with_numbers_and_no_record_does_not(lab, tmp_path):
    path = tmp_path / "soon.toml"
    made = Engagement.new(path, apex="soon.test")
    made.set_network([lab.nameserver], str(lab.ca_bundle))
    made.save()
    stages = ("--stage", "security")
    first = run_launchtui("check", str(path), *stages, env={"LAUNCHTUI_OPERATOR": "ci"})
    assert first.returncode in (0, 1), first.stderr
    [run] = Engagement.load(path).runs
    assert (run.who, run.via, run.scope, run.complete) == ("ci", "cli", "security", False)
    expiry = [f for f in run.findings if f.check == "tls.expiry" and f.metrics]
    assert expiry and all(0 < f.metrics["days_left"] < 30 for f in expiry)  # soon.test expires
    before = path.read_bytes()
    again = run_launchtui("check", str(path), *stages, "--no-record")
    assert again.returncode == first.returncode and path.read_bytes() == before
    listed = run_launchtui("history", str(path), "--format", "json")
    assert [row["scope"] for row in json.loads(listed.stdout)] == ["security"]
    log = run_launchtui("log", str(path), "--who", "ci")
    assert "ci (cli) [security]  Ran " in log.stdout


def test_history_pins_by_number_and_log_filters_by_stage(tmp_path):
    made = engagement(tmp_path)
    made.record_run(record([finding("dns.ns", "acme.test", "pass")]))
    made.record_run(record([finding("dns.ns", "acme.test", "fail")], hours=1))
    made.mark_checklist("dns", "registrar-2fa", True)
    made.save()
    pinned = run_launchtui("history", str(made.path), "--pin", "2")
    assert pinned.returncode == 0, pinned.stderr
    assert "2026-11-20 10:00 UTC · complete: every stage" in pinned.stdout.splitlines()[1]
    assert pinned.stdout.splitlines()[1].endswith("← baseline")
    bad = run_launchtui("history", str(made.path), "--pin", "9")
    assert bad.returncode == 2 and "no run '9'" in bad.stderr
    dns = json.loads(
        run_launchtui("log", str(made.path), "--stage", "dns", "--format", "json").stdout
    )
    assert [entry["what"] for entry in dns] == ["Ticked: “registrar-2fa”."]
    assert dns[0]["who"] == "dana" and dns[0]["via"] == "app"


def test_the_operator_is_set_once_and_used_by_the_cli(tmp_path, monkeypatch):
    monkeypatch.delenv("LAUNCHTUI_OPERATOR")
    assert run_launchtui("operator", "Dana Lee").returncode == 0
    assert run_launchtui("operator").stdout.strip() == "Dana Lee"
    path = tmp_path / "x.toml"
    assert run_launchtui("init", str(path), "--domain", "x.test").returncode == 0
    assert Engagement.load(path).changes[0].who == "Dana Lee"
