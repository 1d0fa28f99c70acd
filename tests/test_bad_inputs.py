"""Bad input as a new user (and a careless admin) would type it: the bad-input corpus.

Each row of CORPUS is one input: the command line, what to set up first, the exit code
expected and a fragment of the message. Every row also checks what no input may cause:
a traceback, a hang, or a planted password or token repeated on stdout, on stderr or in
a file the command wrote. Rows that need a full or read-only disk run the command in a
mount namespace of its own with a small tmpfs (`unshare`), which works as root and, in a
user namespace, as any other user.

Placeholders in a row's command line: {tmp} its own folder (also the working folder),
{long} a 300-character name, {null} and {full} devices like /dev/null and /dev/full, {ns}
and {ca} the lab's nameserver and CA bundle (rows marked `lab`).
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .secrets.planted import Fakes, commit_all, init_repo, write

PASSWORD = "hunter" + "2pw"
TOKEN = "tok3n" + "value"
CREDENTIALED_URL = f"https://admin:{PASSWORD}@bad.test/login?token={TOKEN}&page=2"
LONG_NAME = "a" * 300
APEX = 'schema = 2\n[domain]\napex = "good.test"\n'
LAB_FLAGS = ("--nameserver", "{ns}", "--ca-bundle", "{ca}")
QUICK = ("--stage", "handover", "--nameserver", "{ns}")  # a run with no checks: fast
NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}

Setup = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    id: str
    argv: tuple[str, ...]
    exit: int
    says: str  # a fragment of one line of stderr or stdout ("": nothing to look for)
    setup: tuple[Setup, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    stdout_to: str = ""  # a path instead of a pipe
    disk: str = ""  # "full" or "read-only": {tmp}/disk is such a disk while the command runs
    lab: bool = False
    stays: dict[str, str] = field(default_factory=dict)  # path -> kind it must still have


# -- setups ------------------------------------------------------------------------------


def text_file(name: str, content: str | bytes) -> Setup:
    def make(tmp: Path) -> None:
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        path.write_bytes(data)

    return make


def engagement(extra: str = "", name: str = "e.toml", head: str = APEX) -> Setup:
    return text_file(name, head + extra)


def fifo(name: str) -> Setup:
    return lambda tmp: os.mkfifo(tmp / name)


def folder(name: str) -> Setup:
    return lambda tmp: (tmp / name).mkdir()


def unix_socket(name: str) -> Setup:
    def make(tmp: Path) -> None:
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(tmp / name))
        server.close()  # the socket file stays

    return make


def devices(tmp: Path) -> None:
    """Private copies of /dev/null and /dev/full when root may make them, so a regression
    cannot replace the machine's own; other users get the real ones (which they cannot
    replace)."""
    if os.geteuid() == 0:
        for name, minor in (("null", 3), ("full", 7)):
            os.mknod(tmp / name, stat.S_IFCHR | 0o666, os.makedev(1, minor))


def ca_file(kind: str) -> Setup:
    def make(tmp: Path) -> None:
        import trustme
        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import Encoding

        pem = trustme.CA().cert_pem.bytes()
        content = {
            "random": os.urandom(512),
            "empty": b"",
            "private-key": trustme.CA().private_key_pem.bytes(),
            "truncated": pem[: len(pem) // 2] + b"\n-----END CERTIFICATE-----\n",
            "der": x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER),
        }[kind]
        (tmp / "bundle.pem").write_bytes(content)

    return make


def leaky_repo_and_inventory(tmp: Path) -> None:
    """A repo with a live-looking Stripe key, and an engagement (in {tmp}/disk) whose
    inventory lists that secret, so the scan has something to mark exposed."""
    repo = init_repo(tmp / "repo")
    write(repo, "config.py", 'STRIPE_SECRET_KEY = "' + "sk_" + "live_" + Fakes(7).chars(99) + '"\n')
    commit_all(repo, "add payments")
    engagement(
        '[[secrets]]\nname = "STRIPE_SECRET_KEY"\nreference = "op://Ops/Stripe/key"\n',
        name="disk/e.toml",
    )(tmp)


def damaged_repo(damage: str) -> Setup:
    """A repo whose HEAD or whose only commit object was overwritten with junk."""

    def make(tmp: Path) -> None:
        repo = init_repo(tmp / "repo")
        write(repo, "app.py", "print('hello')\n")
        commit = commit_all(repo, "first")
        if damage == "head":
            (repo / ".git" / "HEAD").write_text("junk\n")
        else:
            loose = repo / ".git" / "objects" / commit[:2] / commit[2:]
            loose.chmod(0o644)
            loose.write_bytes(b"junk")

    return make


HUGE = engagement("# padding\n" * (16 * 2**20 // 10 + 1))
# bad.test fails a check on the login route (CORS), so even SARIF (failures only) shows it.
ROUTE_WITH_CREDENTIALS = engagement(
    f'[[routes]]\nname = "login"\nurl = "{CREDENTIALED_URL}"\n'
    f'[[routes]]\nname = "health"\nurl = "https://bad.test/health?api_key={TOKEN}"\n',
    head='schema = 2\n[domain]\napex = "bad.test"\n',
)


# -- the corpus --------------------------------------------------------------------------

CHECK_TARGETS = [
    Case("check-space", ("check", "not a domain"), 2, "contains a space"),
    Case("check-empty", ("check", ""), 2, "The domain is empty"),
    Case("check-long-label", ("check", "a" * 64 + ".test"), 2, "the limit is 63"),
    Case("check-name-too-long-for-a-file", ("check", LONG_NAME + ".test"), 2, "the limit is 253"),
    Case("check-long-name", ("check", ".".join(["a" * 50] * 6)), 2, "the limit is 253"),
    Case("check-no-dot", ("check", "localhost"), 2, "has no dot"),
    Case("check-ip", ("check", "192.0.2.1"), 2, "IP address"),
    Case("check-port", ("check", "good.test:8080"), 2, "has a port"),
    Case("check-bad-punycode", ("check", "xn--zz.test"), 2, "not valid punycode"),
    Case("check-url-no-host", ("check", "https://"), 2, "no host name"),
    Case("check-url-broken", ("check", "http://[x"), 2, "not a valid URL"),
    Case(
        "check-url-password-bad-host",
        ("check", f"https://admin:{PASSWORD}@x_y.test/"),
        2,
        "has an invalid label 'x_y'",
    ),
    Case(
        "check-url-password-broken",
        ("check", f"https://admin:{PASSWORD}@[x/"),
        2,
        "not a valid URL",
    ),
    Case(
        "check-url-password-note",
        ("check", CREDENTIALED_URL, *QUICK),
        0,
        "Took the host 'bad.test' from the URL",
        lab=True,
    ),
    Case("check-unknown-stage", ("check", "good.test", "--stage", "dnss"), 2, 'did you mean "dns"'),
    Case("check-bad-format", ("check", "good.test", "--format", "pdf"), 2, "'pdf' is not one of"),
    Case("check-bad-fail-on", ("check", "good.test", "--fail-on", "worst"), 2, "--fail-on"),
]

CHECK_OPTIONS = [
    Case("timeout-nan", ("check", "good.test", "--timeout", "nan"), 2, "'nan' is not a number"),
    Case("timeout-zero", ("check", "good.test", "--timeout", "0"), 2, "--timeout"),
    Case("timeout-negative", ("check", "good.test", "--timeout", "-5"), 2, "--timeout"),
    Case("timeout-infinite", ("check", "good.test", "--timeout", "inf"), 2, "--timeout"),
    Case("timeout-text", ("check", "good.test", "--timeout", "soon"), 2, "--timeout"),
    Case(
        "nameserver-name", ("check", "good.test", "--nameserver", "dns.google"), 2, "--nameserver"
    ),
    Case(
        "nameserver-bad-port",
        ("check", "good.test", "--nameserver", "127.0.0.1:99999"),
        2,
        "--nameserver",
    ),
    Case(
        "ca-bundle-missing",
        ("check", "good.test", "--ca-bundle", "{tmp}/none.pem"),
        2,
        "--ca-bundle",
    ),
    Case("ca-bundle-folder", ("check", "good.test", "--ca-bundle", "{tmp}"), 2, "--ca-bundle"),
    *[
        Case(
            f"ca-bundle-{kind}",
            ("check", "good.test", *QUICK, "--ca-bundle", "{tmp}/bundle.pem"),
            2,
            says,
            setup=(ca_file(kind),),
            lab=True,
        )
        for kind, says in (
            ("random", "--ca-bundle: {tmp}/bundle.pem: not PEM certificates"),
            ("empty", "--ca-bundle: {tmp}/bundle.pem: the file is empty"),
            ("private-key", "holds a private key, not a certificate"),
            ("truncated", "cut short or damaged"),
            ("der", "a DER file converts with"),
        )
    ],
    Case(
        "ca-bundle-from-the-engagement",
        ("check", "{tmp}/e.toml", "--stage", "handover", "--no-record"),
        2,
        "{tmp}/e.toml: domain.ca_bundle: {tmp}/bundle.pem: not PEM certificates",
        setup=(engagement('ca_bundle = "bundle.pem"\n'), ca_file("random")),
    ),
    Case(
        "nameserver-from-the-engagement",
        ("check", "{tmp}/e.toml", "--stage", "handover", "--no-record"),
        2,
        "{tmp}/e.toml: domain.nameservers[1]: expected an IP address",
        setup=(engagement('nameservers = ["127.0.0.1", "dns.google"]\n'),),
    ),
    Case(
        "profile-from-the-engagement",
        ("check", "{tmp}/e.toml", "--stage", "handover", "--no-record"),
        2,
        '{tmp}/e.toml: profile: unknown profile "comunity-launch"; did you mean',
        setup=(
            engagement(
                head='schema = 2\nprofile = "comunity-launch"\n[domain]\napex = "good.test"\n'
            ),
        ),
    ),
]

ENGAGEMENT_FILES = [
    Case("engagement-missing", ("check", "{tmp}/missing.toml"), 2, "missing.toml: no such file"),
    Case("engagement-folder", ("check", "{tmp}/e.toml"), 2, "is a folder", (folder("e.toml"),)),
    Case(
        "engagement-fifo-check",
        ("check", "{tmp}/e.toml"),
        2,
        "not a regular file",
        (fifo("e.toml"),),
    ),
    Case(
        "engagement-fifo-secrets-list",
        ("secrets", "list", "{tmp}/e.toml"),
        2,
        "not a regular file",
        (fifo("e.toml"),),
    ),
    Case(
        "engagement-fifo-log", ("log", "{tmp}/e.toml"), 2, "not a regular file", (fifo("e.toml"),)
    ),
    Case(
        "engagement-fifo-history",
        ("history", "{tmp}/e.toml"),
        2,
        "not a regular file",
        (fifo("e.toml"),),
    ),
    Case(
        "engagement-fifo-scan",
        ("scan", "{tmp}", "--engagement", "{tmp}/e.toml"),
        2,
        "not a regular file",
        (fifo("e.toml"),),
    ),
    Case(
        "engagement-binary",
        ("check", "{tmp}/e.toml"),
        2,
        "not a text file",
        (text_file("e.toml", b"\xff\xfe\x00garbage"),),
    ),
    Case(
        "engagement-broken-toml",
        ("check", "{tmp}/e.toml"),
        2,
        "e.toml:3:",
        (text_file("e.toml", 'schema = 2\n[domain]\napex = "good.test\n'),),
    ),
    Case(
        "engagement-too-big",
        ("secrets", "list", "{tmp}/e.toml"),
        2,
        "an engagement file is at most 16 MB",
        (HUGE,),
    ),
    Case(
        "engagement-schema-negative",
        ("check", "{tmp}/e.toml"),
        2,
        "schema: expected a whole number",
        (engagement(head='schema = -1\n[domain]\napex = "good.test"\n'),),
    ),
    Case(
        "engagement-schema-newer",
        ("check", "{tmp}/e.toml"),
        2,
        "schema: version 9 is newer",
        (engagement(head='schema = 9\n[domain]\napex = "good.test"\n'),),
    ),
    Case(
        "engagement-route-without-host",
        ("check", "{tmp}/e.toml"),
        2,
        "routes[0].url: expected an http:// or https:// URL with a host",
        (engagement('[[routes]]\nname = "a"\nurl = "https://"\n'),),
    ),
    Case(
        "engagement-secret-pasted-into-a-url",
        ("check", "{tmp}/e.toml"),
        2,
        "routes[0].url",
        (engagement(f'[[routes]]\nname = "a"\nurl = "{PASSWORD}"\n'),),
    ),
    Case(
        "engagement-checklist-yesterday",
        ("check", "{tmp}/e.toml"),
        2,
        "stages.dns.checklist.owner.at: expected a time like",
        (engagement('[stages.dns.checklist]\nowner = { done = true, at = "yesterday" }\n'),),
    ),
    Case(
        "engagement-apex-punycode",
        ("check", "{tmp}/e.toml"),
        2,
        "domain.apex",
        (engagement(head='schema = 2\n[domain]\napex = "xn--zz.test"\n'),),
    ),
    Case(
        "engagement-huge-rotation-is-read",
        ("secrets", "list", "{tmp}/e.toml"),
        0,
        "3000000 d",
        (
            engagement(
                '[[secrets]]\nname = "K"\nreference = "op://a/b/c"\n'
                "rotation_days = 3000000\nlast_rotated = 2026-01-01\n"
            ),
        ),
        env=NO_KEYRING,
    ),
    Case(
        "engagement-huge-rotation-is-not-written",
        (
            "secrets",
            "set",
            "{tmp}/e.toml",
            "K",
            "--reference",
            "op://a/b/c",
            "--rotation-days",
            "3000000",
            "--last-rotated",
            "2026-01-01",
        ),
        2,
        "at most 3660 days",
        (engagement(),),
        env=NO_KEYRING,
    ),
    Case(
        "engagement-name-too-long-secrets-set",
        ("secrets", "set", "{tmp}/{long}.toml", "K", "--reference", "op://a/b/c"),
        2,
        "File name too long",
        env=NO_KEYRING,
    ),
    Case(
        "engagement-name-too-long-check",
        ("check", "{tmp}/{long}.toml"),
        2,
        "File name too long",
    ),
]


def report_to(name: str, destination: str, exit: int, says: str, **more) -> Case:
    """A quick check (no checks run) whose report goes to `destination`."""
    argv = ("check", "good.test", *QUICK, "--output", destination)
    return Case(f"output-{name}", argv, exit, says, lab=True, **more)


STDOUT_REPORT = "launchtui · good.test"
OUTPUTS = [
    report_to("dash-is-stdout", "-", 0, STDOUT_REPORT, stays={"-": "missing"}),
    report_to("dev-stdout-pipe", "/dev/stdout", 0, STDOUT_REPORT),
    report_to("device", "{null}", 0, "", stays={"{null}": "character device"}),
    report_to(
        "dev-full",
        "{full}",
        2,
        "cannot write the report to {full}: No space left on device",
        stays={"{full}": "character device"},
    ),
    report_to("full-disk", "{tmp}/disk/report.txt", 2, "No space left on device", disk="full"),
    report_to(
        "read-only-disk",
        "{tmp}/disk/report.txt",
        2,
        "cannot write {tmp}/disk/report.txt",
        disk="read-only",
    ),
    report_to(
        "fifo-nobody-reads",
        "{tmp}/pipe",
        2,
        "it is a pipe and nothing is reading from it",
        setup=(fifo("pipe"),),
        stays={"{tmp}/pipe": "fifo"},
    ),
    report_to(
        "socket",
        "{tmp}/sock",
        2,
        "it is a socket",
        setup=(unix_socket("sock"),),
        stays={"{tmp}/sock": "socket"},
    ),
    report_to("folder", "{tmp}", 2, "it is a folder"),
    report_to("missing-folder", "{tmp}/nowhere/out.json", 2, "does not exist"),
    report_to("empty", "", 2, "--output is empty"),
    report_to("name-too-long", "{tmp}/{long}", 2, "File name too long"),
    Case(
        "output-stdout-on-a-full-disk",
        ("check", "good.test", *QUICK),
        2,
        "No space left on device",
        lab=True,
        stdout_to="/dev/full",
    ),
    Case(
        "output-over-the-engagement",
        ("check", "{tmp}/e.toml", "--output", "{tmp}/e.toml"),
        2,
        "is the engagement file itself",
        (engagement(),),
    ),
    Case("output-scan-dev-full", ("scan", "{tmp}", "--output", "{full}"), 2, "No space left"),
]


SCANS = [
    Case("scan-missing-folder", ("scan", "{tmp}/nowhere"), 2, "is not a folder"),
    Case("scan-name-too-long", ("scan", "{tmp}/{long}"), 2, "is not a folder"),
    Case("scan-a-file", ("scan", "{tmp}/e.toml"), 2, "is a file", (engagement(),)),
    Case("scan-size-nan", ("scan", "{tmp}", "--max-file-size", "nan"), 2, "is not a number"),
    Case("scan-size-zero", ("scan", "{tmp}", "--max-file-size", "0"), 2, "--max-file-size"),
    Case(
        "scan-ignore-file-missing",
        ("scan", "{tmp}", "--ignore-file", "{tmp}/ignore.txt"),
        2,
        "--ignore-file {tmp}/ignore.txt: No such file",
    ),
    Case(
        "scan-ignore-file-fifo",
        ("scan", "{tmp}", "--ignore-file", "{tmp}/ignore.txt"),
        2,
        "not a regular file",
        (fifo("ignore.txt"),),
    ),
    Case(
        "scan-damaged-git-head",
        ("scan", "{tmp}/repo", "--history"),
        1,
        "git cannot read it as a repository",
        (damaged_repo("head"),),
    ),
    Case(
        "scan-damaged-git-object",
        ("scan", "{tmp}/repo", "--history"),
        1,
        "is corrupt",
        (damaged_repo("object"),),
    ),
    Case(
        "scan-engagement-missing",
        ("scan", "{tmp}", "--engagement", "{tmp}/e.toml"),
        2,
        "no such file",
    ),
    *[
        Case(
            f"scan-engagement-on-a-{state}-disk",
            ("scan", "{tmp}/repo", "--history", "--engagement", "{tmp}/disk/e.toml"),
            2,
            "cannot save {tmp}/disk/e.toml",
            (leaky_repo_and_inventory,),
            disk=state,
        )
        for state in ("full", "read-only")
    ],
]

INITS = [
    Case(
        "init-subdomain-equals",
        ("init", "{tmp}/e.toml", "--domain", "x.test", "--subdomain", "="),
        2,
        "A subdomain needs a name",
    ),
    Case(
        "init-subdomain-at",
        ("init", "{tmp}/e.toml", "--domain", "x.test", "--subdomain", "@"),
        2,
        "A subdomain needs a name",
    ),
    Case(
        "init-bad-punycode",
        ("init", "{tmp}/e.toml", "--domain", "xn--zz.test"),
        2,
        "not valid punycode",
    ),
    Case(
        "init-url-password",
        ("init", "{tmp}/e.toml", "--domain", f"https://admin:{PASSWORD}@x_y.test/"),
        2,
        "invalid label",
    ),
    Case(
        "init-name-too-long",
        ("init", "{tmp}/{long}.toml", "--domain", "x.test"),
        2,
        "File name too long",
    ),
    Case(
        "init-missing-folder", ("init", "{tmp}/nowhere/e.toml", "--domain", "x.test"), 2, "cannot"
    ),
    Case(
        "init-exists",
        ("init", "{tmp}/e.toml", "--domain", "x.test"),
        2,
        "already exists",
        (engagement(),),
    ),
    Case(
        "init-bad-route",
        ("init", "{tmp}/e.toml", "--domain", "x.test", "--route", "login"),
        2,
        "--route",
    ),
    Case(
        "init-bad-route-budget",
        ("init", "{tmp}/e.toml", "--domain", "x.test", "--route", "a=https://x.test/,budget=fast"),
        2,
        "budget is a whole number",
    ),
    Case(
        "init-bad-profile",
        ("init", "{tmp}/e.toml", "--domain", "x.test", "--profile", "nope"),
        2,
        "unknown profile",
    ),
    Case(
        "init-canonical-elsewhere",
        ("init", "{tmp}/e.toml", "--domain", "x.test", "--canonical", "other.org"),
        2,
        "not x.test or one of its subdomains",
    ),
]

OTHERS = [
    Case(
        "history-pin-unknown",
        ("history", "{tmp}/e.toml", "--pin", "9"),
        2,
        "no run '9'",
        (engagement(),),
    ),
    Case(
        "secrets-show-unknown",
        ("secrets", "show", "{tmp}/e.toml", "NOPE"),
        2,
        "no secret NOPE",
        (engagement(),),
        env=NO_KEYRING,
    ),
    Case(
        "secrets-value-as-an-argument",
        ("secrets", "set", "{tmp}/e.toml", "K", PASSWORD),
        2,
        "never read from the command line",
        (engagement(),),
        env=NO_KEYRING,
    ),
    Case("operator-empty", ("operator", ""), 2, "give a name"),
]

REPORTS = [
    Case(
        f"report-route-credentials-{output_format}",
        (
            "check",
            "{tmp}/e.toml",
            *LAB_FLAGS,
            "--stage",
            "performance",
            "--stage",
            "security",
            "--no-active-probes",
            "--no-record",
            "--format",
            output_format,
            "--verbose",
        ),
        1,
        "admin:REDACTED@bad.test/login?token=REDACTED",
        (ROUTE_WITH_CREDENTIALS,),
        lab=True,
    )
    for output_format in ("text", "json", "markdown", "sarif", "junit")
]

CORPUS = [
    *CHECK_TARGETS,
    *CHECK_OPTIONS,
    *ENGAGEMENT_FILES,
    *OUTPUTS,
    *SCANS,
    *INITS,
    *OTHERS,
    *REPORTS,
]


@pytest.mark.parametrize("case", CORPUS, ids=[case.id for case in CORPUS])
def test_bad_input(case: Case, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    places = {"{tmp}": str(tmp_path), "{long}": LONG_NAME}
    if case.lab:
        lab = request.getfixturevalue("lab")
        places |= {"{ns}": lab.nameserver, "{ca}": str(lab.ca_bundle)}
    devices(tmp_path)
    for name in ("null", "full"):
        places[f"{{{name}}}"] = (
            str(tmp_path / name) if (tmp_path / name).exists() else f"/dev/{name}"
        )
    for make in case.setup:
        make(tmp_path)

    def fill(text: str) -> str:
        for placeholder, value in places.items():
            text = text.replace(placeholder, value)
        return text

    started = time.time_ns()
    result = _run(case, [fill(arg) for arg in case.argv], tmp_path)
    stdout = (result.stdout or b"").decode(errors="replace")
    stderr = result.stderr.decode(errors="replace")

    assert "Traceback" not in stderr + stdout, stderr
    assert result.returncode == case.exit, f"exit {result.returncode}\n{stderr}\n{stdout[:2000]}"
    if case.says:
        expected = fill(case.says)
        assert any(expected in line for line in (stderr + stdout).splitlines()), stderr + stdout
    written = [path for path, mtime in _regular_files(tmp_path).items() if mtime >= started]
    for text in (stdout, stderr, *(path.read_bytes().decode(errors="replace") for path in written)):
        assert PASSWORD not in text and TOKEN not in text
    for path, kind in case.stays.items():
        assert _kind(Path(fill(path)) if path.startswith(("{", "/")) else tmp_path / path) == kind


def _run(case: Case, argv: list[str], tmp: Path) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "launchtui", *argv]
    if case.disk:
        command = _on_a_small_disk(command, tmp, case.disk)
    stdout = open(case.stdout_to, "wb") if case.stdout_to else subprocess.PIPE  # noqa: SIM115
    try:
        return subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.PIPE,
            timeout=60,
            env={**os.environ, **case.env},
            cwd=tmp,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{case.id}: still running after 60 s (a hang)")
    finally:
        if case.stdout_to:
            stdout.close()


def _on_a_small_disk(command: list[str], tmp: Path, state: str) -> list[str]:
    """`command`, run where {tmp}/disk is a 1 MiB tmpfs holding what the setup put there,
    filled to the last byte or remounted read-only."""
    staged = tmp / "staged"
    disk = tmp / "disk"
    if disk.exists():
        disk.rename(staged)
    else:
        staged.mkdir()
    disk.mkdir()
    make_it = (
        'head -c 2m /dev/zero > "$1/filler" 2>/dev/null || true'
        if state == "full"
        else 'mount -o remount,bind,ro "$1"'  # a user namespace may not remount the tmpfs
    )
    script = (
        f'set -e; mount -t tmpfs -o size=1m launchtui-test "$1"; cp -a "$2/." "$1/"; {make_it}; '
        'shift 2; exec "$@"'
    )
    as_user = [] if os.geteuid() == 0 else ["--map-root-user"]
    unshare = shutil.which("unshare") or "unshare"
    return [
        unshare,
        "--mount",
        *as_user,
        "sh",
        "-c",
        script,
        "sh",
        str(disk),
        str(staged),
        *command,
    ]


def _regular_files(root: Path) -> dict[Path, int]:
    found = {}
    for folder_path, _, names in os.walk(root):
        for name in names:
            path = Path(folder_path, name)
            info = path.lstat()
            if stat.S_ISREG(info.st_mode):
                found[path] = info.st_mtime_ns
    return found


def _kind(path: Path) -> str:
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return "missing"
    for test, kind in (
        (stat.S_ISCHR, "character device"),
        (stat.S_ISFIFO, "fifo"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISLNK, "symlink"),
        (stat.S_ISREG, "regular file"),
        (stat.S_ISDIR, "folder"),
    ):
        if test(mode):
            return kind
    return "other"
