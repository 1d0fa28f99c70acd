"""`python -m launchtui.lab up [--block N]`: run the planted lab until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys

from . import Lab, LabError
from .planted import build_planted_world


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m launchtui.lab")
    parser.add_argument("command", choices=["up"])
    parser.add_argument("--block", type=int, default=30, help="use 127.BLOCK.0.0/16")
    args = parser.parse_args()
    try:
        lab = Lab(build_planted_world, args.block).start()
    except LabError as exc:
        print(f"launchtui lab: {exc}", file=sys.stderr)
        return 2
    try:
        print(f"nameserver  {lab.nameserver}")
        print(f"ca bundle   {lab.ca_bundle}")
        print("zones       " + " ".join(lab.world.zones))
        print(
            f"try: launchtui check bad.test --nameserver {lab.nameserver} "
            f"--ca-bundle {lab.ca_bundle}"
        )
        print("Ctrl-C stops the lab.", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        lab.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
