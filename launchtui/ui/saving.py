"""Saving the engagement from any screen: at once, and never losing work on failure."""

from __future__ import annotations

from textual.screen import Screen

from ..engagement import Engagement, EngagementError


def save_engagement(screen: Screen, engagement: Engagement) -> bool:
    """Save; on failure the person is told why and nothing in memory is lost."""
    try:
        engagement.save()
    except OSError as exc:
        screen.notify(
            f"Could not save {engagement.path}: {exc.strerror or exc}. Your changes are kept "
            "in the app; fix the folder and they will be saved.",
            severity="error",
            timeout=15,
        )
        return False
    except EngagementError as exc:
        screen.notify(f"Could not save: {exc}", severity="error", timeout=15)
        return False
    return True
