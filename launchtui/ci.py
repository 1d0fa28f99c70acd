"""The GitHub Actions workflow `launchtui ci init` writes.

Actions are pinned to full commit SHAs (a tag can be moved; a commit cannot), with the
version in a comment for people and for Dependabot. Every step says why it is there.
"""

from __future__ import annotations

from .engagement import Engagement

CHECKOUT = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2"
SETUP_PYTHON = "actions/setup-python@0b93645e9fea7318ecaed2b359559ac225c90a2b  # v5.3.0"
UPLOAD_SARIF = (
    "github/codeql-action/upload-sarif@ff0a06e83cb2de871e5a09832bc6a81e7276941f  # v3.28.18"
)


def github_workflow(engagement: Engagement, engagement_path: str) -> str:
    product = engagement.product or engagement.apex
    return f"""\
# launchtui for {product}: made by `launchtui ci init`. Edit freely.
name: launchtui

on:
  push:
    branches: [main]
  pull_request:
  # Every morning: certificates expire and DNS changes without any commit.
  schedule:
    - cron: "17 6 * * *"
  # After a deploy (Vercel, Netlify, Render and others report deployment statuses).
  deployment_status:
  workflow_dispatch:

permissions:
  contents: read
  security-events: write  # to upload the secret scan to code scanning

jobs:
  check:
    if: github.event_name != 'deployment_status'
    runs-on: ubuntu-24.04
    steps:
      # All history, so the secret scan sees every commit, not just the last one.
      - uses: {CHECKOUT}
        with:
          fetch-depth: 0
      - uses: {SETUP_PYTHON}
        with:
          python-version: "3.12"
      # launchtui and its checks; no keyring is needed for checks and scans.
      - name: Install launchtui
        run: pipx install launchtui
      # The live checks of the engagement; --no-record: the run is not written back to the
      # checked-out file. Exits 1 when something at or above high severity fails.
      - name: Check {engagement.apex}
        run: >-
          launchtui check {engagement_path} --no-record
          --format junit --output launchtui-check.xml
      # Keys in the code and in every commit, as SARIF for the Security tab.
      - name: Scan for leaked secrets
        run: launchtui scan . --history --format sarif --output launchtui-secrets.sarif
      - name: Upload the secret scan to code scanning
        if: always()
        uses: {UPLOAD_SARIF}
        with:
          sarif_file: launchtui-secrets.sarif
          category: launchtui-secrets

  smoke:
    # Only after a deploy that succeeded: the site it points at is the new one.
    if: >-
      github.event_name == 'deployment_status' &&
      github.event.deployment_status.state == 'success'
    runs-on: ubuntu-24.04
    steps:
      - uses: {CHECKOUT}
      - uses: {SETUP_PYTHON}
        with:
          python-version: "3.12"
      - name: Install launchtui
        run: pipx install launchtui
      # The homepage and every listed route answer well, over valid TLS, within budget.
      - name: Smoke test
        run: launchtui smoke {engagement_path} --format junit --output launchtui-smoke.xml
"""
