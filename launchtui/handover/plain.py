"""Saying what a check's result means for the business, without jargon.

The wording is data (`templates/plain-language.toml`, which a consultant may copy and
edit for a client); this module reads it strictly and fills it in. A term the founder
may not know is written `[[term]]` in the data; `Glossary.expand` explains it in a few
words the first time a document uses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import Finding
from ..tomlread import Table, read_toml_file
from ..urls import redact_url

PLAIN_FILE = "plain-language.toml"
_TERM = re.compile(r"\[\[([^\]]+)\]\]")
_MORE_THAN = 3  # places listed by name before "and N more"


class PlainLanguageError(Exception):
    """The wording file cannot be used; the message names file, line and key."""


@dataclass(frozen=True)
class CheckWords:
    outcome: str
    open: str
    fixed: str


@dataclass(frozen=True)
class PlainLanguage:
    outcomes: dict[str, str]  # id -> heading, in the order the summary uses
    glossary: dict[str, str]
    checks: dict[str, CheckWords]
    numbers: dict[tuple[str, str], str]  # (check, metric) -> how a move is said
    week_one: tuple[str, ...]

    def words_for(self, check: str) -> CheckWords:
        """The check's wording; a check the file does not know gets a plain fallback."""
        return self.checks.get(check) or CheckWords(
            "protected",
            "A check of {where} found a problem that still needs a look.",
            "A problem the checks found at {where} is fixed.",
        )


def load_plain_language(folder: Path) -> PlainLanguage:
    path = folder / PLAIN_FILE
    data, where = read_toml_file(path, PlainLanguageError)
    top = Table(data, where, ("outcomes", "glossary", "checks"), ("numbers", "week_one"))
    outcomes = {key: top.table("outcomes", unknown="allow").string(key) for key in data["outcomes"]}
    glossary_table = top.table("glossary", unknown="allow")
    glossary = {term: glossary_table.string(term) for term in glossary_table.values}
    checks = {}
    for check, table in top.table("checks", unknown="allow").values.items():
        row = Table(table, where.at(f'checks."{check}"'), ("outcome", "open", "fixed"))
        outcome = row.string("outcome")
        if outcome not in outcomes:
            raise row.fail("outcome", f"expected one of {', '.join(outcomes)}")
        checks[check] = CheckWords(outcome, row.string("open"), row.string("fixed"))
    numbers = {}
    for check, metrics in top.table("numbers", unknown="allow", missing_ok=True).values.items():
        for metric, table in metrics.items():
            numbers[(check, metric)] = Table(
                table, where.at(f'numbers."{check}".{metric}'), ("said",)
            ).string("said")
    week_one = top.table("week_one", (), ("always",), missing_ok=True).strings("always")
    return PlainLanguage(outcomes, glossary, checks, numbers, week_one)


@dataclass
class Glossary:
    """Explains each term the first time a document uses it."""

    terms: Mapping[str, str]
    used: list[str] = field(default_factory=list)

    def expand(self, text: str) -> str:
        def term(match: re.Match[str]) -> str:
            word = match.group(1)
            explanation = self.terms.get(word)
            if explanation is None or word in self.used:
                return word
            self.used.append(word)
            return f"{word} ({explanation})"

        expanded = _TERM.sub(term, text)
        return re.sub(r"\((\w[^()]*) \(([^()]*)\)\)", r"(\1: \2)", expanded)


def readable_place(target: str, apex: str) -> str:
    """A finding's target as a founder would name it: a host or a page, no scheme."""
    place = redact_url(target.strip()).split(" ")[0] if target.strip() else apex
    place = re.sub(r"^https?://", "", place).rstrip("/")
    if "._domainkey." in place:
        return "your email"
    return place or apex


def places(findings: Iterable[Finding], apex: str, *, named: int = _MORE_THAN) -> str:
    """`a, b and c`, or `a, b, c and 4 more places` for long lists; each place once."""
    names = list(dict.fromkeys(readable_place(f.target, apex) for f in findings))
    if len(names) > named + 1:
        return ", ".join(names[:named]) + f" and {len(names) - named} more places"
    if len(names) > 1:
        return ", ".join(names[:-1]) + f" and {names[-1]}"
    return names[0] if names else apex


def fill(template: str, **values: str) -> str:
    """`template` with {placeholders}; a placeholder the data does not offer stays visible."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)
