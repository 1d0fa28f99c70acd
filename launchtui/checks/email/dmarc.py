"""DMARC (RFC 7489): email.dmarc (one valid record at _dmarc), email.dmarc.policy (what
receivers do with forgeries, against the profile) and email.dmarc.rua (where the
reports go, and whether another domain has agreed to take them)."""

from __future__ import annotations

import asyncio
import re
import urllib.parse
from typing import Any

from ...context import CheckContext
from ...findings import Finding, Severity, Status
from ...parsers.dmarc import (
    DmarcRecord,
    diagnose_skipped_record,
    is_dmarc_attempt,
    parse_dmarc,
)
from ...resolver import Answer, Resolver
from ..problems import Problem, fold_problems
from ..registry import CheckSpec, register
from .txt import txt_texts

DMARC = CheckSpec("email.dmarc", "DMARC record", Severity.HIGH)
DMARC_POLICY = CheckSpec("email.dmarc.policy", "DMARC policy", Severity.HIGH)
DMARC_RUA = CheckSpec("email.dmarc.rua", "DMARC reports", Severity.MEDIUM)

RFC7489 = "https://www.rfc-editor.org/rfc/rfc7489"

_POLICY_STRENGTH = {"none": 0, "quarantine": 1, "reject": 2}
# RFC 7489 §6.6.3: only TXT records that start with v=DMARC1 are DMARC records. We match
# the version loosely so a miswritten "v=dmarc1" is judged (and named) by the parser.
_DMARC_START = re.compile(r"\s*v\s*=\s*dmarc1\s*(;|\Z)", re.IGNORECASE)
_REPORT_SIZE_LIMIT = re.compile(r"![0-9]+[kmgt]?\Z", re.IGNORECASE)


async def _dmarc_texts(resolver: Resolver, apex: str) -> tuple[Answer, list[str], list[str]]:
    """The DMARC records at _dmarc.<apex>, and the TXT records there that were meant as one
    but that receivers skip (no `v=DMARC1` first)."""
    answer, texts = await txt_texts(resolver, f"_dmarc.{apex}")
    records = [text for text in texts if _DMARC_START.match(text)]
    skipped = [text for text in texts if text not in records and is_dmarc_attempt(text)]
    return answer, records, skipped


@register(DMARC)
async def check_dmarc_record(context: CheckContext) -> list[Finding]:
    apex = context.apex
    answer, records, skipped = await _dmarc_texts(context.resolver, apex)
    evidence: dict[str, Any] = {"name": f"_dmarc.{apex}", "records": records}
    if answer.outcome.is_failure:
        return [DMARC.finding(apex, Status.ERROR, answer.describe(), evidence=evidence)]
    if not records and skipped:
        return [_unusable_dmarc(apex, skipped, evidence)]
    if not records:
        return [_missing_dmarc(context, evidence)]
    if len(records) > 1:
        return [
            DMARC.finding(
                apex,
                Status.FAIL,
                f"{apex} has {len(records)} DMARC records; receivers ignore all of them, so "
                "you have no DMARC protection.",
                detail="\n".join(records),
                evidence=evidence,
                fix=f"Keep exactly one TXT record starting v=DMARC1 at _dmarc.{apex}.",
                refs=(f"{RFC7489}#section-6.6.3",),
            )
        ]
    record = parse_dmarc(records[0])
    evidence.update(record=records[0], problems=list(record.problems), policy=record.policy)
    if not record.valid:
        return [
            DMARC.finding(
                apex,
                Status.FAIL,
                f"{apex}'s DMARC record has a mistake that makes receivers ignore it, so you "
                "have no DMARC protection.",
                detail="\n".join(record.problems),
                evidence=evidence,
                fix="Correct the record as described, then re-run this check.",
                refs=(f"{RFC7489}#section-6.3",),
            )
        ]
    advice = _dmarc_advice_beyond_policy(record)
    if advice:
        return [
            DMARC.finding(
                apex,
                Status.WARN,
                f"{apex}'s DMARC record works, but: {advice[0]}",
                severity=Severity.LOW,
                detail="\n".join(advice[1:]),
                evidence=evidence,
                refs=(f"{RFC7489}#section-6.3",),
            )
        ]
    return [
        DMARC.finding(apex, Status.PASS, f"{apex} has one valid DMARC record.", evidence=evidence)
    ]


def _unusable_dmarc(apex: str, skipped: list[str], evidence: dict[str, Any]) -> Finding:
    """A record was published but is not a DMARC record to receivers: say it was found, what
    is wrong with it, and the record it should be."""
    misfit = diagnose_skipped_record(skipped[0])
    fix = (
        f'Replace the TXT record at _dmarc.{apex} with "{misfit.corrected}".'
        if misfit.corrected
        else f'Replace the TXT record at _dmarc.{apex} with one that starts "v=DMARC1; p=".'
    )
    return DMARC.finding(
        apex,
        Status.FAIL,
        f'A TXT record was found at _dmarc.{apex} ("{skipped[0]}"), but receivers do not read '
        f"it as DMARC, so you have no DMARC protection: {misfit.problem}",
        detail="\n".join(f"Also at _dmarc.{apex}: {text}" for text in skipped[1:]),
        evidence={**evidence, "skipped_records": skipped, "corrected": misfit.corrected},
        fix=fix,
        refs=(f"{RFC7489}#section-6.6.3",),
    )


def _missing_dmarc(context: CheckContext, evidence: dict[str, Any]) -> Finding:
    apex = context.apex
    # We look only at _dmarc.<apex>. For a subdomain apex, receivers fall back to the
    # organisational domain's record (RFC 7489 §6.6.3), which needs the public suffix list.
    fallback = (
        f"If {apex} is a subdomain, receivers use its parent domain's DMARC record instead; "
        "this check does not look there."
        if apex.count(".") >= 2
        else ""
    )
    if not context.email_in_scope:
        return DMARC.finding(
            apex,
            Status.SKIPPED,
            f"{apex} has no DMARC record; email is out of scope for this engagement.",
            severity=Severity.INFO,
            detail=f'A domain that sends no mail should still publish "v=DMARC1; p=reject" at '
            f"_dmarc.{apex}, so receivers reject mail forged in its name. {fallback}".strip(),
            evidence=evidence,
        )
    return DMARC.finding(
        apex,
        Status.FAIL,
        f"{apex} has no DMARC record, so receivers do not know what to do with mail forged in "
        "your name, and nobody tells you it happens.",
        detail=fallback,
        evidence=evidence,
        fix=f'Publish a TXT record at _dmarc.{apex}: "v=DMARC1; p=none; rua=mailto:dmarc@{apex}" '
        "to start, then move to p=quarantine or p=reject once the reports show only your "
        "own senders.",
        refs=(RFC7489,),
    )


def _dmarc_advice_beyond_policy(record: DmarcRecord) -> list[str]:
    """The parser's notes on a valid record, minus those email.dmarc.policy reports.

    Like `_advice_beyond_all`: parse a record holding only p=, pct= and a usable rua=
    and drop the notes it yields (missing p=, pct below 100).
    """
    tags = ["v=DMARC1"]
    if record.policy:
        tags.append(f"p={record.policy}")
    if record.pct < 100:
        tags.append(f"pct={record.pct}")
    if _mailto_addresses(record):
        tags.append("rua=mailto:reports@example.com")
    covered = set(parse_dmarc("; ".join(tags)).problems)
    return [problem for problem in record.problems if problem not in covered]


async def _single_dmarc(context: CheckContext, spec: CheckSpec) -> DmarcRecord | Finding:
    """The apex's one valid DMARC record, or the finding that says why there is none to judge."""
    answer, records, skipped = await _dmarc_texts(context.resolver, context.apex)
    if answer.outcome.is_failure:
        return spec.finding(context.apex, Status.ERROR, answer.describe())
    record = parse_dmarc(records[0]) if len(records) == 1 else None
    if record is None or not record.valid:
        usable = records or skipped
        reason = "no DMARC record" if not usable else "no DMARC record receivers would use"
        return spec.finding(
            context.apex,
            Status.SKIPPED,
            f"{context.apex} has {reason}; see email.dmarc.",
            severity=Severity.INFO,
        )
    return record


# -- email.dmarc.policy -----------------------------------------------------------


@register(DMARC_POLICY)
async def check_dmarc_policy(context: CheckContext) -> list[Finding]:
    apex = context.apex
    record = await _single_dmarc(context, DMARC_POLICY)
    if isinstance(record, Finding):
        return [record]
    # A record without a usable p= is treated as p=none by receivers that read it.
    policy = record.policy or "none"
    subdomain_policy = record.subdomain_policy or policy
    profile = context.profile
    evidence = {
        "p": record.policy,
        "sp": record.subdomain_policy,
        "pct": record.pct,
        "testing": record.testing,
        "profile": profile.id,
    }
    problems: list[Problem] = []
    if policy == "none":
        fails = profile.dmarc_none_fails
        written = "p=none" if record.policy else "no valid p= (read as p=none)"
        summary = (
            f"{apex}'s DMARC policy is {written}: receivers only report mail forged in your "
            "name and still deliver it, so a fake password reset or invoice reaches your users."
        )
        if fails:
            summary += f" For {profile.title} that blocks the launch."
        problems.append(
            Problem(
                Status.FAIL if fails else Status.WARN,
                Severity.HIGH if fails else Severity.MEDIUM,
                summary,
                "Once the DMARC reports show only your own senders, change p=none to "
                "p=quarantine, then p=reject.",
            )
        )
    if _POLICY_STRENGTH[subdomain_policy] < _POLICY_STRENGTH[policy]:
        problems.append(
            Problem(
                Status.WARN,
                Severity.MEDIUM,
                f"Subdomains get a weaker DMARC policy (sp={subdomain_policy}) than {apex} "
                f"(p={policy}), so mail forged from a made-up name such as billing.{apex} is "
                "delivered.",
                f"Remove sp= or set it to {policy}.",
            )
        )
    if policy != "none" and record.pct < 100:
        problems.append(
            Problem(
                Status.WARN,
                Severity.MEDIUM,
                f"Your DMARC policy applies to only {record.pct}% of failing mail; the other "
                f"{100 - record.pct}% of forgeries are delivered as if you had p=none.",
                "Remove pct= (or set pct=100) once the reports look clean.",
            )
        )
    if policy != "none" and record.testing:
        problems.append(
            Problem(
                Status.WARN,
                Severity.LOW,
                "Your DMARC record is in testing mode (t=y), so receivers apply a milder "
                "policy than the one you wrote.",
                "Remove t=y once the reports look clean.",
            )
        )
    return [
        fold_problems(
            DMARC_POLICY,
            apex,
            problems,
            pass_summary=f"{apex}'s DMARC policy is p={policy}: receivers "
            f"{'reject' if policy == 'reject' else 'send to spam'} mail forged in your name.",
            evidence=evidence,
            refs=(f"{RFC7489}#section-6.3",),
        )
    ]


# -- email.dmarc.rua --------------------------------------------------------------


def _mailto_addresses(record: DmarcRecord) -> list[str]:
    """rua= mailto: addresses without the scheme or a "!10m" size limit (RFC 7489 §6.2)."""
    addresses = []
    for uri in record.rua:
        scheme, _, rest = uri.partition(":")
        if scheme.lower() == "mailto" and "@" in rest:
            addresses.append(urllib.parse.unquote(_REPORT_SIZE_LIMIT.sub("", rest)).strip())
    return addresses


def _same_organisation(domain: str, apex: str) -> bool:
    """Whether reports to `domain` need no authorization: it is the apex, under it or above it.

    RFC 7489 §7.1 compares organisational domains, which needs the public suffix list;
    this approximation asks for authorization from sibling subdomains too.
    """
    return domain == apex or domain.endswith(f".{apex}") or apex.endswith(f".{domain}")


@register(DMARC_RUA)
async def check_dmarc_reports(context: CheckContext) -> list[Finding]:
    apex = context.apex
    record = await _single_dmarc(context, DMARC_RUA)
    if isinstance(record, Finding):
        return [record]
    addresses = _mailto_addresses(record)
    evidence: dict[str, Any] = {"rua": addresses}
    if not addresses:
        return [
            DMARC_RUA.finding(
                apex,
                Status.WARN,
                f"{apex}'s DMARC record asks for no reports (no rua= address), so you will not "
                "learn who sends mail as you: neither forgers nor a forgotten service of your own.",
                severity=Severity.MEDIUM,
                evidence=evidence,
                fix=f"Add rua=mailto:dmarc@{apex} (a mailbox someone reads, or a DMARC report "
                "service's address) to the record.",
                refs=(f"{RFC7489}#section-6.3",),
            )
        ]
    external = sorted(
        {
            address.rpartition("@")[2].lower().rstrip(".")
            for address in addresses
            if not _same_organisation(address.rpartition("@")[2].lower().rstrip("."), apex)
        }
    )
    answers = await asyncio.gather(
        *(txt_texts(context.resolver, f"{apex}._report._dmarc.{domain}") for domain in external)
    )
    authorized: dict[str, bool] = {}
    problems: list[Problem] = []
    for domain, (answer, texts) in zip(external, answers, strict=True):
        if answer.outcome.is_failure:
            problems.append(
                Problem(
                    Status.ERROR,
                    DMARC_RUA.severity,
                    f"Could not check whether {domain} accepts your DMARC reports: "
                    + answer.describe(),
                )
            )
            continue
        authorized[domain] = any(_DMARC_START.match(text) for text in texts)
        if not authorized[domain]:
            problems.append(
                Problem(
                    Status.WARN,
                    Severity.MEDIUM,
                    f"Reports addressed to {domain} will not be sent: {domain} has not published "
                    f"that it accepts DMARC reports for {apex}, so receivers drop them.",
                    f'Ask {domain} to publish TXT "v=DMARC1" at {apex}._report._dmarc.{domain} '
                    f"(report services do this when you add your domain), or send reports to "
                    f"an address at {apex}.",
                )
            )
    evidence["external_authorized"] = authorized
    return [
        fold_problems(
            DMARC_RUA,
            apex,
            problems,
            pass_summary=f"DMARC reports about mail sent as {apex} go to {', '.join(addresses)}.",
            evidence=evidence,
            refs=(f"{RFC7489}#section-7.1",),
        )
    ]
