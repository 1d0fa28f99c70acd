"""How fast the app feels: cold start to first paint, and key-to-repaint during a full run.

Both are measured from outside, through tmux, the way a person sees them:
  - first paint: from spawning `launchtui open FILE` to the stage list on screen;
  - key-to-repaint: while every check of the demo engagement runs against the
    local lab, from sending a key to the screen showing the next stage.
Prints medians, each next to a reference measured in the same run: a bare Textual
app's first paint (what the toolkit costs here), and key-to-repaint with nothing
running. Targets: first paint <= 0.5 s, key-to-repaint <= 50 ms.

    .venv/bin/python bench/startup.py [--runs 7]
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/secrets.py (named for what it measures) would shadow the standard library's
# `secrets` for scripts run from this folder: take the folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SESSION = "launchtui-bench"
LAUNCHTUI = [sys.executable, "-m", "launchtui"]


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def screen() -> str:
    return tmux("capture-pane", "-p", "-t", SESSION)


def wait_for(predicate, timeout: float = 10.0) -> float:
    """Seconds until predicate(screen text) holds, polling every millisecond or so."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if predicate(screen()):
            return time.perf_counter() - started
        time.sleep(0.001)
    raise TimeoutError("the screen never showed what we waited for")


def start(command: str, env: dict[str, str]) -> float:
    """Spawn in a fresh tmux session; return the spawn timestamp."""
    tmux("kill-session", "-t", SESSION)
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    began = time.perf_counter()
    tmux("new-session", "-d", "-s", SESSION, "-x", "110", "-y", "34", f"env {exports} {command}")
    return began


BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Header, Static
class Bare(App):
    def compose(self):
        yield Header(); yield Static("Handover checklist"); yield Footer()
Bare().run()
"""


def bare_textual_first_paint(env: dict[str, str]) -> float:
    began = start(f"{sys.executable} -c {shlex.quote(BARE_APP)}", env)
    wait_for(lambda text: "Handover" in text and "checklist" in text)
    elapsed = time.perf_counter() - began
    tmux("send-keys", "-t", SESSION, "C-q")
    return elapsed


def first_paint(engagement: Path, env: dict[str, str]) -> float:
    began = start(" ".join([*LAUNCHTUI, "open", str(engagement)]), env)
    wait_for(lambda text: "Handover" in text and "checklist" in text)
    elapsed = time.perf_counter() - began
    tmux("send-keys", "-t", SESSION, "C-q")
    return elapsed


def switch_stages(presses: int, while_running: bool) -> list[float]:
    """Alternate between two stages; each sample is key sent -> new stage on screen."""
    latencies = []
    titles = ["DNS and domain control  ·", "Quick audit  ·"]
    for index in range(presses):
        key, title = ("Down", titles[0]) if index % 2 == 0 else ("Up", titles[1])
        began = time.perf_counter()
        tmux("send-keys", "-t", SESSION, key)
        wait_for(lambda text, title=title: title in text)
        latencies.append(time.perf_counter() - began)
        if while_running and "running" not in screen():
            break
    return latencies


def key_to_repaint(env: dict[str, str], presses: int) -> tuple[list[float], list[float]]:
    """(idle, during a full run of every check against the demo lab)."""
    start(" ".join([*LAUNCHTUI, "demo"]), env)
    wait_for(lambda text: "Handover" in text, timeout=20)
    time.sleep(1.5)  # let start-up work (the check registry loads after the first frame) end
    switch_stages(2, while_running=False)  # build both stage views first
    idle = switch_stages(presses, while_running=False)
    tmux("send-keys", "-t", SESSION, "R")
    wait_for(lambda text: "running" in text)
    during = switch_stages(presses, while_running=True)
    tmux("send-keys", "-t", SESSION, "C-q")
    return idle, during


def tmux_overhead(samples: int = 20) -> float:
    """What one capture-pane poll costs, so readers can subtract it."""
    began = time.perf_counter()
    for _ in range(samples):
        screen()
    return (time.perf_counter() - began) / samples


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--presses", type=int, default=12)
    args = parser.parse_args()
    if not shutil.which("tmux"):
        print("bench/startup.py needs tmux (apt-get install tmux)", file=sys.stderr)
        return 2
    data = Path(tempfile.mkdtemp(prefix="launchtui-bench-"))
    env = {"LAUNCHTUI_DATA_DIR": str(data), "TERM": os.environ.get("TERM", "xterm-256color")}
    fixture = Path(__file__).resolve().parent.parent / "tests" / "ui" / "fixtures" / "acme.toml"
    engagement = data / "acme.toml"
    shutil.copy(fixture, engagement)
    try:
        bare = statistics.median(bare_textual_first_paint(env) for _ in range(args.runs))
        paints = [first_paint(engagement, env) for _ in range(args.runs)]
        idle, during = key_to_repaint(env, args.presses)
    finally:
        tmux("kill-session", "-t", SESSION)
        shutil.rmtree(data, ignore_errors=True)
    poll = tmux_overhead()
    paint, quiet, busy = (statistics.median(x) * 1000 for x in (paints, idle, during))
    print(
        f"first paint, launchtui open (median of {len(paints)}): {paint:6.0f} ms (target <= 500 ms)"
    )
    print(
        f"  reference: a bare Textual app in the same run:   {bare * 1000:6.0f} ms "
        f"-> ratio {paint / (bare * 1000):.2f}x"
    )
    print(
        f"key-to-repaint during a full run (median of {len(during)}): {busy:6.1f} ms "
        f"(target <= 50 ms; max {max(during) * 1000:.1f})"
    )
    print(
        f"  reference: the same key with nothing running:    {quiet:6.1f} ms "
        f"-> ratio {busy / quiet:.2f}x"
    )
    print(f"one tmux capture-pane poll costs {poll * 1000:.1f} ms (included in all figures)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
