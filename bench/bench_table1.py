"""(b) ``autotts reproduce table1`` end to end (12 stores, 100 seeds, with curves).

Each run starts from an empty output directory in a fresh process, so it
pays every cost a user pays (imports, store loading, kernel loading, reports).

    python bench/bench_table1.py [--repeats 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from common import data_dir, loads, timed, write_results


def reproduce(workers: int) -> None:
    cli = Path(sys.executable).with_name("autotts")
    with tempfile.TemporaryDirectory(prefix="bench-table1-") as out:
        env = {**os.environ, "AUTOTTS_DATA": str(data_dir())}
        done = subprocess.run([str(cli), "reproduce", "table1", "--out", out,
                               "--workers", str(workers), "--no-progress"],
                              env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"autotts reproduce table1 failed:\n{done.stderr[-2000:]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes")
    args = ap.parse_args()
    r = timed(lambda: reproduce(args.workers), args.repeats)
    print(f"reproduce table1, {args.workers} workers: {r['median_s']:.1f} s (load {loads(r)})")
    write_results("table1", {"what": "autotts reproduce table1 (12 stores, 100 seeds, curves)",
                             "workers": args.workers, "figures": {"end to end": r}})


if __name__ == "__main__":
    main()
