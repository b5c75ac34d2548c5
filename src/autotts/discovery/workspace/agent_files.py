"""The agent's workspace: prompt, template, seed baselines, history.

Everything here is written by the parent from the archive; the workspace holds
no store file and no gold answer. Search-split correctness reaches the agent
only as accuracies in curves and as answers in traces.
"""

from __future__ import annotations

import csv
import importlib
import inspect
import io
import json
import shutil
from importlib import resources
from pathlib import Path

from autotts.controllers.registry import available
from autotts.discovery.run.config import RunConfig
from autotts.discovery.run.files import round_dir
from autotts.discovery.sandbox.static_check import ALLOWED_MODULES
from autotts.discovery.workspace.history_views import annotate_traces, curve_line, questions_csv
from autotts.fileio import write_atomic

HISTORY_FILES = ("candidate.py", "summary.md", "curves.csv", "error.txt")


def template_text(name: str) -> str:
    """The text of the packaged discovery template ``name``."""
    return resources.files("autotts.discovery.workspace").joinpath("templates", name).read_text()


def contract_text(cfg: RunConfig) -> str:
    """The paragraph that tells the proposer the run's parameter contract."""
    if not cfg.beta_contract:
        return ("This run has NO single-knob contract: your class may take any constructor "
                "parameters. List up to {n} settings to try as a class attribute "
                "`SETTINGS = [{{...}}, ...]` (literal dicts of constructor arguments); each is "
                "evaluated on the search split and the best is kept.").format(n=cfg.max_settings)
    return (f"Your class takes one parameter `beta` in [0, 1] (our API: a dataclass field "
            f"`beta`; the authors' API: `config['beta']`) and derives every internal setting "
            f"from it with a monotone schedule: larger beta buys more budget. The contract is "
            f"checked on every search store: mean tokens must not fall as beta grows (more "
            f"than {100 * cfg.contract_tolerance:g}% relative between any two grid points), and "
            f"at beta = {max(cfg.betas):g} the controller must be able to use a large share of "
            f"the 64-branch ceiling (>= {cfg.contract_min_branches:g} branches opened on average, "
            f"or >= {100 * cfg.contract_min_sc_share:g}% of SC@64's tokens, on some search store). "
            "Candidates are ranked by their accuracy-cost curve over beta: best accuracy and the "
            "area under accuracy vs log-tokens.")


def seeds_text(cfg: RunConfig) -> str:
    """How many shuffles a round is evaluated on, saying so when it is a screening."""
    if cfg.screening:
        return (f"{cfg.screen_seeds} (a screening: history numbers rest on these few seeds; "
                f"only the best rounds are re-run on all {cfg.seeds} before selection)")
    return str(cfg.seeds)


def render_prompt(cfg: RunConfig, round_n: int, total: int, search: list[str]) -> str:
    """The prompt text for round ``round_n``."""
    grid = (", ".join(f"{b:g}" for b in cfg.betas) if cfg.beta_contract
            else "of your SETTINGS")
    return template_text("prompt.md").format(
        round=round_n, total_rounds=total, max_branches=64, contract_text=contract_text(cfg),
        allowed_imports=", ".join(sorted(m for m in ALLOWED_MODULES if m != "__future__")),
        search_stores=", ".join(search), seeds=seeds_text(cfg), grid_text=grid,
        traces_text=(" and sampled execution traces (`traces.jsonl`: what the controller "
                     "opened, stepped, pruned and noted, per question)")
        if cfg.history_traces else "")


def curves_csv(rows: list[dict]) -> str:
    """CSV of ``store, controller, params, accuracy, tokens, opened`` rows."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["store", "controller", "params", "accuracy", "tokens", "opened"])
    for r in rows:
        params = ";".join(f"{k}={v}" for k, v in r["params"].items())
        w.writerow([r["store"], r["controller"], params, f"{r['accuracy']:.4f}",
                    f"{r['tokens']:.1f}", "" if r.get("opened") is None else f"{r['opened']:.2f}"])
    return buf.getvalue()


def write_static(ws: Path, cfg: RunConfig, baseline_rows: list[dict]) -> None:
    """Template, baseline sources and their search curves (written once per run)."""
    write_atomic(ws / "template.py", template_text("template.py"))
    reg = available()
    for cid in cfg.baselines:
        if cid in reg:
            module = importlib.import_module(reg[cid].__module__)
            write_atomic(ws / "baselines" / f"{cid}.py", inspect.getsource(module))
    voting = importlib.import_module("autotts.controllers.voting")
    write_atomic(ws / "baselines" / "voting.py", inspect.getsource(voting))
    write_atomic(ws / "baselines" / "curves.csv", curves_csv(baseline_rows))


def _round_cells(src: Path) -> list[dict]:
    """The graded cells of a round's ``results.json`` ([] when it has none)."""
    try:
        doc = json.loads((src / "results.json").read_text())
    except (OSError, ValueError):
        return []
    return doc.get("cells") or []


def _mirror_round(src: Path, dst: Path, cfg: RunConfig) -> list[dict]:
    """Copy one round's agent-visible files (plus derived views); returns its cells."""
    cells = _round_cells(src)
    for name in HISTORY_FILES:
        if (src / name).is_file() and not (dst / name).is_file():
            dst.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / name, dst / name)
    if cells and not (dst / "questions.csv").is_file():
        dst.mkdir(parents=True, exist_ok=True)
        write_atomic(dst / "questions.csv", questions_csv(cells))
    traces, shown = src / "traces.jsonl", dst / "traces.jsonl"
    if cfg.history_traces and traces.is_file() and not shown.is_file():
        dst.mkdir(parents=True, exist_ok=True)
        write_atomic(shown, annotate_traces(traces.read_text(), cells))
    return cells


def refresh_history(ws: Path, run_dir: Path, cfg: RunConfig, rounds: list[dict]) -> None:
    """Mirror every finished round's agent-visible files into ``ws/history``."""
    hist = ws / "history"
    lines = ["# History", "", "| round | origin | status | best search acc | tokens at best "
             "| frontier area | eval wall s | note |", "|---|---|---|---|---|---|---|---|"]
    curves = ["", "## Mean search curves (mean over the search stores; "
              "beta: accuracy @ tokens)", ""]
    for st in rounds:
        n = st["round"]
        cells = _mirror_round(round_dir(run_dir, n), hist / f"r{n:04d}", cfg)
        score = st.get("score") or {}
        note = (st.get("error") or "").strip().splitlines()[:1]
        if st.get("screened") and score:
            note = [f"screened: {st.get('seeds')} seeds only"] + [f"; {x}" for x in note]
            note = ["".join(note)]
        lines.append(f"| r{n:04d} | {st.get('origin', '')} | {st.get('status', '')} | "
                     f"{score.get('best_accuracy', float('nan')):.2f} | "
                     f"{score.get('best_tokens', float('nan')):.0f} | "
                     f"{score.get('area', float('nan')):.2f} | "
                     f"{st.get('eval_wall_s', float('nan')):.0f} | "
                     f"{note[0][:120] if note else ''} |")
        if cells:
            curves.append(f"- r{n:04d} ({st.get('status', '')}): {curve_line(cells)}")
    foot = ["", "Per round: `questions.csv` (per-question correct rate over the seeds, per "
            "store and setting) and traces with `question_correct_rate`."]
    write_atomic(hist / "INDEX.md", "\n".join(lines + curves + foot) + "\n")
