"""How the interference check's sampled episodes are dealt to sandboxed jobs.

One "alone" job gets the real gold-free questions of every sampled episode.
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

from autotts.discovery.twins import donor_pool, real_record, twin_record


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


def jobs_data(sample, stores, rng: random.Random):
    """The "alone" job's (records, episodes) and each twin job's (records,
    episodes, positions in the sample); an episode is [cell, record, seed]."""
    real_index: dict[tuple[int, int], int] = {}
    real, alone = [], []
    for e in sample:
        key = (e.store, e.question)
        if key not in real_index:
            real_index[key] = len(real)
            real.append(real_record(stores[e.store], e.question))
        alone.append([e.cell, real_index[key], e.seed])
    job = pack(sample, stores)
    twins = [([], [], []) for _ in range(max(job) + 1 if job else 0)]
    played = defaultdict(set)               # (job, store) -> questions it plays
    for k, e in enumerate(sample):
        played[(job[k], e.store)].add(e.question)
    pools = {}
    for k, e in enumerate(sample):
        key = (job[k], e.store)
        if key not in pools:
            pools[key] = donor_pool(stores[e.store], exclude=frozenset(played[key]))
        records, eps, where = twins[job[k]]
        records.append(twin_record(stores[e.store], e.question, e.seed, list(e.depths),
                                   pools[key], rng))
        eps.append([e.cell, len(records) - 1, e.seed])
        where.append(k)
    return (real, alone), [t for t in twins if t[1]]
