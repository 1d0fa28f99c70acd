"""Where each section sits in an engagement file: what people edit first, history last.

A person opening the file should see the product, its domain, routes, owners and notes
before a single line that launchtui wrote for itself. A section launchtui adds later (the
first secret, the first run) goes to its place in this order, not to the end of the file;
sections a person moved stay where they put them.
"""

from __future__ import annotations

from typing import Any

import tomlkit
from tomlkit.items import AoT, String, StringType, Table, Trivia

SECTION_ORDER = (
    "domain",
    "email",
    "deploy",
    "backup",
    "monitoring",
    "routes",
    "environments",
    "owners",
    "secrets",
    "stages",
    "suppressions",
    "redirects",
    "history",
)


def insert_section(document: Any, key: str, item: Any) -> None:
    """Add top-level section `key` before the first existing section that follows it."""
    rank = _rank(key)
    present = [name.key for name, _ in document.body if name is not None]
    later = [name for name in present if name in SECTION_ORDER and _rank(name) > rank]
    if not later or not isinstance(item, Table | AoT):
        document[key] = item
        return
    first_later = present.index(later[0])
    tables_before = [
        name for name in present[:first_later] if isinstance(document[name], Table | AoT)
    ]
    if tables_before:
        # right after the last earlier table, so comments stay with the section they precede
        document._insert_at(_last_index_of(document, tables_before[-1]) + 1, key, item)
    else:
        document._insert_at(_first_table_index(document), key, item)


def _last_index_of(document: Any, key: str) -> int:
    """Where `key` last appears in the document's body (a table split in two appears twice).

    tomlkit has no public insert; `_insert_at` is the one private call this module makes,
    and it is covered by the layout tests against whichever tomlkit is installed."""
    return max(
        i for i, (name, _) in enumerate(document.body) if name is not None and name.key == key
    )


def _rank(key: str) -> int:
    return SECTION_ORDER.index(key) if key in SECTION_ORDER else len(SECTION_ORDER)


def _first_table_index(document: Any) -> int:
    for index, (_, value) in enumerate(document.body):
        if isinstance(value, Table | AoT):
            return index
    return len(document.body)


def append_row(rows: AoT, row: Table, at: int | None = None) -> None:
    """Append a row to a list of tables, a blank line after it as a person would write;
    `at` puts it at that position instead (a removal undone goes back where it was)."""
    row.add(tomlkit.nl())
    if at is None or at >= len(rows):
        rows.append(row)
    else:
        rows.insert(max(at, 0), row)


def literal_text(text: str) -> Any:
    """A multi-line literal string opening on its own line: nothing in it is escaped, so
    it parses fast, and each line of `text` starts a line of the file."""
    return String(StringType.MLL, text, "\n" + text if text else "", Trivia())


def new_history_table() -> Table:
    table = tomlkit.table()
    table.add(tomlkit.comment("Written by launchtui: the change log and every run's results."))
    table.add(tomlkit.comment("Edit the sections above; this one records what happened."))
    table.add("changes", literal_text(""))
    return table
