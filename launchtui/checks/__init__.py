"""All automated checks. Importing a module registers its checks by id."""

from __future__ import annotations

from .registry import CheckSpec, registered_checks


def all_checks() -> dict[str, CheckSpec]:
    """Every check launchtui knows, keyed by its stable id."""
    from . import cache, dns, edge, email, http, tls  # noqa: F401  (registers on import)

    return registered_checks()
