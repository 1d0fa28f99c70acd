"""The handover documents: the one-page checklist, what changed, and monitors as config."""
