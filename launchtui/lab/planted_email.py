"""Email authentication records for the lab: SPF, DMARC and DKIM, planted and clean.

`good.test` publishes what a well-run sender does (SPF through a provider's include,
DMARC p=reject with reports to itself, 2048-bit DKIM keys, one through a CNAME into the
provider). `bad.test` carries one fault per email check where they can coexist, and
small zones named after their fault (`spf-loop.test`, `dmarc-none.test`, ...) carry
exactly one each, so a test can point at the fault it means.

DKIM keys are generated when the world is built, so no private key is ever checked in;
keys are cached per process because every pytest worker builds its own world.
"""

from __future__ import annotations

import base64
import functools
import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from .world import World, Zone

# RFC 1035 §3.3.14: a TXT character-string holds at most 255 bytes, so longer records
# (a 2048-bit DKIM key is about 400 characters) are split and rejoined by receivers.
TXT_STRING_BYTES = 255
PROVIDER_RANGES = "ip4:192.0.2.0/24 ip4:198.51.100.0/24"
CLEAN_DMARC = "v=DMARC1; p=reject; rua=mailto:dmarc@{origin}"


def txt(text: str, *, split_at: int = TXT_STRING_BYTES) -> str:
    """A TXT record's zone-file data: `text` in quoted strings of at most `split_at` bytes."""
    chunks = [text[start : start + split_at] for start in range(0, len(text), split_at)] or [""]
    return "TXT " + " ".join(f'"{chunk}"' for chunk in chunks)


@functools.cache
def rsa_public_key(bits: int, label: str = "") -> str:
    """Base64 SubjectPublicKeyInfo of a fresh RSA key; `label` asks for a distinct key.

    cryptography refuses to generate keys under 1024 bits, so smaller ones are built
    from a random odd modulus: enough for a parser, which never factors it.
    """
    if bits < 1024:
        modulus = secrets.randbits(bits) | (1 << (bits - 1)) | 1
        public_key = rsa.RSAPublicNumbers(65537, modulus).public_key()
    else:
        public_key = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode("ascii")


@functools.cache
def ed25519_public_key() -> str:
    """Base64 of a raw 32-byte ed25519 public key (RFC 8463 §4.2)."""
    raw = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return base64.b64encode(raw).decode("ascii")


def dkim_rsa(bits: int, label: str = "") -> str:
    return txt(f"v=DKIM1; k=rsa; p={rsa_public_key(bits, label)}")


def _new_zone(world: World, origin: str, *records: str) -> Zone:
    """world.zone, but refuse to replace a zone another part of the lab planted."""
    if origin in world.zones:
        raise ValueError(f"the lab already has a zone {origin}; pick another name")
    return world.zone(origin, *records)


def plant_email(world: World) -> None:
    """Add email records to the zones of `build_planted_world` and add the email-only zones."""
    _plant_provider(world)
    _plant_good(world)
    _plant_bad(world)
    _plant_spf_cases(world)
    _plant_dmarc_cases(world)
    _plant_dkim_cases(world)


def _mail_zone(
    world: World,
    origin: str,
    *,
    spf: str | None = "v=spf1 include:_spf.mailer.test -all",
    dmarc: str | None = CLEAN_DMARC,
    dkim: bool = True,
) -> Zone:
    """A zone that is clean for email apart from what the caller overrides (None: absent)."""
    zone = _new_zone(world, origin)
    if spf is not None:
        zone.add(f"@ {txt(spf)}")
    if dmarc is not None:
        zone.add(f"_dmarc {txt(dmarc.format(origin=origin))}")
    if dkim:
        zone.add(f"google._domainkey {dkim_rsa(2048)}")
    return zone


def _plant_provider(world: World) -> None:
    """A mail provider: the SPF include its customers use, and DKIM keys they CNAME to.

    spfchain.test holds include chains and loops built to break the SPF lookup limits.
    """
    _new_zone(
        world,
        "mailer.test",
        f"_spf {txt(f'v=spf1 {PROVIDER_RANGES} -all')}",
        f"s1.domainkey {dkim_rsa(2048, 'mailer')}",
    )
    _new_zone(
        world,
        "spfchain.test",
        "@ MX 10 mta",
        "mta A 192.0.2.10",
        # Lookups by branch: one = 1 (a) + two; two = 1 (mx) + three;
        # three = 3 (a, mx, exists) + four; four = 2 (a, a); each include costs 1 more.
        f"one {txt('v=spf1 a:mta.spfchain.test include:two.spfchain.test -all')}",
        f"two {txt('v=spf1 mx:spfchain.test include:three.spfchain.test -all')}",
        "three "
        + txt(
            "v=spf1 a:mta.spfchain.test mx:spfchain.test exists:mta.spfchain.test "
            "include:four.spfchain.test -all"
        ),
        f"four {txt('v=spf1 a:mta.spfchain.test a:mta.spfchain.test ip4:203.0.113.0/24 -all')}",
        f"loop-a {txt('v=spf1 include:loop-b.spfchain.test -all')}",
        f"loop-b {txt('v=spf1 include:loop-a.spfchain.test -all')}",
        # An include target that publishes TXT but no SPF: receivers stop with permerror.
        f"not-spf {txt('google-site-verification=abc123')}",
    )


def _plant_good(world: World) -> None:
    zone = world.zones["good.test"]
    zone.add(
        # Split mid-name on purpose: receivers join TXT strings with no separator
        # (RFC 7208 §3.3), so a checker that adds a space reads "_spf.mai ler.test".
        '@ TXT "v=spf1 mx include:_spf.mai" "ler.test -all"',
        f"_dmarc {txt('v=DMARC1; p=reject; rua=mailto:dmarc@good.test')}",
        f"google._domainkey {dkim_rsa(2048)}",
        # Providers such as SendGrid hand out CNAMEs to keys they rotate themselves.
        "s1._domainkey CNAME s1.domainkey.mailer.test.",
        f"default._domainkey {txt(f'v=DKIM1; k=ed25519; p={ed25519_public_key()}')}",
    )


def _plant_bad(world: World) -> None:
    """One fault per email check that can share a domain with the others."""
    zone = world.zones["bad.test"]
    zone.add(
        # Syntax error (a 300 in an address), 12 lookups through nested includes, ?all.
        "@ "
        + txt("v=spf1 ip4:192.0.2.300 include:one.spfchain.test include:_spf.mailer.test ?all"),
        # p=none and no rua: forged mail is delivered and nobody hears about it.
        f"_dmarc {txt('v=DMARC1; p=none')}",
        f"google._domainkey {dkim_rsa(1024)}",
    )


def _plant_spf_cases(world: World) -> None:
    # Nothing at all: no SPF, no DMARC, no DKIM.
    _mail_zone(world, "noauth.test", spf=None, dmarc=None, dkim=False)
    # A domain that sends no mail and says so: nobody may send as it.
    _mail_zone(world, "nomail.test", spf="v=spf1 -all", dkim=False)
    _mail_zone(world, "twospf.test").add(f"@ {txt('v=spf1 ip4:203.0.113.0/24 -all')}")
    _mail_zone(
        world, "spf-syntax.test", spf="v=spf1 ip4:192.0.2.0/24 incldue:_spf.mailer.test -all"
    )
    _mail_zone(
        world, "spf-deep.test", spf="v=spf1 include:_spf.mailer.test include:one.spfchain.test -all"
    )
    # Exactly at the limit: 1 (a) + 1 (include) + 8 inside two.spfchain.test = 10.
    _mail_zone(
        world,
        "spf-near.test",
        spf="v=spf1 a:mta.spfchain.test include:two.spfchain.test -all",
    )
    _mail_zone(world, "spf-loop.test", spf="v=spf1 include:loop-a.spfchain.test -all")
    # Three lookups that find nothing: two names that do not exist, one without MX.
    _mail_zone(
        world,
        "spf-void.test",
        spf=(
            "v=spf1 a:gone1.spf-void.test mx:nomx.spf-void.test "
            "exists:gone2.spf-void.test ip4:192.0.2.1 -all"
        ),
    ).add(f"nomx {txt('exists, but has no MX')}")
    _mail_zone(world, "spf-badinclude.test", spf="v=spf1 include:not-spf.spfchain.test -all")
    # RFC 7208 §4.6.4: one mx mechanism may need at most 10 address lookups.
    many_mx = _mail_zone(world, "spf-mx.test", spf="v=spf1 mx -all")
    many_mx.add(*(f"@ MX {index} mta{index}" for index in range(11)))
    many_mx.add(*(f"mta{index} A 192.0.2.{30 + index}" for index in range(11)))
    _mail_zone(world, "spf-redirect.test", spf="v=spf1 redirect=_spf.mailer.test")
    # A carriage return pasted before a term (zone-file escape \013): invisible in most
    # editors, fatal to the record.
    _mail_zone(world, "spf-invisible.test", spf=None).add(
        '@ TXT "v=spf1 \\013a:mta.spfchain.test -all"'
    )
    # %{d} is the domain itself, so the redirect can be followed without a message.
    _mail_zone(world, "spf-macro.test", spf="v=spf1 redirect=_spf.%{d}").add(
        f"_spf {txt('v=spf1 ip4:192.0.2.0/24 -all')}"
    )
    _mail_zone(world, "plusall.test", spf="v=spf1 ip4:192.0.2.0/24 +all")
    _mail_zone(world, "neutralall.test", spf="v=spf1 ip4:192.0.2.0/24 ?all")
    _mail_zone(world, "noall.test", spf="v=spf1 ip4:192.0.2.0/24")


def _plant_dmarc_cases(world: World) -> None:
    _mail_zone(world, "dmarc-none.test", dmarc="v=DMARC1; p=none; rua=mailto:d@dmarc-none.test")
    _mail_zone(world, "dmarc-two.test").add(f"_dmarc {txt('v=DMARC1; p=none')}")
    _mail_zone(
        world,
        "dmarc-invalid.test",
        dmarc="v=DMARC1; p=reject; p=none; rua=mailto:d@dmarc-invalid.test",
    )
    _mail_zone(
        world,
        "dmarc-sp.test",
        dmarc="v=DMARC1; p=reject; sp=none; rua=mailto:d@dmarc-sp.test",
    )
    _mail_zone(
        world,
        "dmarc-pct.test",
        dmarc="v=DMARC1; p=quarantine; pct=25; rua=mailto:d@dmarc-pct.test",
    )
    _mail_zone(world, "dmarc-norua.test", dmarc="v=DMARC1; p=reject")
    # Published, but receivers skip each of these: they are not DMARC records to them.
    _mail_zone(world, "dmarc-nosemicolon.test", dmarc="v=DMARC1 p=none")
    _mail_zone(world, "dmarc-misspelt.test", dmarc="v=DAMRC1; p=none")
    _mail_zone(world, "dmarc-order.test", dmarc="p=none; v=DMARC1")
    # Reports to another domain need that domain's consent (RFC 7489 §7.1):
    # reports.test gives it to dmarc-authorized.test but not to dmarc-foreign.test.
    _new_zone(
        world,
        "reports.test",
        "@ MX 10 mx",
        "mx A 192.0.2.40",
        f"dmarc-authorized.test._report._dmarc {txt('v=DMARC1')}",
    )
    _mail_zone(world, "dmarc-foreign.test", dmarc="v=DMARC1; p=reject; rua=mailto:r@reports.test")
    _mail_zone(
        world,
        "dmarc-authorized.test",
        dmarc="v=DMARC1; p=reject; rua=mailto:r@reports.test,mailto:d@dmarc-authorized.test",
    )


def _plant_dkim_cases(world: World) -> None:
    _mail_zone(world, "dkim-weak.test", dkim=False).add(f"google._domainkey {dkim_rsa(1024)}")
    _mail_zone(world, "dkim-tiny.test", dkim=False).add(f"google._domainkey {dkim_rsa(768)}")
    _mail_zone(world, "dkim-revoked.test", dkim=False).add(
        f"selector1._domainkey {txt('v=DKIM1; k=rsa; p=')}"
    )
    # A wildcard TXT answers for every guessed selector; it is not a DKIM key.
    _mail_zone(world, "dkim-wildcard.test", dkim=False).add(f"* {txt('site-verification=1')}")
    # A key cut short when it was pasted: the base64 ends mid-way.
    _mail_zone(world, "dkim-broken.test", dkim=False).add(
        f"k1._domainkey {txt('v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC')}"
    )
