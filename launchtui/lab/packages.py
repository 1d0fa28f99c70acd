"""What the lab needs from Debian, and the exact command that installs it."""

from __future__ import annotations

import shutil

from .servers import ECHO_MODULE

LAB_PACKAGES = ("knot", "nginx", "libnginx-mod-http-echo")
INSTALL_COMMAND = "apt-get install -y --no-install-recommends " + " ".join(LAB_PACKAGES)


def missing_lab_parts() -> list[str]:
    """Names of the lab's programs or modules that are not on this machine."""
    missing = [program for program in ("knotd", "nginx") if not _on_path(program)]
    if not ECHO_MODULE.exists():
        missing.append(f"nginx echo module ({ECHO_MODULE})")
    return missing


def _on_path(program: str) -> bool:
    return bool(shutil.which(program) or shutil.which(program, path="/usr/sbin:/sbin"))
