"""Saving safely: concurrent writers lose nothing, a kill never corrupts, files keep owners."""

import os
import random
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from launchtui.atomic import remove_leftover_temps
from launchtui.engagement import Actor, Engagement, EngagementError, Owner, Secret
from launchtui.filelock import LockTimeout, lock_path_for, locked

from .conftest import run_launchtui

SAM, DANA = Actor("sam", "cli"), Actor("dana", "app")


def new_engagement(folder: Path) -> Path:
    path = folder / "acme.toml"
    Engagement.new(path, apex="acme.test", actor=DANA).save()
    return path


def temps_beside(path: Path) -> list[Path]:
    return [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def in_child(work) -> int:
    """Run `work()` in a forked copy of this process (cheap: launchtui is already
    imported); returns the child's pid. The child never returns into pytest."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)
    return pid


def exit_code(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


# -- concurrent writers ---------------------------------------------------------------------


def test_two_processes_editing_at_once_both_keep_their_change(tmp_path):
    path = new_engagement(tmp_path)

    def add(name: str):
        def work() -> None:
            with Engagement.edit(path, actor=SAM) as engagement:
                engagement.add_secret(Secret(name, reference=f"op://Ops/{name}/key"))

        return work

    for pair in range(25):
        pids = [in_child(add(f"KEY_{pair}_A")), in_child(add(f"KEY_{pair}_B"))]
        assert [exit_code(pid) for pid in pids] == [0, 0]
    names = {secret.name for secret in Engagement.load(path).secrets}
    assert len(names) == 50  # no lost update


def test_a_holder_that_loaded_earlier_merges_instead_of_overwriting(tmp_path):
    """The app's situation: loaded at 10:00, someone edits with the CLI at 10:05, the app
    saves at 10:10. Both changes are in the file and the app learns what came in."""
    path = new_engagement(tmp_path)
    app = Engagement.load(path, actor=DANA)
    with Engagement.edit(path, actor=SAM) as cli:
        cli.add_owner(Owner("registrar", "Namecheap", "Sam Lee"))
    app.add_owner(Owner("dns", "Cloudflare", "Dana"))
    result = app.save()
    owners = [owner.account for owner in Engagement.load(path).owners]
    assert owners == ["registrar", "dns"]
    assert [(c.who, c.what) for c in result.incoming] == [
        ("sam", "Added owner: registrar — Namecheap, Sam Lee.")
    ]
    assert result.conflicts == []


def test_the_same_entry_changed_on_both_sides_is_a_conflict_and_theirs_is_kept(tmp_path):
    path = new_engagement(tmp_path)
    with Engagement.edit(path, actor=DANA) as first:
        first.add_secret(Secret("STRIPE_SECRET_KEY", owner="Dana"))
    app = Engagement.load(path, actor=DANA)
    with Engagement.edit(path, actor=SAM) as cli:
        cli.update_secret("STRIPE_SECRET_KEY", "prod", owner="Sam")
    app.update_secret("STRIPE_SECRET_KEY", "prod", owner="Priya")
    app.add_owner(Owner("hosting", "Vercel", "Dana"))  # a different entry: merged
    result = app.save()
    assert result.conflicts == ["secrets (STRIPE_SECRET_KEY, prod)"]
    saved = Engagement.load(path)
    assert saved.secret("STRIPE_SECRET_KEY").owner == "Sam"  # nothing overwritten
    assert [owner.account for owner in saved.owners] == ["hosting"]


def test_notes_written_on_both_sides_keep_both(tmp_path):
    path = new_engagement(tmp_path)
    app = Engagement.load(path, actor=DANA)
    with Engagement.edit(path, actor=SAM) as cli:
        cli.set_notes("dns", "Registrar: Namecheap.")
    app.set_notes("dns", "Cloudflare holds the zone.")
    app.save()
    notes = Engagement.load(path).notes("dns")
    assert "Registrar: Namecheap." in notes and "Cloudflare holds the zone." in notes


def test_a_hand_edit_made_meanwhile_is_merged_and_its_comments_kept(tmp_path):
    path = new_engagement(tmp_path)
    app = Engagement.load(path, actor=DANA)
    path.write_text(path.read_text().replace("[domain]", "# edited by hand\n[domain]"))
    app.add_owner(Owner("dns", "Cloudflare", "Dana"))
    app.save()
    text = path.read_text()
    assert "# edited by hand" in text and 'provider = "Cloudflare"' in text


def test_the_lock_is_released_when_its_holder_is_killed(tmp_path):
    path = new_engagement(tmp_path)
    ready = tmp_path / "holding"

    def hold() -> None:
        with locked(path):
            ready.touch()
            time.sleep(60)

    pid = in_child(hold)
    deadline = time.monotonic() + 10
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    with (
        pytest.raises(LockTimeout, match="is being saved by another launchtui"),
        locked(path, timeout=0.2),
    ):
        pass
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    with locked(path, timeout=1):  # the kernel dropped the dead holder's lock
        pass


def test_a_busy_lock_is_a_plain_error_not_a_hang(tmp_path):
    path = new_engagement(tmp_path)

    def hold() -> None:
        with locked(path):
            time.sleep(60)

    pid = in_child(hold)
    try:
        time.sleep(0.3)
        result = run_launchtui(
            "secrets", "set", str(path), "A", "--owner", "Sam",
            env={"LAUNCHTUI_LOCK_TIMEOUT": "0.5"},
        )  # fmt: skip
        assert result.returncode == 2
        assert "is being saved by another launchtui and stayed locked" in result.stderr
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def test_the_lock_file_fallback_works_and_takes_over_a_stale_lock(tmp_path, monkeypatch):
    import launchtui.filelock as filelock

    path = new_engagement(tmp_path)
    lock_path_for(path).unlink()  # the flock's file; the fallback makes its own
    ready = tmp_path / "holding"

    def hold() -> None:
        with locked(path, exclusive_file=True):
            ready.touch()
            time.sleep(0.5)

    pid = in_child(hold)
    while not ready.exists():
        time.sleep(0.01)
    assert lock_path_for(path).read_text().strip() == str(pid)
    with pytest.raises(LockTimeout), locked(path, exclusive_file=True, timeout=0.1):
        pass
    assert exit_code(pid) == 0
    assert not lock_path_for(path).exists()  # released by its holder
    lock_path_for(path).write_text("12345\n")  # left by a process that died
    monkeypatch.setattr(filelock, "STALE_SECONDS", 0.0)
    with locked(path, exclusive_file=True, timeout=1):
        pass


# -- crashes ----------------------------------------------------------------------------------


def test_two_hundred_kills_mid_save_leave_no_corrupt_file_and_no_lasting_temp(tmp_path):
    path = new_engagement(tmp_path)
    rng = random.Random(11)

    def save_forever() -> None:
        engagement = Engagement.load(path, actor=SAM)
        for turn in range(10_000):
            engagement.set_notes("dns", f"turn {turn}\n" + "x" * 4000)
            engagement.save()

    leftovers = 0
    for _ in range(200):
        pid = in_child(save_forever)
        time.sleep(rng.uniform(0.002, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        Engagement.load(path)  # never torn: the old version or the new one
        leftovers = max(leftovers, len(temps_beside(path)))
    survivor = Engagement.load(path, actor=DANA)
    survivor.set_notes("dns", "after the storm")
    survivor.save()
    assert temps_beside(path) == []  # the next save cleared what the kills left
    assert Engagement.load(path).notes("dns") == "after the storm"


def test_leftover_temps_of_other_files_are_left_alone(tmp_path):
    path = new_engagement(tmp_path)
    mine = tmp_path / ".acme.toml.abcd1234.tmp"
    theirs = tmp_path / ".other.toml.abcd1234.tmp"
    for file in (mine, theirs):
        file.write_text("x")
    assert remove_leftover_temps(path) == [mine]
    assert theirs.exists()


# -- owners and modes ---------------------------------------------------------------------------


def test_saves_keep_the_mode_and_the_first_backup_is_never_more_open(tmp_path):
    path = tmp_path / "e.toml"
    Engagement.new(path, apex="good.test").save()
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    path.chmod(0o600)
    engagement = Engagement.load(path)
    engagement.set_notes("dns", "x")

    seen_modes = []
    real_replace = os.replace

    def watch(source, destination):
        seen_modes.append((Path(destination).name, stat.S_IMODE(os.stat(source).st_mode)))
        real_replace(source, destination)

    os.replace = watch
    try:
        engagement.save()
    finally:
        os.replace = real_replace
    assert seen_modes == [("e.toml.bak", 0o600), ("e.toml", 0o600)]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_read_only_file_is_refused_and_left_as_it_was(shared_folder):
    path = new_engagement(shared_folder)
    before = path.read_bytes()
    path.chmod(0o444)
    if os.geteuid() == 0:  # root may write anything: be someone else
        message = _as_user(65534, path)
    else:
        result = run_launchtui("secrets", "set", str(path), "A", "--owner", "Sam")
        assert result.returncode == 2 and "Traceback" not in result.stderr
        message = result.stderr
    assert "permission denied (read-only for you)" in message
    assert path.read_bytes() == before


@pytest.fixture
def shared_folder():
    """A folder other users can reach (pytest's own are private to the user running it)."""
    folder = Path(tempfile.mkdtemp(prefix="launchtui-owner-"))
    folder.chmod(0o777)
    yield folder
    subprocess.run(["rm", "-rf", str(folder)], check=False)


def test_a_save_keeps_the_owner_and_group_of_a_file_someone_else_owns(shared_folder):
    """As root (CI, sudo) saving a user's file, the file stays theirs; as that user,
    saving a file another user owns (writable through its group) is refused plainly
    rather than taking the file over."""
    path = new_engagement(shared_folder)
    if os.geteuid() == 0:
        os.chown(path, 65534, 65534)
        path.chmod(0o640)
        engagement = Engagement.load(path, actor=SAM)
        engagement.add_owner(Owner("dns", "Cloudflare", "Sam"))
        engagement.save()
        info = path.stat()
        assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (65534, 65534, 0o640)
        backup = path.with_name("acme.toml.bak").stat()
        assert (backup.st_uid, stat.S_IMODE(backup.st_mode)) == (65534, 0o640)
        path.chmod(0o666)  # writable by anyone, but owned by root
        os.chown(path, 0, 0)
        refused = _as_user(65534, path)
        assert "it belongs to root, and saving would make it yours" in refused
        assert path.stat().st_uid == 0
    else:
        engagement = Engagement.load(path, actor=SAM)
        path.chmod(0o640)
        engagement.add_owner(Owner("dns", "Cloudflare", "Sam"))
        engagement.save()
        info = path.stat()
        assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (os.geteuid(), 0o640)


def _as_user(uid: int, path: Path) -> str:
    """Add an owner to `path` as another user (needs root); returns the error it got.

    A forked copy drops to that user: launchtui is already loaded, so the other user
    needs no access to this Python."""
    reader, writer = os.pipe()

    def work() -> None:
        os.close(reader)
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        message = ""
        try:
            with Engagement.edit(path, actor=SAM) as engagement:
                engagement.add_owner(Owner("dns", "Cloudflare", "Sam"))
        except EngagementError as exc:
            message = str(exc)
        os.write(writer, message.encode())

    pid = in_child(work)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        message = pipe.read().decode()
    assert exit_code(pid) == 0
    return message
