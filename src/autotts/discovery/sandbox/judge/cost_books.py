"""The judge keeps the books: cost, branches opened and legality of every episode
are re-derived here, in the parent, from the episode log the sandboxed worker
returns, on the parent's own copy of the store.

The worker reports, per (seed, question) episode in seed-major order, the
answer, how many branches were opened and each opened branch's depth in
opening order (0 = read whole with ``read_full``). Nothing the child says
about cost is used. The parent looks up which branch sat at each position
(the protocol's shuffle for that seed), charges it exactly as
:class:`autotts.env.episode.Episode` does (Δ per recorded probe, the rest of
the branch for the finishing step, the full length for a full read), and
refuses the whole cell when the log is impossible: more branches than the
ceiling or the question holds, a depth past a branch's end, or an answer the
logged actions never revealed. With ``kappa_probe`` = 0 (discovery) an
honest log gives exactly the episode's own cost.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from autotts.env.store import ReplayStore
from autotts.evaluation.protocol import shuffled_order

DEFAULT_MAX_BRANCHES = 64


class IllegalLog(ValueError):
    """The worker's episode log is malformed or describes impossible play."""


def encode_ints(values: list[int]) -> str:
    """Little-endian int32 array as base64 text (how the worker ships logs)."""
    return base64.b64encode(np.asarray(values, dtype="<i4").tobytes()).decode("ascii")


def decode_ints(text: object, n: int | None, name: str) -> np.ndarray:
    """Inverse of :func:`encode_ints`; raises IllegalLog on a bad shape."""
    if not isinstance(text, str):
        raise IllegalLog(f"{name}: expected base64 text")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise IllegalLog(f"{name}: not base64 ({exc})") from None
    if len(raw) % 4:
        raise IllegalLog(f"{name}: not an int32 array")
    arr = np.frombuffer(raw, dtype="<i4").astype(np.int64)
    if n is not None and arr.shape[0] != n:
        raise IllegalLog(f"{name}: expected {n} entries, got {arr.shape[0]}")
    return arr


@dataclass(frozen=True)
class _Tables:
    """Padded per-question arrays of one store (question x branch [x probe])."""

    delta: np.ndarray      # (nq,)
    nb: np.ndarray         # (nq,) branches per question
    nprobes: np.ndarray    # (nq, B)
    tokens: np.ndarray     # (nq, B)
    finals: np.ndarray     # (nq, B) label ids
    first: np.ndarray      # (nq, B, L) first depth at which label l is revealed by a probe
    labels: tuple[dict[str, int], ...]


_NEVER = np.iinfo(np.int32).max


@lru_cache(maxsize=32)
def _tables(store: ReplayStore) -> _Tables:
    qs = store.questions
    nq = len(qs)
    B = max(q.n_branches for q in qs)
    L = max(len(q.labels) for q in qs)
    nprobes = np.zeros((nq, B), dtype=np.int64)
    tokens = np.zeros((nq, B), dtype=np.int64)
    finals = np.full((nq, B), -1, dtype=np.int64)
    first = np.full((nq, B, L), _NEVER, dtype=np.int64)
    for qi, q in enumerate(qs):
        n = q.n_branches
        nprobes[qi, :n] = q.n_probes
        tokens[qi, :n] = q.tokens
        finals[qi, :n] = q.finals
        probes = np.asarray(q.probes)
        for j in range(probes.shape[1] - 1, -1, -1):  # last to first: earliest depth wins
            col = probes[:, j]
            ok = (col >= 0) & (j < q.n_probes)
            first[qi, np.nonzero(ok)[0], col[ok]] = j + 1
    return _Tables(np.array([q.delta for q in qs], dtype=np.int64),
                   np.array([q.n_branches for q in qs], dtype=np.int64),
                   nprobes, tokens, finals, first,
                   tuple({lab: i for i, lab in enumerate(q.labels)} for q in qs))


@lru_cache(maxsize=32)
def _orders(store: ReplayStore, seeds: tuple[int, ...]) -> np.ndarray:
    """(ns, nq, B) branch shown at each position for each seed (padded with 0)."""
    t = _tables(store)
    out = np.zeros((len(seeds), len(store.questions), t.nprobes.shape[1]), dtype=np.int64)
    for si, s in enumerate(seeds):
        for qi, n in enumerate(t.nb.tolist()):
            out[si, qi, :n] = shuffled_order(s, n)
    return out


@dataclass
class Books:
    """What the judge charged: per (seed, question) cost and branches opened."""

    cost: np.ndarray       # (ns, nq) tokens
    opened: np.ndarray     # (ns, nq)


def keep_books(store: ReplayStore, seeds: list[int], answers: list, opened_b64: object,
               depths_b64: object, max_branches: int) -> Books:
    """Re-derive cost and check legality of one cell's episode log.

    Returns the judge's :class:`Books`; raises :class:`IllegalLog` naming the
    first impossible episode (seed, question) and why.
    """
    t = _tables(store)
    nq, ns = len(store.questions), len(seeds)
    n_ep = nq * ns
    opened = decode_ints(opened_b64, n_ep, "opened")
    if np.any(opened < 0):
        raise IllegalLog("opened: negative branch count")
    depths = decode_ints(depths_b64, int(opened.sum()), "depths")
    ep_q = np.tile(np.arange(nq), ns)
    ep_s = np.repeat(np.arange(ns), nq)
    limit = np.minimum(t.nb[ep_q], max_branches)
    _refuse(opened > limit, ep_s, ep_q, seeds,
            lambda e: f"opened {opened[e]} branches; the ceiling is {limit[e]}")
    # one row per opened branch: episode, position, branch shown there, its depth
    ent_ep = np.repeat(np.arange(n_ep), opened)
    starts = np.cumsum(opened) - opened
    pos = np.arange(depths.shape[0]) - starts[ent_ep]
    q, s = ep_q[ent_ep], ep_s[ent_ep]
    b = _orders(store, tuple(seeds))[s, q, pos]
    k, tok, delta = t.nprobes[q, b], t.tokens[q, b], t.delta[q]
    bad = (depths < 0) | (depths > k + 1)
    _refuse(_per_episode(bad, ent_ep, n_ep), ep_s, ep_q, seeds,
            lambda e: "a branch's depth is past its end")
    stepped = np.minimum(depths, k) * delta + (depths > k) * np.maximum(0, tok - k * delta)
    charge = np.where(depths == 0, tok, stepped)
    cost = np.bincount(ent_ep, weights=charge, minlength=n_ep)
    _check_answers(t, answers, ent_ep, q, b, depths, k, n_ep, ep_s, ep_q, seeds)
    return Books(cost.reshape(ns, nq), opened.reshape(ns, nq))


def _check_answers(t: _Tables, answers, ent_ep, q, b, depths, k, n_ep, ep_s, ep_q, seeds) -> None:
    """Every non-null answer must have been revealed by the logged actions."""
    aid = np.array([-2 if a is None else t.labels[i % len(t.labels)].get(a, -1)
                    for i, a in enumerate(answers)], dtype=np.int64)
    _refuse(aid == -1, ep_s, ep_q, seeds, lambda e: "answered a string no branch holds")
    a = np.maximum(aid[ent_ep], 0)
    by_probe = (depths >= 1) & (t.first[q, b, a] <= np.minimum(depths, k))
    by_final = ((depths == 0) | (depths == k + 1)) & (t.finals[q, b] == a)
    seen = _per_episode(by_probe | by_final, ent_ep, n_ep)
    _refuse((aid >= 0) & ~seen, ep_s, ep_q, seeds,
            lambda e: f"answered {answers[e]!r}, which its logged actions never revealed")


def _per_episode(flags: np.ndarray, ent_ep: np.ndarray, n_ep: int) -> np.ndarray:
    return np.bincount(ent_ep, weights=flags.astype(np.float64), minlength=n_ep) > 0


def _refuse(bad: np.ndarray, ep_s, ep_q, seeds, why) -> None:
    hits = np.nonzero(bad)[0]
    if hits.size:
        e = int(hits[0])
        raise IllegalLog(f"episode (seed {seeds[int(ep_s[e])]}, question {int(ep_q[e])}): "
                         f"{why(e)} ({hits.size} such episodes)")
