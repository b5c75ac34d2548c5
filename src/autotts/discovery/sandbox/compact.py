"""Compiled gold-free questions sent as arrays, for the interference check's
jobs.

A gold-free record spells every probe answer as a string; parsing those and
interning them again costs the worker most of its start (about 0.3 s of JSON
for the ~110 questions of an alone job, 0.15 s for a twin job's ~55) and leaves tens of MB of freed
strings scattered in its heap, which every per-episode fork then copies (a
fork's cost grows with the resident memory). Here the parent sends what
compiling that record would give -- the labels once, then answer ids -- and
the worker rebuilds the :class:`CompiledQuestion` without re-interning.

The result is the question :func:`autotts.env.store.store_from_records`
builds from the gold-free record (:func:`autotts.discovery.sandbox.jobs.gold_free_record`
for the alone jobs, a twin for the twin jobs): labels in first-appearance
order, which the store's own compile already uses, gold answer and text
blank, field for field; tests check it.
"""

from __future__ import annotations

import numpy as np

from autotts.discovery.sandbox.jobs import GOLD_FREE_ANSWER
from autotts.env.store import CompiledQuestion, ReplayStore


def compact_record(q: CompiledQuestion) -> dict:
    """Question ``q`` with its gold answer and text removed, as id arrays."""
    rows = [row[:k] for row, k in zip(q.probes.tolist(), q.n_probes.tolist())]
    labels = list(q.labels)
    return {"delta": int(q.delta), "labels": labels, "rows": rows,
            "tokens": q.tokens.tolist(), "finals": q.finals.tolist(),
            # what compiling the gold-free record gives: the blank answer's id, if any
            "gold_id": labels.index(GOLD_FREE_ANSWER) if GOLD_FREE_ANSWER in labels else -1}


def compact_from_record(record: dict) -> dict:
    """A gold-free store record (a twin question) as :func:`compact_record`
    gives it: answers interned in the order the store's compile interns them
    (each branch's probes, then its final answer)."""
    ids: dict[str, int] = {}
    rows, tokens, finals = [], [], []
    for probes, n_tokens, final in record["each_branch"]:
        rows.append([ids.setdefault(p, len(ids)) for p in probes])
        tokens.append(int(n_tokens))
        finals.append(ids.setdefault(final, len(ids)))
    return {"delta": int(record["probe_freq"]), "labels": list(ids), "rows": rows,
            "tokens": tokens, "finals": finals, "gold_id": ids.get(GOLD_FREE_ANSWER, -1)}


def _question(index: int, rec: dict) -> CompiledQuestion:
    rows = rec["rows"]
    width = max((len(r) for r in rows), default=0)
    probes = np.full((len(rows), max(width, 1)), -1, dtype=np.int32)
    for b, row in enumerate(rows):
        probes[b, :len(row)] = row
    return CompiledQuestion(
        index=index, text="", gold=GOLD_FREE_ANSWER, gold_id=int(rec["gold_id"]),
        delta=int(rec["delta"]), labels=tuple(rec["labels"]), probes=probes,
        n_probes=np.array([len(r) for r in rows], dtype=np.int32),
        tokens=np.array(rec["tokens"], dtype=np.int64),
        finals=np.array(rec["finals"], dtype=np.int32))


def compact_store(records: list[dict], name: str, path: str = "<compact>") -> ReplayStore:
    """The store of :func:`compact_record` records (sent by the trusted parent)."""
    return ReplayStore(name=name, path=path,
                       questions=tuple(_question(i, r) for i, r in enumerate(records)))
