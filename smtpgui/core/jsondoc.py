"""JSON from outside (files, servers) parsed without surprises.

``json.loads`` alone lets three kinds of hostile text through as something other than "not
valid JSON": nesting deep enough to raise ``RecursionError``, escaped lone surrogates
(``"\\ud800"``) that become strings no file, terminal or keyring can encode later, and a UTF-8
byte-order mark, which it refuses although editors on Windows write one. :func:`parse_json`
turns the first two into ``ValueError`` with a sentence and accepts the third.
"""

from __future__ import annotations

import json
import re
from typing import Any

# An escaped surrogate: only then can the parsed text hold a lone one (raw surrogates cannot
# be in UTF-8 that decoded), so the common case costs one search of the text.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_json(data: bytes | str) -> Any:
    """The document in ``data`` (UTF-8, with or without a byte-order mark).

    Raises ``ValueError`` with a sentence (no file name: the caller knows it) when the text is
    not UTF-8, not JSON, nested deeper than the parser can follow, or holds a lone surrogate.
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("it is not UTF-8 text") from None
    else:
        text = data.removeprefix("\ufeff")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"it is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        # What smtpgui reads later never recurses into values (unknown keys are ignored, a
        # value of the wrong type is refused), so only the parser's own limit matters.
        raise ValueError("it is nested too deeply to read") from None
    if _SURROGATE_ESCAPE.search(text) and _holds_lone_surrogate(document):
        raise ValueError("it holds text that is not valid Unicode (a lone surrogate escape such as \\ud800)")
    return document


def _holds_lone_surrogate(document: Any) -> bool:
    stack: list[Any] = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if _LONE_SURROGATE.search(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False
