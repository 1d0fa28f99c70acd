"""Scanning on every core, for big repositories.

Pure-Python matching holds the GIL, so threads would not help; worker processes do. The
caller keeps reading files and git blobs in its own thread and hands batches of content
to the pool, which returns plain tuples (the Rule objects are looked up again by id).

The pool starts only once a scan has read `threshold` bytes, so small projects never pay
for starting processes, and it uses the "spawn" start method: the caller is usually a
worker thread of a Textual app, and forking a threaded process is unsafe. If the pool
cannot start or dies, scanning carries on in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from ...findings import Severity
from .rules import RULES_BY_ID
from .scanner import DEFAULT_SCANNER, Hit, Scanner
from .sources import Cancelled

Key = TypeVar("Key")

BATCH_BYTES = 4 * 1024 * 1024
BATCH_ITEMS = 512
DEFAULT_THRESHOLD = 24 * 1024 * 1024
MAX_AUTO_WORKERS = 4

HitTuple = tuple[str, str, int, int, int, str, str, str]


def auto_workers() -> int:
    try:
        available = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        available = os.cpu_count() or 1
    return max(1, min(available, MAX_AUTO_WORKERS))


def _to_tuple(hit: Hit) -> HitTuple:
    return (
        hit.rule.id,
        hit.value,
        hit.start,
        hit.end,
        hit.line,
        hit.name,
        hit.severity.value,
        hit.note,
    )


def _from_tuple(data: HitTuple) -> Hit:
    rule_id, value, start, end, line, name, severity, note = data
    return Hit(RULES_BY_ID[rule_id], value, start, end, line, name, Severity(severity), note)


def scan_batch(batch: list[tuple[str, bytes]]) -> list[list[HitTuple]]:
    """Worker side: scan each (path, content) with the default rules."""
    return [
        [_to_tuple(hit) for hit in DEFAULT_SCANNER.scan(content, path)] for path, content in batch
    ]


def scan_stream(
    items: Iterable[tuple[Key, str, bytes]],
    *,
    scanner: Scanner = DEFAULT_SCANNER,
    workers: int = 0,
    threshold: int = DEFAULT_THRESHOLD,
    cancel: threading.Event | None = None,
    notes: list[str] | None = None,
) -> Iterator[tuple[Key, list[Hit]]]:
    """(key, hits) for every (key, path, content), in input order.

    Runs in this process until `threshold` bytes have gone by, then in a process pool when
    `workers` (0: one per core, at most four) is more than one. Custom scanners always run
    here: only the default rules exist in the workers.
    """
    workers = workers or auto_workers()
    iterator = iter(items)
    seen = 0
    parallel = workers > 1 and scanner is DEFAULT_SCANNER
    for key, path, content in iterator:
        if cancel is not None and cancel.is_set():
            raise Cancelled
        yield key, scanner.scan(content, path)
        seen += len(content)
        if parallel and seen >= threshold:
            break
    else:
        return
    try:
        yield from _pooled(iterator, workers, cancel)
    except _PoolFailed as failure:
        if notes is not None:
            notes.append(f"Scanning on several cores stopped ({failure}); finished on one.")
        for key, path, content in failure.remaining:
            if cancel is not None and cancel.is_set():
                raise Cancelled from None
            yield key, scanner.scan(content, path)


class _PoolFailed(Exception):
    # An exception cannot be generic: the keys are whatever `scan_stream` was given.
    def __init__(self, reason: str, remaining: Iterator[tuple[Any, str, bytes]]) -> None:
        super().__init__(reason)
        self.remaining = remaining


def _pooled(
    iterator: Iterator[tuple[Key, str, bytes]],
    workers: int,
    cancel: threading.Event | None,
) -> Iterator[tuple[Key, list[Hit]]]:
    in_flight: deque[tuple[list[tuple[Key, str, bytes]], Future[list[list[HitTuple]]]]] = deque()
    try:
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )
    except (OSError, ValueError) as error:
        raise _PoolFailed(str(error), iterator) from error
    batch: list[tuple[Key, str, bytes]] = []
    batch_bytes = 0

    def submit() -> None:
        nonlocal batch, batch_bytes
        work = [(path, content) for _, path, content in batch]
        in_flight.append((batch, pool.submit(scan_batch, work)))
        batch, batch_bytes = [], 0

    def collect() -> Iterator[tuple[Key, list[Hit]]]:
        items, future = in_flight[0]
        results = future.result()  # if the pool broke, the batch stays queued for a retry
        in_flight.popleft()
        for (key, _, _), hit_tuples in zip(items, results, strict=True):
            yield key, [_from_tuple(data) for data in hit_tuples]

    try:
        for item in iterator:
            if cancel is not None and cancel.is_set():
                raise Cancelled
            batch.append(item)
            batch_bytes += len(item[2])
            if batch_bytes >= BATCH_BYTES or len(batch) >= BATCH_ITEMS:
                submit()
                while len(in_flight) > 2 * workers:
                    yield from collect()
        if batch:
            submit()
        while in_flight:
            if cancel is not None and cancel.is_set():
                raise Cancelled
            yield from collect()
    except (BrokenProcessPool, OSError) as error:
        unfinished = [item for items, _ in in_flight for item in items] + batch
        in_flight.clear()
        raise _PoolFailed(
            str(error) or type(error).__name__, _chain(unfinished, iterator)
        ) from error
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _chain(
    first: list[tuple[Key, str, bytes]], rest: Iterator[tuple[Key, str, bytes]]
) -> Iterator[tuple[Key, str, bytes]]:
    yield from first
    yield from rest
