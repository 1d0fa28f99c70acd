"""A Markdown report from a Jinja2 template, for pasting into the founder's docs."""

from __future__ import annotations

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..findings import Tier, ranked_risks
from ..resources import templates_dir
from . import Report


def render_markdown(report: Report) -> str:
    environment = Environment(
        loader=FileSystemLoader(templates_dir()),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = environment.get_template("report.md.j2")
    return template.render(report=report, risks=ranked_risks(report.findings), Tier=Tier)
