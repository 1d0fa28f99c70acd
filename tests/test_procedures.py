"""Founder runbooks: the data, the session that follows them, and the headless commands."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
import yaml

from launchtui.checks import all_checks
from launchtui.engagement import Actor, Deploy, Engagement, Monitoring, Owner, Secret
from launchtui.findings import Finding, Severity, Status
from launchtui.lab import Lab
from launchtui.lab.founder import (
    MOVE,
    SPLIT,
    build_redirects_broken,
    build_redirects_right,
    build_split,
)
from launchtui.procedures.model import ProcedureError, load_procedure, load_procedures
from launchtui.procedures.services import engagement_services
from launchtui.procedures.session import PENDING_SUFFIX, Services, Session, StepRefused

from .conftest import run_launchtui, start_lab

SHIPPED = (
    "outage",
    "restore-redirect",
    "rollback-deploy",
    "rotate-secret",
    "smoke-test",
    "verify-email",
)


def shipped():
    return load_procedures([], known_checks=set(all_checks()))


def test_every_shipped_runbook_loads_with_known_checks_and_templates():
    procedures = shipped()
    assert tuple(sorted(procedures)) == SHIPPED
    for procedure in procedures.values():
        assert procedure.title and procedure.when and procedure.steps


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ('kind = "instructoin"\ntext = "x"', 'steps[0].kind: "instructoin" is not a step kind'),
        (
            'kind = "check"\nchecks = ["smoke.route"]',
            'unknown check id "smoke.route"; did you mean "smoke.routes"?',
        ),
        ('kind = "instruction"\ntext = "{{ secret.name"', "steps[0].text: "),
        ('kind = "confirm"\ntext = "ok?"\nrecord = "rotaton"', 'did you mean "rotation"?'),
        ('kind = "wait"', "a wait step needs"),
    ],
)
def test_a_mistake_in_a_runbook_names_file_line_and_key(tmp_path, step, message):
    path = tmp_path / "mine.toml"
    path.write_text(f'id = "mine"\ntitle = "Mine"\n\n[[steps]]\nid = "one"\n{step}\n')
    with pytest.raises(ProcedureError) as error:
        load_procedure(path, known_checks=set(all_checks()))
    assert str(error.value).startswith(f"{path}:")
    assert message in str(error.value)


def test_a_users_runbook_is_listed_and_can_replace_a_shipped_one(tmp_path, monkeypatch):
    folder = tmp_path / "runbooks"
    folder.mkdir()
    (folder / "deploy.toml").write_text(
        'id = "rollback-deploy"\ntitle = "Our rollback"\nwhen = "Always."\n\n'
        '[[steps]]\nid = "call"\nkind = "instruction"\ntext = "Call Sam."\n'
    )
    monkeypatch.setenv("LAUNCHTUI_RUNBOOKS_PATH", str(folder))
    listed = json.loads(run_launchtui("runbook", "list", "--format", "json").stdout)
    ours = next(row for row in listed if row["id"] == "rollback-deploy")
    assert ours["title"] == "Our rollback" and ours["steps"] == 1
    assert run_launchtui("check", "--help").returncode == 0  # the sprint loader skips it


# -- the session, with the outside world stubbed -----------------------------------------


class World:
    """Services a test controls: scripted check results, a keyring in a dict."""

    def __init__(self, results: list[list[Finding]] | None = None) -> None:
        self.results = results or []
        self.keyring: dict[str, str] = {}

    def services(self) -> Services:
        async def run_checks(check_ids):
            return self.results.pop(0) if self.results else [ok(check) for check in check_ids]

        async def settling(records):
            return []

        def keep(secret, value):
            self.keyring[secret.name + PENDING_SUFFIX] = value

        def promote(secret):
            value = self.keyring.pop(secret.name + PENDING_SUFFIX, None)
            if value is not None:
                self.keyring[secret.name] = value
            return value is not None

        async def no_sleep(_seconds):
            return None

        return Services(run_checks, settling, keep, promote, no_sleep)


def ok(check: str) -> Finding:
    return Finding(check, "monitoring", "acme.test", Status.PASS, Severity.INFO, "fine")


def broken(check: str) -> Finding:
    return Finding(check, "monitoring", "acme.test", Status.FAIL, Severity.HIGH, "broken")


def engagement(tmp_path: Path) -> Engagement:
    made = Engagement.new(tmp_path / "acme.toml", apex="acme.test", actor=Actor("dana", "app"))
    made.add_owner(Owner("hosting", "Vercel", "Sam Lee", two_factor=True, recovery="1Password"))
    made.set_deploy(
        Deploy(
            "Vercel",
            "Push to main",
            ("Open Deployments", "Promote the last good one"),
            "dpl_1",
            "Sam",
        )
    )
    made.set_monitoring(Monitoring("Better Stack", "Dana (SMS)"))
    made.add_secret(
        Secret(
            "STRIPE_SECRET_KEY",
            reference="vercel:env/STRIPE_SECRET_KEY",
            owner="Dana",
            used_by=("api", "worker"),
        )
    )
    made.save()
    return Engagement.load(made.path, actor=Actor("dana", "app"))


def test_rotating_a_secret_keeps_the_new_value_aside_until_the_old_one_is_revoked(tmp_path):
    world = World()
    made = engagement(tmp_path)
    session = Session.start(
        made, shipped()["rotate-secret"], world.services(), secret=made.secret("STRIPE_SECRET_KEY")
    )
    assert session.step.id == "where"  # the secret was chosen on the Secrets screen
    assert "vercel:env/STRIPE_SECRET_KEY" in session.text()
    session.acknowledge()
    assert "Stripe dashboard" in session.text()  # the provider's own steps
    session.acknowledge()
    canary = f"sk_live_{uuid.uuid4().hex}"
    asyncio.run(session.answer(canary))
    assert world.keyring == {"STRIPE_SECRET_KEY" + PENDING_SUFFIX: canary}
    assert "redeploy" in session.text()  # a Vercel env var reaches the site only on deploy
    session.acknowledge()
    assert "api, worker" in session.text()
    session.acknowledge()
    asyncio.run(session.check())
    session.acknowledge()  # revoke at Stripe
    assert session.step.kind == "confirm"
    assert made.secret("STRIPE_SECRET_KEY").last_rotated is None  # nothing recorded yet
    asyncio.run(session.confirm())
    assert session.finished and session.run.status == "done"
    assert world.keyring == {"STRIPE_SECRET_KEY": canary}
    saved = Engagement.load(made.path)
    assert saved.secret("STRIPE_SECRET_KEY").last_rotated is not None
    text = made.path.read_text()
    assert canary not in text and canary[:14] not in text
    whats = [c.what for c in saved.changes]
    assert any(
        w.startswith("Finished the runbook “Rotate a secret” for STRIPE_SECRET_KEY (prod)")
        for w in whats
    )
    assert [o.step for o in saved.runbook_runs[-1].outcomes][:2] == ["choose", "where"]


def test_a_required_check_that_fails_keeps_the_run_at_that_step_and_it_resumes(tmp_path):
    world = World(results=[[broken("smoke.routes")]])
    made = engagement(tmp_path)
    procedure = shipped()["rollback-deploy"]
    session = Session.start(made, procedure, world.services())
    assert "Sam Lee at Vercel (2FA on, recovery codes in 1Password)" in session.text()
    session.acknowledge()
    assert "1. Open Deployments" in session.text()  # the recorded rollback steps
    session.acknowledge()
    assert session.default() == "dpl_1"
    asyncio.run(session.answer("dpl_0"))
    outcome = asyncio.run(session.check())
    assert not outcome.passed and session.step.id == "record"  # informative: goes on
    # quit here; later, from the file:
    reopened = Engagement.load(made.path, actor=Actor("sam", "cli"))
    [run] = [r for r in reopened.runbook_runs if r.in_progress]
    resumed = Session.resume(reopened, procedure, run.id, World().services())
    assert resumed.step.id == "record"
    asyncio.run(resumed.confirm())
    saved = Engagement.load(made.path)
    assert saved.deploy.last_good == "dpl_1"  # the smoke test failed: not known to work
    assert "Rolled production back to dpl_0; the smoke test did NOT pass." in [
        c.what for c in saved.changes
    ]


def test_a_required_check_must_pass_before_going_on(tmp_path):
    world = World(results=[[broken("smoke.routes")], [ok("smoke.routes")]])
    made = engagement(tmp_path)
    session = Session.start(
        made, shipped()["rotate-secret"], world.services(), secret=made.secret("STRIPE_SECRET_KEY")
    )
    for _ in range(5):
        if session.step.kind == "input":
            asyncio.run(session.answer(""))  # the new value is optional
        else:
            session.acknowledge()
    assert session.step.id == "smoke"
    asyncio.run(session.check())
    assert session.step.id == "smoke"
    with pytest.raises(StepRefused, match="must pass"):
        session.skip()
    asyncio.run(session.check())
    assert session.step.id == "revoke"


def test_confirm_steps_need_a_yes_from_a_script(tmp_path):
    made = engagement(tmp_path)
    result = run_launchtui(
        "runbook", "run", str(made.path), "outage", "--input", "incident=DB full"
    )
    assert result.returncode == 2 and "needs a yes: add --yes" in result.stderr


# -- against the lab ------------------------------------------------------------------------


def point_at(path: Path, lab: Lab) -> None:
    """A restarted lab has a new CA: the engagement follows it, as after a real move."""
    made = Engagement.load(path)
    made.set_network([lab.nameserver], str(lab.ca_bundle))
    made.save()


def lab_engagement(tmp_path: Path, lab: Lab, apex: str, *nameservers: str) -> Path:
    path = tmp_path / f"{apex}.toml"
    made = Engagement.new(path, apex=apex)
    made.set_network(list(nameservers) or [lab.nameserver], str(lab.ca_bundle))
    made.save()
    return path


@pytest.mark.lab
def test_smoke_exits_0_on_a_healthy_host_and_1_on_a_broken_one(lab, tmp_path):
    good = lab_engagement(tmp_path, lab, "good.test")
    result = run_launchtui("smoke", str(good), "--format", "json")
    assert result.returncode == 0, result.stdout
    assert {f["check"] for f in json.loads(result.stdout)["findings"]} >= {
        "smoke.routes",
        "tls.valid",
    }
    bad = lab_engagement(tmp_path, lab, "expired.test")
    failed = run_launchtui("smoke", str(bad), "--format", "junit")
    assert failed.returncode == 1 and "<failure" in failed.stdout
    assert 'testsuite name=""' not in failed.stdout  # a run outside any stage is still named
    assert run_launchtui("smoke", str(tmp_path / "missing.toml")).returncode == 2


def test_restore_a_redirect_finds_the_broken_one_and_waits_until_it_is_back(tmp_path):
    right = start_lab(build_redirects_right)
    block = right.world.plan.block
    path = lab_engagement(tmp_path, right, MOVE)
    try:
        recorded = run_launchtui("redirects", str(path), "--record")
        assert recorded.returncode == 0, recorded.stderr
    finally:
        right.stop()
    broken_lab = start_lab(build_redirects_broken, block)
    point_at(path, broken_lab)
    try:
        engagement_now = Engagement.load(path, actor=Actor("dana", "cli"))
        session = Session.start(
            engagement_now, shipped()["restore-redirect"], engagement_services(engagement_now)
        )
        outcome = asyncio.run(session.look())
        differs = {
            f.target: f for f in outcome.findings if f.check == "http.redirect-map" and f.is_problem
        }
        assert set(differs) == {f"http://www.{MOVE}/", f"https://www.{MOVE}/"}
        assert differs[f"https://www.{MOVE}/"].summary == (
            f"https://www.{MOVE}/ used to end at https://{MOVE}/ (200); now it ends at "
            f"https://www.{MOVE}/ (200)."
        )
        session.settle(outcome)
        session.acknowledge()  # where the rules live
        assert session.step.kind == "wait"
        first_look = asyncio.run(session.look())
        assert not first_look.passed
    finally:
        broken_lab.stop()
    fixed = start_lab(build_redirects_right, block)
    point_at(path, fixed)
    session.engagement.reload()
    try:
        session.settle(asyncio.run(session.look()))
        assert session.step.kind == "confirm"
        asyncio.run(session.confirm())
    finally:
        fixed.stop()
    outcomes = Engagement.load(path).runbook_runs[-1].outcomes
    assert [(o.step, o.result) for o in outcomes][-2:] == [
        ("wait", "passed"),
        ("done", "confirmed"),
    ]


def test_a_wait_step_says_which_answer_source_lags_until_they_agree(tmp_path):
    first = start_lab(build_split("v=spf1 include:new.example -all"))
    second = start_lab(build_split("v=spf1 include:old.example -all"))
    path = lab_engagement(tmp_path, first, SPLIT, first.nameserver, second.nameserver)
    runbook = tmp_path / "wait.toml"
    runbook.write_text(
        'id = "settle"\ntitle = "Settle"\n\n[[steps]]\nid = "settle"\nkind = "wait"\n'
        'records = [["{{ apex }}", "TXT"]]\ninterval_s = 0.2\nlimit_s = 1\n'
    )
    procedure = load_procedure(runbook)
    engagement_now = Engagement.load(path)
    session = Session.start(engagement_now, procedure, engagement_services(engagement_now))
    try:
        outcome = asyncio.run(session.check())
        [settling] = outcome.settlings
        assert not settling.settled
        assert [s.source for s in settling.lagging] == [f"resolver {second.nameserver}"]
        assert settling.settles_by is not None  # its TTL says when the old answer expires
        assert "still give another answer" in settling.describe()
        assert session.step.id == "settle"  # a wait that did not settle stays
        second.stop()
        second = start_lab(build_split("v=spf1 include:new.example -all"), second.world.plan.block)
        outcome = asyncio.run(session.check())
        assert outcome.settlings[0].settled and session.finished
    finally:
        first.stop()
        second.stop()


def test_ci_init_writes_a_workflow_with_pinned_actions_and_three_steps(tmp_path):
    made = engagement(tmp_path)
    output = tmp_path / ".github" / "workflows" / "launchtui.yml"
    result = run_launchtui("ci", "init", str(made.path), "--output", str(output))
    assert result.returncode == 0, result.stderr
    workflow = yaml.safe_load(output.read_text())
    assert set(workflow["jobs"]) == {"check", "smoke"}
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert any("launchtui check" in run and "--no-record" in run for run in runs)
    assert any("launchtui scan . --history --format sarif" in run for run in runs)
    assert any(run.startswith("launchtui smoke") for run in runs)
    uses = [
        step["uses"] for job in workflow["jobs"].values() for step in job["steps"] if "uses" in step
    ]
    assert all(len(use.split("@")[1]) == 40 for use in uses)  # full commit SHAs
    assert "# v4.2.2" in output.read_text()
    again = run_launchtui("ci", "init", str(made.path), "--output", str(output))
    assert again.returncode == 2 and "--force" in again.stderr
