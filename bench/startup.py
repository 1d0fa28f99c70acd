"""How fast the app feels: cold start to first paint, and key-to-repaint during a full run.

Both are measured from outside, through tmux, the way a person sees them:
  - first paint: from spawning `launchtui open FILE` to the stage list on screen;
  - key-to-repaint: while every check of an engagement runs against the planted lab
    (started here, on 127.240+), from sending a key to the screen showing the next stage.
Prints medians, each next to a reference measured in the same run: a bare Textual
app's first paint and key-to-repaint (what the toolkit costs here). Goals: first paint
within 1.3x of the bare app, key-to-repaint within 2x, idle and during a full run. It
also reports how many of the latency probes' requests left late (behind their schedule)
in the app, keys pressed throughout, and in the same run headless: the app must not
disturb its own measurements.

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
SOCKET = f"launchtui-bench-{os.getpid()}"  # a private tmux server: never anyone else's sessions
LAUNCHTUI = [sys.executable, "-m", "launchtui"]


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True).stdout


def screen() -> str:
    return tmux("capture-pane", "-p", "-t", SESSION)


def wait_for(predicate, timeout: float = 10.0) -> float:
    """Seconds until predicate(screen text) holds, polling every millisecond or so."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if predicate(screen()):
            return time.perf_counter() - started
        time.sleep(0.001)
    raise TimeoutError(f"the screen never showed what we waited for:\n{screen()}")


def start(command: str, env: dict[str, str]) -> float:
    """Spawn in a fresh tmux session; return the spawn timestamp."""
    tmux("kill-session", "-t", SESSION)
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    began = time.perf_counter()
    tmux("new-session", "-d", "-s", SESSION, "-x", "110", "-y", "34", f"env {exports} {command}")
    return began


BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Header, ListItem, ListView, Label, Static
TITLES = ["Quick audit  ·", "DNS and domain control  ·", "Handover checklist"]
class Bare(App):
    def compose(self):
        yield Header()
        yield ListView(*(ListItem(Label(t)) for t in TITLES))
        yield Static(TITLES[0], id="title")
        yield Footer()
    def on_list_view_highlighted(self, event):
        if event.item is not None:
            self.query_one("#title", Static).update(TITLES[event.list_view.index] + " shown")
Bare().run()
"""


def bare_textual_first_paint(env: dict[str, str]) -> float:
    began = start(f"{sys.executable} -c {shlex.quote(BARE_APP)}", env)
    wait_for(lambda text: "Handover" in text and "checklist" in text)
    elapsed = time.perf_counter() - began
    tmux("send-keys", "-t", SESSION, "C-q")
    return elapsed


def bare_textual_key_to_repaint(env: dict[str, str], presses: int) -> list[float]:
    """The same two-stage switch in a bare Textual app: what the toolkit itself costs."""
    start(f"{sys.executable} -c {shlex.quote(BARE_APP)}", env)
    wait_for(lambda text: "Handover" in text)
    time.sleep(0.5)
    latencies = switch_stages(presses, shown=" shown")
    tmux("send-keys", "-t", SESSION, "C-q")
    return latencies


def first_paint(engagement: Path, env: dict[str, str]) -> float:
    began = start(" ".join([*LAUNCHTUI, "open", str(engagement)]), env)
    wait_for(lambda text: "Handover" in text and "checklist" in text)
    elapsed = time.perf_counter() - began
    tmux("send-keys", "-t", SESSION, "C-q")
    return elapsed


def switch_stages(presses: int, *, shown: str = "", until_idle: bool = False) -> list[float]:
    """Alternate between two stages; each sample is key sent -> new stage on screen.

    `until_idle`: keep pressing (a key every 0.1 s, as a person reading along might) until
    the run on screen ends, so the whole run is measured, its load probes included."""
    latencies = []
    titles = ["DNS and domain control  ·" + shown, "Quick audit  ·" + shown]
    index = 0
    while index < presses or until_idle:
        key, title = ("Down", titles[0]) if index % 2 == 0 else ("Up", titles[1])
        began = time.perf_counter()
        tmux("send-keys", "-t", SESSION, key)
        wait_for(lambda text, title=title: title in text)
        latencies.append(time.perf_counter() - began)
        index += 1
        if until_idle:
            text = screen()
            if ("running" not in text and "⠿" not in text) or index >= 2000:
                break
            time.sleep(0.1)
    return latencies


def key_to_repaint(engagement: Path, env: dict[str, str], presses: int) -> tuple[list, list]:
    """(idle, during a full run of every check against the lab)."""
    start(" ".join([*LAUNCHTUI, "open", str(engagement)]), env)
    wait_for(lambda text: "Handover" in text, timeout=20)
    time.sleep(1.5)  # let start-up work (the check registry loads after the first frame) end
    switch_stages(2)  # build both stage views first
    idle = switch_stages(presses)
    tmux("send-keys", "-t", SESSION, "R")
    wait_for(lambda text: "running" in text)
    during = switch_stages(presses, until_idle=True)
    return idle, during


def start_lab():
    """The planted lab on the first free block from 240 up (tests use 40-239, the demo 30)."""
    from launchtui.lab import Lab, LabBlockInUse
    from launchtui.lab.planted import build_planted_world

    for block in range(240, 255):
        try:
            return Lab(build_planted_world, block).start()
        except LabBlockInUse:
            continue
    raise RuntimeError("no free lab block in 127.240-254")


def write_run_engagement(path: Path, lab) -> None:
    """bad.test with the perf host's routes: three pages loaded at 10 requests/s for about
    15 s each (so the late-send share rests on hundreds of requests), and a login."""
    from launchtui.engagement import Engagement, Route

    engagement = Engagement.new(path, apex="bad.test", product="Bench Shop")
    engagement.set_network([lab.nameserver], str(lab.ca_bundle))
    for label in ("app", "api", "admin", "auth"):
        engagement.add_subdomain(label)
    for name, url_path, kind in (
        ("home", "/fast", "page"),
        ("search", "/mixed", "api"),
        ("report", "/slow", "page"),
        ("login", "/open-login", "auth"),
    ):
        engagement.add_route(Route(name, f"https://perf.test{url_path}", kind=kind))
    engagement.save()


def late_sends(path: Path) -> tuple[int, int, float]:
    """(late, sent, worst ms) over the latest run's load probes in an engagement file: how
    often the client fell behind its own request schedule."""
    from launchtui.engagement import Engagement

    late = sent = 0
    worst = 0.0
    for finding in Engagement.load(path).latest_findings():
        if finding.check != "perf.latency":
            continue
        evidence = finding.evidence
        sends = evidence.get("late_sends") or {}
        late += int(sends.get("count", 0))
        sent += int(evidence.get("sent", 0))
        worst = max(worst, float(sends.get("worst_ms", 0.0)))
    return late, sent, worst


def wait_for_recorded_run(path: Path, timeout: float = 120.0) -> None:
    from launchtui.engagement import Engagement

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and any(run.complete for run in Engagement.load(path).runs):
            return
        time.sleep(0.5)
    raise TimeoutError("the app never filed its full run")


def headless_late_sends(path: Path, env: dict[str, str]) -> tuple[int, int, float]:
    """The same full run with `launchtui check` (filed to a copy of the file)."""
    copy = path.with_name("headless.toml")
    shutil.copy(path, copy)
    subprocess.run(
        [*LAUNCHTUI, "check", str(copy), "--format", "json"],
        env={**os.environ, **env},
        capture_output=True,
        check=False,
    )
    return late_sends(copy)


def tmux_overhead(samples: int = 20) -> float:
    """What one capture-pane poll costs, so readers can subtract it."""
    began = time.perf_counter()
    for _ in range(samples):
        screen()
    return (time.perf_counter() - began) / samples


def share(late: int, sent: int, worst: float) -> str:
    percent = 100 * late / sent if sent else 0.0
    return f"{late} of {sent} ({percent:.1f} %), worst {worst:.0f} ms"


def compile_bytecode() -> None:
    """Start launchtui as an install starts it: pip compiles every module of a wheel to
    bytecode, as it did Textual's. An editable checkout run with PYTHONDONTWRITEBYTECODE
    set would compile launchtui's sources on every start (40 ms of CPU and more) and be
    measured against a Textual that pays nothing of the kind."""
    import compileall

    import launchtui

    compileall.compile_dir(Path(launchtui.__file__).parent, quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--presses", type=int, default=12)
    args = parser.parse_args()
    if not shutil.which("tmux"):
        print("bench/startup.py needs tmux (apt-get install tmux)", file=sys.stderr)
        return 2
    compile_bytecode()
    data = Path(tempfile.mkdtemp(prefix="launchtui-bench-"))
    # A session that outlives every measured one keeps the private tmux server up: killing
    # the last session stops the server, and a new-session racing that shutdown fails.
    tmux("new-session", "-d", "-s", "keep", "sleep 3600")
    env = {
        "LAUNCHTUI_DATA_DIR": str(data),
        "LAUNCHTUI_CONFIG_DIR": str(data / "config"),
        "LAUNCHTUI_CACHE_DIR": str(data / "cache"),
        "LAUNCHTUI_OPERATOR": "bench",  # no "who is working?" question in front of the keys
        "TERM": os.environ.get("TERM", "xterm-256color"),
    }
    fixture = Path(__file__).resolve().parent.parent / "tests" / "ui" / "fixtures" / "acme.toml"
    engagement = data / "acme.toml"
    # Started now: the sprint screen opens (a file past its 48 hours opens the founder home).
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    engagement.write_text(fixture.read_text().replace("2026-11-21T09:00:00Z", now, 1))
    lab = start_lab()
    running = data / "bench-shop.toml"
    write_run_engagement(running, lab)
    try:
        bare = statistics.median(bare_textual_first_paint(env) for _ in range(args.runs))
        bare_keys = bare_textual_key_to_repaint(env, args.presses)
        paints = [first_paint(engagement, env) for _ in range(args.runs)]
        idle, during = key_to_repaint(running, env, args.presses)
        wait_for_recorded_run(running)
        tmux("send-keys", "-t", SESSION, "C-q")
        in_app = late_sends(running)
        headless = headless_late_sends(running, env)
    finally:
        tmux("kill-server")
        lab.stop()
        shutil.rmtree(data, ignore_errors=True)
    poll = tmux_overhead()
    paint, quiet, busy, bare_key = (
        statistics.median(x) * 1000 for x in (paints, idle, during, bare_keys)
    )
    print(f"first paint, launchtui open (median of {len(paints)}): {paint:6.0f} ms")
    print(
        f"  reference: a bare Textual app in the same run:   {bare * 1000:6.0f} ms "
        f"-> ratio {paint / (bare * 1000):.2f}x (goal <= 1.3x)"
    )
    print(f"key-to-repaint, a bare Textual app (median of {len(bare_keys)}): {bare_key:6.1f} ms")
    print(
        f"  launchtui idle (median of {len(idle)}):              {quiet:6.1f} ms "
        f"-> ratio {quiet / bare_key:.2f}x (goal <= 2x)"
    )
    print(
        f"  launchtui during a full run (median of {len(during)}): {busy:6.1f} ms "
        f"-> ratio {busy / bare_key:.2f}x (goal <= 2x; max {max(during) * 1000:.0f} ms)"
    )
    print("late sends of the latency probes (behind schedule by more than 10 ms):")
    print(f"  in the app, keys pressed throughout: {share(*in_app)}")
    print(f"  headless (`launchtui check`):        {share(*headless)}")
    print(f"one tmux capture-pane poll costs {poll * 1000:.1f} ms (included in all figures)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
