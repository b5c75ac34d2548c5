"""Shared helpers for the benchmark scripts: timing, machine facts, result files, figures.

Every figure is the median of ``repeats`` runs; each run records the 1-minute
load average at its start, because other jobs may share the machine.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


def data_dir() -> Path:
    """The replay stores: $AUTOTTS_DATA, else ../shared/replay next to the repository."""
    return Path(os.environ.get("AUTOTTS_DATA") or ROOT.parent / "shared" / "replay")


def store_file(name: str) -> str:
    for suffix in (".json.gz", ".json"):
        p = data_dir() / f"{name}{suffix}"
        if p.exists():
            return str(p)
    raise SystemExit(f"store {name} not found under {data_dir()} (set AUTOTTS_DATA)")


def machine() -> dict[str, Any]:
    """CPU model and core count (lscpu), Python, and the repository commit."""
    model = platform.processor() or "unknown"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                                cwd=ROOT).stdout.strip()
    except OSError:
        commit = "unknown"
    try:
        import numba
        numba_version = numba.__version__
    except ImportError:
        numba_version = None
    return {"cpu": model, "cores": os.cpu_count(), "python": platform.python_version(),
            "numba": numba_version, "commit": commit or "unknown",
            "date": time.strftime("%Y-%m-%d %H:%M:%S")}


def cpu_seconds() -> float:
    """User + system CPU time of this process and of its finished (waited-for) children."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn: Callable[[], Any], repeats: int = 3) -> dict[str, Any]:
    """Run ``fn`` ``repeats`` times; median seconds, every run with its load average
    and the CPU seconds it used (its processes' own, which other jobs on a loaded
    machine inflate far less than the wall time)."""
    runs = []
    for _ in range(repeats):
        load = os.getloadavg()[0]
        t0, c0 = time.perf_counter(), cpu_seconds()
        fn()
        runs.append({"seconds": time.perf_counter() - t0, "cpu_s": cpu_seconds() - c0,
                     "load1": load})
    return {"median_s": statistics.median(r["seconds"] for r in runs),
            "median_cpu_s": statistics.median(r["cpu_s"] for r in runs), "runs": runs}


def write_results(name: str, payload: dict[str, Any]) -> Path:
    """Write ``bench/results/<name>.json`` atomically (temp file + rename)."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"machine": machine(), **payload}, indent=1) + "\n")
    os.replace(tmp, path)
    print(f"wrote {path}")
    return path


def loads(result: dict[str, Any]) -> str:
    """'1.2-3.4': the range of load averages seen by a timed figure."""
    vals = [r["load1"] for r in result["runs"]]
    return f"{min(vals):.1f}-{max(vals):.1f}"


def axes(figsize: tuple[float, float]):
    """(figure, axes) of a new off-screen matplotlib figure (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize)


def save(fig, path: Path) -> None:
    """Write ``fig`` to ``path`` (folders made), as every benchmark figure is."""
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
