"""Start here: a new engagement, a recent one, a file, or the demo."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from ...domains import DomainError, parse_domain
from ...engagement import Engagement, EngagementError, slug
from ...recent import data_dir, recent_engagements
from ...runbook import RunbookError, default_profile_id, load_profiles
from ..actions import bindings
from .base import LaunchScreen

# The new-engagement form's text fields: id -> (label, example), one per line.
TEXT_FIELDS = {
    "product": ("Product name", "Acme"),
    "apex": ("Apex domain", "acme.com"),
    "canonical": ("Canonical host (optional)", "www.acme.com"),
    "repo": ("Repo path (optional)", "~/src/acme"),
    "save-as": ("Save as (optional)", "~/clients/acme.toml"),
}


class WelcomeScreen(LaunchScreen):
    BINDINGS: ClassVar = bindings("welcome")

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="open-problem")
        with Horizontal(id="welcome"):
            with VerticalScroll(id="new-engagement", classes="panel"):
                yield Label("New engagement", classes="panel-title")
                yield from self._text_field("product")
                yield from self._text_field("apex")
                types, default_type = self._type_options()
                yield Label("Product type (sets the performance targets)", classes="field-label")
                yield Select(
                    types, value=default_type, allow_blank=False, compact=True, id="product-type"
                )
                yield Label("Phase", classes="field-label")
                yield Select(
                    [("Launch (public)", "launch"), ("Beta (invited users)", "beta")],
                    value="launch",
                    allow_blank=False,
                    compact=True,
                    id="phase",
                )
                for name in ("canonical", "repo", "save-as"):
                    yield from self._text_field(name)
                yield Button("Create engagement", variant="primary", id="create", compact=True)
            with Vertical(id="open-engagement", classes="panel"):
                yield Label("Recent", classes="panel-title")
                yield OptionList(*self._recent_options(), id="recent")
                yield Label("Open a file", classes="panel-title")
                yield Input(placeholder="path/to/engagement.toml", compact=True, id="open-path")
                yield Label("New here?", classes="panel-title")
                yield Label("The demo checks a local lab full of planted problems.", classes="dim")
                yield Button("Open the demo", id="demo", compact=True)
        yield Footer(compact=True)

    @on(Button.Pressed, "#demo")
    def open_demo(self) -> None:
        self.app.start_demo()

    def _text_field(self, name: str) -> ComposeResult:
        label, example = TEXT_FIELDS[name]
        yield Label(label, classes="field-label")
        yield Input(placeholder=f"e.g. {example}", compact=True, id=name)

    def on_mount(self) -> None:
        if self.app.open_problem:
            self.show_problem(self.app.open_problem)

    def show_problem(self, problem: str) -> None:
        """A file that could not be opened: why, in one message at the top."""
        banner = self.query_one("#open-problem", Static)
        banner.update(f"[b]Cannot open that engagement.[/b] {problem}")
        banner.display = True

    def _type_options(self) -> tuple[list[tuple[str, str]], str]:
        """The product types, and the default profile's type preselected: a blank type
        would write a profile no check knows."""
        try:
            profiles = load_profiles()
            default = profiles[default_profile_id()].product_type
        except (RunbookError, KeyError):
            return [("Community platform", "community")], "community"
        types = {p.product_type: p.title.split(",")[0] for p in profiles.values()}
        return [(title, product_type) for product_type, title in types.items()], default

    def _recent_options(self) -> list[Option]:
        recent = recent_engagements()
        if not recent:
            return [Option("No recent engagements yet", disabled=True)]
        return [Option(f"{path.stem}  [dim]{path.parent}[/]", id=str(path)) for path in recent]

    def action_focus_new(self) -> None:
        self.query_one("#product", Input).focus()

    def action_focus_open(self) -> None:
        self.query_one("#open-path", Input).focus()

    @on(OptionList.OptionSelected, "#recent")
    def recent_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.open_engagement(Path(event.option.id))

    @on(Input.Submitted, "#open-path")
    def path_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.app.open_engagement(Path(event.value.strip()).expanduser())

    @on(Input.Submitted, "#new-engagement Input")
    @on(Button.Pressed, "#create")
    def create_engagement(self) -> None:
        value = {name: self.query_one(f"#{name}", Input).value.strip() for name in TEXT_FIELDS}
        product_type = self.query_one("#product-type", Select).value
        phase = self.query_one("#phase", Select).value
        try:
            domain = parse_domain(value["apex"])
        except DomainError as exc:
            self.notify(str(exc), title="Apex domain", severity="error")
            self.query_one("#apex", Input).focus()
            return
        name = value["product"] or domain.unicode_name
        path = (
            Path(value["save-as"]).expanduser()
            if value["save-as"]
            else (data_dir() / f"{slug(name)}.toml")
        )
        if path.exists():
            self.notify(
                f"{path} already exists; open it from Recent or pick another name.",
                severity="error",
            )
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            engagement = Engagement.new(
                path,
                apex=domain.name,
                product=name,
                profile=f"{product_type}-{phase}",
                canonical_host=value["canonical"],
                repo=value["repo"],
                actor=self.app.actor,
            )
            engagement.save()
        except (EngagementError, DomainError, OSError) as exc:
            self.notify(str(exc), title="Could not create", severity="error")
            return
        self.app.open_engagement(path)
