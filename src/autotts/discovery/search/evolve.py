"""The search strategy: a steady-state evolutionary search over genomes.

Why evolution and not Bayesian optimisation: a run affords only tens of
evaluations, so the search must start from the known-good designs and stay
near them; the space is structured (a variant per slot, each with its own
knobs), which crossover of whole parts respects directly; and the next
proposal is a pure function of the archive and the seed, so a resumed run
proposes exactly what an uninterrupted one would. TPE would need its first
~10 trials to be random to model anything, and conditional knobs that appear
and disappear with the variants, and would add a dependency.

Each call: propose every seed design not yet tried; after that, rank the
tried genomes by fitness, keep the best ``population`` (elitism: the best is
never lost), draw parents by a softmax on fitness, cross over whole parts, mutate
(switch one part's variant, or move one or two knobs' base or slope), and
return the first child that has not been tried.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

from autotts.discovery.search.space import (
    CORE_KNOBS,
    KNOBS,
    SEEDS,
    SLOTS,
    Genome,
    behaviour_key,
    normalize,
    seed_genome,
)
from autotts.evaluation.pareto import frontier_area

Curves = dict[str, list[dict[str, float]]]


@dataclass(frozen=True)
class Scored:
    """One tried genome and how it did (``fitness`` None = it failed)."""

    round: int
    genome: Genome
    fitness: tuple[float, float] | None


@dataclass(frozen=True)
class Settings:
    """Knobs of the search itself (all have working defaults)."""

    seeds: tuple[str, ...] = ("cmc", "asc", "parallel-probe")
    population: int = 6            # survivors that may become parents
    temperature: float = 1.0       # parent selection softness, in fitness points
    crossover: float = 0.3         # chance a child has two parents
    structural: float = 0.2        # chance a mutation switches a part's variant
    token_lo: float = 100_000      # frontier-area token range (mean tokens per question)
    token_hi: float = 600_000
    objective: str = "area"        # "area" (then best accuracy) or "accuracy" (then area)
    cost_tolerance: float = 0.02   # relative token drop between betas still called monotone
    max_tries: int = 200           # children drawn before giving up on novelty
    random_seed: int = 0           # another value gives another (still deterministic) search

    def __post_init__(self):
        for f in fields(self):
            value, default = getattr(self, f.name), f.default
            numeric = isinstance(default, (int, float)) and not isinstance(default, bool)
            if numeric and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise ValueError(f"search: setting {f.name} must be a number, got {value!r}")
        if self.objective not in ("area", "accuracy"):
            raise ValueError(f"search: objective must be 'area' or 'accuracy', "
                             f"got {self.objective!r}")
        if not 0 < self.token_lo < self.token_hi:
            raise ValueError("search: need 0 < token_lo < token_hi")
        if self.population < 1 or not self.temperature > 0:
            raise ValueError("search: need population >= 1 and temperature > 0")
        for name in self.seeds:
            seed_genome(name)  # raises on an unknown name


def mean_curve(curves: Curves) -> list[tuple[float, float]]:
    """(tokens, accuracy) per beta, averaged over the stores; only betas every
    store has count."""
    per_store = [{round(float(p["beta"]), 6): p for p in pts} for pts in curves.values() if pts]
    if not per_store:
        return []
    common = sorted(set.intersection(*(set(s) for s in per_store)))
    return [(sum(s[b]["tokens"] for s in per_store) / len(per_store),
             sum(s[b]["accuracy"] for s in per_store) / len(per_store)) for b in common]


def cost_is_monotone(curves: Curves, tolerance: float) -> bool:
    """True when no store's tokens at a larger beta fall more than
    ``tolerance`` (relative) below its tokens at any smaller beta: the loop's
    single-beta contract, checked again here so the search never breeds from
    a candidate the loop would refuse."""
    for pts in curves.values():
        peak = 0.0
        for p in sorted(pts, key=lambda p: p["beta"]):
            if p["tokens"] < peak * (1 - tolerance):
                return False
            peak = max(peak, p["tokens"])
    return True


def fitness(curves: Curves, settings: Settings) -> tuple[float, float] | None:
    """(primary, secondary) to maximise: frontier area of the store-mean curve
    over the token range and its best accuracy, in the objective's order;
    None when there is no usable curve or its cost falls as beta rises."""
    points = mean_curve(curves)
    if not points or not cost_is_monotone(curves, settings.cost_tolerance):
        return None
    area = frontier_area(points, settings.token_lo, settings.token_hi)
    best = max(a for _, a in points)
    if not (math.isfinite(area) and math.isfinite(best)):
        return None
    return (area, best) if settings.objective == "area" else (best, area)


def ranked(archive: Iterable[Scored], population: int) -> list[Scored]:
    """The best ``population`` distinct genomes, best first (earlier round wins ties)."""
    ok = sorted((s for s in archive if s.fitness is not None),
                key=lambda s: (-s.fitness[0], -s.fitness[1], s.round))
    out, seen = [], set()
    for s in ok:
        key = behaviour_key(s.genome)
        if key not in seen:
            seen.add(key)
            out.append(s)
        if len(out) == population:
            break
    return out


def select(pop: Sequence[Scored], temperature: float, rng: random.Random) -> Scored:
    """A parent drawn with weight ``exp((f - f_best) / temperature)`` on the
    primary fitness: near-ties are drawn alike, a design several points
    behind almost never (with tens of rounds, no child can be wasted)."""
    top = pop[0].fitness[0]
    weights = [math.exp((s.fitness[0] - top) / temperature) for s in pop]
    return rng.choices(pop, weights=weights)[0]


def crossover(a: Genome, b: Genome, rng: random.Random) -> Genome:
    """Each slot's variant, with the knobs it reads, from one parent; each core
    knob from either."""
    parts, coefs = {}, {}
    for slot in SLOTS:
        src = a if rng.random() < 0.5 else b
        parts[slot] = src["parts"][slot]
        for name in SLOTS[slot][parts[slot]]:
            coefs.setdefault(name, src["coefs"][name])
    for name in CORE_KNOBS:
        coefs[name] = (a if rng.random() < 0.5 else b)["coefs"][name]
    return normalize({"parts": parts, "coefs": coefs})


def mutate(g: Genome, rng: random.Random, structural: float) -> tuple[Genome, str]:
    """One small change; returns the child and what changed."""
    g = normalize(g)
    if rng.random() < structural:
        slot = rng.choice(sorted(SLOTS))
        choices = [v for v in SLOTS[slot] if v != g["parts"][slot]]
        g["parts"][slot] = rng.choice(choices)
        return normalize(g), f"{slot} -> {g['parts'][slot]}"
    names = rng.sample(sorted(g["coefs"]), k=min(len(g["coefs"]), rng.choice((1, 1, 2))))
    what = []
    for name in names:
        base, slope = g["coefs"][name]
        step = KNOBS[name].step
        if rng.random() < 0.6:
            base += rng.gauss(0.0, step)
            what.append(f"{name} base")
        else:
            slope += rng.gauss(0.0, step)
            what.append(f"{name} slope")
        g["coefs"][name] = [base, slope]
    return normalize(g), ", ".join(what)


def next_genome(archive: Sequence[Scored], settings: Settings,
                rng: random.Random) -> tuple[Genome, str, list[int]]:
    """The next genome to try, how it was made, and its parents' rounds."""
    tried = {behaviour_key(s.genome) for s in archive}
    seeds = settings.seeds or tuple(SEEDS)
    for name in settings.seeds:
        g = seed_genome(name)
        if behaviour_key(g) not in tried:
            return g, f"seed design {name}", []
    pop = ranked(archive, settings.population)
    if not pop:  # every earlier candidate failed: restart from the seeds, mutated
        pop = [Scored(-1, seed_genome(n), (0.0, 0.0)) for n in seeds]
    for _ in range(settings.max_tries):
        p1 = select(pop, settings.temperature, rng)
        parents, how = [p1], []
        child = p1.genome
        if len(pop) > 1 and rng.random() < settings.crossover:
            p2 = select([s for s in pop if s is not p1], settings.temperature, rng)
            parents.append(p2)
            child = crossover(p1.genome, p2.genome, rng)
            how.append("crossover")
        if len(parents) == 1 or rng.random() < 0.5:
            child, what = mutate(child, rng, settings.structural)
            how.append(f"mutation ({what})")
        if behaviour_key(child) not in tried:
            return child, " + ".join(how), [p.round for p in parents]
    raise RuntimeError("search: no untried genome found; the archive covers the neighbourhood")
