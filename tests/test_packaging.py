"""The wheel carries the runbooks and templates: an installed copy finds and loads them."""

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

from .conftest import REPO


def test_installed_wheel_loads_runbooks_from_its_own_copy(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("launchtui-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    # Dependencies come from the test environment, after the fresh site-packages on sys.path.
    (site / "zz_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    code = (
        "import launchtui, launchtui.resources as r, launchtui.runbook as rb\n"
        "print(launchtui.__file__); print(r.runbooks_dir()); print(r.templates_dir())\n"
        "print(len(rb.load_runbooks([])['launch-ready'].stages))\n"
    )
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    package_file, runbooks, templates, stages = out.stdout.split()
    assert package_file.startswith(str(site))
    assert runbooks == str(site / "launchtui" / "_data" / "runbooks")
    assert (Path(templates) / "report.md.j2").is_file()
    assert stages == "7"
