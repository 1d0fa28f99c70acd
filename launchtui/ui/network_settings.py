"""Why a run cannot start, said the way the app lets you fix it.

The CLI blames a flag or a file key (`--ca-bundle`, `domain.ca_bundle`); in the app the
same settings live in Setup › Network, so the message names that place and what to do
there. Checked before the run starts, so the answer comes at once.
"""

from __future__ import annotations

from ..engagement import Engagement


def network_problem(engagement: Engagement) -> str | None:
    """A sentence naming the Setup setting that stops every check, or None."""
    from ..cabundle import ca_bundle_problem
    from ..resolver import parse_nameserver

    for number, text in enumerate(engagement.nameservers, start=1):
        try:
            parse_nameserver(text)
        except ValueError:
            return (
                f"DNS server {number} in Setup › Network is not an IP address or IP:PORT. "
                "Press e, fix it on the Network tab (or clear it to use this computer's "
                "resolver), then run again."
            )
    bundle = engagement.ca_bundle
    if bundle is not None:
        problem = ca_bundle_problem(bundle)
        if problem is not None:
            return (
                f"The extra CA certificates file in Setup › Network cannot be used: {bundle}: "
                f"{problem}. Press e and, on the Network tab, point it at a PEM file or clear "
                "it, then run again."
            )
    return None
