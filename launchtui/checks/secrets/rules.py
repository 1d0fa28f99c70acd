"""What a leaked key looks like: our own rules, one per kind of key founders actually leak.

Each rule has a stable id (users accept findings by fingerprint, but reports and SARIF name
the rule), lowercase keywords that must appear in a file before its regexes run, the
regexes themselves (bytes, so any file can be scanned without decoding), and the words a
founder reads: a summary of what someone holding the key can do, and how to rotate it.

Token formats are public facts (vendors document their prefixes so that scanners can find
leaks); the patterns, thresholds and texts here are written for this project.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import math
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from ...findings import Severity

REMOVE_FROM_HISTORY = (
    "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/"
    "removing-sensitive-data-from-a-repository"
)

# Longest line (bytes) on which a generic `NAME = value` match is believed: minified
# JavaScript puts a whole app on one line and is full of random-looking strings.
MINIFIED_LINE = 2000


@dataclass(frozen=True, slots=True)
class FileKind:
    """What kind of file a match came from; rules judge some matches by it."""

    is_lock: bool = False  # package-lock.json, poetry.lock...: integrity hashes, not secrets
    is_env: bool = False  # .env, .env.production, app.env
    is_env_template: bool = False  # .env.example and friends: placeholders expected
    bare_values: bool = False  # KEY=value without quotes is an assignment (env, YAML, INI)
    is_example: bool = False  # docs and fixtures (examples/, __mocks__/): guesses are fake


@dataclass(frozen=True, slots=True)
class Candidate:
    """One regex match, as a rule's validator sees it."""

    value: str  # the secret text, original case
    name: str  # the variable or key it is assigned to ("" when unknown), original case
    path: str
    kind: FileKind
    before: bytes  # lowercased text just before the match
    after: bytes  # lowercased text just after the match
    line_length: int
    match: re.Match[bytes]  # on the lowercased text when the rule says `lowered`


@dataclass(frozen=True, slots=True)
class Verdict:
    """A validator's yes: optionally a different severity, a note, or a normalised value."""

    severity: Severity | None = None
    note: str = ""
    value: str | None = None  # replaces the matched text for fingerprinting and redaction


Validator = Callable[[Candidate], "Verdict | None"]
ACCEPT = Verdict()


@dataclass(frozen=True, slots=True)
class Pattern:
    regex: str
    near: tuple[str, ...] = ()  # one of these lowercase words must be within near_window bytes
    near_window: int = 200
    # Runs only when one of these is in the file too: keeps slow, keyword-less regexes rare.
    requires: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    severity: Severity
    keywords: tuple[str, ...]  # lowercase; the rule's regexes run only if one is in the file
    patterns: tuple[Pattern, ...]
    what: str  # "A live Stripe secret key": the subject of every sentence about a match
    risk: str  # for a founder: what anyone holding the key can do
    rotate: str  # the first, most important step of the fix
    refs: tuple[str, ...] = ()
    entropy_min: float = 0.0  # Shannon bits per character of the value
    lowered: bool = False  # regexes run on lowercased text; the value is read from the original
    boundary: bool = True  # the match must not continue a longer word on its left
    validate: Validator | None = None
    in_browser: Severity | None = Severity.CRITICAL  # in a web bundle; None: publishable there
    generic: bool = False  # a guess from a variable name: loses to any specific rule
    keep: int | None = 4  # characters of the value a redaction may show (None: by length)
    allow_uuid: bool = False
    placeholder_check: bool = True  # off where the validator judges placeholders itself
    # A regex on the file's path (lowercase, "/" separators) that triggers the rule without
    # any keyword: for keys recognised by where they live (Rails' config/master.key).
    path_pattern: str | None = None

    @property
    def summary(self) -> str:
        """The founder's sentence for a match in the working tree."""
        return self.summary_where("in your code")

    def summary_where(self, where: str) -> str:
        return f"{self.what} is {where}: {self.risk}"

    @property
    def fix(self) -> str:
        return (
            f"{self.rotate} Rotating comes first: anyone who already copied the key keeps it "
            "even after it is deleted from the code. Then move the value out of the code into an "
            "environment variable or your host's secret settings, and keep .env files out of git. "
            "Removing it from git history (git filter-repo) is the last step and only worth doing "
            "after the key has been rotated."
        )

    @property
    def priority(self) -> int:
        """Which of two overlapping matches wins: named formats beat guesses."""
        if self.generic:
            return 0
        return 5 if self.id == "jwt" else 10


def _words(text: str) -> tuple[str, ...]:
    """Whitespace-separated words: long word lists read as a paragraph, not a column."""
    return tuple(text.split())


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# -- value heuristics -------------------------------------------------------------------

PLACEHOLDER_MARKERS = _words(
    """
    example sample placeholder your_ your- yourkey yourtoken yoursecret xxxx changeme
    change_me change-me dummy fake redacted replace_me replaceme insert_ test123 abcdefgh
    12345678 0123456789 foobar my_ < > ${ {{ $( %( ... … ****
    """
)

# Extra markers for generic `NAME = value` guesses, which need far more evidence.
GENERIC_PLACEHOLDER_MARKERS = PLACEHOLDER_MARKERS + _words(
    r"""
    secret token password passwd api_key api-key apikey mock invalid notreal not_real
    not-a-real testing default todo %s \
    """
)

# Values published in documentation, stored as fingerprints (sha256, first 16 hex digits)
# so that this file holds nothing that looks like a key: the example tokens of RFC 6749
# (OAuth 2.0, sections 4.1.4 and 5.1) and the test keys printed in Stripe's API docs.
KNOWN_EXAMPLE_FINGERPRINTS = frozenset(
    {
        "6c96130f130ab0d6",  # RFC 6749 access_token
        "00cf4c781dc37003",  # RFC 6749 refresh_token
        "2cafc0970149a84f",  # Stripe docs test key
        "f2d6ca16515033e5",  # Stripe docs test key (older)
    }
)

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
HEX_RE = re.compile(r"[0-9a-f]+", re.I)


def shannon_entropy(value: str) -> float:
    """Bits per character; random base62 keys score about 5, English words about 3."""
    if not value:
        return 0.0
    length = len(value)
    return -sum(count / length * math.log2(count / length) for count in Counter(value).values())


def looks_like_placeholder(value: str, markers: tuple[str, ...] = PLACEHOLDER_MARKERS) -> bool:
    """Documentation values: `sk_live_xxxx`, `<your-key>`, `${API_KEY}`, `AKIA...EXAMPLE`."""
    lowered = value.lower()
    if any(marker in lowered for marker in markers):
        return True
    if len(value) >= 12:
        most_common = Counter(value).most_common(1)[0][1]
        if most_common / len(value) > 0.35:  # sk_live_000000000000000000000000
            return True
    return False


def class_transitions(value: str) -> float:
    """Share of neighbouring characters from different classes (lower, upper, digit, other).

    Random keys change class at about half their positions; identifiers such as
    `ProfileCacheV2` or `refresh_token_expired` change far less often.
    """
    if len(value) < 2:
        return 0.0

    def char_class(char: str) -> int:
        if char.islower():
            return 0
        if char.isupper():
            return 1
        if char.isdigit():
            return 2
        return 3

    classes = [char_class(char) for char in value]
    changes = sum(1 for a, b in itertools.pairwise(classes) if a != b)
    return changes / (len(value) - 1)


def character_classes(value: str) -> int:
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )


# -- words in variable names ---------------------------------------------------------------

_WORD_RE = re.compile(r"[A-Z]+\d*(?![a-z])|[A-Z]?[a-z]+\d*|\d+")


def name_words(name: str) -> list[str]:
    """`STRIPE_SECRET_KEY` -> stripe, secret, key; `apiKey` -> api, key."""
    return [word.lower() for word in _WORD_RE.findall(name)]


# A variable whose last secret-ish word is followed by one of these names something about
# the secret (where it lives, how long it is), not the secret: TOKEN_URL, SECRET_NAME.
_NOT_THE_VALUE = _word_set(
    """
    alg algorithm arn at attr attribute bits bytes cache changed char chars class column
    config count created date description dict digest dir enabled encoding endpoint env
    error errors expiration expires expiry factory field fields file files filter format
    generator hash header headers help hint id ids index input keyring kind label last len
    length list loader location manager map max message method min mode module name names
    option optional options param params parser path paths pattern placeholder policy prefix
    prompt prop property provider question reader ref reference regex required reset rule
    rules schema scope set setting settings size source spec storage store str suffix
    template text time timeout title ttl type types updated uri url urls usage used
    validator var vars vault version
    """
)

# Words that make a name public, fake or not a credential at all.
_NOT_A_SECRET = _word_set(
    """
    anon bos cache cancel cancellation cls composite condition continuation csrf default
    dummy end eof eos example fake foreign hot i18n idempotency input lexer limit locale
    lookup mask mock modifier natural next output pad padding page partition placeholder
    primary pub public publishable react result route s3 sample sep short shortcut sort
    special start sync translation unique unk xsrf
    """
)

_KEY_COMPOUNDS = _word_set(
    """
    accesskey adminkey apikey appkey authkey clientkey encryptionkey licensekey masterkey
    privatekey secretkey serverkey servicekey signingkey webhookkey
    """
)


def _secret_head(words: list[str]) -> tuple[int, str] | None:
    """Index and kind of the last word that says "this is a secret", if any."""
    for index in range(len(words) - 1, -1, -1):
        word = words[index]
        if word == "key":
            if index > 0:
                return index, "key"
            continue
        if word in _KEY_COMPOUNDS:
            return index, "key"
        if word in ("pass", "pwd", "passwd", "passphrase") or word.endswith("password"):
            return index, "password"
        if word.endswith(("secret", "secrets")):
            return index, "secret"
        if word.endswith("token") or word == "credentials":
            return index, "token"
    return None


def generic_name_kind(name: str) -> str | None:
    """The kind of credential `name` says it holds (password, secret, token, key), or None."""
    words = name_words(name)
    if not words or any(word in _NOT_A_SECRET for word in words):
        return None
    head = _secret_head(words)
    if head is None:
        return None
    index, kind = head
    if any(word in _NOT_THE_VALUE for word in words[index + 1 :]):
        return None
    return kind


_PATH_SUFFIX_RE = re.compile(
    r"\.(pem|key|crt|cer|der|p12|pfx|jks|json|txt|env|ya?ml|toml|ini|cfg|conf|js|ts|py|rb|"
    r"html?|png|jpe?g|svg|gif|pub|gpg|asc|csv|xml|sh|md)$"
)
_NOT_SECRET_PREFIXES = _words(
    """
    http: https: / ./ ../ ~/ file: arn: data: sha1- sha256- sha384- sha512- sha256: md5-
    projects/ op:// vault: ref+ env: secret: ssm: @ % bearer
    """
)


_WORDISH_RE = re.compile(r"[A-Z]?[a-z]+\d*|[A-Z]+\d*(?![a-z])|\d+")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
# `${VAR}`, `{{ var }}`, `%(name)s`, `{name}`, `$VAR`, `<value>`: filled in later, not secrets.
_TEMPLATE_RE = re.compile(r"\$\{|\{\{|%\(|%s|\$\(|\{[A-Za-z_][\w.]*\}|^\$[A-Za-z_]|<[^>]*>")
_EXAMPLE_PATH_WORDS = ("example", "sample", "fixture", "mock", "dummy")


def looks_like_words(value: str) -> bool:
    """`CloudFrontOriginAccessIdentityList.NextMarker`, `x-amz-server-side-key`: names.

    Splits on case changes and separators; when nearly every letter sits in a word of three
    or more, the value is built from words, as identifiers are and random keys are not.
    """
    alnum = sum(char.isalnum() for char in value)
    if not alnum:
        return False
    in_words = sum(
        len(word) for word in _WORDISH_RE.findall(value) if len(word) >= 3 and not word.isdigit()
    )
    return in_words >= 0.8 * alnum


def is_example_path(path: str) -> bool:
    """Documentation and test fixtures: generic guesses there are almost always fake."""
    lowered = path.lower()
    return any(word in lowered for word in _EXAMPLE_PATH_WORDS)


# Values a named rule judges: the generic guess defers to it, whether it found a key (so
# the specific finding wins) or decided the value is public (pk_live_, a Supabase anon JWT).
_OWNED_BY_A_RULE = _words(
    """
    pk_live_ pk_test_ sb_publishable_ sb_secret_ eyJ AIza sk_ rk_ sk- ghp_ gho_ ghu_ ghs_
    ghr_ github_pat_ glpat- xox xapp- SG. AKIA ASIA re_ key- -----
    """
)


def generic_value_ok(value: str, kind: str) -> bool:
    """Does a value assigned to a secret-sounding name look like a real credential?"""
    if value.startswith(_OWNED_BY_A_RULE):
        return False
    lowered = value.lower()
    minimum = 8 if kind == "password" else 12
    if len(value) < minimum or len(value) > 512:
        return False
    if lowered.startswith(_NOT_SECRET_PREFIXES) or "://" in lowered:
        return False
    if _PATH_SUFFIX_RE.search(lowered) or UUID_RE.fullmatch(value):
        return False
    if "@" in value and "." in value.split("@")[-1]:
        return False  # an email address
    if value.replace(".", "").replace("-", "").replace("_", "").isdigit():
        return False  # numbers, dates, versions
    if looks_like_placeholder(value, GENERIC_PLACEHOLDER_MARKERS):
        return False
    if _DATE_RE.search(value) or _TEMPLATE_RE.search(value):
        return False
    if kind == "password":
        return (
            character_classes(value) >= 3
            and shannon_entropy(value) >= 2.8
            and class_transitions(value) >= 0.25
        )
    if HEX_RE.fullmatch(value):
        # `openssl rand -hex 16`: sixteen symbols cap the entropy at 4 bits and runs of
        # digits are common, so the mixed-alphabet bar below misses about one random
        # 32-digit key in seventeen; this one misses about one in a thousand, and still
        # refuses deadbeef… repeats and 0123456789abcdef counting.
        return shannon_entropy(value) >= 3.1 and class_transitions(value) >= 0.15
    if character_classes(value) < 2:
        return False
    if looks_like_words(value):
        return False  # camelCase, snake_case, dotted names: an identifier, not a key
    return shannon_entropy(value) >= 3.3 and class_transitions(value) >= 0.3


# -- validators ----------------------------------------------------------------------------


def _milder_when(prefix: str, severity: Severity, note: str) -> Validator:
    """A validator that accepts every match and rates those starting with `prefix` lower:
    the same vendor's weaker kind of key (a temporary one, a test environment's)."""

    def validate(candidate: Candidate) -> Verdict | None:
        if candidate.value.startswith(prefix):
            return Verdict(severity=severity, note=note)
        return ACCEPT

    return validate


_aws_access_key = _milder_when(
    "ASIA",
    Severity.HIGH,
    "It is a temporary (STS) key id: it expires, but its session token may be next to it.",
)


def _aws_secret_key(candidate: Candidate) -> Verdict | None:
    name = candidate.name.lower()
    if "aws" not in name and "access" not in name and b"aws" not in candidate.before[-300:]:
        return None
    value = candidate.value
    if not (any(c.isupper() for c in value) and any(c.islower() for c in value)):
        return None
    return ACCEPT


def _needs_digit(candidate: Candidate) -> Verdict | None:
    return ACCEPT if any(c.isdigit() for c in candidate.value) else None


def _google_api_key(candidate: Candidate) -> Verdict | None:
    context = candidate.before[-400:] + candidate.after[:400]
    if b"authdomain" in context or b"firebase" in context:
        return Verdict(
            severity=Severity.LOW,
            note="It sits in a Firebase web config, which is public by design: check that the "
            "key is restricted to your domains in the Google Cloud console.",
        )
    return ACCEPT


_PEM_ARMOUR_RE = re.compile(r"-----(?:BEGIN|END)[^-]{0,60}-----")
_PEM_NOISE_RE = re.compile(r"\\[nr]|[^A-Za-z0-9+/=]")
_PEM_HEADER_LINE_RE = re.compile(r"(?m)^[\w-]+:.*$")


def _pem_body(text: str) -> str:
    """The base64 of a PEM block, whatever wrapping it came in (JSON `\\n`, quotes, `+`)."""
    unwrapped = _PEM_ARMOUR_RE.sub("", text.replace("\\n", "\n"))
    without_headers = _PEM_HEADER_LINE_RE.sub("", unwrapped)
    return _PEM_NOISE_RE.sub("", without_headers)


def _private_key(candidate: Candidate) -> Verdict | None:
    inner = candidate.value
    if "..." in inner or "…" in inner or "example" in inner.lower():
        return None
    body = _pem_body(inner)
    if len(body) < 64:
        return None
    header = candidate.match.group(0)[:80]
    if b"ENCRYPTED" in header or "Proc-Type: 4,ENCRYPTED" in inner:
        return Verdict(
            severity=Severity.MEDIUM,
            note="The key is encrypted with a passphrase, which slows an attacker down but "
            "does not stop one: passphrases are often weak or stored nearby.",
            value=body,
        )
    return Verdict(value=body)


def _service_account(candidate: Candidate) -> Verdict | None:
    inner = candidate.value
    if "..." in inner or "example" in inner.lower():
        return None
    body = _pem_body(inner)
    if len(body) < 64:
        return None
    return Verdict(value=body)


def jwt_payload(token: str) -> dict[str, object] | None:
    """The decoded middle part of a JWT, or None when it is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        decoded = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    return decoded if isinstance(decoded, dict) else None


def _is_documentation_jwt(payload: dict[str, object]) -> bool:
    text = json.dumps(payload).lower()
    return payload.get("sub") == "1234567890" or "example" in text or "john doe" in text


def _supabase_service_role(candidate: Candidate) -> Verdict | None:
    if candidate.value.startswith("sb_secret_"):
        return None if looks_like_placeholder(candidate.value) else ACCEPT
    payload = jwt_payload(candidate.value)
    if payload is None or payload.get("role") != "service_role":
        return None
    if _is_documentation_jwt(payload):
        return None
    ref = payload.get("ref")
    note = f"It belongs to Supabase project {ref}." if isinstance(ref, str) else ""
    return Verdict(note=note)


# A real token names who or what it is for, or when it expires; `{"some": "payload"}` in a
# README does not (RFC 7519 section 4.1 lists the registered claims).
_IDENTIFYING_CLAIMS = frozenset(
    {"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "role", "user_id", "uid", "email", "scope"}
)


def _generic_jwt(candidate: Candidate) -> Verdict | None:
    if candidate.kind.is_example:
        return None
    payload = jwt_payload(candidate.value)
    if payload is None or _is_documentation_jwt(payload):
        return None
    if not _IDENTIFYING_CLAIMS & payload.keys():
        return None
    role = payload.get("role")
    if role in ("anon", "service_role"):
        return None  # anon keys are public by design; service_role has its own rule
    expires = payload.get("exp")
    if isinstance(expires, int | float) and expires < time.time():
        expired_on = time.strftime("%Y-%m-%d", time.gmtime(expires))
        return Verdict(
            severity=Severity.LOW,
            note=f"It expired on {expired_on}, so it probably no longer works.",
        )
    return ACCEPT


_DB_SCHEMES = _word_set(
    """
    amqp amqps clickhouse cockroachdb mariadb mongodb mongodb+srv mssql mysql postgres
    postgresql redis rediss sqlserver
    """
)
_SCHEME_RE = re.compile(rb"([a-z][a-z0-9+.-]{1,40})$")
_LOCAL_HOSTS = _word_set(
    """
    0.0.0.0 127.0.0.1 ::1 [::1] example.com example.net example.org host.docker.internal
    localhost
    """
)
_PLACEHOLDER_PASSWORDS = _word_set(
    """
    1234 12345 123456 admin admin123 changeme db_password dbpass dbpassword example guest
    mongo mypassword mysql p4ssw0rd pa55word pass pass123 passwd password password123
    postgres pwd redis root secret test user yourpassword
    """
)
_MANAGED_DATABASE_HOSTS = _words(
    """
    amazonaws.com supabase.co supabase.com neon.tech render.com rlwy.net railway.app
    psdb.cloud planetscale mongodb.net upstash.io redislabs.com redis-cloud.com
    cockroachlabs.cloud azure.com windows.net digitalocean.com db.ondigitalocean.com
    aivencloud.com timescale.com tsdb.cloud.timescale.com heroku elephantsql.com xata.sh
    turso.io
    """
)


# Login pairs printed in documentation (Oracle's scott/tiger is in SQLAlchemy's docstrings):
# examples, never anyone's real credentials.
_DOCUMENTATION_LOGINS = frozenset(
    {
        ("scott", "tiger"),
        ("user", "pass"),
        ("user", "secret"),
        ("username", "password"),
        ("login", "password"),
        ("foo", "bar"),
        ("me", "secret"),
        ("myuser", "mypass"),
        ("dbuser", "dbpass"),
        ("alice", "secret"),
        ("bob", "secret"),
    }
)
_WEB_SCHEMES = _word_set("http https ftp ftps sftp")


@dataclass(frozen=True, slots=True)
class _UrlLogin:
    scheme: str  # "postgres", "https"...: the base scheme, "+driver" removed
    user: str
    password: str
    host: str  # without the port, lowercase


def _url_login(candidate: Candidate) -> _UrlLogin | None:
    """The scheme, user, password and host of a `scheme://user:password@host` match, or
    None when it is a documentation example, a placeholder or a developer's own machine."""
    scheme_match = _SCHEME_RE.search(candidate.before[-48:])
    if scheme_match is None:
        return None
    scheme = scheme_match.group(1).decode("ascii", "replace").split(":")[-1]
    password = candidate.value
    user = candidate.match.group("user").decode("utf-8", "replace")
    host = candidate.match.group("host").decode("utf-8", "replace").lower().rstrip(".")
    if (
        password.lower() in _PLACEHOLDER_PASSWORDS
        or password.startswith(("$", "%", "{", ":"))  # $DB_PASS, %(password)s, {password}
        or looks_like_placeholder(password)
        or (user.lower(), password.lower()) in _DOCUMENTATION_LOGINS
    ):
        return None
    bare_host = host.split(":")[0] if not host.startswith("[") else host
    if bare_host in _LOCAL_HOSTS or bare_host.startswith("127.") or "." not in bare_host:
        return None  # a developer's own machine or a docker-compose service name
    if bare_host.endswith((".example", ".local", ".localhost", ".test", ".invalid")):
        return None
    if looks_like_placeholder(bare_host):
        return None
    return _UrlLogin(scheme.split("+")[0], user, password, bare_host)


def _database_url(candidate: Candidate) -> Verdict | None:
    login = _url_login(candidate)
    if login is None or login.scheme not in _DB_SCHEMES:
        return None
    note = f"It connects to {login.host} ({login.scheme})."
    if any(marker in login.host for marker in _MANAGED_DATABASE_HOSTS):
        return Verdict(severity=Severity.CRITICAL, note=note + " That is a hosted database.")
    return Verdict(note=note)


def _web_url_password(candidate: Candidate) -> Verdict | None:
    """http(s)://user:password@host: pip index URLs, CI servers, registries, proxies."""
    login = _url_login(candidate)
    if login is None or login.scheme not in _WEB_SCHEMES:
        return None
    if login.password.startswith(_OWNED_BY_A_RULE):
        return None  # a GitHub or npm token used as the password: its own rule names it
    return Verdict(note=f"It signs in to {login.host} as {login.user or 'a blank user'}.")


def _mixed_case_token(candidate: Candidate) -> Verdict | None:
    value = candidate.value
    if any(c.isupper() for c in value) and any(c.islower() for c in value):
        return ACCEPT if shannon_entropy(value) >= 3.5 else None
    return None


_TWILIO_ACCOUNT_SID_RE = re.compile(rb"ac[0-9a-f]{32}")


def _twilio_auth_token(candidate: Candidate) -> Verdict | None:
    """Named `…AUTH_TOKEN = …`, or a bare 32-hex value close after an account SID."""
    if candidate.name:
        return ACCEPT
    return ACCEPT if _TWILIO_ACCOUNT_SID_RE.search(candidate.before[-200:]) else None


def _cloudflare(candidate: Candidate) -> Verdict | None:
    value = candidate.value
    if HEX_RE.fullmatch(value) and len(value) == 37:
        return ACCEPT  # the older global API key
    return _mixed_case_token(candidate)


def _random_tail(candidate: Candidate) -> Verdict | None:
    """A prefixed token whose random part looks random (not npm_xxxx… placeholders)."""
    secret_part = candidate.value.split("_", 1)[-1]
    return (
        ACCEPT
        if character_classes(secret_part) >= 2 and shannon_entropy(secret_part) >= 3.5
        else None
    )


def _resend(candidate: Candidate) -> Verdict | None:
    secret_part = candidate.value.split("_", 2)[-1]
    if character_classes(secret_part) < 3 and not (
        any(c.isupper() for c in secret_part) and any(c.islower() for c in secret_part)
    ):
        return None
    return ACCEPT if shannon_entropy(secret_part) >= 3.5 else None


def _generic_secret(candidate: Candidate) -> Verdict | None:
    kind = candidate.kind
    if kind.is_lock or kind.is_example or candidate.line_length > MINIFIED_LINE:
        return None
    if candidate.match.group("bare") is not None and not kind.bare_values:
        return None  # `token = get_token()` in code is not a value
    name_kind = generic_name_kind(candidate.name)
    if name_kind is None or not generic_value_ok(candidate.value, name_kind):
        return None
    if kind.is_env and not kind.is_env_template:
        return Verdict(severity=Severity.HIGH)
    return ACCEPT


_pypi_token = _milder_when(
    "pypi-AgENdGVzdC5weXBpLm9yZw",  # base64 of the test.pypi.org location
    Severity.MEDIUM,
    "It is a token for test.pypi.org, the practice index, not pypi.org itself.",
)


def _near_clerk(candidate: Candidate) -> bool:
    context = candidate.before[-400:] + candidate.after[:400]
    return b"clerk" in context or "clerk" in candidate.path.lower()


def _stripe_secret(candidate: Candidate) -> Verdict | None:
    """Clerk's secret keys share Stripe's sk_live_/sk_test_ prefix: next to Clerk's name
    the key is Clerk's (its own rule says so); elsewhere a body that has neither Stripe
    shape (24 characters, or "51" and about 99) is named as possibly either."""
    if candidate.value.startswith("sk_") and _near_clerk(candidate):
        return None
    body = candidate.value.split("_", 2)[-1]
    if len(body) == 24 or (body.startswith("51") and len(body) >= 90):
        return ACCEPT
    return Verdict(
        note="Clerk secret keys start the same way: if this is a Clerk key, roll it in the "
        "Clerk dashboard (API Keys) instead."
    )


_clerk_instance = _milder_when(
    "sk_test_",
    Severity.MEDIUM,
    "It is a development-instance key: its users are test users, but anyone who reads it "
    "can manage them.",
)


def _clerk_secret(candidate: Candidate) -> Verdict | None:
    if not candidate.value.startswith("sk_") or not _near_clerk(candidate):
        return None
    return _clerk_instance(candidate)


def _django_secret_key(candidate: Candidate) -> Verdict | None:
    if candidate.match.group("bare") is not None and not candidate.kind.bare_values:
        return None
    if candidate.kind.is_example or not generic_value_ok(candidate.value, "secret"):
        return None
    if candidate.value.startswith("django-insecure-"):
        return Verdict(
            note="Its django-insecure- prefix marks the key startproject made for development; "
            "if production runs with it, anyone who reads this can sign in as any user."
        )
    return ACCEPT


def _azure_account_key(candidate: Candidate) -> Verdict | None:
    name = re.search(rb"accountname=([a-z0-9]{3,24})", candidate.before[-300:])
    if name is None:
        return ACCEPT
    return Verdict(note=f"It belongs to the storage account {name.group(1).decode()}.")


# -- building blocks for patterns ------------------------------------------------------------

# After a variable name: an optional closing quote or bracket, then `=`, `:`, `:=`, `=>`...
# Possessive quantifiers (`{0,10}+`, Python 3.11) never give characters back: none of these
# classes can start the part that follows, so backtracking could only waste time.
ASSIGN = r"""["'\]]{0,2}+[ \t]{0,10}+(?::=|=>|\?\?=|\|\|=|\?=|=(?![=~])|:(?![:=/]))[ \t]{0,10}+"""
# ...then a quoted value (group `secret`) or, in env/YAML/INI files, a bare one (`bare`).
# Values must hold a digit, which leaves out most identifiers inside the regex engine,
# before any Python runs. Bare values also may not hold template characters (`{}`, `$`,
# `<>`, `%`: `${VAR}` references); quoted ones may (Django keys use `$%^&*`), and
# `generic_value_ok` turns templates away.
_QUOTED_CHARS = r"""[^"'`\s\\]"""
_BARE_CHARS = r"""[^\s"'`,;#{}$<>%]"""
VALUE = (
    # The lookaheads are bounded like the values: unbounded, every `token=` in a long line
    # rescanned the rest of it (a 180 KB line took 48 s).
    rf"""(?:[rbu]{{0,2}}["'`](?P<secret>(?={_QUOTED_CHARS}{{0,511}}?\d){_QUOTED_CHARS}{{8,512}})["'`]"""
    rf"|(?P<bare>(?={_BARE_CHARS}{{0,511}}?\d){_BARE_CHARS}{{8,512}}))"
)
NAME_TAIL = r"[a-z0-9_-]{0,30}+"


def _generic_pattern(word: str) -> Pattern:
    return Pattern(f"(?P<name>{word}{NAME_TAIL}){ASSIGN}{VALUE}")


def _assigned(name_regex: str, value_regex: str, *, near: tuple[str, ...] = ()) -> Pattern:
    """`name = "value"` where `name_regex` matches within the variable name (lowercased)."""
    return Pattern(
        f"""(?P<name>{name_regex}[a-z0-9_-]{{0,20}}+){ASSIGN}(?:[rbu]{{0,2}}["'`])?"""
        f"(?P<secret>{value_regex})",
        near=near,
    )


def _rotate(how: str) -> str:
    return f"Rotate the key now: {how}"


STRIPE_LIVE_PATTERN = r"sk_live_[0-9A-Za-z]{20,247}(?![0-9A-Za-z])"
STRIPE_TEST_PATTERN = r"[rs]k_test_[0-9A-Za-z]{20,247}(?![0-9A-Za-z])"
URL_LOGIN = (
    r"://(?P<user>[^\s:/@'\"`<>{}\[\]]{0,128}):(?P<secret>[^\s@/'\"`<>{}\[\]]{1,256})"
    r"@(?P<host>[A-Za-z0-9._\-]{1,253}|\[[0-9a-fA-F:.]+\])"
)
JWT = r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}(?![A-Za-z0-9_-])"

RULES: tuple[Rule, ...] = (
    Rule(
        id="aws-access-key-id",
        title="AWS access key",
        severity=Severity.CRITICAL,
        keywords=("akia", "asia"),
        patterns=(Pattern(r"A(?:KIA|SIA)[A-Z0-9]{16}(?![A-Za-z0-9])"),),
        what="An AWS access key",
        risk=(
            "with its secret, anyone who reads the repository can use your AWS account "
            "— run servers on your bill, read your storage buckets, or delete them."
        ),
        rotate=_rotate(
            "in the AWS console (IAM → Users → Security credentials) create a new access "
            "key, move your app to it, then deactivate and delete this one, and look through "
            "CloudTrail and your bill for activity you do not recognise."
        ),
        refs=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",),
        validate=_aws_access_key,
    ),
    Rule(
        id="aws-secret-access-key",
        title="AWS secret access key",
        severity=Severity.CRITICAL,
        boundary=False,  # the match starts inside a variable name
        keywords=("secret",),
        patterns=(
            Pattern(
                rf"(?P<name>secret[_-]?(?:access[_-]?)?key[a-z0-9_]{{0,10}}){ASSIGN}"
                r"""[rbu]{0,2}["'`]?(?P<secret>[a-z0-9/+]{40})(?![a-z0-9/+=])"""
            ),
        ),
        what="An AWS secret access key",
        risk=(
            "together with its key id it gives full use of your AWS account to anyone "
            "who reads the repository."
        ),
        rotate=_rotate(
            "in the AWS console (IAM → Users → Security credentials) create a new access "
            "key, move your app to it, then deactivate and delete the old one, and check "
            "CloudTrail and your bill for activity you do not recognise."
        ),
        refs=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",),
        entropy_min=4.0,
        lowered=True,
        validate=_aws_secret_key,
        keep=2,
    ),
    Rule(
        id="stripe-secret-key",
        title="Live Stripe secret key",
        severity=Severity.CRITICAL,
        keywords=("k_live_",),
        patterns=(Pattern(STRIPE_LIVE_PATTERN),),
        what="A live Stripe secret key",
        risk=(
            "anyone who reads it can charge cards, issue refunds and read your "
            "customers' payment details."
        ),
        rotate=_rotate(
            "in the Stripe dashboard (Developers → API keys) roll the secret key, update your "
            "app with the new one, and review recent payments, refunds and payouts."
        ),
        refs=("https://docs.stripe.com/keys",),
        validate=_stripe_secret,
    ),
    Rule(
        id="stripe-restricted-key",
        title="Live Stripe restricted key",
        severity=Severity.CRITICAL,
        keywords=("k_live_",),
        patterns=(Pattern(r"rk_live_[0-9A-Za-z]{20,247}(?![0-9A-Za-z])"),),
        what="A live Stripe restricted key",
        risk=("anyone who reads it can do whatever that key allows in your live Stripe account."),
        rotate=_rotate(
            "in the Stripe dashboard (Developers → API keys) roll or delete the restricted "
            "key and create a new one with only the permissions your app needs."
        ),
        refs=("https://docs.stripe.com/keys",),
    ),
    Rule(
        id="stripe-test-key",
        title="Stripe test-mode secret key",
        severity=Severity.MEDIUM,
        keywords=("k_test_",),
        patterns=(Pattern(STRIPE_TEST_PATTERN),),
        what="A Stripe test-mode secret key",
        risk=(
            "it cannot move real money, but anyone who reads it can read and change "
            "your test data and webhooks, and it often sits next to the live key."
        ),
        rotate=_rotate(
            "roll the test key in the Stripe dashboard (Developers → API keys, test mode)."
        ),
        refs=("https://docs.stripe.com/keys",),
        validate=_stripe_secret,
        in_browser=Severity.HIGH,
    ),
    Rule(
        id="clerk-secret-key",
        title="Clerk secret key",
        severity=Severity.CRITICAL,
        # The same patterns as Stripe's keys (the scanner runs each distinct regex once);
        # the validators decide whose key it is from Clerk's name nearby.
        keywords=("k_live_", "k_test_"),
        patterns=(
            Pattern(STRIPE_LIVE_PATTERN),
            Pattern(STRIPE_TEST_PATTERN),
        ),
        what="A Clerk secret key",
        risk=(
            "anyone who reads it can act as your backend in Clerk: read and change every user, "
            "sign in as them, and change your sign-in settings."
        ),
        rotate=_rotate(
            "in the Clerk dashboard (Configure → API Keys) create a new secret key, move your "
            "servers to it, then delete the old one."
        ),
        refs=("https://clerk.com/docs/deployments/clerk-environment-variables",),
        validate=_clerk_secret,
    ),
    Rule(
        id="github-token",
        title="GitHub token",
        severity=Severity.HIGH,
        # ghp_, gho_, ghu_, ghs_ and ghr_ share "gh": one keyword and one literal-led regex
        # cost one pass over the text instead of five.
        keywords=("gh", "github_pat_"),
        patterns=(
            Pattern(r"gh[pousr]_[A-Za-z0-9]{36,251}(?![A-Za-z0-9_])", requires=("gh",)),
            Pattern(r"github_pat_[A-Za-z0-9_]{70,255}(?![A-Za-z0-9_])", requires=("github_pat_",)),
        ),
        what="A GitHub access token",
        risk=(
            "anyone who reads it can act as you on GitHub — read your private code, "
            "push changes, or read your repositories' secrets."
        ),
        rotate=_rotate(
            "revoke it at github.com → Settings → Developer settings → Personal access "
            "tokens (or the OAuth/GitHub app that issued it), then create a new one with the "
            "fewest permissions that work."
        ),
        refs=(
            "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/"
            "managing-your-personal-access-tokens",
        ),
    ),
    Rule(
        id="gitlab-token",
        title="GitLab token",
        severity=Severity.HIGH,
        keywords=("gl",),  # glpat-, gldt-, glrt-, glptt-: see github-token
        patterns=(Pattern(r"gl(?:pat|dt|rt|ptt)-[0-9A-Za-z_-]{20,}(?![0-9A-Za-z_-])"),),
        what="A GitLab access token",
        risk=(
            "anyone who reads it can use your GitLab projects with its permissions, "
            "including your private code and CI settings."
        ),
        rotate=_rotate(
            "revoke it in GitLab (User settings → Access tokens, or the project's deploy and "
            "runner tokens) and create a new one."
        ),
        refs=("https://docs.gitlab.com/ee/user/profile/personal_access_tokens.html",),
        validate=_needs_digit,
    ),
    Rule(
        id="slack-token",
        title="Slack token",
        severity=Severity.HIGH,
        keywords=("xox", "xapp-"),
        patterns=(
            Pattern(r"xox[abposre]-[0-9A-Za-z-]{16,250}(?![0-9A-Za-z-])"),
            Pattern(r"xoxe\.xox[bp]-[0-9A-Za-z-]{16,250}(?![0-9A-Za-z-])"),
            Pattern(r"xapp-\d-[0-9A-Za-z-]{16,250}(?![0-9A-Za-z-])"),
        ),
        what="A Slack token",
        risk=(
            "anyone who reads it can read and post messages in your workspace as your app or user."
        ),
        rotate=_rotate(
            "revoke it at api.slack.com/apps (your app → OAuth & Permissions) or with "
            "auth.revoke, then reinstall the app to get a new token."
        ),
        refs=("https://api.slack.com/authentication/token-types",),
        validate=_needs_digit,
    ),
    Rule(
        id="slack-webhook-url",
        title="Slack incoming webhook",
        severity=Severity.HIGH,
        keywords=("hooks.slack.com",),
        patterns=(
            Pattern(
                r"hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Za-z0-9_]{6,}"
                r"(?:/[A-Za-z0-9_]{4,}){2,3}(?![A-Za-z0-9_/])"
            ),
        ),
        what="A Slack webhook address",
        risk=(
            "anyone who reads it can post messages into your Slack channel, for example"
            " a convincing phishing link."
        ),
        rotate=_rotate(
            "delete the webhook in your Slack app's Incoming Webhooks page and create a new one."
        ),
        refs=("https://api.slack.com/messaging/webhooks",),
        in_browser=Severity.HIGH,
    ),
    Rule(
        id="discord-webhook-url",
        title="Discord webhook",
        severity=Severity.HIGH,
        keywords=("/api/webhooks/",),
        patterns=(
            Pattern(
                r"discord(?:app)?\.com/api/webhooks/\d{17,20}/[A-Za-z0-9_-]{60,80}"
                r"(?![A-Za-z0-9_-])"
            ),
        ),
        what="A Discord webhook address",
        risk=(
            "anyone who reads it can post into your Discord channel as your bot, for example"
            " a convincing scam link to your community."
        ),
        rotate=_rotate(
            "in Discord (Server settings → Integrations → Webhooks) delete the webhook and "
            "create a new one, then update whatever posts to it."
        ),
        refs=("https://support.discord.com/hc/en-us/articles/228383668",),
        in_browser=Severity.HIGH,
    ),
    Rule(
        id="openai-api-key",
        title="OpenAI API key",
        severity=Severity.CRITICAL,
        keywords=("sk-",),
        patterns=(
            Pattern(r"sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])"),
            Pattern(r"sk-[A-Za-z0-9_-]{0,150}T3BlbkFJ[A-Za-z0-9_-]{10,}(?![A-Za-z0-9_-])"),
        ),
        what="An OpenAI API key",
        risk=(
            "anyone who reads it can run up your OpenAI bill — leaked keys are found "
            "and abused within minutes."
        ),
        rotate=_rotate(
            "delete it at platform.openai.com/api-keys, create a new one, and set a monthly "
            "spending limit."
        ),
        refs=("https://platform.openai.com/api-keys",),
    ),
    Rule(
        id="anthropic-api-key",
        title="Anthropic API key",
        severity=Severity.CRITICAL,
        keywords=("sk-",),  # shared with openai-api-key: one check covers both
        patterns=(Pattern(r"sk-ant-(?:[a-z]{3,10}\d{0,3}-)?[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-])"),),
        what="An Anthropic API key",
        risk="anyone who reads it can run up your Claude API bill.",
        rotate=_rotate(
            "delete it in the Anthropic Console (Settings → API keys) and create a new one."
        ),
        refs=("https://console.anthropic.com/settings/keys",),
    ),
    Rule(
        id="google-api-key",
        title="Google API key",
        severity=Severity.MEDIUM,
        keywords=("aiza",),
        patterns=(Pattern(r"AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"),),
        what="A Google API key",
        risk=(
            "Firebase and Maps browser keys are public by design, but an unrestricted "
            "key (or a Gemini key) lets anyone use paid Google APIs on your bill."
        ),
        rotate=_rotate(
            "if it is a server key, regenerate it in the Google Cloud console (APIs & "
            "Services → Credentials); either way, restrict it to your domains and to the APIs "
            "it needs."
        ),
        refs=("https://cloud.google.com/docs/authentication/api-keys",),
        validate=_google_api_key,
        in_browser=None,
    ),
    Rule(
        id="gcp-service-account",
        title="Google Cloud / Firebase service account key",
        severity=Severity.CRITICAL,
        keywords=("service_account",),
        patterns=(
            Pattern(
                r'"private_key"\s*:\s*"(?P<secret>-----BEGIN[A-Z ]{0,30}PRIVATE KEY-----'
                r'[^"]{40,20000}?-----END[A-Z ]{0,30}PRIVATE KEY-----(?:\\n)?)"'
            ),
        ),
        what="A Google Cloud or Firebase service account key",
        risk=(
            "anyone who reads it gets admin access to your Firebase project — every "
            "user record, the database and storage."
        ),
        rotate=_rotate(
            "delete the key in the Google Cloud console (IAM → Service accounts → Keys) and "
            "create a new one, or better, use workload identity so no key file is needed."
        ),
        refs=("https://cloud.google.com/iam/docs/keys-create-delete",),
        validate=_service_account,
        placeholder_check=False,
    ),
    Rule(
        id="private-key",
        title="Private key",
        severity=Severity.HIGH,
        keywords=("private key",),
        patterns=(
            Pattern(
                r"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----"
                r"(?P<secret>[\s\S]{40,40000}?)-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----"
            ),
        ),
        what="A private key",
        risk=(
            "whoever holds it can impersonate your server, sign in over SSH, or decrypt"
            " what it protects."
        ),
        rotate=_rotate(
            "generate a new key pair, install the new public key or certificate where the "
            "old one was trusted, and revoke or remove the old one (authorized_keys, "
            "certificate authority, deploy keys)."
        ),
        refs=(REMOVE_FROM_HISTORY,),
        validate=_private_key,
        placeholder_check=False,
    ),
    Rule(
        id="rails-master-key",
        title="Rails master key",
        severity=Severity.CRITICAL,
        keywords=(),
        path_pattern=r"(?:^|/)config/(?:master|credentials/[^/]+)\.key$",
        patterns=(Pattern(r"\A\s*(?P<secret>[0-9a-f]{32})\s*\Z"),),
        what="The Rails master key",
        risk=(
            "it decrypts config/credentials.yml.enc, which sits in the same repository, so "
            "anyone who reads both has every production secret the app keeps there."
        ),
        rotate=_rotate(
            "move config/credentials.yml.enc aside, run bin/rails credentials:edit to create a "
            "new key and file, and copy each secret over only after rotating it at its "
            "provider (all of them must be treated as known); set RAILS_MASTER_KEY on your "
            "host and keep config/master.key in .gitignore."
        ),
        refs=("https://guides.rubyonrails.org/security.html#custom-credentials",),
        entropy_min=3.0,
        keep=0,
    ),
    Rule(
        id="supabase-service-role-key",
        title="Supabase service-role key",
        severity=Severity.CRITICAL,
        keywords=("eyj", "secret"),  # "secret" is shared, so sb_secret_ costs no extra pass
        patterns=(
            Pattern(JWT, requires=("eyj",)),
            Pattern(r"sb_secret_[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])", requires=("sb_secret_",)),
        ),
        what="A Supabase service-role key",
        risk=(
            "it skips every row-level security rule, so anyone who reads it can read "
            "and change all of your data."
        ),
        rotate=_rotate(
            "in the Supabase dashboard (Project settings → API) roll the JWT secret or the "
            "secret key, update your server, and never use this key in a browser or app."
        ),
        refs=("https://supabase.com/docs/guides/api/api-keys",),
        validate=_supabase_service_role,
    ),
    Rule(
        id="jwt",
        title="JSON Web Token",
        severity=Severity.MEDIUM,
        keywords=("eyj",),
        patterns=(Pattern(JWT),),
        what="A signed access token (JWT)",
        risk=(
            "until it expires, anyone who reads it can call your API as whoever it was issued to."
        ),
        rotate=_rotate(
            "revoke the token or the account it belongs to, or change the signing secret "
            "so that every token issued with it stops working."
        ),
        refs=("https://datatracker.ietf.org/doc/html/rfc7519",),
        validate=_generic_jwt,
        in_browser=Severity.MEDIUM,
    ),
    Rule(
        id="sendgrid-api-key",
        title="SendGrid API key",
        severity=Severity.HIGH,
        keywords=("sg.",),
        patterns=(Pattern(r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])"),),
        what="A SendGrid API key",
        risk=(
            "anyone who reads it can send email as your company — phishing your "
            "customers from your own domain — and read your contact lists."
        ),
        rotate=_rotate("delete it in SendGrid (Settings → API Keys) and create a new one."),
        refs=("https://docs.sendgrid.com/ui/account-and-settings/api-keys",),
    ),
    Rule(
        id="mailgun-api-key",
        title="Mailgun API key",
        severity=Severity.HIGH,
        keywords=("mailgun", "key-"),
        patterns=(
            Pattern(r"key-[0-9a-f]{32}(?![0-9A-Za-z])"),
            Pattern(
                r"[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}(?![0-9A-Za-z])",
                near=("mailgun",),
                near_window=400,
                requires=("mailgun",),
            ),
        ),
        what="A Mailgun API key",
        risk=("anyone who reads it can send email from your domains and read your mail logs."),
        rotate=_rotate("in Mailgun (API Security) create a new key and delete or rotate this one."),
        refs=("https://documentation.mailgun.com/",),
        entropy_min=3.0,
    ),
    Rule(
        id="twilio-auth-token",
        title="Twilio auth token",
        severity=Severity.HIGH,
        boundary=False,  # the match starts inside a variable name
        keywords=("twilio",),
        patterns=(
            _assigned(
                r"(?:auth[_-]?token|api[_-]?secret|secret)",
                r"[0-9a-f]{32}(?![0-9a-z])",
                near=("twilio",),
            ),
            # Client("AC…", "…"): the auth token passed right after the account SID.
            Pattern(r"(?<![0-9a-z])[0-9a-f]{32}(?![0-9a-z])", near=("twilio",), near_window=600),
        ),
        validate=_twilio_auth_token,
        what="A Twilio auth token",
        risk=(
            "anyone who reads it can send texts and make calls on your bill, and read "
            "your messages."
        ),
        rotate=_rotate(
            "in the Twilio console (Account → API keys & tokens) promote a secondary auth "
            "token or rotate it, then update your app."
        ),
        refs=("https://www.twilio.com/docs/iam/api-keys",),
        lowered=True,
        entropy_min=3.0,
        keep=0,
    ),
    Rule(
        id="twilio-api-key",
        title="Twilio API key",
        severity=Severity.HIGH,
        keywords=("twilio",),
        patterns=(Pattern(r"SK[0-9a-fA-F]{32}(?![0-9A-Za-z])", near=("twilio",), near_window=400),),
        what="A Twilio API key",
        risk=(
            "its secret is usually right next to it, and together they let anyone send "
            "texts and make calls on your bill."
        ),
        rotate=_rotate("delete the API key in the Twilio console and create a new one."),
        refs=("https://www.twilio.com/docs/iam/api-keys",),
        entropy_min=3.0,
    ),
    Rule(
        id="postmark-server-token",
        title="Postmark server token",
        severity=Severity.HIGH,
        keywords=("postmark",),
        patterns=(
            Pattern(
                r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
                r"(?![0-9A-Za-z-])",
                near=("postmark",),
                near_window=160,
            ),
        ),
        what="A Postmark server token",
        risk="anyone who reads it can send email as your company and read what you sent.",
        rotate=_rotate(
            "in Postmark (your server → API Tokens) generate a new token and delete this one."
        ),
        refs=("https://postmarkapp.com/developer/api/overview",),
        entropy_min=3.0,
        allow_uuid=True,
        keep=0,
    ),
    Rule(
        id="resend-api-key",
        title="Resend API key",
        severity=Severity.HIGH,
        keywords=("re_",),
        patterns=(Pattern(r"re_[A-Za-z0-9]{8,12}_[A-Za-z0-9]{16,40}(?![A-Za-z0-9_])"),),
        what="A Resend API key",
        risk="anyone who reads it can send email from your domain.",
        rotate=_rotate("delete it in the Resend dashboard (API Keys) and create a new one."),
        refs=("https://resend.com/docs/dashboard/api-keys/introduction",),
        validate=_resend,
    ),
    Rule(
        id="npm-access-token",
        title="npm access token",
        severity=Severity.HIGH,
        keywords=("npm_",),
        patterns=(Pattern(r"npm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])"),),
        what="An npm access token",
        risk="anyone who reads it can publish packages under your name, a supply-chain attack "
        "on everyone who installs them.",
        rotate=_rotate("revoke it at npmjs.com (Access Tokens) and create a granular token."),
        refs=("https://docs.npmjs.com/about-access-tokens",),
        validate=_random_tail,
    ),
    Rule(
        id="pypi-token",
        title="PyPI API token",
        severity=Severity.HIGH,
        keywords=("pypi-ag",),
        patterns=(
            Pattern(
                r"pypi-Ag(?:EIcHlwaS5vcmc|ENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,}"
                r"(?![A-Za-z0-9_-])"
            ),
        ),
        what="A PyPI API token",
        risk="anyone who reads it can publish releases of your packages, a supply-chain "
        "attack on everyone who installs them.",
        rotate=_rotate(
            "delete it at pypi.org (Account settings → API tokens), then publish with a token "
            "scoped to one project, or better with Trusted Publishing, which needs no token."
        ),
        refs=("https://pypi.org/help/#apitoken", "https://docs.pypi.org/trusted-publishers/"),
        validate=_pypi_token,
    ),
    Rule(
        id="cloudflare-api-token",
        title="Cloudflare API token",
        severity=Severity.HIGH,
        boundary=False,  # the match starts inside a variable name
        keywords=("cloudflare",),
        patterns=(
            _assigned(
                r"(?:cloudflare|cf)[a-z0-9_.-]{0,30}(?:token|key|secret)",
                r"[a-z0-9_-]{37,40}(?![a-z0-9_-])",
            ),
            Pattern(
                r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{40}(?![A-Za-z0-9_-])",
                near=("cloudflare",),
                near_window=120,
                requires=("cloudflare",),
            ),
        ),
        what="A Cloudflare API token",
        risk=(
            "anyone who reads it can change your DNS and security settings — for "
            "example, send your visitors to another site."
        ),
        rotate=_rotate(
            "roll or delete the token in the Cloudflare dashboard (My Profile → API Tokens)."
        ),
        refs=("https://developers.cloudflare.com/fundamentals/api/get-started/create-token/",),
        validate=_cloudflare,
        keep=0,
    ),
    Rule(
        id="vercel-token",
        title="Vercel access token",
        severity=Severity.HIGH,
        boundary=False,  # the match starts inside a variable name
        keywords=("vercel",),
        patterns=(
            _assigned(
                r"vercel[a-z0-9_.-]{0,30}(?:token|key|secret)",
                r"[a-z0-9]{24}(?![a-z0-9_-])",
            ),
            # `vercel deploy --token XXXX` in a script or a CI file.
            Pattern(
                r"vercel\b[^\n]{0,120}?--token[= ]+[\"']?(?P<secret>[a-z0-9]{24})(?![a-z0-9])",
            ),
        ),
        what="A Vercel access token",
        risk=(
            "anyone who reads it can deploy to your Vercel projects, read their environment "
            "variables (every other secret of the app) and change domains."
        ),
        rotate=_rotate(
            "delete it at vercel.com/account/tokens, create a new one scoped to the team and "
            "with an expiry, and update your CI's secret."
        ),
        refs=("https://vercel.com/docs/rest-api#creating-an-access-token",),
        lowered=True,
        validate=_mixed_case_token,
        keep=0,
    ),
    Rule(
        id="azure-storage-key",
        title="Azure storage account key",
        severity=Severity.CRITICAL,
        keywords=("accountkey=",),
        patterns=(Pattern(r"AccountKey=(?P<secret>[A-Za-z0-9+/]{86}==)"),),
        what="An Azure storage account key",
        risk=(
            "anyone who reads it has full control of the storage account: every blob, queue "
            "and table in it can be read, changed or deleted."
        ),
        rotate=_rotate(
            "in the Azure portal (Storage account → Security + networking → Access keys) "
            "rotate this key, move your app to the other key or to a SAS token or managed "
            "identity, and check the account's activity log."
        ),
        refs=("https://learn.microsoft.com/azure/storage/common/storage-account-keys-manage",),
        validate=_azure_account_key,
        keep=0,
    ),
    Rule(
        id="database-url-password",
        title="Database URL with password",
        severity=Severity.HIGH,
        keywords=("://",),
        patterns=(Pattern(URL_LOGIN),),
        what="A database address with its password",
        risk=(
            "anyone who reads it can connect to your database and read, change or "
            "delete your users' data."
        ),
        rotate=_rotate(
            "change the database user's password (or create a new user and drop the old "
            "one), update your app's environment, and restrict which addresses may connect."
        ),
        refs=(REMOVE_FROM_HISTORY,),
        boundary=False,
        validate=_database_url,
        keep=0,
    ),
    Rule(
        id="url-password",
        title="Password in a web address",
        severity=Severity.HIGH,
        keywords=("://",),
        patterns=(Pattern(URL_LOGIN),),  # shared with database-url-password: one pass
        what="A web address with a password in it",
        risk=(
            "anyone who reads it can sign in where it points (a package index, a CI server, "
            "an internal tool) with that password."
        ),
        rotate=_rotate(
            "change that account's password or revoke the token used as one, then give the "
            "tool the credential another way (a netrc file, the tool's own keyring or an "
            "environment variable) instead of inside the URL."
        ),
        refs=(REMOVE_FROM_HISTORY,),
        boundary=False,
        validate=_web_url_password,
        keep=0,
    ),
    Rule(
        id="django-secret-key",
        title="Django SECRET_KEY",
        severity=Severity.HIGH,
        keywords=("secret_key",),
        patterns=(
            Pattern(f"(?P<name>(?:DJANGO_)?SECRET_KEY){ASSIGN}{VALUE}", requires=("django",)),
        ),
        what="Your Django SECRET_KEY",
        risk=(
            "anyone who reads it can forge session cookies and password-reset links, and so "
            "sign in to your site as any user."
        ),
        rotate=_rotate(
            'generate a new one (python -c "from django.core.management.utils import '
            'get_random_secret_key as k; print(k())"), set it from an environment variable in '
            "production, and keep the old one in SECRET_KEY_FALLBACKS only until sessions "
            "expire (everyone is signed out once it is removed)."
        ),
        refs=("https://docs.djangoproject.com/en/stable/ref/settings/#secret-key",),
        boundary=False,
        validate=_django_secret_key,
        in_browser=Severity.HIGH,
        keep=0,
    ),
    Rule(
        id="generic-secret",
        title="Hard-coded secret",
        severity=Severity.MEDIUM,
        keywords=("secret", "token", "pass", "pwd", "key"),
        patterns=tuple(
            _generic_pattern(word) for word in ("secret", "token", "pass", "pwd", "key")
        ),
        what="A password or key",
        risk="anyone who can read it can use it.",
        rotate=_rotate(
            "change the password or regenerate the key where it was issued, then update "
            "everything that uses it."
        ),
        refs=(REMOVE_FROM_HISTORY,),
        lowered=True,
        boundary=False,
        validate=_generic_secret,
        in_browser=Severity.HIGH,
        generic=True,
        keep=None,
    ),
)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
