"""One round of the search: breed, screen cheaply, promote the best, pick one.

Successive halving, in the loop's rhythm. Each call (one loop round):

1. on the first call, the starting population: the seed designs and random
   designs (default start), or random designs only (blank start);
2. children in batches of ``batch``: an operator chosen by the bandit
   (:func:`design_pool.choose_operator`), parents from the MAP-Elites design pool,
   refused when not novel or when they could never be proposed (a seed
   design re-tuned, see :func:`has_seed_parts`); each batch is screened on
   ``screen_seeds`` seeds before the next is bred, until ``per_round``
   designs were screened;
3. the ``promote`` best designs still at the first fidelity are screened
   again on ``promote_seeds`` seeds;
4. the best promoted design not yet proposed becomes the round's candidate
   (never a seed design, as it is or re-tuned, nor a design the loop's
   budget-reach rule would refuse: they stay parents, see :func:`pick`);
   the loop evaluates it on all its seeds (the last promotion), and that
   fitness flows back into the pool through the round history.

Everything is a pure function of the pool, the run seed and the round,
so a resumed run proposes what an uninterrupted one would. Held-out stores
are never touched: screening sees the search split only.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, fields

from autotts.discovery.proposers.base import StoreCurves
from autotts.discovery.proposers.search.design_pool import (
    DesignPool,
    Record,
    choose_operator,
    design_id,
)
from autotts.discovery.proposers.search.designs import SEEDS, random_genome, seed_genome
from autotts.discovery.proposers.search.fitness import (
    TOKEN_HI,
    TOKEN_LO,
    cost_is_monotone,
    fitness,
    mean_curve,
    mid_tokens,
    worst_store_fitness,
)
from autotts.discovery.proposers.search.operators import apply, is_near
from autotts.discovery.proposers.search.space import Genome
from autotts.discovery.proposers.search.yardstick import QUANTILE, Yardstick, envelope_fitness

STARTS = ("default", "blank")
OBJECTIVES = ("area", "accuracy", "envelope", "worst-store")
Reach = Callable[[StoreCurves], bool] | None  # does a curve meet the loop's budget-reach rule


@dataclass(frozen=True)
class Settings:
    """Knobs of the search itself (all have working defaults)."""

    start: str = "default"         # "default": seed designs + random; "blank": random only
    seeds: tuple[str, ...] = tuple(SEEDS)  # seed designs of the default start
    population: int = 12           # designs in the first generation; the bandit's "top"
    per_round: int = 36            # designs screened per loop round (first generation included)
    batch: int = 8                 # designs bred and screened together
    screen_seeds: int = 2          # seeds of the first screening
    promote: int = 3               # designs re-screened per round ...
    promote_seeds: int = 10        # ... on this many seeds
    token_lo: float = TOKEN_LO     # frontier-area token range (mean tokens per question)
    token_hi: float = TOKEN_HI
    objective: str = "area"        # "area" (then best accuracy), "accuracy" (then area) or
                                   # "envelope" (quantile of the gap to the search baselines)
                                   # or "worst-store" (the smallest store's area lead
                                   # over its search baselines)
    quantile: float = QUANTILE     # "envelope": the bootstrap quantile scored
    cost_tolerance: float = 0.02   # relative token drop between betas still called monotone
    max_tries: int = 200           # children drawn before giving up on novelty
    # "envelope": the search split's baselines and draws (set by the proposer
    # from the loop's search baselines; not a user setting)
    yardstick: Yardstick | None = field(default=None, compare=False, repr=False)
    # "worst-store": each search store's baseline area (set by the proposer too)
    refs: dict[str, float] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        for f in fields(self):
            value, default = getattr(self, f.name), f.default
            numeric = isinstance(default, (int, float)) and not isinstance(default, bool)
            if numeric and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise ValueError(f"search: setting {f.name} must be a number, got {value!r}")
        if self.start not in STARTS:
            raise ValueError(f"search: start must be one of {', '.join(STARTS)}, "
                             f"got {self.start!r}")
        if self.objective not in OBJECTIVES:
            raise ValueError(f"search: objective must be one of {', '.join(OBJECTIVES)}, "
                             f"got {self.objective!r}")
        if not 0 < self.quantile < 1:
            raise ValueError("search: need 0 < quantile < 1")
        if not 0 < self.token_lo < self.token_hi:
            raise ValueError("search: need 0 < token_lo < token_hi")
        if min(self.population, self.per_round, self.batch, self.screen_seeds,
               self.promote, self.promote_seeds) < 1:
            raise ValueError("search: population, per_round, batch, screen_seeds, promote and "
                             "promote_seeds must be at least 1")
        for name in self.seeds:
            seed_genome(name)  # raises on an unknown name

    def score(self, curves: StoreCurves):
        """The fitness of a curve under these settings (None: never bred from)."""
        if self.objective == "worst-store":
            if self.refs is None:
                raise ValueError("search: objective 'worst-store' needs the search baselines")
            return worst_store_fitness(curves, self.refs, token_lo=self.token_lo,
                                       token_hi=self.token_hi, tolerance=self.cost_tolerance)
        if self.objective != "envelope":
            return fitness(curves, token_lo=self.token_lo, token_hi=self.token_hi,
                           objective=self.objective, tolerance=self.cost_tolerance)
        if self.yardstick is None:
            raise ValueError("search: objective 'envelope' needs the search split's baselines")
        if not mean_curve(curves) or not cost_is_monotone(curves, self.cost_tolerance):
            return None
        return envelope_fitness(curves, self.yardstick, self.quantile)


@dataclass
class RoundResult:
    """What one call of :func:`search_round` did."""

    pick: Record
    screened: list[Record]             # designs first screened this round
    promoted: list[Record]             # designs re-screened this round (new fidelity)


def first_generation(settings: Settings, rng: random.Random) -> list[tuple]:
    """(genome, op, how) of the starting designs."""
    out = []
    if settings.start == "default":
        out += [(seed_genome(n), "seed", f"seed design {n}") for n in settings.seeds]
    while len(out) < settings.population:
        out.append((random_genome(rng), "fresh", "random design"))
    return out


def breed(pool: DesignPool, settings: Settings, rng: random.Random, n: int) -> list[tuple]:
    """(genome, op, how, parents) of ``n`` novel children."""
    tried = [r.genome for r in pool.records.values()]
    out: list[tuple] = []
    for _ in range(settings.max_tries):
        if len(out) == n:
            break
        op = choose_operator(pool, settings.population, rng)
        p1 = pool.parent(settings.population, rng)
        parents = [p1]
        if op == "crossover":
            parents.append(pool.parent(settings.population, rng, exclude=p1.id))
        child, how = apply(op, [p.genome for p in parents], rng)
        cid = design_id(child)
        if has_seed_parts(child, settings) or cid in pool \
                or any(design_id(c[0]) == cid for c in out) \
                or is_near(child, tried + [c[0] for c in out]):
            continue
        out.append((child, op, how, tuple(p.id for p in parents) if op != "fresh" else ()))
    return out


def screen(screener, settings: Settings, designs: list[tuple], rnd: int,
           reach: Reach = None) -> list[Record]:
    """First screening of ``designs`` on ``screen_seeds`` seeds."""
    seeds = list(range(settings.screen_seeds))
    curves = screener.curves([d[0] for d in designs], seeds)
    out = []
    for d, c in zip(designs, curves):
        fit = settings.score(c)
        out.append(Record(id=design_id(d[0]), genome=d[0], round=rnd, op=d[1], how=d[2],
                          parents=d[3] if len(d) > 3 else (), first=fit[0] if fit else None,
                          fitness=fit, seeds=settings.screen_seeds, mid=mid_tokens(c),
                          reach=reach(c) if reach else True))
    return out


def search_round(pool: DesignPool, settings: Settings, screener, rng: random.Random,
                 rnd: int, reach: Reach = None) -> RoundResult:
    """Breed and screen this round's designs, promote the best, pick one (see module
    doc); ``reach`` tells whether a screened curve meets the loop's budget-reach rule."""
    screened: list[Record] = []
    if not pool.ok():
        todo = [d for d in first_generation(settings, rng) if design_id(d[0]) not in pool]
        screened += _add(pool, screen(screener, settings, todo, rnd, reach))
    while len(screened) < settings.per_round:
        n = min(settings.batch, settings.per_round - len(screened))
        kids = breed(pool, settings, rng, n) if pool.ok() else \
            [(random_genome(rng), "fresh", "random design", ()) for _ in range(n)]
        if not kids:
            break
        screened += _add(pool, screen(screener, settings, kids, rnd, reach))
    promoted = promote(pool, settings, screener, reach)
    return RoundResult(pick=pick(pool, settings), screened=screened, promoted=promoted)


def _add(pool: DesignPool, records: list[Record]) -> list[Record]:
    for r in records:
        pool.add(r)
    return records


def has_seed_parts(genome: Genome, settings: Settings) -> bool:
    """Whether, in a default start, a design has exactly a seed design's parts
    (the seed itself, or a seed re-tuned: other knobs, same mechanism)."""
    return settings.start == "default" and any(genome["parts"] == SEEDS[n]["parts"]
                                               for n in settings.seeds)


def proposable(r: Record, settings: Settings) -> bool:
    """Whether a design may be promoted and proposed. The default start's seed
    designs stay parents, and so does any other design with a seed design's
    parts: the search proposes what it composed, not a given controller with
    other numbers (see :func:`pick`). Since such designs can never be handed
    over, :func:`breed` no longer makes them: in the measurement at
    ``72ed291`` re-tuned CMCs filled the default start's top designs in every
    round, taking screening slots and parent draws from designs it could propose."""
    return r.op != "seed" and not has_seed_parts(r.genome, settings)


def promote(pool: DesignPool, settings: Settings, screener,
            reach: Reach = None) -> list[Record]:
    """Re-screen the best proposable designs still at the first fidelity on
    ``promote_seeds`` seeds."""
    waiting = [r for r in pool.ok() if r.seeds < settings.promote_seeds
               and proposable(r, settings)][: settings.promote]
    if not waiting:
        return []
    curves = screener.curves([r.genome for r in waiting], list(range(settings.promote_seeds)))
    out = []
    for r, c in zip(waiting, curves):
        pool.update(r.id, fitness=settings.score(c), seeds=settings.promote_seeds,
                       mid=mid_tokens(c), reach=reach(c) if reach else True)
        out.append(pool.records[r.id])
    return out


def pick(pool: DesignPool, settings: Settings) -> Record:
    """The best design on the highest fidelity below the loop's not yet proposed
    (any unproposed design when none was promoted).

    The default start's seed designs, and designs with a seed's parts, are
    never picked while anything else is left: the search proposes what it
    found, not what it was given (a seed proposed as it is, or re-tuned, would
    only re-measure a known controller: on the search split of the first
    search-v2 measurement, the default start's three re-tuned-CMC proposals
    scored 62.99-63.08 frontier area on 100 seeds, CMC 63.00). Nor is a design
    whose latest screening breaks the loop's budget-reach rule (the loop would
    refuse it); like the seeds, it stays a parent."""
    fresh = [r for r in pool.ok() if not r.proposed and proposable(r, settings) and r.reach]
    promoted = [r for r in fresh if r.seeds >= settings.promote_seeds]
    if promoted or fresh:
        return (promoted or fresh)[0]
    # every working design was proposed: fall back to any unproposed one
    rest = [r for r in pool.records.values() if not r.proposed]
    if not rest:
        raise RuntimeError("search: every screened design was already proposed")
    return rest[0]
