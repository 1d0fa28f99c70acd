"""Strict-Transport-Security (RFC 6797 §6.1): will browsers honour it, and for how long."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from .cache_control import DELTA_SECONDS_CEILING, parse_delta_seconds, split_directives

ONE_YEAR = 31_536_000
# hstspreload.org's submission rules: max-age of at least a year, includeSubDomains, preload.
PRELOAD_MINIMUM_MAX_AGE = ONE_YEAR


@dataclass(frozen=True, slots=True)
class Hsts:
    """One Strict-Transport-Security header value as a browser reads it.

    `valid` is False when browsers ignore the header entirely (RFC 6797 §8.1), so the
    site gets no HSTS protection from it.
    """

    max_age: int | None  # seconds, clamped at 2^31; None when missing or unreadable
    include_subdomains: bool
    preload: bool
    problems: tuple[str, ...]
    valid: bool

    @property
    def preload_ready(self) -> bool:
        """Meets the preload list's header requirements (hstspreload.org)."""
        return self.valid and self.preload and _meets_preload_rules(self)


def parse_hsts(header_value: str) -> Hsts:
    """Parse the first Strict-Transport-Security header (browsers ignore any others, §8.1)."""
    directives, unreadable = split_directives(header_value, ";")
    # RFC 6797 §6.1: a header with a non-conforming directive is ignored entirely.
    errors: list[str] = list(unreadable)
    counts = Counter(directive.name for directive in directives)
    errors.extend(
        f"The header lists {name} more than once; browsers ignore the whole header when a "
        "directive repeats (RFC 6797 §6.1)."
        for name, count in counts.items()
        if count > 1
    )
    by_name = {directive.name: directive for directive in reversed(directives)}
    max_age: int | None = None
    max_age_directive = by_name.get("max-age")
    if max_age_directive is None:
        errors.append("The header has no max-age, which is required, so browsers ignore it.")
    else:
        max_age = parse_delta_seconds(max_age_directive.argument or "")
        if max_age is None:
            errors.append(_unreadable_max_age_problem(max_age_directive.argument))
    hsts = Hsts(
        max_age=max_age,
        include_subdomains="includesubdomains" in by_name,
        preload="preload" in by_name,
        problems=tuple(errors),
        valid=not errors,
    )
    return replace(hsts, problems=(*hsts.problems, *_advice(hsts)))


def _meets_preload_rules(hsts: Hsts) -> bool:
    return hsts.include_subdomains and (hsts.max_age or 0) >= PRELOAD_MINIMUM_MAX_AGE


def _unreadable_max_age_problem(argument: str | None) -> str:
    if argument and "," in argument:
        return (
            "The directives are separated by commas; HSTS needs semicolons "
            "(max-age=31536000; includeSubDomains), so browsers ignore the header."
        )
    return (
        f'max-age="{argument or ""}" is not a whole number of seconds, so browsers ignore '
        "the header."
    )


def _advice(hsts: Hsts) -> list[str]:
    """Notes on a header browsers accept: too short, switched off, or not preloadable."""
    if not hsts.valid or hsts.max_age is None:
        return []
    advice = []
    if hsts.max_age == 0:
        advice.append("max-age=0 tells browsers to forget HSTS for this site.")
    elif hsts.max_age < ONE_YEAR:
        advice.append(
            f"max-age={hsts.max_age} is under a year; one year (31536000) is the usual "
            "recommendation, so returning visitors stay protected."
        )
    if hsts.max_age >= DELTA_SECONDS_CEILING:
        advice.append(
            "max-age is absurdly large (over 68 years); browsers cap it, so it works, but it "
            "may be a typo."
        )
    if hsts.preload and not _meets_preload_rules(hsts):
        advice.append(
            "preload is set, but the preload list also needs includeSubDomains and a max-age "
            "of at least one year."
        )
    return advice
