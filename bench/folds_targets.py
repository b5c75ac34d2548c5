"""Issue 30's targets for the fold table, checked against its primary-pick numbers.

Each target says "met" or "missed by X" (X in points), computed from the
aggregate of ``folds_table.aggregate`` (its ``"primary"`` part), never
written by hand. A job without a verdict (failed) makes the targets over
every job "missed": they are about all 15 jobs.
"""

from __future__ import annotations

#: Per start, the thresholds (points) of the mean over all jobs, the worst job
#: and the mean gap at 331k (None: no such target); the "> 0" ones are strict
#: and the same for both starts.
TARGETS = {"default": {"mean": 1.0, "worst": 0.3, "at": 1.0},
           "blank": {"mean": 0.7, "worst": 0.0, "at": None}}


def _at_least(value: float | None, bound: float, strict: bool = False) -> str:
    """"met", or "missed by X" (how far ``value`` is from ``bound``)."""
    if value is None:
        return "missed: no verdict"
    if value > bound or (value == bound and not strict):
        return "met"
    return f"missed by {bound - value:.2f}" + (" (must be above)" if value == bound else "")


def target_checks(primary: dict, start: str = "default") -> list[tuple[str, str, str]]:
    """(target, the figure, "met" / "missed by X") per target of issue 30 for
    ``start`` ("default" or "blank"), from the primary pick's aggregate (over -> stats)."""
    bound = TARGETS[start]
    every = primary["all"]
    missing = every["jobs"] - every["with_verdict"]
    note = f" ({missing} of {every['jobs']} jobs without a verdict)" if missing else ""
    folds = {over: s for over, s in primary.items() if over != "all"}
    worst_fold = min((s["mean"] for s in folds.values() if s["mean"] is not None), default=None)
    ci = every["mean_ci"]
    checks = [
        (f"mean over all {every['jobs']} jobs >= {bound['mean']:+.1f}", _fig(every["mean"]),
         _at_least(every["mean"], bound["mean"])),
        (f"worst job >= {bound['worst']:+.1f}", _fig(every["worst"]),
         _at_least(every["worst"], bound["worst"])),
    ]
    if bound["at"] is not None:
        checks.append((f"mean gap at 331k >= {bound['at']:+.1f}", _fig(every["at_mean"]),
                       _at_least(every["at_mean"], bound["at"])))
    checks += [
        ("every fold's mean > 0", ", ".join(f"{f} {_fig(s['mean'])}" for f, s in folds.items()),
         _at_least(worst_fold, 0.0, strict=True) if all(s["mean"] is not None
                                                         for s in folds.values())
         else "missed: a fold without a verdict"),
        ("95% interval of the all-jobs mean above 0",
         f"[{ci['lo']:+.2f}, {ci['hi']:+.2f}]" if ci else "-",
         _at_least(ci["lo"], 0.0, strict=True) if ci else "missed: no interval"),
    ]
    if missing:  # the targets are about every job: a failed one misses them all
        checks = [(t, f + note, r if r != "met" else "missed: a job failed")
                  for t, f, r in checks]
    return checks


def _fig(x: float | None) -> str:
    return "-" if x is None else f"{x:+.2f}"


def target_lines(primary: dict, start: str = "default") -> list[str]:
    """The summary's "Targets (issue 30)" block: one line per target of ``start``."""
    return [f"For the primary picks ({start} start):", ""] + \
        [f"- {t}: {f}: **{r}**" for t, f, r in target_checks(primary, start)]
