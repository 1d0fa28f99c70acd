"""What changed, from real answers: the lab's shop.test on day one of a sprint and again on
day two (certificate renewed, HSTS added, www created, a version banner appeared)."""

from __future__ import annotations

import json

from launchtui.engagement import Engagement
from launchtui.lab import Lab
from launchtui.lab.sprint import DOMAIN, build_day_one, build_day_two

from .conftest import run_launchtui, start_lab


def check(lab: Lab, path) -> None:
    engagement = Engagement.load(path)
    engagement.set_network([lab.nameserver], str(lab.ca_bundle))
    engagement.save()
    result = run_launchtui(
        "check", str(path), "--stage", "dns", "--stage", "security", "--no-active-probes"
    )
    assert result.returncode in (0, 1), result.stderr


def test_faults_fixed_and_broken_between_two_runs_show_up_as_such(tmp_path):
    path = tmp_path / "shop.toml"
    assert (
        run_launchtui("init", str(path), "--domain", DOMAIN, "--subdomain", "app").returncode == 0
    )
    day_one = start_lab(build_day_one)
    block = day_one.world.plan.block
    try:
        check(day_one, path)
    finally:
        day_one.stop()
    day_two = start_lab(build_day_two, block)  # same names, same addresses
    try:
        check(day_two, path)
    finally:
        day_two.stop()
    assert run_launchtui("history", str(path), "--pin", "1").returncode == 0
    result = run_launchtui("export", str(path), "--what", "changes", "--format", "json")
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)
    fixed = {(f["check"], f["target"]) for f in changes["fixed"]}
    assert {
        ("tls.expiry", DOMAIN),
        ("http.hsts", DOMAIN),
        ("dns.resolves", f"www.{DOMAIN}"),
    } <= fixed
    new = {(f["check"], f["target"]) for f in changes["new"]}
    assert ("http.banner", f"app.{DOMAIN}") in new
    still = {f["check"] for f in changes["still_open"]}
    assert "dns.mx" in still  # shop.test has no mail servers on either day
    [renewed] = [
        n for n in changes["numbers"] if (n["check"], n["target"]) == ("tls.expiry", DOMAIN)
    ]
    assert renewed["before"] < 4 and renewed["after"] > 190 and renewed["unit"] == "days"
    summary = run_launchtui("export", str(path), "--what", "changes", "--format", "md").stdout
    assert (
        f"The certificate (the file that lets browsers trust the site) of {DOMAIN} was renewed."
        in summary
    )
    assert f"**New:** app.{DOMAIN} tells strangers which software and version it runs" in summary
    assert "now has 200 days left instead of 3 days" in summary or "now has 199 days" in summary
