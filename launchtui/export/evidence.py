"""Evidence as rows a person reads (`cache control: public, max-age=600`), not raw JSON.

Checks keep their evidence as JSON-friendly data for scripts; the human formats turn
it into short labelled rows with this one function, so the Markdown report and the text
report (and any screen that wants it) show evidence the same way.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding

MAX_VALUE_CHARACTERS = 200
MAX_ITEMS_SHOWN = 12
# Drawn elsewhere (the app draws the histogram) or too bulky to read as text.
LEFT_OUT = frozenset({"histogram", "tree"})


def evidence_rows(evidence: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs: nested mappings become "outer › inner" labels, lists are joined."""
    rows: list[tuple[str, str]] = []
    for key, value in evidence.items():
        if key in LEFT_OUT:
            continue
        _add(rows, _label(key), value, depth=0)
    return rows


def new_evidence_rows(finding: Finding) -> list[tuple[str, str]]:
    """The rows that add something to the finding's own sentences: a value the summary or
    detail already shows is left out, and each value is shown once."""
    already_said = f"{finding.summary}\n{finding.detail}"
    seen: set[str] = set()
    kept = []
    for label, value in evidence_rows(finding.evidence):
        if value in seen or value in already_said:
            continue
        seen.add(value)
        kept.append((label, value))
    return kept


def _add(rows: list[tuple[str, str]], label: str, value: Any, depth: int) -> None:
    if isinstance(value, dict) and value and depth < 2:
        for key, inner in value.items():
            _add(rows, f"{label} › {_label(str(key))}", inner, depth + 1)
        return
    text = _value_text(value)
    if text:
        rows.append((label, text))


def _value_text(value: Any) -> str:
    if value is None or value == [] or value == {} or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        shown = [_value_text(item) for item in value[:MAX_ITEMS_SHOWN]]
        more = len(value) - MAX_ITEMS_SHOWN
        text = ", ".join(item for item in shown if item)
        return _cut(text + (f" and {more} more" if more > 0 else ""))
    if isinstance(value, dict):
        return _cut("; ".join(f"{_label(str(k))} {_value_text(v)}" for k, v in value.items()))
    return _cut(str(value))


def _label(key: str) -> str:
    """`cache_control` -> `cache control`; `p95_ms` -> `p95 ms`."""
    return key.replace("_", " ").replace("-", " ").strip()


def _cut(text: str) -> str:
    if len(text) <= MAX_VALUE_CHARACTERS:
        return text
    return text[: MAX_VALUE_CHARACTERS - 1] + "…"
