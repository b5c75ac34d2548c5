"""Job bookkeeping shared by the main evaluation and the interference check: the
gold-free question records a job receives, the prefix of every job folder,
removing the folders a killed parent left, and what a run keeps of a job's
outcome."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from autotts.discovery.sandbox.process import JobOutcome

GOLD_FREE_ANSWER = ""  # what a gold-free store carries in place of the gold answer


def gold_free_record(q) -> dict:
    """Compiled question ``q`` in the published format, its gold answer and text removed."""
    labels = q.labels
    branches = [[[labels[x] for x in row[:k]], int(t), labels[f]]
                for row, k, t, f in zip(q.probes.tolist(), q.n_probes.tolist(),
                                        q.tokens.tolist(), q.finals.tolist())]
    return {"question": "", "gold_answer": GOLD_FREE_ANSWER, "probe_freq": int(q.delta),
            "each_branch": branches}

JOB_PREFIX = "autotts-sbx-"


def sweep_stale_jobs() -> int:
    """Remove job folders left by a killed parent (named after its pid, which is
    gone); returns how many were removed."""
    removed = 0
    for d in Path(tempfile.gettempdir()).glob(f"{JOB_PREFIX}*-*"):
        pid = d.name[len(JOB_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(d, ignore_errors=True)
            removed += 1
    return removed


def job_record(k: int, o: JobOutcome) -> dict:
    """What the run keeps of job ``k``'s outcome (its result's printed text capped)."""
    return {"job": k, "returncode": o.returncode, "timed_out": o.timed_out,
            "wall_s": round(o.wall_s, 3), "error": o.error, "stdout": o.stdout,
            "retried": o.retried, "machinery": o.machinery,
            "stderr": o.stderr, "isolation": o.isolation,
            "printed": (o.result or {}).get("printed", "")[:4000],
            "printed_dropped": (o.result or {}).get("printed_dropped", 0)}
