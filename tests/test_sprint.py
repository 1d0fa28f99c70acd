"""Sprint progress and the 48-hour clock, as plain functions on a real engagement."""

import datetime as dt

from launchtui.engagement import Actor, Engagement, RunRecord
from launchtui.findings import Finding, Severity, Status
from launchtui.runbook import load_runbooks
from launchtui.sprint import (
    age_text,
    check_times,
    sprint_clock,
    stage_checked,
    stage_progress,
    todays_plan,
)

RUNBOOK = load_runbooks([])["launch-ready"]
START = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def engagement(tmp_path) -> Engagement:
    path = tmp_path / "e.toml"
    path.write_text(
        f'schema = 2\nsprint_started = {START:%Y-%m-%dT%H:%M:%SZ}\n[domain]\napex = "acme.test"\n'
    )
    return Engagement.load(path, actor=Actor("dana", "app"))


def test_the_clock_knows_the_day_and_what_it_covers(tmp_path):
    made = engagement(tmp_path)
    day_one = sprint_clock(made, START + dt.timedelta(hours=3, minutes=5))
    assert day_one.describe() == "Day 1 · 3 h 05 m of 48 h (started 20 Nov 09:00)"
    assert todays_plan(RUNBOOK, day_one).startswith("Day 1 covers: Quick audit")
    day_two = sprint_clock(made, START + dt.timedelta(hours=30))
    assert day_two.day == 2 and "Handover" in todays_plan(RUNBOOK, day_two)
    after = sprint_clock(made, START + dt.timedelta(days=40))
    assert "maintenance mode" in after.describe()


def test_stage_progress_counts_ticks_and_latest_verdicts(tmp_path):
    made = engagement(tmp_path)
    dns = RUNBOOK.stage("dns")
    made.mark_checklist("dns", dns.checklist[0].id, True)
    findings = [
        Finding("dns.resolves", "dns", "acme.test", Status.PASS, Severity.INFO, "ok"),
        Finding("dns.resolves", "dns", "www.acme.test", Status.FAIL, Severity.HIGH, "no"),
        Finding("dns.ttl", "dns", "acme.test A", Status.WARN, Severity.LOW, "long"),
    ]
    progress = stage_progress(made, dns, findings)
    assert (progress.items_done, progress.items_total) == (1, len(dns.checklist))
    assert progress.label == f"checklist 1/{len(dns.checklist)} · ✗1 !1"


def test_the_latency_histogram_is_drawn_as_bars():
    from launchtui.ui.widgets.finding_text import histogram_text

    text = histogram_text({"unit": "ms", "edges": [0, 100, 200], "counts": [2, 8, 0]}).plain
    lines = text.splitlines()
    assert lines[0] == "Latency histogram"
    assert lines[2].count("█") == 30 and lines[1].count("█") == 8
    assert lines[3].endswith(" 0")


def run_of(made: Engagement, at: dt.datetime, *checks: str) -> None:
    findings = [Finding(c, "dns", "acme.test", Status.PASS, Severity.INFO, "ok") for c in checks]
    versions = dict.fromkeys(checks, 1)
    made.record_run(RunRecord(at, at, findings, versions, "dns", False, ("dns",)))


def test_each_stage_says_when_its_results_were_measured_and_whether_they_are_stale(tmp_path):
    made = engagement(tmp_path)
    dns = RUNBOOK.stage("dns")
    run_of(made, START, "dns.resolves", "dns.ttl")
    run_of(made, START + dt.timedelta(days=3), "dns.ttl")
    checked = stage_checked(dns, check_times(made))
    assert checked is not None
    assert (checked.oldest, checked.newest) == (START, START + dt.timedelta(days=3))
    assert checked.missing == len(dns.checks) - 2
    assert not checked.is_stale(START + dt.timedelta(days=6))
    assert checked.is_stale(START + dt.timedelta(days=8))  # the oldest result decides
    assert stage_checked(RUNBOOK.stage("handover"), check_times(made)) is None


def test_ages_are_said_in_the_unit_a_person_would_use():
    now = START + dt.timedelta(days=100)
    assert age_text(now - dt.timedelta(seconds=30), now) == "just now"
    assert age_text(now - dt.timedelta(minutes=40), now) == "40 min ago"
    assert age_text(now - dt.timedelta(hours=26), now) == "26 h ago"
    assert age_text(now - dt.timedelta(days=3), now) == "3 days ago"
    assert age_text(now - dt.timedelta(days=45), now) == "6 weeks ago"
    assert age_text(now + dt.timedelta(minutes=5), now) == "just now"  # a clock ahead


def test_the_narrow_clock_is_one_short_line(tmp_path):
    made = engagement(tmp_path)
    assert sprint_clock(made, START + dt.timedelta(hours=27)).short() == "Day 2 · 27 h of 48 h"
    later = sprint_clock(made, START + dt.timedelta(days=9))
    assert later.short() == "Sprint over: maintenance mode"
