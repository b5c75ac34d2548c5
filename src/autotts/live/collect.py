"""Build a replay store from a model: every question x N branches decoded in
Δ-token intervals with a probe after each unfinished interval.

Outputs, next to ``OUT`` (``name.json`` or ``name.json.gz``):

- ``name.raw.jsonl``      one row per (question, branch), appended as each
  branch finishes (resumable: finished rows are skipped on a rerun);
- ``name.manifest.json``  model, revision, template, sampling, Δ, probe
  suffix, server and seed; a rerun with different settings is refused;
- ``OUT``                 the AutoTTS store (``load_store`` reads it), written
  atomically once every row is in.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autotts import __version__
from autotts.env.store import load_store
from autotts.errors import AutoTTSError
from autotts.fileio import write_atomic
from autotts.live.answers import Grader, normalize_answer
from autotts.live.backend import Backend
from autotts.live.decode import BranchState, DecodeConfig, collect_branch
from autotts.live.questions import QuestionItem
from autotts.live.rawlog import RawLog
from autotts.progress import make_progress

# Manifest fields that change what a row holds: a resume must match them.
ROW_FIELDS = ("model", "revision", "template", "delta", "max_tokens", "sampling",
              "probe_suffix", "probe_tokens", "seed")


class CollectError(AutoTTSError, RuntimeError):
    """Collection cannot start or resume (the message says why)."""


@dataclass(frozen=True)
class CollectPlan:
    """Where to write, how many branches, how to decode, how many branches at once."""

    out: Path
    n_branches: int
    decode: DecodeConfig
    concurrency: int = 32
    log_text: bool = True
    log_token_ids: bool = False

    def side_path(self, suffix: str) -> Path:
        name = self.out.name
        for ext in (".json.gz", ".json"):
            if name.endswith(ext):
                name = name[: -len(ext)]
                break
        return self.out.with_name(name + suffix)

    @property
    def raw_path(self) -> Path:
        return self.side_path(".raw.jsonl")

    @property
    def manifest_path(self) -> Path:
        return self.side_path(".manifest.json")


def make_manifest(backend: Backend, plan: CollectPlan, source: str, n_questions: int) -> dict:
    """The run's manifest: backend facts plus the decoding settings."""
    info = backend.describe()
    d = plan.decode.to_dict()
    return {"format": "autotts-collect/1", "autotts_version": __version__,
            "model": info.get("model"), "revision": info.get("revision"),
            "template": info.get("template"), "server": info.get("server"),
            "backend": info, "questions": source, "n_questions": n_questions,
            "n_branches": plan.n_branches, **d}


def check_resume(path: Path, manifest: dict) -> None:
    """Refuse to append rows made under other settings to an existing log."""
    if not path.exists():
        return
    try:
        old = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise CollectError(f"{path}: unreadable manifest ({exc}); "
                           "delete it to start over") from None
    diff = [f"{k}: {old.get(k)!r} then, {manifest.get(k)!r} now"
            for k in ROW_FIELDS if old.get(k) != manifest.get(k)]
    if diff:
        raise CollectError(f"{path}: this output was collected with other settings ("
                           + "; ".join(diff) + "); use another --out or delete the old files")


def _row(q: QuestionItem, b: int, br: BranchState, plan: CollectPlan, seconds: float) -> dict:
    row: dict[str, Any] = {"qid": q.id, "branch": b, "n_tokens": br.n_tokens,
                           "finish_reason": br.finish_reason, "interval_ends": br.interval_ends,
                           "probes": br.probes, "final_answer": br.final,
                           "probe_tokens": br.probe_tokens, "seconds": round(seconds, 3)}
    if plan.log_text:
        row["text"] = br.text
    if plan.log_token_ids:
        row["token_ids"] = br.ids
    return row


async def collect_rows(backend: Backend, questions: list[QuestionItem], plan: CollectPlan,
                       log: RawLog, on_row: Callable[[dict], None] = lambda row: None) -> int:
    """Decode every (question, branch) missing from ``log``, at most
    ``plan.concurrency`` at once; returns how many rows were added. The first
    failure cancels the rest (rows already written stay)."""
    cfg = plan.decode
    suffix = backend.encode(cfg.probe_suffix)
    sem = asyncio.Semaphore(max(1, plan.concurrency))
    added = 0

    async def one(q: QuestionItem, prompt: list[int], b: int) -> None:
        nonlocal added
        async with sem:
            t0 = time.perf_counter()
            br = await collect_branch(backend, prompt, BranchState(key=f"{q.id}/{b}"), suffix, cfg)
            row = _row(q, b, br, plan, time.perf_counter() - t0)
            log.append(row)
            added += 1
            on_row(row)

    try:
        async with asyncio.TaskGroup() as tg:
            for q in questions:  # question-major: one question's branches share its prompt cache
                todo = [b for b in range(plan.n_branches) if not log.done(q.id, b)]
                if todo:
                    prompt = backend.render(q.question)
                    for b in todo:
                        tg.create_task(one(q, prompt, b))
    except BaseExceptionGroup as group:
        raise group.exceptions[0] from None
    return added


def build_store(questions: list[QuestionItem], rows: dict[tuple[str, int], dict],
                plan: CollectPlan, grader: Grader) -> list[dict]:
    """Store records: gold normalised; every answer math-verify finds equal
    to the gold replaced by the gold string, so exact-string grading works."""
    records = []
    for q in questions:
        gold = normalize_answer(q.answer)
        branch_rows = [rows[(q.id, b)] for b in range(plan.n_branches)]
        distinct = {a for r in branch_rows for a in [*r["probes"], r["final_answer"]]}
        canon = {a: (gold if grader.equivalent(gold, a) else a) for a in distinct}
        each = [[[canon[a] for a in r["probes"]], r["n_tokens"], canon[r["final_answer"]]]
                for r in branch_rows]
        records.append({"id": q.id, "question": q.question, "gold_answer": gold,
                        "probe_freq": plan.decode.delta,
                        "final_answers_trace": [e[2] for e in each], "each_branch": each})
    return records


def write_store(path: Path, records: list[dict]) -> None:
    """Write the store atomically (gzip when the name ends in .gz), then check
    it loads; raises StoreError if it does not."""
    data = json.dumps(records, ensure_ascii=False).encode()
    if path.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    write_atomic(path, data)
    load_store(path)


def run_collect(backend: Backend, questions: list[QuestionItem], plan: CollectPlan, *,
                source: str, progress: bool = True) -> dict[str, Any]:
    """Collect every missing row, then write the store; closes ``backend``.
    Returns a summary (paths, rows, new rows, tokens, seconds, final accuracy)."""
    plan.out.parent.mkdir(parents=True, exist_ok=True)
    manifest = make_manifest(backend, plan, source, len(questions))
    check_resume(plan.manifest_path, manifest)
    write_atomic(plan.manifest_path, json.dumps(manifest, indent=2).encode())
    log = RawLog(plan.raw_path)
    keys = [(q.id, b) for q in questions for b in range(plan.n_branches)]
    t0 = time.perf_counter()
    new_tokens = 0
    with make_progress(fields=("rate",), enabled=progress, transient=False,
                       label_width=0) as bar:
        task = bar.add_task("collect", total=len(keys),
                            completed=sum(map(log.rows.__contains__, keys)), rate="")

        def on_row(row: dict) -> None:
            nonlocal new_tokens
            new_tokens += row["n_tokens"] + row["probe_tokens"]
            bar.update(task, advance=1,
                       rate=f"{new_tokens / max(1e-9, time.perf_counter() - t0):,.0f} tok/s")

        async def main() -> int:
            try:
                return await collect_rows(backend, questions, plan, log, on_row)
            finally:
                await backend.aclose()

        try:
            added = asyncio.run(main())
        finally:
            log.close()
    # What the backend learnt while collecting (e.g. that it had to send text
    # prompts) is provenance too: record it, not the guess made before the run.
    manifest["backend"] = backend.describe()
    write_atomic(plan.manifest_path, json.dumps(manifest, indent=2).encode())
    grader = Grader()
    try:
        records = build_store(questions, log.rows, plan, grader)
    finally:
        grader.close()
    write_store(plan.out, records)
    rows = [log.rows[k] for k in keys]
    right = sum(rec["gold_answer"] == f for rec in records for f in rec["final_answers_trace"])
    return {"store": str(plan.out), "raw": str(plan.raw_path), "manifest": str(plan.manifest_path),
            "rows": len(keys), "new_rows": added, "tokens": sum(r["n_tokens"] for r in rows),
            "probe_tokens": sum(r["probe_tokens"] for r in rows),
            "seconds": round(time.perf_counter() - t0, 2),
            "final_accuracy": right / max(1, len(keys))}
