"""All automated checks. Importing a module registers its checks by id."""

from __future__ import annotations

from .registry import CheckSpec, register, registered_checks


def all_checks() -> dict[str, CheckSpec]:
    """Every check launchtui knows, keyed by its stable id."""
    from . import cache, dns, edge, email, http, perf, redirect_map, smoke, tls  # noqa: F401
    from .secrets import ENGINE_CHECKS

    known = registered_checks()
    for spec, function in ENGINE_CHECKS:
        if spec.id not in known:
            register(spec)(function)
    return registered_checks()
