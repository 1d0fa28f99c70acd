"""Fake credentials, built at run time from parts, and real git repositories to plant them in.

Every value is assembled from a vendor prefix split in two and random characters, so no
file in this repository contains anything that looks like a key (a test scans our own
files to prove it). The random generator is seeded, so runs are repeatable.
"""

from __future__ import annotations

import base64
import json
import os
import random
import string
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

UPPER_DIGITS = string.ascii_uppercase + string.digits
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
BASE64 = ALNUM + "+/"


class Fakes:
    """A seeded source of random, realistic-looking credential values."""

    def __init__(self, seed: int = 1729) -> None:
        self.rng = random.Random(seed)

    def chars(self, count: int, alphabet: str = ALNUM) -> str:
        # Mixed case and digits guaranteed: real keys have them, and so must a fair test.
        while True:
            value = "".join(self.rng.choice(alphabet) for _ in range(count))
            if alphabet != ALNUM or (
                any(c.isupper() for c in value)
                and any(c.islower() for c in value)
                and any(c.isdigit() for c in value)
            ):
                return value

    def digits(self, count: int) -> str:
        return "".join(self.rng.choice(string.digits) for _ in range(count))

    def hex(self, count: int) -> str:
        return "".join(self.rng.choice(HEX) for _ in range(count))

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def pem_body(self, lines: int = 20) -> list[str]:
        raw = bytes(self.rng.getrandbits(8) for _ in range(48 * lines))
        encoded = base64.b64encode(raw).decode()
        return [encoded[index : index + 64] for index in range(0, len(encoded), 64)]

    def jwt(self, payload: dict[str, object]) -> str:
        def part(data: dict[str, object]) -> str:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

        header = {"alg": "HS256", "typ": "JWT"}
        return f"{part(header)}.{part(payload)}.{self.chars(43, ALNUM + '-_')}"


@dataclass(frozen=True)
class Plant:
    """One planted credential: the file it lives in, the file's text, the secret itself."""

    rule: str
    filename: str
    text: str
    secret: str


def plants(seed: int = 1729) -> list[Plant]:
    """One realistic leak per rule, each in the kind of file it usually leaks from."""
    fake = Fakes(seed)
    stripe_live = "sk" + "_live_" + fake.chars(99)
    restricted = "rk" + "_live_" + fake.chars(99)
    stripe_test = "sk" + "_test_" + fake.chars(99)
    aws_id = "AK" + "IA" + fake.chars(16, UPPER_DIGITS)
    aws_secret = fake.chars(40, BASE64)
    github = "gh" + "p_" + fake.chars(36)
    github_fine = "github" + "_pat_" + fake.chars(22) + "_" + fake.chars(59)
    gitlab = "gl" + "pat-" + fake.chars(20)
    slack = "xo" + "xb-" + fake.digits(12) + "-" + fake.digits(13) + "-" + fake.chars(24)
    webhook_path = "T" + fake.chars(10, UPPER_DIGITS) + "/B" + fake.chars(10, UPPER_DIGITS)
    webhook = "hooks" + ".slack.com/services/" + webhook_path + "/" + fake.chars(24)
    openai = "sk" + "-proj-" + fake.chars(120, ALNUM + "_-")
    openai_legacy = "sk" + "-" + fake.chars(20) + "T3Blbk" + "FJ" + fake.chars(20)
    anthropic = "sk" + "-ant-api03-" + fake.chars(93, ALNUM + "_-") + "AA"
    google = "AI" + "za" + fake.chars(35, ALNUM + "_-")
    account_body = fake.pem_body()
    pem_armour = "PRIVATE" + " KEY-----"
    service_key = (
        "-----BEGIN " + pem_armour + "\\n" + "\\n".join(account_body) + "\\n-----END " + pem_armour
    )
    service_key += "\\n"
    service_account = json.dumps(
        {
            "type": "service" + "_account",
            "project_id": "launch-demo-31337",
            "private_key_id": fake.hex(40),
            "private_key": "@@KEY@@",
            "client_email": "firebase-adminsdk@launch-demo-31337.iam.gserviceaccount.com",
        },
        indent=2,
    ).replace("@@KEY@@", service_key)
    rsa_body = fake.pem_body()
    rsa_armour = "RSA PRIVATE" + " KEY-----"
    private_key = "-----BEGIN " + rsa_armour + "\n" + "\n".join(rsa_body) + "\n-----END "
    private_key += rsa_armour + "\n"
    now = 1_900_000_000
    service_role = fake.jwt(
        {"iss": "supabase", "ref": "qwertyuiopasdfghjklz", "role": "service" + "_role", "exp": now}
    )
    session_jwt = fake.jwt({"sub": "user_8f3k2q", "role": "authenticated", "exp": now})
    sendgrid = "SG" + "." + fake.chars(22) + "." + fake.chars(43)
    mailgun = "key" + "-" + fake.hex(32)
    mailgun_new = fake.hex(32) + "-" + fake.hex(8) + "-" + fake.hex(8)
    twilio_token = fake.hex(32)
    twilio_key = "S" + "K" + fake.hex(32)
    postmark = fake.uuid()
    resend = "re" + "_" + fake.chars(8) + "_" + fake.chars(24)
    npm = "npm_" + fake.chars(36)
    cloudflare = fake.chars(40, ALNUM + "_-")
    db_password = fake.chars(24)
    generic = fake.chars(48)
    python_secret = fake.chars(32)
    clerk = "sk" + "_live_" + fake.chars(40)
    discord = (
        "https://discord" + ".com/api/web" + "hooks/" + fake.digits(18) + "/"
        + fake.chars(68, ALNUM + "_-")
    )  # fmt: skip
    index_password = fake.chars(24)
    master_key = fake.hex(32)
    pypi = "pypi-" + "AgEIcHlwaS5vcmc" + fake.chars(140, ALNUM + "_-")
    azure = fake.chars(86, BASE64) + "=="
    django = "".join(fake.rng.choice(ALNUM + "!@#^&*(-_=+)") for _ in range(49)) + "7"
    vercel = fake.chars(24)
    return [
        Plant("aws-access-key-id", "deploy/aws.env", f"AWS_ACCESS_KEY_ID={aws_id}\n", aws_id),
        Plant(
            "aws-secret-access-key",
            "deploy/credentials",
            f"[default]\naws_secret_access_key = {aws_secret}\n",
            aws_secret,
        ),
        Plant(
            "stripe-secret-key",
            "server/billing.js",
            f'const stripe = require("stripe")("{stripe_live}");\n',
            stripe_live,
        ),
        Plant(
            "stripe-restricted-key",
            "server/reports.py",
            f'STRIPE_REPORTS = "{restricted}"\n',
            restricted,
        ),
        Plant("stripe-test-key", "config/test.yml", f"stripe: {stripe_test}\n", stripe_test),
        Plant("github-token", "scripts/release.sh", f"export GH_TOKEN={github}\n", github),
        Plant("github-token", "scripts/ci.ts", f'const token = "{github_fine}";\n', github_fine),
        Plant("gitlab-token", "ci/gitlab.yml", f"token: {gitlab}\n", gitlab),
        Plant("slack-token", "bots/slack.py", f'client = WebClient("{slack}")\n', slack),
        Plant("slack-webhook-url", "bots/notify.js", f'post("https://{webhook}");\n', webhook),
        Plant("openai-api-key", "ai/openai.py", f'OPENAI = "{openai}"\n', openai),
        Plant("openai-api-key", "ai/legacy.py", f'key = "{openai_legacy}"\n', openai_legacy),
        Plant("anthropic-api-key", "ai/claude.ts", f'apiKey: "{anthropic}",\n', anthropic),
        Plant("google-api-key", "maps/geocode.py", f'GEOCODER = "{google}"\n', google),
        Plant(
            "gcp-service-account",
            "firebase/admin.json",
            service_account + "\n",
            service_key,
        ),
        Plant("private-key", "deploy/id_rsa", private_key, "\n".join(rsa_body)),
        Plant(
            "supabase-service-role-key",
            "server/db.ts",
            f'createClient(url, "{service_role}")\n',
            service_role,
        ),
        Plant(
            "jwt",
            "scripts/smoke.sh",
            f'curl -H "Authorization: Bearer {session_jwt}"\n',
            session_jwt,
        ),
        Plant(
            "sendgrid-api-key", "mail/send.py", f'sg = SendGridAPIClient("{sendgrid}")\n', sendgrid
        ),
        Plant("mailgun-api-key", "mail/mailgun.env", f"MAILGUN_API_KEY={mailgun}\n", mailgun),
        Plant(
            "mailgun-api-key",
            "mail/settings.py",
            f'MAILGUN = {{"domain": "mg.example.org", "key": "{mailgun_new}"}}\n',
            mailgun_new,
        ),
        Plant(
            "twilio-auth-token",
            "sms/twilio.env",
            f"TWILIO_ACCOUNT_SID=AC{fake.hex(32)}\nTWILIO_AUTH_TOKEN={twilio_token}\n",
            twilio_token,
        ),
        Plant("twilio-api-key", "sms/client.py", f'twilio_key_sid = "{twilio_key}"\n', twilio_key),
        Plant(
            "postmark-server-token",
            "mail/postmark.rb",
            f'POSTMARK_SERVER_TOKEN = "{postmark}"\n',
            postmark,
        ),
        Plant(
            "resend-api-key", "mail/resend.ts", f"const resend = new Resend('{resend}');\n", resend
        ),
        Plant("npm-access-token", ".npmrc", f"//registry.npmjs.org/:_authToken={npm}\n", npm),
        Plant(
            "cloudflare-api-token",
            "infra/wrangler.env",
            f"CLOUDFLARE_API_TOKEN={cloudflare}\n",
            cloudflare,
        ),
        Plant(
            "database-url-password",
            "server/database.yml",
            "url: postgres" + f"://app:{db_password}@db.qwertyuiopasdfghjklz.supabase.co:5432/db\n",
            db_password,
        ),
        Plant("generic-secret", "server/session.env", f"SESSION_SECRET={generic}\n", generic),
        Plant(
            "generic-secret",
            "server/settings.py",
            f'SIGNING_KEY = "{python_secret}"\n',
            python_secret,
        ),
        Plant(
            "clerk-secret-key",
            "server/auth.ts",
            f'const clerk = createClerkClient({{ secretKey: "{clerk}" }});\n',
            clerk,
        ),
        Plant("discord-webhook-url", "bots/alerts.py", f'ALERTS = "{discord}"\n', discord[8:]),
        Plant(
            "url-password",
            "pip.conf",
            f"[global]\nindex-url = https://deploy:{index_password}@pypi.acme-corp.io/simple\n",
            index_password,
        ),
        Plant("rails-master-key", "config/master.key", master_key + "\n", master_key),
        Plant("pypi-token", ".pypirc", f"[pypi]\nusername = __token__\npassword = {pypi}\n", pypi),
        Plant(
            "azure-storage-key",
            "api/appsettings.json",
            '{"Storage": "DefaultEndpointsProtocol=https;AccountName=acmeprod;'
            f'AccountKey={azure};EndpointSuffix=core.windows.net"}}\n',
            azure,
        ),
        Plant(
            "django-secret-key",
            "mysite/settings.py",
            f'"""Django settings for mysite."""\nSECRET_KEY = "{django}"\n',
            django,
        ),
        Plant("vercel-token", "deploy/vercel.env", f"VERCEL_TOKEN={vercel}\n", vercel),
    ]


GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Planted Tester",
    "GIT_AUTHOR_EMAIL": "tester@example.invalid",
    "GIT_COMMITTER_NAME": "Planted Tester",
    "GIT_COMMITTER_EMAIL": "tester@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str, date: str | None = None) -> str:
    """Run git in `repo` with a fixed identity and no user config; return stdout."""
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith("GIT_")},
        **GIT_IDENTITY,
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    if date:
        environment["GIT_AUTHOR_DATE"] = date
        environment["GIT_COMMITTER_DATE"] = date
    completed = subprocess.run(
        ["git", "-C", str(repo), "-c", "init.defaultBranch=main", *args],
        capture_output=True,
        env=environment,
        check=True,
    )
    return completed.stdout.decode()


def init_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    return path


def write(root: Path, relative: str, text: str | bytes) -> Path:
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text, encoding="utf-8")
    return target


def commit_all(repo: Path, message: str, date: str | None = None) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message, date=date)
    return git(repo, "rev-parse", "HEAD").strip()


def shallow_clone(origin: Path, destination: Path) -> Path:
    """`git clone --depth 1 file://…`: only the newest commit comes along."""
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{origin}", str(destination)],
        check=True,
        capture_output=True,
        env={**os.environ, **GIT_IDENTITY, "GIT_CONFIG_GLOBAL": os.devnull},
    )
    return destination
