"""``autotts compare A B``: two controllers on the same stores, with bootstrap
confidence intervals and a paired test of the accuracy difference.

Both controllers run the paper's protocol (every seed shuffles branch order)
on each store. Per question, correctness and tokens are averaged over seeds;
intervals then come from a bootstrap over questions (stratified by store, see
:mod:`autotts.evaluation.stats`), because the questions, not the shuffles, are
the sample that would change on another benchmark draw.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from autotts.cli.options import (
    data_option,
    default_workers,
    env_option,
    seeds_option,
    workers_option,
)
from autotts.controllers.spec import ControllerSpec
from autotts.evaluation import stats
from autotts.evaluation.protocol import EvalResult
from autotts.evaluation.runner import Cell, run_cells
from autotts.keyvalue import parse_controller_spec

#: Direction of every reported quantity, so readers of the JSON never guess.
HIGHER_IS_BETTER = {"accuracy": stats.ACCURACY.higher_is_better,
                    "tokens": stats.TOKENS.higher_is_better,
                    "difference": stats.ACCURACY_DIFFERENCE.higher_is_better,
                    "token_ratio": False}


def parse_spec(text: str) -> ControllerSpec:
    """``id`` or ``id:key=value,...`` (values int, float, bool, none or string)
    -> a built-checked :class:`ControllerSpec`; raises click.BadParameter."""
    try:
        cid, params = parse_controller_spec(text)
        spec = ControllerSpec(id=cid, params=params)
        spec.build()  # unknown ids or parameters fail here, before any work
    except (KeyError, TypeError, ValueError) as exc:
        message = str(exc).strip('"')
        raise click.BadParameter(f"{text!r}: {message}") from None
    return spec


def compare_block(a: list[EvalResult], b: list[EvalResult], *, resamples: int,
                  seed: int) -> dict[str, Any]:
    """Statistics of A vs B over the stores in ``a``/``b`` (paired by position)."""
    kw = {"resamples": resamples, "seed": seed}
    out: dict[str, Any] = {"stores": [r.env for r in a],
                           "questions": sum(len(r.question_tokens) for r in a)}
    weights = [len(r.question_tokens) for r in a]
    for label, runs in (("a", a), ("b", b)):
        rates = [r.question_correct_rate for r in runs]
        tokens = [r.question_tokens for r in runs]
        seed_acc = stats.pooled_seed_values([r.seed_accuracy for r in runs], weights)
        out[label] = {"accuracy": stats.accuracy_interval(rates, **kw).to_dict(),
                      "accuracy_seed_std": stats.seed_std(seed_acc),
                      "tokens": stats.mean_interval(tokens, **kw).to_dict()}
    out["difference"] = stats.paired_difference(
        [r.question_correct_rate for r in a],
        [r.question_correct_rate for r in b], **kw).to_dict()
    out["token_ratio"] = stats.ratio_interval(
        [r.question_tokens for r in a], [r.question_tokens for r in b], **kw).to_dict()
    return out


@click.command("compare")
@click.argument("spec_a", metavar="A")
@click.argument("spec_b", metavar="B")
@env_option
@data_option
@seeds_option
@click.option("--bootstrap", "resamples", type=click.IntRange(min=100), default=10_000,
              show_default=True, help="Bootstrap resamples (over questions) for every interval.")
@click.option("--bootstrap-seed", type=int, default=stats.DEFAULT_SEED, show_default=True,
              help="Seed of the bootstrap's numpy generator (fixed, so reports repeat).")
@workers_option
@click.option("--envelope", is_flag=True,
              help="Also run every baseline curve (SC, ASC, ESC, Parallel-Probe, CMC, "
                   "short-m@k) on the same stores and state A's and B's accuracy difference "
                   "to their upper envelope at matched tokens (log-token interpolation), "
                   "with a paired bootstrap interval over questions (a controller that is "
                   "itself one of these baselines is part of the envelope, so its difference "
                   "is at most 0).")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object (per-store and overall blocks) instead of a table.")
def compare_command(spec_a, spec_b, envs, data, seeds, resamples, bootstrap_seed, workers,
                    envelope, as_json):
    """Compare controllers A and B on the same stores, with 95% bootstrap intervals.

    A and B are controller specs: ID or ID:KEY=VALUE,... (e.g. cmc:beta=0.5, sc:n=64,
    asc). Prints, per store and overall, each one's accuracy and tokens with
    intervals, the paired accuracy difference A-B with its interval and the
    fraction of resamples <= 0, and the token ratio A/B.

    Example: autotts compare cmc:beta=0.5 sc:n=64 --env held-out
    """
    from autotts.data.catalog import CatalogError, resolve_data_dir, resolve_envs

    a, b = parse_spec(spec_a), parse_spec(spec_b)
    try:
        refs = resolve_envs(list(envs), resolve_data_dir(data))
    except CatalogError as exc:
        raise click.UsageError(str(exc)) from None
    cells = [Cell(ref.name, str(ref.path), spec) for ref in refs for spec in (a, b)]
    runs = run_cells(cells, seeds=seeds, workers=default_workers(workers),
                     progress=not as_json and sys.stderr.isatty(), description="comparing")
    runs_a, runs_b = runs[0::2], runs[1::2]
    kw = {"resamples": resamples, "seed": bootstrap_seed}
    blocks = [compare_block([ra], [rb], **kw) for ra, rb in zip(runs_a, runs_b)]
    overall = compare_block(runs_a, runs_b, **kw)
    if envelope:
        from autotts.cli.compare_envelope import gap_block, run_envelope_baselines

        base = run_envelope_baselines(refs, seeds=seeds, workers=default_workers(workers),
                                      progress=not as_json and sys.stderr.isatty())
        for blk, ra, rb, bs in zip(blocks, runs_a, runs_b, base):
            blk["envelope"] = gap_block([ra], [rb], [bs], **kw)
        overall["envelope"] = gap_block(runs_a, runs_b, base, **kw)
    report = {"a": spec_a, "b": spec_b, "seeds": seeds, "bootstrap": resamples,
              "bootstrap_seed": bootstrap_seed, "higher_is_better": HIGHER_IS_BETTER,
              "per_store": blocks, "overall": overall}
    if as_json:
        click.echo(json.dumps(report))
    else:
        _print_report(report)


def _ci(iv: dict, scale: float = 1.0, fmt: str = "{:.1f}") -> str:
    return (f"{fmt.format(iv['estimate'] * scale)} "
            f"[{fmt.format(iv['lo'] * scale)}, {fmt.format(iv['hi'] * scale)}]")


def _gap_text(gap: dict) -> str:
    if gap["envelope"] is None:  # cheaper than every baseline point
        return "below the baselines' range"
    if gap["lo"] is None:
        return f"{gap['estimate']:+.1f}"
    return _ci(gap, fmt="{:+.1f}")


def _print_report(report: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    ov = report["overall"]
    table = Table(title=f"A = {report['a']}, B = {report['b']} ({report['seeds']} seeds)",
                  caption="estimate [95% bootstrap interval over questions]; row 'A-B': "
                          "accuracy difference in points, token ratio A/B, and the share of "
                          "resamples with A-B <= 0. Rows 'A-env'/'B-env' (--envelope): "
                          "accuracy minus the best-baseline envelope at the same tokens, the "
                          "baseline that sets it, and the share of resamples <= 0. "
                          "Per-seed accuracy std over shuffles "
                          f"(overall): A {ov['a']['accuracy_seed_std']:.2f}, "
                          f"B {ov['b']['accuracy_seed_std']:.2f}.")
    for col in ("store", "", "accuracy %", "tokens (k)", "P(<=0)"):
        table.add_column(col, justify="left" if col in ("store", "") else "right")
    rows = [(blk["stores"][0], blk) for blk in report["per_store"]]
    rows.append((f"overall ({ov['questions']} q)", ov))
    for name, blk in rows:
        diff = blk["difference"]
        table.add_row(name, "A", _ci(blk["a"]["accuracy"]), _ci(blk["a"]["tokens"], 1e-3, "{:.0f}"))
        table.add_row("", "B", _ci(blk["b"]["accuracy"]), _ci(blk["b"]["tokens"], 1e-3, "{:.0f}"))
        ratio = "x" + _ci(blk["token_ratio"], fmt="{:.2f}")
        table.add_row("", "A-B", _ci(diff, fmt="{:+.1f}"), ratio, f"{diff['frac_le_zero']:.3f}",
                      end_section="envelope" not in blk)
        if "envelope" in blk:
            for side in ("a", "b"):
                gap = blk["envelope"][side]
                share = "-" if gap["frac_le_zero"] is None else f"{gap['frac_le_zero']:.3f}"
                table.add_row("", f"{side.upper()}-env", _gap_text(gap), gap["source"] or "-",
                              share, end_section=side == "b")
    Console(width=None if sys.stdout.isatty() else 160).print(table)
