"""Settings in (issue 21, item 4): Thunderbird's prefs.js, an msmtprc and a swaks command line.

Sample files under tests/data/settingsin were written from each tool's documentation.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from smtpgui.core.formats.foreign import UnreadableSettings, detect_format
from smtpgui.core.formats.msmtprc import from_msmtprc, to_msmtprc
from smtpgui.core.formats.passwordread import PasswordRead, Reader
from smtpgui.core.formats.swaks import from_swaks, to_swaks
from smtpgui.core.formats.thunderbird import from_prefs_js
from smtpgui.core.model import AuthMode, Connection, Mechanism, OAuthProvider, Security
from smtpgui.core.validation import validate

DATA = Path(__file__).resolve().parents[2] / "data" / "settingsin"


def _by_name(connections: list[Connection]) -> dict[str, Connection]:
    return {c.name: c for c in connections}


def test_thunderbird_prefs_js_gives_every_listed_server() -> None:
    result = from_prefs_js((DATA / "thunderbird-prefs.js").read_text())
    found = _by_name(result.connections)
    assert list(found) == ['Work "submission"', "smtp.gmail.com", "mail.isp.example", "relay.lan.example"]
    work = found['Work "submission"']
    assert (work.host, work.port, work.security) == ("smtp.work.example", 587, Security.STARTTLS)
    assert (work.auth_mode, work.username, work.mechanism) == (AuthMode.PASSWORD, "joe@work.example", Mechanism.AUTO)
    assert (work.from_address, work.from_name) == ("joe@work.example", "Joe Smith")
    gmail = found["smtp.gmail.com"]
    assert (gmail.port, gmail.security, gmail.auth_mode) == (465, Security.TLS, AuthMode.OAUTH2)
    assert gmail.oauth_provider is OAuthProvider.GOOGLE and gmail.is_default
    isp = found["mail.isp.example"]
    assert (isp.port, isp.security, isp.mechanism) == (587, Security.NONE, Mechanism.CRAM_MD5)
    assert found["relay.lan.example"].auth_mode is AuthMode.NONE
    assert [c.name for c in result.connections if c.is_default] == ["smtp.gmail.com"]
    assert any("sizeLimit" in note for note in result.notes)
    assert not any("clientid" in note for note in result.notes)
    assert result.passwords == {}
    for connection in result.connections:
        assert validate(connection) == []


def test_msmtprc_defaults_inheritance_and_the_default_account() -> None:
    result = from_msmtprc((DATA / "msmtprc-user").read_text())
    found = _by_name(result.connections)
    assert list(found) == ["freemail", "freemail2", "company", "lan"]
    free = found["freemail"]
    assert (free.host, free.port, free.security, free.username) == (
        "smtp.freemail.example", 587, Security.STARTTLS, "joe.smith"
    )  # fmt: skip
    assert free.is_default and not found["freemail2"].is_default
    second = found["freemail2"]
    assert (second.host, second.username, second.from_address) == (
        "smtp.freemail.example", "joe.smith", "joey@freemail.example"
    )  # fmt: skip
    company = found["company"]
    assert (company.port, company.security, company.mechanism, company.username) == (
        465, Security.TLS, Mechanism.PLAIN, "company 12345"
    )  # fmt: skip
    assert company.pinned_sha256 == "00112233445566778899aabbccddeeff" * 2
    lan = found["lan"]
    assert (lan.security, lan.port, lan.auth_mode) == (Security.NONE, 25, AuthMode.NONE)
    assert result.passwords == {company.id: "s3cret with spaces"}
    notes = " ".join(result.notes)
    assert "passwordeval" in notes and "'logfile'" in notes
    assert "s3cret" not in notes and "s3cret" not in repr(result)
    for connection in result.connections:
        assert "s3cret" not in repr(connection)
        assert validate(connection) == []


def test_the_swaks_sample_and_its_secret() -> None:
    result = from_swaks((DATA / "swaks-command.txt").read_text())
    [c] = result.connections
    assert (c.host, c.port, c.security, c.verify) == ("mail.example.com", 587, Security.STARTTLS, True)
    assert (c.auth_mode, c.username, c.mechanism) == (AuthMode.PASSWORD, "me@example.com", Mechanism.CRAM_MD5)
    assert (c.from_address, c.ehlo_name) == ("me@example.com", "client.example.com")
    assert result.passwords == {c.id: "p4ss w0rd"}
    assert any("--header-X-Test" in note for note in result.notes)
    assert not any("test email" in note or "p4ss" in note for note in result.notes)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("swaks -s h.example -p 2525 -tlsc -a LOGIN -au u -ap pw", ("h.example", 2525, Security.TLS, Mechanism.LOGIN)),
        ("swaks --server [::1]:25 --auth --auth-user u", ("::1", 25, Security.NONE, Mechanism.AUTO)),
        ("swaks --server=h.example/465 --protocol SSMTPA -au u", ("h.example", 465, Security.TLS, Mechanism.AUTO)),
        ("/usr/bin/swaks -s h.example --tls-optional; rm -rf /", ("h.example", 587, Security.STARTTLS, Mechanism.AUTO)),
    ],
)
def test_swaks_option_forms(command: str, expected: tuple[object, ...]) -> None:
    [c] = from_swaks(command).connections
    assert (c.host, c.port, c.security, c.mechanism) == expected


def test_swaks_minus_to_is_the_timeout_and_double_dash_to_the_recipient() -> None:
    [c] = from_swaks("swaks -s h.example -to 45 --to rcpt@example.com").connections
    assert c.timeout_s == 45


def test_a_password_the_shell_reads_is_noted_not_imported() -> None:
    result = from_swaks('SWAKS_OPT_auth_password="$(secret-tool lookup x y)" swaks -s h.example -au u')
    assert result.passwords == {} and any("read by the shell" in n for n in result.notes)


def test_our_own_exports_import_back() -> None:
    original = Connection(
        name="Work", host="smtp.example.com", port=465, security=Security.TLS, auth_mode=AuthMode.PASSWORD,
        username="me@example.com", from_address="me@example.com", mechanism=Mechanism.PLAIN, ehlo_name="c.example",
    )  # fmt: skip
    password = PasswordRead(Reader.SECRET_TOOL, original.id)
    for result in (from_swaks(to_swaks(original, password)), from_msmtprc(to_msmtprc(original, password))):
        [c] = result.connections
        assert (c.host, c.port, c.security, c.username, c.mechanism, c.from_address, c.ehlo_name) == (
            "smtp.example.com", 465, Security.TLS, "me@example.com", Mechanism.PLAIN, "me@example.com", "c.example"
        )  # fmt: skip
        assert result.passwords == {}


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ('{"format": "smtpgui-connections"}', "smtpgui"),
        ('\ufeff  {"a": 1}', "smtpgui"),
        ('user_pref("mail.smtpservers", "smtp1");', "thunderbird"),
        ("# mine\ndefaults\ntls on\n", "msmtprc"),
        ("account a\nhost h\n", "msmtprc"),
        ("swaks --server h", "swaks"),
        ("SWAKS_OPT_auth_password=x /usr/local/bin/swaks -s h", "swaks"),
        ("hello world", None),
        ("", None),
    ],
)
def test_the_format_is_recognised_by_content(text: str, fmt: str | None) -> None:
    assert detect_format(text) == fmt


@pytest.mark.parametrize(
    ("reader", "text", "words"),
    [
        (from_swaks, "swaks --server 'unclosed", "not a complete shell command"),
        (from_swaks, "curl smtp://x", "not a swaks command"),
        (from_swaks, "swaks --to a@b.example", "names no server"),
        (from_swaks, "swaks " + "x" * 1_000_001, "longer than any swaks command"),
        (from_msmtprc, "# nothing\n", "defines no account"),
        (from_prefs_js, 'user_pref("browser.x", 1);', r"no outgoing \(SMTP\) server"),
    ],
)
def test_what_is_not_settings_gets_a_sentence(reader: object, text: str, words: str) -> None:
    with pytest.raises(UnreadableSettings, match=words):
        reader(text)  # type: ignore[operator]


def test_hostile_keys_and_names_are_noted_terminal_safe() -> None:
    prefs = (
        'user_pref("mail.smtpserver.smtp1.hostname", "h.example");\n'
        'user_pref("mail.smtpserver.smtp1.description", "evil\\u001b]0;x\\u0007\\u2028name' + "n" * 100 + '");\n'
        'user_pref("mail.smtpserver.smtp1.\\u001b[2J", 1);\n'
    )
    result = from_prefs_js(prefs)
    [c] = result.connections
    assert len(c.name) <= 50 and "\x1b" not in c.name and "\u2028" not in c.name
    assert validate(c) == []
    assert result.notes and all("\x1b" not in note for note in result.notes)
    rc = "account \x1b[31mred\nhost h.example\nfrobnicate \x1b[2J\n"
    result = from_msmtprc(rc)
    assert all("\x1b" not in note for note in result.notes) and any("frobnicate" in n for n in result.notes)
    assert validate(result.connections[0]) == []


def test_names_from_one_file_are_made_different() -> None:
    prefs = "".join(
        f'user_pref("mail.smtpserver.smtp{i}.hostname", "h.example");\n'
        f'user_pref("mail.smtpserver.smtp{i}.description", "{"Same" if i < 3 else "same"}");\n'
        for i in range(1, 5)
    )
    assert [c.name for c in from_prefs_js(prefs).connections] == ["Same", "Same 2", "same 3", "same 4"]


def test_a_from_address_pattern_is_left_empty_with_a_note() -> None:
    result = from_msmtprc("account a\nhost h.example\nfrom %U@%H\n")
    assert result.connections[0].from_address == "" and any("From address" in n for n in result.notes)


@pytest.mark.parametrize("count", [10_000, 100_000])
def test_a_hundred_thousand_accounts_read_in_linear_time(count: int) -> None:
    rc = "defaults\ntls on\n" + "".join(
        f"account a{i}{' : a' + str(i - 1) if i else ''}\nhost h{i}.example\nuser u{i}\nauth on\n" for i in range(count)
    )
    prefs = "".join(
        f'user_pref("mail.smtpserver.smtp{i}.hostname", "h{i}.example");\n'
        f'user_pref("mail.smtpserver.smtp{i}.username", "u{i}");\n'
        for i in range(count)
    )
    started = time.perf_counter()
    assert len(from_msmtprc(rc).connections) == count
    assert len(from_prefs_js(prefs).connections) == count
    elapsed = time.perf_counter() - started
    # 100,000 of each in a few seconds on a shared 2-core machine; quadratic would be hours.
    assert elapsed < (2 if count == 10_000 else 20), elapsed
