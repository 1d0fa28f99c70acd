"""The one-page handover checklist: everything the founder needs to run the product
without the consultant, from the engagement and its latest results.

References only, never values: a secret appears as where it lives (`op://…`), its owner
and its rotation status. The result is plain data every format renders the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..engagement import Engagement, apply_suppressions
from ..findings import Finding
from ..runbook import ChecklistItem, Profile, Runbook
from ..urls import redact_url
from .monitors import monitored_endpoints
from .narrative import document_heading, severity_order
from .plain import Glossary, PlainLanguage, fill, places

# How many risks of each tier the page lists; the rest are counted (the check report
# has them all). Blockers come first and are rarely many.
_OPEN_RISKS_SHOWN = {"blocker": 6, "important": 3, "optional": 2}
_TWO_FACTOR = {True: "on", False: "OFF", None: "?"}
_PLACES_NAMED = 2  # a one-page document names two places, then counts the rest


def handover_document(
    engagement: Engagement,
    runbook: Runbook,
    profile: Profile | None,
    words: PlainLanguage,
    *,
    prepared: dt.datetime,
    prepared_by: str,
) -> dict[str, Any]:
    findings = apply_suppressions(engagement.latest_findings(), engagement.suppressions)
    checked_at = engagement.last_checked
    glossary = Glossary(words.glossary)
    apex = engagement.apex
    deploy, backup, monitoring = engagement.deploy, engagement.backup, engagement.monitoring
    return {
        **document_heading("Handover", engagement, prepared, prepared_by),
        "checked": f"{checked_at:%d %B %Y, %H:%M} UTC" if checked_at else "never",
        "profile": profile.title if profile else engagement.profile,
        "hosts": _hosts(engagement, findings, checked_at),
        "owners": [
            {
                "account": o.account,
                "provider": o.provider or "-",
                "owner": o.owner or "-",
                "two_factor": _TWO_FACTOR[o.two_factor],
                "recovery": o.recovery or "-",
            }
            for o in engagement.owners
        ],
        "secrets": [
            {
                "name": s.name,
                "environment": s.environment,
                "reference": s.reference or "-",
                "owner": s.owner or "-",
                "last_rotated": f"{s.last_rotated:%Y-%m-%d}" if s.last_rotated else "never",
                "status": s.status(prepared.date()).value,
            }
            for s in engagement.secrets
        ],
        "environments": [
            {"name": e.name, "url": redact_url(e.url) or "-", "notes": e.notes or ""}
            for e in engagement.environments
        ],
        "deploy": {
            "recorded": deploy.recorded,
            "provider": deploy.provider,
            "how": deploy.how,
            "rollback": list(deploy.rollback),
            "last_good": deploy.last_good,
            "who": deploy.who,
        },
        "backup": {
            "recorded": backup.recorded,
            "what": backup.what,
            "schedule": backup.schedule,
            "restore": list(backup.restore),
            "tested": f"{backup.tested:%d %B %Y}" if backup.tested else "never",
        },
        "monitoring": {
            "service": monitoring.service or "not chosen yet",
            "alerts_to": monitoring.alerts_to or "nobody yet",
            "watched": [
                {"name": endpoint.name, "url": endpoint.url, "limit": f"{endpoint.budget_ms} ms"}
                for endpoint in monitored_endpoints(engagement, profile)
            ],
            "every": _every(profile),
            "certificates": _certificate_rule(profile),
        },
        "checklist": [
            {
                "done": mark.done if mark else False,
                "text": item.text,
                "by": (f"{mark.by}, {mark.at:%d %b}" if mark.at else mark.by)
                if mark and mark.done
                else "",
            }
            for item in _handover_items(runbook)
            for mark in [engagement.checklist_marks().get((_handover_stage(runbook), item.id))]
        ],
        "accepted": _accepted(engagement, findings, words, glossary),
        "open": _open_risks(findings, words, glossary, apex),
        "next_steps": _next_steps(engagement, findings, runbook),
    }


def _hosts(
    engagement: Engagement, findings: list[Finding], checked_at: dt.datetime | None
) -> list[dict[str, str]]:
    """Where each name points and how long its certificate lasts, from the latest run."""
    resolved = {f.target: f for f in findings if f.check == "dns.resolves"}
    expiry = {f.target: f for f in findings if f.check == "tls.expiry"}
    roles = [(engagement.apex, "apex"), (f"www.{engagement.apex}", "www")]
    roles += [(s.name, s.role) for s in engagement.subdomains]
    hosts = []
    for name, role in dict.fromkeys(roles):
        answer = resolved.get(name)
        certificate = expiry.get(name)
        hosts.append(
            {
                "name": name,
                "role": role,
                "points_to": _points_to(answer),
                "tls": _certificate_left(certificate, checked_at),
            }
        )
    return hosts


def _points_to(answer: Finding | None) -> str:
    if answer is None:
        return "not checked"
    chain = answer.evidence.get("cname_chain") or []
    addresses = answer.evidence.get("addresses") or []
    if chain:
        return f"{chain[-1]} (alias)"
    if addresses:
        shown = ", ".join(str(address) for address in addresses[:2])
        return shown + (f" +{len(addresses) - 2}" if len(addresses) > 2 else "")
    return "nowhere" if answer.is_problem else "-"


def _certificate_left(finding: Finding | None, checked_at: dt.datetime | None) -> str:
    if finding is None:
        return "not checked"
    days = finding.metrics.get("days_left")
    if days is None:
        return "no valid certificate" if finding.is_problem else "-"
    until = f" (to {checked_at + dt.timedelta(days=days):%Y-%m-%d})" if checked_at else ""
    return f"{round(days)} days{until}"


def _every(profile: Profile | None) -> str:
    if profile is None:
        return "every minute"
    seconds = profile.monitoring.uptime_interval_s
    within = profile.monitoring.alert_within_s
    return f"every {seconds} s; someone is told within {round(within / 60)} minutes"


def _certificate_rule(profile: Profile | None) -> str:
    if profile is None:
        return "warn 30 days before a certificate runs out"
    monitoring = profile.monitoring
    return (
        f"warn {monitoring.cert_warn_days} days before a certificate runs out, "
        f"alarm at {monitoring.cert_fail_days}"
    )


def _handover_stage(runbook: Runbook) -> str:
    return "handover" if "handover" in runbook.stage_ids else runbook.stage_ids[-1]


def _handover_items(runbook: Runbook) -> tuple[ChecklistItem, ...]:
    return runbook.stage(_handover_stage(runbook)).checklist


def _accepted(
    engagement: Engagement, findings: list[Finding], words: PlainLanguage, glossary: Glossary
) -> list[dict[str, str]]:
    """Each accepted risk with its reason, and who accepted it when (from the log)."""
    accepted = []
    for suppression in engagement.suppressions:
        matching = [f for f in findings if suppression.matches(f)]
        said = (
            fill(
                words.words_for(suppression.check).open,
                where=places(matching, engagement.apex, named=_PLACES_NAMED),
            )
            if matching
            else f"{suppression.check} on {suppression.target}"
        )
        logged = next(
            (
                c
                for c in reversed(engagement.changes)
                if c.what.startswith(f"Accepted the risk of {suppression.check} on")
            ),
            None,
        )
        accepted.append(
            {
                "risk": glossary.expand(said),
                "reason": suppression.reason,
                "by": f"{logged.who}, {logged.at:%d %b %Y}" if logged and logged.at else "",
            }
        )
    return accepted


def _open_risks(
    findings: list[Finding], words: PlainLanguage, glossary: Glossary, apex: str
) -> dict[str, Any]:
    grouped = severity_order(f for f in findings if f.is_problem)
    risks = {}
    for tier, problems in grouped.items():
        by_check: dict[str, list[Finding]] = {}
        for problem in problems:
            by_check.setdefault(problem.check, []).append(problem)
        lines = [
            {
                "check": check,
                "text": glossary.expand(
                    fill(
                        words.words_for(check).open, where=places(group, apex, named=_PLACES_NAMED)
                    )
                ),
                "fix": group[0].fix,
            }
            for check, group in by_check.items()
        ]
        shown = _OPEN_RISKS_SHOWN[tier]
        risks[tier] = {"shown": lines[:shown], "more": max(0, len(lines) - shown)}
    return risks


def _next_steps(engagement: Engagement, findings: list[Finding], runbook: Runbook) -> list[str]:
    steps = []
    marks = engagement.checklist_marks()
    stage = _handover_stage(runbook)
    undone = [
        i for i in _handover_items(runbook) if not (m := marks.get((stage, i.id))) or not m.done
    ]
    blockers = [f for f in findings if f.is_problem and f.tier is not None and f.tier.value == 0]
    if blockers:
        problems = "problem" if len(blockers) == 1 else f"{len(blockers)} problems"
        steps.append(f"Fix the blocking {problems} listed under Open risks.")
    if not engagement.deploy.recorded:
        steps.append("Write down how to roll back a deploy (the Deploy section is empty).")
    if not engagement.backup.tested:
        steps.append("Restore a backup into a scratch database once, and note the date.")
    if undone:
        steps.append(f"Finish the handover checklist ({len(undone)} of its items are open).")
    steps.append("Run every check again after each release: launchtui check ENGAGEMENT.")
    return steps
