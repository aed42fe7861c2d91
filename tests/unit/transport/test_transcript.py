"""The transcript: every line scrubbed when recorded, and again only when a secret became known later."""

from __future__ import annotations

from smtpgui.core.redact import Scrubber
from smtpgui.transport.transcript import Transcript


def test_a_line_recorded_before_its_secret_was_known_is_hidden_in_the_safe_lines() -> None:
    transcript = Transcript((), None, Scrubber(["first-secret-value"]))
    transcript.received("250 first-secret-value and tok-9f8e7d6c5b4a", tls=True)
    transcript.add_secret("tok-9f8e7d6c5b4a")  # a token fetched mid-session
    transcript.sent("AUTH XOAUTH2 tok-9f8e7d6c5b4a", tls=True)
    safe = transcript.safe_lines()
    assert safe == ["<~ 250 [hidden] and [hidden]", "~> AUTH XOAUTH2 [hidden]"]
    assert "tok-9f8e7d6c5b4a" in transcript.lines[0]  # as recorded: only safe_lines is an output


def test_lines_recorded_with_every_secret_known_are_not_scrubbed_again(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    transcript = Transcript((), None, Scrubber(["first-secret-value"]))
    transcript.info("Signing in")
    scrubbed: list[str] = []
    real = Scrubber.__call__
    monkeypatch.setattr(Scrubber, "__call__", lambda self, text: scrubbed.append(text) or real(self, text))
    assert transcript.safe_lines() == ["=== Signing in"]
    assert scrubbed == []
