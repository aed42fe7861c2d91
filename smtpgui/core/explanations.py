"""Why a session failed, and what to do about it: a table from failure to cause and fix.

The engine describes a failure as a ``Failure`` (stage, kind, reply code, enhanced code,
server text); ``explain`` walks the rules in order and returns the first match. Every failure
gets an explanation and a fix: the last rules are catch-alls per stage. The rules live in three
tables, in this order: the session's own (``rules_session``), the identity providers' and
Graph's (``rules_providers``), the message's and the catch-alls (``rules_message``).
"""

from __future__ import annotations

from smtpgui.core.rules_message import MESSAGE_RULES
from smtpgui.core.rules_providers import PROVIDER_RULES
from smtpgui.core.rules_session import SESSION_RULES
from smtpgui.core.ruletable import Explanation, Failure, Rule

__all__ = ["RULES", "Explanation", "Failure", "explain"]

RULES: tuple[Rule, ...] = (*SESSION_RULES, *PROVIDER_RULES, *MESSAGE_RULES)


def explain(failure: Failure) -> Explanation:
    """The cause and fix for a failure; never None."""
    for rule in RULES:
        if rule.matches(failure):
            return rule.explanation
    return RULES[-1].explanation  # pragma: no cover - the last rule matches everything
