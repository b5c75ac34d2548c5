"""The seed baselines of a run: their grids, evaluated once per split and stored
under RUN/baselines/ (trusted built-ins, so in-process and with gold)."""

from __future__ import annotations

from autotts.controllers.spec import ControllerSpec
from autotts.discovery.run.config import RunConfig
from autotts.discovery.run.directory import Run
from autotts.discovery.run.files import write_json
from autotts.evaluation.executors import Executor
from autotts.evaluation.runner import Cell, run_cells

BASELINE_GRIDS: dict[str, tuple[str, tuple[float, ...], float]] = {
    # id -> (budget parameter, curve values, the headline value: the paper's,
    # or for short-m@k, beyond the paper, its 64-branch setting k=64, m=16)
    "sc": ("n", (1, 2, 4, 8, 16, 32, 64), 64),
    "asc": ("max_samples", (2, 4, 8, 16, 32, 64), 64),
    "esc": ("max_samples", (8, 16, 32, 64), 64),
    "parallel-probe": ("num_chains", (2, 4, 8, 16, 32, 64), 64),
    "short-m@k-beta": ("beta", tuple(round(0.1 * k, 1) for k in range(11)), 1.0),
}


def compute_baselines(run: Run, split: str) -> list[dict]:
    """Evaluate the seed baselines on ``split`` once (later calls read them back)."""
    if not run.has_baselines(split):
        write_json(run.dir / "baselines" / f"{split}.json",
                   baseline_rows(run.store_refs(split), run.cfg, run.workers(),
                                 run.executor))
    return run.baselines(split)


def baseline_rows(stores: list[dict], cfg: RunConfig, workers: int,
                  executor: Executor | None = None) -> list[dict]:
    """Evaluate every baseline setting (trusted built-ins, so in-process, with gold),
    on ``executor`` when given (else ``workers`` local processes)."""
    specs: list[tuple[ControllerSpec, bool]] = []
    ids = list(dict.fromkeys(("sc",) + tuple(cfg.run.baselines)))
    for cid in ids:
        key, values, head = BASELINE_GRIDS.get(cid, ("", (), 0))
        if key:
            specs += [(ControllerSpec(cid, params={key: v}), v == head) for v in values]
        else:
            specs.append((ControllerSpec(cid), True))
    cells = [Cell(env=s["name"], path=s["path"], spec=spec) for s in stores for spec, _ in specs]
    heads = [h for _ in stores for _, h in specs]
    results = run_cells(cells, seeds=cfg.run.seed_list, workers=workers, progress=True,
                        description="baselines", executor=executor or "process")
    return [{"store": r.env, "controller": c.spec.id, "params": dict(c.spec.params),
             "accuracy": r.accuracy, "tokens": r.tokens, "headline": h,
             "question_correct_rate": r.question_correct_rate,
             "question_tokens": r.question_tokens}
            for r, c, h in zip(results, cells, heads)]
