"""``SearchProposer``: the discovery loop's built-in, LLM-free proposer.

Each call rebuilds the search's design pool from the round history (every round's
``meta["search"]`` lists the designs it screened and promoted; a proposed
design's fitness on all the loop's seeds comes from the round's curves), runs
one round of :func:`evolve.search_round` and returns the picked design's
generated source. Nothing is kept between calls but the screening workers:
the randomness comes from ``([run] seed, round, feedback)`` alone, so a
resumed run proposes exactly what an uninterrupted one would.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import fields, replace
from functools import partial
from typing import Any

from autotts.discovery.proposers.base import Proposal, ProposalContext, RoundSummary, StoreCurves
from autotts.discovery.proposers.search.codegen import CLASS_NAME, render, summary
from autotts.discovery.proposers.search.design_pool import DesignPool, Record, design_id
from autotts.discovery.proposers.search.evolve import RoundResult, Settings, search_round
from autotts.discovery.proposers.search.fitness import mid_tokens, reaches, store_refs
from autotts.discovery.proposers.search.screen import Screener
from autotts.discovery.proposers.search.space import normalize
from autotts.discovery.proposers.search.yardstick import yardstick

NEEDS_BASELINES = ("envelope", "worst-store")  # objectives scored against the search baselines


def _settings(settings: dict[str, Any]) -> Settings:
    """The search's settings from ``[proposer.settings]`` (``seeds`` may be a comma list)."""
    seeds = settings.get("seeds")
    if seeds is not None:  # one name, a comma list, or a list of names
        names = seeds.split(",") if isinstance(seeds, str) else seeds
        settings = {**settings, "seeds": tuple(n.strip() for n in names if n.strip())}
    try:
        return Settings(**settings)
    except TypeError as exc:
        known = ", ".join(f.name for f in fields(Settings))
        raise ValueError(f"search proposer: {exc}; its settings are: {known}") from None


def with_baselines(settings: Settings, rows: Sequence[dict],
                   stores: Sequence[str]) -> Settings:
    """``settings`` with what its objective scores against, built from the
    search baseline ``rows`` on ``stores`` ("envelope": the yardstick,
    "worst-store": each store's baseline area); unchanged for the others."""
    if settings.objective == "envelope":
        return replace(settings, yardstick=yardstick(rows, stores))
    if settings.objective == "worst-store":
        return replace(settings, refs=store_refs(rows, stores, settings.token_lo,
                                                 settings.token_hi))
    return settings


def pool_from(history: Sequence[RoundSummary], settings: Settings) -> DesignPool:
    """The designs earlier rounds screened, promoted and proposed, with the
    loop's own numbers for the proposed ones (a failed round's design keeps
    no fitness, so it is never bred from)."""
    pool = DesignPool()
    for r in history:
        meta = r.meta or {}
        for d in meta.get("search", {}).get("screened", []):
            pool.add(Record.from_dict(d))
        for d in meta.get("search", {}).get("promoted", []):
            if d["id"] in pool:
                fit = d.get("fitness")
                pool.update(d["id"], fitness=tuple(fit) if fit else None, seeds=d["seeds"],
                               mid=d.get("mid", 0.0), reach=bool(d.get("reach", True)))
        raw = meta.get("genome")
        if raw is None:
            continue
        try:
            genome = normalize(raw)
        except (ValueError, TypeError, KeyError, AttributeError):
            continue
        rid = design_id(genome)
        if rid not in pool:  # a design given to the loop another way (e.g. a resumed v1 run)
            pool.add(Record(rid, genome, r.round, "seed", "proposed", (), None, None, 0, 0.0))
        fit = settings.score(r.curves) if r.status == "ok" else None
        pool.update(rid, proposed=True, fitness=fit, mid=mid_tokens(r.curves),
                       seeds=int((r.score or {}).get("seeds") or 0) or pool.records[rid].seeds)
    return pool


class SearchProposer:
    """Evolutionary search over composed controllers (see :mod:`.evolve`).

    Settings (``[proposer.settings]`` or ``--set key=value``; defaults in
    :class:`evolve.Settings`): ``start`` ("default" or "blank"), ``seeds``
    (seed designs of the default start), ``population``, ``per_round``,
    ``batch``, ``screen_seeds``, ``promote``, ``promote_seeds``,
    ``token_lo`` / ``token_hi``, ``objective``, ``cost_tolerance``, ``max_tries``.
    """

    name = "search"

    def __init__(self, *, screener: Screener | None = None, **settings: Any):
        """``settings`` as above; ``screener`` replaces the screening pool the
        proposer would build from the loop's search stores (tests, the harness)."""
        self.settings = _settings(settings)
        self._screener: Screener | None = screener
        self._given = screener is not None

    @staticmethod
    def fitness_rule(search_baselines: Callable[[], Sequence[dict]] | None = None,
                     **settings: Any) -> Callable[[StoreCurves], float | None]:
        """What the search maximises, as the loop's "fitness" pick: the first
        part of :meth:`Settings.score` (by default the frontier area of the
        store-mean curve over 100k-600k tokens); None for a curve the search
        would not breed from (cost falling as beta rises, or no beta).
        ``search_baselines`` gives the run's search baseline rows, read on first
        use (objectives "envelope" and "worst-store" score against them)."""
        s = _settings(dict(settings))
        yards: dict[tuple[str, ...], Settings] = {}

        def rule(curves: StoreCurves) -> float | None:
            if any("beta" not in p for pts in curves.values() for p in pts):
                return None  # not a single-beta controller: the search never scores it
            scored = s
            if s.objective in NEEDS_BASELINES:
                if search_baselines is None:
                    raise ValueError(f"search: objective {s.objective!r} needs the search "
                                     "baselines")
                key = tuple(curves)
                if key not in yards:
                    yards[key] = with_baselines(s, search_baselines(), key)
                scored = yards[key]
            fit = scored.score(curves)
            return fit[0] if fit else None
        return rule

    def screener(self, ctx: ProposalContext) -> Screener:
        """The screening pool for the context's search split (kept between rounds)."""
        if self._given:
            return self._screener
        if not ctx.search_stores:
            raise ValueError("search proposer: the loop gave no search stores to screen on")
        s = self._screener
        if (s is None or s.stores != dict(ctx.search_stores) or s.betas != tuple(ctx.betas)
                or s.executor is not ctx.executor):
            if s is not None:
                s.close()
            s = self._screener = Screener(dict(ctx.search_stores), ctx.betas,
                                          ctx.workers or 2, executor=ctx.executor)
        return s

    def close(self) -> None:
        """Stop the screening workers (they also stop when the process exits)."""
        if self._screener is not None and not self._given:
            self._screener.close()

    def settings_for(self, ctx: ProposalContext) -> Settings:
        """The settings, with the search split's yardstick when the objective needs it."""
        if self.settings.objective not in NEEDS_BASELINES:
            return self.settings
        if not ctx.search_baselines:
            raise ValueError(f"search proposer: objective {self.settings.objective!r} needs "
                             "the loop's search baselines, and the context has none")
        return with_baselines(self.settings, ctx.search_baselines,
                              [name for name, _ in ctx.search_stores])

    def propose(self, ctx: ProposalContext) -> Proposal:
        """The next candidate: generated source plus the round's search record in ``meta``."""
        settings = self.settings_for(ctx)
        pool = pool_from(ctx.history, settings)
        rng = random.Random(f"autotts-search:{ctx.seed}:{ctx.round}:{ctx.feedback or ''}")
        reach = partial(reaches, rule=ctx.reach_rule, sc64=dict(ctx.sc64_tokens)) \
            if ctx.reach_rule else None
        result = search_round(pool, settings, self.screener(ctx), rng, ctx.round, reach)
        pick = result.pick
        rounds = {r.id: r.round for r in pool.records.values()}
        parent_rounds = [rounds[p] for p in pick.parents if p in rounds]
        origin = (f"Round {ctx.round}: {pick.how} (design {pick.id}, "
                  f"screened in round {pick.round}).")
        source = render(pick.genome, class_name=CLASS_NAME, origin=origin)
        return Proposal(source=source, transcript=self._transcript(pool, result, origin),
                        meta={"genome": pick.genome, "operator": pick.how,
                              "parents": list(pick.parents), "parent": _proposed_parent(
                                  ctx.history, pool, pick),
                              "class_name": CLASS_NAME,
                              "search": {"pick": pick.id, "parent_rounds": parent_rounds,
                                         "screened": [r.to_dict() for r in result.screened],
                                         "promoted": [{"id": r.id, "seeds": r.seeds,
                                                       "mid": r.mid, "reach": r.reach,
                                                       "fitness": list(r.fitness)
                                                       if r.fitness else None}
                                                      for r in result.promoted]}})

    def _transcript(self, pool: DesignPool, result: RoundResult, origin: str) -> str:
        ok = pool.ok()
        lines = [f"search proposer: {len(pool.records)} design(s) screened so far, "
                 f"{len(result.screened)} this round, {len(result.promoted)} promoted to "
                 f"{self.settings.promote_seeds} seeds; {len(pool.elites())} niche(s) occupied."]
        for r in ok[:5]:
            lines.append(f"  {r.id} ({r.seeds} seeds) fitness ({r.fitness[0]:.2f}, "
                         f"{r.fitness[1]:.2f}): {summary(r.genome)}")
        lines += [origin, f"parts: {summary(result.pick.genome)}"]
        return "\n".join(lines)


def _proposed_parent(history: Sequence[RoundSummary], pool: DesignPool, pick: Record) -> int | None:
    """The loop round that proposed the pick's first parent, if any (its code is diffed against)."""
    if not pick.parents:
        return None
    for r in history:
        g = (r.meta or {}).get("genome")
        if g is not None and design_id(normalize(g)) == pick.parents[0]:
            return r.round
    return None
