"""The user's own settings (who they are, for the change log) and view state, kept apart
from engagement files so an engagement holds only what the engagement is.

Paths come from platformdirs; `LAUNCHTUI_CONFIG_DIR` and `LAUNCHTUI_CACHE_DIR` point them
elsewhere (tests, portable installs), and `LAUNCHTUI_OPERATOR` names the operator for one
run (CI: `LAUNCHTUI_OPERATOR=ci`).
"""

from __future__ import annotations

import contextlib
import json
import os
import tomllib
from pathlib import Path
from typing import Any

import platformdirs

from .atomic import write_atomically

OPERATOR_ENV = "LAUNCHTUI_OPERATOR"


def config_dir() -> Path:
    override = os.environ.get("LAUNCHTUI_CONFIG_DIR")
    return Path(override) if override else platformdirs.user_config_path("launchtui")


def cache_dir() -> Path:
    override = os.environ.get("LAUNCHTUI_CACHE_DIR")
    return Path(override) if override else platformdirs.user_cache_path("launchtui")


def config_file() -> Path:
    return config_dir() / "config.toml"


def configured_operator() -> str:
    """The name the user gave (environment first, then the config file), or ''."""
    named = os.environ.get(OPERATOR_ENV, "").strip()
    if named:
        return named
    try:
        with config_file().open("rb") as file:
            value = tomllib.load(file).get("operator", "")
    except (OSError, tomllib.TOMLDecodeError):
        return ""
    return value.strip() if isinstance(value, str) else ""


def operator_name() -> str:
    """Who is making changes: the configured name, else the login name."""
    return configured_operator() or login_name() or "someone"


def remember_operator(name: str) -> None:
    """Keep the operator's name in the config file, other settings untouched."""
    import tomlkit

    path = config_file()
    try:
        document = tomlkit.parse(path.read_text(encoding="utf-8"))
    except (OSError, tomlkit.exceptions.TOMLKitError):
        document = tomlkit.document()
    document["operator"] = name.strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, tomlkit.dumps(document).encode("utf-8"))


def login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no USER/LOGNAME and no passwd entry (some containers)
        return ""


# -- view state: which stage was open, which finding highlighted -------------------------


def _views_file() -> Path:
    return cache_dir() / "views.json"


def _read_views() -> dict[str, Any]:
    """Every engagement's view state; empty when the file is missing or unreadable."""
    try:
        views = json.loads(_views_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return views if isinstance(views, dict) else {}


def view_state(engagement_path: Path) -> dict[str, Any]:
    """What the app last showed for this engagement; empty when unknown or unreadable."""
    state = _read_views().get(str(engagement_path.resolve()))
    return state if isinstance(state, dict) else {}


def remember_view_state(engagement_path: Path, state: dict[str, Any]) -> None:
    """Keep view state for next time; failing to is never worth an error."""
    views = _read_views()
    views[str(engagement_path.resolve())] = state
    with contextlib.suppress(OSError):
        _views_file().parent.mkdir(parents=True, exist_ok=True)
        write_atomically(_views_file(), json.dumps(views, indent=1).encode("utf-8"))
