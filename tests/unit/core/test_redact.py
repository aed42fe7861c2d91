"""The scrubber: a secret and every form a peer may echo it in (base64, hex, URL/form encoding,
spaced or split over reply lines) is hidden; short secrets only near the sign-in; fast enough."""

from __future__ import annotations

import base64
import re
import time
from urllib.parse import quote, quote_plus, urlencode

import pytest

from smtpgui.core.redact import REDACTED, Scrubber, proxy_basic_forms

SECRET = "S3cr3t P@ss/x"
USER = "usr@x.test"
PLAIN = f"\0{USER}\0{SECRET}"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def lower_escapes(url: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), url)


def scrubber() -> Scrubber:
    """What auth.py registers for AUTH PLAIN, plus a proxy's ``user:pass``."""
    s = Scrubber([SECRET, PLAIN, b64(PLAIN), f"{USER}\0{SECRET}"])
    for form in proxy_basic_forms("puser", "Pr0xy Pw/z"):
        s.add(form)
    return s


@pytest.mark.parametrize(
    "echo",
    [
        SECRET.encode().hex(),
        SECRET.encode().hex().upper(),
        PLAIN.encode().hex(),
        PLAIN.encode().hex().upper(),
        b"puser:Pr0xy Pw/z".hex(),
        b64(PLAIN).encode().hex(),
    ],
)
def test_hex_of_a_secret_or_a_registered_form_is_hidden(echo: str) -> None:
    shown = scrubber()(f"535 5.7.8 hex {echo} end")
    assert echo not in shown and SECRET.encode().hex() not in shown.lower()
    assert shown.startswith("535 5.7.8 hex ") and shown.endswith(" end") and REDACTED in shown


@pytest.mark.parametrize(
    "echo",
    [
        quote(SECRET),
        quote(SECRET, safe=""),
        quote_plus(SECRET),
        quote(PLAIN, safe=""),
        lower_escapes(quote(SECRET, safe="")),
        quote("puser:Pr0xy Pw/z", safe=""),
        urlencode({"grant_type": "client_credentials", "client_secret": SECRET, "scope": "x"}),
        quote(b64(PLAIN), safe=""),
    ],
)
def test_url_and_form_encodings_are_hidden(echo: str) -> None:
    shown = scrubber()(f"body was: {echo}")
    for form in (quote(SECRET), quote(SECRET, safe=""), quote_plus(SECRET), lower_escapes(quote(SECRET, safe=""))):
        assert form not in shown
    assert shown.startswith("body was: ") and REDACTED in shown


def test_a_form_body_keeps_its_other_fields() -> None:
    shown = scrubber()(urlencode({"client_id": "app1", "client_secret": SECRET, "scope": "x/.default"}))
    assert shown.startswith("client_id=app1&client_secret=") and "scope=x%2F.default" in shown
    assert quote_plus(SECRET) not in shown


def test_base64_with_spaces_inserted_is_hidden() -> None:
    basic = b64("puser:Pr0xy Pw/z")
    spaced = " ".join(basic[i : i + 6] for i in range(0, len(basic), 6))
    shown = scrubber()(f"HTTP/1.1 407 Denied {spaced} realm")
    assert basic[:12] not in shown.replace(" ", "") and REDACTED in shown
    assert shown.startswith("HTTP/1.1 407 Denied ") and shown.endswith(" realm")


def test_base64_split_over_reply_lines_is_hidden_in_every_line() -> None:
    payload = b64(PLAIN)
    chunks = [payload[i : i + 5] for i in range(0, len(payload), 5)]
    lines = ["5.7.8 wrapped", *chunks, "end"]
    shown = scrubber().lines(lines)
    assert len(shown) == len(lines) and shown[0] == "5.7.8 wrapped" and shown[-1] == "end"
    assert all(line == REDACTED for line in shown[1:-1]), shown
    # The same reply as one text with line breaks (how the failure summary gets it).
    text = scrubber()("\n".join(lines))
    assert text.split("\n")[1:-1] == [REDACTED] * len(chunks)


def test_a_password_that_ends_a_base64_payload_is_hidden_to_its_last_group() -> None:
    for payload in (f"LOGIN|{USER}|{SECRET}", f"x{SECRET}", f"xy{SECRET}"):
        encoded = b64(payload)
        for shown in (scrubber()(f"535 {encoded}"), scrubber()(f"535 {encoded.rstrip('=')}")):
            assert shown.endswith(REDACTED), (payload, shown)


def test_a_password_whose_halves_are_on_two_lines_is_hidden() -> None:
    text = f"|{USER}|{SECRET}"
    cut = len(text) // 2 + 1
    shown = scrubber().lines([f"5.7.8 {text[:cut]}", text[cut:]])
    assert shown[0].startswith("5.7.8 |") and shown[0].endswith(REDACTED) and shown[1] == REDACTED
    assert "S3cr" not in "".join(shown) and "P@ss" not in "".join(shown)


def test_ordinary_text_is_left_alone() -> None:
    s = scrubber()
    for text in ("250-SIZE 10485760", "535 5.7.8 Authentication credentials invalid", "", "a\nb\r\nc"):
        assert s(text) == text
    assert s.lines(["250-x", "250 y"]) == ["250-x", "250 y"]


def test_short_secrets_are_hidden_only_near_the_sign_in_and_as_whole_words() -> None:
    s = Scrubber(["Zq9"])
    assert s("535 5.7.8 plain |usr|Zq9") == "535 5.7.8 plain |usr|Zq9"  # everywhere else: too short to hide
    assert s.near_sign_in("535 5.7.8 plain |usr|Zq9") == f"535 5.7.8 plain |usr|{REDACTED}"
    assert s.near_sign_in("535 5.7.8 hex 5a7139") == f"535 5.7.8 hex {REDACTED}"
    assert s.near_sign_in("535 xZq9y") == "535 xZq9y"  # inside a word: an ordinary string
    ok = Scrubber(["ok"])
    assert ok.near_sign_in("535 5.7.8 token not ok") == f"535 5.7.8 token not {REDACTED}"
    assert ok.lines(["5.7.8 o", "k"], near_sign_in=True) == ["5.7.8 o", "k"]  # too short to chase over lines


def test_long_secrets_are_hidden_near_the_sign_in_too() -> None:
    assert SECRET not in scrubber().near_sign_in(f"x {SECRET} y")


def test_the_scrubber_stays_fast_with_many_secrets() -> None:
    s = Scrubber(f"secret-number-{i}-{'x' * i}" for i in range(50))
    line = "250-" + "ordinary words of a long reply line " * 30
    started = time.perf_counter()
    for _ in range(2000):
        s(line)
    per_line = (time.perf_counter() - started) / 2000
    assert per_line < 0.002, f"{per_line * 1000:.2f} ms per line"
