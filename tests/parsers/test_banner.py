"""Server banners and framework headers that give versions away."""

from __future__ import annotations

import pytest

from launchtui.parsers.banner import leaked_versions


@pytest.mark.parametrize(
    ("server", "products"),
    [
        ("nginx/1.22.1", (("nginx", "1.22.1"),)),
        ("Apache/2.4.57 (Debian)", (("Apache", "2.4.57"),)),
        ("Microsoft-IIS/10.0", (("Microsoft-IIS", "10.0"),)),
        ("openresty/1.21.4.1", (("openresty", "1.21.4.1"),)),
        (
            "Apache/2.4.41 (Ubuntu) OpenSSL/1.1.1f PHP/7.4.3-4ubuntu2.18",
            (("Apache", "2.4.41"), ("OpenSSL", "1.1.1f"), ("PHP", "7.4.3-4ubuntu2.18")),
        ),
        ("Werkzeug/2.3.7 Python/3.11.4", (("Werkzeug", "2.3.7"), ("Python", "3.11.4"))),
        ("gunicorn/21.2.0", (("gunicorn", "21.2.0"),)),
    ],
)
def test_server_with_a_version_is_a_leak(server: str, products: tuple) -> None:
    (leak,) = leaked_versions({"server": server})
    assert leak.header == "Server"
    assert leak.value == server
    assert leak.products == products
    assert leak.names_a_version


@pytest.mark.parametrize(
    "server",
    [
        "cloudflare",
        "nginx",
        "Apache",
        "AmazonS3",
        "gws",
        "Vercel",
        "Netlify",
        "Apache (Debian)",
        "",
    ],
)
def test_server_without_a_version_is_fine(server: str) -> None:
    assert leaked_versions({"server": server}) == []


def test_server_summary_names_the_version_and_the_fix() -> None:
    (leak,) = leaked_versions({"server": "nginx/1.22.1"})
    assert leak.summary == (
        "The Server header tells everyone you run nginx 1.22.1. Attackers match exact versions "
        "against lists of known bugs; to hide it, set server_tokens off; in the nginx config."
    )


def test_apache_fix_covers_its_modules() -> None:
    (leak,) = leaked_versions({"server": "Apache/2.4.41 (Ubuntu) OpenSSL/1.1.1f PHP/7.4"})
    assert "Apache 2.4.41, OpenSSL 1.1.1f and PHP 7.4" in leak.summary
    assert "ServerTokens Prod" in leak.summary


@pytest.mark.parametrize(
    ("value", "products", "fix"),
    [
        ("PHP/8.1.2", (("PHP", "8.1.2"),), "expose_php = Off"),
        ("Express", (("Express", None),), 'app.disable("x-powered-by")'),
        ("Next.js", (("Next.js", None),), "poweredByHeader: false"),
        ("ASP.NET", (("ASP.NET", None),), "customHeaders"),
        ("PHP/8.2.0, ASP.NET", (("PHP", "8.2.0"), ("ASP.NET", None)), "expose_php = Off"),
        ("Phusion Passenger(R) 6.0.10", (("Phusion Passenger", "6.0.10"),), "X-Powered-By"),
        ("PleskLin", (("PleskLin", None),), "remove the X-Powered-By header"),
    ],
)
def test_x_powered_by_is_always_a_leak(value: str, products: tuple, fix: str) -> None:
    (leak,) = leaked_versions({"x-powered-by": value})
    assert leak.header == "X-Powered-By"
    assert leak.products == products
    assert fix in leak.summary


def test_product_without_version_gets_the_milder_wording() -> None:
    (leak,) = leaked_versions({"x-powered-by": "Express"})
    assert not leak.names_a_version
    assert leak.summary.startswith(
        "The X-Powered-By header tells everyone your site is built with Express"
    )


@pytest.mark.parametrize(
    ("value", "products"),
    [
        ("Drupal 10 (https://www.drupal.org)", (("Drupal", "10"),)),
        ("WordPress 6.4.2", (("WordPress", "6.4.2"),)),
        ("Hugo 0.120.4", (("Hugo", "0.120.4"),)),
        ("Wix.com Website Builder", (("Wix.com Website Builder", None),)),
    ],
)
def test_x_generator(value: str, products: tuple) -> None:
    (leak,) = leaked_versions({"x-generator": value})
    assert leak.products == products


def test_asp_net_version_headers() -> None:
    leaks = leaked_versions({"x-aspnet-version": "4.0.30319", "x-aspnetmvc-version": "5.2"})
    assert [(leak.header, leak.products) for leak in leaks] == [
        ("X-AspNet-Version", (("ASP.NET", "4.0.30319"),)),
        ("X-AspNetMvc-Version", (("ASP.NET MVC", "5.2"),)),
    ]
    assert "enableVersionHeader" in leaks[0].summary
    assert "DisableMvcResponseHeader" in leaks[1].summary


def test_several_headers_come_back_in_a_stable_order() -> None:
    headers = {
        "x-aspnet-version": "4.0.30319",
        "x-powered-by": "ASP.NET",
        "server": "Microsoft-IIS/10.0",
    }
    assert [leak.header for leak in leaked_versions(headers)] == [
        "Server",
        "X-Powered-By",
        "X-AspNet-Version",
    ]


def test_header_names_in_any_case_are_read() -> None:
    assert leaked_versions({"X-Powered-By": "PHP/8.1", "SERVER": "nginx/1.25.3"})


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"content-type": "text/html", "cache-control": "no-store"},
        {"x-drupal-cache": "HIT", "x-runtime": "0.012345", "via": "1.1 varnish"},
        {"x-powered-by": "", "x-generator": "  ", "x-aspnet-version": " "},
        {"x-powered-by": ",,,", "x-generator": "()"},
    ],
)
def test_headers_that_reveal_nothing(headers: dict[str, str]) -> None:
    assert leaked_versions(headers) == []
