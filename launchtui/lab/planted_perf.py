"""Performance and resilience faults for the lab: `perf.test`, one HTTPS host whose paths
have known server-side behaviour, so measured percentiles can be checked against truth.

Delays come from the echo module's `echo_sleep` (the kernel has no netem here). Routes
that must misbehave "sometimes" count requests per connection with nginx's
`$connection_requests` instead of drawing random numbers, so the fraction is exact on
every connection and the tests never depend on luck:

    /fast         answers at once (the zero-delay route for client overhead)
    /slow         always 200 ms                      /half   always 500 ms
    /mixed        every 5th request on a connection takes 300 ms, the rest are instant
    /flaky        every 10th request on a connection answers 500 (nginx then closes it)
    /hang         never answers (sleeps an hour)
    /login        limited to 1 request/s per client (`limit_req`, 429 when over)
    /open-login   the same form with no limit
                  (both log every request, so tests can count what a whole run sent)
    /health       {"status":"ok"} with Cache-Control: no-store
    /health-leaky cacheable for a minute, and tells the world its version, environment
                  and database password

`limit_req` runs before the content phase but after `return`, so every limited path
uses a content handler (`echo`), not `return` (see LAB-NOTES).
"""

from __future__ import annotations

from .servers import REQUEST_LOG_DIR, REQUEST_LOG_FORMAT
from .world import World

PERF_DOMAIN = "perf.test"
FIXED_DELAY_S = 0.2
HALF_DELAY_S = 0.5
MIXED_DELAY_S = 0.3
MIXED_SLOW_EVERY = 5  # every 5th request on a connection is slow: 20 %
FLAKY_ERROR_EVERY = 10  # every 10th request on a connection fails: 10 %
# The made-up database URL is written in parts so `launchtui scan` of this repository does
# not report the lab's fixture as a leaked password.
LEAKY_HEALTH_BODY = (
    '{"status":"ok","version":"2.3.1","environment":"production","NODE_ENV":"production",'
    '"database":"postgres://app' + ":hunter22" + '@10.0.4.12:5432/app"}'
)
CLEAN_HEALTH_BODY = '{"status":"ok"}'


def request_log(name: str) -> str:
    """The nginx line that logs a location's requests for `Lab.requests_logged(name)`."""
    return f"access_log {REQUEST_LOG_DIR}/{name}.log {REQUEST_LOG_FORMAT};"


def perf_site() -> str:
    """The HTTPS server block body of perf.test."""
    return "\n".join(
        [
            "location = /fast { return 200 'ok\\n'; }",
            f"location = /slow {{ echo_sleep {FIXED_DELAY_S}; echo ok; }}",
            f"location = /half {{ echo_sleep {HALF_DELAY_S}; echo ok; }}",
            # `rewrite ... last` is one of the few things that is safe inside `if`.
            "location = /mixed {\n"
            '    if ($connection_requests ~ "[05]$") { rewrite ^ /mixed-slow last; }\n'
            "    echo fast;\n"
            "}",
            f"location = /mixed-slow {{ internal; echo_sleep {MIXED_DELAY_S}; echo slow; }}",
            "location = /flaky {\n"
            '    if ($connection_requests ~ "0$") { return 500; }\n'
            "    echo ok;\n"
            "}",
            "location = /hang { echo_sleep 3600; echo late; }",
            "location = /login {\n"
            f"    {request_log('login')}\n"
            "    limit_req zone=login;\n"
            "    limit_req_status 429;\n"
            "    default_type text/html;\n"
            "    echo '<form method=post>login</form>';\n"
            "}",
            "location = /open-login {\n"
            f"    {request_log('open-login')}\n"
            "    default_type text/html;\n"
            "    echo '<form method=post>login</form>';\n"
            "}",
            "location = /health {\n"
            '    add_header Cache-Control "no-store" always;\n'
            "    default_type application/json;\n"
            f"    return 200 '{CLEAN_HEALTH_BODY}';\n"
            "}",
            "location = /health-leaky {\n"
            '    add_header Cache-Control "public, max-age=60" always;\n'
            "    default_type application/json;\n"
            f"    return 200 '{LEAKY_HEALTH_BODY}';\n"
            "}",
            "location / { return 404; }",
        ]
    )


def plant_perf(world: World) -> None:
    site = world.host(PERF_DOMAIN, f"www.{PERF_DOMAIN}", https=perf_site())
    world.zone(PERF_DOMAIN, f"@ A {site.address}", f"www A {site.address}")
