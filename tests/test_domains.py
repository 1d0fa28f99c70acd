import pytest

from launchtui.domains import DomainError, host_under, parse_domain


def test_a_pasted_url_gives_its_host_and_says_so():
    domain = parse_domain("https://Shop.Example.com/path?q=1")
    assert domain.name == "shop.example.com"
    assert any("Took the host" in note for note in domain.notes)


def test_an_idn_is_queried_as_punycode_and_shown_both_ways():
    domain = parse_domain("bücher.de")
    assert domain.name == "xn--bcher-kva.de"
    assert domain.display == "bücher.de (xn--bcher-kva.de)"


def test_a_trailing_dot_and_capitals_are_normalised():
    assert parse_domain("Example.COM.").name == "example.com"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty"),
        ("exa mple.com", "space"),
        ("a" * 64 + ".com", "63"),
        (("a" * 60 + ".") * 5 + "com", "253"),
        ("localhost", "no dot"),
        ("192.168.1.1", "IP address"),
        ("example..com", "empty label"),
        ("-bad.com", "invalid label"),
        ("ex_ample.com", "invalid label"),
        ("example.com:8080", "port"),
        ("https:///nohost", "no host"),
    ],
)
def test_bad_names_are_refused_with_one_plain_sentence(raw: str, message: str):
    with pytest.raises(DomainError, match=message):
        parse_domain(raw)


def test_subdomains_can_be_given_as_labels_or_full_names():
    assert host_under("example.com", "app") == "app.example.com"
    assert host_under("example.com", "api.example.com") == "api.example.com"
    assert host_under("example.com", "@") == "example.com"
