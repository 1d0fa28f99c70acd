"""`--output` never replaces what is not a regular file, and never follows or takes over
what another user left in a shared folder; a regular file is replaced atomically.

The command-line tests run `launchtui scan` of an empty folder: a real report, no network.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from launchtui.output import OutputKind, output_to, planted_by_someone_else, write_output

from .conftest import run_launchtui

STICKY_SHARED = stat.S_IFDIR | 0o1777
PLAIN_FOLDER = stat.S_IFDIR | 0o755


def scan_to(tmp_path: Path, output: str | Path):
    empty = tmp_path / "project"
    empty.mkdir(exist_ok=True)
    return run_launchtui("scan", str(empty), "--format", "json", "--output", str(output))


def test_a_device_is_written_in_place_and_stays_the_same_device(tmp_path):
    if os.geteuid() == 0:  # a private copy of /dev/null: a regression cannot break the real one
        device = tmp_path / "null"
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    else:
        device = Path("/dev/null")
    before = os.stat(device)
    result = scan_to(tmp_path, device)
    assert result.returncode == 0, result.stderr
    after = os.stat(device)
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_a_fifo_with_a_reader_gets_the_report_and_stays_the_same_fifo(tmp_path):
    pipe = tmp_path / "report.pipe"
    os.mkfifo(pipe)
    inode = os.stat(pipe).st_ino
    received: list[bytes] = []

    def read() -> None:
        with open(pipe, "rb") as reader:  # blocks until launchtui opens it for writing
            received.append(reader.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = scan_to(tmp_path, pipe)
    reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert received and b'"findings"' in received[0]
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode) and os.stat(pipe).st_ino == inode


@pytest.mark.parametrize("planted", ["symlink", "file"])
def test_what_another_user_left_in_a_shared_folder_is_neither_followed_nor_replaced(
    tmp_path, planted
):
    """The classic /tmp attack: another user leaves `report.json` (a link to one of our
    files, or a file they can read later) in a sticky world-writable folder."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    report = shared / "report.json"
    make = f'ln -s "{victim}" "$1"' if planted == "symlink" else 'echo theirs > "$1"'
    prefix, other_uid = _as_someone_who_can_give_files_away()
    script = f'{make}; chown -h {other_uid} "$1"; shift; exec "$@"'
    (tmp_path / "project").mkdir()
    command = [sys.executable, "-m", "launchtui", "scan", str(tmp_path / "project")]
    result = subprocess.run(
        [*prefix, "sh", "-c", script, "sh", str(report), *command, "--output", str(report)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "another user" in result.stderr and "Traceback" not in result.stderr
    assert victim.read_text() == "precious\n"
    if planted == "symlink":
        assert report.is_symlink() and os.readlink(report) == str(victim)
    else:
        assert report.read_text() == "theirs\n"


def test_our_own_link_in_a_shared_folder_is_followed_and_stays_a_link(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    target = tmp_path / "reports" / "scan.json"
    target.parent.mkdir()
    link = shared / "latest.json"
    link.symlink_to(target)
    result = scan_to(tmp_path, link)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and '"findings"' in target.read_text()


def test_a_regular_file_is_replaced_atomically_and_keeps_its_mode(tmp_path):
    report = tmp_path / "report.json"
    report.write_text("old\n")
    report.chmod(0o600)
    old_inode = report.stat().st_ino
    write_output(output_to(report), b"new\n")
    assert report.read_text() == "new\n"
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert report.stat().st_ino != old_inode  # a new file renamed into place, never truncated


def test_dash_and_descriptor_paths_write_to_the_descriptor_itself():
    assert output_to("-").to_stdout and output_to(None).to_stdout
    assert output_to("/dev/stdout").to_stdout
    read_end, write_end = os.pipe()
    try:
        output = output_to(f"/dev/fd/{write_end}")
        assert output.kind is OutputKind.DESCRIPTOR and output.descriptor == write_end
        write_output(output, b"report\n")
        assert os.read(read_end, 100) == b"report\n"
    finally:
        os.close(read_end)
        os.close(write_end)


@pytest.mark.parametrize(
    ("owner", "folder_mode", "folder_owner", "refused"),
    [
        (1000, STICKY_SHARED, 0, True),  # someone else's link in /tmp
        (42, STICKY_SHARED, 0, False),  # our own link in /tmp
        (0, STICKY_SHARED, 0, False),  # the folder owner's (root's) link in /tmp
        (1000, STICKY_SHARED, 1000, False),  # a shared folder's owner's own link
        (1000, PLAIN_FOLDER, 0, False),  # not a shared folder: as the kernel does
        (1000, stat.S_IFDIR | 0o777, 0, False),  # world-writable but not sticky
    ],
)
def test_only_our_or_the_folder_owners_entries_are_trusted_in_shared_folders(
    owner, folder_mode, folder_owner, refused
):
    assert planted_by_someone_else(owner, folder_mode, folder_owner, me=42) is refused


def _as_someone_who_can_give_files_away() -> tuple[list[str], int]:
    """A command prefix under which `chown` to another user works, and that user's id.

    Root needs none (nobody's id). Anyone else gets a user namespace that maps them to
    root and one subordinate id from /etc/subuid to 1 (newuidmap, Debian package uidmap)."""
    if os.geteuid() == 0:
        return [], pwd.getpwnam("nobody").pw_uid
    name = pwd.getpwuid(os.geteuid()).pw_name
    ranges = {}
    for table in ("/etc/subuid", "/etc/subgid"):
        entries = [line.split(":") for line in Path(table).read_text().splitlines()]
        ranges[table] = next((int(start) for user, start, _ in entries if user == name), None)
    assert shutil.which("newuidmap"), "install Debian's uidmap to run this test as a non-root user"
    assert None not in ranges.values(), f"{name} needs entries in /etc/subuid and /etc/subgid"
    prefix = [
        "unshare",
        "--map-root-user",
        f"--map-users={ranges['/etc/subuid']},1,1",
        f"--map-groups={ranges['/etc/subgid']},1,1",
    ]
    return prefix, 1
