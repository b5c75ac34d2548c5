"""Proposer registry: ``make_proposer(name, settings)`` builds a backend by name.

Backends are imported lazily so optional dependencies (the Claude Agent SDK,
the built-in search) load only when chosen. ``search`` is the default.
"""

from __future__ import annotations

import importlib
from typing import Any

from autotts.discovery.proposers.base import (
    Proposal,
    ProposalContext,
    Proposer,
    RoundSummary,
)
from autotts.errors import AutoTTSError

DEFAULT_PROPOSER = "search"

#: name -> "module:Class"; each class is built as ``Class(**settings)``.
PROPOSERS: dict[str, str] = {
    "search": "autotts.discovery.search.proposer:SearchProposer",
    "command": "autotts.discovery.proposers.command:CommandProposer",
    "claude-sdk": "autotts.discovery.proposers.claude_sdk:ClaudeSDKProposer",
    "openai": "autotts.discovery.proposers.openai_chat:OpenAIProposer",
    "manual": "autotts.discovery.proposers.manual:ManualProposer",
}

__all__ = ["DEFAULT_PROPOSER", "PROPOSERS", "Proposal", "ProposalContext", "Proposer",
           "RoundSummary", "make_proposer"]


class ProposerError(AutoTTSError, RuntimeError):
    """A proposer could not be built or could not produce a candidate."""


def make_proposer(name: str | None, settings: dict[str, Any] | None = None) -> Proposer:
    """Build the proposer registered as ``name`` (default: ``search``) with ``settings``."""
    name = name or DEFAULT_PROPOSER
    if name not in PROPOSERS:
        raise ProposerError(f"unknown proposer {name!r}; known: {', '.join(sorted(PROPOSERS))}")
    module_name, _, cls_name = PROPOSERS[name].partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), cls_name)
    except ImportError as exc:
        raise ProposerError(f"proposer {name!r} is not available: {exc}") from None
    try:
        return cls(**dict(settings or {}))
    except (TypeError, ValueError) as exc:
        raise ProposerError(f"proposer {name!r}: bad settings ({exc})") from None
