"""How the interference check's sampled episodes are dealt to sandboxed jobs.

The "alone" jobs get the real gold-free questions of their sampled episodes
(compiled, :mod:`autotts.discovery.sandbox.compact`).
The twins are dealt to several "twin" jobs so that no twin job ever holds
unrevealed data of a question it plays: a job holds at most ONE episode of
each question (twins of the same question for other seeds carry what those
episodes revealed, and together they would reveal more than any one did),
and its twins take their donors only from questions of the store that the
job does not play. Each job plays at most about half of a store's questions,
so the other half is there to give.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict

from autotts.discovery.sandbox.compact import compact_from_record, compact_record
from autotts.discovery.sandbox.judge.twins import donor_pool, store_branches, twin_record


def pack(sample, stores) -> list[int]:
    """The twin job of each sampled episode: distinct questions within a job,
    at most ~half of a store's questions per job, jobs balanced; returns one
    job number per episode (jobs are 0..max)."""
    by_q: dict[tuple[int, int], list[int]] = defaultdict(list)
    for k, e in enumerate(sample):
        by_q[(e.store, e.question)].append(k)
    n_jobs = 1
    for s in {e.store for e in sample}:
        eps = [v for (st, _), v in by_q.items() if st == s]
        cap = max(1, len(stores[s].questions) // 2)
        n_jobs = max(n_jobs, max(len(v) for v in eps), math.ceil(sum(map(len, eps)) / cap))
    job = [0] * len(sample)
    load: dict[int, list[int]] = defaultdict(lambda: [0] * n_jobs)
    for (s, _), ks in sorted(by_q.items(), key=lambda kv: -len(kv[1])):
        emptiest = sorted(range(n_jobs), key=lambda j: load[s][j])[:len(ks)]
        for k, j in zip(ks, emptiest):
            job[k] = j
            load[s][j] += 1
    return job


def alone_jobs(sample, stores, parts: int) -> list[tuple[list, list, list]]:
    """The "alone" jobs: the sample dealt round-robin to ``parts`` jobs, each
    with the real gold-free questions it plays, as :func:`compact_record`-s;
    (records, episodes, positions in the sample) per job, an episode being
    [cell, record, seed]."""
    out = []
    for p in range(max(1, min(parts, len(sample)))):
        index: dict[tuple[int, int], int] = {}
        records, eps, where = [], [], []
        for k in range(p, len(sample), max(1, min(parts, len(sample)))):
            e = sample[k]
            key = (e.store, e.question)
            if key not in index:
                index[key] = len(records)
                records.append(compact_record(stores[e.store].questions[e.question]))
            eps.append([e.cell, index[key], e.seed])
            where.append(k)
        out.append((records, eps, where))
    return out


def twin_jobs(sample, stores, rng: random.Random) -> list[tuple[list, list, list]]:
    """The twin jobs (see the module docstring), in :func:`alone_jobs`' format
    (the twins as compact records too)."""
    job = pack(sample, stores)
    twins = [([], [], []) for _ in range(max(job) + 1 if job else 0)]
    played = defaultdict(set)               # (job, store) -> questions it plays
    for k, e in enumerate(sample):
        played[(job[k], e.store)].add(e.question)
    pools, tables = {}, {s: store_branches(stores[s]) for s in {e.store for e in sample}}
    for k, e in enumerate(sample):
        key = (job[k], e.store)
        if key not in pools:
            pools[key] = donor_pool(stores[e.store], frozenset(played[key]), tables[e.store])
        records, eps, where = twins[job[k]]
        records.append(compact_from_record(twin_record(
            stores[e.store], e.question, e.seed, list(e.depths), pools[key], rng,
            tables[e.store])))
        eps.append([e.cell, len(records) - 1, e.seed])
        where.append(k)
    return [t for t in twins if t[1]]
