"""The recently opened engagements, kept under the platform's data folder.

`LAUNCHTUI_DATA_DIR` points it elsewhere (tests, portable installs).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import platformdirs

from .atomic import write_atomically

MAX_RECENT = 12


def data_dir() -> Path:
    override = os.environ.get("LAUNCHTUI_DATA_DIR")
    return Path(override) if override else platformdirs.user_data_path("launchtui")


def _recent_file() -> Path:
    return data_dir() / "recent.json"


def recent_engagements() -> list[Path]:
    """Most recent first; files that no longer exist are left out."""
    try:
        entries = json.loads(_recent_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    paths = [Path(entry) for entry in entries if isinstance(entry, str)]
    return [path for path in paths if path.is_file()]


def remember(path: Path) -> None:
    """Put `path` first in the recent list; a failure to write it never stops the app."""
    path = path.resolve()
    entries = [str(path)] + [str(p) for p in recent_engagements() if p.resolve() != path]
    try:
        _recent_file().parent.mkdir(parents=True, exist_ok=True)
        write_atomically(_recent_file(), json.dumps(entries[:MAX_RECENT], indent=1).encode())
    except OSError:
        pass
