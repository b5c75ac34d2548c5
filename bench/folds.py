"""Every benchmark held out in turn (issue 28): the README's main job per fold and seed.

For each fold (search on one benchmark, held out on the other two) and run
seed (0-4 by default), runs the main job's rounds with the built-in search,
``autotts discover --rounds 5 --budget-minutes 0``: the README's main job
(``--budget-minutes 20``, default 5 rounds) without its wall cap, so that
every job runs its 5 rounds whatever the machine's speed or load and the
table is a function of the code and the seeds alone (under the 20-minute cap
a loaded machine stops after fewer rounds; 4 of the 6 search-v2 jobs ran 5,
two stopped at 4). One job at a time, and it keeps
in ``OUT`` (default ``results/folds``) what the table needs to regenerate from
the repository alone: run.json, config.toml, report.md, ``final/`` (the
selection and held-out grids), ``baselines/`` (the references the verdict's
envelope is made of) and each round's state, results and candidate. The
table (``summary.md``, ``summary.json``; see ``bench/folds_table.py``) gives
``autotts verdict``'s pre-registered number per pick with its interval.

Resumable: ``OUT/jobs.json`` lists every job that was run, failed ones too
(a failed job stays a row of the table: it is not re-run); the next call
skips them and starts a job killed half-way again from scratch. Each job is
written (and with ``--commit`` committed) as it finishes, with the commit of
the code it ran; jobs of another code commit refuse to share a table unless
``--force-mixed``. Usage::

    python bench/folds.py                       # the 15 jobs, about 4 hours
    python bench/folds.py --summary-only        # the table from results/folds
    python bench/folds.py --out /tmp/f --folds hmmt25 --seeds 0 --extra '--rounds 1'
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from folds_table import code_version, write_summary  # noqa: E402

DATASETS = ("aime24", "aime25", "hmmt25")
KEEP = ("run.json", "config.toml", "report.md", "final/*.json", "baselines/*.json",
        "rounds/r*/state.json", "rounds/r*/results.json", "rounds/r*/candidate.py")
LOG_TAIL = 20_000  # characters of a job's log kept in OUT


def job_name(fold: str, seed: int) -> str:
    """A job's folder name: the search benchmark and the run seed."""
    return f"search-{fold}-s{seed}"


def discover_cmd(rundir: Path, fold: str, seed: int, rounds: int, extra: list[str]
                 ) -> list[str]:
    """The main job's rounds on one fold, no wall cap: search on ``fold``, held out on
    the rest."""
    cmd = ["autotts", "discover", "--budget-minutes", "0", "--rounds", str(rounds),
           "--run-dir", str(rundir), "--seed", str(seed), "--search", f"*/{fold}"]
    for other in DATASETS:
        if other != fold:
            cmd += ["--held-out", f"*/{other}"]
    return cmd + extra


def keep(rundir: Path, dest: Path) -> None:
    """Copy the files the table needs (``KEEP``) from ``rundir`` to ``dest``."""
    for pattern in KEEP:
        for src in sorted(rundir.glob(pattern)):
            target = dest / src.relative_to(rundir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)


def run_job(out: Path, work: Path, fold: str, seed: int, args) -> dict:
    """One job: run it in ``work``, keep its files in ``out``; returns its jobs.json entry."""
    name = job_name(fold, seed)
    rundir, dest = work / name, out / name
    if rundir.exists():  # a job killed half-way: it left no entry, so it starts again
        shutil.rmtree(rundir)
    if dest.exists():
        shutil.rmtree(dest)
    cmd = discover_cmd(rundir, fold, seed, args.rounds, shlex.split(args.extra))
    entry = {"job": name, "fold": fold, "seed": seed, "code": code_version(),
             "cmd": shlex.join(cmd), "started": _now()}
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True,
                          env={**os.environ, "AUTOTTS_DATA": str(args.data)})
    entry.update(rc=proc.returncode, wall_s=round(time.monotonic() - t0, 1), finished=_now())
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "discover.log").write_text((proc.stdout + proc.stderr)[-LOG_TAIL:])
    if rundir.is_dir():
        keep(rundir, dest)
    done = (dest / "final" / "selection.json").is_file()
    entry["status"] = "ok" if proc.returncode == 0 and done else "failed"
    if entry["status"] == "failed":
        last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        entry["error"] = f"rc {proc.returncode}" + ("" if done else ", no selection") + \
            f": {last[0][:300]}"
    return entry


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def load_jobs(out: Path) -> list[dict]:
    """The jobs already run (``OUT/jobs.json``), in the order they ran."""
    path = out / "jobs.json"
    return json.loads(path.read_text()) if path.is_file() else []


def commit(out: Path, message: str) -> None:
    """``git add`` and commit ``out`` only (nothing else that is staged or changed)."""
    subprocess.run(["git", "add", "--", str(out)], check=True)
    subprocess.run(["git", "commit", "-q", "-m", message, "--", str(out)], check=True)


def check_code(jobs: list[dict], code: str, force: bool) -> None:
    """Refuse to add jobs of ``code`` to a table of other commits unless ``force``."""
    other = sorted({j["code"] for j in jobs} - {code})
    if other and not force:
        sys.exit(f"folds: {len(jobs)} jobs in this table ran at {', '.join(other)}, this "
                 f"checkout is {code}: one table, one commit. Use another --out, or "
                 "--force-mixed to mix them (the table then says so)")


def parse(argv: list[str] | None):
    """The command line (see the module docstring)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=Path("results/folds"),
                   help="Folder of the kept runs, jobs.json and the table (results/folds).")
    p.add_argument("--work", type=Path, default=Path("/tmp/autotts-folds"),
                   help="Where the jobs' full run directories go (/tmp/autotts-folds).")
    p.add_argument("--folds", default=",".join(DATASETS),
                   help="Search benchmarks, comma-separated (aime24,aime25,hmmt25); each "
                        "fold holds out the other two.")
    p.add_argument("--seeds", default="0,1,2,3,4", help="Run seeds, comma-separated (0-4).")
    p.add_argument("--rounds", type=int, default=5,
                   help="Proposer rounds of each job, run without a wall cap (5, the main "
                        "job's default).")
    p.add_argument("--extra", default="",
                   help="More `autotts discover` options, quoted (e.g. '--rounds 1 --seeds 8' "
                        "for a smoke test; such a table is not the verdict).")
    p.add_argument("--data", type=Path, default=os.environ.get("AUTOTTS_DATA"),
                   help="Replay store directory (default: $AUTOTTS_DATA).")
    p.add_argument("--commit", action="store_true",
                   help="git-commit OUT after each job (and the table).")
    p.add_argument("--force-mixed", action="store_true",
                   help="Allow jobs of different code commits in one table.")
    p.add_argument("--summary-only", action="store_true",
                   help="Only write the table from OUT (no job runs, no store needed when "
                        "OUT keeps the baselines).")
    args = p.parse_args(argv)
    if not args.summary_only and not args.data:
        p.error("--data (or $AUTOTTS_DATA) is required to run jobs")
    return args


def main(argv: list[str] | None = None) -> None:
    """Run the missing jobs one at a time, then write the table."""
    args = parse(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    jobs = load_jobs(args.out)
    if not args.summary_only:
        check_code(jobs, code_version(), args.force_mixed)
        done = {j["job"] for j in jobs}
        for fold in args.folds.split(","):
            if fold not in DATASETS:
                sys.exit(f"folds: unknown fold {fold!r} (one of {', '.join(DATASETS)})")
            for seed in (int(s) for s in args.seeds.split(",")):
                if job_name(fold, seed) in done:
                    print(f"{job_name(fold, seed)}: done, skipped", flush=True)
                    continue
                print(f"{job_name(fold, seed)}: running...", flush=True)
                entry = run_job(args.out, args.work, fold, seed, args)
                jobs.append(entry)
                (args.out / "jobs.json").write_text(json.dumps(jobs, indent=1) + "\n")
                print(f"{entry['job']}: {entry['status']} in {entry['wall_s'] / 60:.1f} min",
                      flush=True)
                write_summary(args.out, jobs, args.force_mixed)
                if args.commit:
                    commit(args.out, f"folds: {entry['job']} {entry['status']} at "
                                     f"{entry['code']} ({entry['wall_s'] / 60:.1f} min)")
    sys.stdout.write(write_summary(args.out, jobs, args.force_mixed))
    if args.commit and args.summary_only:
        commit(args.out, "folds: table regenerated")


if __name__ == "__main__":
    main()
