"""Founder runbooks as data: a list of steps to follow months after the sprint.

A founder runbook is TOML beside the sprint runbook (in `runbooks/` and the user's runbook
folders) with `steps` where the sprint has `stages`:

    id = "rotate-secret"
    title = "Rotate a secret"
    subject = "secret"            # the run is about one entry of the secret inventory

    [[steps]]
    id = "make-new"
    kind = "instruction"          # instruction, input, check, wait or confirm
    title = "Make a new value"
    text = "Sign in to {{ secret.reference }} …"
    variant_by = "{{ secret_provider }}"
    [steps.variants]
    stripe = "In the Stripe dashboard, open Developers → API keys and choose Roll key…"

Texts are Jinja2 templates filled with the engagement (owners, deploy, the chosen secret,
answers so far); a variant is chosen by what `variant_by` renders to. Every mistake in a
file is reported with its file, line and key, like the sprint runbook's.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import resources
from ..runbook import is_founder_runbook
from ..tomlread import Table, Where, read_toml_file, suggestion

STEP_KINDS = ("instruction", "input", "check", "wait", "confirm")
SUBJECTS = ("", "secret")
# What a confirm step records in the engagement once the person says yes.
RECORDS = ("rotation", "rollback", "inbox-test", "incident", "known-redirects", "nothing")
CHOICE_SOURCES = ("secrets",)

_TOP_KEYS = ("id", "title", "steps")
_TOP_OPTIONAL = ("description", "subject", "when")
_STEP_KEYS = ("id", "kind")
_STEP_OPTIONAL = ("title", "text", "variant_by", "variants", "name", "secret", "choices",
                  "default", "optional", "checks", "require", "records", "interval_s",
                  "limit_s", "record")  # fmt: skip


class ProcedureError(Exception):
    """A founder runbook that cannot be used; the message names file, line and key."""


@dataclass(frozen=True)
class Step:
    id: str
    kind: str
    title: str = ""
    text: str = ""  # a Jinja2 template
    variant_by: str = ""  # a template whose result picks one of `variants`
    variants: dict[str, str] = field(default_factory=dict)
    # input
    name: str = ""  # the answer's name, for later steps ({{ inputs.release }})
    secret: bool = False  # a secret value: to the keyring only, never echoed or logged
    choices: tuple[str, ...] | str = ()  # fixed choices, or a source such as "secrets"
    default: str = ""  # a template
    optional: bool = False
    # check and wait
    checks: tuple[str, ...] = ()
    require: str = ""  # "pass": the run cannot go on until the checks pass
    records: tuple[tuple[str, str], ...] = ()  # (name template, type): DNS answers to settle
    interval_s: float = 15.0
    limit_s: float = 900.0
    # confirm
    record: str = "nothing"


@dataclass(frozen=True)
class Procedure:
    id: str
    title: str
    steps: tuple[Step, ...]
    description: str = ""
    subject: str = ""  # "secret": the run starts by choosing an inventory entry
    when: str = ""  # one line: when a founder reaches for it
    source: Path | None = field(default=None, compare=False)

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)


def load_procedure(path: Path, known_checks: Collection[str] | None = None) -> Procedure:
    data, where = read_toml_file(path, ProcedureError)
    return _procedure(data, where, path, known_checks)


def _procedure(
    data: dict[str, Any], where: Where, path: Path, known_checks: Collection[str] | None
) -> Procedure:
    top = Table(data, where, _TOP_KEYS, _TOP_OPTIONAL)
    subject = top.string("subject", "")
    if subject not in SUBJECTS:
        raise top.fail("subject", f"expected one of {', '.join(s for s in SUBJECTS if s)}")
    step_tables = top.tables("steps", _STEP_KEYS, _STEP_OPTIONAL)
    if not step_tables:
        raise where.at("steps").error("a runbook needs at least one step")
    steps = tuple(_step(table, known_checks) for table in step_tables)
    seen: dict[str, str] = {}
    for step, table in zip(steps, step_tables, strict=True):
        if step.id in seen:
            raise table.fail(
                "id", f'duplicate step id "{step.id}", already used at {seen[step.id]}'
            )
        seen[step.id] = table.where.key
    return Procedure(
        id=top.slug("id"),
        title=top.string("title"),
        steps=steps,
        description=top.string("description", ""),
        subject=subject,
        when=top.string("when", ""),
        source=path,
    )


def load_procedures(
    extra_dirs: Sequence[Path] | None = None, known_checks: Collection[str] | None = None
) -> dict[str, Procedure]:
    """The shipped founder runbooks plus the user's own (a user's one with the same id
    replaces the shipped one), keyed by id."""
    user_dirs = resources.user_runbook_dirs() if extra_dirs is None else list(extra_dirs)
    procedures: dict[str, Procedure] = {}
    for folder in [resources.runbooks_dir(), *reversed(user_dirs)]:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                data, where = read_toml_file(path, ProcedureError)
            except ProcedureError:
                continue  # the sprint loader reports unreadable files with their reason
            if is_founder_runbook(data):
                procedure = _procedure(data, where, path, known_checks)
                procedures[procedure.id] = procedure
    return procedures


def procedure_by_id(procedure_id: str, known_checks: Collection[str] | None = None) -> Procedure:
    procedures = load_procedures(known_checks=known_checks)
    if procedure_id not in procedures:
        raise ProcedureError(
            f'no runbook "{procedure_id}"{suggestion(procedure_id, procedures)} '
            f"(runbooks: {', '.join(procedures)})"
        )
    return procedures[procedure_id]


def _step(table: Table, known_checks: Collection[str] | None) -> Step:
    kind = table.string("kind")
    if kind not in STEP_KINDS:
        raise table.fail("kind", f'"{kind}" is not a step kind ({", ".join(STEP_KINDS)})'
                         f"{suggestion(kind, STEP_KINDS)}")  # fmt: skip
    variants_table = table.table("variants", unknown="allow", missing_ok=True)
    variants = {key: variants_table.string(key) for key in variants_table.values}
    checks = table.strings("checks")
    for index, check in enumerate(checks):
        if known_checks is not None and check not in known_checks:
            raise (
                table.where.at("checks")
                .item(index)
                .error(f'unknown check id "{check}"{suggestion(check, sorted(known_checks))}')
            )
    choices: tuple[str, ...] | str = ()
    if isinstance(table.get("choices"), str):
        choices = table.string("choices")
        if choices not in CHOICE_SOURCES:
            raise table.fail("choices", f"expected a list, or one of {', '.join(CHOICE_SOURCES)}")
    else:
        choices = table.strings("choices")
    record = table.string("record", "nothing")
    if record not in RECORDS:
        raise table.fail("record", f'"{record}" is not one of {", ".join(RECORDS)}'
                         f"{suggestion(record, RECORDS)}")  # fmt: skip
    require = table.string("require", "")
    if require not in ("", "pass"):
        raise table.fail("require", 'expected "pass" (or leave it out)')
    step = Step(
        id=table.slug("id"),
        kind=kind,
        title=table.string("title", ""),
        text=table.string("text", "", strip=False).strip(),
        variant_by=table.string("variant_by", ""),
        variants=variants,
        name=table.string("name", ""),
        secret=table.boolean("secret", False),
        choices=choices,
        default=table.string("default", ""),
        optional=table.boolean("optional", False),
        checks=checks,
        require=require,
        records=_records(table),
        interval_s=table.number("interval_s") if "interval_s" in table else 15.0,
        limit_s=table.number("limit_s") if "limit_s" in table else 900.0,
        record=record,
    )
    _require_fields(step, table)
    _compile_templates(step, table)
    return step


def _records(table: Table) -> tuple[tuple[str, str], ...]:
    value = table.get("records", [])
    where = table.where.at("records")
    if not isinstance(value, list):
        raise where.error(
            'expected a list of [name, type] pairs, e.g. [["_dmarc.{{ apex }}", "TXT"]]'
        )
    records = []
    for index, pair in enumerate(value):
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        ):
            raise where.item(index).error(
                'expected a [name, type] pair, e.g. ["{{ apex }}", "TXT"]'
            )
        records.append((pair[0], pair[1].upper()))
    return tuple(records)


def _require_fields(step: Step, table: Table) -> None:
    needs = {
        "instruction": ("text",),
        "input": ("name",),
        "check": ("checks",),
        "wait": (),
        "confirm": ("text",),
    }[step.kind]
    for key in needs:
        if not getattr(step, key):
            raise table.where.error(f'a {step.kind} step needs "{key}"')
    if step.kind == "wait" and not (step.checks or step.records):
        raise table.where.error('a wait step needs "checks", "records" or both')
    if step.interval_s <= 0 or step.limit_s < step.interval_s:
        raise table.fail("limit_s", "expected an interval above 0 and a limit at least as long")


def _compile_templates(step: Step, table: Table) -> None:
    """A template mistake is found when the runbook loads, not halfway through a rotation."""
    from .templating import TemplateProblem, check_template

    for key, template in (("text", step.text), ("variant_by", step.variant_by),
                          ("default", step.default),
                          *((f"variants.{k}", v) for k, v in step.variants.items())):  # fmt: skip
        try:
            check_template(template)
        except TemplateProblem as exc:
            raise table.fail(key, str(exc)) from None
