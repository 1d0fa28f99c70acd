"""DNS and domain control: do the names resolve, are the records sane and safe to change."""

from __future__ import annotations

import asyncio
import ipaddress
import re

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype

from ..context import CheckContext, Host
from ..findings import Finding, Severity, Status
from ..resolver import Answer, Nameserver, Outcome
from .registry import CheckSpec, register

RESOLVES = CheckSpec("dns.resolves", "Names resolve", Severity.HIGH)
NS = CheckSpec("dns.ns", "Name servers", Severity.HIGH)
CNAME_CONFLICT = CheckSpec("dns.cname-conflict", "CNAME conflicts", Severity.MEDIUM)
DANGLING_CNAME = CheckSpec("dns.dangling-cname", "Dangling CNAMEs", Severity.CRITICAL)
MX = CheckSpec("dns.mx", "Mail exchangers", Severity.HIGH)
TTL = CheckSpec("dns.ttl", "Record TTLs", Severity.LOW, metrics={"ttl": "seconds"})

ONE_DAY = 86400
SHORT_TTL = 60
MAX_NS_PROBED = 6

# Services where a CNAME left pointing at a deleted resource can be claimed by
# anyone who creates a resource with the same name (subdomain takeover).
TAKEOVER_PRONE_SUFFIXES = {
    "herokuapp.com": "Heroku",
    "herokudns.com": "Heroku",
    "github.io": "GitHub Pages",
    "azurewebsites.net": "Azure App Service",
    "cloudapp.net": "Azure",
    "trafficmanager.net": "Azure Traffic Manager",
    "blob.core.windows.net": "Azure Storage",
    "s3.amazonaws.com": "Amazon S3",
    "elasticbeanstalk.com": "AWS Elastic Beanstalk",
    "cloudfront.net": "Amazon CloudFront",
    "netlify.app": "Netlify",
    "vercel.app": "Vercel",
    "fly.dev": "Fly.io",
    "surge.sh": "Surge",
    "myshopify.com": "Shopify",
    "ghost.io": "Ghost",
    "zendesk.com": "Zendesk",
    "helpscoutdocs.com": "Help Scout",
    "readme.io": "ReadMe",
    "webflow.io": "Webflow",
    "pantheonsite.io": "Pantheon",
    "wpengine.com": "WP Engine",
    "bitbucket.io": "Bitbucket",
    "fastly.net": "Fastly",
}


def _rrtype_name(rdtype: int) -> str:
    return dns.rdatatype.to_text(dns.rdatatype.RdataType.make(rdtype))


# -- dns.resolves -----------------------------------------------------------------


@register(RESOLVES)
async def check_names_resolve(context: CheckContext) -> list[Finding]:
    return list(await asyncio.gather(*(_host_resolves(context, host) for host in context.hosts)))


async def _host_resolves(context: CheckContext, host: Host) -> Finding:
    a, aaaa = await context.resolver.addresses(host.name)
    addresses = [*a.texts(), *aaaa.texts()]
    chain = a.cname_chain or aaaa.cname_chain
    evidence = {"addresses": addresses, "cname_chain": list(chain), "outcome": a.outcome.value}
    if addresses:
        via = f" through {' -> '.join(chain)}" if chain else ""
        return RESOLVES.finding(
            host.name,
            Status.PASS,
            f"{host.name} points to {', '.join(addresses[:4])}{via}.",
            evidence=evidence,
        )
    if a.outcome.is_failure and aaaa.outcome.is_failure:
        return RESOLVES.finding(
            host.name,
            Status.ERROR,
            a.describe(),
            evidence=evidence,
            fix="Check the name servers answer, or try another resolver with --nameserver.",
        )
    severity = (
        Severity.HIGH if host.role in ("apex", "www") or not host.discovered else Severity.MEDIUM
    )
    if chain:
        summary = (
            f"{host.name} points at {chain[-1]}, which has no address, "
            "so visitors get an error instead of your site."
        )
    elif a.outcome is Outcome.NXDOMAIN:
        summary = f"{host.name} does not exist in DNS, so anyone who types it gets an error."
    else:
        summary = (
            f"{host.name} exists but has no address (A or AAAA record), so it cannot be visited."
        )
    fix = f"Add an A/AAAA or CNAME record for {host.name} at your DNS provider" + (
        ", or redirect it to your main host." if host.role == "www" else "."
    )
    return RESOLVES.finding(
        host.name, Status.FAIL, summary, severity=severity, evidence=evidence, fix=fix
    )


# -- dns.ns -----------------------------------------------------------------------


@register(NS)
async def check_name_servers(context: CheckContext) -> list[Finding]:
    answer = await context.resolver.lookup(context.apex, "NS")
    if answer.outcome is Outcome.NXDOMAIN:
        return [
            NS.finding(
                context.apex,
                Status.FAIL,
                f"{context.apex} is not registered or not delegated: DNS says it does not exist.",
                severity=Severity.CRITICAL,
                fix="Check the registration at your registrar and the name servers set there.",
            )
        ]
    if not answer.records:
        status = Status.ERROR if answer.outcome.is_failure else Status.FAIL
        return [
            NS.finding(
                context.apex,
                status,
                f"No name servers found for {context.apex}: {answer.describe()}",
                evidence={"outcome": answer.outcome.value},
            )
        ]
    names = sorted(str(r.target).rstrip(".").lower() for r in answer.records)
    findings = [_name_server_count(context.apex, names)]
    health = await asyncio.gather(*(_name_server_health(context, n) for n in names[:MAX_NS_PROBED]))
    findings.extend(finding for finding, _ in health)
    serials = {name: serial for (_, serial), name in zip(health, names, strict=False) if serial}
    if len(set(serials.values())) > 1:
        findings.append(
            NS.finding(
                context.apex,
                Status.WARN,
                "Your name servers disagree about the zone's version, so visitors may see old "
                "records depending on which server answers.",
                severity=Severity.MEDIUM,
                evidence={"soa_serials": serials},
                fix="Wait for transfers to finish, or check that every name server gets updates.",
            )
        )
    return findings


def _name_server_count(apex: str, names: list[str]) -> Finding:
    evidence = {"name_servers": names}
    if len(names) < 2:
        return NS.finding(
            apex,
            Status.WARN,
            f"{apex} has only one name server; if it goes down, your whole domain goes with it.",
            severity=Severity.MEDIUM,
            evidence=evidence,
            fix="Use at least two name servers on different networks (RFC 1034 §4.1).",
            refs=("https://www.rfc-editor.org/rfc/rfc1034#section-4.1",),
        )
    return NS.finding(
        apex, Status.PASS, f"{apex} is served by {len(names)} name servers.", evidence=evidence
    )


async def _name_server_health(context: CheckContext, server_name: str) -> tuple[Finding, int]:
    """Ask the server itself for the zone's SOA: a working server answers with authority."""
    a, aaaa = await context.resolver.addresses(server_name)
    addresses = [*a.texts(), *aaaa.texts()]
    if not addresses:
        return NS.finding(
            server_name,
            Status.FAIL,
            f"Name server {server_name} has no address, so it cannot answer for {context.apex}.",
            evidence={"outcome": a.outcome.value},
            fix=f"Remove {server_name} from the NS records or give it an address.",
        ), 0
    address = addresses[0]
    reply = await context.resolver.ask_server(Nameserver(address), context.apex, "SOA")
    evidence = {"address": address}
    if isinstance(reply, Answer):
        return NS.finding(
            server_name,
            Status.FAIL,
            f"Name server {server_name} ({address}) does not answer, so some visitors "
            f"will wait and fail to find {context.apex}.",
            detail=reply.describe(),
            evidence=evidence,
            fix=f"Fix or remove {server_name} from the NS records at your registrar and DNS host.",
        ), 0
    soa = [r for rrset in reply.answer if rrset.rdtype == dns.rdatatype.SOA for r in rrset]
    evidence["rcode"] = dns.rcode.to_text(reply.rcode())
    if reply.rcode() != dns.rcode.NOERROR or not reply.flags & dns.flags.AA or not soa:
        return NS.finding(
            server_name,
            Status.FAIL,
            f"Name server {server_name} answers but is not in charge of {context.apex} "
            "(a lame delegation), so lookups that reach it fail.",
            evidence=evidence,
            fix=f"Add the zone to {server_name}, or remove it from the NS records.",
        ), 0
    evidence["soa_serial"] = soa[0].serial
    return NS.finding(
        server_name,
        Status.PASS,
        f"Name server {server_name} answers for {context.apex}.",
        evidence=evidence,
    ), soa[0].serial


# -- dns.cname-conflict -------------------------------------------------------------


@register(CNAME_CONFLICT)
async def check_cname_conflicts(context: CheckContext) -> list[Finding]:
    return list(await asyncio.gather(*(_cname_conflict(context, h) for h in context.hosts)))


async def _cname_conflict(context: CheckContext, host: Host) -> Finding:
    a = await context.resolver.lookup(host.name, "A")
    if not a.cname_chain:
        return CNAME_CONFLICT.finding(host.name, Status.PASS, f"{host.name} is not a CNAME.")
    if host.name == context.apex:
        return CNAME_CONFLICT.finding(
            host.name,
            Status.FAIL,
            f"{host.name} is a CNAME at the top of your domain, which breaks mail and name "
            "server records (a CNAME cannot share a name with anything else).",
            severity=Severity.HIGH,
            evidence={"cname": a.cname_chain[0]},
            fix="Use your DNS provider's ALIAS/ANAME (CNAME flattening) or A records at the apex.",
            refs=("https://www.rfc-editor.org/rfc/rfc1034#section-3.6.2",),
        )
    others = await _other_types_beside_cname(context, host.name)
    if others is None:
        return CNAME_CONFLICT.finding(
            host.name,
            Status.ERROR,
            f"Could not ask the authoritative name servers what else is at {host.name}.",
        )
    if others:
        return CNAME_CONFLICT.finding(
            host.name,
            Status.FAIL,
            f"{host.name} has a CNAME and also {', '.join(others)} records; resolvers will "
            "answer one or the other at random, so visitors may land in different places.",
            evidence={"cname": a.cname_chain[0], "other_types": others},
            fix=f"Keep either the CNAME or the other records for {host.name}, not both.",
            refs=(
                "https://www.rfc-editor.org/rfc/rfc1034#section-3.6.2",
                "https://www.rfc-editor.org/rfc/rfc2181#section-10.1",
            ),
        )
    return CNAME_CONFLICT.finding(
        host.name,
        Status.PASS,
        f"{host.name} is a CNAME with nothing else beside it.",
        evidence={"cname": a.cname_chain[0]},
    )


async def _other_types_beside_cname(context: CheckContext, name: str) -> list[str] | None:
    """Ask an authoritative server for ANY at the name: only it shows everything stored there.

    Recursive resolvers answer ANY minimally (RFC 8482), so we go to the zone's
    own servers. Returns None when none of them answered.
    """
    for server in await _authoritative_servers(context):
        reply = await context.resolver.ask_server(server, name, "ANY")
        if isinstance(reply, Answer) or reply.rcode() != dns.rcode.NOERROR:
            continue
        owner = dns.name.from_text(name)
        ignored = {
            dns.rdatatype.CNAME,
            dns.rdatatype.RRSIG,
            dns.rdatatype.NSEC,
            dns.rdatatype.HINFO,
        }
        return sorted(
            {
                _rrtype_name(rrset.rdtype)
                for rrset in reply.answer
                if rrset.name == owner and rrset.rdtype not in ignored
            }
        )
    return None


async def _authoritative_servers(context: CheckContext) -> list[Nameserver]:
    answer = await context.resolver.lookup(context.apex, "NS")
    names = sorted(str(r.target).rstrip(".") for r in answer.records)
    servers: list[Nameserver] = []
    for name in names[:MAX_NS_PROBED]:
        a, aaaa = await context.resolver.addresses(name)
        servers.extend(Nameserver(address) for address in [*a.texts(), *aaaa.texts()][:1])
    return servers


# -- dns.dangling-cname -------------------------------------------------------------


@register(DANGLING_CNAME)
async def check_dangling_cnames(context: CheckContext) -> list[Finding]:
    return list(await asyncio.gather(*(_dangling(context, host) for host in context.hosts)))


async def _dangling(context: CheckContext, host: Host) -> Finding:
    a, aaaa = await context.resolver.addresses(host.name)
    chain = a.cname_chain or aaaa.cname_chain
    if not chain:
        return DANGLING_CNAME.finding(host.name, Status.PASS, f"{host.name} is not a CNAME.")
    target = chain[-1]
    provider = takeover_prone_provider(target)
    evidence = {"cname_chain": list(chain), "provider": provider, "outcome": a.outcome.value}
    if a.records or aaaa.records:
        return DANGLING_CNAME.finding(
            host.name,
            Status.PASS,
            f"{host.name} points at {target}, which exists.",
            evidence=evidence,
        )
    if a.outcome.is_failure and aaaa.outcome.is_failure:
        return DANGLING_CNAME.finding(host.name, Status.ERROR, a.describe(), evidence=evidence)
    at = f" on {provider}" if provider else ""
    if a.outcome is Outcome.NXDOMAIN:
        return DANGLING_CNAME.finding(
            host.name,
            Status.FAIL,
            f"{host.name} points at {target}{at}, which no longer exists: whoever claims that "
            f"name can publish anything on {host.name} (a subdomain takeover).",
            evidence=evidence,
            fix=f"Delete the CNAME for {host.name} now, or recreate {target} under your account.",
            refs=("https://developer.mozilla.org/en-US/docs/Web/Security/Subdomain_takeovers",),
        )
    return DANGLING_CNAME.finding(
        host.name,
        Status.WARN,
        f"{host.name} points at {target}{at}, which exists but has no address, "
        "so the name is broken and may be claimable.",
        severity=Severity.MEDIUM,
        evidence=evidence,
        fix=f"Remove the CNAME for {host.name} or point it at a live service.",
    )


# S3 website endpoints carry the region inside the name: bucket.s3-website-REGION.amazonaws.com
_S3_WEBSITE = re.compile(r"\.s3-website[.-][a-z0-9-]+\.amazonaws\.com$")


def takeover_prone_provider(target: str) -> str | None:
    if _S3_WEBSITE.search(target):
        return "Amazon S3 website"
    for suffix, provider in TAKEOVER_PRONE_SUFFIXES.items():
        if target == suffix or target.endswith("." + suffix):
            return provider
    return None


# -- dns.mx -----------------------------------------------------------------------


@register(MX)
async def check_mail_exchangers(context: CheckContext) -> list[Finding]:
    apex = context.apex
    answer = await context.resolver.lookup(apex, "MX")
    if answer.outcome.is_failure:
        return [MX.finding(apex, Status.ERROR, answer.describe())]
    if not answer.records:
        if not context.email_in_scope:
            return [
                MX.finding(
                    apex,
                    Status.SKIPPED,
                    f"{apex} has no MX records; email is out of scope for this engagement.",
                )
            ]
        return [
            MX.finding(
                apex,
                Status.FAIL,
                f"{apex} has no MX record, so mail sent to your addresses (support, replies to "
                "your emails, bounces) is lost.",
                fix="Add MX records from your email provider (Google Workspace, Microsoft 365…).",
            )
        ]
    exchanges = sorted((r.preference, str(r.exchange).rstrip(".").lower()) for r in answer.records)
    if exchanges == [(0, "")]:
        status = Status.WARN if context.email_in_scope else Status.PASS
        return [
            MX.finding(
                apex,
                status,
                f"{apex} declares that it receives no mail (null MX).",
                severity=Severity.MEDIUM,
                evidence={"mx": []},
                refs=("https://www.rfc-editor.org/rfc/rfc7505",),
            )
        ]
    return list(await asyncio.gather(*(_exchange(context, p, e) for p, e in exchanges)))


async def _exchange(context: CheckContext, preference: int, exchange: str) -> Finding:
    target = f"{context.apex} MX {preference} {exchange}"
    evidence: dict[str, object] = {"exchange": exchange, "preference": preference}
    if _is_ip_literal(exchange):
        return MX.finding(
            target,
            Status.FAIL,
            f"The MX record points at an IP address ({exchange})"
            "; it must name a host, so mail servers ignore it.",
            evidence=evidence,
            fix="Point the MX at your mail provider's host name.",
        )
    a, aaaa = await context.resolver.addresses(exchange)
    chain = a.cname_chain or aaaa.cname_chain
    evidence["addresses"] = [*a.texts(), *aaaa.texts()]
    if not evidence["addresses"]:
        if a.outcome.is_failure and aaaa.outcome.is_failure:
            return MX.finding(target, Status.ERROR, a.describe(), evidence=evidence)
        return MX.finding(
            target,
            Status.FAIL,
            f"Mail server {exchange} does not resolve, so mail routed to it bounces or is delayed.",
            evidence=evidence,
            fix=f"Remove the MX for {exchange} or fix its address records.",
        )
    if chain:
        evidence["cname_chain"] = list(chain)
        return MX.finding(
            target,
            Status.WARN,
            f"Mail server {exchange} is a CNAME; mail standards forbid that and some senders "
            "will refuse to deliver.",
            severity=Severity.MEDIUM,
            evidence=evidence,
            fix=f"Point the MX straight at {chain[-1]}.",
            refs=("https://www.rfc-editor.org/rfc/rfc2181#section-10.3",),
        )
    return MX.finding(target, Status.PASS, f"Mail server {exchange} resolves.", evidence=evidence)


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


# -- dns.ttl ----------------------------------------------------------------------


@register(TTL)
async def check_ttls(context: CheckContext) -> list[Finding]:
    lookups = [(host.name, "A") for host in context.hosts]
    lookups += [(context.apex, "MX"), (context.apex, "NS")]
    answers = await asyncio.gather(*(context.resolver.lookup(n, t) for n, t in lookups))
    findings = [_judge_ttl(answer) for answer in answers if answer.ttl is not None]
    # Every host gets a verdict: one without an address has no TTL to judge, and says so.
    for answer in answers[: len(context.hosts)]:
        if answer.ttl is None:
            findings.append(_no_ttl(answer))
    return findings or [TTL.finding(context.apex, Status.SKIPPED, "No records to judge TTLs on.")]


def _no_ttl(answer: Answer) -> Finding:
    target = f"{answer.name} {answer.rdtype}"
    if answer.outcome.is_failure:
        return TTL.finding(target, Status.ERROR, answer.describe())
    return TTL.finding(
        target,
        Status.SKIPPED,
        f"{answer.name} has no {answer.rdtype} record, so there is no TTL to judge "
        "(see dns.resolves).",
    )


def _judge_ttl(answer: Answer) -> Finding:
    ttl = min([answer.ttl or 0, *answer.cname_ttls]) if answer.cname_ttls else answer.ttl or 0
    longest = max([answer.ttl or 0, *answer.cname_ttls])
    target = f"{answer.name} {answer.rdtype}"
    evidence = {"ttl": answer.ttl, "cname_ttls": list(answer.cname_ttls)}
    if longest > ONE_DAY:
        return TTL.finding(
            target,
            Status.WARN,
            f"{answer.name}'s {answer.rdtype} record is cached for {_duration(longest)}, so an "
            "emergency change (moving host, failing over) takes that long to reach everyone.",
            severity=Severity.LOW,
            evidence=evidence,
            fix="Lower the TTL to 1 hour (3600) or less, at least a day before any planned move.",
        )
    if ttl < SHORT_TTL:
        return TTL.finding(
            target,
            Status.WARN,
            f"{answer.name}'s {answer.rdtype} record is cached for only {ttl} s; that is fine "
            "for failover but makes first visits a little slower.",
            severity=Severity.INFO,
            evidence=evidence,
            fix="Use 300 s or more unless you rely on fast DNS failover.",
        )
    return TTL.finding(
        target,
        Status.PASS,
        f"{answer.name}'s {answer.rdtype} TTL of {_duration(ttl)} is reasonable.",
        evidence=evidence,
    )


def _duration(seconds: int) -> str:
    if seconds >= ONE_DAY and seconds % 3600 == 0:
        days = seconds / ONE_DAY
        return f"{days:g} day{'s' if days != 1 else ''}"
    if seconds >= 3600 and seconds % 60 == 0:
        return f"{seconds / 3600:g} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"
