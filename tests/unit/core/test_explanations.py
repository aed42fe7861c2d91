"""The explanation table: the cases DESIGN.md §4 names, and a fix for every failure."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smtpgui.core.explanations import Failure, explain
from smtpgui.transport.result import Stage


@pytest.mark.parametrize(
    ("failure", "words"),
    [
        (
            Failure("auth", code=535, enhanced="5.7.8", text="5.7.8 Authentication credentials invalid"),
            "user name or password",
        ),
        (
            Failure("auth", code=534, enhanced="5.7.9", text="5.7.9 Application-specific password required"),
            "app password",
        ),
        (
            Failure(
                "auth",
                code=535,
                enhanced="5.7.139",
                text="5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant",
            ),
            "SMTP AUTH is disabled",
        ),
        (
            Failure("auth", code=550, enhanced="5.7.30", text="5.7.30 Basic authentication is not supported"),
            "no longer accepts passwords",
        ),
        (
            Failure("greeting", code=421, enhanced="4.7.66", text="4.7.66 TLS 1.0 and 1.1 are not supported"),
            "TLS 1.0/1.1",
        ),
        (
            Failure("mail", code=530, enhanced="5.7.0", text="5.7.0 Must issue a STARTTLS command first"),
            "STARTTLS first",
        ),
        (Failure("auth", kind="no-mechanism"), "no sign-in method in common"),
        (Failure("rcpt", code=554, enhanced="5.7.1", text="5.7.1 Relay access denied"), "relay"),
        (Failure("rcpt", code=550, enhanced="5.7.1", text="5.7.1 Unable to relay"), "relay"),
        (Failure("resolve", kind="dns"), "could not be found"),
        (Failure("connect", kind="refused"), "Nothing is listening"),
        (Failure("tls", kind="certificate", text="self-signed certificate"), "not trusted"),
        (Failure("tls", kind="certificate", text="certificate has expired"), "expired"),
        (Failure("greeting", kind="mismatch-implicit"), "implicit TLS"),
        (Failure("tls", kind="mismatch-plain"), "plain SMTP"),
        (Failure("auth", kind="oauth", code=535), "access token"),
    ],
)
def test_named_cases(failure: Failure, words: str) -> None:
    explanation = explain(failure)
    assert words.lower() in explanation.cause.lower()
    assert explanation.fix


@given(
    st.sampled_from([s.value for s in Stage]),
    st.sampled_from(
        [
            "smtp",
            "dns",
            "refused",
            "unreachable",
            "timeout",
            "proxy",
            "proxy-auth",
            "pin",
            "tls",
            "disconnected",
            "protocol",
            "cancelled",
            "internal",
            "no-starttls",
            "hostname",
        ]
    ),
    st.one_of(st.none(), st.integers(200, 599)),
    st.one_of(st.none(), st.from_regex(r"[245]\.\d\.\d{1,3}", fullmatch=True)),
    st.text(max_size=40),
)
def test_every_failure_has_a_cause_and_a_fix(
    stage: str, kind: str, code: int | None, enhanced: str | None, text: str
) -> None:
    explanation = explain(Failure(stage, kind, code, enhanced, text))
    assert explanation.cause.endswith(".") and explanation.fix.endswith(".")
