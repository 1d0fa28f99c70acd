"""TLS handshakes that describe the certificate even when it fails validation.

A founder needs to know *why* a certificate is rejected (expired on which date,
issued for which names, by whom), so after a verifying handshake we connect once
more without verification just to read the certificate.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import ssl
import warnings
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import NameOID

# OpenSSL verify codes (x509_vfy.h) that do not mean "untrusted issuer".
X509_EXPIRED = 10
X509_NOT_YET_VALID = 9
X509_HOSTNAME_MISMATCH = 62
LEGACY_VERSIONS = (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1)


@dataclass(frozen=True, slots=True)
class CertInfo:
    subject: str
    issuer: str
    sans: tuple[str, ...]
    not_before: dt.datetime
    not_after: dt.datetime
    self_signed: bool

    def days_left(self, now: dt.datetime | None = None) -> float:
        now = now or dt.datetime.now(dt.UTC)
        return (self.not_after - now).total_seconds() / 86400

    def as_evidence(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "sans": list(self.sans),
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class TlsReport:
    host: str
    address: str
    port: int
    error: str | None = None  # no handshake at all: why, in a sentence
    verified: bool = False
    verify_code: int | None = None
    verify_message: str = ""
    version: str | None = None
    cert: CertInfo | None = None
    legacy_versions: tuple[str, ...] = ()

    @property
    def chain_trusted(self) -> bool:
        """Trusted apart from dates and names, which tls.expiry and tls.hostname judge."""
        return self.verified or self.verify_code in (
            X509_EXPIRED,
            X509_NOT_YET_VALID,
            X509_HOSTNAME_MISMATCH,
        )


async def inspect_tls(
    host: str, address: str, port: int, ca_bundle: str | None, timeout: float
) -> TlsReport:
    try:
        ssl_object = await _handshake(address, port, host, verifying_context(ca_bundle), timeout)
    except ssl.SSLCertVerificationError as exc:
        return await _describe_unverified(host, address, port, timeout, exc)
    except (ssl.SSLError, OSError, TimeoutError) as exc:
        return TlsReport(host, address, port, error=_handshake_failure(host, port, exc, timeout))
    cert = _cert_info(ssl_object)
    legacy = await _legacy_versions_accepted(host, address, port, timeout)
    return TlsReport(
        host, address, port, verified=True, version=ssl_object[1], cert=cert, legacy_versions=legacy
    )


async def _describe_unverified(
    host: str, address: str, port: int, timeout: float, failure: ssl.SSLCertVerificationError
) -> TlsReport:
    lenient = _lenient_context()
    try:
        ssl_object = await _handshake(address, port, host, lenient, timeout)
    except (ssl.SSLError, OSError, TimeoutError):
        ssl_object = None
    return TlsReport(
        host,
        address,
        port,
        verified=False,
        verify_code=failure.verify_code,
        verify_message=failure.verify_message or str(failure),
        version=ssl_object[1] if ssl_object else None,
        cert=_cert_info(ssl_object) if ssl_object else None,
    )


async def _legacy_versions_accepted(
    host: str, address: str, port: int, timeout: float
) -> tuple[str, ...]:
    """Does the server still agree to TLS 1.0/1.1? (RFC 8996 deprecates both.)

    One handshake offering only 1.0-1.1 answers the usual case (refused) at the cost of
    one connection; only a server that accepts gets a second one, to learn whether 1.0
    is among them. Handshakes are the audit's main CPU cost, on both ends.
    """
    negotiated = await _legacy_handshake(host, address, port, timeout, *LEGACY_VERSIONS)
    if negotiated is None:
        return ()
    if negotiated == "TLSv1":
        return ("TLS 1",)
    oldest = await _legacy_handshake(
        host, address, port, timeout, ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1
    )
    return ("TLS 1", "TLS 1.1") if oldest else ("TLS 1.1",)


async def _legacy_handshake(
    host: str,
    address: str,
    port: int,
    timeout: float,
    lowest: ssl.TLSVersion,
    highest: ssl.TLSVersion,
) -> str | None:
    """The version a handshake limited to [lowest, highest] settled on, or None."""
    context = _lenient_context()
    try:
        with warnings.catch_warnings():  # deprecated on purpose: we test for them
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = lowest
            context.maximum_version = highest
    except (ValueError, ssl.SSLError):
        return None  # this OpenSSL build cannot speak them at all
    try:
        _, version = await _handshake(address, port, host, context, timeout)
    except (ssl.SSLError, OSError, TimeoutError):
        return None
    return version


@functools.cache
def verifying_context(ca_bundle: str | None) -> ssl.SSLContext:
    """Built once per bundle: loading the system's CA store costs 50-90 ms of CPU, which
    would stall the event loop for every host."""
    context = ssl.create_default_context()
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    return context


def _lenient_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


async def _handshake(
    address: str, port: int, host: str, context: ssl.SSLContext, timeout: float
) -> tuple[bytes | None, str | None]:
    """Handshake and return (DER certificate, TLS version); the connection is closed."""
    async with asyncio.timeout(timeout):
        _reader, writer = await asyncio.open_connection(
            address, port, ssl=context, server_hostname=host, ssl_handshake_timeout=timeout
        )
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        return ssl_object.getpeercert(True), ssl_object.version()
    finally:
        writer.close()
        try:
            async with asyncio.timeout(1):
                await writer.wait_closed()
        except (TimeoutError, OSError, ssl.SSLError):
            pass


def _handshake_failure(host: str, port: int, exc: BaseException, timeout: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"{host}:{port} did not finish a TLS handshake within {timeout:g} seconds."
    if isinstance(exc, ConnectionRefusedError):
        return f"Nothing accepts connections on {host}:{port}."
    if isinstance(exc, ssl.SSLError):
        reason = (exc.reason or str(exc)).upper()
        if "WRONG_VERSION_NUMBER" in reason or "RECORD_LAYER" in reason:
            return f"{host}:{port} does not speak TLS (it answers in plain HTTP or something else)."
        if "UNSUPPORTED_PROTOCOL" in reason or "PROTOCOL_VERSION" in reason:
            return f"{host}:{port} only offers TLS versions too old to be considered safe."
        return f"The TLS handshake with {host}:{port} failed ({exc.reason or exc})."
    return f"Could not connect to {host}:{port} ({exc})."


def _cert_info(ssl_object: tuple[bytes | None, str | None]) -> CertInfo | None:
    der = ssl_object[0]
    if not der:
        return None
    cert = x509.load_der_x509_certificate(der)
    try:
        sans = tuple(
            cert.extensions.get_extension_for_class(
                x509.SubjectAlternativeName
            ).value.get_values_for_type(x509.DNSName)
        )
    except x509.ExtensionNotFound:
        sans = ()
    return CertInfo(
        subject=_common_name(cert.subject) or cert.subject.rfc4514_string(),
        issuer=_organisation(cert.issuer) or cert.issuer.rfc4514_string(),
        sans=sans,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        self_signed=cert.issuer == cert.subject,
    )


def _common_name(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else ""


def _organisation(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return str(values[0].value) if values else _common_name(name)


def name_matches(host: str, pattern: str) -> bool:
    """RFC 6125 §6.4.3: a wildcard stands for exactly one whole left-most label."""
    host, pattern = host.lower().rstrip("."), pattern.lower().rstrip(".")
    if not pattern.startswith("*."):
        return host == pattern
    suffix = pattern[1:]
    return host.endswith(suffix) and "." not in host[: -len(suffix)] and host != suffix[1:]
