"""The one-method proposer interface of the discovery loop.

A proposer reads the round's context (the agent workspace with the prompt,
template and history) and writes the next candidate controller. Every backend
(coding-agent CLI, Claude Agent SDK, OpenAI-compatible chat, manual, built-in
search) implements :meth:`Proposer.propose`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

#: A round's (or a design's) points per search store: one dict per setting,
#: its params plus "accuracy", "tokens" and "opened" (the loop's
#: ``round.scoring.curves_of``; the search's screen gives the same keys).
StoreCurves = dict[str, list[dict[str, float]]]


@dataclass(frozen=True)
class RoundSummary:
    """What the history tells a proposer about one earlier round."""

    round: int
    status: str                        # "ok" | "invalid" | "failed"
    source: str                        # the candidate's code
    error: str | None = None           # validation or evaluation error, if any
    # per search store: list of {"beta", "accuracy", "tokens"} points (empty on failure)
    curves: StoreCurves = field(default_factory=dict)
    score: dict[str, float] = field(default_factory=dict)  # e.g. {"best_accuracy", "area"}
    parent: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)     # proposer-specific (e.g. a genome)


@dataclass(frozen=True)
class ProposalContext:
    """Everything a proposer may use for one round."""

    round: int
    workspace: Path          # the agent's workspace (prompt, template, history); no held-out data
    candidate_path: Path     # where the candidate source must end up
    prompt: str              # the full prompt text for LLM-based proposers
    history: tuple[RoundSummary, ...]
    seed: int                # the run seed ([run] seed): deterministic proposers derive
                             # their randomness from it and the round
    feedback: str | None = None  # validation error of a previous attempt in this round, if any
    # For built-in proposers whose candidates are this package's own generated
    # code (the search screens them in-process): the search split's stores
    # (name -> path), the beta grid and how many processes to use. Held-out
    # stores are never given; LLM-driven proposers see only the workspace.
    search_stores: tuple[tuple[str, str], ...] = ()
    betas: tuple[float, ...] = ()
    workers: int = 0
    executor: Any = None     # where that trusted work runs (a Ray executor); None: here
    # The beta contract's budget-reach rule the loop will apply (min_branches,
    # min_sc_share; None when the contract is off) and SC@64's tokens per search
    # store, so a built-in proposer need not propose what the loop would refuse.
    reach_rule: dict | None = None
    sc64_tokens: tuple[tuple[str, float], ...] = ()
    # The run's baselines on the search split (``baselines/search.json`` rows,
    # per-question rates and tokens), for a built-in proposer that scores
    # against them; what the agent's workspace shows as well.
    search_baselines: tuple[dict, ...] = ()


@dataclass
class Proposal:
    """A proposer's answer: the candidate source plus accounting."""

    source: str
    transcript: str = ""
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)


class Proposer(Protocol):
    """One method: write the next candidate."""

    name: str

    def propose(self, ctx: ProposalContext) -> Proposal: ...
