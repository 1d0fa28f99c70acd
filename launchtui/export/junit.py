"""JUnit XML, the format every CI shows as a test report: one suite per stage, one case
per check and target; fail -> failure, error -> error, skipped -> skipped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from ..findings import Finding, Status
from . import Report
from .digest import explained


def render_junit(report: Report) -> str:
    by_stage: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_stage[finding.stage].append(finding)
    seconds = (report.finished - report.started).total_seconds()
    suites = ET.Element(
        "testsuites",
        name=f"launchtui {report.target}",
        tests=str(len(report.findings)),
        time=f"{seconds:.3f}",
    )
    for stage, findings in by_stage.items():
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=report.stage_titles.get(stage, stage) or "checks",  # run outside any stage
            tests=str(len(findings)),
        )
        counts: defaultdict[str, int] = defaultdict(int)
        for finding in findings:
            counts[_case(suite, finding)] += 1
        for outcome in ("failures", "errors", "skipped"):
            suite.set(outcome, str(counts[outcome]))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _case(suite: ET.Element, finding: Finding) -> str:
    case = ET.SubElement(suite, "testcase", classname=finding.check, name=finding.target)
    text = explained(finding)
    if finding.suppressed:
        ET.SubElement(case, "skipped", message=f"accepted: {finding.suppressed}")
        return "skipped"
    if finding.status is Status.FAIL:
        ET.SubElement(
            case, "failure", message=finding.summary, type=finding.severity.value
        ).text = text
        return "failures"
    if finding.status is Status.ERROR:
        ET.SubElement(case, "error", message=finding.summary).text = text
        return "errors"
    if finding.status is Status.SKIPPED:
        ET.SubElement(case, "skipped", message=finding.summary)
        return "skipped"
    if finding.status is Status.WARN:
        ET.SubElement(case, "system-out").text = f"warning ({finding.severity.value}): {text}"
    return "passed"
