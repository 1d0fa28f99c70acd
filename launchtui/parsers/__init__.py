"""Pure parsers for the records and headers the checks read: no network, no I/O."""
