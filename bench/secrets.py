"""Benchmark: is launchtui's secret scan faster and more accurate than the established scanners?

In one run, on the same inputs:

1. A seeded git repository with a long history (a few hundred commits, tens of MiB of
   unique file versions) of generated source code, with one planted key per rule that
   stays to HEAD, a second set that is added and later deleted (history only: the file
   removed, or the lines edited out), and decoys that are not secrets (placeholders such
   as `your_key_here`, `sk_test_xxxxxxxx`, AWS's documented example key, lock files with
   integrity hashes, UUIDs, data URIs).
2. Scanned by launchtui (`scan_repository(path, history=True)`, in this process) and by
   the peers installable here, each in its own folder under the cache: trufflehog3
   (PyPI; current files and every commit of the checked-out branch by default),
   detect-secrets (PyPI; git-tracked files only: scanning a checkout of every commit is
   far too slow, so it is compared on the tree) and secretlint (npm; the files it is
   given, so the tree). Tree mode is compared for every tool, history for the two that
   read history.
3. Then a large real codebase nobody here wrote, the site-packages of our own
   dependencies (text files only, copied into a one-commit git repository), scanned by
   every tool: every finding there is counted as a false positive.

    .venv/bin/python bench/secrets.py [--mib 40] [--commits 300] [--skip-peers ...]

Prints wall and CPU time, MiB/s, recall on the planted set, false positives on the
decoys and elsewhere, and launchtui's speed against each peer. Targets: 100 % recall,
no false positive on the decoys, throughput at least twice the fastest peer's (the
published figure for gitleaks, not installable here, is about 10 MiB/s on history).
Exit code 0 when every target is met, 1 otherwise. A peer that cannot be installed is
printed as "unavailable: <reason>"; launchtui's figures print regardless.

Nothing here contains a real key: planted values come from `tests/secrets/planted.py`
(built from parts at run time) and the documented examples are split in two below.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is called `secrets`, like the standard library module that multiprocessing,
# among others, imports: with the script's folder first on sys.path that import would load
# this file instead. Put the repository root there instead (for `tests.secrets.planted`).
_BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _BENCH_DIR]
sys.path.insert(0, str(_BENCH_DIR.parent))

import argparse
import asyncio
import base64
import hashlib
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sysconfig
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

from launchtui.checks.secrets import (
    ENV_FILE_CHECK,
    RULES,
    Scanner,
    fingerprint,
    scan_repository,
)
from launchtui.findings import Status
from tests.secrets.planted import Fakes, Plant, commit_all, git, init_repo, plants

MIB = 1024 * 1024
CACHE_ENV = "LAUNCHTUI_BENCH_CACHE"
MANIFEST_NAME = "launchtui-bench-manifest.json"  # kept inside .git, so no tool scans it
CORPUS_VERSION = 4  # bump when the corpus changes, so a cached one is rebuilt
GITLEAKS_PUBLISHED_MIB_S = 10.0
SECRETLINT_CONFIG = json.dumps({"rules": [{"id": "@secretlint/secretlint-rule-preset-recommend"}]})


def cache_dir() -> Path:
    """`$LAUNCHTUI_BENCH_CACHE`, else ~/.cache/launchtui-bench (peers, corpus, snapshot)."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "launchtui-bench"


# -- generated source code (noise with the words rule keywords look for) --------------------

WORDS = (
    *("user", "account", "order", "invoice", "payment", "session", "cache", "request"),
    *("response", "config", "client", "server", "token", "key", "secret", "password"),
    *("auth", "route", "handler", "query", "filter", "page", "item", "product", "cart"),
    *("price", "email", "message", "queue", "worker", "job", "retry", "timeout", "limit"),
    *("count", "index", "value", "name", "path", "file"),
)


def _name(rng: random.Random, parts: int = 2) -> str:
    return "_".join(rng.choice(WORDS) for _ in range(parts))


def _camel(rng: random.Random) -> str:
    first, second = rng.choice(WORDS), rng.choice(WORDS)
    return first + second.capitalize()


def python_file(rng: random.Random, lines: int) -> str:
    out = ['"""Generated module."""', "import os", "from typing import Any", ""]
    while len(out) < lines:
        fn, var, arg = _name(rng), _name(rng), _name(rng, 1)
        out += [
            f"def {fn}({arg}: str, timeout: int = {rng.randint(1, 90)}) -> dict[str, Any]:",
            f'    """Return the {rng.choice(WORDS)} for {arg}."""',
            '    token = request.headers.get("Authorization", "")',
            f'    cache_key = f"{rng.choice(WORDS)}:{{{arg}}}"',
            f'    {var} = client.get(f"https://api.example.com/{rng.choice(WORDS)}/{{{arg}}}")',
            f'    password = os.environ["{_name(rng).upper()}_PASSWORD"]',
            f"    if {var}.status_code != {rng.choice((200, 201, 404))}:",
            f"        raise ValueError('bad {rng.choice(WORDS)}: %s' % {var}.text)",
            f"    return {{'{rng.choice(WORDS)}': {var}.json(), 'key': cache_key}}",
            "",
        ]
    return "\n".join(out) + "\n"


def typescript_file(rng: random.Random, lines: int) -> str:
    out = ['import { z } from "zod";', ""]
    while len(out) < lines:
        fn, field_name = _camel(rng), _camel(rng)
        out += [
            f"export async function {fn}(id: string): Promise<{field_name.capitalize()}> {{",
            f"  const res = await fetch(`/api/{rng.choice(WORDS)}/${{id}}`, {{",
            "    headers: { Authorization: `Bearer ${session.token}` },",
            "  });",
            f"  const {field_name} = await res.json();",
            f'  const apiKey = process.env.{_name(rng).upper()}_KEY ?? "";',
            f"  return {{ ...{field_name}, secretName: '{_name(rng)}', updatedAt: Date.now() }};",
            "}",
            "",
        ]
    return "\n".join(out) + "\n"


def yaml_file(rng: random.Random, lines: int) -> str:
    out = ["version: 2", "services:"]
    while len(out) < lines:
        service = _name(rng, 1)
        out += [
            f"  {service}-{rng.randint(1, 999)}:",
            f"    image: registry.example.com/{service}:{rng.randint(1, 40)}.{rng.randint(0, 9)}",
            "    environment:",
            f"      {service.upper()}_TOKEN: ${{{service.upper()}_TOKEN}}",
            "      DATABASE_URL: postgres://app:${DB_PASSWORD}@db:5432/app",
            f"      CACHE_TTL: {rng.randint(10, 3600)}",
        ]
    return "\n".join(out) + "\n"


def json_file(rng: random.Random, lines: int) -> str:
    out = ["{"]
    while len(out) < lines:
        out.append(
            f'  "{_camel(rng)}{rng.randint(0, 99999)}": {{"key": "{_name(rng)}", '
            f'"tokenType": "bearer", "count": {rng.randint(0, 500)}}},'
        )
    out.append('  "end": true\n}')
    return "\n".join(out) + "\n"


GENERATORS: tuple[tuple[Callable[[random.Random, int], str], str], ...] = (
    (python_file, ".py"),
    (typescript_file, ".ts"),
    (yaml_file, ".yml"),
    (json_file, ".json"),
)
# A planted line goes in the middle of generated code of its own language, so a tool has
# to find it among lookalikes and report the right line.
EMBEDDERS: dict[str, Callable[[random.Random, int], str]] = {
    ".py": python_file,
    ".ts": typescript_file,
    ".js": typescript_file,
    ".yml": yaml_file,
}


# -- decoys: values that look like keys and are not --------------------------------------------


def _b64(fake: Fakes, count: int) -> str:
    return base64.b64encode(bytes(fake.rng.getrandbits(8) for _ in range(count))).decode()


def decoy_files(fake: Fakes, generation: int = 0) -> dict[str, tuple[str, str]]:
    """path -> (kind, text). Documented examples are split so this file stays clean."""
    aws_id = "AK" + "IA" + "IOSFODNN7" + "EXAMPLE"
    aws_secret = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCY" + "EXAMPLEKEY"
    live = "sk" + "_live_"
    test = "sk" + "_test_"
    env_example = "\n".join(
        [
            "# Copy to .env and fill in.",
            f"STRIPE_SECRET_KEY={live}your_key_here",
            f"STRIPE_TEST_KEY={test}xxxxxxxx",
            "OPENAI_API_KEY=your_key_here",
            "ANTHROPIC_API_KEY=<your-anthropic-api-key>",
            f"AWS_ACCESS_KEY_ID={aws_id}",
            f"AWS_SECRET_ACCESS_KEY={aws_secret}",
            "DATABASE_URL=postgres" + "://user:password@localhost:5432/app",
            "SESSION_SECRET=changeme",
            "SENDGRID_API_KEY=SG" + "." + "x" * 22 + "." + "x" * 43,
            "GITHUB_TOKEN=${GITHUB_TOKEN}",
            "",
        ]
    )
    docs = "\n".join(
        [
            "# Deploying",
            "",
            "Put your keys in the environment, never in the code. For example:",
            "",
            "```sh",
            f"export STRIPE_SECRET_KEY={test}xxxxxxxxxxxxxxxxxxxxxxxx",
            "export OPENAI_API_KEY=your_key_here",
            f"curl https://api.stripe.com/v1/charges -u {test}xxxxxxxx:",
            "```",
            "",
            "AWS credentials go in `~/.aws/credentials`, as in AWS's own documentation:",
            "",
            "```ini",
            "[default]",
            f"aws_access_key_id = {aws_id}",
            f"aws_secret_access_key = {aws_secret}",
            "```",
            "",
        ]
    )
    config = "\n".join(
        [
            '"""Defaults for local development; production reads the environment."""',
            "import os",
            "",
            f'STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "{test}xxxxxxxxxxxxxxxx")',
            'OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY", "your_key_here")',
            f'AWS_ACCESS_KEY_ID = os.environ.get("AWS_ACCESS_KEY_ID", "{aws_id}")',
            'JWT_SECRET = os.environ.get("JWT_SECRET", "<your-jwt-secret>")',
            'API_TOKEN = "replace_me"',
            'DB_PASSWORD = "changeme"',
            "",
        ]
    )
    packages = [f"{_name(fake.rng, 1)}-{_name(fake.rng, 1)}-{index}" for index in range(160)]
    package_lock = json.dumps(
        {
            "name": "web",
            "lockfileVersion": 3,
            "packages": {
                f"node_modules/{name}": {
                    "version": f"{fake.rng.randint(0, 9)}.{fake.rng.randint(0, 40)}.{generation}",
                    "resolved": f"https://registry.npmjs.org/{name}/-/{name}-1.0.{generation}.tgz",
                    "integrity": f"sha512-{_b64(fake, 64)}",
                }
                for name in packages
            },
        },
        indent=2,
    )
    yarn_lock = "".join(
        f'"{name}@^1.0.0":\n  version "1.0.{generation}"\n'
        f'  resolved "https://registry.yarnpkg.com/{name}/-/{name}-1.0.{generation}.tgz#{fake.hex(40)}"\n'
        f"  integrity sha512-{_b64(fake, 64)}\n\n"
        for name in packages[:80]
    )
    poetry_lock = "".join(
        f'[[package]]\nname = "{name}"\nversion = "1.0.{generation}"\nfiles = [\n'
        f'    {{file = "{name}-1.0.tar.gz", hash = "sha256:{fake.hex(64)}"}},\n]\n\n'
        for name in packages[:80]
    )
    go_sum = "".join(
        f"github.com/acme/{name} v1.0.{generation} h1:{_b64(fake, 32)}\n"
        f"github.com/acme/{name} v1.0.{generation}/go.mod h1:{_b64(fake, 32)}\n"
        for name in packages[:60]
    )
    cargo_lock = "".join(
        f'[[package]]\nname = "{name}"\nversion = "1.0.{generation}"\n'
        f'source = "registry+https://github.com/rust-lang/crates.io-index"\n'
        f'checksum = "{fake.hex(64)}"\n\n'
        for name in packages[:60]
    )
    records = [
        {
            "id": fake.uuid(),
            "tenant_id": fake.uuid(),
            "idempotency_key": fake.uuid(),
            "request_id": fake.uuid(),
            "name": _name(fake.rng),
        }
        for _ in range(40)
    ]
    ids_py = "\n".join(
        [
            '"""Well-known identifiers (not secrets)."""',
            f'DEFAULT_TENANT_ID = "{fake.uuid()}"',
            f'IDEMPOTENCY_KEY = "{fake.uuid()}"',
            f'TRACE_NAMESPACE = "{fake.uuid()}"',
            f'client_id = "{fake.uuid()}"',
            "",
        ]
    )
    icon = _b64(fake, 1500)
    css = (
        f".logo {{ background-image: url(data:image/png;base64,{icon}); }}\n"
        f".spinner {{ background: url('data:image/svg+xml;base64,{_b64(fake, 600)}'); }}\n"
    )
    icons_ts = (
        f'export const iconKey = "data:image/png;base64,{_b64(fake, 900)}";\n'
        f'export const fontSecret = "data:font/woff2;base64,{_b64(fake, 1200)}";\n'
    )
    return {
        ".env.example": ("placeholder", env_example),
        "docs/deploying.md": ("placeholder", docs),
        "app/config_defaults.py": ("placeholder", config),
        "web/package-lock.json": ("lock file", package_lock + "\n"),
        "web/yarn.lock": ("lock file", yarn_lock),
        "api/poetry.lock": ("lock file", poetry_lock),
        "svc/go.sum": ("lock file", go_sum),
        "edge/Cargo.lock": ("lock file", cargo_lock),
        "app/fixtures.json": ("uuid", json.dumps(records, indent=2) + "\n"),
        "app/ids.py": ("uuid", ids_py),
        "web/icons.css": ("data uri", css),
        "web/icons.ts": ("data uri", icons_ts),
    }


# -- the corpus ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlantedKey:
    """One planted key: where it is (lines, 1-based, inclusive) and when it came and went."""

    rule: str
    path: str
    first_line: int
    last_line: int
    secret: str
    added: int  # commit index
    removed: int | None  # None: still there at HEAD

    @property
    def history_only(self) -> bool:
        return self.removed is not None


@dataclass
class Corpus:
    root: Path
    commits: int
    seed: int
    target_mib: int
    planted: list[PlantedKey]
    decoys: dict[str, str]  # path -> kind
    history_bytes: int = 0
    history_blobs: int = 0
    tree_bytes: int = 0
    tree_files: int = 0

    def manifest(self) -> dict[str, object]:
        data = asdict(self)
        data["root"] = str(self.root)
        data["version"] = CORPUS_VERSION
        return data

    @classmethod
    def from_manifest(cls, data: dict[str, object]) -> Corpus:
        fields = {key: value for key, value in data.items() if key != "version"}
        fields["root"] = Path(str(fields["root"]))
        fields["planted"] = [PlantedKey(**item) for item in fields["planted"]]  # type: ignore[union-attr]
        return cls(**fields)  # type: ignore[arg-type]


def _embed(rng: random.Random, text: str, path: str) -> tuple[str, int]:
    """The file's text with `text` in the middle of generated code; the first planted line."""
    generator = EMBEDDERS.get(Path(path).suffix)
    if generator is None:
        return text, 1
    before = generator(rng, rng.randint(20, 200))
    after = generator(rng, rng.randint(20, 200))
    return before + text + after, before.count("\n") + 1


def der_shaped(plant: Plant) -> Plant:
    """A planted PEM key whose body starts like DER (`MII…`), as every real RSA key does.

    planted.py's bodies are random base64; secretlint's private-key rule checks for the
    ASN.1 SEQUENCE a real key starts with and skips anything else, which would count as a
    miss that no real leak would cause.
    """
    marker = plant.secret.find("KEY-----")
    if plant.rule not in ("private-key", "gcp-service-account"):
        return plant
    start = 0
    if marker >= 0:
        start = marker + len("KEY-----")
        start += 2 if plant.secret.startswith("\\n", start) else 1
    secret = plant.secret[:start] + "MIIE" + plant.secret[start + 4 :]
    return replace(plant, text=plant.text.replace(plant.secret, secret), secret=secret)


def build_corpus(root: Path, mib: int, commits: int, seed: int) -> Corpus:
    """A git repository with `commits` commits and about `mib` MiB of unique file versions."""
    rng = random.Random(seed)
    shutil.rmtree(root, ignore_errors=True)
    init_repo(root)
    # Spread the commits over a year, so "added in commit X on DATE" reads like a real repo.
    start = 1_700_000_000

    def date(index: int) -> str:
        return f"@{start + index * 86_400 * 365 // max(commits, 1)} +0000"

    target = mib * MIB
    # The first commit is a project that already exists; after it, most changes edit files
    # (each edit is a whole new blob), so history grows about three times the tree.
    base_share = target // 10
    per_commit = (target - base_share) // max(commits - 1, 1)
    filler: list[str] = []
    counter = 0
    written = 0

    def new_file() -> int:
        nonlocal counter
        generator, suffix = GENERATORS[counter % len(GENERATORS)]
        text = generator(rng, rng.randint(100, 800))
        relative = f"src/pkg{counter % 53}/module_{counter}{suffix}"
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        filler.append(relative)
        counter += 1
        return len(text)

    def edit_file() -> int:
        relative = rng.choice(filler)
        path = root / relative
        lines = path.read_text().splitlines(keepends=True)
        generator = dict((suffix, gen) for gen, suffix in GENERATORS)[Path(relative).suffix]
        start_line = rng.randint(1, max(len(lines) - 1, 1))
        end_line = min(len(lines), start_line + rng.randint(5, 60))
        fresh = generator(rng, rng.randint(5, 60)).splitlines(keepends=True)
        if relative.endswith(".json"):  # keep it valid JSON: entries inside the object only
            fresh = fresh[1:-2]
            end_line = max(start_line, min(end_line, len(lines) - 2))
        else:
            fresh = fresh[2:]
        text = "".join(lines[:start_line] + fresh + lines[end_line:])
        path.write_text(text)
        return len(text)

    # The planted keys: one per rule staying to HEAD, and a second set (another seed, under
    # legacy/) added and then deleted, half by removing the file, half by editing it.
    kept_plants = [der_shaped(plant) for plant in plants(seed)]
    gone_plants = [der_shaped(plant) for plant in plants(seed + 1)]
    planted: list[PlantedKey] = []
    schedule: dict[int, list[Callable[[], None]]] = {}

    def plant_at(
        index: int, relative: str, rule: str, text: str, secret: str, removed: int | None
    ) -> None:
        content, first = _embed(rng, text, relative)
        planted.append(
            PlantedKey(rule, relative, first, first + text.count("\n") - 1, secret, index, removed)
        )

        def add() -> None:
            target_path = root / relative
            target_path.parent.mkdir(parents=True, exist_ok=True)
            target_path.write_text(content)

        schedule.setdefault(index, []).append(add)
        if removed is None:
            return

        def remove() -> None:
            if content == text:  # a file of its own: delete it
                (root / relative).unlink()
            else:  # in the middle of code: edit the lines out
                moved = content.replace(text, "# credentials moved to the secret manager\n")
                (root / relative).write_text(moved)

        schedule.setdefault(removed, []).append(remove)

    first_plant, last_plant = 2, max(commits - 2, 3)
    for position, plant in enumerate(kept_plants):
        index = first_plant + position * (last_plant - first_plant) // len(kept_plants)
        plant_at(index, plant.filename, plant.rule, plant.text, plant.secret, None)
    for position, plant in enumerate(gone_plants):
        index = max(1, commits // 10) + position * max(commits * 4 // 10, 1) // len(gone_plants)
        removed = min(index + rng.randint(3, max(commits // 4, 4)), commits - 1)
        if removed <= index:
            raise SystemExit(f"--commits {commits} is too few to delete planted keys later")
        plant_at(index, f"legacy/{plant.filename}", plant.rule, plant.text, plant.secret, removed)

    decoy_fake = Fakes(seed + 2)
    decoys = {path: kind for path, (kind, _) in decoy_files(Fakes(seed + 2)).items()}
    # Lock files change as dependencies move: three generations in history.
    lock_updates = {1: 0, commits // 3: 1, 2 * commits // 3: 2}

    for index in range(commits):
        if index == 0:
            while written < base_share:
                written += new_file()
        else:
            batch = 0
            while batch < per_commit:
                batch += new_file() if rng.random() < 0.2 else edit_file()
            written += batch
        if index in lock_updates:
            for relative, (kind, text) in decoy_files(decoy_fake, lock_updates[index]).items():
                if index == 1 or kind == "lock file":
                    (root / relative).parent.mkdir(parents=True, exist_ok=True)
                    (root / relative).write_text(text)
        for action in schedule.get(index, []):
            action()
        commit_all(root, f"change {index}", date=date(index))
    corpus = Corpus(root, commits, seed, mib, planted, decoys)
    measure_corpus(corpus)
    (root / ".git" / MANIFEST_NAME).write_text(json.dumps(corpus.manifest(), indent=1))
    return corpus


def measure_corpus(corpus: Corpus) -> None:
    """Bytes every tool is judged by: unique blobs reachable from any ref, and HEAD's files."""
    corpus.history_blobs, corpus.history_bytes = history_size(corpus.root)
    corpus.tree_files, corpus.tree_bytes = tree_size(corpus.root)


def history_size(repo: Path) -> tuple[int, int]:
    objects = subprocess.run(
        ["git", "-C", str(repo), "rev-list", "--objects", "--all"],
        capture_output=True,
        check=True,
    ).stdout
    ids = b"\n".join(line.split(b" ", 1)[0] for line in objects.splitlines())
    sizes = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch-check=%(objecttype) %(objectsize)"],
        input=ids + b"\n",
        capture_output=True,
        check=True,
    ).stdout
    blobs = [
        int(size) for kind, size in (line.split() for line in sizes.splitlines()) if kind == b"blob"
    ]
    return len(blobs), sum(blobs)


def tracked_files(repo: Path) -> list[str]:
    listing = git(repo, "ls-files", "-z")
    return [name for name in listing.split("\0") if name]


def tree_size(repo: Path) -> tuple[int, int]:
    files = tracked_files(repo)
    return len(files), sum((repo / name).stat().st_size for name in files)


def load_or_build_corpus(root: Path, mib: int, commits: int, seed: int, rebuild: bool) -> Corpus:
    manifest = root / ".git" / MANIFEST_NAME
    if not rebuild and manifest.exists():
        data = json.loads(manifest.read_text())
        wanted = {"version": CORPUS_VERSION, "commits": commits, "seed": seed, "target_mib": mib}
        if all(data.get(key) == value for key, value in wanted.items()):
            print(f"corpus: reusing {root} (--rebuild to make it again)", file=sys.stderr)
            return Corpus.from_manifest(data)
    started = time.perf_counter()
    print(f"corpus: building {commits} commits, about {mib} MiB, in {root} ...", file=sys.stderr)
    corpus = build_corpus(root, mib, commits, seed)
    print(f"corpus: built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return corpus


def _text_files(source: Path, top: str) -> list[tuple[Path, bytes]]:
    """The text files under one top-level entry of `source`: no bytecode, no binaries."""
    origin = source / top
    paths = [origin] if origin.is_file() else sorted(origin.rglob("*"))
    files = []
    for path in paths:
        name = path.name
        compiled = name.endswith((".pyc", ".pyo", ".so")) or ".so." in name
        if compiled or "__pycache__" in path.parts or path.is_symlink() or not path.is_file():
            continue
        content = path.read_bytes()
        if b"\0" not in content[:8192]:  # binary: no text scanner reads it
            files.append((path.relative_to(source), content))
    return files


def real_codebase(root: Path, source: Path, limit_mib: int, seed: int, rebuild: bool) -> int:
    """Copy text files of `source` (launchtui's own left out) into a one-commit git repository.

    With a limit, whole top-level entries (a package, its dist-info) are taken in a seeded
    random order until the limit is reached, so the slowest peers finish in minutes.
    Returns how many top-level entries were copied.
    """
    stamp = root / ".git" / MANIFEST_NAME
    wanted = {"source": str(source), "limit_mib": limit_mib, "seed": seed}
    if not rebuild and stamp.exists():
        recorded = json.loads(stamp.read_text())
        if {key: recorded.get(key) for key in wanted} == wanted:
            return int(recorded["entries"])
    shutil.rmtree(root, ignore_errors=True)
    init_repo(root)
    entries = sorted(name.name for name in source.iterdir() if "launchtui" not in name.name)
    entries = [name for name in entries if name != "__pycache__"]
    if limit_mib:
        random.Random(seed).shuffle(entries)
    copied, total = 0, 0
    for top in entries:
        if limit_mib and total >= limit_mib * MIB:
            break
        for relative, content in _text_files(source, top):
            destination = root / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(content)
            total += len(content)
        copied += 1
    # An ignore file inside a package would hide files from some tools and not others.
    for ignore in root.rglob(".gitignore"):
        ignore.unlink()
    commit_all(root, "site-packages snapshot")
    stamp.write_text(json.dumps({**wanted, "entries": copied}))
    return copied


# -- what a tool reported, and how it is judged --------------------------------------------


@dataclass(frozen=True)
class Reported:
    """One finding of one tool, normalised. `value` never leaves this process."""

    path: str
    line: int | None  # None when the tool's line is not a line of the file (a diff's)
    rule: str
    value: str | None = None  # the matched text, when the tool says it
    value_sha1: str | None = None  # detect-secrets' hashed_secret
    value_fingerprint: str | None = None  # launchtui's fingerprint
    shown: str = ""  # safe to print (launchtui's redaction)

    def identity(self) -> tuple[object, ...]:
        """Same key at the same place, however many commits or passes reported it."""
        marker = self.value_fingerprint or self.value_sha1 or _short_hash(self.value)
        return (self.path, marker or self.line)


def _short_hash(value: str | None) -> str | None:
    return hashlib.sha256(value.encode()).hexdigest()[:16] if value else None


def finds(report: Reported, plant: PlantedKey) -> bool:
    """Does this finding point at this planted key? By place, or by value.

    Place: the planted file and a line within the planted text; for a tool that reports
    lines of a diff rather than of the file (trufflehog3 in history), the planted file
    alone when the key is the whole file (a PEM key, a service-account JSON). Value: the
    tool's matched text overlaps the key (equal, contains it, or is a piece of at least 16
    characters of it, as a line of a PEM body is; a diff's leading +/- is dropped);
    detect-secrets' SHA-1 or launchtui's fingerprint of the value.
    """
    if report.path == plant.path:
        if report.line is None:
            if Path(plant.path).suffix not in EMBEDDERS:
                return True
        elif plant.first_line <= report.line <= plant.last_line:
            return True
    if report.value:
        value = report.value.strip().strip("\"'")
        for candidate in {value, value.lstrip("+-")}:
            if plant.secret in candidate or (len(candidate) >= 16 and candidate in plant.secret):
                return True
    if report.value_sha1 and report.value_sha1 == hashlib.sha1(plant.secret.encode()).hexdigest():
        return True
    return bool(report.value_fingerprint and report.value_fingerprint == fingerprint(plant.secret))


@dataclass
class Score:
    found_tree: list[PlantedKey] = field(default_factory=list)
    missed_tree: list[PlantedKey] = field(default_factory=list)
    found_history: list[PlantedKey] = field(default_factory=list)
    missed_history: list[PlantedKey] = field(default_factory=list)
    decoy_fp: dict[tuple[object, ...], Reported] = field(default_factory=dict)
    other_fp: dict[tuple[object, ...], Reported] = field(default_factory=dict)


def score(reports: list[Reported], corpus: Corpus, *, history: bool) -> Score:
    result = Score()
    matched: set[int] = set()
    for plant in corpus.planted:
        if plant.history_only and not history:
            continue
        hits = [index for index, report in enumerate(reports) if finds(report, plant)]
        matched.update(hits)
        found = bool(hits)
        if plant.history_only:
            (result.found_history if found else result.missed_history).append(plant)
        else:
            (result.found_tree if found else result.missed_tree).append(plant)
    for index, report in enumerate(reports):
        if index in matched:
            continue
        bucket = result.decoy_fp if report.path in corpus.decoys else result.other_fp
        bucket.setdefault(report.identity(), report)
    return result


# -- running the tools ---------------------------------------------------------------------


@dataclass
class Run:
    tool: str
    mode: str  # "history" | "tree" | "real"
    scanned_bytes: int
    wall: float = 0.0
    cpu: float = 0.0
    reports: list[Reported] = field(default_factory=list)
    problem: str = ""  # "unavailable: ..." or "timed out ..." or "failed: ..."
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def mib_per_s(self) -> float:
        return self.scanned_bytes / MIB / self.wall if self.wall else 0.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_launchtui(repo: Path, mode: str, scanned_bytes: int) -> Run:
    """`scan_repository` in this process (worker processes past 24 MiB, as the CLI does)."""
    run = Run("launchtui", mode, scanned_bytes)
    cpu, children = time.process_time(), _children_cpu()
    started = time.perf_counter()
    report = asyncio.run(scan_repository(repo, history=mode == "history"))
    run.wall = time.perf_counter() - started
    run.cpu = time.process_time() - cpu + _children_cpu() - children
    errors = [finding for finding in report.findings if finding.status is Status.ERROR]
    if errors:
        run.problem = "failed: " + errors[0].summary
    env_files = 0
    for finding in report.findings:
        if finding.status is not Status.FAIL:
            continue
        if finding.check == ENV_FILE_CHECK:
            env_files += 1  # about a committed .env file, not about a value: not scored
            continue
        evidence = finding.evidence
        run.reports.append(
            Reported(
                path=str(evidence.get("path", "")),
                line=int(evidence["line"]) if "line" in evidence else None,
                rule=str(evidence.get("rule", finding.check)),
                value_fingerprint=str(evidence.get("fingerprint", "")) or None,
                shown=str(evidence.get("redacted", "")),
            )
        )
    scanned = report.stats.bytes_scanned / MIB
    run.note = f"read {scanned:.1f} MiB itself; {env_files} committed-.env findings not scored"
    return run


def run_scanner_core(repo: Path, scanned_bytes: int) -> Run:
    """The bare `Scanner.scan` over HEAD's files in one process: no git, no findings."""
    contents = [((repo / name).read_bytes(), name) for name in tracked_files(repo)]
    scanner = Scanner()
    run = Run("launchtui core, 1 process", "tree", scanned_bytes)
    cpu = time.process_time()
    started = time.perf_counter()
    hits = [(name, scanner.scan(content, name)) for content, name in contents]
    run.wall = time.perf_counter() - started
    run.cpu = time.process_time() - cpu
    run.reports = [
        Reported(name, hit.line, hit.rule.id, value_fingerprint=hit.fingerprint, shown=hit.redacted)
        for name, found in hits
        for hit in found
    ]
    run.note = "Scanner.scan only: files already in memory, no git, one process"
    return run


def run_command(
    command: list[str], cwd: Path, timeout: float, stdout: Path | None = None
) -> tuple[float, float, str]:
    """Run a peer (its own process group, killed whole on timeout); wall, CPU, problem."""
    children = _children_cpu()
    started = time.perf_counter()
    with open(stdout or os.devnull, "wb") as output:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            stdout=output,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return (
                time.perf_counter() - started,
                _children_cpu() - children,
                (f"timed out after {timeout:.0f} s (--peer-timeout)"),
            )
    wall = time.perf_counter() - started
    cpu = _children_cpu() - children
    # trufflehog3 -z, detect-secrets: 0; secretlint: 1 when it found something.
    if process.returncode not in (0, 1):
        last = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        return wall, cpu, f"failed: exit {process.returncode}: {last[0][:160]}"
    return wall, cpu, ""


@dataclass
class Peer:
    """An established scanner, installed on demand in its own folder under the cache."""

    name: str
    install: Callable[[Path], str]  # folder -> "" or why it could not be installed
    executable: Callable[[Path], Path]
    version_args: list[str]
    modes: tuple[str, ...]
    folder: Path = Path()
    version: str = ""
    problem: str = ""

    def ready(self, cache: Path) -> bool:
        self.folder = cache / "peers" / self.name
        if not self.executable(self.folder).exists():
            print(f"peers: installing {self.name} into {self.folder} ...", file=sys.stderr)
            self.problem = self.install(self.folder)
            if not self.problem and not self.executable(self.folder).exists():
                self.problem = (
                    f"unavailable: installed, but {self.executable(self.folder)} is missing"
                )
        if not self.problem:
            completed = subprocess.run(
                [str(self.executable(self.folder)), *self.version_args],
                capture_output=True,
                text=True,
                timeout=120,
            )
            output = (completed.stdout or completed.stderr).strip().splitlines()
            self.version = output[-1].strip() if output else "?"
        return not self.problem


def _pip_install(package: str, timeout: float = 600) -> Callable[[Path], str]:
    def install(folder: Path) -> str:
        shutil.rmtree(folder, ignore_errors=True)
        folder.parent.mkdir(parents=True, exist_ok=True)
        steps = [
            [sys.executable, "-m", "venv", str(folder)],
            [str(folder / "bin" / "python"), "-m", "pip", "install", "-q", package],
        ]
        for step in steps:
            try:
                completed = subprocess.run(step, capture_output=True, text=True, timeout=timeout)
            except (OSError, subprocess.TimeoutExpired) as error:
                return f"unavailable: {' '.join(step[-3:])}: {error}"
            if completed.returncode != 0:
                lines = [line for line in completed.stderr.splitlines() if "WARNING" not in line]
                return f"unavailable: pip install {package} failed: {(lines or ['?'])[-1][:160]}"
        return ""

    return install


def _npm_install(*packages: str, timeout: float = 600) -> Callable[[Path], str]:
    def install(folder: Path) -> str:
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            return "unavailable: node and npm are not installed"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "package.json").write_text('{"name": "launchtui-bench-peer", "private": true}\n')
        command = [npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund", *packages]
        try:
            completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"unavailable: npm install: {error}"
        if completed.returncode != 0:
            lines = [line for line in completed.stderr.splitlines() if "warn" not in line]
            return f"unavailable: npm install failed: {(lines or ['?'])[-1][:160]}"
        return ""

    return install


PEERS = {
    "trufflehog3": Peer(
        "trufflehog3",
        _pip_install("trufflehog3"),
        lambda folder: folder / "bin" / "trufflehog3",
        ["--version"],
        ("history", "tree", "real"),
    ),
    "detect-secrets": Peer(
        "detect-secrets",
        _pip_install("detect-secrets"),
        lambda folder: folder / "bin" / "detect-secrets",
        ["--version"],
        ("tree", "real"),
    ),
    "secretlint": Peer(
        "secretlint",
        _npm_install("secretlint", "@secretlint/secretlint-rule-preset-recommend"),
        lambda folder: folder / "node_modules" / ".bin" / "secretlint",
        ["--version"],
        ("tree", "real"),
    ),
}


def _relative(path: str, repo: Path) -> str:
    if os.path.isabs(path):
        path = os.path.relpath(path, repo)
    return path.removeprefix("./")


def run_trufflehog3(
    peer: Peer, repo: Path, mode: str, scanned: int, out: Path, timeout: float
) -> Run:
    """Default rules (patterns and entropy), 2 processes; history is its default."""
    run = Run("trufflehog3", mode, scanned)
    command = [str(peer.executable(peer.folder)), "-z", "-f", "JSON", "-o", str(out)]
    if mode != "history":
        command.append("--no-history")
    run.wall, run.cpu, run.problem = run_command([*command, "."], repo, timeout)
    if run.ok:
        for item in json.loads(out.read_text() or "[]"):
            in_history = item.get("commit") is not None
            run.reports.append(
                Reported(
                    path=_relative(str(item["path"]), repo),
                    # In history it reports the line within the commit's diff, not the file.
                    line=None if in_history else int(item["line"]),
                    rule=str(item["rule"]["id"]),
                    value=str(item.get("secret") or "") or None,
                )
            )
        run.note = "current files and every commit of the branch" if mode == "history" else ""
    return run


def run_detect_secrets(
    peer: Peer, repo: Path, mode: str, scanned: int, out: Path, timeout: float
) -> Run:
    """`detect-secrets scan` with every default plugin and filter: git-tracked files."""
    run = Run("detect-secrets", mode, scanned)
    command = [str(peer.executable(peer.folder)), "scan"]
    run.wall, run.cpu, run.problem = run_command(command, repo, timeout, stdout=out)
    if run.ok:
        baseline = json.loads(out.read_text())
        for filename, items in baseline.get("results", {}).items():
            for item in items:
                run.reports.append(
                    Reported(
                        path=_relative(filename, repo),
                        line=int(item["line_number"]),
                        rule=str(item["type"]),
                        value_sha1=str(item["hashed_secret"]),
                    )
                )
    return run


def run_secretlint(
    peer: Peer, repo: Path, mode: str, scanned: int, out: Path, timeout: float
) -> Run:
    """The recommended preset over git-tracked files (named, not globbed), JSON output."""
    run = Run("secretlint", mode, scanned)
    files = tracked_files(repo)
    command = [
        str(peer.executable(peer.folder)),
        "--format",
        "json",
        "--output",
        str(out),
        "--no-glob",
        "--secretlintrcJSON",
        SECRETLINT_CONFIG,
        *files,
    ]
    run.wall, run.cpu, run.problem = run_command(command, repo, timeout)
    if run.ok:
        for result in json.loads(out.read_text() or "[]"):
            source = result.get("sourceContent") or ""
            for message in result.get("messages", []):
                start, end = (message.get("range") or [0, 0])[:2]
                run.reports.append(
                    Reported(
                        path=_relative(str(result["filePath"]), repo),
                        line=int(message["loc"]["start"]["line"]),
                        rule=str(message.get("ruleId", "")).removeprefix("@secretlint/"),
                        value=source[start:end] or None,
                    )
                )
        run.note = "JSON output carries every file's text, so it writes about as much as it reads"
    return run


RUNNERS = {
    "trufflehog3": run_trufflehog3,
    "detect-secrets": run_detect_secrets,
    "secretlint": run_secretlint,
}


# -- output -------------------------------------------------------------------------------------


def _percent(found: int, total: int) -> str:
    return f"{found}/{total} {100 * found / total:3.0f}%" if total else "n/a"


def print_table(title: str, runs: list[Run], corpus: Corpus | None, baseline: Run | None) -> None:
    print(f"\n{title}")
    header = f"  {'tool':<27}{'wall s':>8}{'CPU s':>8}{'MiB/s':>8}"
    if corpus is not None:
        header += f"{'recall tree':>14}{'recall hist':>14}{'decoy FP':>10}{'other FP':>10}"
    else:
        header += f"{'findings':>10}{'files':>7}"
    header += "   launchtui vs it"
    print(header)
    for run in runs:
        if not run.ok and run.wall == 0.0:
            print(f"  {run.tool:<27}{run.problem}")
            continue
        line = f"  {run.tool:<27}{run.wall:8.1f}{run.cpu:8.1f}{run.mib_per_s:8.2f}"
        if not run.ok:
            print(f"{line}   {run.problem}")
            continue
        if corpus is not None:
            result = score(run.reports, corpus, history=run.mode == "history")
            tree_total = len(result.found_tree) + len(result.missed_tree)
            history_total = len(result.found_history) + len(result.missed_history)
            line += f"{_percent(len(result.found_tree), tree_total):>14}"
            line += f"{_percent(len(result.found_history), history_total):>14}"
            line += f"{len(result.decoy_fp):>10}{len(result.other_fp):>10}"
        else:
            unique = {report.identity() for report in run.reports}
            files = {report.path for report in run.reports}
            line += f"{len(unique):>10}{len(files):>7}"
        if baseline is not None and not run.tool.startswith("launchtui") and baseline.wall:
            line += f"   {run.wall / baseline.wall:6.1f}x faster"
        print(line)


def print_details(runs: list[Run], corpus: Corpus) -> None:
    print("\nWhat each tool missed, and what it wrongly reported (planted corpus)")
    for run in runs:
        if not run.ok:
            continue
        result = score(run.reports, corpus, history=run.mode == "history")
        label = f"  {run.tool} ({run.mode})"
        missed = result.missed_tree + result.missed_history
        # Our own rule ids should match what was planted: a key found only by a neighbour
        # rule (a generic guess) gets the wrong advice in its finding.
        relabelled = Counter(
            f"{plant.rule} -> {report.rule}"
            for plant in result.found_tree + result.found_history
            for report in run.reports
            if run.tool.startswith("launchtui")
            and finds(report, plant)
            and report.rule != plant.rule
        )
        if not (missed or relabelled or result.decoy_fp or result.other_fp):
            print(f"{label}: nothing missed, nothing wrong")
            continue
        print(f"{label}:")
        if missed:
            names = ", ".join(
                f"{plant.rule}{' (history only)' if plant.history_only else ''} {plant.path}"
                for plant in missed
            )
            print(f"    missed {len(missed)}: {names}")
        if relabelled:
            pairs = ", ".join(f"{pair} ({count})" for pair, count in relabelled.items())
            print(f"    found under another rule id: {pairs}")
        if result.decoy_fp:
            kinds = Counter(corpus.decoys[report.path] for report in result.decoy_fp.values())
            rules = Counter(report.rule for report in result.decoy_fp.values())
            print(
                f"    decoys reported {len(result.decoy_fp)}: by kind "
                + ", ".join(f"{kind} {count}" for kind, count in kinds.most_common())
                + "; by rule "
                + ", ".join(f"{rule} {count}" for rule, count in rules.most_common(6))
            )
            if run.tool == "launchtui":
                for report in list(result.decoy_fp.values())[:10]:
                    print(f"      {report.rule} {report.path}:{report.line} {report.shown}")
        if result.other_fp:
            rules = Counter(report.rule for report in result.other_fp.values())
            print(
                f"    elsewhere {len(result.other_fp)}: "
                + ", ".join(f"{rule} {count}" for rule, count in rules.most_common(6))
            )
            if run.tool == "launchtui":
                for report in list(result.other_fp.values())[:10]:
                    print(f"      {report.rule} {report.path}:{report.line} {report.shown}")


def print_real_details(runs: list[Run], limit: int) -> None:
    print("\nReal codebase: what each tool reported (all counted as false positives)")
    for run in runs:
        if not run.ok:
            continue
        unique = {report.identity(): report for report in run.reports}
        rules = Counter(report.rule for report in unique.values())
        summary = ", ".join(f"{rule} {count}" for rule, count in rules.most_common(6)) or "none"
        print(f"  {run.tool}: {summary}")
        if run.tool.startswith("launchtui"):
            for report in list(unique.values())[:limit]:
                print(f"      {report.rule} {report.path}:{report.line} {report.shown}")
            if len(unique) > limit:
                print(f"      ... and {len(unique) - limit} more")


def headline(history: list[Run], tree: list[Run], corpus: Corpus) -> bool:
    """Print the targets and whether each is met; True when all are."""
    print("\nHeadline")
    ours = {run.mode: run for run in (*history, *tree) if run.tool == "launchtui"}
    peers = [
        run
        for run in (*history, *tree)
        if run.tool != "launchtui" and run.ok and not run.tool.startswith("launchtui")
    ]
    met = True
    fastest = max(peers, key=lambda run: run.mib_per_s, default=None)
    ours_history = ours.get("history")
    ours_tree = ours.get("tree")
    if fastest is None:
        print("  no peer could be measured: no speed comparison (see 'unavailable' above)")
        met = False
    else:
        speed = f"{fastest.mib_per_s:.2f} MiB/s"
        print(f"  fastest peer measured: {fastest.tool} ({fastest.mode}), {speed}")
        for run in (ours_history, ours_tree):
            if run is None or not run.ok:
                continue
            ratio = run.mib_per_s / fastest.mib_per_s if fastest.mib_per_s else float("inf")
            verdict = "met" if ratio >= 2 else "NOT MET"
            met &= ratio >= 2
            print(
                f"  launchtui {run.mode:<7} {run.mib_per_s:7.2f} MiB/s = {ratio:5.1f}x the "
                f"fastest peer (target >= 2x): {verdict}"
            )
    if ours_history is not None and ours_history.ok:
        ratio = ours_history.mib_per_s / GITLEAKS_PUBLISHED_MIB_S
        print(
            f"  launchtui history = {ratio:.1f}x gitleaks' published "
            f"~{GITLEAKS_PUBLISHED_MIB_S:.0f} MiB/s on history (another machine; for scale only)"
        )
    for run in (ours_history, ours_tree):
        if run is None or not run.ok:
            met = False
            continue
        result = score(run.reports, corpus, history=run.mode == "history")
        found = len(result.found_tree) + len(result.found_history)
        total = found + len(result.missed_tree) + len(result.missed_history)
        recall_ok = found == total
        decoys_ok = not result.decoy_fp
        met &= recall_ok and decoys_ok
        print(
            f"  launchtui {run.mode:<7} recall {found}/{total} (target 100 %): "
            f"{'met' if recall_ok else 'NOT MET'}; decoy false positives {len(result.decoy_fp)} "
            f"(target 0): {'met' if decoys_ok else 'NOT MET'}"
        )
    return met


# -- main ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=40, help="unique history MiB (default 40)")
    parser.add_argument("--commits", type=int, default=300, help="commits (default 300)")
    parser.add_argument("--seed", type=int, default=1729)
    parser.add_argument("--repo", type=Path, help="scan this repository instead (no scoring)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild cached corpus/snapshot")
    parser.add_argument(
        "--skip-peers",
        nargs="*",
        default=[],
        choices=sorted(PEERS),
        metavar="PEER",
        help=f"leave out peers ({', '.join(PEERS)})",
    )
    parser.add_argument("--no-real", action="store_true", help="skip the site-packages scan")
    parser.add_argument(
        "--real-mib",
        type=int,
        default=10,
        help="MiB of the real codebase the peers scan (default 10; 0: all of it)",
    )
    parser.add_argument(
        "--real-source",
        type=Path,
        default=Path(sysconfig.get_paths()["purelib"]),
        help="the real codebase (default: this venv's site-packages)",
    )
    parser.add_argument("--peer-timeout", type=float, default=300.0, help="seconds per peer run")
    parser.add_argument(
        "--list", type=int, default=25, help="launchtui real-codebase findings shown"
    )
    args = parser.parse_args()

    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    peers = [peer for name, peer in PEERS.items() if name not in args.skip_peers]
    for peer in peers:
        peer.ready(cache)

    if args.repo is not None:
        root = args.repo.resolve()
        corpus = Corpus(root, 0, 0, 0, [], {})
        measure_corpus(corpus)
        scored: Corpus | None = None
    else:
        corpus = load_or_build_corpus(
            cache / "corpus", args.mib, args.commits, args.seed, args.rebuild
        )
        scored = corpus
    load = os.getloadavg()[0]
    print(f"launchtui secret-scan benchmark ({os.cpu_count()} CPUs, load average {load:.1f})")
    kept = [plant for plant in corpus.planted if not plant.history_only]
    print(
        f"  corpus {corpus.root}: {corpus.commits or '?'} commits, "
        f"{corpus.history_blobs:,} unique blobs = {corpus.history_bytes / MIB:.1f} MiB of history; "
        f"HEAD {corpus.tree_files:,} files = {corpus.tree_bytes / MIB:.1f} MiB"
    )
    if scored is not None:
        print(
            f"  planted: {len(kept)} keys kept to HEAD and {len(corpus.planted) - len(kept)} "
            f"deleted later (history only), {len({plant.rule for plant in kept})} rules "
            f"of launchtui's {len(RULES)}; {len(corpus.decoys)} decoy files "
            f"({', '.join(f'{k} {v}' for k, v in Counter(corpus.decoys.values()).items())})"
        )
    for peer in PEERS.values():
        status = peer.problem or f"{peer.version}  ({peer.folder})"
        if peer.name in args.skip_peers:
            status = "skipped (--skip-peers)"
        print(f"  {peer.name:<15} {status}")

    work = Path(tempfile.mkdtemp(prefix="launchtui-bench-secrets-"))
    try:

        def peer_runs(repo: Path, mode: str, scanned: int) -> list[Run]:
            runs = []
            for peer in PEERS.values():
                if mode not in peer.modes or peer.name in args.skip_peers:
                    continue
                if peer.problem:
                    runs.append(Run(peer.name, mode, scanned, problem=peer.problem))
                    continue
                print(f"running {peer.name} ({mode}) ...", file=sys.stderr)
                out = work / f"{peer.name}-{mode}.json"
                runs.append(RUNNERS[peer.name](peer, repo, mode, scanned, out, args.peer_timeout))
            return runs

        print("running launchtui (history) ...", file=sys.stderr)
        history = [run_launchtui(corpus.root, "history", corpus.history_bytes)]
        history += peer_runs(corpus.root, "history", corpus.history_bytes)
        print("running launchtui (tree) ...", file=sys.stderr)
        tree = [run_launchtui(corpus.root, "tree", corpus.tree_bytes)]
        tree.append(run_scanner_core(corpus.root, corpus.tree_bytes))
        tree += peer_runs(corpus.root, "tree", corpus.tree_bytes)

        print_table(
            f"History: every commit ({corpus.history_bytes / MIB:.1f} MiB of unique blobs; "
            "MiB/s = those bytes / wall time)",
            history,
            scored,
            history[0],
        )
        print_table(
            f"Tree: the files at HEAD ({corpus.tree_bytes / MIB:.1f} MiB; history-only keys "
            "not counted)",
            tree,
            scored,
            tree[0],
        )
        for run in (*history, *tree):
            if run.note and run.ok:
                print(f"  note: {run.tool} ({run.mode}): {run.note}")

        if not args.no_real:
            source = args.real_source.resolve()
            print(f"snapshotting {source} ...", file=sys.stderr)
            whole_root = cache / "real-codebase"
            real_codebase(whole_root, source, 0, args.seed, args.rebuild)
            whole_files, whole_size = tree_size(whole_root)
            real_root = cache / f"real-codebase-{args.real_mib}mib"
            if args.real_mib:
                entries = real_codebase(real_root, source, args.real_mib, args.seed, args.rebuild)
            else:
                real_root, entries = whole_root, len(list(source.iterdir()))
            files, size = tree_size(real_root)
            real = [run_launchtui(real_root, "real", size)]
            real += peer_runs(real_root, "real", size)
            if args.real_mib:
                whole = run_launchtui(whole_root, "real", whole_size)
                whole.tool = f"launchtui, all {whole_size / MIB:.0f} MiB"
                real.append(whole)
            subset = (
                f"{entries} of its top-level entries (seeded pick, --real-mib {args.real_mib}), "
                if args.real_mib
                else ""
            )
            print_table(
                f"Real codebase nobody here wrote: {source}, text files only, launchtui's own "
                f"left out: {subset}{files:,} files = {size / MIB:.1f} MiB (all of it: "
                f"{whole_files:,} files = {whole_size / MIB:.1f} MiB), scanned as a tree; every "
                "finding counts as a false positive",
                real,
                None,
                real[0],
            )
            for run in real:
                if run.note and run.ok:
                    print(f"  note: {run.tool} ({run.mode}): {run.note}")
        if scored is not None:
            print_details([*history, *tree], scored)
        if not args.no_real:
            print_real_details(real, args.list)
        if scored is None:
            return 0
        return 0 if headline(history, tree, scored) else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
