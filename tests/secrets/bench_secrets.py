"""Throughput benchmark for the secret scanner (not collected by pytest).

    .venv/bin/python -m tests.secrets.bench_secrets --mib 300 --dir /tmp/secrets-bench

Generates synthetic source code (Python, TypeScript, YAML, JSON, .env-style config) with
the words that trigger rule keywords (token, key, secret, password, ://) used the way
real code uses them, plus a few planted keys; commits it to a git repository over several
commits, then reports MiB/s for the bare scanner, the working-tree check and the history
check. Wall-clock numbers on a shared machine are noisy: CPU seconds are printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import time
from pathlib import Path

from launchtui.checks.secrets import HISTORY_CHECK, TREE_CHECK, Scanner, scan_check

from .planted import commit_all, init_repo, plants

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
        fn, field = _camel(rng), _camel(rng)
        out += [
            f"export async function {fn}(id: string): Promise<{field.capitalize()}> {{",
            f"  const res = await fetch(`/api/{rng.choice(WORDS)}/${{id}}`, {{",
            "    headers: { Authorization: `Bearer ${session.token}` },",
            "  });",
            f"  const {field} = await res.json();",
            f'  const apiKey = process.env.{_name(rng).upper()}_KEY ?? "";',
            f"  return {{ ...{field}, secretName: '{_name(rng)}', updatedAt: Date.now() }};",
            "}",
            "",
        ]
    return "\n".join(out) + "\n"


def yaml_file(rng: random.Random, lines: int) -> str:
    out = ["version: 2", "services:"]
    while len(out) < lines:
        svc = _name(rng, 1)
        out += [
            f"  {svc}-{rng.randint(1, 999)}:",
            f"    image: registry.example.com/{svc}:{rng.randint(1, 40)}.{rng.randint(0, 9)}",
            "    environment:",
            f"      {svc.upper()}_TOKEN: ${{{svc.upper()}_TOKEN}}",
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


GENERATORS = (python_file, typescript_file, yaml_file, json_file)
SUFFIXES = (".py", ".ts", ".yml", ".json")


def generate(root: Path, mib: int, commits: int, seed: int = 5) -> int:
    """Write about `mib` MiB of unique files over `commits` commits; return bytes written."""
    rng = random.Random(seed)
    init_repo(root)
    target = mib * 1024 * 1024
    per_commit = target // commits
    written = 0
    index = 0
    for commit in range(commits):
        batch = 0
        while batch < per_commit:
            kind = index % len(GENERATORS)
            text = GENERATORS[kind](rng, rng.randint(300, 1500))
            path = root / f"src/pkg{index % 97}/module_{index}{SUFFIXES[kind]}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            batch += len(text)
            index += 1
        if commit == 0:
            for plant in plants():
                planted = root / "planted" / plant.filename
                planted.parent.mkdir(parents=True, exist_ok=True)
                planted.write_text(plant.text)
        commit_all(root, f"batch {commit}")
        written += batch
    return written


def measure_scanner(root: Path) -> tuple[float, float]:
    files = [
        path.read_bytes() for path in root.rglob("*") if path.is_file() and ".git" not in path.parts
    ]
    scanner = Scanner()
    total = sum(map(len, files)) / (1024 * 1024)
    wall, cpu = time.perf_counter(), time.process_time()
    for content in files:
        scanner.scan(content)
    return total / (time.perf_counter() - wall), total / (time.process_time() - cpu)


async def measure_check(check: str, root: Path) -> tuple[float, int, int]:
    wall = time.perf_counter()
    report = await scan_check(check, root)
    seconds = time.perf_counter() - wall
    mib = report.stats.bytes_scanned / (1024 * 1024)
    failing = sum(1 for finding in report.findings if finding.status.value == "fail")
    return mib / seconds, report.stats.bytes_scanned, failing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=300)
    parser.add_argument("--commits", type=int, default=10)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/launchtui-secrets-bench"))
    parser.add_argument("--keep", action="store_true", help="reuse an existing corpus")
    args = parser.parse_args()
    root: Path = args.dir
    if not (args.keep and (root / ".git").exists()):
        shutil.rmtree(root, ignore_errors=True)
        started = time.perf_counter()
        written = generate(root, args.mib, args.commits)
        print(f"generated {written / 2**20:.0f} MiB in {time.perf_counter() - started:.0f} s")
    wall, cpu = measure_scanner(root)
    print(f"scanner only: {wall:.1f} MiB/s wall, {cpu:.1f} MiB per CPU second")
    for check in (TREE_CHECK, HISTORY_CHECK):
        rate, scanned, failing = asyncio.run(measure_check(check, root))
        print(f"{check}: {rate:.1f} MiB/s over {scanned / 2**20:.0f} MiB, {failing} findings")


if __name__ == "__main__":
    main()
