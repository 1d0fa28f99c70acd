"""Redaction never shows a key; the ignore file accepts findings by fingerprint."""

from __future__ import annotations

import hashlib

from launchtui.checks.secrets import fingerprint, parse_ignore_text, redact
from launchtui.checks.secrets.ignore import DEFAULT_REASON, apply_ignore, load_ignore_file
from launchtui.findings import Finding, Severity, Status

from .planted import Fakes


def test_redaction_shows_a_prefix_the_length_and_a_fingerprint():
    value = "sk" + "_live_" + Fakes(1).chars(99)
    shown = redact(value, keep=4)
    assert shown.startswith("sk_l…(107 chars) #")
    assert shown.endswith(fingerprint(value)[:8])
    assert value[4:] not in shown


def test_fingerprint_is_sha256_prefix():
    value = Fakes(2).chars(40)
    assert fingerprint(value) == hashlib.sha256(value.encode()).hexdigest()[:16]
    assert len(fingerprint(value)) == 16


def test_unknown_values_show_at_most_one_character_in_eight():
    short = "hunter22"
    assert redact(short).startswith("h…(8 chars)")
    assert redact("abc").startswith("…(3 chars)")
    sixteen = Fakes(3).chars(16)
    assert redact(sixteen).startswith(sixteen[:2] + "…(16 chars)")
    assert redact(sixteen, keep=4).startswith(sixteen[:4] + "…")


def test_non_ascii_prefix_is_masked():
    assert redact("\udcff\udcfeabcdefghijklmno").startswith("??")


def test_ignore_file_format():
    ignore = parse_ignore_text(
        "# accepted findings\n"
        "\n"
        "1a2b3c4d5e6f7a8b  # Stripe test key in fixtures\n"
        "FFEEDDCCBBAA9988\n"
        "not-a-fingerprint\n"
    )
    assert ignore.reason_for("1a2b3c4d5e6f7a8b") == "Stripe test key in fixtures"
    assert ignore.reason_for("ffeeddccbbaa9988") == DEFAULT_REASON
    assert ignore.reason_for("0000000000000000") is None
    assert len(ignore.problems) == 1 and "line 5" in ignore.problems[0]


def test_apply_ignore_marks_findings_suppressed(tmp_path):
    finding = Finding(
        check="secrets.tree",
        stage="security",
        target="app.py:3",
        status=Status.FAIL,
        severity=Severity.CRITICAL,
        summary="A key.",
        evidence={"fingerprint": "1a2b3c4d5e6f7a8b"},
    )
    other = Finding("secrets.tree", "security", "x", Status.PASS, Severity.INFO, "fine")
    path = tmp_path / ".launchtui-ignore"
    path.write_text("1a2b3c4d5e6f7a8b # revoked last week\n")
    marked = apply_ignore([finding, other], load_ignore_file(path))
    assert marked[0].suppressed == "revoked last week" and not marked[0].is_problem
    assert marked[1] == other
    assert load_ignore_file(tmp_path / "missing").reasons == {}
