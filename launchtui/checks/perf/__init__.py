"""Performance and resilience of the routes the user listed: p95 against the profile's
budget (`latency`), error rate under a polite load (`errors`), throttling on login
(`rate_limit`) and an honest health endpoint (`health`).

Load is only ever sent to routes the user named (`[[routes]]` or `init --route`), never
to anything we discovered, and every probe is bounded: a rate, a number of requests, a
time per route and per run, and a number of timeouts after which we stop. The limits are
the run's `context.probe_limits` (a `ProbeLimits`), which tests and the benchmark set.

perf.latency and perf.errors read the same measurement (`load.measure_routes`): the first
of them to run sends the load, the other waits for it, so a run loads each route once.
Login routes (kind `auth`) are not loaded at all: their timings are auth.rate-limit's
attempts, and every request any check sends to them counts against one budget per run
(`net.budget`).
"""
