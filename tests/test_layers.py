"""The core never imports Textual, so headless runs stay fast and the UI stays thin."""

import pkgutil
import subprocess
import sys

import launchtui


def core_modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(launchtui.__path__, "launchtui.")]
    return [n for n in names if not n.startswith("launchtui.ui") and n != "launchtui.__main__"]


def run_python(code: str) -> None:
    """Run `code` in a fresh interpreter, so what it imports is all it imports."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_core_module_imports_without_textual():
    modules = core_modules()
    assert "launchtui.engine" in modules and "launchtui.checks.dns" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "assert 'textual' not in sys.modules, sorted(m for m in sys.modules if 'textual' in m)\n"
    )
    run_python(code)


def test_the_checks_import_nothing_that_keeps_an_engagement():
    """Checks read what a run checks from the context alone; how an engagement is stored,
    the secrets inventory, the keyring and the run's orchestration stay out of their way."""
    code = (
        "import sys\n"
        "from launchtui.checks import all_checks\n"
        "all_checks()\n"
        "kept = ('launchtui.engagement', 'launchtui.inventory', 'launchtui.vault', "
        "'launchtui.audit', 'launchtui.ui')\n"
        "found = sorted(m for m in sys.modules if m.startswith(kept))\n"
        "assert not found, found\n"
    )
    run_python(code)


def test_secret_scan_workers_import_no_network_clients():
    """Every worker process of a big secret scan imports the secrets package; the HTTP and
    DNS clients the network checks use would add about 0.4 s to each."""
    code = (
        "import sys\n"
        "import launchtui.checks.secrets.parallel\n"
        "clients = ('httpx', 'httpcore', 'dns')\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in clients)\n"
        "assert not loaded, loaded\n"
    )
    run_python(code)
