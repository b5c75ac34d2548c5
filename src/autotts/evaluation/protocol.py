"""The paper's evaluation protocol (REPLAY_PROTOCOL.md §3).

For seed s and every question, the branch list is shuffled by a fresh
``random.Random(s)``; the controller solves the question on that order and is
correct iff its answer equals the gold string. Accuracy is the mean over
seeds of the per-seed accuracy (in percent here, unrounded); tokens are the
mean over seeds of the per-seed average cost per question.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from autotts.env.api import EpisodeAPI
from autotts.env.episode import Episode
from autotts.env.store import ReplayStore
from autotts.evaluation.traces import TracedEpisode

DEFAULT_SEEDS = 100


@lru_cache(maxsize=None)
def shuffled_order(seed: int, n: int) -> tuple[int, ...]:
    """The branch order the reference shows for ``seed``: ``Random(seed).shuffle``."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return tuple(order)


@dataclass
class EvalResult:
    """Outcome of one controller setting on one store over a set of seeds."""

    env: str
    controller: str
    params: dict[str, Any]
    seeds: list[int]
    accuracy: float                  # percent, mean over seeds, unrounded
    tokens: float                    # average tokens per question, mean over seeds
    seed_accuracy: list[float]       # percent, one per seed
    seed_tokens: list[float]         # average tokens per question, one per seed
    question_correct_rate: list[float]  # fraction of seeds each question was right
    question_tokens: list[float] | None = None  # mean cost of each question over seeds
    traces: list[dict] | None = field(default=None, repr=False)

    @property
    def accuracy_reported(self) -> float:
        """Accuracy as the reference prints it (rounded to 2 decimals)."""
        return round(self.accuracy, 2)

    def summary(self) -> dict[str, Any]:
        """Row for JSON output (traces left out)."""
        return {"env": self.env, "controller": self.controller, "params": self.params,
                "accuracy": self.accuracy, "tokens": self.tokens, "seeds": len(self.seeds),
                "accuracy_std": float(np.std(self.seed_accuracy)),
                "tokens_std": float(np.std(self.seed_tokens))}


@dataclass
class SeedBlock:
    """Raw outcome of some seeds: ``n_correct[s]`` and ``total_cost[s]`` per seed,
    ``correct[s, q]`` and ``cost[s, q]`` per (seed, question), and traces when
    they were asked for. Blocks of disjoint seed chunks concatenate (in seed
    order) into the block of all seeds, so chunked runs reduce to the same result."""

    seeds: list[int]
    n_correct: list[int]
    total_cost: list[float]
    correct: np.ndarray
    cost: np.ndarray
    traces: list[dict] | None = None


def evaluate(store: ReplayStore, controller, *, seeds: int | Sequence[int] = DEFAULT_SEEDS,
             kappa_probe: float = 0, traces: bool = False,
             controller_id: str | None = None, params: dict | None = None,
             solve: Callable[[EpisodeAPI], Any] | None = None) -> EvalResult:
    """Run ``controller`` on every question of ``store`` for every seed."""
    seed_list = list(range(seeds)) if isinstance(seeds, int) else list(seeds)
    block = protocol_block(store, controller, seed_list, kappa_probe=kappa_probe,
                           traces=traces, solve=solve)
    return to_result(block, env=store.name,
                     controller=controller_id or getattr(controller, "name",
                                                         type(controller).__name__),
                     params=params if params is not None else _params_of(controller))


def protocol_block(store: ReplayStore, controller, seeds: Sequence[int], *,
                   kappa_probe: float = 0, traces: bool = False,
                   solve: Callable[[EpisodeAPI], Any] | None = None) -> SeedBlock:
    """The protocol's loop for ``seeds``: every question, a fresh shuffle per seed."""
    solve = solve or controller.solve
    questions = store.questions
    correct = np.zeros((len(seeds), len(questions)), dtype=bool)
    q_cost = np.zeros((len(seeds), len(questions)), dtype=float)
    own_trace = getattr(controller, "last_trace", None) if traces else None
    n_correct: list[int] = []
    total_cost: list[float] = []
    rows: list[dict] | None = [] if traces else None
    for si, seed in enumerate(seeds):
        cost, right = 0, 0
        for qi, q in enumerate(questions):
            ep = Episode(q, shuffled_order(seed, q.n_branches), kappa_probe=kappa_probe)
            if rows is not None:
                ep = TracedEpisode(ep)
            answer = solve(ep)
            ok = answer is not None and answer == q.gold
            correct[si, qi] = ok
            right += ok
            cost += ep.cost
            q_cost[si, qi] = ep.cost
            if rows is not None:
                row = ep.trace_row(seed=seed, question=qi, answer=answer, correct=ok)
                if callable(own_trace):  # e.g. an authors'-API controller's get_last_trace()
                    row["controller_trace"] = own_trace()
                rows.append(row)
        n_correct.append(right)
        total_cost.append(cost)
    return SeedBlock(list(seeds), n_correct, total_cost, correct, q_cost, rows)


def merge_blocks(blocks: Sequence[SeedBlock]) -> SeedBlock:
    """Concatenate blocks in the order given (callers pass them in seed order)."""
    if len(blocks) == 1:
        return blocks[0]
    traced = any(b.traces is not None for b in blocks)
    return SeedBlock(
        seeds=[s for b in blocks for s in b.seeds],
        n_correct=[n for b in blocks for n in b.n_correct],
        total_cost=[c for b in blocks for c in b.total_cost],
        correct=np.concatenate([b.correct for b in blocks], axis=0),
        cost=np.concatenate([b.cost for b in blocks], axis=0),
        traces=[r for b in blocks for r in (b.traces or [])] if traced else None,
    )


def to_result(block: SeedBlock, *, env: str, controller: str,
              params: dict[str, Any]) -> EvalResult:
    """The EvalResult of ``block``: accuracy = 100 x mean of per-seed accuracy,
    tokens = mean of per-seed average cost, as the reference computes them."""
    nq = block.correct.shape[1]
    accs = [int(n) / nq for n in block.n_correct]
    costs = [c / nq for c in block.total_cost]
    return EvalResult(
        env=env, controller=controller, params=dict(params), seeds=list(block.seeds),
        accuracy=100 * float(np.mean(accs)),
        tokens=sum(costs) / len(costs),
        seed_accuracy=[100 * a for a in accs],
        seed_tokens=costs,
        question_correct_rate=block.correct.mean(axis=0).tolist(),
        question_tokens=block.cost.astype(float).mean(axis=0).tolist(),
        traces=block.traces,
    )


def _params_of(controller) -> dict:
    params = getattr(controller, "params", None)
    return params() if callable(params) else {}
