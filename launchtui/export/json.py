"""The JSON contract users' scripts rely on: keep these keys stable, only add new ones."""

from __future__ import annotations

import json
from collections import Counter

from .. import __version__
from . import Report


def render_json(report: Report) -> str:
    document = {
        "tool": {"name": "launchtui", "version": __version__},
        "target": report.target,
        "started": report.started.isoformat(),
        "finished": report.finished.isoformat(),
        "counts": dict(Counter(f.status.value for f in report.findings)),
        "findings": [finding.to_dict() for finding in report.findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"
