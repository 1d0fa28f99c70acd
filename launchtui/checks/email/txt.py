"""TXT records as mail receivers read them: each record's strings joined into one text."""

from __future__ import annotations

from ...parsers.spf import join_txt_strings
from ...resolver import Answer, Resolver


async def txt_texts(resolver: Resolver, name: str) -> tuple[Answer, list[str]]:
    """The name's TXT records, each one's strings joined with no separator (RFC 7208 §3.3)."""
    answer = await resolver.lookup(name, "TXT")
    return answer, [join_txt_strings(record.strings) for record in answer.records]
