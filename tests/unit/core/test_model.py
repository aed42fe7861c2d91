"""The connection model, its JSON form, validation rules, presets and copy names."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smtpgui.core.appsettings import AppSettings
from smtpgui.core.model import (
    FIELD_NAMES,
    AuthMode,
    Connection,
    IpFamily,
    Kind,
    Mechanism,
    OAuthProvider,
    ProxyType,
    Security,
    TlsVersion,
    connection_from_dict,
    connection_to_dict,
)
from smtpgui.core.naming import copy_name
from smtpgui.core.presets import PRESETS, SES_REGIONS, find_preset
from smtpgui.core.validation import validate

DESIGN_FIELDS = {
    "name",
    "kind",
    "enabled",
    "is_default",
    "description",
    "signature",
    "append_signature",
    "host",
    "port",
    "timeout_s",
    "ehlo_name",
    "charset",
    "source_address",
    "ip_family",
    "from_address",
    "from_name",
    "reply_to",
    "return_path",
    "read_receipt_to",
    "force_sender",
    "auth_mode",
    "username",
    "domain",
    "mechanism",
    "allow_insecure_auth",
    "security",
    "tls_min",
    "tls_max",
    "verify",
    "ca_file",
    "pinned_sha256",
    "client_cert",
    "client_key",
    "proxy_type",
    "proxy_host",
    "proxy_port",
    "proxy_username",
    "proxy_domain",
    "proxy_remote_dns",
    "tenant_id",
    "client_id",
    "mailbox",
    "authority_url",
    "graph_url",
    "id",
}
# Added by smtpgui (schema 2) beyond DESIGN.md §2: where OAuth2 sign-in for SMTP gets its tokens.
OAUTH_FIELDS = {
    "oauth_provider",
    "oauth_client_id",
    "oauth_tenant",
    "oauth_authorize_url",
    "oauth_token_url",
    "oauth_device_url",
    "oauth_scopes",
}

# Added by schema 3 (issue 20): read confirmation switched on and off apart from its address.
SCHEMA_3_FIELDS = {"send_read_receipt", "credential_id", "connector_id"}

text = st.text(max_size=30)
connections = st.builds(
    Connection,
    name=st.text(min_size=1, max_size=50),
    kind=st.sampled_from(Kind),
    enabled=st.booleans(),
    is_default=st.booleans(),
    description=text,
    signature=text,
    append_signature=st.booleans(),
    host=text,
    port=st.integers(0, 70000),
    timeout_s=st.integers(0, 700),
    ehlo_name=text,
    charset=text,
    source_address=text,
    ip_family=st.sampled_from(IpFamily),
    from_address=text,
    from_name=text,
    auth_mode=st.sampled_from(AuthMode),
    username=text,
    domain=text,
    mechanism=st.sampled_from(Mechanism),
    security=st.sampled_from(Security),
    tls_min=st.sampled_from(TlsVersion),
    tls_max=st.sampled_from(TlsVersion),
    verify=st.booleans(),
    pinned_sha256=text,
    proxy_type=st.sampled_from(ProxyType),
    proxy_host=text,
    proxy_port=st.integers(0, 70000),
    proxy_remote_dns=st.booleans(),
    mailbox=text,
    oauth_provider=st.sampled_from(OAuthProvider),
    oauth_client_id=text,
    oauth_scopes=text,
)


def test_every_design_field_exists_with_its_default() -> None:
    assert set(FIELD_NAMES) == DESIGN_FIELDS | OAUTH_FIELDS | SCHEMA_3_FIELDS
    c = Connection(name="x")
    assert (c.timeout_s, c.charset, c.tls_min, c.verify, c.proxy_remote_dns, c.allow_insecure_auth) == (
        30,
        "utf-8",
        TlsVersion.V1_2,
        True,
        True,
        False,
    )
    assert c.authority_url.startswith("https://login.microsoftonline.com")
    assert c.graph_url == "https://graph.microsoft.com"


@given(connections)
def test_model_json_model_round_trip(connection: Connection) -> None:
    data = json.loads(json.dumps(connection_to_dict(connection)))
    assert connection_from_dict(data) == connection


def test_missing_keys_take_defaults_and_id_is_optional() -> None:
    c = connection_from_dict({"name": "n", "host": "h.example"})
    assert c.port == 587 and c.security is Security.STARTTLS and len(c.id) == 36


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"name": "n", "port": "25"}, "port must be a whole number"),
        ({"name": "n", "security": "ssl"}, "security must be one of"),
        ({"name": "n", "verify": "yes"}, "verify must be true or false"),
        ({"host": "x"}, "needs a name"),
        ([], "JSON object"),
    ],
)
def test_bad_json_values_are_explained(data: object, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        connection_from_dict(data)


def good(**changes: object) -> Connection:
    return Connection(name="ok", host="smtp.example.com").replace(**changes)


def fields_of(connection: Connection, others: list[Connection] | None = None) -> set[str]:
    return {p.field for p in validate(connection, others or [])}


def test_a_plain_connection_is_valid() -> None:
    assert validate(good()) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 51}, "name"),
        ({"name": "a\tb"}, "name"),
        ({"name": " padded"}, "name"),
        ({"host": ""}, "host"),
        ({"host": "bad host"}, "host"),
        ({"port": 0}, "port"),
        ({"port": 65536}, "port"),
        ({"timeout_s": 0}, "timeout_s"),
        ({"timeout_s": 601}, "timeout_s"),
        ({"ehlo_name": "nodots"}, "ehlo_name"),
        ({"from_address": "nope"}, "from_address"),
        ({"reply_to": "a@"}, "reply_to"),
        ({"return_path": "x"}, "return_path"),
        ({"read_receipt_to": "@x"}, "read_receipt_to"),
        ({"from_name": "Eve\r\nBcc: victim@example.com"}, "from_name"),
        ({"username": "me\nRCPT TO:<x@y.z>", "auth_mode": AuthMode.PASSWORD}, "username"),
        ({"description": "d" * 1001}, "description"),
        ({"signature": "s" * 251}, "signature"),
        ({"tls_min": TlsVersion.V1_3, "tls_max": TlsVersion.V1_2}, "tls_max"),
        ({"pinned_sha256": "abc"}, "pinned_sha256"),
        ({"proxy_type": ProxyType.SOCKS5, "proxy_host": ""}, "proxy_host"),
        ({"proxy_type": ProxyType.HTTP, "proxy_host": "p.example", "proxy_port": 0}, "proxy_port"),
        ({"auth_mode": AuthMode.PASSWORD}, "username"),
        ({"auth_mode": AuthMode.PASSWORD, "username": "u", "mechanism": Mechanism.XOAUTH2}, "mechanism"),
        ({"auth_mode": AuthMode.OAUTH2, "username": "u", "mechanism": Mechanism.LOGIN}, "mechanism"),
        ({"client_key": "/k.pem"}, "client_cert"),
        ({"charset": "no-such-charset"}, "charset"),
        ({"source_address": "not-an-ip"}, "source_address"),
        ({"force_sender": True}, "force_sender"),
        ({"kind": Kind.GRAPH}, "tenant_id"),
        (
            {
                "kind": Kind.GRAPH,
                "tenant_id": "t",
                "client_id": "c",
                "mailbox": "m@x.example",
                "graph_url": "http://graph.example",
            },
            "graph_url",
        ),
    ],
)
def test_each_rule_reports_its_field_with_a_sentence(changes: dict[str, object], field: str) -> None:
    problems = validate(good(**changes))
    assert field in {p.field for p in problems}
    assert all(p.message.endswith(".") for p in problems)


def test_every_problem_is_reported_at_once() -> None:
    bad = good(name="", host="", port=0, timeout_s=0, tls_min=TlsVersion.V1_3, tls_max=TlsVersion.V1_0)
    assert {"name", "host", "port", "timeout_s", "tls_max"} <= fields_of(bad)


def test_names_are_unique_ignoring_case() -> None:
    first = good(name="Work")
    assert "name" in fields_of(good(name="WORK"), [first])
    assert fields_of(first, [first]) == set()  # a connection does not clash with itself


def test_graph_loopback_http_is_allowed() -> None:
    graph = good(
        kind=Kind.GRAPH,
        tenant_id="t",
        client_id="c",
        mailbox="m@x.example",
        authority_url="http://127.0.0.1:8080",
        graph_url="http://localhost:9",
    )
    assert validate(graph) == []


def test_presets_cover_the_design_list_and_every_ses_region() -> None:
    ids = {p.id for p in PRESETS}
    for wanted in [
        "gmail",
        "google-workspace-relay",
        "office365",
        "outlook",
        "exchange",
        "icloud",
        "yahoo",
        "zoho",
        "fastmail",
        "sendgrid",
        "mailgun",
        "postmark",
        "brevo",
        "mailtrap",
    ]:
        assert wanted in ids
    assert {f"ses-{r}" for r, _ in SES_REGIONS} <= ids
    for preset in PRESETS:
        assert preset.advice.endswith(".")
        applied = preset.apply(good(username="u@example.com"))
        assert validate(applied) == [], preset.id
    assert "app password" in find_preset("gmail").advice


def test_unknown_preset() -> None:
    with pytest.raises(KeyError, match="smtpgui presets"):
        find_preset("nope")


def test_copy_names() -> None:
    assert copy_name("work", ["work"]) == "work_copied"
    assert copy_name("work", ["work", "work_copied"]) == "work_copied2"
    assert copy_name("work", ["work", "WORK_COPIED", "work_copied2"]) == "work_copied3"
    long = "x" * 50
    assert len(copy_name(long, [long])) == 50


def test_app_sender_defaults_apply_only_when_connection_has_none() -> None:
    settings = AppSettings("ops@example.com", "Ops Team")
    assert settings.sender_for(good()) == ("Ops Team", "ops@example.com")
    own = good(from_address="me@example.com", from_name="Me")
    assert settings.sender_for(own) == ("Me", "me@example.com")
    assert settings.sender_for(good(from_address="me@example.com")) == ("", "me@example.com")
    assert AppSettings("broken").validate()[0].field == "default_from_address"


def test_a_loaded_connection_is_a_whole_connection() -> None:
    """connection_from_dict keeps only the file's values in the instance and reads every other
    field from the class; it must still equal, hash and copy like one made by the constructor."""
    import dataclasses

    from smtpgui.core.model import _DEFAULTS, connection_from_dict

    assert all(getattr(Connection, name) == value for name, value in _DEFAULTS.items())
    loaded = connection_from_dict({"id": "x1", "name": "Relay", "host": "mx.example", "port": 2525, "security": "tls"})
    built = Connection(id="x1", name="Relay", host="mx.example", port=2525, security=Security.TLS)
    assert loaded == built and hash(loaded) == hash(built)
    assert dataclasses.asdict(loaded) == dataclasses.asdict(built)
    assert loaded.replace(port=25) == built.replace(port=25)
    assert (loaded.timeout_s, loaded.verify, loaded.charset) == (built.timeout_s, built.verify, built.charset)


def test_taken_names_find_clashes_ignoring_case_even_in_a_list_with_repeats() -> None:
    from smtpgui.core.validation import TakenNames

    a, b, c = Connection(id="a", name="Relay"), Connection(id="b", name="relay"), Connection(id="c", name="Other")
    unique = TakenNames([a, c])
    assert unique.clash("RELAY") == "Relay" and unique.clash("relay", own_id="a") is None
    assert unique.clash("new name") is None
    repeated = TakenNames([a, b, c])
    assert repeated.clash("Relay", own_id="a") == "relay" and repeated.clash("Relay", own_id="b") == "Relay"
