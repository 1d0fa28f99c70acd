"""SARIF and JUnit from real runs: structure CI tools require, and fingerprints that hold."""

import json
import xml.etree.ElementTree as ET

from .conftest import run_launchtui


def check(lab, *args: str):
    return run_launchtui(
        "check", *args, "--nameserver", lab.nameserver, "--ca-bundle", str(lab.ca_bundle)
    )


def test_sarif_has_rules_results_and_stable_fingerprints(lab):
    first = check(lab, "bad.test", "--stage", "dns", "--format", "sarif")
    second = check(lab, "bad.test", "--stage", "dns", "--format", "sarif")
    assert first.returncode == 1
    sarif = json.loads(first.stdout)
    assert sarif["version"] == "2.1.0"
    [run] = sarif["runs"]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert "dns.dangling-cname" in rules
    for result in run["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]
        assert result["message"]["text"]
        assert result["level"] in ("error", "warning", "note")
    fingerprints = [r["partialFingerprints"] for r in run["results"]]
    assert fingerprints == [
        r["partialFingerprints"] for r in json.loads(second.stdout)["runs"][0]["results"]
    ]
    assert len({json.dumps(f) for f in fingerprints}) == len(fingerprints)


def test_sarif_anchors_domain_findings_to_the_engagement_file(lab, tmp_path):
    path = tmp_path / "bad.toml"
    run_launchtui("init", str(path), "--domain", "bad.test")
    sarif = json.loads(check(lab, str(path), "--stage", "dns", "--format", "sarif").stdout)
    location = sarif["runs"][0]["results"][0]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == str(path)


def test_junit_counts_failures_errors_and_skips(lab):
    result = check(lab, "bad.test", "--stage", "dns", "--format", "junit")
    root = ET.fromstring(result.stdout)
    [suite] = root.findall("testsuite")
    assert suite.get("name") == "DNS and domain control"
    cases = suite.findall("testcase")
    failures = [c for c in cases if c.find("failure") is not None]
    assert int(suite.get("failures")) == len(failures) > 0
    assert {"dns.dangling-cname", "dns.resolves"} <= {c.get("classname") for c in failures}


def test_a_pasted_url_is_accepted_with_a_note_on_stderr(lab):
    result = check(lab, "https://good.test/pricing", "--stage", "dns", "--format", "json")
    assert result.returncode == 0
    assert json.loads(result.stdout)["target"] == "good.test"
    assert "Took the host 'good.test'" in result.stderr
