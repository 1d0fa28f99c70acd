"""Saving the engagement from any screen: at once, merging others' edits, losing nothing."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

from ..engagement import Engagement, EngagementError, SaveResult


def save_engagement(screen: Screen[Any], engagement: Engagement) -> bool:
    """Save; on failure the person is told why and nothing in memory is lost."""
    try:
        result = engagement.save()
    except EngagementError as exc:
        screen.notify(
            f"Could not save: {exc} Your changes are kept in the app and saved with the next "
            "change once the problem is fixed.",
            severity="error",
            timeout=15,
        )
        return False
    tell_what_came_in(screen, result)
    return True


def tell_what_came_in(screen: Screen[Any], result: SaveResult) -> None:
    """Say plainly what others changed meanwhile, and what of ours could not be kept."""
    if result.incoming:
        shown = [f"{change.what} ({change.who or 'someone'}, {change.via or 'file'})"
                 for change in result.incoming[-4:]]  # fmt: skip
        more = len(result.incoming) - len(shown)
        lines = "\n".join(shown) + (f"\n… and {more} more" if more > 0 else "")
        screen.notify(lines, title="Changed in the file meanwhile", timeout=10)
    elif result.merged and not result.conflicts:
        screen.notify("The file was edited meanwhile; both sets of changes are kept.")
    if result.conflicts:
        screen.notify(
            "Someone changed these in the file at the same time; their version is kept, "
            "yours was not saved: " + "; ".join(result.conflicts),
            title="Not saved",
            severity="warning",
            timeout=20,
        )
