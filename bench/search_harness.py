"""A stand-alone driver for the search proposer, without the discovery loop.

It plays the loop's part in the simplest way: propose (the proposer screens
its designs on the search stores itself), write the candidate, evaluate it
on the search stores over a beta grid with ``--seeds`` seeds, append a
:class:`RoundSummary` to the history, repeat. It is for tuning the space and
measuring what the search reaches; it has none of the loop's sandboxing, so
it lives with the benchmarks, not in the package. The search's verdict in
the real one-shot job is ``bench/search_jobs.py``. Usage::

    python bench/search_harness.py --data /path/to/replay --rounds 5 --out DIR
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path

from autotts.controllers.spec import ControllerSpec
from autotts.discovery.proposers.base import ProposalContext, RoundSummary
from autotts.discovery.proposers.search.proposer import SearchProposer
from autotts.evaluation.runner import Cell, run_cells
from autotts.evaluation.stats import accuracy_interval, paired_difference
from autotts.keyvalue import parse_pairs

MODELS = ("Qwen3-0.6B", "Qwen3-1.7B", "Qwen3-4B", "Qwen3-8B")
SEARCH = tuple(f"{m}/aime24" for m in MODELS)
HELD_OUT = tuple(f"{m}/{d}" for d in ("aime25", "hmmt25") for m in MODELS)
BETAS = tuple(round(0.1 * i, 1) for i in range(11))


def store_file(data: Path, name: str) -> str:
    """Path of store ``Model/dataset`` under ``data`` (.json.gz or .json)."""
    for suffix in (".json.gz", ".json"):
        p = data / f"{name}{suffix}"
        if p.is_file():
            return str(p)
    raise FileNotFoundError(f"store {name} not found under {data}")


def evaluate_file(path: Path, class_name: str, data: Path, stores: Sequence[str],
                  betas: Sequence[float], seeds: int, workers: int) -> dict[str, list[dict]]:
    """Curves per store: ``[{beta, accuracy, tokens}, ...]`` for the controller in ``path``."""
    cells = [Cell(s, store_file(data, s), ControllerSpec(file=f"{path}:{class_name}",
                                                         params={"beta": b}))
             for s in stores for b in betas]
    results = run_cells(cells, seeds=seeds, workers=workers)
    curves: dict[str, list[dict]] = {s: [] for s in stores}
    for cell, r in zip(cells, results):
        curves[cell.env].append({"beta": cell.spec.params["beta"], "accuracy": r.accuracy,
                                 "tokens": r.tokens, "q_rate": r.question_correct_rate,
                                 "q_tokens": r.question_tokens})
    return curves


def search_baselines(data: Path, stores: Sequence[str], seeds: int, workers: int) -> list[dict]:
    """The loop's seed baselines on ``stores`` (what objective "envelope" scores against)."""
    from autotts.discovery.run.baselines import baseline_rows
    from autotts.discovery.run.config_file import config_from_dict

    cfg = config_from_dict({"run": {"seeds": seeds}})
    return baseline_rows([{"name": s, "path": store_file(data, s)} for s in stores], cfg, workers)


def run_search(out: Path, data: Path, *, rounds: int, seeds: int, seed: int, workers: int,
               budget_s: float | None = None, settings: dict | None = None,
               betas: Sequence[float] = BETAS, stores: Sequence[str] = SEARCH,
               log=print) -> list[RoundSummary]:
    """Propose and evaluate up to ``rounds`` candidates (or until ``budget_s``);
    returns the history. Each round's source and summary land under ``out``."""
    proposer = SearchProposer(**(settings or {}))
    rows = search_baselines(data, stores, seeds, workers) \
        if proposer.settings.objective == "envelope" else []
    history: list[RoundSummary] = []
    start = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    for rnd in range(1, rounds + 1):
        if budget_s is not None and time.monotonic() - start > budget_s:
            break
        cand = out / f"round{rnd:03d}.py"
        ctx = ProposalContext(round=rnd, workspace=out, candidate_path=cand, prompt="",
                              history=tuple(history), seed=seed,
                              search_stores=tuple((s, store_file(data, s)) for s in stores),
                              betas=tuple(betas), workers=workers,
                              search_baselines=tuple(rows))
        prop = proposer.propose(ctx)
        cand.write_text(prop.source)
        curves = evaluate_file(cand, prop.meta["class_name"], data, stores, betas, seeds, workers)
        fit = proposer.settings_for(ctx).score(curves)
        status = "ok" if fit is not None else "invalid"  # the loop refuses a falling cost
        fit = fit or (float("nan"), float("nan"))
        history.append(RoundSummary(round=rnd, status=status, source=prop.source, curves=curves,
                                    score={"fitness": fit[0], "second": fit[1], "seeds": seeds},
                                    meta=prop.meta))
        _write_json(out / f"round{rnd:03d}.json", {"meta": prop.meta, "curves": curves,
                                                   "fitness": fit})
        log(f"round {rnd:3d} {status:7s} fitness ({fit[0]:.2f}, {fit[1]:.2f})"
            f"  {prop.meta['operator']}"
            f"  [{time.monotonic() - start:.0f}s]")
    return history


def held_out_rows(specs: dict[str, ControllerSpec], data: Path, *, seeds: int, workers: int,
                  stores: Sequence[str] = HELD_OUT) -> list[dict]:
    """One row per labelled spec: store-mean accuracy with its bootstrap
    interval, store-mean tokens, its share of SC@64's tokens and the paired
    accuracy difference against SC@64 (interval over questions)."""
    specs = {"SC@64": ControllerSpec("sc", params={"n": 64}), **specs}
    cells = [Cell(s, store_file(data, s), spec) for spec in specs.values() for s in stores]
    results = run_cells(cells, seeds=seeds, workers=workers, progress=True,
                        description="held-out")
    by_label = {label: results[k * len(stores):(k + 1) * len(stores)]
                for k, label in enumerate(specs)}
    sc = by_label["SC@64"]
    sc_tokens = sum(r.tokens for r in sc) / len(sc)
    rows = []
    for label, res in by_label.items():
        rates = [r.question_correct_rate for r in res]
        tokens = sum(r.tokens for r in res) / len(res)
        acc = accuracy_interval(rates)
        diff = paired_difference(rates, [r.question_correct_rate for r in sc])
        rows.append({"label": label, "accuracy": sum(r.accuracy for r in res) / len(res),
                     "acc_lo": acc.lo, "acc_hi": acc.hi, "tokens": tokens,
                     "token_share": tokens / sc_tokens, "diff_vs_sc": diff.estimate,
                     "diff_lo": diff.lo, "diff_hi": diff.hi})
    return rows


def format_rows(rows: list[dict]) -> str:
    """A markdown table of :func:`held_out_rows`."""
    lines = ["| controller | accuracy (95% CI) | tokens | share of SC@64 | acc - SC@64 (95% CI) |",
             "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['label']} | {r['accuracy']:.2f} ({r['acc_lo']:.1f}-{r['acc_hi']:.1f})"
                     f" | {r['tokens'] / 1000:.1f}k | {100 * r['token_share']:.1f}% |"
                     f" {r['diff_vs_sc']:+.2f} ({r['diff_lo']:+.1f}, {r['diff_hi']:+.1f}) |")
    return "\n".join(lines)


def _write_json(path: Path, obj) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(obj, indent=1))
    os.replace(tmp, path)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The harness's command line."""
    p = argparse.ArgumentParser(description="Run the search proposer against the search "
                                "stores, without the loop.")
    p.add_argument("--data", type=Path, default=os.environ.get("AUTOTTS_DATA"),
                   help="Replay store directory (default: $AUTOTTS_DATA).")
    p.add_argument("--out", type=Path, required=True,
                   help="Directory for the candidates and their curves.")
    p.add_argument("--rounds", type=int, default=5, help="Most candidates to try (5).")
    p.add_argument("--minutes", type=float, default=None,
                   help="Stop proposing after this many minutes.")
    p.add_argument("--seeds", type=int, default=100,
                   help="Shuffle seeds per evaluation of a proposed candidate (100).")
    p.add_argument("--seed", type=int, default=0, help="Run seed of the search (0).")
    p.add_argument("--workers", type=int, default=2, help="Evaluation processes (2).")
    p.add_argument("--setting", dest="settings", action="append", default=[], metavar="KEY=JSON",
                   help='A proposer setting, e.g. --setting start=\'"blank"\' (repeatable).')
    p.add_argument("--held-out", dest="held_out", type=Path, default=None,
                   help="Skip the search: report this candidate file on the held-out stores "
                        "over the beta grid, against SC@64, ASC and CMC.")
    args = p.parse_args(argv)
    if not args.data or not Path(args.data).is_dir():
        p.error("--data (or $AUTOTTS_DATA) must name a directory of replay stores")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Run the search (or, with --held-out, report one candidate on held-out)."""
    args = parse_args(argv)
    data, out, seeds, workers, held_out = (args.data, args.out, args.seeds, args.workers,
                                           args.held_out)
    if held_out is None:
        run_search(out, data, rounds=args.rounds, seeds=seeds, seed=args.seed, workers=workers,
                   budget_s=None if args.minutes is None else 60 * args.minutes,
                   settings=parse_pairs(args.settings, option="--setting"))
        return
    specs = {"ASC": ControllerSpec("asc"), "CMC b=0.5": ControllerSpec("cmc", params={"beta": 0.5}),
             "CMC b=1.0": ControllerSpec("cmc", params={"beta": 1.0})}
    for b in BETAS:
        specs[f"{held_out.stem} b={b}"] = ControllerSpec(file=f"{held_out}:SearchController",
                                                        params={"beta": b})
    rows = held_out_rows(specs, data, seeds=seeds, workers=workers)
    out.mkdir(parents=True, exist_ok=True)
    _write_json(out / f"held_out_{held_out.stem}.json", rows)
    print(format_rows(rows))


if __name__ == "__main__":
    main()
