"""CORS verdicts for a request sent with a foreign Origin."""

from __future__ import annotations

import pytest

from launchtui.parsers.cors import judge_cors

FOREIGN = "https://evil.example"


def cors_headers(allow_origin: str | None, credentials: str | None = None) -> dict[str, str]:
    headers = {"content-type": "text/html"}
    if allow_origin is not None:
        headers["access-control-allow-origin"] = allow_origin
    if credentials is not None:
        headers["access-control-allow-credentials"] = credentials
    return headers


def test_no_cors_headers_is_safe() -> None:
    verdict = judge_cors(FOREIGN, cors_headers(None))
    assert verdict.allowed_origin is None
    assert not (verdict.reflects_origin or verdict.wildcard or verdict.null_origin)
    assert not verdict.dangerous
    assert verdict.summary.startswith("Other websites cannot read this page")


def test_reflected_origin_with_credentials_is_dangerous() -> None:
    verdict = judge_cors(FOREIGN, cors_headers(FOREIGN, "true"))
    assert verdict.reflects_origin
    assert verdict.allows_credentials
    assert verdict.dangerous
    assert "as your logged-in visitor" in verdict.summary
    assert FOREIGN in verdict.summary


def test_reflected_origin_without_credentials_is_not_dangerous() -> None:
    verdict = judge_cors(FOREIGN, cors_headers(FOREIGN))
    assert verdict.reflects_origin
    assert not verdict.dangerous
    assert "without your visitors' cookies" in verdict.summary


def test_null_origin_with_credentials_is_dangerous() -> None:
    verdict = judge_cors(FOREIGN, cors_headers("null", "true"))
    assert verdict.null_origin
    assert not verdict.reflects_origin
    assert verdict.dangerous
    assert "sandboxed iframe" in verdict.summary


def test_null_origin_without_credentials_is_not_dangerous() -> None:
    verdict = judge_cors(FOREIGN, cors_headers("null"))
    assert verdict.null_origin
    assert not verdict.dangerous


def test_wildcard_alone_is_fine_for_public_data() -> None:
    verdict = judge_cors(FOREIGN, cors_headers("*"))
    assert verdict.wildcard
    assert not verdict.dangerous
    assert "anonymous visitor" in verdict.summary


def test_wildcard_with_credentials_is_a_mistake_but_not_a_leak() -> None:
    """Browsers refuse * with credentials (Fetch, CORS check): nothing can be read, so the
    check warns about the intent instead of failing."""
    verdict = judge_cors(FOREIGN, cors_headers("*", "true"))
    assert verdict.wildcard
    assert verdict.allows_credentials
    assert not verdict.dangerous
    assert "Browsers refuse that exact combination" in verdict.summary


def test_a_fixed_trusted_origin_is_fine_even_with_credentials() -> None:
    verdict = judge_cors(FOREIGN, cors_headers("https://app.example.com", "true"))
    assert not verdict.dangerous
    assert (
        verdict.summary == "Only https://app.example.com may read this page from another website."
    )


@pytest.mark.parametrize("credentials", ["True", "TRUE", "1", "yes", "", " false"])
def test_only_exactly_true_allows_credentials(credentials: str) -> None:
    """The Fetch standard compares the header byte for byte with `true`."""
    verdict = judge_cors(FOREIGN, cors_headers(FOREIGN, credentials))
    assert not verdict.allows_credentials
    assert not verdict.dangerous


def test_surrounding_whitespace_is_ignored() -> None:
    verdict = judge_cors(FOREIGN, cors_headers(f" {FOREIGN} ", " true "))
    assert verdict.dangerous


def test_several_origins_in_one_header_are_rejected_by_browsers() -> None:
    verdict = judge_cors(FOREIGN, cors_headers(f"https://a.example, {FOREIGN}", "true"))
    assert not verdict.reflects_origin
    assert not verdict.dangerous
    assert "browsers reject that" in verdict.summary


def test_mixed_case_header_names_are_accepted() -> None:
    verdict = judge_cors(
        FOREIGN,
        {"Access-Control-Allow-Origin": FOREIGN, "Access-Control-Allow-Credentials": "true"},
    )
    assert verdict.dangerous


def test_empty_allow_origin_counts_as_absent() -> None:
    verdict = judge_cors(FOREIGN, cors_headers("", "true"))
    assert not verdict.dangerous
    assert verdict.summary.startswith("Other websites cannot read this page")


def test_the_verdict_records_what_was_sent_and_received() -> None:
    verdict = judge_cors(FOREIGN, cors_headers(FOREIGN, "true"))
    assert verdict.request_origin == FOREIGN
    assert verdict.allowed_origin == FOREIGN
