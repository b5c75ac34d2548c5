"""The sandboxed child: runs one candidate over some (store, setting) cells.

Started by :mod:`autotts.discovery.sandbox.process` as
``python -I -m autotts.discovery.sandbox.worker WORKDIR``. ``WORKDIR/job.json``
names the candidate file, its class, gold-free store files, the cells and
seeds. The worker answers every (seed, question) with the protocol evaluator
and returns per cell the answers (strings or null) and the episode log, in
seed-major order, plus a few compact traces.
It never sees a gold answer, so it cannot grade, and it reports no cost: the
parent grades and re-derives cost from the episode log
(:mod:`autotts.discovery.sandbox.judge.cost_books`). The result goes to a pipe the parent holds
(``AUTOTTS_RESULT_FD``), never to a file the parent would read by path.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any


class CappedStream:
    """A text stream that keeps at most ``cap`` characters and drops the rest."""

    def __init__(self, cap: int):
        self.cap, self.parts, self.size, self.dropped = cap, [], 0, 0

    def write(self, text: str) -> int:
        room = self.cap - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def flush(self) -> None:
        pass

    def getvalue(self) -> str:
        return "".join(self.parts)


class WrongReturn(Exception):
    """solve() returned something other than a string or None."""


def _evaluate_cell(store, controller, seeds: list[int], max_branches: int) -> dict[str, Any]:
    """Answers and the episode log of every (seed, question), seed-major.

    The log (branches opened, each one's depth; 0 = read whole) is what the
    parent charges from (:mod:`autotts.discovery.sandbox.judge.cost_books`); no cost is reported.
    """
    from autotts.discovery.sandbox.judge.cost_books import encode_ints
    from autotts.discovery.sandbox.recording import RecordingEpisode
    from autotts.evaluation.protocol import shuffled_order

    answers: list[str | None] = []
    opened: list[int] = []
    depths: list[int] = []
    for seed in seeds:
        for q in store.questions:
            ep = RecordingEpisode(q, shuffled_order(seed, q.n_branches),
                                  max_branches=max_branches)
            a = controller.solve(ep)
            if a is not None and type(a) is not str:
                raise WrongReturn(f"solve() returned {type(a).__name__}; expected str or None")
            answers.append(a)
            n, log = ep.log()
            opened.append(n)
            depths.extend(log)
    return {"answers": answers, "opened": encode_ints(opened), "depths": encode_ints(depths)}


def _traces(store, controller, seed: int, questions: int, max_events: int) -> list[dict]:
    """Compact traces of the first ``questions`` questions at one seed."""
    from autotts.env.store import ReplayStore
    from autotts.evaluation.protocol import evaluate

    sub = ReplayStore(store.name, store.path, store.questions[:questions])
    rows = evaluate(sub, controller, seeds=[seed], traces=True).traces or []
    out = []
    for row in rows:
        events = [[str(x)[:200] if isinstance(x, str) else x for x in ev]
                  for ev in row["events"][:max_events]]
        answer = row["answer"] if isinstance(row["answer"], str) else None
        out.append({"seed": row["seed"], "question": row["question"], "answer": answer,
                    "cost": float(row["cost"]), "opened": int(row["opened"]),
                    "events": events, "truncated": len(row["events"]) > max_events})
    return out


def run(job: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """Run every cell of ``job``; returns the result document."""
    from autotts.controllers.spec import ControllerSpec
    from autotts.env.store import load_store

    if job.get("kind") == "episodes":  # the judge's interference check: each episode alone
        from autotts.discovery.sandbox.episode_worker import run_episodes

        return run_episodes(job, workdir)
    # no store cache: a job's files are gold-free copies, and a cache a candidate
    # could write into would let one job plant the stores another job plays
    stores = [load_store(workdir / s["file"], name=s["name"], cache=False)
              for s in job["stores"]]
    cand = str(workdir / job["candidate"])
    target = f"{cand}:{job['class_name']}" if job.get("class_name") else cand
    seeds = list(job["seeds"])
    trace = job.get("trace") or {}
    cells = []
    for k, cell in enumerate(job["cells"]):
        controller = ControllerSpec(file=target, params=dict(cell["params"])).build()
        store = stores[cell["store"]]
        out = _evaluate_cell(store, controller, seeds, int(job["max_branches"]))
        if k in set(trace.get("cells", [])):
            out["traces"] = _traces(store, controller, trace.get("seed", seeds[0]),
                                    int(trace.get("questions", 5)),
                                    int(trace.get("max_events", 2000)))
        cells.append(out)
    return {"cells": cells}


def main(argv: list[str]) -> int:
    """Run the job in ``argv[1]``, send its result to the parent; returns exit status 0."""
    workdir = Path(argv[1]).resolve()
    job = json.loads((workdir / "job.json").read_text())
    if os.environ.get("AUTOTTS_SANDBOX_SRC"):
        sys.path.insert(0, os.environ["AUTOTTS_SANDBOX_SRC"])
    captured = CappedStream(int(job.get("output_bytes", 65536)))
    real_out, real_err = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = captured  # the candidate's prints land here, capped
    try:
        result = run(job, workdir)
    except BaseException as exc:  # noqa: BLE001 - anything the candidate raises is recorded
        tb = traceback.format_exception(type(exc), exc, exc.__traceback__)
        result = {"error": f"{type(exc).__name__}: {exc}"[:2000], "traceback": "".join(tb)[-4000:]}
    result["printed"] = captured.getvalue()
    result["printed_dropped"] = captured.dropped
    sys.stdout, sys.stderr = real_out, real_err
    _send(json.dumps(result).encode())
    real_out.flush()
    return 0


def _send(data: bytes) -> None:
    """Write the result to the pipe the parent holds (fd ``AUTOTTS_RESULT_FD``)."""
    fd = int(os.environ["AUTOTTS_RESULT_FD"])
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.close(fd)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
