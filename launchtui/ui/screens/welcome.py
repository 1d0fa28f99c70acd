"""Start here: a new engagement, a recent one, a file, or the demo."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, OptionList, Select
from textual.widgets.option_list import Option

from ...domains import DomainError, parse_domain
from ...engagement import Engagement, EngagementError, slug
from ...recent import data_dir, recent_engagements
from ...runbook import RunbookError, load_profiles


class WelcomeScreen(Screen[None]):
    BINDINGS: ClassVar = [
        Binding("ctrl+n", "focus_new", "New"),
        Binding("ctrl+o", "focus_open", "Open file"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="welcome"):
            with VerticalScroll(id="new-engagement", classes="panel"):
                yield Label("New engagement", classes="panel-title")
                yield Input(placeholder="Product name, e.g. Acme", id="product")
                yield Input(placeholder="Apex domain, e.g. acme.com", id="apex")
                yield Select(self._type_options(), prompt="Product type", id="product-type")
                yield Select(
                    [("Launch (public)", "launch"), ("Beta (invited users)", "beta")],
                    value="launch",
                    allow_blank=False,
                    id="phase",
                )
                yield Input(
                    placeholder="Canonical host (optional), e.g. www.acme.com", id="canonical"
                )
                yield Input(placeholder="Repo path (optional)", id="repo")
                yield Input(
                    placeholder="Save as (optional, e.g. ~/clients/acme.toml)", id="save-as"
                )
                yield Button("Create engagement", variant="primary", id="create")
            with Vertical(id="open-engagement", classes="panel"):
                yield Label("Recent", classes="panel-title")
                yield OptionList(*self._recent_options(), id="recent")
                yield Label("Open a file", classes="panel-title")
                yield Input(placeholder="path/to/engagement.toml", id="open-path")
                yield Label("New here?", classes="panel-title")
                yield Label("The demo checks a local lab full of planted problems.", classes="dim")
                yield Button("Open the demo", id="demo")
        yield Footer()

    def _type_options(self) -> list[tuple[str, str]]:
        try:
            profiles = load_profiles()
        except RunbookError:
            return []
        types = {p.product_type: p.title.split(",")[0] for p in profiles.values()}
        return [(title, product_type) for product_type, title in types.items()]

    def _recent_options(self) -> list[Option]:
        recent = recent_engagements()
        if not recent:
            return [Option("No recent engagements yet", disabled=True)]
        return [Option(f"{path.stem}  [dim]{path.parent}[/]", id=str(path)) for path in recent]

    def action_focus_new(self) -> None:
        self.query_one("#product", Input).focus()

    def action_focus_open(self) -> None:
        self.query_one("#open-path", Input).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.open_engagement(Path(event.option.id))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "open-path" and event.value.strip():
            self.app.open_engagement(Path(event.value.strip()).expanduser())
        elif event.input.id != "open-path":
            self.create_engagement()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "create":
            self.create_engagement()
        elif event.button.id == "demo":
            self.app.start_demo()

    def create_engagement(self) -> None:
        value = {
            name: self.query_one(f"#{name}", Input).value.strip()
            for name in ("product", "apex", "canonical", "repo", "save-as")
        }
        product_type = self.query_one("#product-type", Select).value
        phase = self.query_one("#phase", Select).value
        try:
            domain = parse_domain(value["apex"])
        except DomainError as exc:
            self.notify(str(exc), title="Apex domain", severity="error")
            self.query_one("#apex", Input).focus()
            return
        if product_type is Select.BLANK:
            self.notify("Pick a product type: it sets the performance targets.", severity="warning")
            self.query_one("#product-type", Select).focus()
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
