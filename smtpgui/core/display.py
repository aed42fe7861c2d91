"""Making outside text safe to display: the one function for text that came from elsewhere.

Server greetings and replies, proxy answers, provider errors, certificate fields: any text
that did not come from our own code may hold terminal control sequences (ESC/CSI/OSC that
clear the screen, set the window title or fake lines), C1 controls, bidi overrides that
reorder what is shown, or line separators that start a new line behind our ``smtpgui:``
prefix. ``printable`` shows every such character escaped, as swaks does, so the text reads
the same in a terminal, a transcript, JSON and the window, and can never act on them.

Escapes are written ``\\xNN`` (code points up to U+00FF: ESC is ``\\x1b``, DEL ``\\x7f``,
NEL ``\\x85``) and ``\\uNNNN`` above (``\\u202e`` for RIGHT-TO-LEFT OVERRIDE).
"""

from __future__ import annotations

import re

__all__ = ["json_text", "printable", "printable_lines"]

# C0 (tab, CR and LF included), DEL, C1; the line and paragraph separators; bidi marks,
# embeddings, overrides and isolates; the BOM / zero-width no-break space, zero-width space
# and the interlinear annotation characters; lone surrogates (from undecodable bytes).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
_LINE_END = re.compile(r"\r\n|\r|\n")


def _escape(match: re.Match[str]) -> str:
    point = ord(match.group())
    return f"\\x{point:02x}" if point <= 0xFF else f"\\u{point:04x}"


def printable(text: str | bytes | None, *, multiline: bool = False) -> str:
    """``text`` with every control, bidi and line-separator character shown escaped.

    Bytes are read as UTF-8 (undecodable bytes become U+FFFD). With ``multiline`` the real
    line ends (CRLF, CR, LF) are kept, as a single ``\\n`` each; every other line break
    (NEL, U+2028, U+2029, VT, FF) is still escaped. Without it the result is one line.
    """
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if multiline:
        return "\n".join(_UNSAFE.sub(_escape, line) for line in _LINE_END.split(text))
    return _UNSAFE.sub(_escape, text)


def printable_lines(text: str | bytes | None) -> list[str]:
    """``text`` split at its real line ends (CRLF, CR, LF), each line made ``printable``."""
    return printable(text, multiline=True).split("\n")


# What JSON leaves raw that a terminal may act on: all of ``_UNSAFE`` but C0 (JSON escapes C0
# inside strings itself; outside them, C0 is only the layout's own line ends). Compiled on first
# use (~0.5 ms the window's start-up does not need).
_JSON_UNSAFE_CHARACTERS = (
    "[\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb\ud800-\udfff]"
)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_text(data: object, *, indent: int | None = 2) -> str:
    """``data`` as JSON for a terminal or a pipe: non-ASCII text stays readable, but every
    character ``printable`` would escape (C1 controls, bidi overrides, line separators, lone
    surrogates) is written as a ``\\uNNNN`` escape, which JSON readers turn back into the same
    character and terminals never act on. (C0 controls are escaped by JSON itself.)"""
    import json

    return re.sub(_JSON_UNSAFE_CHARACTERS, _json_escape, json.dumps(data, indent=indent, ensure_ascii=False))
