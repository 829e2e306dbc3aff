"""Shell completion for values fbhub knows: explain topics and check ids, scenarios, secret kinds, formats.

Each function takes what typer passes (the word typed so far) and imports only what it needs.
"""

from __future__ import annotations


def _starting(words: list[str], incomplete: str) -> list[str]:
    return [w for w in words if w.startswith(incomplete or "")]


def explain_topics(incomplete: str) -> list[str]:
    from fbhub.checks.registry import specs
    from fbhub.knowledge import topic_names

    return _starting([*topic_names(), *(c.id for c in specs())], incomplete)


def scenarios(incomplete: str) -> list[str]:
    from fbhub.sandbox.scenarios import SCENARIOS

    return _starting(list(SCENARIOS), incomplete)


def secret_kinds(incomplete: str) -> list[str]:
    from fbhub.secrets import KINDS

    return _starting(list(KINDS), incomplete)


def formats(incomplete: str) -> list[str]:
    from fbhub.report import FORMATS

    return _starting(list(FORMATS), incomplete)
