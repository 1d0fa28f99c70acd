"""Filling a runbook's texts with what the engagement knows, in Jinja2's sandbox.

A founder reading "Sign in to the registrar — owner: Dana, 2FA on, recovery codes in
1Password: Ops vault" needs no lookup; the runbook says `{{ owner("registrar") }}`. The
names a text can use are the ones `template_context` builds; variants are picked by
provider keys such as `hosting` ("vercel") or `secret_provider` ("stripe").
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from ..engagement import Engagement, Owner, Secret
from ..urls import redact_url

_ENVIRONMENT = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)

# Which provider a secret belongs to, from its name or where it lives.
_PROVIDER_HINTS = (
    ("stripe", ("stripe", "sk_live", "rk_live")),
    ("aws", ("aws", "amazon")),
    ("github", ("github", "ghp_", "gh_")),
    ("vercel", ("vercel",)),
    ("netlify", ("netlify",)),
    ("postmark", ("postmark",)),
    ("sendgrid", ("sendgrid",)),
    ("resend", ("resend",)),
    ("openai", ("openai",)),
    ("database", ("database", "postgres", "mysql", "db_", "_db")),
)
_HOSTS = ("vercel", "netlify", "render", "railway", "fly", "heroku", "cloudflare", "aws")


class TemplateProblem(Exception):
    """A runbook text Jinja2 cannot read; the message says where in the text."""


def check_template(text: str) -> None:
    try:
        _ENVIRONMENT.parse(text)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        raise TemplateProblem(
            f"{exc.message or exc}" + (f" (line {line} of the text)" if line else "")
        ) from None


def render(text: str, context: dict[str, Any]) -> str:
    """The text with the engagement's facts filled in; a missing fact is said plainly."""
    try:
        return _ENVIRONMENT.from_string(text).render(**context).strip()
    except TemplateError as exc:
        return f"{text.strip()}\n(launchtui could not fill this text in: {exc})"


def template_context(
    engagement: Engagement, *, secret: Secret | None = None, inputs: dict[str, str] | None = None
) -> dict[str, Any]:
    deploy = engagement.deploy
    owners = engagement.owners
    dns_owner = _owner_of(owners, "dns")
    return {
        "product": engagement.product or engagement.apex,
        "apex": engagement.apex,
        "canonical": engagement.canonical_host,
        "engagement": engagement.id,
        "file": engagement.path.name,
        "deploy": deploy,
        "backup": engagement.backup,
        "monitoring": engagement.monitoring,
        "owners": owners,
        "owner": lambda account: describe_owner(_owner_of(owners, account), account),
        "routes": [
            {"name": r.name, "url": redact_url(r.url), "kind": r.kind} for r in engagement.routes
        ],
        "secret": secret,
        "secret_provider": secret_provider(secret) if secret else "",
        "secret_store": secret_store(secret) if secret else "",
        "hosting": provider_key(deploy.provider),
        "dns_provider": provider_key(dns_owner.provider if dns_owner else ""),
        "inputs": dict(inputs or {}),
    }


def describe_owner(owner: Owner | None, account: str) -> str:
    """ "Dana (2FA on, recovery codes in 1Password: Ops vault)", or what is missing."""
    if owner is None:
        return f"nobody is recorded as owning the {account} account (add one with o in the app)"
    two_factor = {True: "2FA on", False: "NO 2FA", None: "2FA unknown"}[owner.two_factor]
    recovery = f", recovery codes in {owner.recovery}" if owner.recovery else ""
    at = f" at {owner.provider}" if owner.provider else ""
    return f"{owner.owner or 'someone'}{at} ({two_factor}{recovery})"


def secret_provider(secret: Secret) -> str:
    """stripe, aws, github…: which provider's rotation steps apply ('' when unknown)."""
    haystack = f"{secret.name} {secret.reference}".lower()
    for provider, hints in _PROVIDER_HINTS:
        if any(hint in haystack for hint in hints):
            return provider
    return ""


def secret_store(secret: Secret) -> str:
    """Where the value lives, as a variant key: 1password, doppler, vercel, netlify… ."""
    kind = secret.reference_kind
    if kind == "platform":
        return secret.reference.split(":", 1)[0]
    return kind


def provider_key(name: str) -> str:
    lowered = re.sub(r"[^a-z0-9]+", "", name.lower())
    return next((host for host in _HOSTS if host in lowered), lowered)


def _owner_of(owners: list[Owner], account: str) -> Owner | None:
    return next((owner for owner in owners if owner.account.lower() == account.lower()), None)
