"""Does the search split's ranking of designs carry to problems it did not see?
(issue 30's diagnostic, search splits only.)

For each fold's search dataset, cut into the two fixed halves of
``inner_folds.py``: run the built-in search (v2, 5 rounds, one run seed) on
one half and keep every design it screened; evaluate each of them on 100 seeds
on both halves; then compare, over those designs, what the search can see
(frontier area on its half, the gap to its half's baseline envelope) with the
exam (the gap to the other half's envelope, CMC included, over 100k-600k).

If the best designs by the search's numbers are not the best on the other
half (low rank correlation, top picks near the pool's mean), selection is
the limit: a better fitness or more seeds can help. If even the best design
on the other half (the oracle) is not above the envelope, the space is the
limit::

    python bench/design_transfer.py --out DIR [--datasets aime24] [--seed 0]

Writes ``DIR/transfer-<dataset>-<half>-s<seed>.json`` (every design's numbers)
and prints a summary line per job; finished jobs are skipped, and a killed job
resumes from its last saved chunk of designs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from autotts.discovery.proposers.search.design_pool import design_id  # noqa: E402
from autotts.discovery.proposers.search.fitness import fitness  # noqa: E402
from autotts.discovery.proposers.search.screen import Screener  # noqa: E402
from autotts.discovery.proposers.search.yardstick import yardstick  # noqa: E402
from autotts.fileio import write_atomic  # noqa: E402
from inner_folds import BETAS, DATASETS, SEEDS, baselines, half_stores, search_rounds  # noqa: E402


def screened_designs(search: dict[str, str], out: Path, seed: int, rounds: int,
                     settings: dict) -> list[dict]:
    """Every design a search (``settings``; v2 when empty) of ``rounds`` rounds
    screened on ``search`` (deduplicated)."""
    _, metas = search_rounds(search, out, settings, seed, rounds)
    genomes: dict[str, dict] = {}
    for meta in metas:
        for d in meta["search"]["screened"]:
            genomes.setdefault(d["id"], d["genome"])
    return [{"id": design_id(g), "genome": g} for g in genomes.values()]


def numbers(designs: list[dict], stores: dict[str, str], rows: dict[str, list[dict]]
            ) -> list[dict]:
    """Per design on ``stores`` (100 seeds): frontier area, top accuracy, and per
    entry of ``rows`` the gap to the envelope of those baseline rows; None where
    the design has no usable curve."""
    yards = {k: yardstick(r, list(stores), resamples=1) for k, r in rows.items()}
    screener = Screener(stores, BETAS, workers=2)
    try:
        curves = screener.curves([d["genome"] for d in designs], SEEDS)
    finally:
        screener.close()
    out = []
    for c in curves:
        fit = fitness(c)
        row = {"area": fit[0] if fit else None, "best": fit[1] if fit else None,
               "max_tokens": max(p["tokens"] for pts in c.values() for p in pts)}
        for k, yard in yards.items():
            g = yard.level_gaps(c)
            row[k] = float(g[:, 0].mean()) if g is not None else None
            # per token level, for what a design switching with beta could gain
            row[k + "_levels"] = g[:, 0].round(3).tolist() if g is not None else None
        out.append(row)
    return out


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    rx, ry = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    return float(np.corrcoef(rx, ry)[0, 1])


def report(job: dict) -> str:
    """One line: correlations and what the top designs by each search number score."""
    ok = [d for d in job["designs"] if d["search"]["area"] is not None
          and d["judge"]["gap"] is not None]
    judge = np.array([d["judge"]["gap"] for d in ok])
    parts = [f"{job['name']}: {len(ok)} designs, judge gap mean {judge.mean():+.2f}, "
             f"oracle {judge.max():+.2f}"]
    for key in ("area", "gap", "gap_cmc"):
        seen = np.array([d["search"][key] for d in ok])
        top = np.argsort(-seen)
        parts.append(f"by search {key}: rho {spearman(seen, judge):+.2f}, top1 "
                     f"{judge[top[0]]:+.2f}, top5 {judge[top[:5]].mean():+.2f}, "
                     f"top20 {judge[top[:20]].mean():+.2f}")
    if all(d["judge"].get("gap_levels") for d in ok):
        parts.append(switching(ok))
    return "; ".join(parts)


def switching(ok: list[dict]) -> str:
    """What a design that switches with beta could gain: per token level the
    best design on the judge half (an upper bound), and the judge-half gap of
    the designs the search half ranks first at each level (by ``gap_cmc``)."""
    judge = np.array([d["judge"]["gap_levels"] for d in ok])          # [designs, levels]
    seen = np.array([d["search"]["gap_cmc_levels"] for d in ok])
    picked = judge[np.argmax(seen, axis=0), np.arange(judge.shape[1])]
    return (f"per level: oracle {judge.max(axis=0).mean():+.2f}, "
            f"by search gap_cmc {picked.mean():+.2f}")


CHUNK = 100  # designs evaluated between saves


def saved(path: Path, make):
    """``path``'s JSON, made by ``make()`` and written (atomically) when absent."""
    if not path.is_file():
        write_atomic(path, json.dumps(make()))
    return json.loads(path.read_text())


def job_numbers(path: Path, search: dict[str, str], judge: dict[str, str],
                a: argparse.Namespace, settings: dict) -> None:
    """One job, resumable: the screened designs and each chunk of their numbers
    are saved as they finish (``path``'s stem + ``.designs`` / ``.part-N``), and
    put together into ``path`` at the end."""
    designs = saved(path.with_suffix(".designs.json"),
                    lambda: screened_designs(search, a.out, a.seed, a.rounds, settings))
    rows = {"gap": baselines(search, a.out, envelope=False),
            "gap_cmc": baselines(search, a.out, envelope=True)}
    exam_rows = {"gap": baselines(judge, a.out, envelope=True)}
    parts = []
    for n, start in enumerate(range(0, len(designs), CHUNK)):
        chunk = designs[start:start + CHUNK]
        parts.append(path.with_suffix(f".part-{n}.json"))
        saved(parts[-1], lambda: [numbers(chunk, search, rows), numbers(chunk, judge, exam_rows)])
        print(f"{path.stem}: {min(start + CHUNK, len(designs))}/{len(designs)} designs",
              flush=True)
    seen, exam = [], []
    for part in parts:
        x, y = json.loads(part.read_text())
        seen += x
        exam += y
    saved(path, lambda: {"name": path.stem, "designs": [
        {**d, "search": x, "judge": y} for d, x, y in zip(designs, seen, exam)]})
    for part in parts + [path.with_suffix(".designs.json")]:
        part.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("AUTOTTS_DATA",
                                                                      "../shared/replay")))
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--halves", default="A,B", help="search halves to run (A: search A, judge B)")
    ap.add_argument("--seed", type=int, default=0, help="the search's run seed")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--per-round", type=int, default=None,
                    help="designs screened per round (the search's default when omitted)")
    a = ap.parse_args()
    settings = {} if a.per_round is None else {"per_round": a.per_round}
    tag = "" if a.per_round is None else f"-w{a.per_round}"
    a.out.mkdir(parents=True, exist_ok=True)
    for ds in a.datasets.split(","):
        halves = half_stores(a.data, a.out, ds)
        for s in a.halves.split(","):
            j = {"A": "B", "B": "A"}[s]
            path = a.out / f"transfer-{ds}-{s}-s{a.seed}{tag}.json"
            if not path.is_file():
                job_numbers(path, halves[s], halves[j], a, settings)
            print(report(json.loads(path.read_text())), flush=True)


if __name__ == "__main__":
    main()
