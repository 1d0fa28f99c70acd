"""Changing an entry in place and putting a removed one back where it was: what the
app's lists do with Enter and with undo, on a real engagement file."""

from __future__ import annotations

import pytest

from launchtui.engagement import (
    Engagement,
    EngagementError,
    Environment,
    Owner,
    Route,
    Secret,
)


@pytest.fixture
def made(tmp_path) -> Engagement:
    engagement = Engagement.new(tmp_path / "acme.toml", apex="acme.test")
    for label in ("app", "api", "docs"):
        engagement.add_subdomain(label)
    engagement.add_environment(Environment("prod", "https://acme.test"))
    engagement.add_environment(Environment("staging", "https://staging.acme.test"))
    engagement.save()
    return Engagement.load(engagement.path)


def test_a_subdomain_is_renamed_in_place_and_the_change_is_logged(made):
    changed = made.update_subdomain("api.acme.test", "apis", "api")
    assert changed.name == "apis.acme.test"
    assert [s.name for s in made.subdomains] == [
        "app.acme.test",
        "apis.acme.test",
        "docs.acme.test",
    ]
    assert made.changes[-1].what == "Changed subdomain api.acme.test: now apis.acme.test (api)."
    made.save()
    assert [s.role for s in Engagement.load(made.path).subdomains] == ["app", "api", "docs"]


def test_renaming_a_subdomain_onto_another_listed_one_is_refused(made):
    with pytest.raises(EngagementError, match="already listed"):
        made.update_subdomain("api.acme.test", "docs")
    made.update_subdomain("api.acme.test", "api", "other")  # the same name, a new role
    assert made.subdomains[1].role == "other"


def test_an_environment_is_changed_in_place(made):
    made.update_environment("staging", Environment("preview", "https://preview.acme.test", "PRs"))
    assert [(e.name, e.notes) for e in made.environments] == [("prod", ""), ("preview", "PRs")]
    assert made.changes[-1].what.startswith("Changed environment staging: now preview")
    with pytest.raises(EngagementError, match="http:// or https://"):
        made.update_environment("preview", Environment("preview", "ftp://x"))


def test_a_route_cannot_be_renamed_onto_another(made):
    made.add_route(Route("login", "https://acme.test/login", kind="auth"))
    made.add_route(Route("home", "https://acme.test/"))
    with pytest.raises(EngagementError, match="already listed"):
        made.update_route("home", Route("login", "https://acme.test/"))


def test_a_removed_entry_goes_back_where_it_was(made):
    made.remove_subdomain("api.acme.test")
    made.add_subdomain("api", at=1)
    assert [s.name for s in made.subdomains][1] == "api.acme.test"
    made.remove_environment("prod")
    made.add_environment(Environment("prod", "https://acme.test"), at=0)
    assert [e.name for e in made.environments] == ["prod", "staging"]
    for account in ("registrar", "dns", "hosting"):
        made.add_owner(Owner(account, owner="Dana"))
    dns = made.owners[1]
    made.remove_owner(dns)
    made.add_owner(dns, at=1)
    assert [o.account for o in made.owners] == ["registrar", "dns", "hosting"]
    made.save()
    reread = Engagement.load(made.path)
    assert [s.name for s in reread.subdomains][1] == "api.acme.test"
    assert [o.account for o in reread.owners] == ["registrar", "dns", "hosting"]


def test_a_removed_secret_comes_back_whole_at_its_place(made):
    for name in ("STRIPE_SECRET_KEY", "SENDGRID_API_KEY"):
        made.add_secret(
            Secret(name, reference="op://Ops/Stripe/key", owner="Dana", rotation_days=90)
        )
    first = made.secrets[0]
    made.remove_secret(first.name, first.environment)
    made.add_secret(first, at=0)
    assert made.secrets[0] == first
    assert [s.name for s in made.secrets] == ["STRIPE_SECRET_KEY", "SENDGRID_API_KEY"]


def test_the_inventory_read_once_still_follows_every_edit(made):
    """A loaded file's inventory is validated once and kept; a change is seen at once, and
    a caller changing the list it got back changes nothing."""
    made.add_secret(Secret("STRIPE_SECRET_KEY", reference="op://Ops/Stripe/key"))
    made.save()
    loaded = Engagement.load(made.path)
    loaded.secrets.clear()
    assert [s.name for s in loaded.secrets] == ["STRIPE_SECRET_KEY"]
    loaded.add_secret(Secret("SENDGRID_API_KEY", reference="op://Ops/SendGrid/key"))
    assert [s.name for s in loaded.secrets] == ["STRIPE_SECRET_KEY", "SENDGRID_API_KEY"]
    loaded.save()
    loaded.remove_secret("STRIPE_SECRET_KEY", "prod")
    assert [s.name for s in loaded.secrets] == ["SENDGRID_API_KEY"]
