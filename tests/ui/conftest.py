"""Pilot and snapshot fixtures: a fixed clock, a private data folder, a known engagement."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.message import Message
from textual.notifications import Notify

FIXTURES = Path(__file__).parent / "fixtures"
NOON = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)


def fixed_clock() -> dt.datetime:
    return NOON


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch) -> Path:
    """Recent files and demo engagements go to a folder of the test's own."""
    folder = tmp_path / "data"
    monkeypatch.setenv("LAUNCHTUI_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def acme(tmp_path) -> Path:
    path = tmp_path / "acme.toml"
    shutil.copy(FIXTURES / "acme.toml", path)
    return path


async def no_blink(pilot) -> None:
    """Screenshots must not depend on where a cursor blink happens to be."""
    from textual.widgets import Input, TextArea

    for widget in pilot.app.screen.query("Input, TextArea"):
        if isinstance(widget, Input | TextArea):
            widget.cursor_blink = False
    await pilot.pause()


def heard(said: list[str]) -> Callable[[Message], None]:
    """A `message_hook` for `run_test` that keeps the text of every notification the app
    shows in `said`: what the person was told, without reading the app's private list."""

    def hear(message: Message) -> None:
        if isinstance(message, Notify):
            said.append(message.notification.message)

    return hear


async def until(pilot, condition, *, tries: int = 200) -> None:
    """Wait for something the app does on its own (a worker, a timer, the file watcher)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the app never got there")
