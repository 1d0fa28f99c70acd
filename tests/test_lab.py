"""The lab itself: it refuses a block in use and never outlives the process that owns it."""

import os
import signal
import subprocess
import sys
import time

import pytest

from launchtui.lab import Lab, LabBlockInUse
from launchtui.lab.planted import build_planted_world

OWNER = """
import sys, time
from launchtui.lab import Lab
from launchtui.lab.planted import build_planted_world
lab = Lab(build_planted_world, int(sys.argv[1])).start()
print("up", flush=True)
time.sleep(600)
"""


def free_block(first: int) -> int:
    return next(b for b in range(first, first + 40) if not Lab.block_in_use(b))


def test_a_killed_owner_takes_its_servers_with_it():
    block = free_block(160 + 20 * int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0))
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER, str(block)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert owner.stdout.readline().strip() == "up"
        assert Lab.block_in_use(block)
        owner.send_signal(signal.SIGKILL)
        owner.wait(timeout=10)
        deadline = time.monotonic() + 5
        while Lab.block_in_use(block) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Lab.block_in_use(block), "Knot outlived the process that started it"
    finally:
        owner.kill()


def test_a_block_in_use_is_refused(lab):
    with pytest.raises(LabBlockInUse):
        Lab(build_planted_world, lab.world.plan.block).start()
