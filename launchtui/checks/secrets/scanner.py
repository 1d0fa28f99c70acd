"""Content matching: bytes in, `Hit`s out. No files, no git, no findings here.

Speed comes from doing as little as possible per byte. The text is lowercased once (one
C-level pass), then each distinct rule keyword is looked for with `bytes.__contains__`
(CPython's fast substring search, well over 1 GB/s); a rule's regexes run only when one of
its keywords is present, and most regexes start with a literal so `re` can skip ahead with
the same fast search. Everything after a regex match (validators, entropy, placeholders)
runs only on matches, which are rare.

Finding which keywords occur is most of the work (every absent keyword costs a full pass).
A single regex over all keywords ran at a third of the speed of separate substring checks:
with no common first byte `re` tries every position. Keywords grouped by their first byte
do better: each group's alternation starts with one literal byte, which `re` skips to
quickly, so one pass answers for the whole group. We search a group again from the first
hit without the keyword just found, so a present keyword costs only the text up to it.
Measured on 29 MiB of site-packages: 0.66 s with one substring check per keyword, 0.39 s
grouped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...findings import Severity
from .redact import fingerprint, redact
from .rules import (
    KNOWN_EXAMPLE_FINGERPRINTS,
    RULES,
    UUID_RE,
    Candidate,
    FileKind,
    Rule,
    is_example_path,
    looks_like_placeholder,
    shannon_entropy,
)

BINARY_SNIFF_BYTES = 8192
CONTEXT_BYTES = 400

LOCK_FILE_NAMES = frozenset(
    {
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "poetry.lock",
        "pipfile.lock",
        "cargo.lock",
        "gemfile.lock",
        "composer.lock",
        "go.sum",
        "uv.lock",
        "pdm.lock",
        "bun.lock",
        "deno.lock",
        "flake.lock",
        "mix.lock",
        "pubspec.lock",
        "podfile.lock",
        "packages.lock.json",
        "gradle.lockfile",
        "conda-lock.yml",
    }
)
# `.env.example` and friends are meant to be committed: they hold placeholders.
ENV_TEMPLATE_WORDS = frozenset(
    {"example", "examples", "sample", "samples", "template", "tmpl", "tpl", "dist", "defaults"}
)
BARE_VALUE_SUFFIXES = (
    ".yml",
    ".yaml",
    ".ini",
    ".cfg",
    ".conf",
    ".properties",
    ".toml",
    ".sh",
    ".bash",
    ".zsh",
    ".tfvars",
    ".envrc",
    ".npmrc",  # //registry.npmjs.org/:_authToken=…
    ".yarnrc",
    ".pypirc",
)

_IDENTIFIER_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_.-")
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def is_binary(content: bytes) -> bool:
    """Git's own test: a NUL byte near the start means binary."""
    return b"\0" in content[:BINARY_SNIFF_BYTES]


def as_scannable_text(content: bytes) -> bytes | None:
    """UTF-8 bytes to scan, or None for binary content.

    UTF-16 with a byte-order mark (what Windows PowerShell's `>` writes) is full of
    NUL bytes but is text: it is re-encoded, so its keys are found on the same lines.
    """
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return None
    return None if is_binary(content) else content


def base_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1].lower()


def is_env_file_name(name: str) -> bool:
    """`.env`, `.env.production`, `app.env` (lowercase base name)."""
    return name == ".env" or name.startswith(".env.") or (name.endswith(".env") and name != ".env")


def is_env_template_name(name: str) -> bool:
    return any(part in ENV_TEMPLATE_WORDS for part in name.split("."))


def file_kind(path: str) -> FileKind:
    name = base_name(path)
    is_lock = name in LOCK_FILE_NAMES or name.endswith(".lock")
    is_env = is_env_file_name(name)
    return FileKind(
        is_lock=is_lock,
        is_env=is_env,
        is_env_template=is_env and is_env_template_name(name),
        is_example=is_example_path(path),
        bare_values=is_env
        or name.endswith(BARE_VALUE_SUFFIXES)
        or name.startswith(("dockerfile", "containerfile", "procfile")),
    )


@dataclass(frozen=True, slots=True)
class Hit:
    """One secret found in one piece of content. Holds the value: never put it in a Finding."""

    rule: Rule
    value: str
    start: int
    end: int
    line: int
    name: str
    severity: Severity
    note: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.value)

    @property
    def redacted(self) -> str:
        return redact(self.value, self.rule.keep)

    @property
    def severity_in_public(self) -> Severity | None:
        """How bad this match is where anyone can read it (a website's bundle, a public
        health page); None when the key is meant to be public there."""
        if self.rule.in_browser is None:
            return None
        if self.severity.rank < self.rule.severity.rank:
            return self.severity  # a validator judged it less risky (expired, encrypted)
        return max(self.rule.in_browser, self.severity, key=lambda severity: severity.rank)

    def __repr__(self) -> str:  # a stray print or log line must not leak the value
        return f"Hit({self.rule.id}, line {self.line}, {self.redacted})"


class _KeywordGroup:
    """Keywords that start with the same byte, looked for together (see the module's
    docstring for why)."""

    def __init__(self, rules_by_keyword: dict[bytes, tuple[int, ...]]) -> None:
        self.rules_by_keyword = rules_by_keyword
        self.keywords = frozenset(rules_by_keyword)
        # One alternation per set of keywords still unseen, made when first needed; building
        # one twice in two threads is harmless.
        self._alternations: dict[frozenset[bytes], re.Pattern[bytes]] = {}

    def collect(self, lowered: bytes, triggered: set[int]) -> None:
        """Add the rules of every keyword of this group that occurs in `lowered`."""
        unseen = self.keywords
        position = 0
        while unseen:
            match = self._alternation(unseen).search(lowered, position)
            if match is None:
                return
            keyword = match.group()
            triggered.update(self.rules_by_keyword[keyword])
            unseen = unseen - {keyword}
            # Nothing unseen occurs before this match (the search would have stopped there);
            # another keyword may start at the same byte.
            position = match.start()

    def _alternation(self, keywords: frozenset[bytes]) -> re.Pattern[bytes]:
        alternation = self._alternations.get(keywords)
        if alternation is None:
            # Longest first, so "key-" is found where "key" also starts.
            words = sorted(keywords, key=lambda word: (-len(word), word))
            alternation = re.compile(b"|".join(re.escape(word) for word in words))
            self._alternations[keywords] = alternation
        return alternation


@dataclass(frozen=True, slots=True)
class _CompiledPattern:
    regex: re.Pattern[bytes]
    near: tuple[bytes, ...]
    near_window: int
    requires: tuple[bytes, ...]
    has_secret_group: bool
    has_bare_group: bool
    has_name_group: bool


class Scanner:
    """Compiled rules, reusable across files and threads (it keeps no per-scan state)."""

    def __init__(self, rules: tuple[Rule, ...] = RULES) -> None:
        self.rules = rules
        by_keyword: dict[bytes, list[int]] = {}
        for index, rule in enumerate(rules):
            for keyword in rule.keywords:
                by_keyword.setdefault(keyword.lower().encode(), []).append(index)
        by_first_byte: dict[bytes, dict[bytes, tuple[int, ...]]] = {}
        for word, ids in by_keyword.items():
            by_first_byte.setdefault(word[:1], {})[word] = tuple(ids)
        self._keyword_groups = tuple(_KeywordGroup(group) for group in by_first_byte.values())
        # Rules recognised by the file's path (Rails' config/master.key), not by a keyword.
        self._path_rules = tuple(
            (re.compile(rule.path_pattern), index)
            for index, rule in enumerate(rules)
            if rule.path_pattern
        )
        compiled_once: dict[str, re.Pattern[bytes]] = {}  # one object per distinct regex
        self._patterns = tuple(
            tuple(
                _CompiledPattern(
                    regex=(
                        compiled := compiled_once.setdefault(
                            pattern.regex, re.compile(pattern.regex.encode())
                        )
                    ),
                    near=tuple(word.encode() for word in pattern.near),
                    near_window=pattern.near_window,
                    requires=tuple(word.encode() for word in pattern.requires),
                    has_secret_group="secret" in compiled.groupindex,
                    has_bare_group="bare" in compiled.groupindex,
                    has_name_group="name" in compiled.groupindex,
                )
                for pattern in rule.patterns
            )
            for rule in rules
        )

    def triggered_rules(self, lowered: bytes) -> list[int]:
        """Indexes of rules one of whose keywords occurs in the (lowercased) text."""
        triggered: set[int] = set()
        for group in self._keyword_groups:
            group.collect(lowered, triggered)
        return sorted(triggered)

    def path_rules(self, path: str) -> list[int]:
        """Indexes of rules that the file's path alone triggers."""
        if not self._path_rules or not path:
            return []
        normalised = path.replace("\\", "/").lower()
        return [index for regex, index in self._path_rules if regex.search(normalised)]

    def scan(self, content: bytes, path: str = "", kind: FileKind | None = None) -> list[Hit]:
        """Every secret in `content`, overlapping matches resolved, in file order."""
        if not content:
            return []
        lowered = content.lower()
        rule_ids = self.triggered_rules(lowered)
        by_path = self.path_rules(path)
        if by_path:
            rule_ids = sorted({*rule_ids, *by_path})
        if not rule_ids:
            return []
        if kind is None:
            kind = file_kind(path)
        hits: list[Hit] = []
        # Rules that share a regex (Stripe's and Clerk's keys, a JWT and Supabase's, database
        # and web URLs with a password) run it once per text and judge the same matches.
        matches: dict[tuple[int, bool], list[re.Match[bytes]]] = {}
        for rule_id in rule_ids:
            rule = self.rules[rule_id]
            text = lowered if rule.lowered else content
            for pattern in self._patterns[rule_id]:
                if pattern.requires and not any(word in lowered for word in pattern.requires):
                    continue
                key = (id(pattern.regex), rule.lowered)
                found = matches.get(key)
                if found is None:
                    found = matches[key] = list(pattern.regex.finditer(text))
                for match in found:
                    hit = self._judge(rule, pattern, match, content, lowered, path, kind)
                    if hit is not None:
                        hits.append(hit)
        return _resolve_overlaps(hits)

    def _judge(
        self,
        rule: Rule,
        pattern: _CompiledPattern,
        match: re.Match[bytes],
        content: bytes,
        lowered: bytes,
        path: str,
        kind: FileKind,
    ) -> Hit | None:
        group: int | str = 0
        if pattern.has_secret_group and match.start("secret") >= 0:
            group = "secret"
        elif pattern.has_bare_group and match.start("bare") >= 0:
            group = "bare"
        start, end = match.span(group)
        match_start = match.start()
        if rule.boundary and match_start > 0 and content[match_start - 1] in _WORD_BYTES:
            return None  # the middle of a longer word: base64 data, a hash, an identifier
        if pattern.near:
            window = lowered[max(0, match_start - pattern.near_window) : end + pattern.near_window]
            if not any(word in window for word in pattern.near):
                return None
        value = content[start:end].decode("utf-8", "surrogateescape")
        if rule.placeholder_check and not rule.generic and looks_like_placeholder(value):
            return None
        if not rule.allow_uuid and UUID_RE.fullmatch(value):
            return None
        if rule.entropy_min and shannon_entropy(value) < rule.entropy_min:
            return None
        if fingerprint(value) in KNOWN_EXAMPLE_FINGERPRINTS:
            return None
        name = ""
        if pattern.has_name_group:
            name_start = match.start("name")
            while name_start > 0 and lowered[name_start - 1] in _IDENTIFIER_BYTES:
                name_start -= 1
            name = content[name_start : match.end("name")].decode("utf-8", "replace")
        line_start = content.rfind(b"\n", 0, start) + 1
        line_end = content.find(b"\n", end)
        line_length = (len(content) if line_end < 0 else line_end) - line_start
        severity, note = rule.severity, ""
        if rule.validate is not None:
            verdict = rule.validate(
                Candidate(
                    value=value,
                    name=name,
                    path=path,
                    kind=kind,
                    before=lowered[max(0, match_start - CONTEXT_BYTES) : match_start],
                    after=lowered[end : end + CONTEXT_BYTES],
                    line_length=line_length,
                    match=match,
                )
            )
            if verdict is None:
                return None
            severity = verdict.severity or severity
            note = verdict.note
            if verdict.value is not None:
                value = verdict.value
        return Hit(
            rule=rule,
            value=value,
            start=start,
            end=end,
            line=content.count(b"\n", 0, start) + 1,
            name=name,
            severity=severity,
            note=note,
        )


def _resolve_overlaps(hits: list[Hit]) -> list[Hit]:
    """One hit per stretch of text: the most specific rule wins, then the longest match."""
    if len(hits) < 2:
        return hits
    ranked = sorted(hits, key=lambda hit: (-hit.rule.priority, -(hit.end - hit.start), hit.start))
    kept: list[Hit] = []
    for hit in ranked:
        if all(hit.end <= other.start or hit.start >= other.end for other in kept):
            kept.append(hit)
    return sorted(kept, key=lambda hit: (hit.start, hit.rule.id))


DEFAULT_SCANNER = Scanner()
