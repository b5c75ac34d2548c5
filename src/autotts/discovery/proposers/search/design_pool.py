"""The search's memory: every screened design, its niche, and which operator
has been paying off.

Diversity is kept the MAP-Elites way: a design's niche is its vote variant
and its cost class (store-mean tokens at the middle beta), and parents are
drawn half the time from the best designs overall and half the time from the
best design of a random niche, so one good family cannot crowd out the rest.
Operators are chosen by a UCB1 bandit: an operator earns a reward when its
child enters the current top ``population`` of the pool.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, replace

from autotts.discovery.proposers.search.fitness import Fitness
from autotts.discovery.proposers.search.operators import OPERATORS
from autotts.discovery.proposers.search.space import Genome, behaviour_key

COST_EDGES = (120_000, 250_000, 500_000)  # cost classes of the niches (mean tokens)


def design_id(genome: Genome) -> str:
    """A short stable id of what a design does (hash of its behaviour key)."""
    return hashlib.sha256(behaviour_key(genome).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Record:
    """One screened design.

    ``fitness`` rests on ``seeds`` seeds (the highest fidelity it reached);
    ``first`` is its fitness at the first screening, which the bandit compares.
    """

    id: str
    genome: Genome
    round: int
    op: str                       # an operator of OPERATORS, or "seed"
    how: str                      # what the operator changed, in words
    parents: tuple[str, ...]
    first: float | None           # primary fitness at the first screening
    fitness: Fitness | None
    seeds: int
    mid: float                    # store-mean tokens at the middle beta
    proposed: bool = False        # sent to the loop as a round's candidate
    reach: bool = True            # its latest screening meets the loop's budget-reach rule

    @property
    def value(self) -> float:
        """Primary fitness, -inf when the design failed."""
        return self.fitness[0] if self.fitness else -math.inf

    def to_dict(self) -> dict:
        return {"id": self.id, "genome": self.genome, "round": self.round, "op": self.op,
                "how": self.how, "parents": list(self.parents), "first": self.first,
                "fitness": list(self.fitness) if self.fitness else None, "seeds": self.seeds,
                "mid": self.mid, "reach": self.reach}

    @classmethod
    def from_dict(cls, d: dict) -> Record:
        fit = d.get("fitness")
        return cls(id=d["id"], genome=d["genome"], round=int(d["round"]), op=d["op"],
                   how=d.get("how", ""), parents=tuple(d.get("parents", ())), first=d.get("first"),
                   fitness=tuple(fit) if fit else None, seeds=int(d["seeds"]),
                   mid=float(d.get("mid", 0.0)), reach=bool(d.get("reach", True)))


class DesignPool:
    """Every screened design by id, in screening order."""

    def __init__(self, records: list[Record] | None = None):
        self.records: dict[str, Record] = {}
        for r in records or []:
            self.add(r)

    def add(self, r: Record) -> None:
        self.records[r.id] = r

    def update(self, rid: str, **changes) -> None:
        self.records[rid] = replace(self.records[rid], **changes)

    def __contains__(self, rid: str) -> bool:
        return rid in self.records

    def ok(self) -> list[Record]:
        """Designs with a fitness, best first (earlier screening wins ties)."""
        order = {rid: n for n, rid in enumerate(self.records)}
        return sorted((r for r in self.records.values() if r.fitness),
                      key=lambda r: (-r.fitness[0], -r.fitness[1], order[r.id]))

    def niche(self, r: Record) -> tuple[str, int]:
        """(vote variant, cost class) of a design."""
        return r.genome["parts"]["vote"], sum(r.mid > e for e in COST_EDGES)

    def elites(self) -> list[Record]:
        """The best design of every occupied niche."""
        best: dict[tuple[str, int], Record] = {}
        for r in self.ok():
            best.setdefault(self.niche(r), r)
        return list(best.values())

    def parent(self, population: int, rng: random.Random, exclude: str = "") -> Record:
        """Half the time the better of two drawn from the top ``population``,
        else the elite of a random niche."""
        top = [r for r in self.ok()[:population] if r.id != exclude]
        elites = [r for r in self.elites() if r.id != exclude]
        if rng.random() < 0.5 or not elites:
            a, b = rng.choice(top), rng.choice(top)
            return a if a.value >= b.value else b
        return rng.choice(elites)

    def rewards(self, population: int) -> dict[str, list[int]]:
        """Per operator, one 0/1 reward per child: whether the child's first
        fitness entered the top ``population`` first fitnesses of the designs
        screened before it."""
        out: dict[str, list[int]] = {op: [] for op in OPERATORS}
        firsts: list[float] = []
        for r in self.records.values():
            score = r.first if r.first is not None else -math.inf
            if r.op in out:
                bar = sorted(firsts, reverse=True)[population - 1] if len(firsts) >= population \
                    else -math.inf
                out[r.op].append(int(score > bar))
            firsts.append(score)
        return out


def choose_operator(pool: DesignPool, population: int, rng: random.Random,
                    explore: float = 0.15) -> str:
    """UCB1 over the operators' rewards (one pseudo-success in two tries each,
    so an untried operator is not written off); with ``explore`` chance, any."""
    if rng.random() < explore:
        return rng.choice(OPERATORS)
    rewards = pool.rewards(population)
    total = sum(len(v) + 2 for v in rewards.values())

    def ucb(op: str) -> float:
        n = len(rewards[op]) + 2
        return (sum(rewards[op]) + 1) / n + math.sqrt(2 * math.log(total) / n)

    return max(OPERATORS, key=ucb)
