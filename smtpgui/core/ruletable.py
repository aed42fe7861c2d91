"""The words of the explanation table: a failure as the engine describes it, an explanation,
and a rule that matches one to the other (used by :mod:`smtpgui.core.explanations`)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Failure:
    """What went wrong, in the engine's terms."""

    stage: str
    kind: str = "smtp"  # smtp, dns, refused, unreachable, timeout, proxy, mismatch-implicit, …
    code: int | None = None
    enhanced: str | None = None
    text: str = ""
    host: str = ""
    port: int = 0


@dataclass(frozen=True)
class Explanation:
    """Why it failed (``cause``) and what to do (``fix``), each a sentence for a person."""

    cause: str
    fix: str


@dataclass(frozen=True)
class Rule:
    """Matches failures by stage, kind, reply code, enhanced code prefix and server text."""

    explanation: Explanation
    stages: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    codes: tuple[int, ...] = ()
    enhanced: tuple[str, ...] = ()
    pattern: str = ""

    def matches(self, f: Failure) -> bool:
        if self.stages and f.stage not in self.stages:
            return False
        if self.kinds and f.kind not in self.kinds:
            return False
        if self.codes and f.code not in self.codes:
            return False
        if self.enhanced and not (f.enhanced and any(f.enhanced.startswith(e) for e in self.enhanced)):
            return False
        return not (self.pattern and not re.search(self.pattern, f.text, re.IGNORECASE))


def rule(cause: str, fix: str, **match: object) -> Rule:
    """A rule giving this cause and fix to the failures it matches."""
    return Rule(Explanation(cause, fix), **match)  # type: ignore[arg-type]


AUTH = ("auth",)
MESSAGE = ("mail", "rcpt", "data")
