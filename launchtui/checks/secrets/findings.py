"""How the secret checks word their findings: a key found (never its value), a part of the
scan that could not run, and the files that could not be read."""

from __future__ import annotations

from typing import Any

from ...findings import Finding, Severity, Status
from ..registry import CheckSpec
from .ignore import IGNORE_FILE_NAME
from .rules import REMOVE_FROM_HISTORY
from .scanner import Hit
from .sources import SkippedFile, SkipReason

MAX_NAMES_IN_DETAIL = 10


def error_finding(spec: CheckSpec, target: str, sentence: str) -> Finding:
    """A part of the scan that could not run, said in a sentence."""
    return spec.finding(
        target,
        Status.ERROR,
        sentence,
        severity=Severity.HIGH,
        detail="Leaked keys are the most common launch risk, so treat this part as unchecked "
        "until it runs.",
        fix="Fix the problem described and run the check again.",
    )


def _scrub(text: str, secret: str, masked: str) -> str:
    """Belt and braces: no text we build may contain the secret, whatever went into it."""
    return text.replace(secret, masked) if secret and secret in text else text


def secret_finding(
    spec: CheckSpec,
    hit: Hit,
    path: str,
    *,
    summary: str,
    where: str,
    severity: Severity | None = None,
    extra_detail: str = "",
    extra_evidence: dict[str, Any] | None = None,
) -> Finding:
    rule = hit.rule
    masked = hit.redacted
    key_fingerprint = hit.fingerprint
    named = f", assigned to {hit.name}" if hit.name else ""
    detail = " ".join(
        part
        for part in (
            f"Found {where} in {path}, line {hit.line}{named}; shown here only as {masked}.",
            hit.note,
            extra_detail,
            f"If you have checked it and accept it (a test fixture, a key already revoked), add "
            f"the line `{key_fingerprint}  # why` to {IGNORE_FILE_NAME}.",
        )
        if part
    )
    evidence: dict[str, Any] = {
        "rule": rule.id,
        "title": rule.title,
        "fingerprint": key_fingerprint,
        "redacted": masked,
        "path": path,
        "line": hit.line,
    }
    if hit.name:
        evidence["variable"] = hit.name
    evidence.update(extra_evidence or {})
    secret = hit.value
    clean_evidence = {
        key: _scrub(value, secret, masked) if isinstance(value, str) else value
        for key, value in evidence.items()
    }
    return spec.finding(
        _scrub(f"{path}:{hit.line}", secret, masked),
        Status.FAIL,
        _scrub(summary, secret, masked),
        severity=severity or hit.severity,
        detail=_scrub(detail, secret, masked),
        evidence=clean_evidence,
        fix=rule.fix,
        refs=tuple(dict.fromkeys((*rule.refs, REMOVE_FROM_HISTORY))),
    )


def coverage_finding(spec: CheckSpec, target: str, skipped: list[SkippedFile]) -> Finding | None:
    """One warning naming files we wanted to read but could not: a key there goes unseen."""
    too_large = [item for item in skipped if item.reason is SkipReason.TOO_LARGE]
    unreadable = [item for item in skipped if item.reason is SkipReason.UNREADABLE]
    missed = too_large + unreadable
    if not missed:
        return None
    parts = []
    if too_large:
        parts.append(f"{len(too_large)} too large")
    if unreadable:
        parts.append(f"{len(unreadable)} unreadable")
    names = ", ".join(
        item.path + (f" ({item.commit[:7]})" if item.commit else "")
        for item in missed[:MAX_NAMES_IN_DETAIL]
    )
    more = (
        f" and {len(missed) - MAX_NAMES_IN_DETAIL} more"
        if len(missed) > MAX_NAMES_IN_DETAIL
        else ""
    )
    count = len(missed)
    return spec.finding(
        target,
        Status.WARN,
        f"{count} file{'s' if count != 1 else ''} could not be scanned ({', '.join(parts)}), "
        "so a key inside would go unnoticed.",
        severity=Severity.LOW,
        detail=f"Not scanned: {names}{more}.",
        evidence={
            "files": [
                {"path": item.path, "reason": item.reason.value, "detail": item.detail}
                for item in missed[:50]
            ],
            "count": count,
        },
        fix="Look through these files by hand, or raise the size limit (launchtui scan "
        "--max-file-size MIB); make "
        "unreadable files readable by the user running launchtui.",
    )


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"
