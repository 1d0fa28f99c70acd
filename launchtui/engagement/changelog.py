"""The change log: every edit, check run and runbook run, one readable line each.

It lives in the engagement file as a multi-line string under `[history]`, newest last:

    changes = '''
    2026-11-22T10:02:11Z | Dana Lee | app | handover | Added owner: dns — Cloudflare, Sam Lee
    2026-11-22T10:05:40Z | ci | cli | - | Ran 31 checks (every stage): 9 problems, 2 blockers.
    '''

One line per change keeps the file quick to read for a person and for launchtui (a table
per change made a long engagement slow to open) and makes every change a one-line diff.
Logged text never holds a secret value: words that look like one are removed on the way in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .secrets import without_values

VIAS = ("app", "cli", "runbook", "launchtui")
_SEPARATOR = " | "
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_TRIPLE_QUOTES = re.compile(r"'{3,}")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is making changes, and through what (app, cli, runbook, launchtui itself)."""

    who: str
    via: str = "cli"


@dataclass(frozen=True, slots=True)
class Change:
    at: dt.datetime | None
    who: str
    via: str
    stage: str
    what: str

    def line(self) -> str:
        at = self.at.strftime("%Y-%m-%dT%H:%M:%SZ") if self.at else "-"
        fields = (at, _field(self.who) or "-", _field(self.via) or "-", self.stage or "-")
        return _SEPARATOR.join((*fields, _text(self.what)))

    def to_dict(self) -> dict[str, str | None]:
        return {
            "at": self.at.isoformat() if self.at else None,
            "who": self.who,
            "via": self.via,
            "stage": self.stage or None,
            "what": self.what,
        }


def new_change(
    actor: Actor, what: str, *, stage: str = "", at: dt.datetime | None = None
) -> Change:
    moment = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    return Change(moment, actor.who, actor.via, stage, without_values(_text(what)))


def parse_changes(text: str) -> list[Change]:
    """Every line of the log; a line someone mangled is kept whole as its `what`."""
    return [_parse_line(line) for line in text.splitlines() if line.strip()]


def join_changes(changes: Iterable[Change]) -> str:
    return "".join(change.line() + "\n" for change in changes)


def merge_change_lines(base: str, ours: str, theirs: str) -> str:
    """Both sides' new lines, in time order: a log only ever grows, so nothing conflicts."""
    known = set(base.splitlines())
    mine = [line for line in ours.splitlines() if line.strip() and line not in known]
    seen = set(theirs.splitlines())
    merged = [line for line in theirs.splitlines() if line.strip()]
    merged += [line for line in mine if line not in seen]
    merged.sort(key=lambda line: line.partition(_SEPARATOR)[0])  # ISO times sort as text
    return "".join(line + "\n" for line in merged)


def _parse_line(line: str) -> Change:
    parts = line.strip().split(_SEPARATOR, 4)
    if len(parts) != 5:
        return Change(None, "", "", "", line.strip())
    at_text, who, via, stage, what = parts
    try:
        at: dt.datetime | None = dt.datetime.fromisoformat(at_text.replace("Z", "+00:00"))
    except ValueError:
        at = None
    return Change(at, _dash(who), _dash(via), _dash(stage), what)


def _dash(text: str) -> str:
    return "" if text == "-" else text


def _field(text: str) -> str:
    return _text(text).replace("|", "/")


def _text(text: str) -> str:
    """One line, safe inside a TOML literal string."""
    flat = _CONTROL.sub(" ", text).strip()
    return _TRIPLE_QUOTES.sub(lambda quotes: "’" * len(quotes.group()), flat)
