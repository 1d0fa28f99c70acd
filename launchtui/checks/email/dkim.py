"""DKIM (RFC 6376): email.dkim, the keys under the engagement's selectors and the ones mail
providers commonly use."""

from __future__ import annotations

import asyncio
from typing import Any

from ...context import CheckContext
from ...findings import Finding, Severity, Status
from ...parsers.dkim import parse_dkim_key, parse_tag_list
from ...resolver import Answer
from ..registry import CheckSpec, register
from .txt import txt_texts

DKIM = CheckSpec("email.dkim", "DKIM keys", Severity.HIGH)

RFC6376 = "https://www.rfc-editor.org/rfc/rfc6376"
RFC8301 = "https://www.rfc-editor.org/rfc/rfc8301"
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
        *(txt_texts(context.resolver, f"{selector}._domainkey.{apex}") for selector in selectors)
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
