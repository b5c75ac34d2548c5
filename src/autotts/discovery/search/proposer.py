"""``SearchProposer``: the discovery loop's built-in, LLM-free proposer.

Each call reads the archive from the round history (genomes travel in
``RoundSummary.meta["genome"]``; fitness is recomputed from the search-split
curves), draws the next genome with :func:`evolve.next_genome`, and returns
its generated source. No state is kept between calls: the randomness comes
from ``(seed, round, feedback)`` alone, so a resumed run proposes exactly
what an uninterrupted one would. Rounds without a genome (seeded controller
files, other proposers) are left out of the archive.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from autotts.discovery.proposers.base import Proposal, ProposalContext, RoundSummary
from autotts.discovery.search.codegen import CLASS_NAME, render, summary
from autotts.discovery.search.evolve import Scored, Settings, fitness, next_genome
from autotts.discovery.search.space import normalize


def archive_from(history: Sequence[RoundSummary], settings: Settings) -> list[Scored]:
    """Every earlier round this proposer made, with its fitness (None when the
    round failed or its genome is unreadable)."""
    out = []
    for r in history:
        raw = (r.meta or {}).get("genome")
        if raw is None:
            continue
        try:
            genome = normalize(raw)
        except (ValueError, TypeError, KeyError, AttributeError):
            continue
        fit = fitness(r.curves, settings) if r.status == "ok" else None
        out.append(Scored(r.round, genome, fit))
    return out


class SearchProposer:
    """Evolutionary search over composed controllers (see :mod:`.evolve`).

    Every setting is optional (defaults in :class:`evolve.Settings`): ``seeds``
    (seed designs tried first, in order: "cmc", "asc", "parallel-probe"),
    ``population`` (survivors that may breed), ``temperature`` (parent
    selection softness, fitness points), ``crossover`` and ``structural``
    (operator rates), ``token_lo`` / ``token_hi`` (frontier-area range, mean
    tokens per question), ``objective`` ("area" or "accuracy"),
    ``cost_tolerance`` (the beta contract's relative slack) and ``max_tries``.
    """

    name = "search"

    def __init__(self, **settings: Any):
        seeds = settings.get("seeds")
        if seeds is not None:  # one name, a comma list, or a list of names
            names = seeds.split(",") if isinstance(seeds, str) else seeds
            settings["seeds"] = tuple(n.strip() for n in names if n.strip())
        try:
            self.settings = Settings(**settings)
        except TypeError as exc:
            known = ", ".join(f.name for f in fields(Settings))
            raise ValueError(f"search proposer: {exc}; its settings are: {known}") from None

    def propose(self, ctx: ProposalContext) -> Proposal:
        """The next candidate: generated source plus its genome in ``meta``."""
        archive = archive_from(ctx.history, self.settings)
        run_seed = self.settings.random_seed
        key = ctx.seed if run_seed == 0 else f"{run_seed}/{ctx.seed}"  # 0 keeps the default stream
        rng = random.Random(f"autotts-search:{key}:{ctx.round}:{ctx.feedback or ''}")
        genome, how, parents = next_genome(archive, self.settings, rng)
        origin = f"Round {ctx.round}: {how}" + (f" of round(s) {parents}." if parents else ".")
        source = render(genome, class_name=CLASS_NAME, origin=origin)
        return Proposal(source=source, transcript=self._transcript(archive, origin, genome),
                        meta={"genome": genome, "operator": how, "parents": parents,
                              "parent": parents[0] if parents else None,  # diffed against
                              "class_name": CLASS_NAME})

    def _transcript(self, archive: list[Scored], origin: str, genome: dict) -> str:
        lines = [f"search proposer: {len(archive)} earlier genome(s) in the archive."]
        best = max((s for s in archive if s.fitness), key=lambda s: s.fitness, default=None)
        if best is not None:
            lines.append(f"best so far: round {best.round}, fitness "
                         f"({best.fitness[0]:.3f}, {best.fitness[1]:.3f}): {summary(best.genome)}")
        lines += [origin, f"parts: {summary(genome)}"]
        return "\n".join(lines)
