"""A loopback lab of real servers: Knot DNS and nginx with TLS from a throwaway CA.

The tests and `launchtui demo` run checks against it so every verdict is proven
on real protocol stacks. It binds only 127.0.0.0/8 addresses and cleans up after
itself. Run `python -m launchtui.lab up` to explore it by hand.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path

from .certs import CertificateFactory
from .packages import INSTALL_COMMAND, missing_lab_parts
from .servers import ChildServer, LabError, start_knot, start_nginx, start_rogues
from .world import AddressPlan, Cert, VHost, World, Zone

__all__ = ["AddressPlan", "Cert", "Lab", "LabBlockInUse", "LabError", "VHost", "World", "Zone"]


class LabBlockInUse(LabError):
    """The address block is taken; try another."""


class Lab:
    """One running world; use as a context manager or call start()/stop()."""

    def __init__(self, build: Callable[[AddressPlan], World], block: int) -> None:
        if not 1 <= block <= 254:
            raise LabError(f"address block {block} is outside 127.1-254.x.x")
        self.world = build(AddressPlan(block))
        self.directory = Path(tempfile.mkdtemp(prefix=f"launchtui-lab-{block}-"))
        self.certs = CertificateFactory(self.directory)
        self._servers: list[ChildServer] = []

    @property
    def nameserver(self) -> str:
        return f"{self.world.plan.dns_addresses[0]}:53"

    @property
    def ca_bundle(self) -> Path:
        return self.certs.ca_bundle

    def requests_logged(self, log: str) -> list[tuple[int, str]]:
        """(status, request line) of every request a logging location has answered so far,
        in the order nginx finished them."""
        path = self.directory / "nginx" / f"{log}.log"
        if not path.exists():
            return []
        entries = []
        for line in path.read_text().splitlines():
            _moment, status, request = line.split(" ", 2)
            entries.append((int(status), request.strip('"')))
        return entries

    def address_of(self, name: str) -> str:
        """The loopback address of the vhost serving `name`."""
        for vhost in self.world.vhosts:
            if name in vhost.names:
                return vhost.address
        raise KeyError(name)

    def start(self) -> Lab:
        if self.block_in_use(self.world.plan.block):
            self.stop()
            raise LabBlockInUse(f"127.{self.world.plan.block}.0.0/16 is already serving a lab")
        missing = missing_lab_parts()
        if missing:
            raise LabError(f"The lab needs {', '.join(missing)}. Install with: {INSTALL_COMMAND}")
        try:
            self._servers.append(start_knot(self.world, self.directory / "knot"))
            self._servers.append(start_nginx(self.world, self.directory / "nginx", self.certs))
            rogues = start_rogues(self.world, self.directory / "rogue")
            if rogues is not None:
                self._servers.append(rogues)
        except BaseException:
            self.stop()
            raise
        return self

    @staticmethod
    def block_in_use(block: int) -> bool:
        """Another lab (another test run) is on this block: Knot would share it silently."""
        try:
            socket.create_connection((f"127.{block}.0.53", 53), timeout=0.2).close()
        except OSError:
            return False
        return True

    def stop(self) -> None:
        for server in reversed(self._servers):
            server.stop()
        self._servers.clear()
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> Lab:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
