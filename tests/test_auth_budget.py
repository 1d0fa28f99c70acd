"""Login routes get one request budget per run across every check, and nothing after "stop".

The budget on its own first (plain asyncio), then a whole run against perf.test, whose
/login (1 request a second, then 429) and /open-login (no limit) log every request nginx
answered, so the test counts what really arrived.
"""

from __future__ import annotations

import asyncio

from launchtui.checks import all_checks
from launchtui.engagement import Route
from launchtui.engine import run_checks
from launchtui.findings import Status
from launchtui.net.budget import RequestBudget, route_key

LOGIN = "https://perf.test/login"


async def test_a_guarded_url_gets_at_most_its_limit():
    budget = RequestBudget()
    budget.guard(LOGIN, 3)
    granted = []
    for _ in range(5):
        async with budget.turn(LOGIN) as turn:
            granted.append(turn.refused is None)
    assert granted == [True, True, True, False, False]
    async with budget.turn("https://perf.test/fast") as turn:
        assert turn.refused is None  # other URLs are not limited


async def test_keep_leaves_requests_for_others():
    budget = RequestBudget()
    budget.guard(LOGIN, 5)
    burst = 0
    while True:
        async with budget.turn(LOGIN, keep=2) as turn:
            if turn.refused:
                assert "kept for other checks" in turn.refused
                break
            burst += 1
    assert burst == 3
    async with budget.turn(LOGIN) as turn:
        assert turn.refused is None


async def test_a_429_or_retry_after_stops_every_later_request():
    for status, retry_after in ((429, None), (200, "30")):
        budget = RequestBudget()
        budget.guard(LOGIN, 30)
        async with budget.turn(LOGIN) as turn:
            turn.record(200)
        async with budget.turn(LOGIN) as turn:
            turn.record(status, retry_after)
        async with budget.turn("http://perf.test/login/?next=/") as turn:
            assert turn.refused is not None
            assert "slow down" in turn.refused and "after 2 requests" in turn.refused
        assert budget.spent(LOGIN).sent == 2


async def test_requests_to_one_route_go_one_at_a_time():
    budget = RequestBudget()
    budget.guard(LOGIN, 30)
    inside = 0
    most = 0

    async def request() -> None:
        nonlocal inside, most
        async with budget.turn(LOGIN):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.001)
            inside -= 1

    await asyncio.gather(*(request() for _ in range(10)))
    assert most == 1


def test_routes_match_on_host_and_path():
    assert route_key("https://App.Example.com/login/?next=/") == ("app.example.com", "/login")
    assert route_key("http://app.example.com:8080/login") == ("app.example.com", "/login")
    assert route_key("https://example.com") == ("example.com", "/")


async def test_a_whole_run_sends_a_login_route_at_most_30_requests_and_none_after_429(
    lab, audit_context
):
    before = {log: len(lab.requests_logged(log)) for log in ("login", "open-login")}
    routes = [
        Route("login", LOGIN, kind="auth"),
        Route("open-login", "https://perf.test/open-login", kind="auth"),
        Route("fast", "https://perf.test/fast"),
    ]
    context = await audit_context("perf.test", routes=routes, timeout=3.0)
    result = await run_checks(context, list(all_checks().values()))
    await context.aclose()

    open_login = lab.requests_logged("open-login")[before["open-login"] :]
    assert 10 <= len(open_login) <= 30
    login = lab.requests_logged("login")[before["login"] :]
    statuses = [status for status, _request in login]
    assert 429 in statuses
    assert statuses.index(429) == len(statuses) - 1  # nothing was sent after the first 429

    verdicts = {(f.check, f.evidence.get("route")): f for f in result.findings}
    assert verdicts[("auth.rate-limit", "login")].status is Status.PASS
    assert verdicts[("auth.rate-limit", "open-login")].status is Status.FAIL
    assert verdicts[("auth.rate-limit", "open-login")].evidence["run_requests"] == len(open_login)
    latency = verdicts[("perf.latency", "open-login")]
    assert latency.status is Status.PASS
    assert "auth.rate-limit's attempts" in latency.detail
