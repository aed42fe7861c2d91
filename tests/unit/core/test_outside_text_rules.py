"""Numbers and addresses from outside text (engineer G's attacks): ASCII digits only; never an
address that reaches this computer's own services or no server at all."""

from __future__ import annotations

import pytest

from smtpgui.core.addresses import is_server_address, parse_ip
from smtpgui.core.numbers import ascii_number, ascii_port


@pytest.mark.parametrize("text", ["²", "٥٨٧", "５８７", "", " ", "+5", "-5", "5.0", "1_000", "0x10", "9" * 19])
def test_only_ascii_digits_are_a_number(text: str) -> None:
    assert ascii_number(text) is None


@pytest.mark.parametrize(("text", "number"), [("0", 0), (" 587 ", 587), ("007", 7), ("9" * 18, int("9" * 18))])
def test_ascii_numbers(text: str, number: int) -> None:
    assert ascii_number(text) == number


@pytest.mark.parametrize("text", ["0", "65536", "70000", "²", "abc", "-1"])
def test_ports_outside_1_to_65535_are_none(text: str) -> None:
    assert ascii_port(text) is None


@pytest.mark.parametrize(
    "address",
    [
        "0.0.0.0",
        "::",
        "::ffff:0.0.0.0",
        "224.0.0.1",
        "ff02::1",
        "255.255.255.255",
        "240.0.0.1",
        "169.254.169.254",
        "fe80::1",
        "::ffff:169.254.169.254",
    ],
)
def test_addresses_where_no_server_can_be(address: str) -> None:
    ip = parse_ip(address)
    assert ip is not None and not is_server_address(ip)


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "10.0.0.1", "192.168.1.1", "2606:4700::1", "64:ff9b::1"])
def test_addresses_a_server_can_have(address: str) -> None:
    # NAT64's 64:ff9b::/96 is every IPv4 server seen from an IPv6-only network.
    ip = parse_ip(address)
    assert ip is not None and is_server_address(ip)
