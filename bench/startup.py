"""How fast the app feels: cold start to first paint, and key-to-repaint during a full run.

Both are measured from outside, through tmux, the way a person sees them:
  - first paint: from spawning `launchtui open FILE` to the stage list on screen;
  - key-to-repaint: while every check of the demo engagement runs against the
    local lab, from sending a key to the screen showing the next stage.
Prints medians. Targets: first paint <= 0.5 s, key-to-repaint <= 50 ms.

    .venv/bin/python bench/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
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


def first_paint(engagement: Path, env: dict[str, str]) -> float:
    began = start(" ".join([*LAUNCHTUI, "open", str(engagement)]), env)
    wait_for(lambda text: "Handover" in text and "checklist" in text)
    elapsed = time.perf_counter() - began
    tmux("send-keys", "-t", SESSION, "C-q")
    return elapsed


def key_to_repaint_during_full_run(env: dict[str, str], presses: int) -> tuple[list[float], int]:
    start(" ".join([*LAUNCHTUI, "demo"]), env)
    wait_for(lambda text: "Handover" in text, timeout=20)
    tmux("send-keys", "-t", SESSION, "R")
    wait_for(lambda text: "running" in text)
    latencies = []
    titles = ["DNS and domain control  ·", "Quick audit  ·"]
    for index in range(presses):
        key, title = ("Down", titles[0]) if index % 2 == 0 else ("Up", titles[1])
        began = time.perf_counter()
        tmux("send-keys", "-t", SESSION, key)
        wait_for(lambda text, title=title: title in text)
        latencies.append(time.perf_counter() - began)
        if "running" not in screen():
            break
    running_checks = screen().count("running")
    tmux("send-keys", "-t", SESSION, "C-q")
    return latencies, running_checks


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
        paints = [first_paint(engagement, env) for _ in range(args.runs)]
        latencies, _ = key_to_repaint_during_full_run(env, args.presses)
    finally:
        tmux("kill-session", "-t", SESSION)
        shutil.rmtree(data, ignore_errors=True)
    poll = tmux_overhead()
    print(
        f"first paint (median of {len(paints)}):      {statistics.median(paints) * 1000:6.0f} ms"
        f"   (target <= 500 ms; min {min(paints) * 1000:.0f}, max {max(paints) * 1000:.0f})"
    )
    print(
        f"key-to-repaint during a full run (median of {len(latencies)}): "
        f"{statistics.median(latencies) * 1000:6.1f} ms   (target <= 50 ms; "
        f"max {max(latencies) * 1000:.1f})"
    )
    print(f"one tmux capture-pane poll costs {poll * 1000:.1f} ms (included above)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
