"""Thunderbird's prefs.js is JavaScript: a character outside the BMP may be written as a surrogate
pair of ``\\u`` escapes, which JavaScript reads as one character. A lone surrogate is no character
at all. Neither may stop the import of every other server."""

from __future__ import annotations

from smtpgui.core.formats.thunderbird import from_prefs_js
from smtpgui.core.validation import validate


def _prefs(description: str) -> str:
    return (
        'user_pref("mail.smtpservers", "smtp1");\n'
        'user_pref("mail.smtpserver.smtp1.hostname", "mail.example.com");\n'
        f'user_pref("mail.smtpserver.smtp1.description", "{description}");\n'
    )


def test_a_surrogate_pair_is_the_character_it_encodes() -> None:
    (connection,) = from_prefs_js(_prefs(r"\ud83d\ude00 Work")).connections
    assert connection.name == "\U0001f600 Work"
    assert validate(connection) == []


def test_a_lone_surrogate_becomes_a_replacement_character_not_a_refusal() -> None:
    for text in (r"Wo\ud800rk", r"Work\udfff", r"\ude00\ud83d Work"):
        (connection,) = from_prefs_js(_prefs(text)).connections
        assert validate(connection) == [], (text, connection.name)
        assert "\ufffd" in connection.name
