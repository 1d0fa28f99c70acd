"""What a landing page pulls in: the first-party scripts and stylesheets browsers load."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

MAX_ASSETS = 8


@dataclass(frozen=True, slots=True)
class Asset:
    url: str
    kind: str  # script or stylesheet


class _AssetCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name.lower(): value or "" for name, value in attrs}
        if tag == "script" and attributes.get("src"):
            self.found.append((attributes["src"], "script"))
        elif (
            tag == "link"
            and "stylesheet" in attributes.get("rel", "").lower().split()
            and attributes.get("href")
        ):
            self.found.append((attributes["href"], "stylesheet"))


def first_party_assets(page_url: str, html: str, site: str) -> list[Asset]:
    """Scripts and stylesheets on `site` or its subdomains, at most MAX_ASSETS, in page order.

    Third-party assets (analytics, fonts) are not the founder's to fix and are
    not ours to probe: we only touch hosts the user named.
    """
    collector = _AssetCollector()
    try:
        collector.feed(html)
        collector.close()
    except (AssertionError, ValueError):
        pass  # malformed HTML: keep what was found before the damage
    assets: list[Asset] = []
    for reference, kind in collector.found:
        url = urljoin(page_url, reference.strip())
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme in ("http", "https") and (host == site or host.endswith("." + site)):
            asset = Asset(url, kind)
            if asset not in assets:
                assets.append(asset)
    return assets[:MAX_ASSETS]
