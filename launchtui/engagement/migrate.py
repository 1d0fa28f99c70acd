"""Upgrading engagement files written by earlier launchtui versions, in memory.

A file is upgraded when it is opened and written back on its first save (the `.bak`
keeps the original). Schema 1 kept the change log as `[[changes]]` tables without an
author's tool, the latest results as `[[results.findings]]` in the middle of the file, and
the app's view state in `[ui]`. Schema 2 keeps the log and the runs under `[history]` at
the end, and view state in the user's cache folder.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import tomlkit
from tomlkit.toml_document import TOMLDocument

from ..findings import Finding
from .changelog import Change, join_changes
from .history import count_statuses, encode_results, run_id_for
from .layout import insert_section, literal_text, new_history_table

CURRENT = 2


def upgrade(document: TOMLDocument) -> None:
    """Bring `document` to the current schema; a newer or missing schema is left alone
    (validation reports it with the version named)."""
    schema = document.get("schema")
    if not isinstance(schema, int) or isinstance(schema, bool) or not 0 < schema < CURRENT:
        return
    if schema == 1:
        _from_schema_1(document)
    document["schema"] = CURRENT


class MigrationError(ValueError):
    """An old file whose launchtui-written sections are not what that version wrote."""


def _from_schema_1(document: TOMLDocument) -> None:
    rows = document.get("changes", [])
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise MigrationError("changes: expected a list of tables ([[changes]])")
    results = document.get("results", {})
    if not isinstance(results, dict):
        raise MigrationError("results: expected a table ([results])")
    changes = [_change_from_row(row) for row in rows]
    findings, at = _findings_from_results(results)
    for key in ("changes", "results", "ui"):
        if key in document:
            del document[key]
    history = new_history_table()
    history["changes"] = literal_text(join_changes(changes))
    if findings:
        run = tomlkit.table()
        run.add("id", run_id_for(at, ()))
        run.add("at", at)
        run.add("who", "")
        run.add("via", "launchtui")
        run.add("scope", "results kept before the run history existed")
        run.add("complete", False)
        run.add("checks", " ".join(sorted({finding.check for finding in findings})))
        counts = tomlkit.inline_table()
        counts.update(count_statuses(findings))
        run.add("counts", counts)
        run.add("results", literal_text(encode_results(findings, detailed_checks=None)))
        runs = tomlkit.aot()
        runs.append(run)
        history.add("runs", runs)
    insert_section(document, "history", history)


def _change_from_row(row: Any) -> Change:
    at = row.get("at") if isinstance(row, dict) else None
    moment = dt.datetime.fromisoformat(at.isoformat()) if isinstance(at, dt.datetime) else None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    who = str(row.get("by", "")) if isinstance(row, dict) else ""
    what = str(row.get("what", "")) if isinstance(row, dict) else str(row)
    return Change(moment, who, "", "", what)


def _findings_from_results(results: Any) -> tuple[list[Finding], dt.datetime]:
    """Schema 1's latest results, read leniently: they were only ever a cache."""
    findings = []
    at = None
    rows = results.get("findings", []) if isinstance(results, dict) else []
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        data = {key: value for key, value in row.items() if key != "at"}
        try:
            data["evidence"] = json.loads(data.pop("evidence_json", "{}") or "{}")
            findings.append(Finding.from_dict(data))
        except (KeyError, ValueError, TypeError):
            continue
        when = row.get("at")
        if isinstance(when, dt.datetime) and (at is None or when > at):
            at = when
    last_run = results.get("last_run") if isinstance(results, dict) else None
    moment = last_run if isinstance(last_run, dt.datetime) else at
    if isinstance(moment, dt.datetime):
        moment = dt.datetime.fromisoformat(moment.isoformat())
        moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    else:
        moment = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return findings, moment
