"""The engagement file: human-editable, round-trip safe, atomic, and never clobbered."""

import os
from pathlib import Path

import pytest

from launchtui.engagement import Engagement, EngagementError, Route, Suppression, infer_route_kind
from launchtui.findings import Finding, Severity, Status

HAND_WRITTEN = """\
# Acme launch, kept by Dana.
schema = 1
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
name = "login"
url = "https://app.acme.test/login"
budget_ms = 700
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "acme.toml"
    path.write_text(text)
    return path


def test_a_hand_written_file_reads_with_inferred_route_kind(tmp_path):
    engagement = Engagement.load(write(tmp_path, HAND_WRITTEN))
    assert engagement.apex == "acme.test"
    assert engagement.canonical_host == "www.acme.test"
    assert [s.name for s in engagement.subdomains] == ["app.acme.test"]
    assert engagement.routes == [Route("login", "https://app.acme.test/login", "GET", "auth", 700)]


def test_comments_and_key_order_survive_load_change_save(tmp_path):
    path = write(tmp_path, HAND_WRITTEN)
    engagement = Engagement.load(path)
    engagement.add_subdomain("api")
    engagement.mark_checklist("dns", "registrar-2fa", True, by="dana")
    engagement.save()
    saved = path.read_text()
    assert saved.startswith(HAND_WRITTEN.split("[[routes]]")[0].split("# we add")[0])
    for comment in (
        "# Acme launch, kept by Dana.",
        "# the name on the invoice",
        "# we add more subdomains after the call",
    ):
        assert comment in saved
    reloaded = Engagement.load(path)
    assert [s.name for s in reloaded.subdomains] == ["app.acme.test", "api.acme.test"]
    assert reloaded.checklist_marks()[("dns", "registrar-2fa")].by == "dana"


def test_saving_keeps_the_previous_version_as_bak(tmp_path):
    path = write(tmp_path, HAND_WRITTEN)
    engagement = Engagement.load(path)
    engagement.set_notes("dns", "Registrar is Namecheap, login in 1Password.")
    engagement.save()
    assert path.with_name("acme.toml.bak").read_text() == HAND_WRITTEN
    assert "Namecheap" in path.read_text()


def test_a_crash_mid_save_leaves_the_old_file_whole(tmp_path, monkeypatch):
    path = write(tmp_path, HAND_WRITTEN)
    engagement = Engagement.load(path)
    engagement.set_notes("dns", "half-written change")

    def crash(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        engagement.save()
    assert path.read_text() == HAND_WRITTEN
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("schema = 1\n[domain\napex = 'x.test'\n", r"acme.toml:2:\d+: not valid TOML"),
        ('[domain]\napex = "x.test"\n', "schema: missing"),
        ('schema = 9\n[domain]\napex = "x.test"\n', "schema: version 9 is newer"),
        ("schema = 1\n", "domain: missing table"),
        ('schema = 1\n[domain]\napex = "not a domain"\n', "domain.apex: .*space"),
        (
            'schema = 1\n[domain]\napex = "x.test"\n[[routes]]\nname = "a"\nurl = "ftp://x"\n',
            r"routes\[0\].url: 'ftp://x' must start with http",
        ),
        (
            'schema = 1\n[domain]\napex = "x.test"\n[[routes]]\nname = "a"\n'
            'url = "https://x.test/"\nbudget_ms = "fast"\n',
            r"routes\[0\].budget_ms",
        ),
        (
            'schema = 1\n[domain]\napex = "x.test"\n[[domain.subdomains]]\nname = "a"\n'
            'role = "boss"\n',
            r"domain.subdomains\[0\].role: 'boss'",
        ),
        (
            'schema = 1\n[domain]\napex = "x.test"\n[email]\nin_scope = "yes"\n',
            "email.in_scope: expected true or false",
        ),
        (
            'schema = 1\n[domain]\napex = "x.test"\n[[suppressions]]\ncheck = "dns.ttl"\n',
            r"suppressions\[0\].reason: missing",
        ),
    ],
)
def test_a_broken_file_names_line_or_key_and_stays_byte_for_byte(tmp_path, text, message):
    path = write(tmp_path, text)
    before = path.read_bytes()
    with pytest.raises(EngagementError, match=message):
        Engagement.load(path)
    assert path.read_bytes() == before


def test_unreadable_inputs_get_plain_errors(tmp_path):
    with pytest.raises(EngagementError, match="no such file"):
        Engagement.load(tmp_path / "missing.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(EngagementError, match="not a text file"):
        Engagement.load(binary)


def test_a_new_engagement_is_valid_toml_with_a_schema_and_change_log(tmp_path):
    engagement = Engagement.new(
        tmp_path / "new.toml", apex="https://Bücher.test/", product="Bücher"
    )
    engagement.save()
    reloaded = Engagement.load(tmp_path / "new.toml")
    assert reloaded.doc["schema"] == 1
    assert reloaded.apex == "xn--bcher-kva.test"
    assert "created" in reloaded.doc["changes"][0]["what"]


def test_findings_and_suppressions_are_kept_for_next_time(tmp_path):
    path = write(tmp_path, HAND_WRITTEN)
    engagement = Engagement.load(path)
    finding = Finding(
        "dns.ttl",
        "dns",
        "acme.test A",
        Status.WARN,
        Severity.LOW,
        "Long TTL.",
        evidence={"ttl": 172800},
    )
    engagement.record_findings([finding])
    engagement.add_suppression(Suppression("dns.ttl", "acme.test *", "planned move is done"))
    engagement.save()
    reloaded = Engagement.load(path)
    assert reloaded.last_findings() == [finding]
    assert reloaded.suppressions[0].matches(finding)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("login", "auth"),
        ("password-reset", "auth"),
        ("signup", "auth"),
        ("healthz", "health"),
        ("status", "health"),
        ("dashboard", "page"),
        ("pricing", "page"),
    ],
)
def test_route_kinds_are_inferred_from_names(name, kind):
    assert infer_route_kind(name) == kind
