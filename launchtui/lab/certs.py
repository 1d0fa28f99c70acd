"""A throwaway CA and leaf certificates, dated relative to now so they never go stale."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import trustme

from .world import Cert

_LEAF_LIFETIMES = {
    Cert.VALID: (dt.timedelta(days=-1), dt.timedelta(days=200)),
    Cert.EXPIRED: (dt.timedelta(days=-90), dt.timedelta(days=-2)),
    Cert.EXPIRING: (dt.timedelta(days=-60), dt.timedelta(days=3)),
    Cert.EXPIRING_SOON: (dt.timedelta(days=-60), dt.timedelta(days=20)),
    Cert.WRONG_HOST: (dt.timedelta(days=-1), dt.timedelta(days=200)),
    Cert.SELF_SIGNED: (dt.timedelta(days=-1), dt.timedelta(days=200)),
}


class CertificateFactory:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.ca = trustme.CA(organization_name="launchtui lab CA")
        self.ca_bundle = directory / "lab-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_bundle))

    def issue(self, names: list[str], kind: Cert) -> tuple[Path, Path]:
        """Write cert chain and key for `names`; return (chain path, key path)."""
        now = dt.datetime.now(dt.UTC)
        not_before, not_after = (now + delta for delta in _LEAF_LIFETIMES[kind])
        issuer = (
            trustme.CA(organization_name="Untrusted Self CA")
            if kind is Cert.SELF_SIGNED
            else self.ca
        )
        identities = [f"other-site.{names[0]}"] if kind is Cert.WRONG_HOST else names
        leaf = issuer.issue_cert(*identities, not_before=not_before, not_after=not_after)
        stem = self.directory / f"{names[0]}-{kind.value}"
        chain_path, key_path = stem.with_suffix(".crt"), stem.with_suffix(".key")
        chain_path.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
        leaf.private_key_pem.write_to_path(str(key_path))
        return chain_path, key_path
