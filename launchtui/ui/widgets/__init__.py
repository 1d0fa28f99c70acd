"""Widgets of the launchtui app."""
