"""TLS on every host and address: trusted chain, modern versions, right names, time left."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ..context import CheckContext, Host
from ..findings import Finding, Severity, Status
from ..net.tls import TlsReport, name_matches
from .probing import judge_every_address, web_hosts
from .registry import CheckSpec, register

VALID = CheckSpec("tls.valid", "TLS certificate and versions", Severity.HIGH)
HOSTNAME = CheckSpec("tls.hostname", "Certificate names", Severity.HIGH)
EXPIRY = CheckSpec("tls.expiry", "Certificate expiry", Severity.HIGH, metrics={"days_left": "days"})

SELF_SIGNED_CODES = (18, 19)
UNKNOWN_ISSUER_CODES = (2, 20, 21)
MOZILLA_TLS = "https://wiki.mozilla.org/Security/Server_Side_TLS"


async def judge_tls_everywhere(
    context: CheckContext, spec: CheckSpec, verdict: Callable[[str, TlsReport], Finding]
) -> list[Finding]:
    """One handshake report per host and address (shared by the three TLS checks)."""

    async def judge(host: Host, address: str) -> Finding:
        return verdict(host.name, await context.http.tls(host.name, address))

    return await judge_every_address(context, spec, web_hosts(context), judge)


@register(VALID)
async def check_tls_valid(context: CheckContext) -> list[Finding]:
    return await judge_tls_everywhere(context, VALID, judge_validity)


def judge_validity(host: str, report: TlsReport) -> Finding:
    evidence = _evidence(report)
    if report.error:
        status = Status.ERROR if "within" in report.error else Status.FAIL
        return VALID.finding(
            host,
            status,
            f"{host} has no working HTTPS: {report.error[0].lower()}{report.error[1:]}",
            evidence=evidence,
            fix="Serve HTTPS on port 443 with a certificate from a public authority "
            "(e.g. Let's Encrypt, or your host's managed certificates).",
        )
    if not report.chain_trusted:
        return VALID.finding(
            host,
            Status.FAIL,
            f"{host}'s certificate {_distrust_reason(report)}, so browsers "
            "show visitors a full-page security warning.",
            severity=Severity.CRITICAL,
            evidence=evidence,
            fix="Install a certificate from a public authority with its full intermediate chain.",
        )
    if report.version in ("TLSv1", "TLSv1.1", "SSLv3"):
        return VALID.finding(
            host,
            Status.FAIL,
            f"{host} negotiated {report.version}, which browsers no longer accept as safe.",
            evidence=evidence,
            fix="Enable TLS 1.2 and 1.3 on the server or CDN.",
            refs=(MOZILLA_TLS,),
        )
    if report.legacy_versions:
        return VALID.finding(
            host,
            Status.WARN,
            f"{host} still accepts {' and '.join(report.legacy_versions)}, "
            "outdated protocols that weaken security for old clients.",
            severity=Severity.MEDIUM,
            evidence=evidence,
            fix="Turn off TLS 1.0 and 1.1 (RFC 8996); allow only TLS 1.2 and 1.3.",
            refs=("https://www.rfc-editor.org/rfc/rfc8996", MOZILLA_TLS),
        )
    issuer = report.cert.issuer if report.cert else "a trusted authority"
    return VALID.finding(
        host,
        Status.PASS,
        f"{host} has a trusted certificate from {issuer} over {report.version}.",
        evidence=evidence,
    )


def _distrust_reason(report: TlsReport) -> str:
    if report.verify_code in SELF_SIGNED_CODES or (report.cert and report.cert.self_signed):
        return "is self-signed or signed by a private authority"
    if report.verify_code in UNKNOWN_ISSUER_CODES:
        issuer = report.cert.issuer if report.cert else "an unknown issuer"
        return f"is issued by {issuer}, which browsers do not trust (or the chain is incomplete)"
    return f"is rejected ({report.verify_message})"


@register(HOSTNAME)
async def check_tls_hostname(context: CheckContext) -> list[Finding]:
    return await judge_tls_everywhere(context, HOSTNAME, judge_hostname)


def judge_hostname(host: str, report: TlsReport) -> Finding:
    if report.cert is None:
        return HOSTNAME.finding(
            host,
            Status.SKIPPED,
            f"No certificate to read on {host} (see tls.valid).",
            evidence=_evidence(report),
        )
    sans = report.cert.sans
    if any(name_matches(host, san) for san in sans):
        return HOSTNAME.finding(
            host, Status.PASS, f"{host}'s certificate covers {host}.", evidence=_evidence(report)
        )
    listed = ", ".join(sans[:5]) or f"no names (only the old common name {report.cert.subject})"
    return HOSTNAME.finding(
        host,
        Status.FAIL,
        f"{host}'s certificate is for {listed}, not {host}, so browsers refuse the connection.",
        severity=Severity.CRITICAL,
        evidence=_evidence(report),
        fix=f"Issue a certificate that lists {host} (or a matching wildcard) in its names.",
        refs=("https://www.rfc-editor.org/rfc/rfc6125#section-6.4",),
    )


@register(EXPIRY)
async def check_tls_expiry(context: CheckContext) -> list[Finding]:
    monitoring = context.profile.monitoring
    warn_days, fail_days = monitoring.cert_warn_days, monitoring.cert_fail_days
    return await judge_tls_everywhere(
        context, EXPIRY, lambda host, report: judge_expiry(host, report, warn_days, fail_days)
    )


def judge_expiry(
    host: str, report: TlsReport, warn_days: int, fail_days: int, now: dt.datetime | None = None
) -> Finding:
    if report.cert is None:
        return EXPIRY.finding(
            host,
            Status.SKIPPED,
            f"No certificate to read on {host} (see tls.valid).",
            evidence=_evidence(report),
        )
    days = report.cert.days_left(now)
    until = report.cert.not_after.strftime("%Y-%m-%d")
    evidence = {**_evidence(report), "days_left": round(days, 1)}
    renew = (
        "Renew it now and make renewal automatic (ACME / managed certificates); "
        "add a certificate-expiry alert to your monitoring."
    )
    if days < 0:
        return EXPIRY.finding(
            host,
            Status.FAIL,
            f"{host}'s certificate expired on {until}; browsers block the site.",
            severity=Severity.CRITICAL,
            evidence=evidence,
            fix=renew,
        )
    if days < fail_days:
        return EXPIRY.finding(
            host,
            Status.FAIL,
            f"{host}'s certificate expires on {until}, in {days:.0f} days.",
            evidence=evidence,
            fix=renew,
        )
    if days < warn_days:
        return EXPIRY.finding(
            host,
            Status.WARN,
            f"{host}'s certificate expires on {until}, in {days:.0f} days.",
            severity=Severity.MEDIUM,
            evidence=evidence,
            fix="Check that automatic renewal is working before then.",
        )
    return EXPIRY.finding(
        host,
        Status.PASS,
        f"{host}'s certificate is valid until {until} ({days:.0f} days).",
        evidence=evidence,
    )


def _evidence(report: TlsReport) -> dict[str, object]:
    evidence: dict[str, object] = {"version": report.version}
    if report.cert:
        evidence["certificate"] = report.cert.as_evidence()
    if report.verify_code is not None:
        evidence["verify_error"] = f"{report.verify_code}: {report.verify_message}"
    if report.legacy_versions:
        evidence["legacy_versions"] = list(report.legacy_versions)
    if report.error:
        evidence["error"] = report.error
    return evidence
