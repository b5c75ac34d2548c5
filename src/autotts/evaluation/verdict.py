"""The pre-registered verdict: a pick's mean gap to the best-baseline envelope
over fixed log-spaced token levels, with a problem-level paired bootstrap.

Definitions (fixed before any run; see docs/discovery.md, "The verdict"):

- A *setting* is one point of a curve, evaluated on every held-out store:
  per store, per-question correct rates (0..1, averaged over seeds) and
  per-question mean tokens (or one fixed token count per store when the
  per-question tokens were not recorded). Its accuracy is the mean over
  stores of 100 x the mean rate; its tokens the mean over stores of the
  mean per-question tokens (the held-out mean's definition).
- A curve is read at ``x`` tokens as the best of (a) the linear interpolation
  in log tokens between its two neighbouring settings, where ``x`` lies
  between them, and (b) every setting with at most ``x`` tokens (a cheaper
  setting is affordable too). The *envelope* is the largest such reading
  over every baseline curve. The pick's curve is read the same way, so at a
  level above its dearest setting it counts with its best accuracy.
- The gap at a level ``x`` is pick(x') - envelope(x') with
  ``x' = max(x, pick's cheapest tokens, the envelope's cheapest tokens)``: a
  level below the pick's cheapest setting counts the gap at that setting; a
  level below every baseline (never in practice: SC n=1 is far cheaper than
  100k) counts the gap where the envelope starts.
- The *mean gap* averages the gap over :data:`LEVELS` (16 levels evenly
  spaced in log tokens over [100k, 600k]); the gap at :data:`AT_TOKENS`
  (331k, CMC beta 0.5's held-out cost in the default split) is reported too.

The bootstrap resamples *problems*: stores of the same dataset (``Qwen3-4B/
aime24`` and ``Qwen3-8B/aime24``) hold the same questions in the same order,
so one draw of question indices per dataset is applied to every store of
that dataset, and the same draws to the pick and to every baseline setting.
Each resample recomputes every setting's accuracy and (when recorded) tokens,
rebuilds the envelope and re-reads every curve. The full sample gives the
estimate; the resamples give a percentile interval.

Several runs (the fold table's jobs) are resampled *jointly* by drawing each
dataset's problems once and applying the same draw to every run and store
using that dataset (:mod:`autotts.evaluation.verdict_joint`): each run's
resampled mean gaps (:func:`gap_vectors`) are then averaged row by row.
Without shared draws the verdict is what it always was, draw for draw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from autotts.evaluation.stats import DEFAULT_LEVEL, DEFAULT_RESAMPLES, DEFAULT_SEED

LEVEL_RANGE = (100_000.0, 600_000.0)
LEVEL_COUNT = 16
AT_TOKENS = 331_000.0

RESAMPLED = ("problems: one draw of question indices per dataset, shared by every store of "
             "that dataset (the models answer the same problems) and by the pick and every "
             "baseline setting (paired); accuracies{tok} recomputed per resample, the envelope "
             "rebuilt and every curve re-read")


def log_levels(lo: float = LEVEL_RANGE[0], hi: float = LEVEL_RANGE[1],
               n: int = LEVEL_COUNT) -> np.ndarray:
    """``n`` token levels evenly spaced in log tokens over ``[lo, hi]``."""
    if not (0 < lo < hi) or n < 1:
        raise ValueError(f"need 0 < lo < hi and n >= 1, got lo={lo}, hi={hi}, n={n}")
    return np.geomspace(lo, hi, n) if n > 1 else np.array([lo])


def dataset_of(store: str) -> str:
    """The dataset a store belongs to: its name's second part (``Qwen3-4B/aime24`` ->
    ``aime24``); a name without a slash is its own dataset."""
    return store.split("/", 1)[1] if "/" in store else store


@dataclass(frozen=True)
class Setting:
    """One setting over the stores: ``rates[s]`` per-question correct rates of
    store s; ``tokens[s]`` its per-question mean tokens, or one number (the
    store's mean tokens, held fixed under resampling)."""

    rates: Sequence[Sequence[float]]
    tokens: Sequence[Sequence[float] | float]
    label: str = ""

    def tokens_per_question(self) -> bool:
        """Whether every store's tokens are per question (so they can be resampled)."""
        return all(np.ndim(t) == 1 for t in self.tokens)


def problem_draws(datasets: Sequence[str], sizes: Sequence[int], resamples: int,
                  seed: int = DEFAULT_SEED,
                  shared: Mapping[str, np.ndarray] | None = None) -> list[np.ndarray]:
    """Per store an index array ``[resamples + 1, Q]``: row 0 is the full sample
    (0..Q-1), the others draws with replacement, one draw per dataset shared
    by all its stores (in order of first appearance, so datasets that are all
    different give the per-store draws of :mod:`autotts.evaluation.envelope_gap`).
    With ``shared`` (``verdict_joint.dataset_draws``) each dataset's draw is
    taken from it instead, and ``resamples`` and ``seed`` are not used."""
    if len(datasets) != len(sizes):
        raise ValueError("one dataset name per store expected")
    rng = np.random.default_rng(seed)
    by_set: dict[str, np.ndarray] = dict(shared or {})
    out = []
    for name, q in zip(datasets, sizes):
        if name not in by_set:
            if shared is not None:
                raise ValueError(f"no shared draw for dataset {name!r}")
            by_set[name] = rng.integers(0, q, size=(resamples, q))
        draw = by_set[name]
        if draw.shape[1] != q:
            raise ValueError(f"stores of dataset {name!r} differ in question count "
                             f"({draw.shape[1]} vs {q}): they cannot share problems")
        out.append(np.vstack([np.arange(q)[None, :], draw]))
    return out


def setting_values(s: Setting, draws: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(tokens, accuracy %) of ``s`` on every row of ``draws``, each ``[R + 1]``."""
    if len(s.rates) != len(draws) or len(s.tokens) != len(draws):
        raise ValueError(f"setting {s.label!r} covers {len(s.rates)} stores, "
                         f"expected {len(draws)}")
    acc = np.zeros(draws[0].shape[0])
    tok = np.zeros_like(acc)
    for rates, tokens, idx in zip(s.rates, s.tokens, draws):
        r = np.asarray(rates, dtype=float)
        if r.size != idx.shape[1]:
            raise ValueError(f"setting {s.label!r}: {r.size} questions, expected {idx.shape[1]}")
        acc += 100.0 * r[idx].mean(axis=1)
        tok += np.asarray(tokens, dtype=float)[idx].mean(axis=1) if np.ndim(tokens) == 1 \
            else float(tokens)
    return tok / len(draws), acc / len(draws)


def curve_values(settings: Sequence[Setting], draws) -> tuple[np.ndarray, np.ndarray]:
    """(tokens, accuracy), each ``[P, R + 1]``, of a curve's settings."""
    vals = [setting_values(s, draws) for s in settings]
    return np.stack([v[0] for v in vals]), np.stack([v[1] for v in vals])


def read_curve(tok: np.ndarray, acc: np.ndarray, x: np.ndarray) -> np.ndarray:
    """A curve ``[P, R]`` read at levels ``x`` ``[L, R]`` (see the module docstring):
    ``[L, R]``, -inf where ``x`` is below every setting."""
    order = np.argsort(tok, axis=0, kind="stable")
    t = np.take_along_axis(tok, order, axis=0)[:, None, :]     # [P, 1, R]
    a = np.take_along_axis(acc, order, axis=0)[:, None, :]
    xx = x[None, :, :]                                         # [1, L, R]
    best = np.where(t <= xx, a, -np.inf).max(axis=0)           # any cheaper setting
    t0, t1, a0, a1 = t[:-1], t[1:], a[:-1], a[1:]
    inside = (t0 < xx) & (xx < t1)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.log(xx / t0) / np.log(t1 / t0)
        lerp = np.where(inside, a0 + w * (a1 - a0), -np.inf)
    if lerp.shape[0]:
        best = np.maximum(best, lerp.max(axis=0))
    return best


@dataclass(frozen=True)
class Gap:
    """A gap (points) with its percentile interval and the share of resamples <= 0."""

    estimate: float
    lo: float
    hi: float
    frac_le_zero: float


def gap_of_samples(samples: np.ndarray, level: float) -> Gap:
    """A :class:`Gap` from ``samples`` ``[R + 1]``: row 0 is the estimate, the
    rest the bootstrap."""
    tail = 100 * (1 - level) / 2
    boot = samples[1:]
    lo, hi = np.percentile(boot, [tail, 100 - tail]) if boot.size else (np.nan, np.nan)
    return Gap(float(samples[0]), float(lo), float(hi),
               float(np.mean(boot <= 0)) if boot.size else float("nan"))


@dataclass(frozen=True)
class Verdict:
    """The mean gap over ``levels`` and the gap at ``at``; per level the
    full-sample pick reading, envelope reading and gap (at the level actually
    read, ``read_at``). ``tokens_resampled`` is False when some setting had no
    per-question tokens, so every setting's tokens were held fixed."""

    mean_gap: Gap
    at_gap: Gap
    at: float
    levels: list[float]
    read_at: list[float]
    pick: list[float]
    envelope: list[float]
    gaps: list[float]
    tokens_resampled: bool
    resamples: int
    seed: int
    level: float = DEFAULT_LEVEL
    resampled: str = field(default="")

    def to_dict(self) -> dict:
        """Plain dict (JSON-ready)."""
        return asdict(self)


def _fixed_tokens(s: Setting) -> Setting:
    """``s`` with every store's tokens replaced by its mean (held fixed)."""
    tok = [float(np.mean(t)) if np.ndim(t) == 1 else float(t) for t in s.tokens]
    return Setting(s.rates, tok, s.label)


def gap_samples(pick: Sequence[Setting], baselines: dict[str, Sequence[Setting]],
                draws: list[np.ndarray], x: np.ndarray) -> tuple[np.ndarray, ...]:
    """(levels read, pick, envelope, gap), each ``[L, R + 1]``, at levels ``x`` ``[L]``."""
    curves = [curve_values(pts, draws) for pts in baselines.values() if pts]
    return gaps_to(curve_values(pick, draws), curves, x)


def gaps_to(pick: tuple[np.ndarray, np.ndarray], curves: Sequence[tuple[np.ndarray, np.ndarray]],
            x: np.ndarray) -> tuple[np.ndarray, ...]:
    """:func:`gap_samples` from curve values already computed (the pick's and every
    baseline's (tokens, accuracy) ``[P, R + 1]``): a caller scoring many picks
    against the same baselines computes theirs once."""
    if not curves:
        raise ValueError("no baseline settings: the envelope is undefined")
    p_tok, p_acc = pick
    env_lo = np.min([t.min(axis=0) for t, _ in curves], axis=0)          # [R + 1]
    at = np.maximum(np.maximum(x[:, None], p_tok.min(axis=0)[None, :]), env_lo[None, :])
    pick_v = read_curve(p_tok, p_acc, at)
    env_v = np.max([read_curve(t, a, at) for t, a in curves], axis=0)
    return at, pick_v, env_v, pick_v - env_v


def _samples(pick: Sequence[Setting], baselines: dict[str, Sequence[Setting]],
             datasets: Sequence[str], xs: np.ndarray, at: float, resamples: int, seed: int,
             shared: Mapping[str, np.ndarray] | None) -> tuple[tuple[np.ndarray, ...], bool]:
    """(:func:`gap_samples` at ``xs`` and ``at``, whether tokens were resampled)."""
    if not pick:
        raise ValueError("the pick has no settings")
    every = list(pick) + [s for pts in baselines.values() for s in pts]
    resampled_tokens = all(s.tokens_per_question() for s in every)
    if not resampled_tokens:
        pick = [_fixed_tokens(s) for s in pick]
        baselines = {n: [_fixed_tokens(s) for s in pts] for n, pts in baselines.items()}
    sizes = [len(r) for r in pick[0].rates]
    draws = problem_draws(list(datasets), sizes, resamples, seed, shared)
    return gap_samples(pick, baselines, draws, np.append(xs, at)), resampled_tokens


def _levels(levels: Sequence[float] | None) -> np.ndarray:
    return np.asarray(log_levels() if levels is None else levels, dtype=float)


def gap_vectors(pick: Sequence[Setting], baselines: dict[str, Sequence[Setting]],
                datasets: Sequence[str], dataset_draws: Mapping[str, np.ndarray], *,
                levels: Sequence[float] | None = None,
                at: float = AT_TOKENS) -> tuple[np.ndarray, np.ndarray]:
    """(mean gap, gap at ``at``), each ``[R + 1]``: row 0 the full sample, row r
    the resample under ``dataset_draws``' row r - 1. Vectors of runs made with
    the same draws can be averaged row by row: the interval of a mean over runs
    (``verdict_joint.mean_gap_of``)."""
    (_, _, _, g), _ = _samples(pick, baselines, datasets, _levels(levels), at, 0, 0,
                               dataset_draws)
    return g[:-1].mean(axis=0), g[-1]


def verdict(pick: Sequence[Setting], baselines: dict[str, Sequence[Setting]],
            datasets: Sequence[str], *, levels: Sequence[float] | None = None,
            at: float = AT_TOKENS, resamples: int = DEFAULT_RESAMPLES,
            seed: int = DEFAULT_SEED, level: float = DEFAULT_LEVEL,
            dataset_draws: Mapping[str, np.ndarray] | None = None) -> Verdict:
    """The pick's mean gap and gap at ``at`` to the envelope of ``baselines``
    (name -> settings), stores of ``datasets`` sharing problems; returns a
    :class:`Verdict` (see the module docstring for every definition). With
    ``dataset_draws`` (``verdict_joint.dataset_draws``) the resamples are those
    draws (``resamples`` is then their number)."""
    xs = _levels(levels)
    if dataset_draws is not None:
        resamples = next(iter(dataset_draws.values())).shape[0] if dataset_draws else 0
    (read, p, e, g), resampled_tokens = _samples(pick, baselines, datasets, xs, at,
                                                 resamples, seed, dataset_draws)
    tok_note = (" and tokens" if resampled_tokens
                else " (tokens held fixed: not recorded per question)")
    return Verdict(mean_gap=gap_of_samples(g[:-1].mean(axis=0), level),
                   at_gap=gap_of_samples(g[-1], level),
                   at=float(at), levels=xs.tolist(), read_at=read[:-1, 0].tolist(),
                   pick=p[:-1, 0].tolist(), envelope=e[:-1, 0].tolist(),
                   gaps=g[:-1, 0].tolist(), tokens_resampled=resampled_tokens,
                   resamples=resamples, seed=seed, level=level,
                   resampled=RESAMPLED.format(tok=tok_note))
