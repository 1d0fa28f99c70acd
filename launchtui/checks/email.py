"""Email authentication: can receivers tell mail really sent by the product from forgeries?

SPF (RFC 7208) lists the servers allowed to send as the domain, DKIM (RFC 6376) signs
mail with a key published in DNS, and DMARC (RFC 7489) tells receivers what to do when
both fail and where to send reports. Record syntax is judged by the pure parsers in
`launchtui.parsers`; this module fetches records and follows SPF includes itself.

We do not use checkdmarc: it is synchronous (it would block the event loop or need a
thread per lookup), caches answers process-wide for 30 minutes (a founder who fixes SPF
and re-runs would see the stale record), and raises at the first problem instead of
reporting them all.
"""

from __future__ import annotations

import asyncio
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from ..context import CheckContext
from ..findings import Finding, Severity, Status
from ..parsers.dkim import parse_dkim_key, parse_tag_list
from ..parsers.dmarc import (
    DmarcRecord,
    diagnose_skipped_record,
    is_dmarc_attempt,
    parse_dmarc,
)
from ..parsers.spf import (
    DNS_LOOKUP_LIMIT,
    SpfRecord,
    SpfTerm,
    expand_domain_macros,
    join_txt_strings,
    parse_spf,
    pick_spf_records,
)
from ..resolver import Answer, Resolver
from .registry import CheckSpec, register

# Severities. high: forged mail passes as the product's, or its own mail fails
# authentication and lands in spam (no or broken SPF, over a lookup limit, no DMARC,
# p=none at launch for a product that sends mail, a DKIM key receivers reject).
# critical: only +all, which vouches for every server on the internet. medium: weaker
# protection or visibility that still works (no rua, sp=/pct=, a 1024-bit key, p=none
# where the profile allows it, no DKIM found by guessing). low: advice (close to the
# lookup limit, a revoked key under a guessed selector, the parsers' notes).
STAGE = "monitoring"
SPF = CheckSpec("email.spf", STAGE, "SPF record", Severity.HIGH)
SPF_LOOKUPS = CheckSpec("email.spf.lookups", STAGE, "SPF lookup limits", Severity.HIGH)
SPF_ALL = CheckSpec("email.spf.all", STAGE, "SPF default for unlisted servers", Severity.HIGH)
DMARC = CheckSpec("email.dmarc", STAGE, "DMARC record", Severity.HIGH)
DMARC_POLICY = CheckSpec("email.dmarc.policy", STAGE, "DMARC policy", Severity.HIGH)
DMARC_RUA = CheckSpec("email.dmarc.rua", STAGE, "DMARC reports", Severity.MEDIUM)
DKIM = CheckSpec("email.dkim", STAGE, "DKIM keys", Severity.HIGH)

RFC7208 = "https://www.rfc-editor.org/rfc/rfc7208"
RFC7489 = "https://www.rfc-editor.org/rfc/rfc7489"
RFC6376 = "https://www.rfc-editor.org/rfc/rfc6376"
RFC8301 = "https://www.rfc-editor.org/rfc/rfc8301"

# RFC 7208 §4.6.4: more than two lookups that find nothing is a permerror, and one "mx"
# mechanism may make at most ten address lookups (one per MX host).
VOID_LOOKUP_LIMIT = 2
MX_ADDRESS_LOOKUP_LIMIT = 10
# Our own bound: past this many lookups the verdict is certain, so stop walking.
MAX_LOOKUPS_FOLLOWED = 20
MAX_REDIRECTS_FOLLOWED = 10
# A record this close to the limit breaks when the next provider's include is added.
LOOKUPS_NEAR_LIMIT = DNS_LOOKUP_LIMIT - 1
DKIM_RECOMMENDED_BITS = 2048
DKIM_MINIMUM_BITS = 1024

# Selectors mail providers publish their keys under. Guessing finds most senders, not
# all: Amazon SES uses random 32-character tokens and Postmark dated selectors such as
# "20221122pm", which only the engagement's email.dkim_selectors can name.
COMMON_DKIM_SELECTORS: dict[str, str] = {
    "google": "Google Workspace",
    "selector1": "Microsoft 365",
    "selector2": "Microsoft 365",
    "k1": "Mailchimp/Mandrill",
    "k2": "Mailchimp/Mandrill",
    "k3": "Mailchimp/Mandrill",
    "mte1": "Mailchimp/Mandrill",
    "s1": "SendGrid",
    "s2": "SendGrid",
    "smtpapi": "SendGrid",
    "pm": "Postmark",
    "resend": "Resend",
    "mx": "Mailgun",
    "krs": "Mailgun",
    "pic": "Mailgun",
    "smtp": "Mailgun",
    "zoho": "Zoho Mail",
    "zmail": "Zoho Mail",
    "brevo1": "Brevo",
    "brevo2": "Brevo",
    "fm1": "Fastmail",
    "fm2": "Fastmail",
    "fm3": "Fastmail",
    "protonmail": "Proton Mail",
    "protonmail2": "Proton Mail",
    "protonmail3": "Proton Mail",
    "default": "a common default",
    "dkim": "a common default",
    "mail": "a common default",
    "selector": "a common default",
}

_STATUS_WEIGHT = {Status.FAIL: 3, Status.ERROR: 2, Status.WARN: 1}
_POLICY_STRENGTH = {"none": 0, "quarantine": 1, "reject": 2}
# RFC 7489 §6.6.3: only TXT records that start with v=DMARC1 are DMARC records. We match
# the version loosely so a miswritten "v=dmarc1" is judged (and named) by the parser.
_DMARC_START = re.compile(r"\s*v\s*=\s*dmarc1\s*(;|\Z)", re.IGNORECASE)
_REPORT_SIZE_LIMIT = re.compile(r"![0-9]+[kmgt]?\Z", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Issue:
    """One thing wrong, before a check folds its issues into one finding."""

    status: Status
    severity: Severity
    summary: str
    fix: str = ""


def _finding_from_issues(
    spec: CheckSpec,
    target: str,
    issues: list[_Issue],
    *,
    pass_summary: str,
    evidence: dict[str, Any],
    refs: tuple[str, ...] = (),
    detail: str = "",
) -> Finding:
    """One finding per target: the worst issue leads, the others follow in the detail."""
    if not issues:
        return spec.finding(target, Status.PASS, pass_summary, detail=detail, evidence=evidence)
    ranked = sorted(issues, key=lambda i: (-_STATUS_WEIGHT[i.status], -i.severity.rank))
    worst = ranked[0]
    also = [f"Also: {issue.summary}" for issue in ranked[1:]]
    return spec.finding(
        target,
        worst.status,
        worst.summary,
        severity=worst.severity,
        detail="\n".join(part for part in (*also, detail) if part),
        evidence=evidence,
        fix="\n".join(dict.fromkeys(issue.fix for issue in ranked if issue.fix)),
        refs=refs,
    )


async def _txt_texts(resolver: Resolver, name: str) -> tuple[Answer, list[str]]:
    """The name's TXT records, each one's strings joined with no separator (RFC 7208 §3.3)."""
    answer = await resolver.lookup(name, "TXT")
    return answer, [join_txt_strings(record.strings) for record in answer.records]


async def _spf_texts(resolver: Resolver, domain: str) -> tuple[Answer, list[str]]:
    answer, texts = await _txt_texts(resolver, domain)
    return answer, pick_spf_records(texts)


# -- email.spf --------------------------------------------------------------------


@register(SPF)
async def check_spf_record(context: CheckContext) -> list[Finding]:
    apex = context.apex
    answer, records = await _spf_texts(context.resolver, apex)
    evidence: dict[str, Any] = {"records": records}
    if answer.outcome.is_failure:
        return [SPF.finding(apex, Status.ERROR, answer.describe(), evidence=evidence)]
    if not records:
        return [_missing_spf(context, evidence)]
    if len(records) > 1:
        return [
            SPF.finding(
                apex,
                Status.FAIL,
                f"{apex} has {len(records)} SPF records; receivers treat that as an error and "
                "ignore all of them, so your mail gets no SPF protection.",
                detail="\n".join(records),
                evidence=evidence,
                fix="Merge them into one record: a single v=spf1, every include and ip4/ip6 "
                "from each, and one ~all or -all at the end.",
                refs=(f"{RFC7208}#section-4.5",),
            )
        ]
    record = parse_spf(records[0])
    evidence.update(record=records[0], problems=list(record.problems))
    if record.is_permerror:
        return [
            SPF.finding(
                apex,
                Status.FAIL,
                f"{apex}'s SPF record has a mistake, so receivers reject the whole record and "
                f"your mail gets no SPF protection: {record.problems[0]}",
                detail="\n".join(record.problems[1:]),
                evidence=evidence,
                fix=f"Correct the TXT record at {apex} term by term as listed (each sentence "
                "names the term and what is wrong with it), then re-run this check.",
                refs=(f"{RFC7208}#section-4.6", f"{RFC7208}#section-12"),
            )
        ]
    advice = _advice_beyond_all(record)
    if advice:
        return [
            SPF.finding(
                apex,
                Status.WARN,
                f"{apex}'s SPF record works, but: {advice[0]}",
                severity=Severity.LOW,
                detail="\n".join(advice[1:]),
                evidence=evidence,
                refs=(RFC7208,),
            )
        ]
    if _sends_nothing(record) and context.email_in_scope:
        return [
            SPF.finding(
                apex,
                Status.WARN,
                f"{apex}'s SPF record (v=spf1 -all) says no server may send mail as {apex}, so "
                "mail your product sends from this domain fails SPF.",
                severity=Severity.MEDIUM,
                evidence=evidence,
                fix="Add your mail provider's include (or ip4 ranges) before -all, or mark "
                "email out of scope if the product sends from another domain.",
            )
        ]
    if _sends_nothing(record):
        summary = f"{apex} publishes v=spf1 -all: nobody may send mail as it, as it should be."
    else:
        summary = f"{apex} has one valid SPF record."
    return [SPF.finding(apex, Status.PASS, summary, evidence=evidence)]


def _missing_spf(context: CheckContext, evidence: dict[str, Any]) -> Finding:
    apex = context.apex
    no_mail_advice = (
        f'A domain that sends no mail should still publish "v=spf1 -all" at {apex}, so '
        "nobody can send mail that claims to be from it."
    )
    if not context.email_in_scope:
        return SPF.finding(
            apex,
            Status.SKIPPED,
            f"{apex} has no SPF record; email is out of scope for this engagement.",
            severity=Severity.INFO,
            detail=no_mail_advice,
            evidence=evidence,
            fix=f'Publish the TXT record "v=spf1 -all" at {apex}.',
        )
    return SPF.finding(
        apex,
        Status.FAIL,
        f"{apex} has no SPF record, so anyone can send mail that claims to be from you and "
        "receivers cannot tell it from yours.",
        detail=no_mail_advice,
        evidence=evidence,
        fix=f"Publish one TXT record at {apex} listing your mail providers, e.g. "
        '"v=spf1 include:_spf.google.com ~all" (your provider\'s setup page gives the '
        'include). If the domain sends no mail, publish "v=spf1 -all".',
        refs=(RFC7208,),
    )


def _advice_beyond_all(record: SpfRecord) -> list[str]:
    """The parser's advice on a working record, minus what email.spf.all reports.

    Parsing a record that holds only the same "all" and redirect yields exactly the
    notes about those, so we can drop them without matching the parser's wording.
    """
    ending = f" {record.all_qualifier}all" if record.all_qualifier else ""
    if record.redirect is not None:
        ending += f" redirect={record.redirect}"
    about_all = set(parse_spf(f"v=spf1{ending}").problems)
    return [problem for problem in record.problems if problem not in about_all]


def _sends_nothing(record: SpfRecord) -> bool:
    """v=spf1 -all and nothing else: the record of a domain that sends no mail."""
    return record.all_qualifier == "-" and all(
        term.name == "all" or term.is_modifier for term in record.terms
    )


async def _single_spf(context: CheckContext, spec: CheckSpec) -> SpfRecord | Finding:
    """The apex's one SPF record, or the finding that says why there is none to judge."""
    answer, records = await _spf_texts(context.resolver, context.apex)
    if answer.outcome.is_failure:
        return spec.finding(context.apex, Status.ERROR, answer.describe())
    if len(records) != 1:
        reason = "no SPF record" if not records else f"{len(records)} SPF records"
        return spec.finding(
            context.apex,
            Status.SKIPPED,
            f"{context.apex} has {reason} to judge; see email.spf.",
            severity=Severity.INFO,
        )
    return parse_spf(records[0])


# -- email.spf.lookups ------------------------------------------------------------


@dataclass
class _SpfBranch:
    """One SPF record in the include tree and what evaluating it costs."""

    domain: str
    via: str  # "include" or "redirect"; "" for the apex
    path: tuple[str, ...]  # domains from the apex down to this one
    lookup_terms: list[str] = field(default_factory=list)  # terms costing a DNS lookup
    void_lookups: list[str] = field(default_factory=list)  # lookups that found nothing
    mx_address_lookups: dict[str, int] = field(default_factory=dict)  # mx term -> MX hosts
    to_follow: list[tuple[str, str]] = field(default_factory=list)  # (via, domain)
    children: list[_SpfBranch] = field(default_factory=list)
    problem: str = ""  # why receivers stop here (permerror), in plain words
    loop: bool = False
    not_followed: str = ""  # why we did not look inside (a macro, our own bound)
    failures: list[Answer] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Lookups to evaluate this record and everything it includes."""
        return len(self.lookup_terms) + sum(child.total for child in self.children)

    @property
    def cost(self) -> int:
        """What this branch adds to its parent: the include/redirect term itself, plus its total."""
        return self.total + (1 if self.via else 0)

    def walk(self) -> list[_SpfBranch]:
        return [self, *(branch for child in self.children for branch in child.walk())]

    def label(self) -> str:
        return f"{self.via}:{self.domain}" if self.via else self.domain

    def to_evidence(self) -> dict[str, Any]:
        node: dict[str, Any] = {
            "domain": self.domain,
            "via": self.via or None,
            "lookups": self.cost,
            "terms": self.lookup_terms,
        }
        for key, value in (
            ("void_lookups", self.void_lookups),
            ("problem", self.problem),
            ("not_followed", self.not_followed),
            ("loop", self.loop),
        ):
            if value:
                node[key] = value
        node["includes"] = [child.to_evidence() for child in self.children]
        return node

    def tree_lines(self, depth: int = 0) -> list[str]:
        noun = "lookup" if self.cost == 1 else "lookups"
        line = f"{'  ' * depth}{self.label()}: {self.cost} {noun}"
        note = self.problem or self.not_followed
        if note:
            line += f" ({note})"
        return [line, *(line for child in self.children for line in child.tree_lines(depth + 1))]


def _term_text(term: SpfTerm) -> str:
    separator = "=" if term.is_modifier else ":"
    return f"{term.name}{separator}{term.value}" if term.value else term.name


async def _examine_record(resolver: Resolver, branch: _SpfBranch, record: SpfRecord) -> None:
    """Count the record's lookup terms and make the a/mx/exists lookups to find void ones."""
    terms = record.dns_lookup_terms
    branch.lookup_terms = [_term_text(term) for term in terms]
    branch.to_follow = [
        (term.name, term.value)
        for term in terms
        if term.name in ("include", "redirect") and term.value
    ]
    # Terms whose name is known without a message (plain, or only %{d} macros).
    probed = [
        (term, target)
        for term in terms
        if term.name in ("a", "mx", "exists")
        and (target := expand_domain_macros(term.value or branch.domain, branch.domain))
    ]
    results = await asyncio.gather(
        *(_term_lookup(resolver, term, target) for term, target in probed)
    )
    for (term, _target), answers in zip(probed, results, strict=True):
        if any(answer.records for answer in answers):
            if term.name == "mx":
                branch.mx_address_lookups[_term_text(term)] = len(answers[0].records)
        elif any(answer.outcome.is_failure for answer in answers):
            branch.failures.append(answers[0])
        else:
            branch.void_lookups.append(_term_text(term))


async def _term_lookup(resolver: Resolver, term: SpfTerm, target: str) -> tuple[Answer, ...]:
    """The lookup a receiver makes for an a, mx or exists term (ptr needs the sender's IP)."""
    if term.name == "a":
        # An IPv4 sender makes receivers ask for A, an IPv6 one for AAAA: void if neither.
        return await resolver.addresses(target)
    return (await resolver.lookup(target, "MX" if term.name == "mx" else "A"),)


async def _open_branch(resolver: Resolver, branch: _SpfBranch) -> None:
    """Fetch an include or redirect target's SPF record and examine it."""
    answer, records = await _spf_texts(resolver, branch.domain)
    if answer.outcome.is_failure:
        branch.failures.append(answer)
        return
    if not records:
        if not answer.records:
            branch.void_lookups.append(f"{branch.via}:{branch.domain}")
        branch.problem = f"{branch.domain} publishes no SPF record"
        return
    if len(records) > 1:
        branch.problem = f"{branch.domain} has {len(records)} SPF records"
        return
    record = parse_spf(records[0])
    if record.is_permerror:
        branch.problem = f"{branch.domain}'s SPF record is broken: {record.problems[0]}"
    await _examine_record(resolver, branch, record)


async def _walk_spf(resolver: Resolver, apex: str, record: SpfRecord) -> _SpfBranch:
    """Follow includes and redirects level by level, concurrently within a level.

    Walking by level keeps the verdict the same from run to run while lookups run in
    parallel; we stop once more than MAX_LOOKUPS_FOLLOWED lookups are known, since a
    receiver has given up long before (RFC 7208 §4.6.4), and never re-enter a domain
    already on the path (an include loop).
    """
    root = _SpfBranch(apex, "", (apex,))
    await _examine_record(resolver, root, record)
    level = [root]
    while level:
        known = root.total
        opened: list[_SpfBranch] = []
        for parent in level:
            for via, written in parent.to_follow:
                # %{d} is the domain whose record this is: known without a message.
                domain = expand_domain_macros(written, parent.domain) or written
                child = _SpfBranch(domain, via, (*parent.path, domain))
                parent.children.append(child)
                if domain in parent.path:
                    child.loop = True
                    child.problem = "loops back to " + " -> ".join(child.path)
                elif "%" in domain:
                    child.not_followed = (
                        f"{written} uses a macro that depends on the sender of each message"
                    )
                elif known > MAX_LOOKUPS_FOLLOWED:
                    child.not_followed = "not followed: the limit is already far exceeded"
                else:
                    opened.append(child)
        await asyncio.gather(*(_open_branch(resolver, child) for child in opened))
        level = opened
    return root


@register(SPF_LOOKUPS)
async def check_spf_lookups(context: CheckContext) -> list[Finding]:
    apex = context.apex
    record = await _single_spf(context, SPF_LOOKUPS)
    if isinstance(record, Finding):
        return [record]
    root = await _walk_spf(context.resolver, apex, record)
    branches = root.walk()
    total = root.total
    truncated = any(branch.not_followed.startswith("not followed") for branch in branches)
    loops = [branch for branch in branches if branch.loop]
    voids = [void for branch in branches for void in branch.void_lookups]
    heavy_mx = [
        {"domain": branch.domain, "term": term, "mx_hosts": count}
        for branch in branches
        for term, count in branch.mx_address_lookups.items()
        if count > MX_ADDRESS_LOOKUP_LIMIT
    ]
    by_include = {child.label(): child.cost for child in root.children}
    evidence: dict[str, Any] = {
        "lookup_count": total,
        "lookup_limit": DNS_LOOKUP_LIMIT,
        "void_lookup_count": len(voids),
        "void_lookup_limit": VOID_LOOKUP_LIMIT,
        "void_lookups": voids,
        "by_include": by_include,
        "mx_over_limit": heavy_mx,
        "loops": [" -> ".join(branch.path) for branch in loops],
        "truncated": truncated,
        "tree": root.to_evidence(),
    }
    issues = _lookup_issues(apex, total, truncated, loops, voids, heavy_mx, by_include)
    issues += [
        _Issue(
            Status.FAIL,
            Severity.HIGH,
            f"{branch.label()} cannot be evaluated ({branch.problem}), so receivers stop "
            "with an error and your SPF fails for every message.",
            f"Fix or remove {branch.label()} in the SPF record of "
            f"{branch.path[-2] if len(branch.path) > 1 else apex}.",
        )
        for branch in branches
        if branch.problem and not branch.loop and branch is not root
    ]
    failures = [answer for branch in branches for answer in branch.failures]
    if failures and not any(issue.status is Status.FAIL for issue in issues):
        issues.append(
            _Issue(
                Status.ERROR,
                SPF_LOOKUPS.severity,
                "Could not follow every part of your SPF record: " + failures[0].describe(),
                "Check that the name servers answer, or try another resolver with --nameserver.",
            )
        )
    noun = "lookup" if total == 1 else "lookups"
    tree = "\n".join(["Lookups per include:", *root.tree_lines()])
    if record.is_permerror:
        tree += "\n(The record itself also has mistakes; see email.spf.)"
    return [
        _finding_from_issues(
            SPF_LOOKUPS,
            apex,
            issues,
            pass_summary=f"Checking your SPF record takes {total} DNS {noun}, within the "
            f"limit of {DNS_LOOKUP_LIMIT} receivers allow.",
            evidence=evidence,
            refs=(f"{RFC7208}#section-4.6.4",),
            detail=tree,
        )
    ]


def _lookup_issues(
    apex: str,
    total: int,
    truncated: bool,
    loops: list[_SpfBranch],
    voids: list[str],
    heavy_mx: list[dict[str, Any]],
    by_include: dict[str, int],
) -> list[_Issue]:
    issues: list[_Issue] = []
    costliest = ", ".join(
        f"{label} ({cost})"
        for label, cost in sorted(by_include.items(), key=lambda item: -item[1])[:3]
    )
    if loops:
        issues.append(
            _Issue(
                Status.FAIL,
                Severity.HIGH,
                "Your SPF includes loop back on themselves ("
                + "; ".join(" -> ".join(branch.path) for branch in loops)
                + "), so receivers run out of lookups and your SPF fails for every message.",
                "Remove the include that points back up the chain.",
            )
        )
    if total > DNS_LOOKUP_LIMIT or truncated:
        count = f"more than {total}" if truncated else str(total)
        issues.append(
            _Issue(
                Status.FAIL,
                Severity.HIGH,
                f"Checking your SPF record takes {count} DNS lookups; receivers give up after "
                f"{DNS_LOOKUP_LIMIT} and treat SPF as failed, so your real mail can land in "
                "spam." + (f" Costliest: {costliest}." if costliest else ""),
                "Remove includes for services you no longer use, replace small ones with their "
                "ip4/ip6 ranges, or send marketing mail from a subdomain with its own SPF.",
            )
        )
    elif total >= LOOKUPS_NEAR_LIMIT:
        issues.append(
            _Issue(
                Status.WARN,
                Severity.LOW,
                f"Checking your SPF record takes {total} of the {DNS_LOOKUP_LIMIT} DNS lookups "
                "receivers allow; adding one more mail provider will break SPF for all your mail.",
                "Trim includes you no longer need before adding another provider.",
            )
        )
    if len(voids) > VOID_LOOKUP_LIMIT:
        issues.append(
            _Issue(
                Status.FAIL,
                Severity.HIGH,
                f"{len(voids)} names in your SPF record do not exist or have no records "
                f"({', '.join(voids)}); receivers allow {VOID_LOOKUP_LIMIT} and then treat "
                "SPF as failed.",
                "Remove the terms that point at names that are gone.",
            )
        )
    for heavy in heavy_mx:
        issues.append(
            _Issue(
                Status.FAIL,
                Severity.HIGH,
                f'The "{heavy["term"]}" term in the SPF record of {heavy["domain"]} names '
                f"{heavy['mx_hosts']} mail servers; receivers look up at most "
                f"{MX_ADDRESS_LOOKUP_LIMIT} for one mx term and then treat SPF as failed.",
                "Replace mx with the ip4/ip6 ranges or the include of your mail provider.",
            )
        )
    return issues


# -- email.spf.all ----------------------------------------------------------------


@register(SPF_ALL)
async def check_spf_all(context: CheckContext) -> list[Finding]:
    apex = context.apex
    record = await _single_spf(context, SPF_ALL)
    if isinstance(record, Finding):
        return [record]
    chain = [apex]
    # RFC 7208 §6.1: without "all", redirect= hands the decision to another domain's record.
    while record.all_qualifier is None and record.redirect is not None:
        # %{d} is the domain whose record this is; other macros need a real message.
        target = expand_domain_macros(record.redirect, chain[-1])
        if target is None:
            return [
                SPF_ALL.finding(
                    apex,
                    Status.SKIPPED,
                    f"{apex}'s SPF redirect ({record.redirect}) uses a macro that depends on "
                    "the sender of each message, so we cannot tell which record decides.",
                    severity=Severity.INFO,
                    evidence={"redirect": record.redirect},
                )
            ]
        if target in chain or len(chain) > MAX_REDIRECTS_FOLLOWED:
            return [
                SPF_ALL.finding(
                    apex,
                    Status.FAIL,
                    f"{apex}'s SPF redirects go round in a circle "
                    f"({' -> '.join([*chain, target])}), so receivers treat SPF as failed.",
                    evidence={"redirects": chain[1:]},
                    fix="Point redirect= at your provider's SPF record, not back at your own.",
                    refs=(f"{RFC7208}#section-6.1",),
                )
            ]
        answer, records = await _spf_texts(context.resolver, target)
        if answer.outcome.is_failure:
            return [SPF_ALL.finding(apex, Status.ERROR, answer.describe())]
        if len(records) != 1:
            return [
                SPF_ALL.finding(
                    apex,
                    Status.FAIL,
                    f"{apex}'s SPF record hands over to {target} (redirect=), which has "
                    f"{'no SPF record' if not records else 'more than one SPF record'}, so "
                    "receivers treat SPF as failed.",
                    evidence={"redirects": [*chain[1:], target]},
                    fix=f"Correct the redirect= target, or replace it with {target}'s "
                    "include and your own ~all.",
                    refs=(f"{RFC7208}#section-6.1",),
                )
            ]
        chain.append(target)
        record = parse_spf(records[0])
    return [_judge_all(apex, record.all_qualifier, chain)]


def _judge_all(apex: str, qualifier: str | None, chain: list[str]) -> Finding:
    ending = f"{qualifier}all" if qualifier else None
    evidence = {"all": ending, "decided_by": chain[-1], "redirects": chain[1:]}
    via = f" (through {chain[-1]})" if len(chain) > 1 else ""
    refs = (f"{RFC7208}#section-5.1", f"{RFC7208}#section-4.6.2")
    fix = (
        f'End the SPF record of {chain[-1]} with "~all" (or "-all" once all your senders '
        "are listed)."
    )
    if qualifier == "-":
        summary = (
            f"{apex}'s SPF tells receivers to reject mail from servers you did not list "
            f"(-all){via}."
        )
        return SPF_ALL.finding(apex, Status.PASS, summary, evidence=evidence)
    if qualifier == "~":
        summary = (
            f"{apex}'s SPF marks mail from servers you did not list as suspicious (~all){via}; "
            "with DMARC that is enough."
        )
        return SPF_ALL.finding(apex, Status.PASS, summary, evidence=evidence)
    if qualifier == "+":
        return SPF_ALL.finding(
            apex,
            Status.FAIL,
            f"{apex}'s SPF ends in +all{via}, which tells receivers that every server on the "
            "internet may send mail as you: anyone can send mail as you and pass SPF.",
            severity=Severity.CRITICAL,
            evidence=evidence,
            fix=fix,
            refs=refs,
        )
    if qualifier == "?":
        summary = (
            f"{apex}'s SPF ends in ?all{via} (neutral), so mail from servers you did not list "
            "is treated as if you had no SPF at all: forgeries get through."
        )
    else:
        summary = (
            f'{apex}\'s SPF record does not end in "~all" or "-all"{via}, so mail from servers '
            "you did not list is neither passed nor failed: forgeries get through."
        )
    return SPF_ALL.finding(apex, Status.FAIL, summary, evidence=evidence, fix=fix, refs=refs)


# -- email.dmarc ------------------------------------------------------------------


async def _dmarc_texts(resolver: Resolver, apex: str) -> tuple[Answer, list[str], list[str]]:
    """The DMARC records at _dmarc.<apex>, and the TXT records there that were meant as one
    but that receivers skip (no `v=DMARC1` first)."""
    answer, texts = await _txt_texts(resolver, f"_dmarc.{apex}")
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
        "profile": profile.id if profile else None,
    }
    issues: list[_Issue] = []
    if policy == "none":
        fails = profile is not None and profile.dmarc_none_fails
        written = "p=none" if record.policy else "no valid p= (read as p=none)"
        summary = (
            f"{apex}'s DMARC policy is {written}: receivers only report mail forged in your "
            "name and still deliver it, so a fake password reset or invoice reaches your users."
        )
        if fails and profile is not None:
            summary += f" For {profile.title} that blocks the launch."
        issues.append(
            _Issue(
                Status.FAIL if fails else Status.WARN,
                Severity.HIGH if fails else Severity.MEDIUM,
                summary,
                "Once the DMARC reports show only your own senders, change p=none to "
                "p=quarantine, then p=reject.",
            )
        )
    if _POLICY_STRENGTH[subdomain_policy] < _POLICY_STRENGTH[policy]:
        issues.append(
            _Issue(
                Status.WARN,
                Severity.MEDIUM,
                f"Subdomains get a weaker DMARC policy (sp={subdomain_policy}) than {apex} "
                f"(p={policy}), so mail forged from a made-up name such as billing.{apex} is "
                "delivered.",
                f"Remove sp= or set it to {policy}.",
            )
        )
    if policy != "none" and record.pct < 100:
        issues.append(
            _Issue(
                Status.WARN,
                Severity.MEDIUM,
                f"Your DMARC policy applies to only {record.pct}% of failing mail; the other "
                f"{100 - record.pct}% of forgeries are delivered as if you had p=none.",
                "Remove pct= (or set pct=100) once the reports look clean.",
            )
        )
    if policy != "none" and record.testing:
        issues.append(
            _Issue(
                Status.WARN,
                Severity.LOW,
                "Your DMARC record is in testing mode (t=y), so receivers apply a milder "
                "policy than the one you wrote.",
                "Remove t=y once the reports look clean.",
            )
        )
    return [
        _finding_from_issues(
            DMARC_POLICY,
            apex,
            issues,
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
        *(_txt_texts(context.resolver, f"{apex}._report._dmarc.{domain}") for domain in external)
    )
    authorized: dict[str, bool] = {}
    issues: list[_Issue] = []
    for domain, (answer, texts) in zip(external, answers, strict=True):
        if answer.outcome.is_failure:
            issues.append(
                _Issue(
                    Status.ERROR,
                    DMARC_RUA.severity,
                    f"Could not check whether {domain} accepts your DMARC reports: "
                    + answer.describe(),
                )
            )
            continue
        authorized[domain] = any(_DMARC_START.match(text) for text in texts)
        if not authorized[domain]:
            issues.append(
                _Issue(
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
        _finding_from_issues(
            DMARC_RUA,
            apex,
            issues,
            pass_summary=f"DMARC reports about mail sent as {apex} go to {', '.join(addresses)}.",
            evidence=evidence,
            refs=(f"{RFC7489}#section-7.1",),
        )
    ]


# -- email.dkim -------------------------------------------------------------------


def _looks_like_dkim(text: str) -> bool:
    """A DKIM key record names its version or its key; a wildcard TXT found by guessing
    a selector (say an SPF record at *.example.com) does neither."""
    tags = parse_tag_list(text)
    return "p" in tags.names or tags.value_of("v") == "DKIM1"


@register(DKIM)
async def check_dkim(context: CheckContext) -> list[Finding]:
    apex = context.apex
    configured = list(dict.fromkeys(s.strip().lower() for s in context.dkim_selectors if s.strip()))
    guessed = [selector for selector in COMMON_DKIM_SELECTORS if selector not in configured]
    selectors = [*configured, *guessed]
    lookups = await asyncio.gather(
        *(_txt_texts(context.resolver, f"{selector}._domainkey.{apex}") for selector in selectors)
    )
    findings: list[Finding] = []
    unanswered: list[Answer] = []
    for selector, (answer, texts) in zip(selectors, lookups, strict=True):
        is_configured = selector in configured
        name = f"{selector}._domainkey.{apex}"
        if answer.outcome.is_failure:
            if is_configured:
                findings.append(DKIM.finding(name, Status.ERROR, answer.describe()))
            else:
                unanswered.append(answer)
            continue
        keys = texts if is_configured else [text for text in texts if _looks_like_dkim(text)]
        if keys:
            findings.append(_judge_dkim(selector, name, keys, answer, is_configured))
        elif is_configured:
            findings.append(
                DKIM.finding(
                    name,
                    Status.FAIL,
                    f"There is no DKIM key for your selector {selector}, so mail signed with "
                    "it fails DKIM and receivers may treat it as forged.",
                    evidence={
                        "selector": selector,
                        "configured": True,
                        "outcome": answer.outcome.value,
                    },
                    fix=f"Publish the key your mail provider gives you at {name}, or correct "
                    "the selector in the engagement file (email.dkim_selectors).",
                    refs=(f"{RFC6376}#section-3.6.2.1",),
                )
            )
    if findings:
        return findings
    if unanswered:
        return [DKIM.finding(apex, Status.ERROR, unanswered[0].describe())]
    detail = (
        f"We looked under {len(selectors)} selectors: {', '.join(selectors)}. Some providers "
        "use selectors nobody can guess (Amazon SES random 32-character tokens, Postmark "
        "dated ones such as 20221122pm), so this is not proof that your mail is unsigned. "
        "Find the selector in a sent message's DKIM-Signature header (s=)."
    )
    if not context.email_in_scope:
        return [
            DKIM.finding(
                apex,
                Status.SKIPPED,
                f"No DKIM key found for {apex}; email is out of scope for this engagement.",
                severity=Severity.INFO,
                detail=detail,
                evidence={"selectors_tried": selectors},
            )
        ]
    return [
        DKIM.finding(
            apex,
            Status.WARN,
            "We found no DKIM key under common selectors; tell us your selector "
            "(email.dkim_selectors in the engagement file).",
            severity=Severity.MEDIUM,
            detail=detail,
            evidence={"selectors_tried": selectors},
            fix="Add your selector to email.dkim_selectors in the engagement file, or turn on "
            "DKIM signing at your mail provider and publish the key it gives you.",
            refs=(f"{RFC6376}#section-3.6.2.1",),
        )
    ]


def _judge_dkim(
    selector: str, name: str, keys: list[str], answer: Answer, configured: bool
) -> Finding:
    key = parse_dkim_key(keys[0])
    evidence: dict[str, Any] = {
        "selector": selector,
        "provider": COMMON_DKIM_SELECTORS.get(selector),
        "configured": configured,
        "key_type": key.key_type,
        "key_bits": key.key_bits,
        "revoked": key.revoked,
        "cname_chain": list(answer.cname_chain),
        "problems": list(key.problems),
        "records": len(keys),
    }
    refs = (f"{RFC6376}#section-3.6.1", f"{RFC8301}#section-3.2")
    detail = "\n".join(key.problems)
    if key.revoked:
        if configured:
            return DKIM.finding(
                name,
                Status.FAIL,
                f"The DKIM key for your selector {selector} has been revoked (p= is empty), "
                "so mail signed with it fails DKIM.",
                evidence=evidence,
                fix=f"Publish the current key at {name}, or sign with a selector that has one.",
                refs=refs,
            )
        return DKIM.finding(
            name,
            Status.WARN,
            f"The DKIM key under selector {selector} has been revoked (p= is empty); if your "
            "mail is still signed with it, it fails DKIM.",
            severity=Severity.LOW,
            detail="If you no longer send with this selector, this is how a retired key should "
            "look and nothing needs doing.",
            evidence=evidence,
            fix=f"Check the s= of a sent message's DKIM-Signature; if it is {selector}, "
            "publish the current key.",
            refs=refs,
        )
    bits = key.key_bits
    if key.key_type == "rsa" and bits is not None and bits < DKIM_MINIMUM_BITS:
        return DKIM.finding(
            name,
            Status.FAIL,
            f"The DKIM key under selector {selector} is only {bits} bits; receivers reject keys "
            f"under {DKIM_MINIMUM_BITS} bits, so every signature fails and your mail looks forged.",
            detail=detail,
            evidence=evidence,
            fix="Generate a 2048-bit key at your mail provider and publish it.",
            refs=refs,
        )
    if not key.valid:
        return DKIM.finding(
            name,
            Status.FAIL,
            f"The DKIM record under selector {selector} is broken, so receivers cannot check "
            "your signatures and your mail looks forged.",
            detail=detail,
            evidence=evidence,
            fix=f"Copy the key again from your mail provider into {name}.",
            refs=refs,
        )
    if len(keys) > 1:
        return DKIM.finding(
            name,
            Status.WARN,
            f"Selector {selector} has {len(keys)} key records; receivers pick one at random, "
            "so some of your signatures fail.",
            severity=Severity.MEDIUM,
            detail="\n".join(keys),
            evidence=evidence,
            fix=f"Keep only the current key at {name}.",
            refs=(f"{RFC6376}#section-3.6.2.2",),
        )
    if key.key_type == "rsa" and bits is not None and bits < DKIM_RECOMMENDED_BITS:
        return DKIM.finding(
            name,
            Status.WARN,
            f"The DKIM key under selector {selector} is {bits} bits; {DKIM_RECOMMENDED_BITS} "
            "bits is today's recommendation, and weak keys can be broken to forge your mail.",
            severity=Severity.MEDIUM,
            detail=detail,
            evidence=evidence,
            fix="Ask your mail provider for a 2048-bit key (most offer it in the DKIM settings).",
            refs=refs,
        )
    if key.problems:
        return DKIM.finding(
            name,
            Status.WARN,
            f"The DKIM key under selector {selector} works, but: {key.problems[0]}",
            severity=Severity.LOW,
            detail=detail,
            evidence=evidence,
            refs=refs,
        )
    strength = "an ed25519 key" if key.key_type == "ed25519" else f"a {bits}-bit RSA key"
    via = f" (through {answer.final_name})" if answer.cname_chain else ""
    return DKIM.finding(
        name,
        Status.PASS,
        f"Selector {selector} has {strength}{via}, so receivers can check your signatures.",
        evidence=evidence,
    )
