"""What every full screen of launchtui shares: the app, typed.

Textual types `self.app` as `App[Any]`, so `self.app.clock()` would go unchecked. Textual's
own typed accessor (`getters.app`) is declared here once, and every screen that reads
the app's clock or operator, or opens an engagement, derives from `LaunchScreen`.
"""

from __future__ import annotations

from textual import getters
from textual.screen import Screen

from ..app import LaunchApp


class LaunchScreen(Screen[None]):
    app = getters.app(LaunchApp)
