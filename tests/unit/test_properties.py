"""Bad input everywhere (hypothesis): validation, the JSON loader, import files, CLI arguments.

Each property is the same promise: whatever comes in, the answer is a result or a sentence of
our own (a typed error, an exit code), never a traceback, and nothing already saved is lost.
"""

from __future__ import annotations

import dataclasses
import json
import string
import sys
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smtpgui.cli.parser import main as run_command
from smtpgui.core.addresses import (
    normalize_address,
    normalize_display_name,
    normalize_ehlo_name,
    normalize_host,
    split_from_field,
)
from smtpgui.core.appsettings import AppSettings
from smtpgui.core.errors import SmtpguiError, StorageError, ValidationError
from smtpgui.core.message import TestRequest, build_test_message
from smtpgui.core.model import Connection, connection_from_dict, connection_to_dict
from smtpgui.core.validation import SINGLE_LINE_FIELDS, validate, validate_name
from smtpgui.storage.exchange import parse_import
from smtpgui.storage.store import ConnectionStore

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Everything str.splitlines() and mail software have ever treated as the end of a line.
LINE_ENDS = ["\r", "\n", "\r\n", "\x00", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
FIELD_NAMES = [f.name for f in dataclasses.fields(Connection)]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
# Dictionaries shaped like connections: real keys with wrong, odd or right-looking values.
connection_like = st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), json_values, max_size=12)


@SETTINGS
@given(data=connection_like)
def test_any_dictionary_is_a_connection_or_a_sentence(data: dict[str, Any]) -> None:
    try:
        connection = connection_from_dict(data)
    except (ValueError, TypeError) as exc:
        assert str(exc)
        return
    problems = validate(connection)
    assert all(p.message for p in problems)
    # What loads writes back unchanged.
    assert connection_from_dict(connection_to_dict(connection)) == connection


@SETTINGS
@given(
    field=st.sampled_from(SINGLE_LINE_FIELDS),
    before=st.text(string.ascii_letters + "@.-", max_size=12),
    end=st.sampled_from(LINE_ENDS),
)
def test_header_injection_through_any_field_is_refused(field: str, before: str, end: str) -> None:
    base = Connection(name="inject", host="smtp.example.com", from_address="ops@example.com", username="u")
    value = f"{before}{end}X-Injected: yes"
    try:
        connection = base.replace(**{field: value})
    except (ValueError, TypeError):
        return
    if not validate(connection):
        # Whatever validation lets through must not become a header of its own.
        try:
            message = build_test_message(connection, TestRequest(to=("r@example.com",)))
        except ValidationError:
            return
        headers = message.as_bytes().split(b"\r\n\r\n", 1)[0]
        assert not any(line.startswith(b"X-Injected") for line in headers.split(b"\r\n")), (field, value)
    # Every line end, not only CR/LF/NUL, breaks the single-line rule (issue 17, item 8).
    assert any(p.field == field for p in validate(connection)), (field, value)


@SETTINGS
@given(subject=st.text(max_size=20), end=st.sampled_from(LINE_ENDS), to=st.text(max_size=30))
def test_test_message_fields_cannot_inject_headers(subject: str, end: str, to: str) -> None:
    connection = Connection(name="m", host="smtp.example.com", from_address="ops@example.com")
    for request in (
        TestRequest(to=("r@example.com",), subject=f"{subject}{end}X-Injected: yes"),
        TestRequest(to=(f"{to}{end}X-Injected: yes",)),
    ):
        try:
            message = build_test_message(connection, request)
        except ValidationError as exc:
            assert str(exc)
            continue
        headers = message.as_bytes().split(b"\r\n\r\n", 1)[0]
        assert not any(line.startswith(b"X-Injected") for line in headers.split(b"\r\n"))


@SETTINGS
@given(
    document=st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"schema_version": st.integers(-2, 5) | json_values, "connections": st.lists(connection_like, max_size=3)}
        ),
    )
)
def test_the_connections_file_loads_or_is_refused_untouched(document: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = ConnectionStore(Path(folder))
        raw = json.dumps(document).encode()
        store.path.write_bytes(raw)
        try:
            connections = store.load()
        except StorageError as exc:
            assert str(exc) and store.path.read_bytes() == raw  # refused, and left as it was
            return
        assert all(isinstance(c, Connection) for c in connections)


@SETTINGS
@given(raw=st.binary(max_size=200))
def test_a_damaged_connections_file_is_moved_aside_never_lost(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = ConnectionStore(Path(folder))
        store.path.write_bytes(raw)
        try:
            store.load()
        except StorageError as exc:
            assert str(exc) and store.path.read_bytes() == raw
            return
        kept = [p.read_bytes() for p in Path(folder).iterdir() if p.name.startswith("connections.json")]
        assert raw in kept, "the original bytes still exist somewhere"


@SETTINGS
@given(
    document=st.one_of(
        json_values,
        st.fixed_dictionaries(
            {
                "format": st.just("smtpgui-connections") | st.text(max_size=5),
                "schema_version": st.integers(-1, 4),
                "connections": st.lists(connection_like, max_size=3) | json_values,
            }
        ),
    )
)
def test_any_import_file_imports_or_is_refused_with_a_sentence(document: Any) -> None:
    try:
        connections = parse_import(document)
    except ValidationError as exc:
        assert str(exc)
        return
    assert all(isinstance(c, Connection) for c in connections)


# CLI arguments: every command that works offline, with options and values from a vocabulary
# that includes hostile ones. (test/probe would reach the network: they get a missing name.)
COMMANDS = ["list", "show", "add", "edit", "duplicate", "delete", "set-default", "presets", "export", "import"]
WORDS = [
    "--json", "--host", "--port", "--security", "--auth", "--username", "--from", "--proxy", "--tls-min",
    "--timeout", "--name", "--as", "--yes", "--new-default", "--replace", "--names", "--default", "--verify",
    "--no-verify", "--ca-file", "--pin-sha256", "--mechanism", "--kind", "--graph-url", "--password-env",
    "a", "b", "smtp.example.com", "0", "65536", "-1", "tls", "none", "oauth2", "1.3", "x\r\ny", "\x00",
    "ä@ß.example", "socks5://u:p@h:1", "http://[::1", "", " ", "--", "-h",
]  # fmt: skip


@SETTINGS
@given(
    command=st.sampled_from(COMMANDS),
    words=st.lists(st.sampled_from(WORDS) | st.text(max_size=10), max_size=6),
)
def test_any_cli_arguments_end_in_an_exit_code_not_a_traceback(
    command: str, words: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # an export with a random name lands here
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    folder = tmp_path / "config"
    ConnectionStore(folder).update(lambda _: [Connection(name="a", host="a.example.com")])
    before = ConnectionStore(folder).load()
    try:
        code = run_command(["--config-dir", str(folder), command, *words])
    except SystemExit as exc:  # argparse's own usage errors and --help
        code = exc.code if isinstance(exc.code, int) else 2
    _out, err = capsys.readouterr()
    assert code in (0, 2, 3), (command, words, err)
    assert "Traceback" not in err and "internal error" not in err
    if code != 0:
        assert ConnectionStore(folder).load() == before, "a refused command changed nothing"
        assert err.strip(), "a refusal says why"


def test_store_errors_are_smtpgui_errors() -> None:
    assert issubclass(StorageError, SmtpguiError) and issubclass(ValidationError, SmtpguiError)


# Every character that breaks "a single line": each str.splitlines() break, every control
# character (C0 including TAB and NUL, DEL, C1 including NEL), U+2028/U+2029, lone surrogates.
SPLITLINES_BREAKS = [chr(c) for c in range(sys.maxunicode + 1) if len(f"a{chr(c)}b".splitlines()) > 1]
BREAKING = sorted(
    set(SPLITLINES_BREAKS)
    | {chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in ("Cc", "Zl", "Zp")}
    | {"\ud800"}
)
breaking = st.sampled_from(BREAKING)
words = st.text(string.ascii_letters, min_size=1, max_size=8)


def test_the_breaking_set_holds_every_splitlines_break() -> None:
    assert set(SPLITLINES_BREAKS) <= set(BREAKING)
    assert {"\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x00"} <= set(BREAKING)


@SETTINGS
@given(ch=breaking, before=words, after=words)
def test_no_parser_accepts_a_break_anywhere(ch: str, before: str, after: str) -> None:
    for parse, value in (
        (normalize_address, f"{before}{ch}{after}@example.com"),
        (normalize_address, f"{before}@exa{ch}mple.com"),
        (normalize_host, f"{before}{ch}{after}.example.com"),
        (normalize_ehlo_name, f"{before}.{ch}{after}.example.com"),
        (normalize_display_name, f"{before}{ch}{after}"),
        (split_from_field, f"{before}{ch}{after} <a@example.com>"),
    ):
        with pytest.raises(ValueError) as caught:
            parse(value)
        assert str(caught.value)


@SETTINGS
@given(ch=breaking, before=words, after=words)
def test_names_and_settings_refuse_a_break(ch: str, before: str, after: str) -> None:
    assert [p.field for p in validate_name(f"{before}{ch}{after}")] == ["name"]
    settings = AppSettings(default_from_address=f"{before}{ch}@example.com", default_from_name=f"{before}{ch}{after}")
    assert {p.field for p in settings.validate()} == {"default_from_address", "default_from_name"}


@SETTINGS
@given(ch=breaking, before=words, after=words)
def test_a_test_message_refuses_a_break_in_what_the_user_typed(ch: str, before: str, after: str) -> None:
    connection = Connection(name="m", host="smtp.example.com", from_address="ops@example.com")
    for request, field in (
        (TestRequest(to=("r@example.com",), subject=f"{before}{ch}{after}"), "subject"),
        (TestRequest(to=(f"{before}{ch}{after}@example.com",)), "to"),
    ):
        with pytest.raises(ValidationError) as caught:
            build_test_message(connection, request)
        assert [p.field for p in caught.value.problems] == [field]
    # A value stored by an older version (no validation then) is a sentence too, not a crash.
    for app_settings, field in (
        (AppSettings(default_from_address=f"{before}{ch}@example.com"), "default_from_address"),
        (AppSettings(default_from_address="a@example.com", default_from_name=f"{before}{ch}"), "default_from_name"),
    ):
        with pytest.raises(ValidationError) as caught:
            build_test_message(
                Connection(name="m", host="smtp.example.com"), TestRequest(to=("r@example.com",)), app_settings
            )
        assert [p.field for p in caught.value.problems] == [field]


hostile_text = st.lists(st.sampled_from([*' ,;:<>@"\\()[].=?–Üx日', "ab ", "ceo@bank.example"]), max_size=30).map(
    "".join
)


@SETTINGS
@given(name=hostile_text | st.text(max_size=60), sender=st.sampled_from(["a@example.test", "jörg@bücher.example"]))
def test_any_display_name_reads_back_as_exactly_one_from_address(name: str, sender: str) -> None:
    from email.parser import Parser

    from smtpgui.core.message import READ_POLICY

    connection = Connection(name="m", host="smtp.example.com", from_address=sender, from_name=name)
    try:
        message = build_test_message(connection, TestRequest(to=("r@example.com",)))
    except ValidationError as exc:
        assert [p.field for p in exc.problems] == ["from_name"]
        return
    raw = message.as_bytes()
    assert raw.isascii() or message.smtputf8
    froms = Parser(policy=READ_POLICY).parsestr(raw.decode("utf-8")).get_all("From") or []
    assert len(froms) == 1
    expected_sender = sender if message.smtputf8 else sender.replace("bücher", "xn--bcher-kva")
    assert [(a.display_name, a.addr_spec) for a in froms[0].addresses] == [(name.strip(), expected_sender)]


@SETTINGS
@given(
    name=st.from_regex(r"(?:[A-Za-z0-9]{1,12}(?: [A-Za-z0-9]{1,12}){0,8})?", fullmatch=True)
)  # up to 116: the 128 limit
def test_plain_names_written_as_given_read_back_as_meant(name: str) -> None:
    """A From header with a plain name is checked without parsing (it was written on one line
    exactly as the address formats itself); what the parser reads must still be what was meant,
    short or long (a long one is folded, and then parsed to check)."""
    from email.parser import Parser

    from smtpgui.core.message import READ_POLICY

    connection = Connection(name="m", host="smtp.example.com", from_address="a@example.test", from_name=name)
    message = build_test_message(connection, TestRequest(to=("r@example.com",)))
    parsed = Parser(policy=READ_POLICY).parsestr(message.as_bytes().decode("ascii"))
    (sender,) = parsed.get_all("From")
    assert [(a.display_name, a.addr_spec) for a in sender.addresses] == [(name, "a@example.test")]
