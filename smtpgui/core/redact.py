"""Hiding secrets in text: a secret, the forms a peer may echo it in, and a process-wide list for the log.

Transcripts scrub the secrets of their own session. The log scrubs every secret this process has
read or written (``remember`` is called by the secret store and by whoever takes a secret from
the environment), as a second line of defence behind "never log a secret".

Each secret (and each form registered with it, such as AUTH PLAIN's ``\\0user\\0password`` or a
proxy's ``user:password``) is hidden raw and in every encoding a server, proxy or token endpoint
has been seen to echo it in: base64 (standard and URL-safe, at any alignment inside a longer
payload), hex (lower and upper case), URL and form encoding, and JSON string escapes. Matching
ignores line breaks (a form split over the lines of a multi-line reply), and forms of 8
characters or more also match with whitespace inserted anywhere (base64 wrapped by a proxy).
Forms are computed once per secret; a scrub costs one substring search per form.

Secrets shorter than ``_MIN_LENGTH`` would hide ordinary words everywhere; they are hidden only
in what a peer says during the sign-in (``near_sign_in``), and only as whole words there.
"""

from __future__ import annotations

import base64
import bisect
import functools
import json
import re
import threading
from collections.abc import Iterable, Sequence
from urllib.parse import quote, quote_plus

REDACTED = "[hidden]"
_MIN_LENGTH = 4  # shorter strings would hide ordinary words, and are no secret worth the name
_SPACED_MIN = 8  # forms this long (without whitespace) are also found with whitespace inserted
_NONE = 1 << 62  # the shortest form while there is none: every text is shorter
_WHITESPACE = re.compile(r"\s+")
_LINE_BREAKS = re.compile(r"[\r\n]+")
_PERCENT = re.compile(r"%[0-9A-F]{2}")


def proxy_basic_forms(user: str, password: str | None) -> list[str]:
    """What an HTTP proxy's ``Proxy-Authorization: Basic`` carries, raw and encoded."""
    if not password:
        return []
    raw = f"{user}:{password}"
    return [raw, base64.b64encode(raw.encode("utf-8")).decode("ascii")]


def _base64_forms(raw: bytes) -> set[str]:
    """The whole base64 form, and the stable middle of the form at each of the three alignments.

    A secret inside a longer base64 payload (AUTH PLAIN's ``\\0user\\0password``) encodes
    differently depending on where it starts; the middle of each alignment's encoding is the
    same wherever the secret stands, so scrubbing those catches it in any payload. Where the
    secret ends the payload, its last group (with or without padding) is hidden as well.
    """
    found = {base64.b64encode(raw).decode("ascii")}
    for offset in (0, 1, 2):
        encoded = base64.b64encode(b"\0" * offset + raw).decode("ascii")
        start = 4 if offset else 0
        found.add(encoded[start:-4])
        # A secret that ends the payload (PLAIN and LOGIN put the password last): its last group too.
        found |= {encoded[start:], encoded[start:].rstrip("=")}
    return found | {f.translate(_URLSAFE) for f in found}


_URLSAFE = str.maketrans("+/", "-_")


def encoded_forms(secret: str) -> set[str]:
    """Every form ``secret`` may be echoed in (empty strings left out, no length filter)."""
    raw = secret.encode("utf-8")
    hexed = raw.hex()
    found = {secret, hexed, hexed.upper(), *_base64_forms(raw)}
    for url in (quote(secret, safe=""), quote(secret), quote_plus(secret), quote_plus(secret, safe="/")):
        found |= {url, _PERCENT.sub(lambda m: m.group(0).lower(), url)}
    found |= {json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    return {f for f in found if f}


def secret_variants(secret: str) -> set[str]:
    """The forms of ``secret`` hidden everywhere (those of at least ``_MIN_LENGTH`` characters)."""
    if len(secret) < _MIN_LENGTH:
        return set()
    return {v for v in encoded_forms(secret) if len(v) >= _MIN_LENGTH}


class _View:
    """``text`` with the characters a pattern matches removed, and the way back to its indices."""

    def __init__(self, text: str, removed: re.Pattern[str]) -> None:
        self.kept: list[int] = []  # where, in text, each kept run starts
        self.starts: list[int] = []  # where, in the view, each kept run starts
        parts, position, length = [], 0, 0
        for gap in removed.finditer(text):
            if gap.start() > position:
                self.kept.append(position)
                self.starts.append(length)
                parts.append(text[position : gap.start()])
                length += gap.start() - position
            position = gap.end()
        if position < len(text):
            self.kept.append(position)
            self.starts.append(length)
            parts.append(text[position:])
        self.text = "".join(parts)

    def origin(self, index: int) -> int:
        run = bisect.bisect_right(self.starts, index) - 1
        return self.kept[run] + index - self.starts[run]


def _find(text: str, form: str) -> Iterable[tuple[int, int]]:
    start = text.find(form)
    while start >= 0:
        yield start, start + len(form)
        start = text.find(form, start + len(form))


def _is_word_char(text: str, index: int) -> bool:
    return 0 <= index < len(text) and text[index].isalnum()


class Scrubber:
    """Replaces known secrets (in all their forms) in text; safe to share between threads."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._known: set[str] = set()
        self._exact: tuple[str, ...] = ()  # short forms: found as they are (line breaks ignored)
        self._spaced: tuple[str, ...] = ()  # long forms without whitespace: found ignoring whitespace
        self._short: tuple[str, ...] = ()  # forms of secrets too short to hide everywhere
        # Counts the secrets added: text scrubbed at one version needs scrubbing again only once a
        # secret was added since (see Transcript.safe_lines).
        self.version = 0
        # The shortest form kept, without and with the short ones: text shorter than that (with
        # its whitespace and line breaks, which only lengthen it) holds none, and most lines of a
        # session are shorter than a password's shortest form.
        self._shortest = self._shortest_near = _NONE
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None, *, session_only: bool = False) -> None:
        """Hide ``secret`` from now on, in every form it may be echoed in (hex, base64, …).

        ``session_only``: a value that exists in one session only (a CRAM-MD5 response): its
        forms are computed for it alone, not kept in the per-process cache of secrets' forms.
        """
        if not secret or secret in self._known:
            return
        short, exact, spaced = _classify(secret, encoded_forms(secret)) if session_only else _sorted_forms(secret)
        with self._lock:
            self._known.add(secret)
            self.version += 1
            if short:
                self._short = _longest_first(set(self._short) | short)
            if exact:
                self._exact = _longest_first(set(self._exact) | exact)
            if spaced:
                self._spaced = _longest_first(set(self._spaced) | spaced)
            self._shortest = min((len(f) for f in (*self._exact, *self._spaced)), default=_NONE)
            self._shortest_near = min(self._shortest, min((len(f) for f in self._short), default=_NONE))

    def __call__(self, text: str) -> str:
        """``text`` with every secret hidden (each line break kept, the text around kept)."""
        if len(text) < self._shortest:
            return text
        return _redact(text, self._spans(text, near_sign_in=False))

    def near_sign_in(self, text: str) -> str:
        """Like calling the scrubber, and short secrets hidden too where they stand as a word.

        For what a server or proxy says during the sign-in (the auth and proxy stages), where an
        echo of a password of one to three characters is likely and ordinary words are few.
        """
        if len(text) < self._shortest_near:
            return text
        return _redact(text, self._spans(text, near_sign_in=True))

    def lines(self, lines: Sequence[str], near_sign_in: bool = False) -> list[str]:
        """The lines of one reply, a secret hidden even where only their concatenation shows it.

        Every line that holds part of a hidden form shows ``[hidden]`` for that part.
        """
        joined = "\n".join(lines)
        if len(joined) < (self._shortest_near if near_sign_in else self._shortest):
            return list(lines)
        spans = self._spans(joined, near_sign_in)
        shown, start = [], 0
        for line in lines:
            end = start + len(line)
            local = [(max(a, start) - start, min(b, end) - start) for a, b in spans if a < end and b > start]
            shown.append(_redact(line, local))
            start = end + 1
        return shown

    def _spans(self, text: str, near_sign_in: bool) -> list[tuple[int, int]]:
        """Where in ``text`` a form stands, merged, in order."""
        spans: list[tuple[int, int]] = []
        exact, spaced, short = self._exact, self._spaced, self._short
        squeezed = "".join(text.split()) if spaced else ""
        hits = [f for f in spaced if f in squeezed]
        if hits:
            view = _View(text, _WHITESPACE)
            for form in hits:
                spans += [(view.origin(a), view.origin(b - 1) + 1) for a, b in _find(view.text, form)]
        broken = "\n" in text or "\r" in text
        unbroken = _LINE_BREAKS.sub("", text) if broken else text
        hits = [f for f in exact if f in unbroken]
        if hits:
            view = _View(text, _LINE_BREAKS)
            for form in hits:
                spans += [(view.origin(a), view.origin(b - 1) + 1) for a, b in _find(view.text, form)]
        if near_sign_in:
            for form in short:
                spans += [
                    (a, b) for a, b in _find(text, form) if not (_is_word_char(text, a - 1) or _is_word_char(text, b))
                ]
        return _merge(spans)


@functools.lru_cache(maxsize=256)
def _sorted_forms(secret: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """A secret's forms as a scrubber keeps them: (short, exact, spaced), computed once.

    Every session's scrubber adds the same few secrets (~0.2 ms of encoding each, a tenth of a
    loopback send); the process-wide scrubber keeps every secret for the process's life anyway.
    """
    return _classify(secret, encoded_forms(secret))


def _classify(secret: str, forms: set[str]) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """``forms`` of ``secret`` sorted into (short, exact, spaced) as :meth:`Scrubber.add` keeps them."""
    if len(secret) < _MIN_LENGTH:
        return frozenset(forms), frozenset(), frozenset()
    exact, spaced = set(), set()
    for form in forms:
        squeezed = _WHITESPACE.sub("", form)
        if len(squeezed) >= _SPACED_MIN:
            spaced.add(squeezed)
        elif len(form) >= _MIN_LENGTH:
            exact.add(form)
    return frozenset(), frozenset(exact), frozenset(spaced)


def _longest_first(forms: set[str] | frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(forms, key=len, reverse=True))


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _redact(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with each span shown as ``[hidden]`` (one per line the span runs over)."""
    if not spans:
        return text
    parts, position = [], 0
    for a, b in spans:
        parts.append(text[position:a])
        parts.append(_LINE_BREAKS_KEPT.sub(REDACTED, text[a:b]))
        position = b
    parts.append(text[position:])
    return "".join(parts)


_LINE_BREAKS_KEPT = re.compile(r"[^\r\n]+")

_PROCESS = Scrubber()


def remember(secret: str | None) -> None:
    """Note a secret this process holds, so the log can never show it."""
    _PROCESS.add(secret)


def scrub(text: str) -> str:
    """``text`` with every remembered secret hidden."""
    return _PROCESS(text)
