"""The shipped runbook and profiles, the loader's error messages, and runbook discovery."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from launchtui import resources
from launchtui.runbook import (
    ROUTE_KINDS,
    RunbookError,
    default_profile_id,
    load_profiles,
    load_runbook,
    load_runbooks,
)
from launchtui.settings import config_dir

STAGE_IDS = ["audit", "dns", "deploy", "security", "performance", "monitoring", "handover"]

# Every check id the sprint plans for; most are not implemented yet.
PLANNED_CHECKS = {
    "dns.resolves",
    "dns.ns",
    "dns.cname-conflict",
    "dns.dangling-cname",
    "dns.mx",
    "dns.ttl",
    "email.spf",
    "email.spf.lookups",
    "email.spf.all",
    "email.dmarc",
    "email.dmarc.policy",
    "email.dmarc.rua",
    "email.dkim",
    "tls.valid",
    "tls.hostname",
    "tls.expiry",
    "http.https-redirect",
    "http.canonical",
    "http.redirect-loop",
    "http.redirect-chain",
    "http.hsts",
    "http.headers",
    "http.banner",
    "http.cors",
    "http.cookies",
    "cache.private-leak",
    "cache.static",
    "edge.cdn",
    "deploy.staging-leak",
    "deploy.sourcemaps",
    "perf.latency",
    "perf.errors",
    "auth.rate-limit",
    "health.endpoint",
    "secrets.tree",
    "secrets.history",
    "secrets.env-file",
    "secrets.bundle",
}

PRODUCT_TYPES = ["internal-tool", "community", "creator-platform", "marketplace", "mobile-api"]
PHASES = ["beta", "launch"]

MINIMAL_STAGE = """
[[stages]]
id = "only"
title = "The only stage"
goal = "Exists."
"""


def shipped_runbook(known_checks: set[str] | None = PLANNED_CHECKS):
    return load_runbook(resources.runbooks_dir() / "launch-ready.toml", known_checks)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def runbook_text(runbook_id: str = "custom", stages: str = MINIMAL_STAGE) -> str:
    return f'id = "{runbook_id}"\ntitle = "A custom runbook"\n{stages}'


def load_error(path: Path, known_checks: set[str] | None = None) -> str:
    with pytest.raises(RunbookError) as caught:
        load_runbook(path, known_checks)
    return str(caught.value)


# The shipped runbook


def test_shipped_runbook_has_the_seven_stages_in_order():
    runbook = shipped_runbook()

    assert runbook.id == "launch-ready"
    assert list(runbook.stage_ids) == STAGE_IDS
    assert runbook.title and runbook.version and runbook.description


@pytest.mark.parametrize("stage_id", STAGE_IDS)
def test_every_shipped_stage_says_what_done_looks_like(stage_id: str):
    stage = shipped_runbook().stage(stage_id)

    assert stage.title and stage.goal
    assert stage.checklist and stage.deliverables and stage.failure_signals
    assert all(item.text for item in stage.checklist)
    assert stage.day in (1, 2)


def test_the_sprint_moves_from_day_one_to_day_two_once():
    days = [stage.day for stage in shipped_runbook().stages]

    assert days == sorted(days)
    assert set(days) == {1, 2}


def test_shipped_runbook_runs_every_planned_check_and_nothing_else():
    assert set(shipped_runbook().check_ids) == PLANNED_CHECKS


def test_shared_checks_appear_in_every_stage_they_belong_to():
    runbook = shipped_runbook()

    assert "tls.expiry" in runbook.stage("security").checks
    assert "tls.expiry" in runbook.stage("monitoring").checks
    assert "http.canonical" in runbook.stage("dns").checks
    assert "cache.private-leak" in runbook.stage("performance").checks


def test_check_ids_are_unique_and_in_first_listed_order():
    runbook = shipped_runbook()
    in_stage_order = [check for stage in runbook.stages for check in stage.checks]

    assert list(runbook.check_ids) == list(dict.fromkeys(in_stage_order))
    assert runbook.check_ids[0] == runbook.stages[0].checks[0]


def test_shipped_runbook_loads_before_its_checks_exist():
    implemented_so_far = {check for check in PLANNED_CHECKS if check.startswith("dns.")}

    assert shipped_runbook(known_checks=None).check_ids == shipped_runbook().check_ids
    with pytest.raises(RunbookError, match=re.escape('unknown check id "email.spf"')):
        shipped_runbook(known_checks=implemented_so_far)


def test_unknown_stage_lists_the_valid_ones():
    with pytest.raises(RunbookError) as caught:
        shipped_runbook().stage("dsn")

    assert str(caught.value) == (
        'runbook "launch-ready" has no stage "dsn" '
        "(stages: audit, dns, deploy, security, performance, monitoring, handover)"
        '; did you mean "dns"?'
    )


# Validation: each problem is named with its file and key


def test_missing_checklist_text_names_file_stage_and_item(tmp_path: Path):
    four_stages = "".join(f'[[stages]]\nid = "s{n}"\ntitle = "S"\ngoal = "G"\n' for n in range(4))
    items = "".join(f'[[stages.checklist]]\nid = "i{n}"\ntext = "Do it."\n' for n in range(2))
    item_without_text = '[[stages.checklist]]\nid = "i2"\n'
    stages = four_stages + items + item_without_text
    path = write(tmp_path, "launch-ready.toml", runbook_text(stages=stages))

    assert load_error(path) == f'{path}:25: stages[3].checklist[2]: missing key "text"'


def test_unknown_check_id_suggests_the_closest_known_one(tmp_path: Path):
    stages = MINIMAL_STAGE + '[[stages]]\nid = "two"\ntitle = "T"\ngoal = "G"\n'
    stages += 'checks = ["dns.resolve"]\n'
    path = write(tmp_path, "launch-ready.toml", runbook_text(stages=stages))

    assert load_error(path, PLANNED_CHECKS) == (
        f'{path}:12: stages[1].checks[0]: unknown check id "dns.resolve"; '
        'did you mean "dns.resolves"?'
    )


def test_unknown_check_id_without_a_close_match_says_only_that(tmp_path: Path):
    path = write(tmp_path, "r.toml", runbook_text(stages=MINIMAL_STAGE + 'checks = ["zz.qq"]\n'))

    assert (
        load_error(path, PLANNED_CHECKS)
        == f'{path}:8: stages[0].checks[0]: unknown check id "zz.qq"'
    )


def test_check_ids_are_not_validated_without_known_checks(tmp_path: Path):
    path = write(tmp_path, "r.toml", runbook_text(stages=MINIMAL_STAGE + 'checks = ["zz.qq"]\n'))

    assert load_runbook(path).check_ids == ("zz.qq",)


def test_malformed_check_id_is_refused_even_without_known_checks(tmp_path: Path):
    path = write(tmp_path, "r.toml", runbook_text(stages=MINIMAL_STAGE + 'checks = ["DNS NS"]\n'))

    assert load_error(path) == (
        f'{path}:8: stages[0].checks[0]: "DNS NS" is not a check id; '
        'check ids are dotted lowercase words like "dns.ns"'
    )


def test_duplicate_stage_id_points_at_both(tmp_path: Path):
    path = write(tmp_path, "r.toml", runbook_text(stages=MINIMAL_STAGE * 2))

    assert load_error(path) == (
        f'{path}:10: stages[1].id: duplicate stage id "only", already used at stages[0].id'
    )


def test_duplicate_checklist_id_within_a_stage(tmp_path: Path):
    item = '[[stages.checklist]]\nid = "registrar-2fa"\ntext = "Turn on 2FA."\n'
    path = write(tmp_path, "r.toml", runbook_text(stages=MINIMAL_STAGE + item * 2))

    assert load_error(path) == (
        f'{path}:12: stages[0].checklist[1].id: duplicate checklist id "registrar-2fa", '
        "already used at stages[0].checklist[0].id"
    )


def test_same_checklist_id_in_two_stages_is_fine(tmp_path: Path):
    item = '[[stages.checklist]]\nid = "owner"\ntext = "Name an owner."\n'
    second = '[[stages]]\nid = "two"\ntitle = "T"\ngoal = "G"\n'
    path = write(tmp_path, "r.toml", runbook_text(stages=MINIMAL_STAGE + item + second + item))

    assert [stage.checklist[0].id for stage in load_runbook(path).stages] == ["owner", "owner"]


def test_duplicate_check_in_a_stage(tmp_path: Path):
    checks = 'checks = ["dns.ns", "dns.mx", "dns.ns"]\n'
    path = write(tmp_path, "r.toml", runbook_text(stages=MINIMAL_STAGE + checks))

    assert load_error(path) == (
        f'{path}:8: stages[0].checks[2]: duplicate check id "dns.ns", '
        "already used at stages[0].checks[0]"
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("checks = 3", "stages[0].checks: expected a list of text, got a whole number"),
        ('checks = ["dns.ns", 7]', "stages[0].checks[1]: expected text, got a whole number"),
        ("deliverables = true", "stages[0].deliverables: expected a list of text, got true/false"),
        (
            'failure_signals = ["  "]',
            "stages[0].failure_signals[0]: expected some text, got an empty string",
        ),
        ('day = "1"', "stages[0].day: expected a whole number, got text"),
        ("day = 3", "stages[0].day: expected 1 or 2, got 3"),
        (
            'checklist = "none"',
            "stages[0].checklist: expected a list of tables ([[checklist]]), got text",
        ),
        ("checklist = [1]", "stages[0].checklist[0]: expected a table, got a whole number"),
        ('chekcs = ["dns.ns"]', 'stages[0]: unknown key "chekcs"; did you mean "checks"?'),
    ],
)
def test_wrong_stage_values_name_the_key_and_the_type(tmp_path: Path, line: str, message: str):
    path = write(tmp_path, "r.toml", runbook_text(stages=f"{MINIMAL_STAGE}{line}\n"))

    # the stage's extra line is line 8 of the file: the error points at it
    assert load_error(path) == f"{path}:8: {message}"


def test_ids_must_be_slugs(tmp_path: Path):
    stage = '[[stages]]\nid = "Quick Audit"\ntitle = "T"\ngoal = "G"\n'
    path = write(tmp_path, "r.toml", runbook_text(stages=stage))

    assert load_error(path) == (
        f'{path}:4: stages[0].id: "Quick Audit" is not a valid id; '
        "use lowercase letters, digits and hyphens"
    )


def test_unknown_top_level_key_suggests_the_intended_one(tmp_path: Path):
    path = write(tmp_path, "r.toml", 'id = "x"\ntitle = "X"\n[[stage]]\nid = "a"\n')

    assert load_error(path) == f'{path}: unknown top-level key "stage"; did you mean "stages"?'


def test_unknown_top_level_key_without_a_close_match_lists_the_allowed_ones(tmp_path: Path):
    path = write(tmp_path, "r.toml", 'author = "me"\n' + runbook_text())

    assert load_error(path) == (
        f'{path}:1: unknown top-level key "author" '
        "(expected one of: id, title, stages, version, description)"
    )


def test_missing_top_level_key(tmp_path: Path):
    path = write(tmp_path, "r.toml", f'title = "No id"\n{MINIMAL_STAGE}')

    assert load_error(path) == f'{path}: missing key "id"'


def test_a_runbook_needs_a_stage(tmp_path: Path):
    path = write(tmp_path, "r.toml", 'id = "empty"\ntitle = "Empty"\nstages = []\n')

    assert load_error(path) == f"{path}:3: stages: a runbook needs at least one stage"


def test_broken_toml_gives_line_and_column(tmp_path: Path):
    path = write(tmp_path, "r.toml", 'id = "x"\n[[stages]]\nid = \n')

    message = load_error(path)

    assert message.startswith(f"{path}: not valid TOML: ")
    assert message.endswith("(at line 3, column 6)")
    assert "\n" not in message


def test_missing_file_is_a_runbook_error(tmp_path: Path):
    path = tmp_path / "nowhere.toml"

    assert load_error(path) == f"{path}: cannot read the file: No such file or directory"


# Profiles


def test_every_product_type_has_a_beta_and_a_launch_profile():
    profiles = load_profiles()

    expected = {f"{product}-{phase}" for product in PRODUCT_TYPES for phase in PHASES}
    assert set(profiles) == expected
    for profile_id, profile in profiles.items():
        assert profile.id == profile_id
        assert f"{profile.product_type}-{profile.phase}" == profile_id
        assert profile.title and profile.description


def test_every_profile_has_a_budget_for_every_route_kind():
    for profile in load_profiles().values():
        for kind in ROUTE_KINDS:
            assert profile.budget_ms(kind) > 0, (profile.id, kind)


@pytest.mark.parametrize("product", PRODUCT_TYPES)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_beta_budgets_are_looser_than_launch(product: str, method: str):
    profiles = load_profiles()
    beta, launch = profiles[f"{product}-beta"], profiles[f"{product}-launch"]

    for kind in ROUTE_KINDS:
        assert beta.budget_ms(kind, method) > launch.budget_ms(kind, method), kind
        assert beta.budget_ms(kind, method) == round(launch.budget_ms(kind, method) * 1.5)


@pytest.mark.parametrize(
    ("profile_id", "kind", "method", "budget_ms"),
    [
        ("internal-tool-launch", "api", "GET", 300),
        ("internal-tool-launch", "api", "POST", 300),
        ("community-launch", "api", "GET", 400),
        ("community-beta", "api", "GET", 600),
        ("marketplace-launch", "api", "GET", 500),
        ("marketplace-launch", "page", "GET", 1500),
        ("mobile-api-launch", "api", "GET", 300),
        ("mobile-api-launch", "api", "POST", 800),
        ("mobile-api-launch", "api", "put", 800),
        ("mobile-api-launch", "api", "PATCH", 800),
        ("mobile-api-launch", "api", "DELETE", 800),
        ("mobile-api-launch", "api", "HEAD", 300),
        ("mobile-api-beta", "api", "POST", 1200),
    ],
)
def test_profile_targets(profile_id: str, kind: str, method: str, budget_ms: int):
    assert load_profiles()[profile_id].budget_ms(kind, method) == budget_ms


def test_only_api_routes_have_a_separate_write_budget():
    mobile = load_profiles()["mobile-api-launch"]

    assert mobile.budget_ms("auth", "POST") == mobile.budget_ms("auth")
    assert mobile.budget_ms("page", "POST") == mobile.budget_ms("page")


def test_community_error_rate_is_below_one_percent():
    assert load_profiles()["community-launch"].error_rate_limit_pct == 1.0


def test_every_profile_watches_production_the_same_way():
    for profile in load_profiles().values():
        assert profile.monitoring.uptime_interval_s == 60
        assert profile.monitoring.alert_within_s == 300
        assert profile.monitoring.cert_warn_days == 30
        assert profile.monitoring.cert_fail_days == 7
        assert 0 < profile.error_rate_limit_pct <= 1.0


def test_dmarc_none_fails_only_at_launch_for_products_that_send_mail():
    profiles = load_profiles()

    assert profiles["community-launch"].dmarc_none_fails
    assert not profiles["community-beta"].dmarc_none_fails
    assert not profiles["internal-tool-launch"].dmarc_none_fails


def test_unknown_route_kind_names_the_valid_kinds():
    with pytest.raises(RunbookError) as caught:
        load_profiles()["community-launch"].budget_ms("pages")

    assert str(caught.value) == (
        'profile "community-launch" has no budget for route kind "pages" '
        '(kinds: page, api, auth, health, static); did you mean "page"?'
    )


def test_default_profile_is_community_launch():
    assert default_profile_id() == "community-launch"
    assert default_profile_id() in load_profiles()


def shipped_profiles_text() -> str:
    return (resources.runbooks_dir() / "profiles.toml").read_text(encoding="utf-8")


def test_profile_missing_a_budget_names_the_type(tmp_path: Path):
    text = shipped_profiles_text().replace("page = 1500\napi = 500\n", "page = 1500\n", 1)
    path = write(tmp_path, "profiles.toml", text)

    with pytest.raises(RunbookError) as caught:
        load_profiles(path)

    assert str(caught.value) == f'{path}:111: types.marketplace.budgets_ms: missing key "api"'


def test_default_must_name_an_existing_profile(tmp_path: Path):
    text = shipped_profiles_text().replace(
        'default = "community-launch"', 'default = "comunity-launch"'
    )
    path = write(tmp_path, "profiles.toml", text)

    with pytest.raises(RunbookError) as caught:
        default_profile_id(path)

    assert str(caught.value) == (
        f'{path}:20: default: unknown profile "comunity-launch"; did you mean "community-launch"?'
    )


# Finding runbooks


def test_shipped_folders_are_found_in_a_source_checkout():
    repo_root = Path(__file__).resolve().parent.parent

    assert resources.runbooks_dir() == repo_root / "runbooks"
    assert resources.templates_dir() == repo_root / "templates"


def test_installed_data_folder_is_preferred(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    package = tmp_path / "site-packages" / "launchtui"
    (package / "_data" / "runbooks").mkdir(parents=True)
    (tmp_path / "site-packages" / "runbooks").mkdir()
    monkeypatch.setattr(resources, "_PACKAGE_DIR", package)

    assert resources.runbooks_dir() == package / "_data" / "runbooks"


def test_missing_data_folder_names_both_places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(resources, "_PACKAGE_DIR", tmp_path / "launchtui")

    with pytest.raises(FileNotFoundError, match="templates folder is missing"):
        resources.templates_dir()


def test_user_folders_come_from_the_env_var_then_the_config_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    first, second = tmp_path / "first", tmp_path / "second"
    monkeypatch.setenv(resources.RUNBOOKS_PATH_ENV, f"{first}{os.pathsep}{second}")

    assert resources.user_runbook_dirs() == [first, second, config_dir() / "runbooks"]


def test_user_runbook_in_env_folder_overrides_and_adds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    user = tmp_path / "client-runbooks"
    override = write(user, "my-sprint.toml", runbook_text("launch-ready"))
    write(user, "retainer.toml", runbook_text("monthly-retainer"))
    monkeypatch.setenv(resources.RUNBOOKS_PATH_ENV, str(user))

    runbooks = load_runbooks()

    assert runbooks["launch-ready"].source == override
    assert runbooks["launch-ready"].stage_ids == ("only",)
    assert runbooks["monthly-retainer"].title == "A custom runbook"


def test_config_folder_runbooks_are_loaded(tmp_path: Path):
    write(config_dir() / "runbooks", "r.toml", runbook_text("from-config"))

    assert "from-config" in load_runbooks()


def test_earlier_user_folder_wins(tmp_path: Path):
    first = write(tmp_path / "first", "a.toml", runbook_text("shared"))
    write(tmp_path / "second", "b.toml", runbook_text("shared"))

    runbooks = load_runbooks([tmp_path / "first", tmp_path / "second"])

    assert runbooks["shared"].source == first


def test_two_files_with_one_id_in_a_folder_is_an_error(tmp_path: Path):
    first = write(tmp_path, "a.toml", runbook_text("twin"))
    second = write(tmp_path, "b.toml", runbook_text("twin"))

    with pytest.raises(RunbookError) as caught:
        load_runbooks([tmp_path])

    assert str(caught.value) == f'{second}: id: runbook id "twin" is also used by {first}'


def test_only_shipped_runbooks_without_user_folders():
    assert list(load_runbooks([], known_checks=PLANNED_CHECKS)) == ["launch-ready"]


def test_missing_user_folder_is_skipped(tmp_path: Path):
    assert list(load_runbooks([tmp_path / "absent"])) == ["launch-ready"]


def test_broken_user_runbook_names_its_file(tmp_path: Path):
    broken = write(tmp_path, "broken.toml", "id = \n")

    with pytest.raises(RunbookError, match=f"^{re.escape(str(broken))}: not valid TOML"):
        load_runbooks([tmp_path])


def test_core_imports_without_textual():
    probe = "import sys, launchtui.runbook; print('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "False"
