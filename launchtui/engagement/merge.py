"""Merging two people's edits of one engagement file, entry by entry.

The app keeps a file open for hours while someone runs `launchtui secrets set` on it, or
edits it by hand. When a save finds the file changed since it was loaded, the edits made
here (ours) are carried onto what is on disk (theirs) by comparing both with what was
loaded (the base). An entry is one setting (`domain.canonical`), one checklist mark, one
stage's notes, or one row of a list, known by what identifies it (a route by its name, a
secret by name and environment), so two people adding different owners both keep theirs.

Only when both sides changed the same entry differently is there a conflict: the file's
version stays, and the caller tells the person plainly what was not saved. Two exceptions
lose nothing: notes written on both sides are both kept, and the change log and run
history only ever grow, so their new lines and runs are simply combined.
"""

from __future__ import annotations

import copy
import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tomlkit.items import AoT, InlineTable, Table
from tomlkit.toml_document import TOMLDocument

from .changelog import merge_change_lines
from .layout import insert_section, literal_text

# What identifies a row of each list; other lists are matched on their whole content.
ROW_IDENTITY: Mapping[str, tuple[str, ...]] = {
    "domain.subdomains": ("name",),
    "routes": ("name",),
    "environments": ("name",),
    "owners": ("account", "provider", "owner"),
    "secrets": ("name", "environment"),
    "suppressions": ("check", "target"),
    "history.runs": ("id",),
    "history.runbooks": ("id",),
    "redirects.known": ("start",),
}
# Lists whose rows launchtui rewrites on its own (compacting old runs): theirs wins quietly.
_SELF_HEALING = ("history.runs",)
_MISSING: Any = object()


@dataclass
class MergeResult:
    conflicts: list[str] = field(default_factory=list)  # one plain phrase per entry not saved


def merge_into(base: TOMLDocument, ours: TOMLDocument, theirs: TOMLDocument) -> MergeResult:
    """Carry the changes from `base` to `ours` onto `theirs`, in place."""
    result = MergeResult()
    _merge_table(base, ours, theirs, "", result)
    return result


def _merge_table(base: Any, ours: Any, theirs: Any, path: str, result: MergeResult) -> None:
    for key in dict.fromkeys([*ours.keys(), *base.keys()]):
        old, mine, yours = (
            base.get(key, _MISSING),
            ours.get(key, _MISSING),
            theirs.get(key, _MISSING),
        )
        where = f"{path}.{key}" if path else key
        if _same(mine, old) or _same(mine, yours):
            continue
        if _same(yours, old):
            _put(theirs, key, mine, top_level=not path)
        elif _is_table(mine) and _is_table(yours) and (old is _MISSING or _is_table(old)):
            _merge_table({} if old is _MISSING else old, mine, yours, where, result)
        elif isinstance(mine, AoT | list) and isinstance(yours, AoT | list):
            _merge_rows([] if old is _MISSING else old, mine, yours, where, result)
        elif where == "history.changes":
            theirs[key] = literal_text(merge_change_lines(_text(old), _text(mine), _text(yours)))
        elif fnmatch.fnmatchcase(where, "stages.*.notes") and _all_text(old, mine, yours):
            theirs[key] = _merged_notes(_text(old), str(mine), str(yours))
        else:
            result.conflicts.append(_describe(where))


def _merge_rows(base: Any, ours: Any, theirs: Any, path: str, result: MergeResult) -> None:
    identity = ROW_IDENTITY.get(path)
    old_rows, their_rows = _by_identity(base, identity), _by_identity(theirs, identity)
    my_rows = _by_identity(ours, identity)
    for key, mine in my_rows.items():
        old, yours = old_rows.get(key, _MISSING), their_rows.get(key, _MISSING)
        if _same(mine, old) or _same(mine, yours):
            continue
        if yours is _MISSING and old is _MISSING:
            theirs.append(copy.deepcopy(mine))
        elif _same(yours, old) or path in _SELF_HEALING:
            if path not in _SELF_HEALING or yours is _MISSING:
                _replace_row(theirs, yours, mine)
        else:
            result.conflicts.append(_describe(path, key))
    for key, old in old_rows.items():
        if key in my_rows:
            continue
        yours = their_rows.get(key, _MISSING)
        if yours is _MISSING:
            continue
        if _same(yours, old):
            _remove_row(theirs, yours)
        elif path not in _SELF_HEALING:
            result.conflicts.append(_describe(path, key))


def _by_identity(
    rows: Iterable[Any], identity: tuple[str, ...] | None
) -> dict[tuple[str, ...], Any]:
    """Rows keyed by what identifies them; repeats get their occurrence number."""
    keyed: dict[tuple[str, ...], Any] = {}
    for row in rows:
        if identity and isinstance(row, Mapping):
            key: tuple[str, ...] = tuple(str(row.get(part, "")) for part in identity)
        else:
            key = (repr(_plain(row)),)
        occurrence = 0
        while (*key, str(occurrence)) in keyed:
            occurrence += 1
        keyed[(*key, str(occurrence))] = row
    return keyed


def _replace_row(rows: Any, old: Any, new: Any) -> None:
    fresh = copy.deepcopy(new)
    if old is _MISSING:
        rows.append(fresh)
        return
    for index, row in enumerate(rows):
        if row is old:
            rows[index] = fresh
            return


def _remove_row(rows: Any, old: Any) -> None:
    for index, row in enumerate(rows):
        if row is old:
            del rows[index]
            return


def _put(table: Any, key: str, value: Any, *, top_level: bool) -> None:
    if value is _MISSING:
        if key in table:
            del table[key]
        return
    fresh = copy.deepcopy(value)
    if key in table:
        table[key] = fresh
    elif top_level and isinstance(table, TOMLDocument):
        insert_section(table, key, fresh)
    else:
        table[key] = fresh


def _merged_notes(base: str, ours: str, theirs: str) -> str:
    """Both versions of notes written at once: additions in order, else both in full."""
    if ours.startswith(base) and theirs.startswith(base):
        return theirs + ours[len(base) :]
    return f"{theirs}\n\n--- written in launchtui at the same time ---\n{ours}"


def _describe(path: str, identity: tuple[str, ...] = ()) -> str:
    named = ", ".join(part for part in identity[:-1] if part) if identity else ""
    return f"{path} ({named})" if named else path


def _same(left: Any, right: Any) -> bool:
    if left is _MISSING or right is _MISSING:
        return left is right
    return bool(_plain(left) == _plain(right))


def _plain(value: Any) -> Any:
    return value.unwrap() if hasattr(value, "unwrap") else value


def _is_table(value: Any) -> bool:
    return isinstance(value, Table | TOMLDocument | dict) and not isinstance(value, InlineTable)


def _all_text(*values: Any) -> bool:
    return all(value is _MISSING or isinstance(value, str) for value in values)


def _text(value: Any) -> str:
    return "" if value is _MISSING else str(value)
