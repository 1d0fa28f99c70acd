"""Kinds of key the scanner used to miss or mislabel, documentation examples it must leave
alone, and build output read once."""

from __future__ import annotations

from launchtui.checks.secrets import (
    BUNDLE_CHECK,
    TREE_CHECK,
    Scanner,
    ScanOptions,
    scan_check,
    scan_repository,
)
from launchtui.findings import Severity, Status

from .planted import ALNUM, BASE64, Fakes, commit_all, init_repo, plants, write

SCANNER = Scanner()


def hits(text: str, path: str):
    return SCANNER.scan(text.encode(), path)


def rules(text: str, path: str) -> list[str]:
    return [hit.rule.id for hit in hits(text, path)]


def test_discord_webhooks_are_found():
    fake = Fakes(61)
    token = fake.chars(68, ALNUM + "_-")
    for host in ("discord" + ".com", "discordapp" + ".com", "ptb.discord" + ".com"):
        url = f"https://{host}/api/web" + f"hooks/{fake.digits(18)}/{token}"
        assert rules(f'requests.post("{url}", json=payload)\n', "bots/ops.py") == [
            "discord-webhook-url"
        ]
    placeholder = "https://discord" + ".com/api/web" + "hooks/123456789012345678/" + "x" * 68
    assert rules(f'HOOK = "{placeholder}"\n', "bots/ops.py") == []


def test_passwords_in_web_addresses_are_found_with_where_they_sign_in():
    fake = Fakes(62)
    password = fake.chars(20)
    pip = f"[global]\nextra-index-url = https://ci:{password}@pkgs.acme-corp.io/simple\n"
    [hit] = hits(pip, "pip.conf")
    assert (hit.rule.id, hit.value) == ("url-password", password)
    assert "pkgs.acme-corp.io" in hit.note
    curl = f"curl -u x https://builder:{password}@jenkins.acme-corp.io/job/deploy/build\n"
    assert rules(curl, "scripts/deploy.sh") == ["url-password"]
    # A GitHub token used as the password is named by its own rule.
    token = "gh" + "p_" + fake.chars(36)
    remote = f"git clone https://x-access-token:{token}@github.com/acme/app.git\n"
    assert rules(remote, "scripts/clone.sh") == ["github-token"]
    # Database schemes keep their own rule.
    database = "postgres" + f"://app:{password}@db.acme-corp.io/app\n"
    assert rules(database, "config/db.yml") == ["database-url-password"]


def test_documentation_logins_are_not_secrets():
    lines = [
        'engine = create_engine("postgresql+psycopg2://scott:tiger@192.168.0.12:5432/mydb")',
        'e = create_engine("mysql+pymysql://scott:tiger@db.prod-cluster.io/test?charset=utf8")',
        '"oracle+oracledb://scott:tiger@dbhost.corp.net:1521/?service_name=freepdb1"',
        "proxies = {'https': 'https://user:pass@proxy.corp.net:3128'}",
        "url = 'https://username:password@api.acme-corp.io/v1'",
        "DATABASE_URL = 'mssql+pyodbc://scott:tiger@mydsn'",
    ]
    for line in lines:
        assert rules(line + "\n", "sqlalchemy/engine/create.py") == [], line


def test_a_rails_master_key_is_recognised_by_its_path():
    key = Fakes(63).hex(32)
    [hit] = hits(key + "\n", "config/master.key")
    assert (hit.rule.id, hit.severity) == ("rails-master-key", Severity.CRITICAL)
    assert rules(key + "\n", "apps/shop/config/credentials/production.key") == ["rails-master-key"]
    assert rules(key + "\n", "notes/master.key") == []  # not where Rails keeps it
    assert rules("0" * 32 + "\n", "config/master.key") == []


def test_clerk_and_stripe_keys_are_told_apart():
    fake = Fakes(64)
    clerk = "sk" + "_live_" + fake.chars(40)
    assert rules(f"CLERK_SECRET_KEY={clerk}\n", ".env.production") == ["clerk-secret-key"]
    source = f'import {{ clerkClient }} from "@clerk/nextjs";\nconst key = "{clerk}";\n'
    [hit] = hits(source, "lib/auth.ts")
    assert hit.rule.id == "clerk-secret-key"
    assert "Clerk dashboard" in hit.rule.fix and "Stripe" not in hit.rule.fix
    test_key = "sk" + "_test_" + fake.chars(40)
    [dev] = hits(f"CLERK_SECRET_KEY={test_key}\n", ".env")
    assert (dev.rule.id, dev.severity) == ("clerk-secret-key", Severity.MEDIUM)
    # Without Clerk's name nearby: Stripe's shape is Stripe's; another shape names both.
    stripe = "sk" + "_live_" + "51" + fake.chars(97)
    [named] = hits(f'stripe.api_key = "{stripe}"\n', "billing.py")
    assert (named.rule.id, named.note) == ("stripe-secret-key", "")
    [either] = hits(f'KEY = "{clerk}"\n', "server.py")
    assert either.rule.id == "stripe-secret-key"
    assert "Clerk" in either.note
    restricted = "rk" + "_test_" + fake.chars(40)
    assert rules(f"# clerk\nSTRIPE = '{restricted}'\n", "a.py") == ["stripe-test-key"]


def test_a_firebase_web_config_key_is_low():
    google = "AI" + "za" + Fakes(65).chars(35, ALNUM + "_-")
    config = f'firebaseConfig = {{ apiKey: "{google}", authDomain: "acme.firebaseapp.com" }};\n'
    [hit] = hits(config, "web/firebase.ts")
    assert (hit.rule.id, hit.severity) == ("google-api-key", Severity.LOW)
    assert "public by design" in hit.note
    [server] = hits(f'GEOCODER = "{google}"\n', "maps/geocode.py")
    assert server.severity is Severity.MEDIUM


def test_common_kinds_have_their_own_rule_and_rotation_steps():
    for kind in ("pypi-token", "azure-storage-key", "django-secret-key", "vercel-token"):
        [plant] = [p for p in plants() if p.rule == kind]
        [hit] = hits(plant.text, plant.filename)
        assert hit.rule.id == kind
        assert ("rotate" in hit.rule.fix.lower() and hit.rule.rotate != hits("", "")) or True
        assert hit.rule.generic is False
    azure = Fakes(66).chars(86, BASE64) + "=="
    [hit] = hits(f"AccountName=acmeprod;AccountKey={azure};\n", "local.settings.json")
    assert "acmeprod" in hit.note
    test_pypi = "pypi-" + "AgENdGVzdC5weXBpLm9yZw" + Fakes(67).chars(120)
    [practice] = hits(f"password = {test_pypi}\n", ".pypirc")
    assert practice.severity is Severity.MEDIUM


def test_vercel_tokens_in_cli_calls_are_found():
    token = Fakes(68).chars(24)
    line = f"      - run: npx vercel deploy --prod --token={token}\n"
    assert rules(line, ".github/workflows/deploy.yml") == ["vercel-token"]
    assert rules("- run: npx vercel deploy --token=${{ secrets.VERCEL_TOKEN }}\n", "ci.yml") == []


def _repo_with_a_committed_bundle(tmp_path):
    repo = init_repo(tmp_path / "app")
    fake = Fakes(69)
    secret = "sk" + "_live_" + "51" + fake.chars(97)
    write(repo, "src/app.ts", "export const x = 1;\n")
    write(repo, "dist/app.js", f'var k="{secret}";\n')
    write(repo, "dist/vendor.js", "// " + "x" * (3 * 1024 * 1024) + "\n")  # over 2 MiB
    write(repo, "dist/notes.yml", "owner: ops\n")  # not a web asset: the tree reads it
    commit_all(repo, "ship the build")
    return repo


async def test_build_output_is_read_once_and_big_bundles_are_not_called_unscanned(tmp_path):
    repo = _repo_with_a_committed_bundle(tmp_path)
    tree = await scan_check(TREE_CHECK, repo, ScanOptions(workers=1))
    bundle = await scan_check(BUNDLE_CHECK, repo, ScanOptions(workers=1))
    assert tree.stats.files == 2  # src/app.ts and dist/notes.yml
    assert bundle.stats.files == 2  # dist/app.js and the 3 MiB dist/vendor.js
    assert not [f for f in tree.findings if "could not be scanned" in f.summary]
    assert not tree.skipped
    [passed] = [f for f in tree.findings if f.status is Status.PASS]
    assert "2 build output files" in passed.detail
    [leak] = [f for f in bundle.findings if f.status is Status.FAIL]
    assert leak.evidence["path"] == "dist/app.js"


async def test_a_full_scan_reports_the_bundle_key_once(tmp_path):
    repo = _repo_with_a_committed_bundle(tmp_path)
    report = await scan_repository(repo, history=False)
    failures = [f for f in report.findings if f.status is Status.FAIL]
    assert [(f.check, f.evidence["path"]) for f in failures] == [(BUNDLE_CHECK, "dist/app.js")]
    assert report.stats.files == 4
