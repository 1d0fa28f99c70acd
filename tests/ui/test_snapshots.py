"""Pictures of the main screens (pytest-textual-snapshot), at fixed sizes and a fixed clock.

Each test has its own data, config and cache folders (the autouse fixtures in conftest),
so the welcome screen's recent list starts empty and parallel workers share nothing. No
picture shows a folder's path (the welcome form gives an example, not the data folder), so
the pictures are the same whichever folder a test gets; a path that crept into one would
differ on every run and fail it.

Update after an intended change with: ./scripts/test tests/ui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from launchtui.ui.app import make_app

from .conftest import fixed_clock, no_blink


def app_for(path=None):
    return make_app(path, clock=fixed_clock, operator="dana")


def pressing(*keys: str):
    """A run_before that presses `keys`, waits for the screen's workers (the keyring's
    answers), then stops cursors blinking."""

    async def run_before(pilot):
        await pilot.press(*keys)
        await pilot.app.workers.wait_for_complete()
        await no_blink(pilot)

    return run_before


def test_welcome(snap_compare):
    """The welcome screen: the new-engagement form on the left, recent/open/demo on the right."""
    assert snap_compare(app_for(), terminal_size=(100, 30), run_before=no_blink)


def test_sprint_dns_stage(snap_compare, acme):
    """The DNS stage of a recorded engagement: sidebar progress, clock (day 2), findings
    with a failing takeover risk highlighted in the detail pane, the ticked checklist item."""

    keys = pressing("down", "tab", "down", "down", "down", "down")
    assert snap_compare(app_for(acme), terminal_size=(110, 40), run_before=keys)


def test_sprint_audit_at_80x24(snap_compare, acme):
    """The quick audit in the smallest supported terminal: the slimmer stage list, when
    the results were checked, and the ranked risk list with its counts."""
    assert snap_compare(app_for(acme), terminal_size=(80, 24), run_before=no_blink)


def test_sprint_dns_findings_at_80x24(snap_compare, acme):
    """The DNS stage entered with Enter at 80x24, stage list hidden (s), problems only
    (f): status, finding and where, the failing takeover risk highlighted, and its fix and
    evidence below as rows."""

    keys = pressing("down", "enter", "s", "f", "down")
    assert snap_compare(app_for(acme), terminal_size=(80, 24), run_before=keys)


OWNERS = (
    ("registrar", "Namecheap", "Dana (CTO)", "dana@acme.test", True, "1Password: Ops vault"),
    ("dns", "Cloudflare", "Sam Lee", "sam@acme.test", None, ""),
    ("hosting", "Vercel", "Dana (CTO)", "dana@acme.test", False,
     "Vercel recovery codes in the Ops vault, printed copy in the office safe"),
)  # fmt: skip
SECRETS = (
    ("STRIPE_SECRET_KEY", "op://Ops/Stripe/secret-key", "Dana", 90),
    ("SENDGRID_API_KEY", "doppler://acme/prd/SENDGRID", "Sam", 180),
)


def with_owners_and_secrets(path):
    from launchtui.engagement import Engagement, Owner, Secret

    engagement = Engagement.load(path)
    for owner in OWNERS:
        engagement.add_owner(Owner(*owner))
    for name, reference, owner, days in SECRETS:
        engagement.add_secret(Secret(name, "prod", reference, owner, rotation_days=days))
    engagement.save()
    return path


def test_owners_at_80x24(snap_compare, acme):
    """Owners at 80x24: the table, the highlighted row (hosting) in full under it, the
    keys for adding, editing, removing."""

    app = app_for(with_owners_and_secrets(acme))
    assert snap_compare(app, terminal_size=(80, 24), run_before=pressing("o", "down", "down"))


def test_owner_form_at_80x24(snap_compare, acme):
    """Enter on an owner at 80x24: one labelled field per line, filled with the row's
    values, Save and Cancel."""

    app = app_for(with_owners_and_secrets(acme))
    assert snap_compare(app, terminal_size=(80, 24), run_before=pressing("o", "down", "enter"))


def test_secrets_at_80x24(snap_compare, acme):
    """Secrets at 80x24 with an empty in-memory keyring: where each secret lives, its
    rotation and status, no value kept, and the highlighted row in full."""
    from ..keyring_backend import memory_keyring

    with memory_keyring():
        app = app_for(with_owners_and_secrets(acme))
        assert snap_compare(app, terminal_size=(80, 24), run_before=pressing("k"))


def test_help(snap_compare, acme):
    """The help screen over the sprint: the keys and a short tour."""
    assert snap_compare(app_for(acme), terminal_size=(100, 30), press=["f1"], run_before=no_blink)


def test_setup_routes(snap_compare, acme):
    """Setup, key routes tab: the login route with its kind and budget, and the add form."""

    async def open_routes(pilot):
        await pilot.press("e")
        await pilot.pause()
        pilot.app.screen.query_one("TabbedContent").active = "tab-routes"
        await no_blink(pilot)

    assert snap_compare(app_for(acme), terminal_size=(110, 30), run_before=open_routes)
