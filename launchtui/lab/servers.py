"""Knot and nginx as child processes we own: config written, started, waited for, stopped.

Servers run in the foreground under our process so `wait()` reaps them (PID 1
in these containers does not), and each lab writes only inside its own folder.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import dns.message
import dns.query

from .certs import CertificateFactory
from .world import VHost, World, Zone

PR_SET_PDEATHSIG = 1  # linux/prctl.h
ECHO_MODULE = Path("/usr/lib/nginx/modules/ngx_http_echo_module.so")
READY_TIMEOUT = 10.0
# A location that writes `access_log {REQUEST_LOG_DIR}/NAME.log {REQUEST_LOG_FORMAT};` logs
# one line per request (epoch seconds, status, request line): see `Lab.requests_logged`.
REQUEST_LOG_DIR = "@LAB_NGINX_DIR@"
REQUEST_LOG_FORMAT = "launchtui_requests"


class LabError(RuntimeError):
    """The lab could not start; the message says what to install or fix."""


def _die_with_parent() -> None:
    """Linux: the kernel stops this server if the process that started it dies, even by
    SIGKILL or a closed terminal, so no lab outlives its owner and holds its addresses."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


class ChildServer:
    """A server process we started; stop() always reaps it."""

    def __init__(self, argv: list[str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            argv,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )

    def require_running(self, what: str) -> None:
        if self.process.poll() is not None:
            log = self.log_path.read_text(errors="replace")[-2000:]
            raise LabError(f"{what} exited with code {self.process.returncode}:\n{log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def start_knot(world: World, directory: Path) -> ChildServer:
    directory.mkdir(parents=True, exist_ok=True)
    zone_dir = directory / "zones"
    zone_dir.mkdir(exist_ok=True)
    for zone in world.zones.values():
        (zone_dir / f"{zone.origin}.zone").write_text(_zone_file(zone))
    config = directory / "knot.conf"
    config.write_text(_knot_config(world, directory, zone_dir))
    knotd = shutil.which("knotd") or "/usr/sbin/knotd"
    server = ChildServer([knotd, "-c", str(config)], directory / "knot.log")
    _wait_for_dns(server, world.plan.dns_addresses, next(iter(world.zones), "."))
    return server


def _zone_file(zone: Zone) -> str:
    if zone.broken:
        return f"$ORIGIN {zone.origin}.\n@ 3600 IN SOA this is not a zone file\n"
    header = [
        f"$ORIGIN {zone.origin}.",
        f"$TTL {zone.default_ttl}",
        f"@ SOA ns1.{zone.origin}. hostmaster.{zone.origin}. 1 3600 900 604800 300",
    ]
    return "\n".join([*header, *zone.records]) + "\n"


def _user_and_group() -> str:
    """Knot switches to this user: the one running the lab (root in CI, or a developer)."""
    import grp
    import pwd

    return f"{pwd.getpwuid(os.geteuid()).pw_name}:{grp.getgrgid(os.getegid()).gr_name}"


def _knot_config(world: World, directory: Path, zone_dir: Path) -> str:
    listen = ", ".join(f"{address}@53" for address in world.plan.dns_addresses)
    zones = "\n".join(f"  - domain: {origin}\n    file: {origin}.zone" for origin in world.zones)
    # semantic-checks: soft lets a zone hold a CNAME beside other data, a fault
    # real zones have and that we must detect (strict Knot refuses to load it).
    return f"""server:
    rundir: "{directory}"
    user: {_user_and_group()}
    listen: [ {listen} ]
log:
  - target: stderr
    any: warning
database:
    storage: "{directory / "db"}"
template:
  - id: default
    storage: "{zone_dir}"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: soft
zone:
{zones}
"""


def _wait_for_dns(server: ChildServer, addresses: tuple[str, ...], origin: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    pending = list(addresses)
    while pending:
        server.require_running("knotd")
        try:
            dns.query.udp(dns.message.make_query(origin, "SOA"), pending[0], timeout=0.2)
            pending.pop(0)
        except (TimeoutError, OSError, dns.exception.DNSException):
            if time.monotonic() > deadline:
                raise LabError(f"knotd did not answer on {pending[0]}:53 within 10 s") from None
            time.sleep(0.01)


def start_rogues(world: World, directory: Path) -> ChildServer | None:
    """Rogue hosts (hanging, garbage-speaking) as one small Python process."""
    rogues = [v for v in world.vhosts if v.rogue]
    if not rogues:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    listeners = [f"{v.rogue}@{v.address}:{port}" for v in rogues for port in (80, 443)]
    server = ChildServer(
        [sys.executable, "-m", "launchtui.lab.rogue", *listeners], directory / "rogue.log"
    )
    _wait_for_tcp(server, [(v.address, port) for v in rogues for port in (80, 443)])
    return server


def start_nginx(world: World, directory: Path, certs: CertificateFactory) -> ChildServer:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "tmp").mkdir(exist_ok=True)
    served = [vhost for vhost in world.vhosts if not vhost.rogue]
    servers = "\n".join(_server_blocks(vhost, certs) for vhost in served)
    # Locations that log their requests (to count them) write into this lab's own folder.
    servers = servers.replace(REQUEST_LOG_DIR, str(directory))
    config = directory / "nginx.conf"
    config.write_text(_nginx_config(directory, servers))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    server = ChildServer(
        [nginx, "-e", str(directory / "error.log"), "-p", str(directory), "-c", str(config)],
        directory / "nginx.log",
    )
    listeners = [(v.address, port) for v in served for port in _ports_of(v)]
    _wait_for_tcp(server, listeners)
    return server


def _ports_of(vhost: VHost) -> tuple[int, ...]:
    return (80, 443) if vhost.cert or vhost.raw_https_listener else (80,)


def _nginx_config(directory: Path, servers: str) -> str:
    echo = f"load_module {ECHO_MODULE};" if ECHO_MODULE.exists() else ""
    temp = directory / "tmp"
    return f"""{echo}
daemon off;
master_process on;
worker_processes 1;
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    log_format {REQUEST_LOG_FORMAT} '$msec $status "$request"';
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    server_tokens off;
    default_type text/plain;
    limit_req_zone $binary_remote_addr zone=login:1m rate=1r/s;
{servers}
}}
"""


def _server_blocks(vhost: VHost, certs: CertificateFactory) -> str:
    names = " ".join(vhost.names)
    blocks = [f"server {{ listen {vhost.address}:80; server_name {names};\n{vhost.http}\n}}"]
    if vhost.raw_https_listener is not None:
        blocks.append(vhost.raw_https_listener.replace("$ADDRESS", vhost.address))
    elif vhost.cert is not None:
        chain, key = certs.issue(vhost.names, vhost.cert)
        blocks.append(
            f"server {{ listen {vhost.address}:443 ssl http2; server_name {names};\n"
            f"ssl_certificate {chain}; ssl_certificate_key {key};\n"
            f"ssl_protocols {vhost.tls_protocols};\n{vhost.https}\n}}"
        )
    return "\n".join(blocks)


def _wait_for_tcp(server: ChildServer, listeners: list[tuple[str, int]]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    for address, port in listeners:
        while True:
            server.require_running("nginx")
            try:
                socket.create_connection((address, port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise LabError(
                        f"nginx did not listen on {address}:{port} within 10 s"
                    ) from None
                time.sleep(0.01)
