"""Reading TOML that people write by hand, strictly: every problem names file, line and key.

Engagements, secret inventories, runbooks and profiles are all TOML a consultant edits
without touching Python, so a typo must become one plain line such as
`/…/acme.toml:14: routes[2].budget_ms: expected a whole number, got text`, never a
traceback or a silently ignored key. This module is that reader, once.

It reads parsed data (tomllib's plain dicts or tomlkit's containers alike) and finds line
numbers in the source text only when it has to report a problem. Values that are text are
never quoted back: a secret pasted into the wrong field must not end up in a CI log.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

Unknown = Literal["refuse", "typos", "allow"]


def read_toml_file(
    path: Path, error_type: Callable[[str], Exception]
) -> tuple[dict[str, Any], Where]:
    """A data file's content and the place its errors point at (file, then line and key).

    Unreadable and malformed files are one line each, in the caller's error type.
    """
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise error_type(f"{path}: cannot read the file: {error.strerror}") from None
    except UnicodeDecodeError:
        raise error_type(f"{path}: not a text file (it is not valid UTF-8)") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # tomllib puts the position in the message: "... (at line 3, column 6)".
        raise error_type(f"{path}: not valid TOML: {error}") from None
    return data, Where(path, lines=KeyLines(text), error_type=error_type)


class KeyLines:
    """Line numbers of the keys and table headers in a TOML text, found on demand.

    A key path is written as errors show it: `domain.subdomains[1].name`. The scan is a
    light one (table headers, `key =` lines, multi-line strings skipped): the text was
    already parsed, so it only has to be right for valid TOML.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: dict[str, int] | None = None

    def line_of(self, key: str) -> int | None:
        """The line of `key`, else of its closest enclosing key that has one."""
        if self._lines is None:
            self._lines = _scan_key_lines(self.text)
        while key:
            if key in self._lines:
                return self._lines[key]
            key = _parent_key(key)
        return None


_HEADER = re.compile(r"\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_BARE_OR_QUOTED = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_KEY_LINE = re.compile(rf"\s*({_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*)\s*=")
_KEY_PART = re.compile(r"""[A-Za-z0-9_-]+|"([^"]*)"|'([^']*)'""")


def _key_parts(dotted: str) -> list[str]:
    return [m.group(1) or m.group(2) or m.group(0) for m in _KEY_PART.finditer(dotted)]


def _scan_key_lines(text: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    counts: dict[str, int] = {}
    prefix = ""
    delimiter = ""  # the open multi-line string's quotes, while inside one
    for number, line in enumerate(text.splitlines(), start=1):
        if delimiter:
            if line.count(delimiter) % 2 == 1:
                delimiter = ""
            continue
        header = _HEADER.match(line)
        if header and not _KEY_LINE.match(line):
            path = ".".join(_key_parts(header.group(2)))
            path = _with_indexes(path, counts)
            if header.group(1) == "[[":
                index = counts.get(path, 0)
                counts[path] = index + 1
                path = f"{path}[{index}]"
            prefix = path
            lines.setdefault(path, number)
            continue
        key = _KEY_LINE.match(line)
        if key:
            dotted = ".".join(_key_parts(key.group(1)))
            lines.setdefault(f"{prefix}.{dotted}" if prefix else dotted, number)
            rest = line[key.end() :]
            for quotes in ('"""', "'''"):
                if rest.lstrip().startswith(quotes) and rest.count(quotes) == 1:
                    delimiter = quotes
    return lines


def _with_indexes(path: str, counts: dict[str, int]) -> str:
    """`domain.subdomains` inside the second `[[domain]]`-like array gets its index back."""
    parts = path.split(".")
    for size in range(len(parts) - 1, 0, -1):
        head = ".".join(parts[:size])
        if head in counts:
            return f"{head}[{counts[head] - 1}]." + ".".join(parts[size:])
    return path


def _parent_key(key: str) -> str:
    if key.endswith("]"):
        return key[: key.rindex("[")]
    return key.rpartition(".")[0]


@dataclass(frozen=True, slots=True)
class Where:
    """A place in a file, written the way errors show it: `stages[3].checklist[2]`."""

    file: Path
    key: str = ""
    lines: KeyLines | None = field(default=None, compare=False)
    error_type: Callable[[str], Exception] = field(default=ValueError, compare=False)

    def at(self, name: str) -> Where:
        key = f"{self.key}.{name}" if self.key else name
        return Where(self.file, key, self.lines, self.error_type)

    def item(self, index: int) -> Where:
        return Where(self.file, f"{self.key}[{index}]", self.lines, self.error_type)

    @property
    def line(self) -> int | None:
        return self.lines.line_of(self.key) if self.lines is not None and self.key else None

    def error(self, problem: str, *, line_of: str = "") -> Exception:
        """`line_of` names a key inside this place whose line is the one to show."""
        line = self.at(line_of).line if line_of else self.line
        place = f"{self.file}:{line}" if line else f"{self.file}"
        if self.key:
            return self.error_type(f"{place}: {self.key}: {problem}")
        return self.error_type(f"{place}: {problem}")


def type_name(value: object) -> str:
    """How a wrong value is described: by its kind, never its content."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dt.datetime):
        return "a date and time"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def suggestion(word: str, choices: Iterable[str]) -> str:
    """`; did you mean "x"?` for the closest choice, or nothing when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f'; did you mean "{close[0]}"?' if close else ""


class Table:
    """A TOML table being read: it knows where it sits and checks its keys.

    `unknown` says what an unexpected key means: "refuse" (runbooks: a misspelt optional
    key would silently drop data), "typos" (engagements: refused only when it is close to
    a known key, so people may keep notes of their own) or "allow".
    """

    def __init__(
        self,
        value: object,
        where: Where,
        required: Sequence[str] = (),
        optional: Sequence[str] = (),
        *,
        unknown: Unknown = "refuse",
    ) -> None:
        if not isinstance(value, Mapping):
            raise where.error(f"expected a table, got {type_name(value)}")
        allowed = (*required, *optional)
        if unknown != "allow":
            for key in value:
                if key in allowed:
                    continue
                hint = suggestion(key, allowed)
                if unknown == "refuse" or hint:
                    scope = "key" if where.key else "top-level key"
                    hint = hint or f" (expected one of: {', '.join(allowed)})"
                    raise where.error(f'unknown {scope} "{key}"{hint}', line_of=key)
        for key in required:
            if key not in value:
                raise where.error(f'missing key "{key}"')
        self.values: Mapping[str, Any] = value
        self.where = where

    def __contains__(self, key: str) -> bool:
        return key in self.values

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def string(self, key: str, default: str | None = None, *, strip: bool = True) -> str:
        """Text; with a default, an absent key (or empty text) gives the default."""
        where = self.where.at(key)
        value = self.values.get(key)
        if value is None or (default is not None and value == ""):
            if default is not None:
                return default
            raise where.error("missing")
        if not isinstance(value, str):
            raise where.error(f"expected text, got {type_name(value)}")
        if not value.strip():
            raise where.error("expected some text, got an empty string")
        return value.strip() if strip else str(value)

    def slug(self, key: str) -> str:
        value = self.string(key)
        if not SLUG.fullmatch(value):
            raise self.where.at(key).error(
                f'"{value}" is not a valid id; use lowercase letters, digits and hyphens'
            )
        return value

    def strings(self, key: str, *, example: str = "") -> tuple[str, ...]:
        """A list of non-empty texts, each stripped; absent means empty."""
        where = self.where.at(key)
        value = self.values.get(key, [])
        hint = f", e.g. {example}" if example else ""
        if not isinstance(value, list):
            raise where.error(f"expected a list of text{hint}, got {type_name(value)}")
        items = []
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise where.item(index).error(f"expected text, got {type_name(item)}")
            if not item.strip():
                raise where.item(index).error("expected some text, got an empty string")
            items.append(item.strip())
        return tuple(items)

    def integer(
        self,
        key: str,
        default: int | None = None,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
        unit: str = "",
    ) -> int:
        where = self.where.at(key)
        value = self.values.get(key)
        if value is None and default is not None:
            return default
        if value is None:
            raise where.error("missing")
        what = f"a whole number of {unit}" if unit else "a whole number"
        if isinstance(value, bool) or not isinstance(value, int):
            raise where.error(f"expected {what}, got {type_name(value)}")
        if minimum is not None and value < minimum:
            raise where.error(f"expected {what} of at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise where.error(f"expected {what} of at most {maximum}, got {value}")
        return int(value)

    def optional_integer(self, key: str, **limits: Any) -> int | None:
        return None if self.values.get(key) is None else self.integer(key, **limits)

    def number(self, key: str) -> float:
        value = self.values.get(key)
        if value is None:
            raise self.where.at(key).error("missing")
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise self.where.at(key).error(f"expected a number, got {type_name(value)}")
        return float(value)

    def boolean(self, key: str, default: bool | None = None) -> bool:
        value = self.values.get(key)
        if value is None and default is not None:
            return default
        if not isinstance(value, bool):
            got = "nothing" if value is None else type_name(value)
            raise self.where.at(key).error(f"expected true or false, got {got}")
        return bool(value)

    def optional_boolean(self, key: str) -> bool | None:
        return None if self.values.get(key) is None else self.boolean(key)

    def date(self, key: str) -> dt.date | None:
        """A day (`2026-11-22`); a date-time counts as its day. Absent gives None."""
        value = self.values.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return dt.date(value.year, value.month, value.day)
        if isinstance(value, dt.date):
            return dt.date(value.year, value.month, value.day)
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.where.at(key).error(f"expected a date like 2026-11-22, got {type_name(value)}")

    def moment(self, key: str) -> dt.datetime | None:
        """A point in time, in UTC when the file gives no offset. Absent gives None."""
        value = self.values.get(key)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            plain = dt.datetime.fromisoformat(value.isoformat())  # not tomlkit's subclass
            return plain if plain.tzinfo else plain.replace(tzinfo=dt.UTC)
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
        raise self.where.at(key).error(
            f"expected a time like 2026-11-22T10:00:00Z, got {type_name(value)}"
        )

    def table(
        self,
        key: str,
        required: Sequence[str] = (),
        optional: Sequence[str] = (),
        *,
        unknown: Unknown = "refuse",
        missing_ok: bool = False,
    ) -> Table:
        value = self.values.get(key)
        if value is None and missing_ok:
            value = {}
        if value is None:
            raise self.where.error(f'missing key "{key}"')
        return Table(value, self.where.at(key), required, optional, unknown=unknown)

    def tables(
        self,
        key: str,
        required: Sequence[str] = (),
        optional: Sequence[str] = (),
        *,
        unknown: Unknown = "refuse",
    ) -> list[Table]:
        """An array of tables (`[[stages]]`); absent means empty."""
        where = self.where.at(key)
        value = self.values.get(key, [])
        if not isinstance(value, list):
            raise where.error(f"expected a list of tables ([[{key}]]), got {type_name(value)}")
        return [
            Table(item, where.item(index), required, optional, unknown=unknown)
            for index, item in enumerate(value)
        ]

    def named_tables(
        self, key: str, required: Sequence[str] = (), *, allow_empty: bool = False
    ) -> list[tuple[str, Table]]:
        """A table of tables keyed by a slug (`[types.marketplace]`), in file order."""
        where = self.where.at(key)
        value = self.values.get(key, {} if allow_empty else None)
        if not isinstance(value, Mapping):
            got = "nothing" if value is None else type_name(value)
            raise where.error(f"expected a table, got {got}")
        if not value and not allow_empty:
            raise where.error("expected at least one entry")
        for name in value:
            if not SLUG.fullmatch(name):
                raise where.error(
                    f'"{name}" is not a valid id; use lowercase letters, digits and hyphens'
                )
        return [(name, Table(table, where.at(name), required)) for name, table in value.items()]

    def fail(self, key: str, problem: str) -> Exception:
        """An error about `key` of this table, for checks the getters cannot make."""
        return self.where.at(key).error(problem)
