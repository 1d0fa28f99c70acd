"""The Textual app: it only calls the core and shows its results."""
