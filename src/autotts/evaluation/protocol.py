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


def evaluate(store: ReplayStore, controller, *, seeds: int | Sequence[int] = DEFAULT_SEEDS,
             kappa_probe: float = 0, traces: bool = False,
             controller_id: str | None = None, params: dict | None = None,
             solve: Callable[[Episode], Any] | None = None) -> EvalResult:
    """Run ``controller`` on every question of ``store`` for every seed."""
    seed_list = list(range(seeds)) if isinstance(seeds, int) else list(seeds)
    solve = solve or controller.solve
    episode_cls = TracedEpisode if traces else Episode
    questions = store.questions
    nq = len(questions)
    correct = np.zeros((len(seed_list), nq), dtype=bool)
    q_cost = np.zeros((len(seed_list), nq), dtype=float)
    accs: list[float] = []
    costs: list[float] = []
    trace_rows: list[dict] | None = [] if traces else None
    own_trace = getattr(controller, "last_trace", None) if traces else None
    for si, seed in enumerate(seed_list):
        total_cost = 0
        n_correct = 0
        for qi, q in enumerate(questions):
            ep = episode_cls(q, shuffled_order(seed, q.n_branches), kappa_probe=kappa_probe)
            answer = solve(ep)
            ok = answer is not None and answer == q.gold
            correct[si, qi] = ok
            n_correct += ok
            total_cost += ep.cost
            q_cost[si, qi] = ep.cost
            if trace_rows is not None:
                row = ep.trace_row(seed=seed, question=qi, answer=answer, correct=ok)
                if callable(own_trace):  # e.g. an authors'-API controller's get_last_trace()
                    row["controller_trace"] = own_trace()
                trace_rows.append(row)
        accs.append(n_correct / nq)
        costs.append(total_cost / nq)
    return EvalResult(
        env=store.name,
        controller=controller_id or getattr(controller, "name", type(controller).__name__),
        params=dict(params if params is not None else _params_of(controller)),
        seeds=seed_list,
        accuracy=100 * float(np.mean(accs)),
        tokens=sum(costs) / len(costs),
        seed_accuracy=[100 * a for a in accs],
        seed_tokens=costs,
        question_correct_rate=correct.mean(axis=0).tolist(),
        question_tokens=q_cost.mean(axis=0).tolist(),
        traces=trace_rows,
    )


def _params_of(controller) -> dict:
    params = getattr(controller, "params", None)
    return params() if callable(params) else {}
