"""Response headers that announce which software, and which version, runs the site.

Headers we read (the table `_LEAKY_HEADERS` below):
- Server, only when it carries a version (nginx/1.22.1, Apache/2.4.57 (Debian),
  Microsoft-IIS/10.0). A bare name such as "nginx" or "cloudflare" tells an attacker
  little and often cannot be removed at a CDN, so it is not reported.
- X-Powered-By and X-Generator, whatever they say (PHP/8.1, Express, Next.js,
  WordPress 6.4): they exist only to advertise the stack.
- X-AspNet-Version and X-AspNetMvc-Version, whose value is the version itself.
Left out on purpose: X-Drupal-Cache and X-Runtime name no version (X-Runtime is a
request timer), and Via mostly names the CDN.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

# RFC 9110 §10.2.4: product = token ["/" product-version]; we want the ones with a
# version that starts with a digit, standing at the start or after a space or "(".
_VERSIONED_PRODUCT = re.compile(
    r"(?:^|(?<=[\s(]))([A-Za-z][!#$%&'*+\-.^_`|~0-9A-Za-z]*)/([0-9][!#$%&'*+\-.^_`|~0-9A-Za-z]*)"
)
# Free text such as "Drupal 10" or "WordPress 6.4.2": a name, then maybe a version.
_NAME_AND_VERSION = re.compile(r"(.+?)(?:\s+v?([0-9][^\s]*))?")
_COMMENT = re.compile(r"\([^)]*\)")

# How to stop each product announcing itself, keyed by lower-cased product name.
_PRODUCT_FIXES = {
    "nginx": "set server_tokens off; in the nginx config",
    "openresty": "set server_tokens off; in the nginx config",
    "apache": "set ServerTokens Prod and ServerSignature Off in the Apache config",
    "microsoft-iis": 'set removeServerHeader="true" under requestFiltering in web.config',
    "php": "set expose_php = Off in php.ini",
    "express": 'call app.disable("x-powered-by") in your Express app',
    "next.js": "set poweredByHeader: false in next.config.js",
    "asp.net": "remove X-Powered-By under httpProtocol/customHeaders in web.config",
}
_HEADER_FIXES = {
    "x-aspnet-version": 'add <httpRuntime enableVersionHeader="false" /> to web.config',
    "x-aspnetmvc-version": "set MvcHandler.DisableMvcResponseHeader = true at startup",
}

ProductVersion = tuple[str, str | None]


@dataclass(frozen=True, slots=True)
class BannerLeak:
    """What one response header gives away: products, and versions where it names them."""

    header: str  # header name as usually written, e.g. "X-Powered-By"
    value: str  # the header value as sent
    products: tuple[ProductVersion, ...]  # e.g. (("Apache", "2.4.57"), ("OpenSSL", "3.0.11"))
    summary: str  # plain-English finding with how to hide it

    @property
    def names_a_version(self) -> bool:
        """A version is worse than a bare name: it points at specific known bugs."""
        return _any_version(self.products)


def _any_version(products: tuple[ProductVersion, ...]) -> bool:
    return any(version for _product, version in products)


def _versioned_products(value: str) -> list[ProductVersion]:
    """product/version pairs in a Server value; bare product names are not leaks."""
    return _VERSIONED_PRODUCT.findall(value)


def _named_products(value: str) -> list[ProductVersion]:
    """Every product in an X-Powered-By style list, with its version when given."""
    named: list[ProductVersion] = []
    for item in value.split(","):
        text = _COMMENT.sub(" ", item).strip()
        if not text:
            continue
        versioned = _versioned_products(text)
        if versioned:
            named.extend(versioned)
            continue
        name_and_version = _NAME_AND_VERSION.fullmatch(text)
        if name_and_version:
            named.append((name_and_version.group(1), name_and_version.group(2)))
    return named


def _version_of(product: str, value: str) -> list[ProductVersion]:
    """Headers such as X-AspNet-Version, whose whole value is the version."""
    version = value.strip()
    return [(product, version)] if version else []


# Lower-cased header name -> (name as usually written, how to read its products).
_LEAKY_HEADERS: dict[str, tuple[str, Callable[[str], list[ProductVersion]]]] = {
    "server": ("Server", _versioned_products),
    "x-powered-by": ("X-Powered-By", _named_products),
    "x-generator": ("X-Generator", _named_products),
    "x-aspnet-version": ("X-AspNet-Version", partial(_version_of, "ASP.NET")),
    "x-aspnetmvc-version": ("X-AspNetMvc-Version", partial(_version_of, "ASP.NET MVC")),
}


def leaked_versions(headers: Mapping[str, str]) -> list[BannerLeak]:
    """One leak per header that gives the stack away, in `_LEAKY_HEADERS` order."""
    lowered = {name.lower(): value for name, value in headers.items()}
    leaks = []
    for header, (label, read_products) in _LEAKY_HEADERS.items():
        value = lowered.get(header)
        if value is None:
            continue
        products = tuple(read_products(value))
        if products:
            leaks.append(BannerLeak(label, value, products, _summary(header, label, products)))
    return leaks


def _summary(header: str, label: str, products: tuple[ProductVersion, ...]) -> str:
    named = _in_words([f"{name} {version}" if version else name for name, version in products])
    fix = _how_to_hide(header, label, products)
    if _any_version(products):
        return (
            f"The {label} header tells everyone you run {named}. Attackers match exact "
            f"versions against lists of known bugs; to hide it, {fix}."
        )
    return (
        f"The {label} header tells everyone your site is built with {named}, which saves "
        f"attackers a step; to hide it, {fix}."
    )


def _how_to_hide(header: str, label: str, products: tuple[ProductVersion, ...]) -> str:
    """The header's own fix, else the first product's we know (Apache for "Apache/2.4 PHP/8")."""
    if header in _HEADER_FIXES:
        return _HEADER_FIXES[header]
    for name, _version in products:
        if name.lower() in _PRODUCT_FIXES:
            return _PRODUCT_FIXES[name.lower()]
    return f"remove the {label} header in your server or framework settings"


def _in_words(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} and {items[-1]}"
