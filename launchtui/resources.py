"""Where launchtui finds its shipped data and the user's own runbooks.

A wheel carries `runbooks/` and `templates/` inside the package as `launchtui/_data/`
(the force-include in pyproject.toml); a source checkout or editable install keeps them at
the repo root, next to the package. Callers ask here instead of building paths themselves,
so both layouts work and tests have one place to point elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

RUNBOOKS_PATH_ENV = "LAUNCHTUI_RUNBOOKS_PATH"

_PACKAGE_DIR = Path(__file__).resolve().parent


def runbooks_dir() -> Path:
    """The shipped runbooks (and profiles.toml)."""
    return _shipped_dir("runbooks")


def templates_dir() -> Path:
    """The shipped Jinja2 templates for reports and handover documents."""
    return _shipped_dir("templates")


def user_runbook_dirs() -> list[Path]:
    """Folders holding the user's own runbooks, highest priority first.

    The folders in $LAUNCHTUI_RUNBOOKS_PATH come first, in the order given, so a one-off
    run (a client's folder, a test) beats the runbooks kept in the config folder. The
    folders need not exist: a fresh install has none, and loaders skip missing ones.
    """
    configured = os.environ.get(RUNBOOKS_PATH_ENV, "").split(os.pathsep)
    from_env = [Path(folder).expanduser() for folder in configured if folder]
    from .settings import config_dir

    in_config = config_dir() / "runbooks"
    return list(dict.fromkeys([*from_env, in_config]))


def _shipped_dir(name: str) -> Path:
    """The installed copy when there is one, else the checkout's; never a silent miss.

    A broken install should fail here with both places named, not later as "no runbooks".
    """
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"launchtui's {name} folder is missing: looked in {installed} and {checkout}"
    )
