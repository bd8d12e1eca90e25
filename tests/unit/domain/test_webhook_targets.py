"""The rule against server-side request forgery, over every kind of address."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doorstep.domain.errors import InvalidValue
from doorstep.domain.webhook_targets import address_refusal, check_resolved, check_url

INSIDE = [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "100.64.0.0/10",
    "0.0.0.0/8",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "::1/128",
    "fe80::/10",
    "fc00::/7",
    "ff00::/8",
    "::ffff:0:0/96",
    "64:ff9b::/96",
    "2002::/16",
    "2001:db8::/32",
]


@given(st.sampled_from(INSIDE).flatmap(lambda net: st.ip_addresses(network=net)))
def test_refuses_every_address_of_a_private_loopback_link_local_multicast_or_reserved_range(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    assert address_refusal(address) is not None


@given(st.ip_addresses())
def test_an_address_it_admits_is_global_and_of_no_special_kind(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    if address_refusal(address) is None:
        assert address.is_global
        assert not (address.is_multicast or address.is_private or address.is_loopback)
        assert not (address.is_link_local or address.is_reserved or address.is_unspecified)
        if isinstance(address, ipaddress.IPv6Address):
            assert address.ipv4_mapped is None


@given(st.ip_addresses(v=4))
def test_an_ipv4_address_mapped_into_ipv6_is_refused_whatever_it_maps(
    address: ipaddress.IPv4Address,
) -> None:
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")
    assert address_refusal(mapped) == "is an IPv4-mapped IPv6 address"


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700:4700::1111", "8.8.8.8"])
def test_admits_public_addresses(address: str) -> None:
    assert address_refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.example.com/in", "must start with https://"),
        ("ftp://hooks.example.com/in", "must start with https://"),
        ("https://127.0.0.1/in", "is a loopback address"),
        ("https://[::1]/in", "is a loopback address"),
        ("https://169.254.169.254/latest/meta-data", "is a link-local address"),
        ("https://10.1.2.3/", "is a private address"),
        ("https://[::ffff:127.0.0.1]/", "IPv4-mapped"),
        ("https://[fd00::1]/", "is a private address"),
        ("https://localhost/in", "is not a public host name"),
        ("https://printer.local/in", "is not a public host name"),
        ("https://intranet/in", "is not a public host name"),
        ("https://user:pw@hooks.example.com/", "user name or password"),
        ("https://hooks.example.com/in\r\nX-Evil: 1", "control characters"),
        ("https:///nohost", "must name a host"),
        ("https://hooks.example.com:99999/", "not a valid URL"),
    ],
)
def test_refuses_urls_a_webhook_may_not_go_to(url: str, reason: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_url(url, allow_private=False)
    assert refused.value.field == "url"
    assert reason in refused.value.reason


def test_demo_and_test_mode_admit_http_to_loopback_but_still_want_a_url() -> None:
    target = check_url("http://127.0.0.1:8123/hooks", allow_private=True)
    assert (target.scheme, target.host, target.port) == ("http", "127.0.0.1", 8123)
    with pytest.raises(InvalidValue):
        check_url("file:///etc/passwd", allow_private=True)


def test_a_name_is_refused_when_any_of_its_addresses_is_inside() -> None:
    public, inside = ipaddress.ip_address("93.184.215.14"), ipaddress.ip_address("10.0.0.7")
    assert check_resolved("hooks.example.com", [public]) == public
    with pytest.raises(InvalidValue, match=r"resolves to 10\.0\.0\.7"):
        check_resolved("hooks.example.com", [public, inside])
    with pytest.raises(InvalidValue, match="does not resolve"):
        check_resolved("hooks.example.com", [])
