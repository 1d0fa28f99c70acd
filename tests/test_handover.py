"""The handover documents: the one-page checklist, what changed, and monitors as config.

Fixture engagements (a typical sprint and a long one) are rendered with a fixed date and
author, so Markdown and HTML can be compared with golden files
(`LAUNCHTUI_UPDATE_GOLDEN=1` rewrites them after an intended change: read the diff).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import uuid
from pathlib import Path

import pypdf
import pytest
import yaml

from launchtui.audit import runbook_named
from launchtui.engagement import Engagement, Route, Secret
from launchtui.handover.changes import moved_enough
from launchtui.handover.documents import RENDERERS, ExportContext, render
from launchtui.handover.narrative import prose_sentences
from launchtui.runbook import load_profiles
from launchtui.urls import redact_url as redact

from .conftest import golden, run_launchtui

FIXTURES = Path(__file__).parent / "fixtures" / "handover"
PREPARED = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)


def fixture(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.toml"
    shutil.copy(FIXTURES / f"{name}.toml", path)
    return path


def context_for(path: Path, **settings) -> ExportContext:
    engagement = Engagement.load(path)
    return ExportContext(
        engagement,
        runbook_named(engagement.runbook),
        load_profiles().get(engagement.profile),
        prepared=PREPARED,
        prepared_by="Dana Whitfield",
        system_fonts=settings.pop("system_fonts", False),
        **settings,
    )


# -- what changed -----------------------------------------------------------------------


def test_what_changed_sorts_fixed_new_still_open_and_numbers(tmp_path):
    changes = context_for(fixture(tmp_path, "typical")).changes
    fixed = {(f.check, f.target) for f in changes.fixed}
    assert ("http.hsts", "northwind.example") in fixed
    assert ("perf.latency", "app.northwind.example/dashboard") in fixed
    assert [(f.check, f.target) for f in changes.new] == [("http.banner", "api.northwind.example")]
    assert ("edge.cdn", "northwind.example") in {(f.check, f.target) for f in changes.still_open}
    moves = {(m.check, m.target, m.metric): (m.before, m.after, m.unit) for m in changes.numbers}
    assert moves[("perf.latency", "app.northwind.example/dashboard", "p95_ms")] == (
        450.0,
        120.0,
        "ms",
    )
    assert moves[("tls.expiry", "northwind.example", "days_left")] == (200.0, 88.0, "days")
    assert changes.counts_sentence == "23 problems fixed, 1 new, 9 still open."
    assert [f.check for f in changes.accepted] == ["dns.ttl", "dns.ttl"]  # not "still open"


def test_the_json_contract_has_its_keys_and_findings_as_check_reports_them(tmp_path):
    data = json.loads(render(context_for(fixture(tmp_path, "typical")), "changes", "json"))
    for key in ("engagement", "baseline", "latest", "fixed", "new", "still_open", "numbers", "log"):
        assert key in data
    assert data["engagement"] == "northwind-20261120"
    assert data["baseline"] == {"at": "2026-11-20T09:30:00+00:00", "run": "2026-11-20T09:30:00Z"}
    finding_keys = {
        "check",
        "stage",
        "target",
        "status",
        "severity",
        "summary",
        "detail",
        "evidence",
        "fix",
        "refs",
        "metrics",
    }
    assert all(finding_keys <= set(finding) for finding in data["fixed"] + data["new"])
    assert {"check", "target", "metric", "before", "after", "unit"} == set(data["numbers"][0])
    assert {"at", "who", "what"} <= set(data["log"][0])
    assert not any(entry["what"].startswith("Ran ") for entry in data["log"])


def test_a_check_whose_version_changed_is_reported_as_checked_differently(tmp_path):
    path = fixture(tmp_path, "typical")
    text = path.read_text()
    last_run = text.rindex('checks = "')
    text = text[:last_run] + text[last_run:].replace(" http.hsts ", " http.hsts@2 ", 1)
    path.write_text(text)
    changes = context_for(path).changes
    assert "http.hsts" in {f.check for f in changes.checked_differently}
    assert "http.hsts" not in {f.check for f in changes.fixed}


@pytest.mark.parametrize(
    ("before", "after", "unit", "moved"),
    [
        (450, 120, "ms", True),
        (450, 440, "ms", False),  # jitter
        (100, 124, "ms", False),  # under 25 ms
        (6, 88, "days", True),
        (88, 87, "days", False),  # a day passed
        (3600, 300, "seconds", True),
        (12, 7, "DNS lookups", True),
    ],
)
def test_only_numbers_that_moved_enough_count(before, after, unit, moved):
    assert moved_enough(before, after, unit) is moved


def flesch_kincaid_grade(sentences: list[str]) -> float:
    """US school grade of the text (Flesch–Kincaid), syllables counted by vowel groups."""
    words = [w for s in sentences for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", s)]

    def syllables(word: str) -> int:
        word = word.lower().rstrip("'’s")
        groups = re.findall(r"[aeiouy]+", word)
        count = len(groups) - (1 if word.endswith("e") and len(groups) > 1 else 0)
        return max(1, count)

    total = sum(syllables(word) for word in words)
    return 0.39 * len(words) / len(sentences) + 11.8 * total / len(words) - 15.59


@pytest.mark.parametrize("name", ["typical", "long"])
def test_the_summary_reads_at_school_grade_eight_or_below(tmp_path, name):
    summary = context_for(fixture(tmp_path, name)).summary
    sentences = [
        part
        for text in prose_sentences(summary)
        for part in re.split(r"(?<=[.!?])\s+", text)
        if part
    ]
    grade = flesch_kincaid_grade(sentences)
    assert grade <= 8.0, grade


def test_jargon_is_explained_the_first_time_only(tmp_path):
    summary = context_for(fixture(tmp_path, "typical")).summary
    text = "\n".join(prose_sentences(summary))
    assert text.count("DKIM: a signature that proves your emails are really from you") == 1
    assert text.count("(the internet's address book)") == 1
    assert "p95" not in text and "CNAME" not in text


# -- formats ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["typical", "long"])
@pytest.mark.parametrize(
    ("what", "fmt"),
    [("handover", "md"), ("handover", "html"), ("changes", "md"), ("changes", "html")],
)
def test_markdown_and_html_match_their_golden_files(tmp_path, name, what, fmt):
    text = render(context_for(fixture(tmp_path, name)), what, fmt).decode()
    assert text == golden(f"handover/{name}.{what}.{fmt}", text)


def test_html_is_one_self_contained_file(tmp_path):
    html = render(context_for(fixture(tmp_path, "typical")), "handover", "html").decode()
    assert "<style>" in html and "@media print" in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # no outside requests
    assert "&lt;" not in html.split("<body>")[0]


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(__import__("io").BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_the_typical_handover_is_one_page_with_every_section(tmp_path):
    pages, text = pdf_text(render(context_for(fixture(tmp_path, "typical")), "handover", "pdf"))
    assert pages == 1
    for section in (
        "Where everything points",
        "Who owns each account",
        "Where the secrets live",
        "Deploy and roll back",
        "Backups",
        "Monitoring",
        "Open risks",
        "Accepted risks",
        "Next steps",
        "Handover checklist",
    ):
        assert section in text
    assert "op://Ops/Stripe/secret key" in text and "page 1 of 1" in text


def test_a_long_handover_continues_on_a_second_page_with_its_headers_repeated(tmp_path):
    pages, text = pdf_text(render(context_for(fixture(tmp_path, "long")), "handover", "pdf"))
    assert pages == 2
    assert "continued on the next page" in text
    second = (
        pypdf.PdfReader(
            __import__("io").BytesIO(
                render(context_for(fixture(tmp_path, "long")), "handover", "pdf")
            )
        )
        .pages[1]
        .extract_text()
    )
    assert "Secret Env Kept at" in second or "Account Provider Owner" in second
    assert "SERVICE_39_KEY" in text  # nothing clipped


def test_pdf_output_is_the_same_bytes_for_the_same_data(tmp_path):
    context = context_for(fixture(tmp_path, "typical"))
    assert render(context, "changes", "pdf") == render(
        context_for(context.engagement.path), "changes", "pdf"
    )


def test_a_non_latin_name_prints_with_the_bundled_font_and_cjk_through_system_fonts(tmp_path):
    path = fixture(tmp_path, "typical")
    engagement = Engagement.load(path)
    engagement.update_secret("DATABASE_URL", "prod", owner="Ольга Петрова")
    engagement.save()
    _, bundled_only = pdf_text(render(context_for(path), "handover", "pdf"))
    assert "Ольга Петрова" in bundled_only  # DejaVu Sans covers Cyrillic
    assert "王芳" not in bundled_only  # no CJK in the bundled font: boxes, silently
    _, with_system = pdf_text(render(context_for(path, system_fonts=True), "handover", "pdf"))
    assert "王芳" in with_system  # a system CJK font fills in (fonts-wqy-microhei in the lab)


# -- monitors -------------------------------------------------------------------------------


def test_gatus_and_upptime_configs_cover_every_route_with_budgets(tmp_path):
    path = fixture(tmp_path, "typical")
    engagement = Engagement.load(path)
    engagement.add_route(
        Route("account", "https://app.northwind.example/account?token=s3cr3t-Tok", budget_ms=800)
    )
    engagement.save()
    context = context_for(path)
    gatus = yaml.safe_load(render(context, "monitors", "gatus"))
    upptime = yaml.safe_load(render(context, "monitors", "upptime"))
    urls = {route.url for route in engagement.routes}
    gatus_urls = {endpoint["url"] for endpoint in gatus["endpoints"]}
    homepage = "https://www.northwind.example/"
    assert {e["url"] for e in gatus["endpoints"]} >= {homepage}  # the homepage, then routes
    assert len(gatus["endpoints"]) == len({redact(url) for url in urls} | {homepage})
    assert "https://www.northwind.example/" in gatus_urls
    assert "https://app.northwind.example/account?token=REDACTED" in gatus_urls
    login = next(e for e in gatus["endpoints"] if e["name"] == "login")
    assert login["interval"] == "60s"
    assert login["conditions"] == [
        "[STATUS] == 200",
        "[RESPONSE_TIME] < 700",
        "[CERTIFICATE_EXPIRATION] > 720h",
    ]
    assert gatus["alerting"]["custom"]["url"] == "${ALERT_WEBHOOK_URL}"
    sites = {site["name"]: site for site in upptime["sites"]}
    assert sites["health"] == {
        "name": "health",
        "url": "https://api.northwind.example/healthz",
        "expectedStatusCodes": [200],
        "maxResponseTime": 300,
    }
    assert len(sites) == len(gatus["endpoints"])
    text = (
        render(context, "monitors", "gatus").decode()
        + render(context, "monitors", "upptime").decode()
    )
    assert "s3cr3t-Tok" not in text


# -- secrets never leak ---------------------------------------------------------------------


def test_a_canary_kept_in_the_keyring_appears_in_no_export(tmp_path):
    from launchtui import vault

    from .keyring_backend import memory_keyring

    canary = f"canary-{uuid.uuid4().hex}"
    path = fixture(tmp_path, "typical")
    engagement = Engagement.load(path)
    engagement.add_secret(Secret("ADMIN_PASSWORD", reference="keyring:"))
    engagement.save()
    with memory_keyring():
        vault.store(engagement.id, "prod", "ADMIN_PASSWORD", canary)
        context = context_for(path)
        for what, fmt in RENDERERS:
            data = render(context, what, fmt)
            text = pdf_text(data)[1] if fmt == "pdf" else data.decode()
            assert canary not in text, (what, fmt)
            assert "ADMIN_PASSWORD" in text or what == "monitors" or what == "changes"


# -- the command line -----------------------------------------------------------------------


def test_export_writes_each_format_and_logs_it(tmp_path):
    path = fixture(tmp_path, "typical")
    shown = run_launchtui("export", str(path), "--what", "changes", "--format", "md")
    assert shown.returncode == 0 and shown.stdout.startswith("# What changed: Northwind Goods")
    pdf = tmp_path / "handover.pdf"
    written = run_launchtui("export", str(path), "--format", "pdf", "--output", str(pdf))
    assert written.returncode == 0, written.stderr
    assert pdf_text(pdf.read_bytes())[0] == 1
    last = Engagement.load(path).changes[-1]
    assert last.what == "Exported the one-page handover checklist (PDF) to handover.pdf."
    assert (last.who, last.stage) == ("tester", "handover")


def test_export_all_writes_every_document_into_a_folder(tmp_path):
    path = fixture(tmp_path, "typical")
    folder = tmp_path / "out"
    result = run_launchtui(
        "export", str(path), "--what", "all", "--format", "html", "--output", str(folder)
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == [
        ".upptimerc.yml",
        "gatus.yaml",
        "handover.html",
        "what-changed.html",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--what", "monitors", "--format", "pdf"],
            "valid: handover: md, html, pdf, json; changes:",
        ),
        (["--what", "handover", "--format", "gatus"], "is not a document"),
        (["--what", "all", "--format", "md"], "give a folder with --output DIR"),
    ],
)
def test_export_usage_errors_are_exit_2_and_say_what_is_valid(tmp_path, args, message):
    result = run_launchtui("export", str(fixture(tmp_path, "typical")), *args)
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_pdf_goes_to_a_pipe_but_never_over_a_device_or_into_a_folder(tmp_path):
    import subprocess
    import sys

    path = fixture(tmp_path, "typical")
    piped = subprocess.run(
        [sys.executable, "-m", "launchtui", "export", str(path), "--format", "pdf"],
        capture_output=True,
        timeout=120,
    )
    assert piped.returncode == 0 and piped.stdout.startswith(b"%PDF")
    refused = run_launchtui("export", str(path), "--format", "pdf", "--output", str(tmp_path))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr


def test_a_template_dir_overrides_one_template_and_the_wording(tmp_path):
    mine = tmp_path / "templates"
    mine.mkdir()
    (mine / "changes.md.j2").write_text("Summary for {{ product }}: {{ counts }}\n")
    result = run_launchtui(
        "export",
        str(fixture(tmp_path, "typical")),
        "--what",
        "changes",
        "--template-dir",
        str(mine),
    )
    assert result.stdout == "Summary for Northwind Goods: 23 problems fixed, 1 new, 9 still open.\n"
    handover = run_launchtui(
        "export", str(fixture(tmp_path, "typical")), "--template-dir", str(mine)
    )
    assert handover.stdout.startswith("# Handover: Northwind Goods")  # shipped template
