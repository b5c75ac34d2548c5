"""``autotts verdict``: the pre-registered held-out verdict of a finished run."""

from __future__ import annotations

import json

import click

from autotts.cli.options import data_option


def _k(x: float) -> str:
    return f"{x / 1e3:.0f}k"


def _gap(g: dict) -> str:
    return (f"{g['estimate']:+.2f} [{g['lo']:+.2f}, {g['hi']:+.2f}], "
            f"P(<=0) = {g['frac_le_zero']:.3f}")


def verdict_lines(doc: dict, table: bool = False) -> list[str]:
    """The text of ``autotts verdict``: run facts, then one block per pick (the
    primary pick, whose verdict is the run's, says so)."""
    from autotts.discovery.selection.run_verdict import pick_name

    base = doc["baselines"]
    out = [f"run {doc['run']} ({doc['id']}, proposer {doc['proposer']})",
           f"search: {', '.join(doc['search'])}", f"held-out: {', '.join(doc['held_out'])}",
           f"baselines ({base['source']}): "
           + ", ".join(f"{c} {n}" for c, n in base["settings"].items()),
           f"primary pick: {doc.get('primary', '-')} (its verdict is the run's)"]
    first = next((p for p in doc["picks"].values() if "mean_gap" in p), None)
    if first:
        lv = first["levels"]
        out += [f"mean gap: pick minus the best-baseline envelope averaged at {len(lv)} levels, "
                f"{_k(lv[0])}..{_k(lv[-1])} tokens per question, evenly in log tokens",
                f"interval: {first['level']:.0%} paired bootstrap, {first['resamples']:,} "
                f"resamples of {first['resampled']}"]
        if not first["tokens_resampled"]:
            out.append("NOTE: this run recorded no per-question tokens; tokens are held fixed "
                       "under resampling (accuracy alone is resampled)")
    for kind, p in doc["picks"].items():
        head = "pick by " + pick_name(kind, p["round"], doc.get("primary"))
        if "mean_gap" not in p:
            out.append(f"{head}: no verdict: {p['note']}")
            continue
        out += [f"{head}, {p['settings']} settings ({p['note']}):",
                f"  mean gap      {_gap(p['mean_gap'])}",
                f"  gap at {_k(p['at'])}  {_gap(p['at_gap'])}"]
        if table:
            out.append("  level | read at | pick | envelope | gap")
            out += [f"  {_k(x)} | {_k(r)} | {a:.2f} | {e:.2f} | {g:+.2f}" for x, r, a, e, g
                    in zip(p["levels"], p["read_at"], p["pick"], p["envelope"], p["gaps"])]
    return out


@click.command("verdict")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON instead.")
@click.option("--lo", type=click.FloatRange(min=1, min_open=False), default=100_000,
              show_default=True, help="Lowest token level (tokens per question).")
@click.option("--hi", type=click.FloatRange(min=1), default=600_000, show_default=True,
              help="Highest token level (tokens per question).")
@click.option("--levels", "count", type=click.IntRange(min=1), default=16, show_default=True,
              help="Number of token levels, evenly spaced in log tokens over [--lo, --hi].")
@click.option("--at", type=click.FloatRange(min=1), default=331_000, show_default=True,
              help="The single token level also reported (default: CMC beta 0.5's held-out "
                   "cost in the default split).")
@click.option("--resamples", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Bootstrap resamples (of problems).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the bootstrap's random generator.")
@click.option("--table", is_flag=True, help="Also print each level's pick, envelope and gap.")
@data_option
def verdict_command(run_dir, as_json, lo, hi, count, at, resamples, seed, table, data) -> None:
    """The pre-registered verdict of finished discovery run RUN_DIR, per pick.

    The mean gap: the pick's held-out accuracy curve (mean over the held-out
    stores, read linearly in log tokens between its settings, a cheaper
    setting always counting) minus the best-baseline envelope (every built-in
    baseline the run evaluated on held-out, CMC and short-m@k included),
    averaged over fixed token levels; also the gap at --at tokens. Each with
    a 95% interval from a paired bootstrap over problems: the same problem
    draw for every store of a dataset (the models answer the same problems)
    and for the pick and every baseline. See docs/discovery.md, "The verdict".
    Runs that kept no held-out baseline files have them re-evaluated here.
    """
    from autotts.discovery.run.files import RunError
    from autotts.discovery.selection.run_verdict import run_verdict
    from autotts.evaluation.verdict import log_levels

    if not lo < hi:
        raise click.BadParameter(f"--lo ({lo:g}) must be below --hi ({hi:g})")
    try:
        doc = run_verdict(run_dir, levels=log_levels(lo, hi, count), at=at,
                          resamples=resamples, seed=seed, data=data)
    except (RunError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(doc, indent=1) if as_json else "\n".join(verdict_lines(doc, table)))
