"""The readable path, for the compiled kernel's exactness tests: the rendered
candidate run through the protocol's order on the sandbox worker's episode,
and the kernel's outcome side by side in the same format."""

from __future__ import annotations

from autotts.discovery.proposers.search import compiled
from autotts.discovery.proposers.search.codegen import render
from autotts.discovery.sandbox.recording import RecordingEpisode
from autotts.evaluation.protocol import shuffled_order

from .conftest import load_controller_class


def readable_run(genome, store, betas, seeds, max_branches=64) -> list[tuple]:
    """Per beta: (answers, costs, opened, depths), seed-major, from the generated file."""
    cls = load_controller_class(render(genome))
    out = []
    for beta in betas:
        controller = cls(beta=beta)
        answers, costs, opened, depths = [], [], [], []
        for seed in seeds:
            for q in store.questions:
                ep = RecordingEpisode(q, shuffled_order(seed, q.n_branches),
                                      max_branches=max_branches)
                answers.append(controller.solve(ep))
                costs.append(ep.cost)
                n, log = ep.log()
                opened.append(n)
                depths.extend(log)
        out.append((answers, costs, opened, depths))
    return out


def kernel_run(genome, store, betas, seeds) -> list[tuple]:
    """The same four lists per beta from the compiled design kernel."""
    run = compiled.run_design(genome, store, betas, seeds)
    out = []
    for b in range(len(betas)):
        opened, depths = run.log(b)
        out.append((compiled.answer_strings(store, run.answers[b]),
                    run.cost[b].ravel().tolist(), opened.tolist(), depths.tolist()))
    return out


def mismatches(genome, store, betas, seeds) -> list[str]:
    """What differs between the two paths, one line per (beta, field)."""
    bad = []
    names = ("answers", "costs", "opened", "depths")
    for beta, ref, got in zip(betas, readable_run(genome, store, betas, seeds),
                              kernel_run(genome, store, betas, seeds)):
        bad += [f"{store.name} beta={beta} {n}: {genome}" for n, r, g in zip(names, ref, got)
                if r != g]
    return bad
