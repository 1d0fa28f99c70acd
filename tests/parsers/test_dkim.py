"""DKIM key records and the shared tag=value tokenizer."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from launchtui.parsers.dkim import colon_list, parse_dkim_key, parse_tag_list
from launchtui.parsers.spf import join_txt_strings

# RFC 6376 Appendix C: the "brisbane" selector's 1024-bit key, as the RFC splits it.
RFC_6376_KEY_STRINGS = [
    b"v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQ",
    b"KBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYt",
    b"IxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v",
    b"/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhi",
    b"tdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB",
]
# RFC 8463 Appendix A.2: the ed25519 example key.
RFC_8463_KEY = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="


def spki_base64(public_key: PublicKeyTypes) -> str:
    der = public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


@pytest.fixture(scope="module")
def rsa_1024() -> rsa.RSAPublicKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()


@pytest.fixture(scope="module")
def rsa_2048() -> rsa.RSAPublicKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()


def fake_rsa_key(bits: int) -> rsa.RSAPublicKey:
    """An RSA public key of any size, built from an odd modulus (no primes needed)."""
    return rsa.RSAPublicNumbers(65537, (1 << (bits - 1)) | 1).public_key()


# -- the tag-list tokenizer ------------------------------------------------------


def test_tag_list_trims_folding_white_space_around_names_and_values() -> None:
    tags = parse_tag_list(" v = DKIM1 ;\r\n\tk=rsa;p = abc def ;")
    assert tags.tags == (("v", "DKIM1"), ("k", "rsa"), ("p", "abc def"))
    assert tags.problems == ()


def test_tag_list_allows_a_trailing_semicolon_and_empty_pieces() -> None:
    assert parse_tag_list("a=1;;b=2;").tags == (("a", "1"), ("b", "2"))


def test_tag_list_reports_duplicates_in_words() -> None:
    tags = parse_tag_list("v=DMARC1; p=none; p=reject; p=quarantine; sp=none; sp=reject")
    assert tags.has_duplicates
    assert tags.problems == (
        'The record has three "p=" tags; receivers may ignore it.',
        'The record has two "sp=" tags; receivers may ignore it.',
    )
    assert tags.value_of("p") == "none"


def test_tag_list_names_are_case_sensitive() -> None:
    tags = parse_tag_list("p=a; P=b")
    assert not tags.has_duplicates
    assert tags.value_of("P") == "b"


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("v=DKIM1; garbage", '"garbage" is not a tag=value pair'),
        ("v=DKIM1; 1p=abc", '"1p" is not a valid tag name'),
        ("v=DKIM1; =abc", '"" is not a valid tag name'),
        ("v=DKIM1; p-x=abc", '"p-x" is not a valid tag name'),
        ("v=DKIM1; n=caf\u00e9", "not plain ASCII"),
    ],
)
def test_tag_list_reports_pieces_it_cannot_read(text: str, phrase: str) -> None:
    assert any(phrase in p for p in parse_tag_list(text).problems)


def test_tag_list_of_nothing_is_empty() -> None:
    for text in ("", ";", " ; ; "):
        assert parse_tag_list(text).tags == ()


def test_tag_value_may_contain_equals_signs() -> None:
    assert parse_tag_list("p=abc==").value_of("p") == "abc=="


def test_colon_list_lowercases_and_drops_empty_items() -> None:
    assert colon_list("SHA1 : sha256:") == ("sha1", "sha256")
    assert colon_list("") == ()


# -- DKIM key records --------------------------------------------------------------


def test_rfc_6376_example_key_split_over_several_strings() -> None:
    key = parse_dkim_key(join_txt_strings(RFC_6376_KEY_STRINGS))
    assert key.valid
    assert key.key_type == "rsa"
    assert key.key_bits == 1024
    assert not key.revoked
    assert key.service_types == ("*",)
    assert key.hash_algorithms == ()


def test_rfc_8463_ed25519_example_key() -> None:
    key = parse_dkim_key(RFC_8463_KEY)
    assert key.valid
    assert key.key_type == "ed25519"
    assert key.key_bits == 256
    assert key.problems == ()


def test_2048_bit_key_has_no_problems(rsa_2048: rsa.RSAPublicKey) -> None:
    key = parse_dkim_key(f"v=DKIM1; k=rsa; p={spki_base64(rsa_2048)}")
    assert key.valid
    assert key.key_bits == 2048
    assert key.problems == ()


def test_1024_bit_key_works_but_is_flagged(rsa_1024: rsa.RSAPublicKey) -> None:
    key = parse_dkim_key(f"v=DKIM1; p={spki_base64(rsa_1024)}")
    assert key.valid
    assert key.key_bits == 1024
    assert any("2048 bits is the current recommendation" in p for p in key.problems)


def test_key_under_1024_bits_is_rejected() -> None:
    key = parse_dkim_key(f"v=DKIM1; p={spki_base64(fake_rsa_key(512))}")
    assert not key.valid
    assert key.key_bits == 512
    assert any("under 1024 bits" in p for p in key.problems)


def test_key_over_4096_bits_gets_a_note() -> None:
    key = parse_dkim_key(f"v=DKIM1; p={spki_base64(fake_rsa_key(8192))}")
    assert key.valid
    assert key.key_bits == 8192
    assert any("up to 4096 bits" in p for p in key.problems)


def test_2048_bit_key_split_into_255_byte_strings(rsa_2048: rsa.RSAPublicKey) -> None:
    raw = f"v=DKIM1; k=rsa; p={spki_base64(rsa_2048)}".encode()
    strings = [raw[i : i + 255] for i in range(0, len(raw), 255)]
    assert len(strings) >= 2
    assert parse_dkim_key(join_txt_strings(strings)).key_bits == 2048


def test_whitespace_broken_base64_still_decodes(rsa_2048: rsa.RSAPublicKey) -> None:
    """RFC 6376 §3.6.1 allows folding white space inside the base64."""
    encoded = spki_base64(rsa_2048)
    broken = " ".join(encoded[i : i + 60] for i in range(0, len(encoded), 60))
    broken = broken.replace(" ", "\r\n\t", 2)
    key = parse_dkim_key(f"v=DKIM1; p= {broken} ")
    assert key.valid
    assert key.key_bits == 2048


def test_bare_pkcs1_rsa_public_key_is_accepted(rsa_2048: rsa.RSAPublicKey) -> None:
    """Some providers publish RSAPublicKey rather than SubjectPublicKeyInfo."""
    bare = base64.b64encode(rsa_2048.public_bytes(Encoding.DER, PublicFormat.PKCS1)).decode()
    key = parse_dkim_key(f"v=DKIM1; p={bare}")
    assert key.valid
    assert key.key_bits == 2048


def test_empty_p_means_revoked() -> None:
    for text in ("v=DKIM1; p=", "v=DKIM1; k=rsa; p= ;", "p="):
        key = parse_dkim_key(text)
        assert key.revoked
        assert not key.valid
        assert key.key_bits is None
        assert any("revoked" in p for p in key.problems)


def test_missing_p_is_not_a_key() -> None:
    key = parse_dkim_key("v=DKIM1; k=rsa")
    assert not key.valid
    assert not key.revoked
    assert any("no p= tag" in p for p in key.problems)


@pytest.mark.parametrize(
    "p_value",
    ["!!!!", "abc", "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQ===", "MIGf\u00e9MA0G"],
)
def test_unparsable_base64_is_reported(p_value: str) -> None:
    key = parse_dkim_key(f"v=DKIM1; p={p_value}")
    assert not key.valid
    assert any("not valid base64" in p for p in key.problems)


def test_zone_file_quotes_inside_p_are_explained() -> None:
    key = parse_dkim_key('v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQ" "KBgQDwIRP')
    assert not key.valid
    assert any("quote marks" in p for p in key.problems)


def test_base64_that_is_not_a_key_is_reported() -> None:
    key = parse_dkim_key(f"v=DKIM1; p={base64.b64encode(b'hello, this is not a key').decode()}")
    assert not key.valid
    assert key.problems == ("The p= value decodes, but it is not a public key.",)


def test_non_rsa_key_under_k_rsa_is_reported() -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1()).public_key()
    key = parse_dkim_key(f"v=DKIM1; p={spki_base64(ec_key)}")
    assert not key.valid
    assert any("not an RSA key" in p for p in key.problems)


def test_raw_ed25519_key_without_k_gets_a_hint() -> None:
    key = parse_dkim_key("v=DKIM1; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
    assert not key.valid
    assert any("add k=ed25519" in p for p in key.problems)


def test_ed25519_key_wrapped_in_spki_is_rejected() -> None:
    wrapped = spki_base64(ed25519.Ed25519PrivateKey.generate().public_key())
    key = parse_dkim_key(f"v=DKIM1; k=ed25519; p={wrapped}")
    assert not key.valid
    assert any("raw 32-byte key" in p and "44 bytes" in p for p in key.problems)


def test_unknown_key_type_is_reported() -> None:
    key = parse_dkim_key("v=DKIM1; k=dsa; p=AAAA")
    assert not key.valid
    assert key.key_type == "dsa"
    assert key.key_bits is None
    assert any("k=dsa" in p for p in key.problems)


def test_key_type_is_case_insensitive() -> None:
    assert parse_dkim_key(RFC_8463_KEY.replace("ed25519", "ED25519")).valid


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("k=rsa; v=DKIM1; p=", "must be the first tag"),
        ("v=DKIM2; p=", 'is not "DKIM1"'),
        ("v=dkim1; p=", 'is not "DKIM1"'),
    ],
)
def test_version_must_be_dkim1_and_first(text: str, phrase: str) -> None:
    key = parse_dkim_key(text)
    assert not key.valid
    assert any(phrase in p for p in key.problems)


def test_version_is_optional() -> None:
    assert parse_dkim_key(RFC_8463_KEY.removeprefix("v=DKIM1; ")).valid


def test_duplicate_tags_invalidate_the_key(rsa_2048: rsa.RSAPublicKey) -> None:
    encoded = spki_base64(rsa_2048)
    key = parse_dkim_key(f"v=DKIM1; p={encoded}; p={encoded}")
    assert not key.valid
    assert key.problems[0] == 'The record has two "p=" tags; receivers may ignore it.'


def test_hash_and_service_restrictions(rsa_2048: rsa.RSAPublicKey) -> None:
    encoded = spki_base64(rsa_2048)
    assert parse_dkim_key(f"v=DKIM1; h=sha256; s=email; p={encoded}").valid
    assert parse_dkim_key(f"v=DKIM1; h=sha1:sha256; s=*; p={encoded}").valid
    sha1_only = parse_dkim_key(f"v=DKIM1; h=sha1; p={encoded}")
    assert not sha1_only.valid
    assert sha1_only.hash_algorithms == ("sha1",)
    wrong_service = parse_dkim_key(f"v=DKIM1; s=tlsrpt; p={encoded}")
    assert not wrong_service.valid
    assert any("cannot be used for email" in p for p in wrong_service.problems)


def test_flags(rsa_2048: rsa.RSAPublicKey) -> None:
    key = parse_dkim_key(f"v=DKIM1; t=y:s; p={spki_base64(rsa_2048)}")
    assert key.valid
    assert key.flags == ("y", "s")
    assert key.testing
    assert key.same_domain_only
    assert any("testing (t=y)" in p for p in key.problems)
    plain = parse_dkim_key(f"v=DKIM1; t=s; p={spki_base64(rsa_2048)}")
    assert not plain.testing
    assert plain.problems == ()


def test_unknown_tags_are_ignored(rsa_2048: rsa.RSAPublicKey) -> None:
    key = parse_dkim_key(f"v=DKIM1; n=notes here; x=future; p={spki_base64(rsa_2048)}")
    assert key.valid
    assert key.problems == ()


@pytest.mark.parametrize(
    "text", ["", ";;;", "garbage", "\x00\xff", "p=" + "A" * 10000, "v=DKIM1; p=" + "=" * 300]
)
def test_hostile_input_does_not_raise(text: str) -> None:
    key = parse_dkim_key(text)
    assert not key.valid
    assert key.problems


def test_random_bytes_as_key_do_not_raise() -> None:
    for seed in range(50):
        junk = bytes((seed * 37 + i * 101) % 256 for i in range(seed * 7 + 3))
        key = parse_dkim_key(f"v=DKIM1; p={base64.b64encode(junk).decode()}")
        assert not key.valid
