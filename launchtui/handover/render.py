"""Turning a document's data into Markdown, HTML (Jinja2) and PDF (Typst).

Templates are looked up in the user's `--template-dir` first, then in the shipped
`templates/`, so a consultant can restyle one document without copying the rest. Typst
reads the data as JSON through `sys.inputs`, so no text ever needs escaping for it, and
prints with the bundled DejaVu Sans (Typst's own fonts have no sans-serif); system fonts
stay on in normal runs so a name in a script DejaVu lacks (王芳) still prints.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from .. import resources


class RenderError(Exception):
    """A template could not be rendered; the message names the template and the line."""


def render_template(name: str, data: dict[str, Any], template_dir: Path | None) -> str:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_search_path(template_dir)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2")),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["cell"] = markdown_cell
    try:
        return environment.get_template(name).render(**data)
    except jinja2.TemplateNotFound:
        raise RenderError(f"template {name} not found in {_search_path(template_dir)}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"{exc.filename or name}:{exc.lineno}: {exc.message or exc}") from None
    except jinja2.TemplateError as exc:
        raise RenderError(f"{name}: {exc.message or exc}") from None


def render_pdf(
    name: str,
    data: dict[str, Any],
    *,
    template_dir: Path | None,
    timestamp: dt.datetime,
    system_fonts: bool = True,
) -> bytes:
    """A PDF from a Typst template; the same data and timestamp give the same bytes."""
    import typst

    source = _find(name, template_dir)
    fonts = resources.templates_dir() / "fonts"
    # Typst reads files relative to a root; a user's template may sit anywhere.
    with tempfile.TemporaryDirectory(prefix="launchtui-typst-") as folder:
        copy = Path(folder) / name
        shutil.copyfile(source, copy)
        try:
            return typst.compile(
                str(copy),
                root=folder,
                font_paths=[str(fonts)],
                ignore_system_fonts=not system_fonts,
                sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
                format="pdf",
                timestamp=int(timestamp.timestamp()),
            )
        except RuntimeError as exc:  # typst reports template errors this way
            raise RenderError(f"{source}: {str(exc).strip().splitlines()[0]}") from None


def render_png_pages(name: str, data: dict[str, Any], template_dir: Path | None) -> list[bytes]:
    """Page images of a Typst document, to look at a PDF while working on its template."""
    import typst

    source = _find(name, template_dir)
    with tempfile.TemporaryDirectory(prefix="launchtui-typst-") as folder:
        copy = Path(folder) / name
        shutil.copyfile(source, copy)
        pages = typst.compile(
            str(copy),
            root=folder,
            font_paths=[str(resources.templates_dir() / "fonts")],
            sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
            format="png",
            ppi=80,
        )
    return pages if isinstance(pages, list) else [pages]


def markdown_cell(text: object) -> str:
    """Text that stays inside one cell of a Markdown table."""
    return str(text).replace("|", "\\|").replace("\n", " ").strip() or "-"


def _search_path(template_dir: Path | None) -> list[str]:
    shipped = resources.templates_dir()
    return [str(template_dir), str(shipped)] if template_dir else [str(shipped)]


def _find(name: str, template_dir: Path | None) -> Path:
    for folder in _search_path(template_dir):
        candidate = Path(folder) / name
        if candidate.is_file():
            return candidate
    raise RenderError(f"template {name} not found in {_search_path(template_dir)}")
