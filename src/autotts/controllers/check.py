"""``check_controller``: does a controller keep the episode contract?

In the spirit of Gymnasium's ``check_env``: run a controller on a few
questions and seeds and list every way it breaks the rules a controller must
keep for its numbers to mean anything:

1. it runs: ``solve`` returns a string or None and takes only legal actions;
2. only public calls: it behaves the same on an episode that offers nothing
   but :class:`~autotts.env.api.EpisodeAPI` as on the replay episode;
3. deterministic for a seed: the same seed gives the same actions and answers;
4. no state kept between questions: solving the questions in another order
   gives each question the same actions and answer;
5. the beta contract (:mod:`autotts.controllers.contract`) when the
   controller has a ``beta`` parameter.

This executes the controller in this process: for untrusted code, call it
inside a sandbox.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from autotts.controllers.contract import contract_violations
from autotts.env.api import api_members
from autotts.env.episode import Episode, IllegalAction
from autotts.env.store import ReplayStore
from autotts.evaluation.protocol import shuffled_order
from autotts.evaluation.traces import TracedEpisode

CHECK_BETAS = (0.0, 0.25, 0.5, 0.75, 1.0)
_PUBLIC = frozenset(api_members())


class ControllerCheckError(AssertionError):
    """Raised by ``check_controller(..., strict=True)``; the message lists every problem."""


class PublicOnly:
    """An episode that offers only :class:`EpisodeAPI`; anything else is an AttributeError."""

    __slots__ = ("__ep",)

    def __init__(self, episode):
        self.__ep = episode

    def __getattr__(self, name: str):
        if name in _PUBLIC:
            return getattr(self.__ep, name)
        raise AttributeError(f"{name!r} is not part of the episode API (EpisodeAPI)")


@dataclass(frozen=True)
class _Run:
    """One solved question: what the check compares."""

    answer: object
    cost: float
    opened: int
    events: tuple


def _solve(controller, store: ReplayStore, seed: int, qi: int, public_only: bool) -> _Run:
    q = store.questions[qi]
    ep = Episode(q, shuffled_order(seed, q.n_branches))
    traced = TracedEpisode(PublicOnly(ep) if public_only else ep)
    answer = controller.solve(traced)
    if answer is not None and not isinstance(answer, str):
        raise TypeError(f"solve returned {type(answer).__name__}, not a string or None")
    return _Run(answer, ep.cost, ep.n_opened, repr(traced.events))


def _sweep(controller, store, seeds, questions, public_only=True) -> dict:
    return {(s, q): _solve(controller, store, s, q, public_only) for s in seeds for q in questions}


def _behaviour(controller, store: ReplayStore, seeds: Sequence[int], n_questions: int) -> list[str]:
    """Rules 1-4 on one store; the first failure of each kind, as readable lines."""
    name = store.name
    qs = list(range(min(n_questions, len(store.questions))))
    try:
        first = _sweep(controller, store, seeds, qs)
    except AttributeError as exc:
        return [f"{name}: uses more than the episode API: {exc}"]
    except (IllegalAction, TypeError) as exc:
        return [f"{name}: {type(exc).__name__}: {exc}"]
    problems = []
    if _sweep(controller, store, seeds, qs, public_only=False) != first:
        problems.append(f"{name}: behaves differently on the replay Episode than on an "
                        "episode offering only EpisodeAPI (does it inspect the episode's type?)")
    if _sweep(controller, store, seeds, qs) != first:
        problems.append(f"{name}: not deterministic: the same seed gave different actions")
    backwards = _sweep(controller, store, seeds[::-1], qs[::-1])
    moved = [k for k in first if backwards[k] != first[k]]
    if moved:
        s, q = moved[0]
        problems.append(f"{name}: keeps state between questions: question {q} (seed {s}) "
                        "went differently when the questions came in another order")
    return problems


@dataclass(frozen=True)
class _Point:
    store: str
    params: dict
    tokens: float
    opened: float


def _beta_points(controller, store, seeds, n_questions, betas) -> list[_Point]:
    qs = range(min(n_questions, len(store.questions)))
    out = []
    for b in betas:
        runs = _sweep(dataclasses.replace(controller, beta=b), store, seeds, qs).values()
        out.append(_Point(store.name, {"beta": b}, sum(r.cost for r in runs) / len(runs),
                          sum(r.opened for r in runs) / len(runs)))
    return out


def _sc64_tokens(store: ReplayStore, seeds, n_questions) -> float:
    """SC@64's mean tokens on the same questions (the contract's budget yardstick)."""
    from autotts.controllers.self_consistency import SelfConsistency
    qs = range(min(n_questions, len(store.questions)))
    runs = _sweep(SelfConsistency(n=64), store, seeds, qs, public_only=False).values()
    return sum(r.cost for r in runs) / len(runs)


def check_controller(controller, stores: Sequence[ReplayStore], *, seeds: int = 3,
                     questions: int = 10, betas: Sequence[float] = CHECK_BETAS,
                     strict: bool = False) -> list[str]:
    """Check ``controller`` on the first ``questions`` questions of each store.

    Returns every problem found as a readable line (empty: the controller
    passes); with ``strict`` raises :class:`ControllerCheckError` instead of
    returning a non-empty list.
    """
    seed_list = list(range(seeds))
    problems: list[str] = []
    for store in stores:
        problems += _behaviour(controller, store, seed_list, questions)
    has_beta = dataclasses.is_dataclass(controller) and "beta" in {
        f.name for f in dataclasses.fields(controller)}
    if has_beta and not problems:
        points = [p for s in stores
                  for p in _beta_points(controller, s, seed_list, questions, betas)]
        sc64 = {s.name: _sc64_tokens(s, seed_list, questions) for s in stores}
        problems += [f"beta contract: {p}" for p in contract_violations(points, sc64_tokens=sc64)]
    if strict and problems:
        raise ControllerCheckError("\n".join(problems))
    return problems
