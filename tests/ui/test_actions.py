"""The actions table is the one list of keys: every class's bindings come from it, every
row runs a real action, and the palette and help screen say what the table says."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path
from typing import get_args

from textual.command import CommandList

import launchtui.ui
from launchtui.ui.actions import ACTIONS, Scope, bindings, help_lines
from launchtui.ui.app import make_app
from launchtui.ui.screens.owners import OwnersScreen

from .conftest import fixed_clock, until


def highlighted_command(app) -> str:
    """The command the palette would run on enter ('' while it is still gathering)."""
    hits = app.screen.query(CommandList)
    if not hits or hits.first().highlighted is None:
        return ""
    command_list = hits.first()
    return str(command_list.get_option_at_index(command_list.highlighted).prompt)


def classes_with_bindings() -> list[type]:
    found = []
    for module_info in pkgutil.walk_packages(launchtui.ui.__path__, "launchtui.ui."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and "BINDINGS" in cls.__dict__:
                found.append(cls)
    return found


def test_every_class_binds_one_scope_of_the_table_and_every_row_has_its_action():
    bound: set[str] = set()
    for cls in classes_with_bindings():
        scopes = [s for s in get_args(Scope) if cls.__dict__["BINDINGS"] == bindings(s)]
        assert scopes, f"{cls.__name__} declares keys outside the actions table"
        bound.update(scopes)
        for binding in cls.__dict__["BINDINGS"]:
            assert callable(getattr(cls, f"action_{binding.action}", None)), (cls, binding)
    assert bound == set(get_args(Scope)) - {"textual"}  # no scope that nothing binds
    assert all(row.scope in bound | {"textual"} for row in ACTIONS)


def test_the_help_screen_explains_the_sprint_keys_the_footer_shows():
    explained = " ".join(keys for keys, _ in help_lines()).split()
    for row in ACTIONS:
        if row.scope in ("app", "sprint") and row.footer:
            assert row.keys.split(",")[0] in explained, row


async def test_a_palette_command_from_the_table_runs_its_action(acme: Path):
    app = make_app(acme, clock=fixed_clock, operator="dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p", *"Owners and access")
        await until(pilot, lambda: "Owners and access" in highlighted_command(app))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, OwnersScreen)
