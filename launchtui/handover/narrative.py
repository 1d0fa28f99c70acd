"""The "what changed" summary as a founder reads it: counts, then one plain sentence per
item grouped by what it means for the business, what the consultant did, and what to
watch in the first week.

It produces plain data (dicts and lists) that every format renders the same way, so the
Markdown, HTML and PDF say exactly the same words.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from ..engagement import Engagement
from ..findings import Finding, Severity, Status, Tier
from .changes import Move, WhatChanged
from .plain import Glossary, PlainLanguage, fill, places, readable_place

STATES = {  # state -> label shown before the sentence, in the order items are listed
    "new": "New",
    "open": "Still open",
    "fixed": "Fixed",
    "moved": "Changed",
    "differently": "Checked differently",
}
_CERT_SOON_DAYS = 30


def summary_document(
    engagement: Engagement,
    changes: WhatChanged,
    words: PlainLanguage,
    *,
    prepared: dt.datetime,
    prepared_by: str,
) -> dict[str, Any]:
    """Everything the "what changed" templates show, in the order they show it."""
    glossary = Glossary(words.glossary)
    apex = engagement.apex
    items: dict[str, list[dict[str, str]]] = defaultdict(list)
    for state, findings in (
        ("new", changes.new),
        ("open", changes.still_open),
        ("fixed", changes.fixed),
        ("differently", changes.checked_differently),
    ):
        for check, group in _by_check(findings):
            sentence = _sentence_for(state, check, group, words, apex)
            items[words.words_for(check).outcome].append({"state": state, "text": sentence})
    for moves in _alike(changes.numbers):
        template = words.numbers.get((moves[0].check, moves[0].metric))
        if template:
            outcome = words.words_for(moves[0].check).outcome
            items[outcome].append({"state": "moved", "text": _moved(moves, template, apex)})
    groups = []
    for outcome, title in words.outcomes.items():
        entries = sorted(items.get(outcome, []), key=lambda item: list(STATES).index(item["state"]))
        if entries:
            for entry in entries:
                entry["label"] = STATES[entry["state"]]
                entry["text"] = glossary.expand(entry["text"])
            groups.append({"title": title, "items": entries})
    week_one = [
        glossary.expand(text) for text in _week_one(engagement, changes, words, prepared.date())
    ]
    baseline, latest = changes.baseline, changes.latest
    return {
        **document_heading("What changed", engagement, prepared, prepared_by),
        "since": f"{baseline.at:%d %B %Y, %H:%M} UTC" if baseline else "",
        "latest": f"{latest.at:%d %B %Y, %H:%M} UTC" if latest else "",
        "counts": changes.counts_sentence,
        "no_baseline": baseline is None,
        "groups": groups,
        "accepted": [
            {
                "text": glossary.expand(_sentence_for("open", check, group, words, apex)),
                "reason": group[0].suppressed or "",
            }
            for check, group in _by_check(changes.accepted)
        ],
        "actions": _actions(changes),
        "week_one": week_one,
    }


def prose_sentences(document: dict[str, Any]) -> list[str]:
    """The summary's own sentences (not quoted records such as the change log)."""
    sentences = [document["counts"]]
    for group in document["groups"]:
        sentences.extend(item["text"] for item in group["items"])
    sentences.extend(item["text"] for item in document["accepted"])
    sentences.extend(document["week_one"])
    return sentences


def _by_check(findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        grouped[finding.check].append(finding)
    return list(grouped.items())


def _sentence_for(
    state: str, check: str, findings: list[Finding], words: PlainLanguage, apex: str
) -> str:
    wording = words.words_for(check)
    template = wording.fixed if state == "fixed" else wording.open
    return fill(template, where=places(findings, apex))


def document_heading(
    kind: str, engagement: Engagement, prepared: dt.datetime, prepared_by: str
) -> dict[str, str]:
    """The lines every handover document opens with: what it is, for which product, by whom."""
    product = engagement.product or engagement.apex
    return {
        "title": f"{kind}: {product}",
        "product": product,
        "domain": engagement.apex,
        "prepared": f"{prepared:%d %B %Y}",
        "prepared_by": prepared_by,
    }


def _alike(moves: list[Move]) -> list[list[Move]]:
    """Moves of one number by the same amount (a certificate renewed on every host)."""
    grouped: dict[tuple[str, str, int, int], list[Move]] = defaultdict(list)
    for move in moves:
        grouped[(move.check, move.metric, round(move.before), round(move.after))].append(move)
    return list(grouped.values())


def _moved(moves: list[Move], template: str, apex: str) -> str:
    move = moves[0]
    change = "down from" if move.after < move.before else "up from"
    return fill(
        template,
        where=places([_place_of(m) for m in moves], apex),
        before=readable_amount(move.before, move.unit),
        after=readable_amount(move.after, move.unit),
        change=change,
    )


def _place_of(move: Move) -> Finding:
    return Finding(move.check, "", move.target, Status.PASS, Severity.INFO, "")


def _actions(changes: WhatChanged) -> list[dict[str, str]]:
    """The change log, with a run of alike entries (six owners added in a row) on one line."""
    rows: list[dict[str, str]] = []
    names: list[str] = []  # the names gathered on the last row
    last_key: tuple[str, str, str] | None = None
    for change in changes.log:
        kind, colon, detail = change.what.partition(": ")
        day = f"{change.at:%d %b}" if change.at else ""
        key = (change.who, day, kind if colon else change.what)
        if colon and key == last_key:
            names.append(_short(detail))
            rows[-1]["what"] = f"{kind} ({len(names)}): " + "; ".join(names) + "."
            continue
        rows.append(
            {
                "at": f"{change.at:%d %b %H:%M}" if change.at else "",
                "who": change.who or "someone",
                "what": change.what,
            }
        )
        names = [_short(detail)] if colon else []
        last_key = key if colon else None
    return rows


def _short(detail: str) -> str:
    """The name part of an entry's description: `registrar` of `registrar — Namecheap, …`."""
    return detail.split(" — ")[0].split(", lives at")[0].rstrip(".")


def readable_amount(value: float, unit: str) -> str:
    """120 ms, 88 days, 5 minutes, 7 lookups: a number with a unit a person reads."""
    if unit == "seconds":
        for size, name in ((86400, "day"), (3600, "hour"), (60, "minute")):
            if value >= size:
                amount = round(value / size)
                return f"{amount} {name}{'' if amount == 1 else 's'}"
        amount = round(value)
        return f"{amount} second{'' if amount == 1 else 's'}"
    amount = round(value)
    if unit == "ms":
        return f"{amount} ms"
    singular = {"days": "day", "redirects": "redirect", "DNS lookups": "lookup", "bits": "bit"}
    plural = {"DNS lookups": "lookups"}.get(unit, unit)
    return f"{amount} {singular.get(unit, unit) if amount == 1 else plural}"


def _week_one(
    engagement: Engagement, changes: WhatChanged, words: PlainLanguage, today: dt.date
) -> list[str]:
    """What to keep an eye on, most pressing first: blockers, certificates and keys that
    fall due soon, then the standing advice from the wording file."""
    watch = []
    blocking = [f for f in changes.new + changes.still_open if f.tier is Tier.BLOCKER]
    if blocking:
        first = blocking[0]
        watch.append(
            f"Fix the {len(blocking)} problem{'s' if len(blocking) > 1 else ''} marked "
            f"as blocking first. Start with this one: "
            + fill(words.words_for(first.check).open, where=places([first], engagement.apex))
        )
    for finding in engagement.latest_findings():
        days = finding.metrics.get("days_left")
        if finding.check == "tls.expiry" and days is not None and days < _CERT_SOON_DAYS:
            place = readable_place(finding.target, engagement.apex)
            watch.append(
                f"The [[certificate]] of {place} runs out in {round(days)} days. "
                "Make sure it renews by itself."
            )
    for secret in engagement.secrets:
        due = secret.next_rotation
        if due is not None and due < today:
            watch.append(f"The key {secret.name} was due to be changed on {due:%d %B}. Change it.")
        elif due is not None and (due - today).days <= 14:
            watch.append(f"The key {secret.name} is due to be changed on {due:%d %B}.")
        elif secret.rotation_days and secret.last_rotated is None:
            watch.append(f"The key {secret.name} has no date of its last change. Change it.")
    if not engagement.monitoring.alerts_to:
        watch.append("Write down who gets told when the site goes down, then test it.")
    watch.extend(words.week_one)
    return watch


def severity_order(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Problems by how much they block a launch: blocker, important, optional."""
    order: Mapping[Tier, str] = {
        Tier.BLOCKER: "blocker",
        Tier.IMPORTANT: "important",
        Tier.OPTIONAL: "optional",
    }
    grouped: dict[str, list[Finding]] = {name: [] for name in order.values()}
    ranked = sorted(
        (f for f in findings if f.tier is not None),
        key=lambda f: (f.tier, -Severity(f.severity).rank, f.check),
    )
    for finding in ranked:
        assert finding.tier is not None
        grouped[order[finding.tier]].append(finding)
    return grouped
