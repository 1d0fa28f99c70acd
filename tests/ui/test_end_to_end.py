"""The real `launchtui` in tmux against the lab, as a person would use it.

Create an engagement in the welcome form, point it at the lab (Setup, Network),
run stage 2, go into it with Enter and tick a checklist item, add two owners, edit
one in place, remove it and put it back, keep a secret (a canary) in the keyring,
quit, reopen with a bare `launchtui FILE`, see everything kept, and find the canary
in no file.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time

import pytest

from launchtui.engagement import Engagement

from ..keyring_backend import secret_service_session

CANARY = "canary-e2e-5d1b7a90c3"


class Terminal:
    """One tmux session on a private socket, so it never touches anyone else's tmux."""

    def __init__(self, name: str, env: dict[str, str]) -> None:
        if not shutil.which("tmux"):
            pytest.fail("tmux is missing: apt-get install tmux", pytrace=False)
        self.socket = f"launchtui-e2e-{os.getpid()}-{name}"
        self.env = env

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=30
        ).stdout

    def start(self, *launchtui_args: str) -> None:
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items())
        command = " ".join([sys.executable, "-m", "launchtui", *map(shlex.quote, launchtui_args)])
        self.tmux(
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "120",
            "-y",
            "40",
            f"env {exports} {command}; sleep 600",
        )

    def keys(self, *keys: str, pause: float = 0.35) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "t", key)
            time.sleep(pause)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "t", "-l", text)
        time.sleep(0.35)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "t")

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        pytest.fail(f"never saw {text!r} on screen:\n{self.screen()}", pytrace=False)

    def stop(self) -> None:
        self.tmux("kill-server")


def test_a_sprint_survives_quit_and_reopen_and_leaks_no_secret(lab, tmp_path):
    with secret_service_session(tmp_path / "keyring") as session:
        data = tmp_path / "data"
        env = {**session.env, "LAUNCHTUI_DATA_DIR": str(data), "TERM": "xterm-256color"}
        terminal = Terminal("first", env)
        try:
            terminal.start()
            terminal.wait_for("New engagement")
            terminal.keys("C-n")
            terminal.type("E2E Shop")
            terminal.keys("Tab")
            terminal.type("bad.test")
            terminal.keys("Tab", "Enter", "Down", "Down", "Enter")  # community platform
            terminal.keys("Tab", "Tab", "Tab", "Tab", "Tab", "Enter")  # the Create button
            terminal.wait_for("Quick audit")

            terminal.keys("e")
            terminal.wait_for("Key routes")
            for _ in range(3):
                terminal.keys("Right")
            terminal.keys("Tab")
            terminal.type(lab.nameserver)
            terminal.keys("Tab")
            terminal.type(str(lab.ca_bundle))
            terminal.keys("Enter")
            terminal.wait_for("Network settings saved")
            terminal.keys("Escape")

            terminal.keys("Down")  # stage 2: DNS and domain control
            terminal.wait_for("DNS and domain control  ·")
            terminal.keys("r")
            terminal.wait_for("Checked", timeout=60)
            terminal.keys("Escape", "Enter")  # back to the stage list, then into the stage
            terminal.keys("Tab", "space")  # findings table -> checklist, tick item 1
            terminal.wait_for("checklist 1/9")

            terminal.keys("o")
            terminal.wait_for("Owners ·")
            for account, provider, owner in (("", "Namecheap", "Dana"), ("Down", "Vercel", "Sam")):
                terminal.keys("a")
                terminal.wait_for("Add an owner")
                if account:  # the account list opens on enter; Down picks the next one
                    terminal.keys("Enter", account, "Enter")
                terminal.keys("Tab")
                terminal.type(provider)
                terminal.keys("Tab")
                terminal.type(owner)
                terminal.keys("Enter")
                terminal.wait_for(provider)
            terminal.keys("Up", "Enter")  # edit the registrar's owner in place
            terminal.wait_for("Change owner registrar")
            terminal.keys("Tab", "Tab", "C-u")  # the owner field, cleared
            terminal.type("Dana Lee (CTO)")
            terminal.keys("Enter")
            terminal.wait_for("Dana Lee (CTO)")
            terminal.keys("Delete")  # remove it, then put it back
            terminal.wait_for("u puts back the")
            assert "Dana Lee (CTO)" not in terminal.screen().split("recovery codes at")[1]
            terminal.keys("u")
            terminal.wait_for("Dana Lee (CTO)")
            terminal.keys("Escape")

            terminal.keys("k")
            terminal.wait_for("Secrets ·")
            terminal.keys("a")
            terminal.wait_for("Add a secret")
            terminal.type("ADMIN_PASSWORD")
            terminal.keys("Tab", "Tab")  # env, lives at
            terminal.type("keyring:")
            terminal.keys("Tab", "Tab", "Tab")  # owner, rotation, the masked value
            terminal.type(CANARY)
            assert CANARY not in terminal.screen()
            terminal.keys("Enter")
            terminal.wait_for("in keyring")  # the keyring has it (a worker put it there)
            terminal.keys("Escape", "C-q")
            time.sleep(1)
        finally:
            terminal.stop()

        [path] = data.glob("*.toml")
        engagement = Engagement.load(path)
        assert engagement.nameservers == [lab.nameserver]
        assert any(f.check == "dns.dangling-cname" for f in engagement.latest_findings()) or any(
            f.target == "www.bad.test" for f in engagement.latest_findings()
        )
        marks = engagement.checklist_marks("dns")
        assert any(mark.done for mark in marks.values())
        owners = [(o.account, o.provider, o.owner) for o in engagement.owners]
        assert owners == [("registrar", "Namecheap", "Dana Lee (CTO)"), ("dns", "Vercel", "Sam")]

        terminal = Terminal("second", env)
        try:
            terminal.start(str(path))  # a bare path opens the file
            terminal.wait_for("DNS and domain control  ·")
            screen = terminal.wait_for("www.bad.test")  # the findings, mounted right after
            assert "Checked" in screen
            terminal.keys("C-q")
        finally:
            terminal.stop()

        stored = session.secret_tool_lookup(f"launchtui/{engagement.id}/prod", "ADMIN_PASSWORD")
        assert stored == CANARY
        leaks = [
            p
            for p in tmp_path.rglob("*")
            if p.is_file()
            and not p.is_relative_to(session.keyring_storage)
            and CANARY.encode() in p.read_bytes()
        ]
        assert leaks == []
