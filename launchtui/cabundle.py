"""Extra CA certificates: is this file something TLS can trust?

A bundle that is not PEM (a DER file, a private key, a truncated copy, random bytes) makes
every TLS connection fail the same way, and each check would report it as its own
internal error. Reading the file once before the run turns that into one plain sentence.
"""

from __future__ import annotations

import os
import ssl
import stat
from pathlib import Path

# The system's own bundle is about 200 KB; a file this big is the wrong file.
MAX_BUNDLE_BYTES = 16 * 2**20
_PEM_CERTIFICATE = b"-----BEGIN CERTIFICATE-----"
_PEM_PRIVATE_KEY = b"PRIVATE KEY-----"


def ca_bundle_problem(path: Path) -> str | None:
    """Why `path` cannot serve as extra CA certificates, in a few words; None when it can."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return "no such file"
    except (OSError, ValueError) as exc:
        return f"cannot be read ({getattr(exc, 'strerror', None) or exc})"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    if info.st_size > MAX_BUNDLE_BYTES:
        return f"{info.st_size / 2**20:.0f} MB is far too big for CA certificates"
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if not data.strip():
        return "the file is empty"
    if _PEM_CERTIFICATE not in data:
        if _PEM_PRIVATE_KEY in data:
            return "it holds a private key, not a certificate"
        return (
            "not PEM certificates (no -----BEGIN CERTIFICATE----- line); a DER file converts "
            "with `openssl x509 -inform der -in FILE -out FILE.pem`"
        )
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=str(path))
    except (ssl.SSLError, OSError, ValueError):
        return "a certificate in it is cut short or damaged"
    return None
