"""Screens of the launchtui app."""
