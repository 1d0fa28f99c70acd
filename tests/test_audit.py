"""The shared run path: which stage a finding is filed under."""

from launchtui.audit import stages_running
from launchtui.runbook import load_runbooks


def test_a_check_is_filed_under_the_first_covered_stage_that_lists_it():
    runbook = load_runbooks([])["launch-ready"]
    every = stages_running(runbook)
    assert every["tls.expiry"] == "audit"  # audit, security and monitoring all list it
    assert every["dns.mx"] == "dns"
    assert every["email.dkim"] == "monitoring"
    assert "smoke.routes" not in every  # only the founder runbooks run it
    monitoring = stages_running(runbook, ["monitoring"])
    assert monitoring["tls.expiry"] == monitoring["dns.mx"] == "monitoring"
    # a check the covered stages do not list keeps the first stage that does
    assert monitoring["http.hsts"] == "audit"
    # covered stages count in runbook order, whatever order they were asked for in
    assert stages_running(runbook, ["monitoring", "security"])["tls.expiry"] == "security"
