"""Monitors as config: the homepage, every listed route and the health page, ready for
Gatus or Upptime, with the profile's response-time budgets and certificate warning.

Never a secret: webhook URLs are `${VARIABLE}` placeholders, and a route URL carrying a
password or token is written with it redacted and a comment saying to add it in the
monitor's own settings.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from ..engagement import Engagement
from ..runbook import Profile
from ..urls import REDACTED, redact_url

GATUS_WEBHOOK = "${ALERT_WEBHOOK_URL}"
_ALERT_BODY = '{"text": "[ENDPOINT_NAME] is [ALERT_TRIGGERED_OR_RESOLVED]: [ALERT_DESCRIPTION]"}'


@dataclass(frozen=True)
class Endpoint:
    name: str
    url: str
    budget_ms: int
    kind: str  # page, api, auth, health, static

    @property
    def needs_credentials(self) -> bool:
        return REDACTED in self.url

    @property
    def statuses(self) -> list[int]:
        """What a healthy answer looks like without signing in: APIs may ask for it."""
        return [200, 401, 403] if self.kind == "api" else [200]


def monitored_endpoints(engagement: Engagement, profile: Profile | None) -> list[Endpoint]:
    """The homepage, then every listed GET route (health pages included), each once."""
    homepage_budget = profile.budget_ms("page") if profile else 1500
    endpoints = [
        Endpoint("Homepage", f"https://{engagement.canonical_host}/", homepage_budget, "page")
    ]
    for route in engagement.routes:
        if route.method != "GET":
            continue
        budget = route.budget_ms or (profile.budget_ms(route.kind) if profile else 1500)
        endpoints.append(Endpoint(route.name, redact_url(route.url), budget, route.kind))
    seen: set[str] = set()
    unique = []
    for endpoint in endpoints:
        if endpoint.url not in seen:
            seen.add(endpoint.url)
            unique.append(endpoint)
    return unique


def gatus_config(
    engagement: Engagement, profile: Profile | None, *, generated: dt.datetime, source: str
) -> str:
    """A Gatus `config.yaml` (endpoints with status, response time and certificate
    conditions, a webhook alert read from the environment)."""
    interval = profile.monitoring.uptime_interval_s if profile else 60
    warn_hours = (profile.monitoring.cert_warn_days if profile else 30) * 24
    lines = [
        f"# Gatus monitors for {engagement.product or engagement.apex}, made by launchtui "
        f"from {source} on {generated:%Y-%m-%d}.",
        "# The alert webhook is read from the environment (ALERT_WEBHOOK_URL): never put",
        "# its value in this file.",
        "alerting:",
        "  custom:",
        f"    url: {_quoted(GATUS_WEBHOOK)}",
        "    method: POST",
        f"    body: {_quoted(_ALERT_BODY)}",
        "endpoints:",
    ]
    for endpoint in monitored_endpoints(engagement, profile):
        if endpoint.needs_credentials:
            lines.append("  # needs a token or password: add it in Gatus' headers, not here")
        # An API may answer 401 to a caller that is not signed in: up, just private.
        status = "[STATUS] < 500" if endpoint.kind == "api" else "[STATUS] == 200"
        conditions = [status, f"[RESPONSE_TIME] < {endpoint.budget_ms}"]
        if endpoint.url.startswith("https://"):
            conditions.append(f"[CERTIFICATE_EXPIRATION] > {warn_hours}h")
        lines += [
            f"  - name: {_quoted(endpoint.name)}",
            f"    group: {_quoted(engagement.apex)}",
            f"    url: {_quoted(endpoint.url)}",
            f"    interval: {interval}s",
            "    conditions:",
            *(f"      - {_quoted(condition)}" for condition in conditions),
            "    alerts:",
            "      - type: custom",
            "        send-on-resolved: true",
        ]
    return "\n".join(lines) + "\n"


def upptime_config(
    engagement: Engagement, profile: Profile | None, *, generated: dt.datetime, source: str
) -> str:
    """An Upptime `.upptimerc.yml` (sites with expected statuses and response times);
    owner and repo are placeholders for the founder's GitHub account."""
    lines = [
        f"# Upptime monitors for {engagement.product or engagement.apex}, made by launchtui "
        f"from {source} on {generated:%Y-%m-%d}.",
        "# Set owner and repo to the GitHub repository that will run Upptime.",
        f"owner: {_quoted('your-github-account')}",
        f"repo: {_quoted(engagement.id + '-status')}",
        "sites:",
    ]
    for endpoint in monitored_endpoints(engagement, profile):
        if endpoint.needs_credentials:
            lines.append("  # needs a token or password: add it as a GitHub secret, not here")
        lines += [
            f"  - name: {_quoted(endpoint.name)}",
            f"    url: {_quoted(endpoint.url)}",
            f"    expectedStatusCodes: [{', '.join(str(s) for s in endpoint.statuses)}]",
            f"    maxResponseTime: {endpoint.budget_ms}",
        ]
    lines += [
        "status-website:",
        f"  name: {_quoted((engagement.product or engagement.apex) + ' status')}",
    ]
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)
