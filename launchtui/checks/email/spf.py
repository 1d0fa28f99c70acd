"""SPF (RFC 7208): email.spf (one valid record), email.spf.lookups (the DNS lookup and
void lookup limits across includes and redirects) and email.spf.all (what happens to
mail from servers the record does not list)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from ...context import CheckContext
from ...findings import Finding, Severity, Status
from ...parsers.spf import (
    DNS_LOOKUP_LIMIT,
    SpfRecord,
    SpfTerm,
    expand_domain_macros,
    parse_spf,
    pick_spf_records,
)
from ...resolver import Answer, Resolver
from ..problems import Problem, fold_problems
from ..registry import CheckSpec, register
from .txt import txt_texts

SPF = CheckSpec("email.spf", "SPF record", Severity.HIGH)
SPF_LOOKUPS = CheckSpec("email.spf.lookups", "SPF lookup limits", Severity.HIGH)
SPF_ALL = CheckSpec("email.spf.all", "SPF default for unlisted servers", Severity.HIGH)

RFC7208 = "https://www.rfc-editor.org/rfc/rfc7208"

# RFC 7208 §4.6.4: more than two lookups that find nothing is a permerror, and one "mx"
# mechanism may make at most ten address lookups (one per MX host).
VOID_LOOKUP_LIMIT = 2
MX_ADDRESS_LOOKUP_LIMIT = 10
# Our own bound: past this many lookups the verdict is certain, so stop walking.
MAX_LOOKUPS_FOLLOWED = 20
MAX_REDIRECTS_FOLLOWED = 10
# A record this close to the limit breaks when the next provider's include is added.
LOOKUPS_NEAR_LIMIT = DNS_LOOKUP_LIMIT - 1


async def _spf_texts(resolver: Resolver, domain: str) -> tuple[Answer, list[str]]:
    answer, texts = await txt_texts(resolver, domain)
    return answer, pick_spf_records(texts)


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
    problems = _lookup_problems(apex, total, truncated, loops, voids, heavy_mx, by_include)
    problems += [
        Problem(
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
    if failures and not any(problem.status is Status.FAIL for problem in problems):
        problems.append(
            Problem(
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
        fold_problems(
            SPF_LOOKUPS,
            apex,
            problems,
            pass_summary=f"Checking your SPF record takes {total} DNS {noun}, within the "
            f"limit of {DNS_LOOKUP_LIMIT} receivers allow.",
            evidence=evidence,
            refs=(f"{RFC7208}#section-4.6.4",),
            detail=tree,
        )
    ]


def _lookup_problems(
    apex: str,
    total: int,
    truncated: bool,
    loops: list[_SpfBranch],
    voids: list[str],
    heavy_mx: list[dict[str, Any]],
    by_include: dict[str, int],
) -> list[Problem]:
    problems: list[Problem] = []
    costliest = ", ".join(
        f"{label} ({cost})"
        for label, cost in sorted(by_include.items(), key=lambda item: -item[1])[:3]
    )
    if loops:
        problems.append(
            Problem(
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
        problems.append(
            Problem(
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
        problems.append(
            Problem(
                Status.WARN,
                Severity.LOW,
                f"Checking your SPF record takes {total} of the {DNS_LOOKUP_LIMIT} DNS lookups "
                "receivers allow; adding one more mail provider will break SPF for all your mail.",
                "Trim includes you no longer need before adding another provider.",
            )
        )
    if len(voids) > VOID_LOOKUP_LIMIT:
        problems.append(
            Problem(
                Status.FAIL,
                Severity.HIGH,
                f"{len(voids)} names in your SPF record do not exist or have no records "
                f"({', '.join(voids)}); receivers allow {VOID_LOOKUP_LIMIT} and then treat "
                "SPF as failed.",
                "Remove the terms that point at names that are gone.",
            )
        )
    for heavy in heavy_mx:
        problems.append(
            Problem(
                Status.FAIL,
                Severity.HIGH,
                f'The "{heavy["term"]}" term in the SPF record of {heavy["domain"]} names '
                f"{heavy['mx_hosts']} mail servers; receivers look up at most "
                f"{MX_ADDRESS_LOOKUP_LIMIT} for one mx term and then treat SPF as failed.",
                "Replace mx with the ip4/ip6 ranges or the include of your mail provider.",
            )
        )
    return problems


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
