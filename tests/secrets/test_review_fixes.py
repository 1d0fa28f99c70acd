"""Scanner regressions from review: realistic secrets that were missed."""

import secrets as stdlib_secrets

from launchtui.checks.secrets import Scanner

from .planted import Fakes


def rules_found(path: str, text: str) -> set[str]:
    return {hit.rule.id for hit in Scanner().scan(text.encode(), path)}


def test_hex_secrets_from_openssl_rand_are_found():
    for attempt in range(20):
        token = stdlib_secrets.token_hex(32)
        assert "generic-secret" in rules_found(".env", f"APP_SECRET={token}\n"), (attempt, token)
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


def test_a_utf16_file_from_powershell_is_scanned_on_the_right_line(tmp_path):
    from launchtui.checks.secrets import scan_repository_sync

    key_id = "AKIA" + "Q3EGRIMPLA7XB2TU"
    secret = Fakes(13).chars(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+")
    text = f"# exported\r\nAWS_ACCESS_KEY_ID={key_id}\r\nAWS_SECRET_ACCESS_KEY={secret}\r\n"
    (tmp_path / "creds.env.txt").write_bytes(text.encode("utf-16"))
    report = scan_repository_sync(tmp_path, history=False)
    targets = {f.target for f in report.findings if f.status.value == "fail"}
    assert "creds.env.txt:2" in targets
