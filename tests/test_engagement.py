"""The engagement file: human-editable, round-trip safe, strict, and upgraded from schema 1."""

import os
import re
import threading
from pathlib import Path

import pytest

from launchtui.engagement import (
    SCHEMA_VERSION,
    Actor,
    Engagement,
    EngagementError,
    Route,
    Secret,
    Suppression,
    infer_route_kind,
)
from launchtui.engagement.document import MAX_FILE_BYTES
from launchtui.findings import Finding, Severity, Status

from .conftest import run_launchtui

DANA = Actor("dana", "cli")

HAND_WRITTEN = """\
# Acme launch, kept by Dana.
schema = 2
id = "acme"
product = "Acme"   # the name on the invoice
profile = "marketplace-launch"

[domain]
apex = "acme.test"
canonical = "www"
# we add more subdomains after the call
[[domain.subdomains]]
name = "app"
role = "app"

[[routes]]
name = "sign in"
url = "https://app.acme.test/login"
budget_ms = 700

[[routes]]
name = "probe"
url = "https://app.acme.test/healthz"
"""


def write(tmp_path: Path, text: str, name: str = "acme.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path) -> Engagement:
    return Engagement.load(path, actor=DANA)


# -- reading -------------------------------------------------------------------------------


def test_a_hand_written_file_reads_with_kinds_inferred_from_the_url(tmp_path):
    engagement = load(write(tmp_path, HAND_WRITTEN))
    assert engagement.apex == "acme.test"
    assert engagement.canonical_host == "www.acme.test"
    assert [s.name for s in engagement.subdomains] == ["app.acme.test"]
    assert engagement.routes == [
        Route("sign in", "https://app.acme.test/login", "GET", "auth", 700),
        Route("probe", "https://app.acme.test/healthz", "GET", "health", None),
    ]


@pytest.mark.parametrize(
    ("name", "url", "kind"),
    [
        ("login", "", "auth"),
        ("password-reset", "", "auth"),
        ("healthz", "", "health"),
        ("dashboard", "https://a.test/dashboard", "page"),
        ("good-healthz", "https://a.test/healthz", "health"),
        ("good-login", "https://a.test/login", "auth"),
        ("home", "https://a.test/auth/callback", "auth"),
        ("me", "https://a.test/session", "auth"),
        ("orders", "https://a.test/api/orders", "api"),
        ("status page", "https://a.test/status", "health"),
        ("bundle", "https://a.test/static/app.js", "static"),
        ("pricing", "https://a.test/pricing", "page"),
    ],
)
def test_route_kinds_are_inferred_from_the_path_then_the_name(name, url, kind):
    assert infer_route_kind(name, url) == kind


def test_a_bom_from_a_windows_editor_is_fine(tmp_path):
    path = tmp_path / "e.toml"
    path.write_bytes(b'\xef\xbb\xbfschema = 2\n[domain]\napex = "good.test"\n')
    assert load(path).apex == "good.test"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("schema = 2\n[domain\napex = 'x.test'\n", r"acme.toml:2:\d+: not valid TOML"),
        ('schema = 2\n[domain]\napex = "good.test"\napex = "good.test"\n', "not valid TOML"),
        ('[domain]\napex = "x.test"\n', "schema: missing"),
        ('schema = 9\n[domain]\napex = "x.test"\n', r"acme.toml:1: schema: version 9 is newer"),
        ('schema = -1\n[domain]\napex = "x.test"\n', "schema: expected a whole number"),
        ("schema = 2\n", "domain: missing table"),
        ('schema = 2\n[domain]\napex = "not a domain"\n', r"acme.toml:3: domain.apex: .*space"),
        ('schema = 2\n[domain]\napex = "good.test"\ncanonical = 5\n', "domain.canonical"),
        ('schema = 2\nrepo = 5\n[domain]\napex = "good.test"\n', "repo: expected text"),
        (
            'schema = 2\n[domain]\napex = "x.test"\n[[routes]]\nname = "a"\nurl = "ftp://x"\n',
            r"acme.toml:6: routes\[0\].url: expected an http:// or https:// URL",
        ),
        (
            'schema = 2\n[domain]\napex = "x.test"\n[[routes]]\nname = "a"\nurl = "https://"\n',
            r"routes\[0\].url: expected an http:// or https:// URL with a host",
        ),
        (
            'schema = 2\n[domain]\napex = "x.test"\n[[routes]]\nname = "a"\n'
            'url = "https://x.test/"\nbudget_ms = "fast"\n',
            r"acme.toml:7: routes\[0\].budget_ms: expected a whole number of milliseconds",
        ),
        (
            'schema = 2\n[domain]\napex = "x.test"\n[[domain.subdomains]]\nname = "a"\n'
            'role = "boss"\n',
            r"domain.subdomains\[0\].role: expected one of app",
        ),
        (
            'schema = 2\n[domain]\napex = "good.test"\n[[domain.subdomains]]\nname = "a b"\n',
            r"domain.subdomains\[0\].name",
        ),
        (
            'schema = 2\n[domain]\napex = "x.test"\n[email]\nin_scope = "yes"\n',
            "email.in_scope: expected true or false",
        ),
        (
            'schema = 2\n[domain]\napex = "x.test"\n[[suppressions]]\ncheck = "dns.ttl"\n',
            r'suppressions\[0\]: missing key "reason"',
        ),
        (
            'schema = 2\n[domain]\napex = "x.test"\n[stages.dns.checklist]\n'
            'owner = { done = true, at = "yesterday" }\n',
            r"stages.dns.checklist.owner.at: expected a time like",
        ),
        (
            'schema = 2\n[domain]\napex = "x.test"\ncanonicl = "www"\n',
            r'domain: unknown key "canonicl"; did you mean "canonical"\?',
        ),
        ('schema = 2\nchanges = "x"\n[domain]\napex = "good.test"\n', "changes"),
        ('schema = 1\nchanges = "x"\n[domain]\napex = "good.test"\n', "changes: expected"),
    ],
)
def test_a_broken_file_names_line_or_key_and_stays_byte_for_byte(tmp_path, text, message):
    path = write(tmp_path, text)
    before = path.read_bytes()
    with pytest.raises(EngagementError, match=message):
        Engagement.load(path)
    assert path.read_bytes() == before
    result = run_launchtui("check", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_errors_name_the_key_but_never_repeat_a_text_value(tmp_path):
    pasted = "sk_" + "live_" + "51H8x2eKq9ZrT4vB7nPw3LmYc0dXaQ"
    for row in (
        f'name = "a"\nurl = "{pasted}"',
        f'name = "a"\nurl = "https://x.test/"\nkind = "{pasted}"',
    ):
        path = write(tmp_path, f'schema = 2\n[domain]\napex = "x.test"\n[[routes]]\n{row}\n')
        with pytest.raises(EngagementError) as error:
            Engagement.load(path)
        assert "routes[0]." in str(error.value) and pasted not in str(error.value)


def test_unreadable_inputs_get_plain_errors_without_hanging(tmp_path):
    with pytest.raises(EngagementError, match="no such file"):
        Engagement.load(tmp_path / "missing.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(EngagementError, match="not a text file"):
        Engagement.load(binary)
    with pytest.raises(EngagementError, match="is a folder"):
        Engagement.load(tmp_path)
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    outcome: list[str] = []
    reader = threading.Thread(target=lambda: outcome.append(_load_error(fifo)), daemon=True)
    reader.start()
    reader.join(timeout=5)
    assert outcome and "not a regular file" in outcome[0]  # refused, not blocked on open()


def _load_error(path: Path) -> str:
    try:
        Engagement.load(path)
    except EngagementError as exc:
        return str(exc)
    return ""


def test_a_file_over_the_size_limit_is_refused_with_its_size(tmp_path):
    path = write(tmp_path, 'schema = 2\n[domain]\napex = "x.test"\n')
    with path.open("a") as file:
        file.write("# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    with pytest.raises(EngagementError, match=r"is 16 MB; an engagement file is at most 16 MB"):
        Engagement.load(path)


# -- writing -------------------------------------------------------------------------------


def test_comments_and_key_order_survive_and_new_sections_go_in_their_place(tmp_path):
    path = write(tmp_path, HAND_WRITTEN)
    engagement = load(path)
    engagement.add_subdomain("api")
    engagement.mark_checklist("dns", "registrar-2fa", True, label="Registrar has 2FA")
    engagement.add_secret(Secret("STRIPE_SECRET_KEY", reference="op://Ops/Stripe/key"))
    engagement.add_suppression(Suppression("dns.ttl", "*", "moving next week"))
    engagement.save()
    saved = path.read_text()
    for comment in (
        "# Acme launch, kept by Dana.",
        "# the name on the invoice",
        "# we add more subdomains after the call",
    ):
        assert comment in saved
    headers = ("[domain]", "[[routes]]", "[[secrets]]", "[stages.dns", "[[suppressions]]")
    order = [saved.index(header) for header in (*headers, "[history]")]
    assert order == sorted(order), "people's sections first, in the usual order; history last"
    reloaded = load(path)
    assert [s.name for s in reloaded.subdomains] == ["app.acme.test", "api.acme.test"]
    assert reloaded.checklist_marks()[("dns", "registrar-2fa")].by == "dana"


def test_saving_keeps_the_previous_version_as_bak(tmp_path):
    path = write(tmp_path, HAND_WRITTEN)
    engagement = load(path)
    engagement.set_notes("dns", "Registrar is Namecheap, login in 1Password.")
    engagement.save()
    assert path.with_name("acme.toml.bak").read_text() == HAND_WRITTEN
    assert "Namecheap" in path.read_text()


def test_an_unchanged_engagement_is_not_rewritten(tmp_path):
    path = write(tmp_path, HAND_WRITTEN)
    engagement = load(path)
    engagement.set_notes("dns", "")  # the same as before: nothing to do
    engagement.save()
    assert not path.with_name("acme.toml.bak").exists()


def test_a_crash_mid_save_leaves_the_old_file_whole(tmp_path, monkeypatch):
    path = write(tmp_path, HAND_WRITTEN)
    engagement = load(path)
    engagement.set_notes("dns", "half-written change")

    def crash(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(EngagementError, match="No space left on device; nothing was changed"):
        engagement.save()
    assert path.read_text() == HAND_WRITTEN
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_new_engagement_is_valid_toml_with_a_schema_and_change_log(tmp_path):
    engagement = Engagement.new(
        tmp_path / "new.toml", apex="https://Bücher.test/", product="Bücher", actor=DANA
    )
    engagement.save()
    reloaded = load(tmp_path / "new.toml")
    assert reloaded.schema == SCHEMA_VERSION
    assert reloaded.apex == "xn--bcher-kva.test"
    first = reloaded.changes[0]
    assert (first.who, first.via) == ("dana", "cli")
    assert first.what == "Engagement created for bücher.test (xn--bcher-kva.test)."


def test_suppressions_are_kept_and_match_findings(tmp_path):
    path = write(tmp_path, HAND_WRITTEN)
    engagement = load(path)
    engagement.add_suppression(Suppression("dns.ttl", "acme.test *", "planned move is done"))
    engagement.save()
    finding = Finding("dns.ttl", "dns", "acme.test A", Status.WARN, Severity.LOW, "Long TTL.")
    assert load(path).suppressions[0].matches(finding)


def test_edits_refuse_bad_entries_and_change_nothing(tmp_path):
    engagement = load(write(tmp_path, HAND_WRITTEN))
    before = (engagement.routes, engagement.changes)
    for route in (
        Route("x", "https://"),
        Route("", "https://app.acme.test/"),
        Route("sign in", "https://app.acme.test/other"),  # the name is taken
        Route("y", "https://app.acme.test/", budget_ms=0),
    ):
        with pytest.raises(EngagementError):
            engagement.add_route(route)
    assert (engagement.routes, engagement.changes) == before


def test_a_value_pasted_as_a_name_or_used_by_is_refused(tmp_path):
    pasted = "sk_" + "live_" + "51H8x2eKq9ZrT4vB7nPw3LmYc0dXaQ"
    engagement = Engagement.new(tmp_path / "e.toml", apex="good.test")
    for secret in (Secret(pasted), Secret("STRIPE_SECRET_KEY", used_by=(pasted,))):
        with pytest.raises(EngagementError, match="looks like a secret value") as error:
            engagement.add_secret(secret)
        assert pasted not in str(error.value)


def test_canonical_is_only_judged_when_declared(tmp_path):
    Engagement.new(tmp_path / "e.toml", apex="good.test").save()
    assert not load(tmp_path / "e.toml").canonical_declared
    declared = Engagement.new(
        tmp_path / "f.toml", apex="good.test", canonical_host="https://www.good.test/"
    )
    assert declared.canonical_host == "www.good.test" and declared.canonical_declared


# -- upgrading schema 1 --------------------------------------------------------------------

SCHEMA_1 = """\
# written by launchtui 0.1
schema = 1
id = "acme"
product = "Acme"

[domain]
apex = "acme.test"

[ui]
stage = "dns"

[[results.findings]]
check = "dns.ttl"
stage = "dns"
target = "acme.test A"
status = "warn"
severity = "low"
summary = "Long TTL."
evidence_json = "{\\"ttl\\": 172800}"
at = 2026-11-20T10:00:00Z

[[results.findings]]
check = "dns.ttl"
status = "warn"
severity = "low"
evidence_json = "{"

[[owners]]
account = "registrar"
owner = "Dana"

[[changes]]
at = 2026-11-20T09:00:00Z
by = "dana"
what = "Engagement created for acme.test."
"""


def test_a_schema_1_file_opens_and_is_upgraded_on_the_first_save(tmp_path):
    path = write(tmp_path, SCHEMA_1)
    engagement = load(path)
    assert path.read_text() == SCHEMA_1  # reading changes nothing on disk
    [finding] = engagement.latest_findings()  # the broken row is skipped, not fatal
    assert (finding.check, finding.target, finding.evidence) == (
        "dns.ttl",
        "acme.test A",
        {"ttl": 172800},
    )
    [change] = engagement.changes
    assert (change.who, change.what) == ("dana", "Engagement created for acme.test.")
    engagement.save()
    upgraded = path.read_text()
    assert path.with_name("acme.toml.bak").read_text() == SCHEMA_1
    assert "schema = 2" in upgraded and "# written by launchtui 0.1" in upgraded
    for gone in ("[ui]", "[[results.findings]]", "[[changes]]"):
        assert gone not in upgraded
    assert upgraded.index("[[owners]]") < upgraded.index("[history]")
    reloaded = load(path)
    assert [run.scope for run in reloaded.runs] == ["results kept before the run history existed"]
    assert reloaded.latest_findings()[0].summary == "Long TTL."


def test_a_file_from_a_newer_launchtui_is_refused_with_the_version(tmp_path):
    path = write(tmp_path, 'schema = 3\n[domain]\napex = "x.test"\n')
    with pytest.raises(EngagementError) as error:
        Engagement.load(path)
    assert re.search(r"schema: version 3 is newer than this launchtui understands \(it reads "
                     r"up to 2\); update launchtui", str(error.value))  # fmt: skip
