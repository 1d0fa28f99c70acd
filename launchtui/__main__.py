"""`python -m launchtui` is the same as the `launchtui` command."""

from .cli import main

main()
