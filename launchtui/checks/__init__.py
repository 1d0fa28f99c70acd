"""All automated checks. Importing a module registers its checks by id.

`all_checks` imports every module in this package, so a new check is its module (and
its runbook entry): no list here or anywhere else names it.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from .registry import CheckSpec, registered_checks

__all__ = ["CheckSpec", "all_checks"]


def all_checks() -> dict[str, CheckSpec]:
    """Every check launchtui knows, keyed by its stable id."""
    _import_every_module()
    return registered_checks()


@functools.cache
def _import_every_module() -> None:
    # A package's own __init__ runs before its modules, so one that imports its modules
    # (secrets/ does, for its public API) registers them in the order it chose.
    for module in pkgutil.walk_packages(__path__, f"{__name__}."):
        importlib.import_module(module.name)
