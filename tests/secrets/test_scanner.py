"""The rules on content alone: every planted leak is found, look-alikes are not."""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path

import pytest

from launchtui.checks.secrets import RULES, RULES_BY_ID, Scanner
from launchtui.checks.secrets.rules import generic_name_kind, jwt_payload, shannon_entropy
from launchtui.checks.secrets.scanner import file_kind, is_binary
from launchtui.findings import Severity

from .planted import ALNUM, HEX, Fakes, plants

SCANNER = Scanner()
PACKAGE = Path(__file__).resolve().parents[2] / "launchtui" / "checks" / "secrets"


def rule_ids(text: str | bytes, path: str = "app/config.py") -> list[str]:
    content = text.encode() if isinstance(text, str) else text
    return [hit.rule.id for hit in SCANNER.scan(content, path)]


@pytest.mark.parametrize("plant", plants(), ids=lambda plant: f"{plant.rule}:{plant.filename}")
def test_each_planted_leak_is_found_by_its_own_rule(plant):
    hits = SCANNER.scan(plant.text.encode(), plant.filename)
    assert [hit.rule.id for hit in hits] == [plant.rule]
    hit = hits[0]
    assert hit.line >= 1
    assert plant.secret not in repr(hit)


def test_every_rule_has_a_planted_example_and_founder_text():
    planted = {plant.rule for plant in plants()}
    assert planted == set(RULES_BY_ID)
    for rule in RULES:
        assert rule.keywords or rule.path_pattern
        assert all(keyword == keyword.lower() for keyword in rule.keywords)
        assert rule.summary.endswith(".") and " is in your code: " in rule.summary
        assert rule.fix.startswith("Rotate") and "history" in rule.fix


def test_severity_follows_what_the_key_can_do():
    by_rule = {plant.rule: plant for plant in plants()}

    def severity(rule_id: str) -> Severity:
        plant = by_rule[rule_id]
        return SCANNER.scan(plant.text.encode(), plant.filename)[0].severity

    assert severity("stripe-secret-key") is Severity.CRITICAL
    assert severity("aws-access-key-id") is Severity.CRITICAL
    assert severity("supabase-service-role-key") is Severity.CRITICAL
    assert severity("github-token") is Severity.HIGH
    assert severity("stripe-test-key") is Severity.MEDIUM
    # a hosted database is worse than an unknown host
    assert severity("database-url-password") is Severity.CRITICAL


def test_generic_secret_in_env_file_is_high_and_in_code_medium():
    fake = Fakes(7)
    value = fake.chars(40)
    env_hit = SCANNER.scan(f"JWT_SECRET={value}\n".encode(), ".env.production")
    code_hit = SCANNER.scan(f'JWT_SECRET = "{value}"\n'.encode(), "app/settings.py")
    assert env_hit[0].severity is Severity.HIGH
    assert code_hit[0].severity is Severity.MEDIUM
    assert env_hit[0].name == "JWT_SECRET"


@pytest.mark.parametrize(
    "text",
    [
        "STRIPE_SECRET_KEY=sk" + "_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
        "STRIPE_SECRET_KEY=sk" + "_live_your_key_here_0000000000\n",
        "STRIPE_SECRET_KEY=sk" + "_live_000000000000000000000000\n",
        "aws_access_key_id = AKIA" + "IOSFODNN7EXAMPLE\n",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY\n",
        "API_KEY=your_key_here\n",
        "API_KEY=<your-api-key>\n",
        "API_KEY=${API_KEY}\n",
        "SECRET_KEY=changeme\n",
        "DB_PASSWORD=test123\n",
        "AUTH_TOKEN=dummy-token-for-tests\n",
        "OPENAI_API_KEY=sk" + "-proj-...\n",
        "token: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
        'password = os.environ["DB_PASSWORD"]\n',
        "token = get_token()\n",
        'cache_key = "user_profile_v2_by_email"\n',
        'PUBLIC_KEY = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"\n',
        "STRIPE_PUBLISHABLE_KEY=pk" + "_live_51H8cQ2LkQz9XbT3mV7nR2pW4sY6uA8cE0gI\n",
        "NEXT_PUBLIC_STRIPE_KEY=pk" + "_test_51H8cQ2LkQz9XbT3mV7nR2pW4sY6uA8cE0gI\n",
        "DATABASE_URL=postgres" + "://user:password@localhost:5432/app\n",
        "DATABASE_URL=postgres" + "://app:s3cr3tValue99@db:5432/app\n",
        "REDIS_URL=redis" + "://default:${REDIS_PASSWORD}@cache.example.com:6379\n",
        "MONGO_URL=mongodb+srv" + "://admin:<password>@cluster0.abcde.mongodb.net/db\n",
    ],
)
def test_placeholders_and_public_values_are_not_reported(text):
    assert rule_ids(text, ".env") == []


def test_lock_file_integrity_hashes_are_not_secrets():
    fake = Fakes(11)
    digest = base64.b64encode(bytes(fake.rng.getrandbits(8) for _ in range(64))).decode()
    package_lock = json.dumps(
        {
            "packages": {
                "node_modules/js-tokens": {
                    "version": "4.0.0",
                    "resolved": "https://registry.npmjs.org/js-tokens/-/js-tokens-4.0.0.tgz",
                    "integrity": f"sha512-{digest}",
                    "secret": fake.chars(40),
                }
            }
        },
        indent=2,
    )
    assert rule_ids(package_lock, "package-lock.json") == []
    yarn = f'"js-tokens@^4.0.0":\n  integrity sha512-{digest}\n  token "{fake.chars(40)}"\n'
    assert rule_ids(yarn, "yarn.lock") == []
    poetry = f'[metadata.files]\nkeyring = [\n    {{hash = "sha256:{fake.hex(64)}"}},\n]\n'
    assert rule_ids(poetry, "poetry.lock") == []
    cargo = f'[[package]]\nname = "secret-service"\nchecksum = "{fake.hex(64)}"\n'
    assert rule_ids(cargo, "Cargo.lock") == []


def test_uuids_are_not_secrets_except_next_to_postmark():
    fake = Fakes(3)
    token = fake.uuid()
    assert rule_ids(f'REQUEST_ID = "{token}"\nSESSION_TOKEN = "{fake.uuid()}"\n') == []
    assert rule_ids(f'POSTMARK_API_TOKEN = "{token}"\n') == ["postmark-server-token"]


def test_data_uris_and_base64_blobs_are_not_secrets():
    fake = Fakes(5)
    blob = base64.b64encode(bytes(fake.rng.getrandbits(8) for _ in range(3000))).decode()
    text = f'const icon_key = "data:image/png;base64,{blob}";\nbackground: url(data:{blob});\n'
    assert rule_ids(text, "web/icons.js") == []


def test_minified_javascript_noise_is_not_reported():
    fake = Fakes(9)
    pieces = []
    for index in range(400):
        pieces.append(
            f'var a{index}={{token:"{fake.chars(24)}",key:"{fake.chars(32)}",'
            f'secret_{index}:"{fake.hex(40)}"}};'
        )
    minified = "".join(pieces)
    assert len(minified) > 2000
    assert rule_ids(minified, "dist/assets/index-4f2a.js") == []


def test_supabase_anon_key_is_public_but_service_role_is_not():
    fake = Fakes(13)
    anon = fake.jwt({"iss": "supabase", "ref": "abcdefghijklmnopqrst", "role": "anon"})
    service = fake.jwt({"iss": "supabase", "ref": "abcdefghijklmnopqrst", "role": "service_role"})
    assert rule_ids(f"NEXT_PUBLIC_SUPABASE_ANON_KEY={anon}\n", ".env") == []
    assert rule_ids(f"SUPABASE_SERVICE_ROLE_KEY={service}\n", ".env") == [
        "supabase-service-role-key"
    ]
    payload = jwt_payload(service)
    assert payload is not None and payload["role"] == "service_role"


def test_expired_jwt_is_low_and_documentation_jwt_is_ignored():
    fake = Fakes(17)
    expired = fake.jwt({"sub": "user_1x9", "exp": 1_500_000_000})
    hits = SCANNER.scan(f'TOKEN = "{expired}"\n'.encode(), "scripts/check.py")
    assert [hit.rule.id for hit in hits] == ["jwt"]
    assert hits[0].severity is Severity.LOW
    documentation = fake.jwt({"sub": "1234567890", "name": "John Doe", "iat": 1516239022})
    assert rule_ids(f'TOKEN = "{documentation}"\n') == []


def test_private_keys_but_not_public_keys_or_certificates():
    fake = Fakes(19)
    body = "\n".join(fake.pem_body())
    for kind in ("PUBLIC KEY", "CERTIFICATE", "RSA PUBLIC KEY"):
        pem = f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n"
        assert rule_ids(pem, "certs/server.pem") == []
    for kind in ("PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"):
        pem = f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n"
        assert rule_ids(pem, "certs/server.pem") == ["private-key"]
    encrypted = (
        f"-----BEGIN ENCRYPTED PRIVATE KEY-----\n{body}\n-----END ENCRYPTED PRIVATE KEY-----"
    )
    hits = SCANNER.scan(encrypted.encode(), "certs/server.key")
    assert hits[0].severity is Severity.MEDIUM
    docs = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA...\n-----END RSA PRIVATE KEY-----"
    assert rule_ids(docs, "README.md") == []


def test_service_account_key_is_reported_once_with_the_private_key_fingerprint():
    plant = next(plant for plant in plants() if plant.rule == "gcp-service-account")
    hits = SCANNER.scan(plant.text.encode(), plant.filename)
    assert [hit.rule.id for hit in hits] == ["gcp-service-account"]
    pem = plant.secret.replace("\\n", "\n")
    same_key_as_pem = SCANNER.scan(pem.encode(), "key.pem")
    assert same_key_as_pem[0].fingerprint == hits[0].fingerprint


def test_binary_sniff_and_non_utf8_content():
    assert is_binary(b"\x89PNG\r\n\x1a\n\0\0\0IHDR")
    assert not is_binary("héllo".encode())
    fake = Fakes(23)
    token = "gh" + "p_" + fake.chars(36)
    content = b"\xff\xfe caf\xe9 latin-1 text\n" + f"GH_TOKEN={token}\n".encode() + b"\x80\x81\n"
    hits = SCANNER.scan(content, "notes.txt")
    assert [hit.rule.id for hit in hits] == ["github-token"]
    assert hits[0].line == 2


def test_generic_rule_reads_variable_names_like_a_person():
    assert generic_name_kind("STRIPE_SECRET_KEY") == "key"
    assert generic_name_kind("apiKey") == "key"
    assert generic_name_kind("DB_PASSWORD") == "password"
    assert generic_name_kind("githubAccessToken") == "token"
    assert generic_name_kind("key") is None
    assert generic_name_kind("TOKEN_URL") is None
    assert generic_name_kind("SECRET_NAME") is None
    assert generic_name_kind("NEXT_PUBLIC_API_KEY") is None
    assert generic_name_kind("monkey") is None
    assert generic_name_kind("tokenizer") is None


def test_entropy_separates_keys_from_words():
    fake = Fakes(29)
    assert shannon_entropy(fake.chars(40)) > 4.5
    assert shannon_entropy("aaaaaaaaaaaaaaaa") == 0.0
    assert shannon_entropy(fake.chars(32, HEX)) > 3.3
    assert len(ALNUM) == 62


def test_overlapping_matches_keep_the_specific_rule():
    fake = Fakes(31)
    key = "sk" + "_live_" + fake.chars(40)
    hits = SCANNER.scan(f'STRIPE_SECRET_KEY="{key}"\n'.encode(), "app/settings.py")
    assert [hit.rule.id for hit in hits] == ["stripe-secret-key"]


def test_file_kinds():
    assert file_kind("web/package-lock.json").is_lock
    assert file_kind("x/Cargo.lock").is_lock
    assert file_kind(".env").is_env and not file_kind(".env").is_env_template
    assert file_kind("app/.env.example").is_env_template
    assert file_kind("docker/web.env").is_env
    assert file_kind("config/app.yaml").bare_values
    assert not file_kind("src/app.py").bare_values


def test_our_own_code_and_tests_hold_nothing_that_looks_like_a_key():
    tests = Path(__file__).resolve().parent
    files = [*PACKAGE.glob("*.py"), *tests.glob("*.py")]
    assert len(files) >= 8
    for path in files:
        assert SCANNER.scan(path.read_bytes(), str(path)) == [], path


def test_generic_guess_defers_to_named_rules_on_public_keys():
    fake = Fakes(37)
    publishable = "pk" + "_live_" + fake.chars(99)
    assert rule_ids(f"STRIPE_KEY={publishable}\n", ".env") == []
    assert rule_ids(f'stripeKey: "{publishable}",\n', "web/config.ts") == []


def test_twilio_auth_token_passed_after_the_account_sid():
    fake = Fakes(41)
    sid, token = "A" + "C" + fake.hex(32), fake.hex(32)
    text = f'from twilio.rest import Client\nclient = Client("{sid}", "{token}")\n'
    hits = SCANNER.scan(text.encode(), "sms/send.py")
    assert [(hit.rule.id, hit.value) for hit in hits] == [("twilio-auth-token", token)]
    unrelated = f'from twilio.rest import Client\nETAG = "{fake.hex(32)}"\n'
    assert rule_ids(unrelated, "sms/cache.py") == []


def test_values_printed_in_documentation_are_not_reported():
    # RFC 6749's example tokens; the Stripe docs test key, split so this file stays clean
    text = (
        'access_token = "2YotnFZFEjr1zCsicMWpAA"\n'
        'refresh_token = "tGzv3JOkF0XG5Qx2TlKWIA"\n'
        f'stripe.api_key = "{"sk_" + "test_" + "4eC39HqLyjWDarjtT1zdp7dc"}"\n'
    )
    assert rule_ids(text, "docs/oauth.py") == []
    readme_jwt = Fakes(43).jwt({"some": "payload"})
    assert rule_ids(f"jwt.decode('{readme_jwt}', 'secret')\n", "README.rst") == []


def test_generic_values_with_symbols_are_found_but_templates_are_not():
    fake = Fakes(47)
    symbols = "!@#$%^&*(-_=+)"
    django = "django-insecure-" + "".join(fake.rng.choice(ALNUM + symbols) for _ in range(50))
    django = django.replace("${", "$x").replace("{", "x").replace("%(", "%x").replace("%s", "%x")
    settings = f"# Django settings\nSECRET_KEY = '{django}1'\n"
    assert rule_ids(settings, "mysite/settings.py") == ["django-secret-key"]
    flask = django.removeprefix("django-insecure-")
    assert rule_ids(f"SECRET_KEY = '{flask}1'\n", "app/config.py") == ["generic-secret"]
    templates = [
        'API_TOKEN = f"{prefix}-{user_id}-v2"',
        'DB_PASSWORD = "${DB_PASSWORD_2}"',
        'secret_key = "%(secret)s123456"',
        'auth_token = "{{ vault_token_2 }}"',
        'SIGNING_KEY = "$SIGNING_KEY_V2"',
    ]
    for line in templates:
        assert rule_ids(line + "\n", "app/settings.py") == [], line


def rules_found(path: str, text: str) -> set[str]:
    return {hit.rule.id for hit in Scanner().scan(text.encode(), path)}


def test_hex_secrets_from_openssl_rand_are_found():
    """`openssl rand -hex 16|20|32`, a thousand keys each from a fixed seed: a random hex key
    can have long runs of digits, and a detector tuned on mixed-case keys misses them."""
    rng = random.Random(2026)
    for digits, may_miss in ((32, 3), (40, 1), (64, 0)):
        tokens = [f"{rng.getrandbits(digits * 4):0{digits}x}" for _ in range(1000)]
        missed = [
            t for t in tokens if "generic-secret" not in rules_found(".env", f"APP_SECRET={t}\n")
        ]
        assert len(missed) <= may_miss, (digits, missed)
    token = f"{rng.getrandbits(256):064x}"
    assert "generic-secret" in rules_found("settings.py", f'SECRET_KEY = "{token}"\n')


def test_a_redis_url_with_an_empty_user_is_found():
    password = Fakes(11).chars(24)
    text = (
        f"REDIS_URL=redis://:{password}@redis-12345.c1.eu-west-1-1.ec2.cloud.redislabs.com:12345\n"
    )
    assert "database-url-password" in rules_found(".env.production", text)


def test_an_npm_token_in_npmrc_is_found():
    token = "npm_" + Fakes(12).chars(36)
    assert "npm-access-token" in rules_found(
        ".npmrc", f"//registry.npmjs.org/:_authToken={token}\n"
    )


def test_a_long_line_of_token_assignments_is_scanned_correctly():
    line = "&token=ab" * 20000 + "\n"
    assert rules_found("query.txt", line) == set()


async def test_a_utf16_file_from_powershell_is_scanned_on_the_right_line(tmp_path):
    from launchtui.checks.secrets import scan_repository

    key_id = "AKIA" + "Q3EGRIMPLA7XB2TU"
    secret = Fakes(13).chars(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+")
    text = f"# exported\r\nAWS_ACCESS_KEY_ID={key_id}\r\nAWS_SECRET_ACCESS_KEY={secret}\r\n"
    (tmp_path / "creds.env.txt").write_bytes(text.encode("utf-16"))
    report = await scan_repository(tmp_path, history=False)
    targets = {f.target for f in report.findings if f.status.value == "fail"}
    assert "creds.env.txt:2" in targets
