"""Generated designs on the compiled design kernel
(:mod:`autotts.evaluation.fast.design_kernel`): a genome read as its part names
and knob values per beta (the search space's reading) and run through
:mod:`autotts.evaluation.fast.design_run`, giving the answers, costs and episode
logs the readable path (the rendered file through the protocol) gives.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from autotts.discovery.proposers.search.space import KNOBS, SLOTS, Genome, knob_values, normalize
from autotts.env.store import ReplayStore
from autotts.evaluation.fast.design_run import (
    FLOAT_KNOBS,
    INT_KNOBS,
    Encoded,
    correct_of,
    encode_values,
    run_encoded,
)
from autotts.evaluation.fast.jit import numba_enabled

assert set(INT_KNOBS) == {n for n, k in KNOBS.items() if k.whole}
assert set(FLOAT_KNOBS) == {n for n, k in KNOBS.items() if not k.whole}


NO_FAST_ENV = "AUTOTTS_NO_FAST"  # set to 1: generated designs run as readable Python


def available() -> bool:
    """True when the compiled path can run: numba installed and neither
    ``AUTOTTS_NO_NUMBA`` nor ``AUTOTTS_NO_FAST`` set."""
    return numba_enabled() and os.environ.get(NO_FAST_ENV, "") in ("", "0")


def encode(genome: Genome, betas: Sequence[float]) -> Encoded:
    """The kernel's arrays for ``genome`` at ``betas`` (knob values exactly as the
    generated ``schedule(beta)`` computes them; knobs the design lacks are 0)."""
    from autotts.evaluation.fast.design_kernel import SLOTS as KSLOTS

    g = normalize(genome)
    assert {s: set(v) for s, v in KSLOTS.items()} == {s: set(v) for s, v in SLOTS.items()}
    return encode_values(g["parts"], [knob_values(g, beta) for beta in betas],
                         "ema_alpha" in g["coefs"])


def run_design(genome: Genome, store: ReplayStore, betas: Sequence[float],
               seeds: Sequence[int], ceiling: int = 64):
    """The design on every (beta, seed, question) of ``store``: a
    :class:`~autotts.evaluation.fast.design_kernel.DesignRun`."""
    return run_encoded(encode(genome, betas), store, seeds, ceiling)


def answer_strings(store: ReplayStore, answers: np.ndarray) -> list[str | None]:
    """Answer ids of one beta (seeds x questions) as the strings solve() returned."""
    labels = [q.labels for q in store.questions]
    nq = len(labels)
    return [None if a < 0 else labels[j % nq][a] for j, a in enumerate(answers.ravel().tolist())]


def screen_points(genome: Genome, store: ReplayStore, betas: Sequence[float],
                  seeds: Sequence[int]) -> list[dict]:
    """Per beta the point screening computes from the protocol, here from the
    kernel: ``accuracy`` (%), ``tokens`` and ``opened`` (means per question: the
    same integer sums, then one division each) and per question ``q_rate`` and
    ``q_tokens`` (means over the seeds, as ``EvalResult.question_correct_rate``
    and ``question_tokens``). The protocol's episode has no branch ceiling below
    the question's; no design opens more than 64, so it is the same."""
    run = run_design(genome, store, betas, seeds, ceiling=10**6)
    right = correct_of(store, run.answers)
    n = len(seeds) * len(store.questions)
    return [{"accuracy": 100.0 * int(right[b].sum()) / n, "tokens": int(run.cost[b].sum()) / n,
             "opened": int(run.opened[b].sum()) / n,
             "q_rate": right[b].mean(axis=0).tolist(),
             "q_tokens": run.cost[b].astype(float).mean(axis=0).tolist()}
            for b in range(len(betas))]


def protocol_results(controller_file: str, stores: Sequence[ReplayStore], specs,
                     seeds: Sequence[int]) -> list | None:
    """``run_cells``' EvalResults (store-major, then ``specs``) for a controller
    file that is byte-identical to a generated design, from the kernel; None when
    it is not one (or the kernel is off), so the caller runs the file itself."""
    from pathlib import Path

    from autotts.discovery.proposers.search.recognize import generated_genome
    from autotts.evaluation.protocol import SeedBlock, to_result

    path, _, cls_name = controller_file.partition(":")
    if not available() or not Path(path).is_file():
        return None
    found = generated_genome(Path(path).read_text())
    if found is None or cls_name not in ("", found[1]):
        return None
    controllers = [spec.build() for spec in specs]
    if any(set(c.params()) != {"beta"} for c in controllers):
        return None
    betas = [float(c.beta) for c in controllers]
    out = []
    for store in stores:
        run = run_design(found[0], store, betas, seeds, ceiling=10**6)
        right = correct_of(store, run.answers)
        for b, (spec, c) in enumerate(zip(specs, controllers)):
            block = SeedBlock(list(seeds), [int(n) for n in right[b].sum(axis=1)],
                              [int(x) for x in run.cost[b].sum(axis=1)], right[b],
                              run.cost[b].astype(float))
            out.append(to_result(block, env=store.name, controller=spec.label,
                                 params=c.params()))
    return out
