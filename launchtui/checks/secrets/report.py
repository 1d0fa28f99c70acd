"""What a secret scan reports besides its findings, and the options it runs with.

A scan's findings go through the engine like every check's; the files it could not read,
its notes and its throughput are kept beside them (per check in a `ScanReport`, per run in
the context's `RepositoryScan`) for `launchtui scan` and the benchmark to print.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...findings import Finding
from .parallel import DEFAULT_THRESHOLD
from .scanner import DEFAULT_SCANNER, Scanner
from .sources import SkippedFile

DEFAULT_SIZE_CAP = 2 * 1024 * 1024
# Minified bundles and their source maps are often several MiB and still worth reading.
DEFAULT_BUNDLE_SIZE_CAP = 16 * 1024 * 1024


@dataclass(slots=True)
class ScanStats:
    files: int = 0  # working-tree and bundle files scanned
    blobs: int = 0  # history blobs scanned (each unique blob once)
    bytes_scanned: int = 0
    seconds: float = 0.0

    @property
    def mib_per_second(self) -> float:
        return self.bytes_scanned / (1024 * 1024) / self.seconds if self.seconds else 0.0

    def add(self, other: ScanStats) -> None:
        self.files += other.files
        self.blobs += other.blobs
        self.bytes_scanned += other.bytes_scanned
        self.seconds += other.seconds


@dataclass(slots=True)
class ScanReport:
    findings: list[Finding] = field(default_factory=list)
    # Files not scanned, with the reason. Binary blobs in history are only counted (in
    # `notes`): a repository's old images would otherwise fill the list.
    skipped: list[SkippedFile] = field(default_factory=list)
    stats: ScanStats = field(default_factory=ScanStats)
    notes: list[str] = field(default_factory=list)  # things worth knowing that are no finding


@dataclass(frozen=True, slots=True)
class ScanOptions:
    size_cap: int = DEFAULT_SIZE_CAP
    bundle_size_cap: int = DEFAULT_BUNDLE_SIZE_CAP
    ignore_file: Path | None = None  # default: .launchtui-ignore at the top of the repository
    scanner: Scanner = DEFAULT_SCANNER
    workers: int = 0  # processes for big scans: 0 = one per core (at most 4), 1 = this one only
    parallel_threshold: int = DEFAULT_THRESHOLD  # bytes read before worker processes start


@dataclass(slots=True)
class RepositoryScan:
    """One run's secret scanning (`context.run_state(RepositoryScan)`): the options every
    secret check of the run reads, and what the checks skipped, noted and measured."""

    options: ScanOptions = field(default_factory=ScanOptions)
    skipped: list[SkippedFile] = field(default_factory=list)
    stats: ScanStats = field(default_factory=ScanStats)
    notes: list[str] = field(default_factory=list)

    def add(self, report: ScanReport) -> None:
        """Keep what one check skipped, noted and measured; its findings are the run's."""
        self.skipped.extend(report.skipped)
        self.stats.add(report.stats)
        self.notes.extend(report.notes)
