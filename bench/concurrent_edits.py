"""Do concurrent edits of one engagement ever lose work, and do kills ever corrupt it?

Four measurements, each on a fresh engagement in a temp folder:
  - CLI pairs: two writers started together, each adding its own secret through
    `Engagement.edit` (what every `launchtui secrets …` does), in forked processes;
  - app plus CLI: a holder that loaded the file earlier (the open app) adds an owner and
    saves while a forked writer adds a secret; the save must merge, not overwrite;
  - real commands: pairs of `launchtui secrets set` processes, as a user's script runs them;
  - kills: a process saving in a loop is killed with SIGKILL at a random moment; the file
    must still load, and the next save must leave no temp file behind.
Prints lost updates and corrupt files (the target for each is 0).

    .venv/bin/python bench/concurrent_edits.py [--pairs 1000] [--commands 40] [--kills 1000]
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/secrets.py (named for what it measures) would shadow the standard library's
# `secrets` for scripts run from this folder: take the folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import os
import random
import signal
import subprocess
import tempfile
import time

from launchtui.engagement import Actor, Engagement, EngagementError, Owner, Secret

CLI, APP = Actor("bench-cli", "cli"), Actor("bench-app", "app")


def fresh(folder: Path, name: str) -> Path:
    """A realistic engagement: a dozen owners and secrets and a long change log."""
    path = folder / f"{name}.toml"
    engagement = Engagement.new(path, apex="acme.test", actor=APP)
    for number in range(12):
        engagement.add_owner(Owner(f"account {number}", "Provider", f"Person {number}"))
        engagement.add_secret(Secret(f"KEY_{number}", reference=f"op://Ops/key{number}/value"))
    engagement.save()
    return path


def forked(work) -> int:
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)
    return pid


def reaped(pid: int) -> int:
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def add_secret(path: Path, name: str):
    def work() -> None:
        with Engagement.edit(path, actor=CLI) as engagement:
            engagement.add_secret(Secret(name, reference=f"op://Ops/{name}/key"))

    return work


def cli_pairs(folder: Path, pairs: int) -> tuple[int, float]:
    """Each pair on its own copy of the engagement, so every pair costs the same."""
    template = fresh(folder, "template").read_bytes()
    began = time.perf_counter()
    lost = 0
    for pair in range(pairs):
        path = folder / f"pair-{pair}.toml"
        path.write_bytes(template)
        pids = [forked(add_secret(path, "PAIR_A")), forked(add_secret(path, "PAIR_B"))]
        failed = sum(reaped(pid) != 0 for pid in pids)
        names = {secret.name for secret in Engagement.load(path).secrets}
        lost += failed + 2 - len(names & {"PAIR_A", "PAIR_B"})
    return lost, time.perf_counter() - began


def app_plus_cli(folder: Path, rounds: int) -> tuple[int, int]:
    """The open app (loaded before the CLI edit) saves while a CLI writer is at work."""
    template = fresh(folder, "template").read_bytes()
    lost = conflicts = 0
    for turn in range(rounds):
        path = folder / f"app-{turn}.toml"
        path.write_bytes(template)
        app = Engagement.load(path, actor=APP)
        pid = forked(add_secret(path, "FROM_CLI"))
        app.add_owner(Owner("dns", "Cloudflare", "From the app"))
        conflicts += len(app.save().conflicts)
        reaped(pid)
        if app.changed_on_disk():
            app.reload()
        final = Engagement.load(path)
        lost += "FROM_CLI" not in {secret.name for secret in final.secrets}
        lost += "From the app" not in {owner.owner for owner in final.owners}
    return lost, conflicts


def real_commands(folder: Path, pairs: int) -> int:
    path = fresh(folder, "commands")
    command = [sys.executable, "-m", "launchtui", "secrets", "set", str(path)]
    for pair in range(pairs):
        running = [
            subprocess.Popen(
                [*command, f"S{pair}{side}", "--owner", "Sam"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for side in "AB"
        ]
        for process in running:
            process.wait()
    ours = {f"S{pair}{side}" for pair in range(pairs) for side in "AB"}
    return len(ours - {secret.name for secret in Engagement.load(path).secrets})


def kills(folder: Path, count: int) -> tuple[int, int, int]:
    path = fresh(folder, "kills")
    rng = random.Random(3)

    def save_forever() -> None:
        engagement = Engagement.load(path, actor=CLI)
        for turn in range(100_000):
            engagement.set_notes("dns", f"turn {turn}\n" + "x" * 4000)
            engagement.save()

    corrupt = most_temps = 0
    for _ in range(count):
        pid = forked(save_forever)
        time.sleep(rng.uniform(0.002, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        try:
            Engagement.load(path)
        except EngagementError:
            corrupt += 1
        most_temps = max(most_temps, sum(p.name.endswith(".tmp") for p in folder.iterdir()))
    survivor = Engagement.load(path, actor=APP)
    survivor.set_notes("dns", "after")
    survivor.save()
    return corrupt, most_temps, sum(p.name.endswith(".tmp") for p in folder.iterdir())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--commands", type=int, default=40)
    parser.add_argument("--kills", type=int, default=1000)
    args = parser.parse_args()
    os.environ.setdefault("LAUNCHTUI_OPERATOR", "bench")
    with tempfile.TemporaryDirectory(prefix="launchtui-bench-") as name:
        folder = Path(name)
        lost, seconds = cli_pairs(folder, args.pairs)
        print(f"CLI pairs:    {args.pairs} pairs, {lost} lost updates ({seconds:.1f} s)")
        lost, conflicts = app_plus_cli(folder, args.pairs)
        print(f"app plus CLI: {args.pairs} rounds, {lost} lost updates, {conflicts} conflicts")
        lost = real_commands(folder, args.commands)
        print(f"commands:     {args.commands} pairs of `secrets set`, {lost} lost updates")
        corrupt, most, left = kills(folder, args.kills)
        print(f"kills:        {args.kills} SIGKILLs mid-save, {corrupt} corrupt files, at most "
              f"{most} temp files waiting, {left} left after the next save")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
