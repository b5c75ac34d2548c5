"""Proposer registry: ``make_proposer(name, settings)`` builds a backend by name.

Backends are a :class:`autotts.registry.Registry`, imported lazily so optional
dependencies (the Claude Agent SDK, the built-in search) load only when chosen.
``search`` is the default. A backend class may also define
``fitness_rule(**settings)``, its own measure of a round's curves; the loop
then scores every round by it and picks a round by it ("fitness", see
``selection.picks``); ``proposer_fitness`` returns that rule.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from autotts.discovery.proposers.base import (
    Proposal,
    ProposalContext,
    Proposer,
    RoundSummary,
)
from autotts.errors import AutoTTSError
from autotts.registry import Registry

DEFAULT_PROPOSER = "search"


class ProposerError(AutoTTSError, RuntimeError):
    """A proposer could not be built or could not produce a candidate."""


#: name -> "module:Class"; each class is built as ``Class(**settings)``.
PROPOSERS = Registry("proposer", {
    "search": "autotts.discovery.proposers.search.proposer:SearchProposer",
    "command": "autotts.discovery.proposers.command:CommandProposer",
    "claude-sdk": "autotts.discovery.proposers.claude_sdk:ClaudeSDKProposer",
    "openai": "autotts.discovery.proposers.openai_chat:OpenAIProposer",
    "manual": "autotts.discovery.proposers.manual:ManualProposer",
}, error=ProposerError)

__all__ = ["DEFAULT_PROPOSER", "PROPOSERS", "Proposal", "ProposalContext", "Proposer",
           "RoundSummary", "make_proposer", "proposer_fitness"]


def _proposer_class(name: str) -> type:
    """The backend class of ``name``; ProposerError when unknown or not importable here."""
    try:
        return PROPOSERS.load(name)  # type: ignore[return-value]
    except ImportError as exc:
        raise ProposerError(f"proposer {name!r} is not available: {exc}") from None


def make_proposer(name: str | None, settings: dict[str, Any] | None = None) -> Proposer:
    """Build the proposer registered as ``name`` (default: ``search``) with ``settings``."""
    name = name or DEFAULT_PROPOSER
    cls = _proposer_class(name)
    try:
        return cls(**dict(settings or {}))
    except (TypeError, ValueError) as exc:
        raise ProposerError(f"proposer {name!r}: bad settings ({exc})") from None


def proposer_fitness(name: str | None, settings: dict[str, Any] | None = None,
                     search_baselines: Callable[[], list[dict]] | None = None
                     ) -> Callable[[dict], float | None] | None:
    """The fitness rule of proposer ``name`` under ``settings`` (curves per store ->
    a number to maximise, or None), or None when the proposer defines none or
    cannot be loaded here (then the run has no "fitness" pick).
    ``search_baselines`` (the run's search baseline rows, read when first
    needed) is passed to a rule that takes it."""
    try:
        cls = _proposer_class(name or DEFAULT_PROPOSER)
    except ProposerError:
        return None
    rule = getattr(cls, "fitness_rule", None)
    if rule is None:
        return None
    extra = {"search_baselines": search_baselines} if search_baselines is not None \
        and "search_baselines" in inspect.signature(rule).parameters else {}
    try:
        return rule(**extra, **dict(settings or {}))
    except (TypeError, ValueError) as exc:
        raise ProposerError(f"proposer {name!r}: bad settings ({exc})") from None
