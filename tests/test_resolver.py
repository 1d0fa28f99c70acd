"""The DNS layer against a real Knot server: every outcome a check has to explain."""

import pytest

from launchtui.resolver import Nameserver, Outcome, Resolver, parse_nameserver


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.1.1.1", Nameserver("1.1.1.1", 53)),
        ("127.0.0.1:5353", Nameserver("127.0.0.1", 5353)),
        ("[::1]:5353", Nameserver("::1", 5353)),
        ("2606:4700:4700::1111", Nameserver("2606:4700:4700::1111", 53)),
    ],
)
def test_nameservers_are_read_as_ip_and_optional_port(text, expected):
    assert parse_nameserver(text) == expected


@pytest.mark.parametrize("text", ["dns.google", "1.1.1.1:99999", "1.1.1.1:x", ""])
def test_a_bad_nameserver_is_refused_plainly(text):
    with pytest.raises(ValueError, match=r"IP|port"):
        parse_nameserver(text)


async def test_an_existing_name_resolves(lab, lab_resolver):
    answer = await lab_resolver.lookup("good.test", "A")
    assert answer.ok
    assert answer.texts() == [lab.address_of("good.test")]


async def test_a_missing_name_is_nxdomain(lab_resolver):
    answer = await lab_resolver.lookup("www.bad.test", "A")
    assert answer.outcome is Outcome.NXDOMAIN
    assert "does not exist" in answer.describe()


async def test_a_name_without_that_type_is_nodata(lab_resolver):
    answer = await lab_resolver.lookup("good.test", "AAAA")
    assert answer.outcome is Outcome.NODATA


async def test_cname_chains_are_followed_across_zones(lab, lab_resolver):
    answer = await lab_resolver.lookup("api.bad.test", "A")
    assert answer.cname_chain == ("gone-app.provider.test",)
    assert answer.outcome is Outcome.NXDOMAIN
    live = await lab_resolver.lookup("mail.bad.test", "A")
    assert live.ok and live.cname_chain == ("mx1.good.test",)


async def test_a_zone_that_failed_to_load_is_servfail(lab_resolver):
    answer = await lab_resolver.lookup("broken.test", "A")
    assert answer.outcome is Outcome.SERVFAIL
    assert answer.outcome.is_failure


async def test_a_zone_the_server_does_not_host_is_refused(lab_resolver):
    answer = await lab_resolver.lookup("example.invalid", "A")
    assert answer.outcome is Outcome.REFUSED


async def test_a_silent_server_times_out_within_the_limit(lab):
    silent = Resolver([Nameserver(lab.world.plan.silent_address)], timeout=0.5)
    answer = await silent.lookup("good.test", "A")
    assert answer.outcome in (Outcome.TIMEOUT, Outcome.ERROR)
    assert answer.outcome.is_failure


async def test_identical_questions_share_one_answer(lab_resolver):
    first = await lab_resolver.lookup("GOOD.test.", "A")
    second = await lab_resolver.lookup("good.test", "A")
    assert first is second


async def test_an_answer_too_big_for_udp_arrives_over_tcp(lab_resolver):
    answer = await lab_resolver.lookup("bigtxt.test", "TXT")
    assert answer.ok
    text = b"".join(answer.records[0].strings)
    assert len(text) > 4000
    assert b"verification-token-079" in text
