"""Twin questions: what one episode revealed, byte for byte, and nothing else.

Built in the parent, from its own copy of the store and the main run's log
of one episode (:mod:`autotts.discovery.sandbox.judge.interference`). The twin has the
same number of branches (so the protocol's shuffle shows them in the same
order) and, for every opened position p (branch ``order[p]``), exactly what
the episode's actions revealed:

- finished by stepping (depth k + 1): the whole branch (all of it was seen);
- read whole (depth 0): its final answer, length and probe count (the depth
  it reports); its probe answers come from a donor;
- unfinished at depth d (1 <= d <= k): its first d probe answers; the probes
  past d, the final answer and the length come from a donor branch with at
  least d probes, so the twin branch is still unfinished at depth d and
  keeps the store's invariants (probe count, length against Δ, labels).

Unopened branches are donor branches, whole. Donors are branches of OTHER
questions of the same store (same Δ; the caller names which questions may
not give, see :func:`autotts.discovery.sandbox.judge.interference.halves`), drawn with the
judge's RNG; their
answers belong to other questions, so anything a candidate computed from
unrevealed data changes. Where no donor fits (a one-question store, a
branch with more probes than any other) the real data is kept: that part
of the check is then vacuous, never wrong.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass

from autotts.discovery.sandbox.jobs import gold_free_record
from autotts.env.store import ReplayStore
from autotts.evaluation.protocol import shuffled_order

Branch = tuple[list[str], int, str]   # (probe answers, length in tokens, final answer)


@dataclass(frozen=True)
class DonorPool:
    """Every branch of one store, sorted by probe count, for donor draws."""

    branches: tuple[Branch, ...]     # sorted by probe count
    owner: tuple[int, ...]           # question index of each
    counts: tuple[int, ...]          # probe count of each (ascending)

    def draw(self, rng: random.Random, not_q: int, min_probes: int = 0) -> Branch | None:
        """A random branch of another question with at least ``min_probes`` probes,
        or None when there is none (a few tries, then a scan)."""
        lo = bisect.bisect_left(self.counts, min_probes)
        n = len(self.counts)
        if lo >= n:
            return None
        for _ in range(8):
            j = rng.randrange(lo, n)
            if self.owner[j] != not_q:
                return self.branches[j]
        rest = [j for j in range(lo, n) if self.owner[j] != not_q]
        return self.branches[rng.choice(rest)] if rest else None


def store_branches(store: ReplayStore) -> list[list[Branch]]:
    """Every branch of every question of ``store`` as a :data:`Branch`, by
    question: built once per check and shared by its donor pools and twins
    (building it per twin was most of the parent's time)."""
    out = []
    for q in store.questions:
        labels, finals, tokens = q.labels, q.finals.tolist(), q.tokens.tolist()
        out.append([(list(p), int(tokens[b]), labels[finals[b]])
                    for b, p in enumerate(q.branch_answers())])
    return out


def donor_pool(store: ReplayStore, exclude: frozenset[int] = frozenset(),
               table: list[list[Branch]] | None = None) -> DonorPool:
    """The :class:`DonorPool` of ``store``'s questions not in ``exclude``
    (``table``: :func:`store_branches` of ``store``, when the caller has it)."""
    table = table if table is not None else store_branches(store)
    rows = [(len(br[0]), q.index, br) for q in store.questions if q.index not in exclude
            for br in table[q.index]]
    rows.sort(key=lambda r: r[0])
    return DonorPool(tuple(r[2] for r in rows), tuple(r[1] for r in rows),
                     tuple(r[0] for r in rows))


def _twin_branch(real: Branch, depth: int, pool: DonorPool, rng: random.Random,
                 qi: int) -> Branch:
    """One opened branch of the twin: ``real`` as far as ``depth`` revealed it."""
    probes, tokens, final = real
    k = len(probes)
    if depth == k + 1:                      # finished by stepping: all of it was revealed
        return real
    if depth == 0:                          # read whole: final, length, probe count
        donor = pool.draw(rng, qi, k)
        return (donor[0][:k], tokens, final) if donor else real
    donor = pool.draw(rng, qi, depth)       # unfinished at depth: only its first probes
    if donor is None:
        return real
    return (probes[:depth] + donor[0][depth:], donor[1], donor[2])


def twin_record(store: ReplayStore, qi: int, seed: int, depths: list[int], pool: DonorPool,
                rng: random.Random, table: list[list[Branch]] | None = None) -> dict:
    """The twin of question ``qi`` for one episode (seed and depth log of the
    main run), as a gold-free store record (``table`` as in :func:`donor_pool`)."""
    q = store.questions[qi]
    real = table[qi] if table is not None else store_branches(store)[qi]
    order = shuffled_order(seed, q.n_branches)
    twin: list[Branch | None] = [None] * q.n_branches
    for p, d in enumerate(depths):
        twin[order[p]] = _twin_branch(real[order[p]], int(d), pool, rng, q.index)
    for b in range(q.n_branches):
        if twin[b] is None:                 # never opened: nothing of it was revealed
            twin[b] = pool.draw(rng, q.index) or real[b]
    return {"question": "", "gold_answer": "", "probe_freq": int(q.delta),
            "each_branch": [[list(p), int(t), f] for p, t, f in twin]}


def real_record(store: ReplayStore, qi: int) -> dict:
    """Question ``qi`` itself as a gold-free store record (for the "alone" job): the
    very record the main run's job received."""
    return gold_free_record(store.questions[qi])
