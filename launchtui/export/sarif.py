"""SARIF 2.1.0 for code-scanning dashboards (GitHub code scanning accepts this subset).

Rule ids are our stable check ids (with the scanner's rule appended for secrets),
and every result carries a partial fingerprint that does not change between runs,
so a dashboard tracks one alert per problem instead of a new one per run.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from .. import __version__
from ..findings import Finding, Severity, Status
from . import Report
from .digest import explained

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub's 0.0-10.0 security-severity scale, so alerts sort by our severity.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
FILE_AND_LINE = re.compile(r"^(?P<path>[^\s:][^:]*?):(?P<line>\d+)$")


def rule_id(finding: Finding) -> str:
    rule = finding.evidence.get("rule")
    return f"{finding.check}/{rule}" if isinstance(rule, str) and rule else finding.check


def fingerprint(finding: Finding) -> str:
    """Stable across runs: the check, what it is about, and the secret's own fingerprint."""
    identity = [rule_id(finding), finding.target, str(finding.evidence.get("fingerprint", ""))]
    return hashlib.sha256("\0".join(identity).encode()).hexdigest()[:32]


def render_sarif(report: Report, *, artifact: str | None = None) -> str:
    """Problems only (pass and skipped are not alerts); `artifact` anchors non-file findings,
    e.g. the engagement file, since dashboards want every result somewhere in the repo."""
    problems = [f for f in report.findings if f.status in (Status.FAIL, Status.WARN, Status.ERROR)]
    rules: dict[str, dict[str, Any]] = {}
    for finding in problems:
        rules.setdefault(rule_id(finding), _rule(finding))
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "launchtui",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/launchtui/",
                        "rules": list(rules.values()),
                    }
                },
                "automationDetails": {"id": f"launchtui/{report.target}/"},
                "results": [_result(f, list(rules).index(rule_id(f)), artifact) for f in problems],
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _rule(finding: Finding) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": rule_id(finding),
        "name": rule_id(finding).replace(".", "-").replace("/", "-"),
        "shortDescription": {"text": finding.check},
        "fullDescription": {"text": finding.summary},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[finding.severity],
            "tags": ["security", finding.stage] if finding.stage else ["security"],
        },
    }
    if finding.fix:
        rule["help"] = {"text": finding.fix}
    if finding.refs:
        rule["helpUri"] = finding.refs[0]
    return rule


def _result(finding: Finding, index: int, artifact: str | None) -> dict[str, Any]:
    message = explained(finding, "\n\n")
    result: dict[str, Any] = {
        "ruleId": rule_id(finding),
        "ruleIndex": index,
        "level": "error" if finding.status is Status.ERROR else LEVELS[finding.severity],
        "message": {"text": message},
        "partialFingerprints": {"launchtuiFindingHash/v1": fingerprint(finding)},
        "properties": {"status": finding.status.value, "target": finding.target},
    }
    if finding.suppressed:
        result["suppressions"] = [{"kind": "external", "justification": finding.suppressed}]
    location = _location(finding, artifact)
    if location:
        result["locations"] = [location]
    return result


def _location(finding: Finding, artifact: str | None) -> dict[str, Any] | None:
    match = FILE_AND_LINE.match(finding.target)
    if match:
        return {
            "physicalLocation": {
                "artifactLocation": {"uri": match["path"]},
                "region": {"startLine": int(match["line"])},
            }
        }
    if artifact:
        return {
            "physicalLocation": {"artifactLocation": {"uri": artifact}, "region": {"startLine": 1}},
            "logicalLocations": [{"fullyQualifiedName": finding.target}],
        }
    return {"logicalLocations": [{"fullyQualifiedName": finding.target}]}
