"""Web and TLS faults for the lab: nginx server blocks for good.test, bad.test and one
small domain per TLS or redirect fault.

nginx drops every server-level `add_header` in a location that has its own, so
each location here repeats the headers it needs (see LAB-NOTES).
"""

from __future__ import annotations

from typing import Any

from .world import Cert, World

SECURE_HEADERS = (
    'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;\n'
    "add_header X-Content-Type-Options nosniff always;\n"
    "add_header X-Frame-Options DENY always;\n"
    "add_header Referrer-Policy strict-origin-when-cross-origin always;\n"
    "add_header Content-Security-Policy \"default-src 'self'; frame-ancestors 'none'\" always;\n"
    # A Fastly-style edge signature: the lab's stand-in for a CDN in front.
    "add_header X-Served-By cache-lab-1 always;\n"
)
GOOD_PAGE = (
    '<!doctype html><html><head><link rel="stylesheet" href="/static/site.css">'
    '<script src="/static/app.3f9a.js"></script></head><body>Welcome</body></html>'
)
BAD_PAGE = (
    '<!doctype html><html><head><script src="/static/app.js"></script>'
    '<script src="https://cdn.other.test/analytics.js"></script></head><body>'
    "<script>const API = 'https://staging.bad.test/api'; const DEV = 'http://localhost:3000/';"
    " const PREVIEW = 'https://bad-app-git-feature-x.vercel.app/';</script>Welcome</body></html>"
)


def _location(match: str, headers: str, body: str) -> str:
    return f"location {match} {{\n{headers}{body}\n}}"


def good_https_site(canonical: str) -> str:
    """The clean twin: every header, private cookies, immutable static files."""
    return "\n".join(
        [
            SECURE_HEADERS,
            _location(
                "= /",
                SECURE_HEADERS
                + 'add_header Set-Cookie "session=lab; Path=/; Secure; HttpOnly; SameSite=Lax";\n'
                + 'add_header Cache-Control "private, no-store" always;\n',
                f"default_type text/html; return 200 '{GOOD_PAGE}';",
            ),
            # A signed-in page: personal, so never stored by a shared cache.
            _location(
                "= /account",
                SECURE_HEADERS
                + 'add_header Set-Cookie "session=lab; Path=/; Secure; HttpOnly; SameSite=Lax";\n'
                + 'add_header Cache-Control "private, no-store" always;\n',
                "default_type text/html; return 200 '<html>Your account</html>';",
            ),
            _location(
                "/static/",
                SECURE_HEADERS
                + 'add_header Cache-Control "public, max-age=31536000, immutable" always;\n',
                "default_type application/javascript; return 200 'console.log(1);\\n';",
            ),
            _location(
                "= /api/",
                SECURE_HEADERS
                + f"add_header Access-Control-Allow-Origin https://{canonical} always;\n"
                + "add_header Access-Control-Allow-Credentials true always;\n",
                "default_type application/json; return 200 '{\"ok\": true}';",
            ),
            _location("/", SECURE_HEADERS, "return 404;"),
        ]
    )


def redirect_to(url: str, *, headers: str = SECURE_HEADERS, status: int = 301) -> str:
    return f"{headers}return {status} {url}$request_uri;"


BAD_HTTPS_SITE = "\n".join(
    [
        "server_tokens on;",
        'add_header X-Powered-By "PHP/8.1.2" always;',
        "add_header Access-Control-Allow-Origin $http_origin always;",
        "add_header Access-Control-Allow-Credentials true always;",
        _location(
            "= /",
            'add_header Set-Cookie "session=lab; Path=/";\n'
            'add_header Cache-Control "public, max-age=600" always;\n'
            'add_header X-Powered-By "PHP/8.1.2" always;\n'
            "add_header Access-Control-Allow-Origin $http_origin always;\n"
            "add_header Access-Control-Allow-Credentials true always;\n",
            'default_type text/html; return 200 "' + BAD_PAGE.replace('"', '\\"') + '";',
        ),
        # A signed-in page that a CDN may store and hand to the next visitor.
        _location(
            "= /account",
            'add_header Set-Cookie "session=lab; Path=/; Secure; HttpOnly; SameSite=Lax";\n'
            'add_header Cache-Control "public, max-age=600" always;\n',
            "default_type text/html; return 200 '<html>Your account</html>';",
        ),
        _location(
            "= /static/app.js",
            'add_header Cache-Control "no-cache" always;\n',
            "default_type application/javascript; "
            "return 200 'console.log(1);\\n//# sourceMappingURL=app.js.map\\n';",
        ),
        _location(
            "= /static/app.js.map",
            "",
            "default_type application/json; "
            'return 200 \'{"version":3,"sources":["src/app.ts"],"mappings":"AAAA"}\';',
        ),
    ]
)


def plant_web(world: World) -> None:
    """Give the hosts made in planted.py their sites, and add one domain per web fault."""
    for vhost in world.vhosts:
        if vhost.primary in ("good.test", "www.good.test"):
            vhost.http = "return 301 https://good.test$request_uri;"
        if vhost.primary == "good.test":
            vhost.https = good_https_site("good.test")
        elif vhost.primary == "www.good.test":
            vhost.https = redirect_to("https://good.test")
        elif vhost.primary.endswith(".good.test") and vhost.primary.startswith(("app.", "api.")):
            vhost.https = good_https_site("good.test")
        elif vhost.primary == "bad.test":
            vhost.http = f"location / {{ default_type text/html; return 200 '{GOOD_PAGE}'; }}"
            vhost.https = BAD_HTTPS_SITE
        elif vhost.primary == "admin.bad.test":
            vhost.https = (
                'add_header Strict-Transport-Security "max-age=3600" always;\n'
                "location / { return 200 'admin'; }"
            )
    _plant_tls_faults(world)
    _plant_redirect_faults(world)
    _plant_broken_servers(world)


def _single_host_zone(world: World, domain: str, **vhost_options: Any) -> None:
    vhost = world.host(domain, **vhost_options)
    world.zone(domain, f"@ A {vhost.address}")


def _plant_tls_faults(world: World) -> None:
    site = good_https_site
    _single_host_zone(world, "expired.test", cert=Cert.EXPIRED, https=site("expired.test"))
    _single_host_zone(world, "wronghost.test", cert=Cert.WRONG_HOST, https=site("wronghost.test"))
    _single_host_zone(
        world, "selfsigned.test", cert=Cert.SELF_SIGNED, https=site("selfsigned.test")
    )
    _single_host_zone(world, "expiring.test", cert=Cert.EXPIRING, https=site("expiring.test"))
    _single_host_zone(world, "soon.test", cert=Cert.EXPIRING_SOON, https=site("soon.test"))
    _single_host_zone(
        world,
        "oldtls.test",
        tls_protocols="TLSv1 TLSv1.1 TLSv1.2",
        https='ssl_ciphers "DEFAULT:@SECLEVEL=0";\n' + site("oldtls.test"),
    )
    # Two addresses for one name: one node forgot HSTS (a stale load-balancer member).
    fresh = world.host("multi.test", https=site("multi.test"))
    stale = world.host("multi.test", https="location / { return 200 'stale node'; }")
    world.zone("multi.test", f"@ A {fresh.address}", f"@ A {stale.address}")


def _plant_redirect_faults(world: World) -> None:
    loop = world.host("loop.test", https=redirect_to("https://www.loop.test"))
    loop_www = world.host("www.loop.test", https=redirect_to("https://loop.test"))
    # A login that bounces between two paths forever (after an auth-provider change): the
    # landing page sends visitors into it. app.good.test is its clean twin.
    login_loop = world.host(
        "app.loop.test",
        https="\n".join(
            [
                SECURE_HEADERS,
                "location = / { return 302 /login; }",
                "location = /login { return 302 /signin; }",
                "location = /signin { return 302 /login; }",
            ]
        ),
    )
    world.zone(
        "loop.test",
        f"@ A {loop.address}",
        f"www A {loop_www.address}",
        f"app A {login_loop.address}",
    )

    chain = world.host(
        "chain.test",
        http="return 302 http://www.chain.test$request_uri;",
        https=good_https_site("chain.test"),
    )
    chain_www = world.host(
        "www.chain.test",
        http="return 302 https://www.chain.test$request_uri;",
        https=redirect_to("https://chain.test"),
    )
    world.zone("chain.test", f"@ A {chain.address}", f"www A {chain_www.address}")

    many = world.host("manyhops.test", https="location / { return 302 $uri/x; }")
    js = world.host(
        "jsredirect.test", https='add_header Location "javascript:alert(1)" always;\nreturn 302;'
    )
    huge = world.host("huge.test", https="location / { echo_duplicate 10000000 '0123456789'; }")
    plain = world.host(
        "plainhttps.test",
        cert=None,
        raw_https_listener="server { listen $ADDRESS:443; "
        "location / { return 200 'plain text on 443'; } }",
    )
    for vhost in (many, js, huge, plain):
        world.zone(vhost.primary, f"@ A {vhost.address}")


def _plant_broken_servers(world: World) -> None:
    _single_host_zone(world, "hang.test", rogue="hang", cert=None)
    _single_host_zone(world, "garbage.test", rogue="garbage", cert=None)
