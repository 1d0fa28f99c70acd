"""DMARC policy records (RFC 7489, and RFC 9989 which replaces it).

We accept both generations: RFC 9989 added np=, t= and psd= and retired pct=, rf= and
ri=, but receivers running either still read records today, so a problem is reported
when either generation would stumble.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .dkim import TagList, colon_list, parse_tag_list

DMARC_VERSION = "DMARC1"
POLICIES = ("none", "quarantine", "reject")
FAILURE_OPTIONS = frozenset({"0", "1", "d", "s"})
MAX_UINT32 = 2**32 - 1
# RFC 7489 §6.2 allows a size limit after a report URI: "mailto:a@example.com!10m".
_SIZE_LIMIT = re.compile(r"![0-9]+[kmgt]?\Z", re.IGNORECASE)
_URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _is_policy(value: str) -> bool:
    return value in POLICIES


def _is_alignment_mode(value: str) -> bool:
    return value in ("r", "s")


def _is_percentage(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= 3 and int(value) <= 100


def _is_failure_options(value: str) -> bool:
    options = colon_list(value)
    return bool(options) and set(options) <= FAILURE_OPTIONS


def _is_report_format(value: str) -> bool:
    return colon_list(value) == ("afrf",)


def _is_report_interval(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= 10 and int(value) <= MAX_UINT32


def _is_yes_or_no(value: str) -> bool:
    return value in ("y", "n")


def _is_public_suffix_flag(value: str) -> bool:
    return value in ("y", "n", "u")


# Tag -> (is the lower-cased value valid, what a valid value looks like). rua and ruf are
# checked separately because each address gets its own problem.
_VALUE_RULES: dict[str, tuple[Callable[[str], bool], str]] = {
    "p": (_is_policy, "none, quarantine or reject"),
    "sp": (_is_policy, "none, quarantine or reject"),
    "np": (_is_policy, "none, quarantine or reject"),
    "adkim": (_is_alignment_mode, "r (relaxed) or s (strict)"),
    "aspf": (_is_alignment_mode, "r (relaxed) or s (strict)"),
    "pct": (_is_percentage, "a whole number from 0 to 100"),
    "fo": (_is_failure_options, "0, 1, d or s, separated by colons"),
    "rf": (_is_report_format, "afrf"),
    "ri": (_is_report_interval, "a number of seconds"),
    "t": (_is_yes_or_no, "y or n"),
    "psd": (_is_public_suffix_flag, "y, n or u"),
}
KNOWN_TAGS = frozenset({"v", "rua", "ruf", *_VALUE_RULES})


@dataclass(frozen=True, slots=True)
class DmarcRecord:
    """A DMARC record with defaults filled in, and what receivers would make of it.

    `valid` is False when receivers would ignore the record entirely (wrong or misplaced
    version, repeated tags); the domain then has no DMARC protection.
    """

    policy: str | None  # p=; None when missing or invalid (see the problems for what happens)
    subdomain_policy: str | None  # sp=, else p= (RFC 7489 §6.3)
    nonexistent_subdomain_policy: str | None  # np=, else sp=, else p= (RFC 9989)
    rua: tuple[str, ...]  # aggregate report URIs as written, size limits included
    ruf: tuple[str, ...]  # failure report URIs
    pct: int  # share of failing mail the policy applies to; 100 unless set (RFC 7489 only)
    dkim_alignment: str  # adkim: "r" relaxed (default) or "s" strict
    spf_alignment: str  # aspf: "r" or "s"
    failure_options: tuple[str, ...]  # fo: ("0",) by default
    testing: bool  # t=y (RFC 9989): receivers apply a milder policy while you test
    public_suffix_domain: str  # psd: "y", "n" or "u" (default)
    tags: tuple[tuple[str, str], ...]  # every tag as written, in order
    problems: tuple[str, ...]
    valid: bool


def parse_dmarc(text: str) -> DmarcRecord:
    """Parse the TXT record at _dmarc.<domain> without raising."""
    tag_list = parse_tag_list(text)
    errors = _version_problems(tag_list)
    notes = list(tag_list.problems)
    values: dict[str, str] = {}
    for name in dict.fromkeys(tag_list.names):  # each name once; the first value counts
        if name in ("v", "rua", "ruf"):
            continue
        if name not in KNOWN_TAGS:
            notes.append(_unknown_tag_problem(name))
            continue
        raw_value = tag_list.value_of(name) or ""
        is_valid, expected = _VALUE_RULES[name]
        if is_valid(raw_value.lower()):
            values[name] = raw_value.lower()
        else:
            notes.append(
                f"{name}={raw_value} is not valid (it should be {expected}), so receivers "
                "ignore it."
            )
    rua, rua_problems = _report_uris("rua", tag_list.value_of("rua"))
    ruf, ruf_problems = _report_uris("ruf", tag_list.value_of("ruf"))
    notes.extend(rua_problems + ruf_problems)

    policy = values.get("p")
    if policy is None:
        if tag_list.tags:
            notes.append(_missing_policy_problem(has_report_address=_has_mailto(rua)))
    elif tag_list.names[1:2] != ("p",):
        notes.append(
            "Put p= right after v=DMARC1: RFC 7489 requires that order and some older "
            "receivers still enforce it."
        )
    pct = int(values.get("pct", "100"))
    if pct < 100:
        notes.append(
            f"pct={pct} applies the policy to only {pct}% of failing mail. pct= is no longer "
            "part of DMARC (RFC 9989); use t=y while testing instead."
        )
    subdomain_policy = values.get("sp", policy)
    return DmarcRecord(
        policy=policy,
        subdomain_policy=subdomain_policy,
        nonexistent_subdomain_policy=values.get("np", subdomain_policy),
        rua=rua,
        ruf=ruf,
        pct=pct,
        dkim_alignment=values.get("adkim", "r"),
        spf_alignment=values.get("aspf", "r"),
        failure_options=colon_list(values.get("fo", "0")),
        testing=values.get("t") == "y",
        public_suffix_domain=values.get("psd", "u"),
        tags=tag_list.tags,
        problems=(*errors, *notes),
        valid=not errors and not tag_list.has_duplicates,
    )


# A TXT record at _dmarc.<domain> that names DMARC or sets a policy was meant as one.
_MEANT_AS_DMARC = re.compile(r"dmarc|(?:^|[;\s])p\s*=", re.IGNORECASE)
_LOOSE_TAG = re.compile(r"([A-Za-z]+)\s*=\s*([^;\s]+)")
_STARTS_WITH_VERSION = re.compile(r"\s*v\s*=\s*dmarc1\b", re.IGNORECASE)


def is_dmarc_attempt(text: str) -> bool:
    """Whether a TXT record that is not a DMARC record (receivers skip it) was meant as one."""
    return bool(_MEANT_AS_DMARC.search(text))


@dataclass(frozen=True, slots=True)
class Misfit:
    """Why receivers skip a record meant as DMARC, and the record it should have been."""

    problem: str
    corrected: str | None  # None when the record holds nothing to build one from


def diagnose_skipped_record(text: str) -> Misfit:
    """For a TXT record at _dmarc that does not start with `v=DMARC1;` (RFC 7489 §6.6.3
    makes receivers skip it): what is wrong, in one sentence, and the corrected record."""
    tags = [(name.lower(), value) for name, value in _LOOSE_TAG.findall(text)]
    kept = [(name, value) for name, value in tags if name != "v"]
    kept.sort(key=lambda tag: tag[0] != "p")  # p= right after the version (RFC 7489 §6.3)
    corrected = "; ".join(["v=DMARC1", *(f"{name}={value}" for name, value in kept)])
    version = next((value for name, value in tags if name == "v"), None)
    if _STARTS_WITH_VERSION.match(text) and ";" not in text:
        problem = (
            "Its tags are not separated by semicolons, so receivers read the version as "
            f'"{text.split("=", 1)[1].strip()}" and skip the record.'
        )
    elif tags and tags[0][0] != "v" and version is not None:
        problem = (
            "v=DMARC1 must be the first tag; receivers skip a record that starts with "
            f"{tags[0][0]}=."
        )
    elif version is not None and version.upper() != DMARC_VERSION:
        problem = (
            f"It starts with v={version}, but the version must be exactly v=DMARC1; receivers "
            "skip the record."
        )
    else:
        problem = "It does not start with v=DMARC1, so receivers skip it."
    return Misfit(problem, corrected if kept else None)


def _version_problems(tag_list: TagList) -> list[str]:
    """v=DMARC1 must be the first tag (RFC 7489 §6.3), written exactly so (its ABNF
    spells the letters case-sensitively); otherwise receivers skip the record."""
    if not tag_list.tags:
        return ["The DMARC record is empty."]
    first_name, first_value = tag_list.tags[0]
    if first_name != "v":
        if "v" in tag_list.names:
            return ["v=DMARC1 must be the first tag; receivers ignore this record."]
        return ["The record does not start with v=DMARC1, so receivers ignore it."]
    if first_value == DMARC_VERSION:
        return []
    if first_value.upper() == DMARC_VERSION:
        return [
            f"Write the version exactly as v=DMARC1, not v={first_value}; strict "
            "receivers ignore the record otherwise."
        ]
    return [f'The version v={first_value} is not "DMARC1", so receivers ignore the record.']


def _unknown_tag_problem(name: str) -> str:
    if name.lower() in KNOWN_TAGS:
        return (
            f'Tag names are case-sensitive: "{name}=" is not "{name.lower()}=", so '
            "receivers ignore it."
        )
    return f'The tag "{name}=" is not part of DMARC; receivers ignore it.'


def _report_uris(tag: str, value: str | None) -> tuple[tuple[str, ...], list[str]]:
    """Split rua=/ruf= into URIs (commas separate them, §6.4) and check each one.

    Only mailto: reporting is widely implemented, so other schemes get a warning.
    Entries without any URI scheme are dropped: receivers cannot use them.
    """
    uris: list[str] = []
    problems: list[str] = []
    for entry in (value or "").split(","):
        uri = entry.strip()
        if not uri:
            continue
        if not _URI_SCHEME.match(uri):
            problems.append(
                f'The {tag}= address "{uri}" needs "mailto:" in front, or receivers will '
                "not send reports to it."
            )
            continue
        uris.append(uri)
        if not uri.lower().startswith("mailto:"):
            problems.append(
                f'The {tag}= address "{uri}" is not a mailto: address; most receivers only '
                "send reports by email."
            )
        elif "@" not in _SIZE_LIMIT.sub("", uri):
            problems.append(f'The {tag}= address "{uri}" has no @domain part.')
    return tuple(uris), problems


def _has_mailto(uris: tuple[str, ...]) -> bool:
    return any(uri.lower().startswith("mailto:") and "@" in uri for uri in uris)


def _missing_policy_problem(*, has_report_address: bool) -> str:
    """RFC 9989 treats a record without a valid p= as p=none; RFC 7489 §6.6.3 does so
    only when rua= holds a usable address, and otherwise ignores the record."""
    if has_report_address:
        return (
            "The record has no valid p= policy, so receivers treat it as p=none: failing "
            "mail is only reported, never blocked."
        )
    return (
        "The record has no valid p= policy. Newer receivers treat that as p=none (report "
        "only); older ones ignore the whole record because it has no rua= address either."
    )
