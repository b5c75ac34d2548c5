"""Verdicts of several runs resampled jointly (the fold table's interval of a
mean over jobs).

Each dataset's problems are drawn once (:func:`dataset_draws`, or lazily by
:class:`SharedDraws`) and the same draw is applied to every run and every
store using that dataset: the held-out sets of the folds differ (search aime24
holds out aime25 + hmmt25, search aime25 holds out aime24 + hmmt25, ...), but
a dataset's stores share its questions wherever they appear. Each run's
:func:`~autotts.evaluation.verdict.gap_vectors` under those draws are then
averaged row by row (:func:`mean_gap_of`); the percentile interval of that
mean is the interval of the mean over runs, with problems as the unit.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence

import numpy as np

from autotts.evaluation.stats import DEFAULT_LEVEL, DEFAULT_SEED
from autotts.evaluation.verdict import Gap, gap_of_samples


def dataset_draws(sizes: Mapping[str, int], resamples: int,
                  seed: int = DEFAULT_SEED) -> dict[str, np.ndarray]:
    """Per dataset (name -> question count) a draw ``[resamples, Q]`` of question
    indices with replacement, to be made once and passed to every verdict on
    that dataset (``verdict(..., dataset_draws=...)``), so that verdicts of
    different runs are resampled jointly. Each dataset's generator is seeded by
    ``(seed, crc32(name))``: its draw does not depend on the other datasets."""
    return {name: np.random.default_rng([seed, zlib.crc32(name.encode())])
            .integers(0, q, size=(resamples, q)) for name, q in sizes.items()}


class SharedDraws:
    """:func:`dataset_draws` made on a dataset's first use and then handed out
    unchanged (equal to one :func:`dataset_draws` call over every dataset)."""

    def __init__(self, resamples: int, seed: int = DEFAULT_SEED):
        self.resamples, self.seed = resamples, seed
        self.draws: dict[str, np.ndarray] = {}

    def get(self, datasets: Sequence[str], sizes: Sequence[int]) -> dict[str, np.ndarray]:
        """The draws of ``datasets`` (one question count per store)."""
        for name, q in zip(datasets, sizes):
            if name not in self.draws:
                self.draws.update(dataset_draws({name: q}, self.resamples, self.seed))
        return {name: self.draws[name] for name in datasets}


def mean_gap_of(vectors: Sequence[np.ndarray], level: float = DEFAULT_LEVEL) -> Gap:
    """The mean over runs of their ``verdict.gap_vectors`` (same draws), with its
    percentile interval: the problems resampled jointly for every run."""
    if not vectors:
        raise ValueError("no runs to average")
    return gap_of_samples(np.mean(np.stack(vectors), axis=0), level)
