"""Would a new mechanism lift the search space's ceiling? (issue 30, search splits only.)

Two cheap probes on the fixed halves of ``inner_folds.py``, before any
mechanism is built into the space (parts, codegen and the compiled kernel):

``quit``: give a design a way to give up on a question. Each design (the
default start's seed design and the two best of a ``design_transfer.py`` job
by search-half gap, CMC included) is rendered as usual and one rule is
spliced into its ``solve`` after the stop test; the patched file runs through
the protocol (the readable path). Rules, each a straight line in beta:

- ``scatter``: once ``quit_votes`` branches finished, stop when the leading
  finished answer holds less than ``quit_share`` of them;
- ``drift``: from step ``quit_votes`` on, stop when the leading latest answer
  of the unpruned branches holds less than ``quit_share`` of them;
- ``spent``: stop once the question has cost ``quit_ktok`` thousand tokens.

``late-votes``: at full width (64 branches in a seeded order, run side by
side in tokens), stop when the m-th branch finishes (short-m@k's cost); vote
with the m finished answers plus, with weight ``w``, every unfinished
branch's latest probe answer at that moment (the information short-m@k
leaves unread). Accuracy and mean tokens per question, over the half::

    python bench/mechanism_probes.py quit --transfer results/inner-v3b/transfer-aime24-A-s0.json \\
        --dataset aime24 --half A --seeds 20
    python bench/mechanism_probes.py late-votes --dataset aime24 --half A
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from autotts.discovery.proposers.search import screen  # noqa: E402
from autotts.discovery.proposers.search.codegen import render  # noqa: E402
from autotts.discovery.proposers.search.yardstick import yardstick  # noqa: E402
from autotts.env.store import load_store  # noqa: E402
from autotts.evaluation.protocol import shuffled_order  # noqa: E402
from inner_folds import BETAS, MODELS, baselines, half_stores  # noqa: E402

# rule -> (knob lines of schedule(), the rule's function); {a0} {a1} {b0} {b1}: coefficients
RULES = {
    "scatter": ('        "quit_votes": min(64, max(1, round({a0!r} + {a1!r} * b))),\n'
                '        "quit_share": min(1.0, max(0.0, round({b0!r} + {b1!r} * b, 4))),\n', '''


def quit_scatter(st, k):
    """Enough branches finished and no finished answer holds a clear share."""
    if st.n_pool < k["quit_votes"]:
        return False
    _, v1, _ = stats_from_counts(st.pool)
    return v1 < k["quit_share"] * st.n_pool
'''),
    "drift": ('        "quit_votes": min(500, max(1, round({a0!r} + {a1!r} * b))),\n'
              '        "quit_share": min(1.0, max(0.0, round({b0!r} + {b1!r} * b, 4))),\n', '''


def quit_drift(st, k):
    """From step quit_votes on, the latest answers have no clear leader."""
    st.quit_steps = getattr(st, "quit_steps", 0) + 1
    if st.quit_steps < k["quit_votes"]:
        return False
    counts, n = {}, 0
    for i in st.voters():
        a = st.ep.latest(i)
        if a is not None:
            counts[a] = counts.get(a, 0) + 1
            n += 1
    if n < 3:
        return False
    _, v1, _ = stats_from_counts(counts)
    return v1 < k["quit_share"] * n
'''),
    "spent": ('        "quit_ktok": min(2000.0, max(1.0, round({a0!r} + {a1!r} * b, 4))),\n', '''


def quit_spent(st, k):
    """The question has cost quit_ktok thousand tokens."""
    return st.ep.cost >= 1000 * k["quit_ktok"]
'''),
}
QUITS = [None, ("scatter", (4, 8), (0.4, -0.3)), ("scatter", (3, 4), (0.5, -0.4)),
         ("scatter", (6, 10), (0.3, -0.2)), ("drift", (20, 40), (0.3, -0.2)),
         ("drift", (40, 60), (0.3, -0.2)), ("drift", (30, 60), (0.4, -0.3)),
         ("spent", (100, 500), (0, 0))]


def patched(genome: dict, quit: tuple | None) -> str:
    """The design's file with ``quit`` tested right after its stop rule."""
    src = render(genome)
    if quit is None:
        return src
    kind, (a0, a1), (b0, b1) = quit
    knobs, fn = RULES[kind]
    knobs = knobs.format(a0=a0, a1=a1, b0=b0, b1=b1)
    src = src.replace("    return {\n", "    return {\n" + knobs, 1)
    hook = "                return winner\n"
    at = src.index(hook, src.index("def solve")) + len(hook)
    test = (f"            if warm and quit_{kind}(st, k):\n"
            f'                ep.note("quit ({kind})")\n'
            "                return winner\n")
    return src[:at] + test + src[at:] + fn


def quit_probe(a: argparse.Namespace) -> None:
    job = json.loads(Path(a.transfer).read_text())["designs"]
    ranked = sorted((d for d in job if d["search"]["gap_cmc"] is not None),
                    key=lambda d: -d["search"]["gap_cmc"])
    designs = [job[0]["genome"]] + [d["genome"] for d in ranked[:2]]
    stores = half_stores(a.data, a.out, a.dataset)[a.half]
    yard = yardstick(baselines(stores, a.out, envelope=True), list(stores), resamples=1)
    seeds = tuple(range(a.seeds))
    # the screener's own cell (protocol loop, per-question numbers) on its worker stores
    with ProcessPoolExecutor(a.workers, initializer=screen._load, initargs=(stores,)) as pool:
        for g in designs:
            print(", ".join(f"{s} {v}" for s, v in g["parts"].items()), flush=True)
            for quit in QUITS:
                jobs = {(s, b): pool.submit(screen._cell, patched(g, quit), s, b, seeds)
                        for s in stores for b in BETAS}
                curves = {s: [{"beta": b, **jobs[s, b].result()} for b in BETAS] for s in stores}
                tok = [np.mean([curves[s][i]["tokens"] for s in stores]) for i in (0, -1)]
                acc = [np.mean([curves[s][i]["accuracy"] for s in stores]) for i in (0, -1)]
                print(f"  {str(quit):38s} gap {yard.gaps(curves)[0]:+.2f}  beta 0: "
                      f"{acc[0]:.1f}% {tok[0] / 1e3:.0f}k  beta 1: {acc[1]:.1f}% "
                      f"{tok[1] / 1e3:.0f}k", flush=True)


def late_votes(a: argparse.Namespace) -> None:
    ms, ws = (4, 8, 12, 16, 24, 32), (0.0, 0.25, 0.5, 1.0)
    tally: dict[tuple[int, float], list[float]] = {}
    for model in MODELS:
        path = half_stores(a.data, a.out, a.dataset)[a.half][f"{model}/{a.dataset}-{a.half}"]
        for q in load_store(path).questions:
            for seed in range(a.seeds):
                order = np.array(shuffled_order(seed, q.n_branches)[:64])
                length = q.tokens[order].astype(float)
                final = q.finals[order]
                by_len = np.argsort(length, kind="stable")
                for m in ms:
                    t_m = length[by_len[m - 1]]
                    late = [int(i) for i in order[length > t_m]]
                    for w in ws:
                        counts: dict[int, float] = {}
                        for i in by_len[:m]:
                            counts[final[i]] = counts.get(final[i], 0.0) + 1.0
                        for b in late if w > 0 else ():
                            j = min(int(t_m // q.delta), int(q.n_probes[b])) - 1
                            if j >= 0 and q.probes[b, j] >= 0:
                                counts[q.probes[b, j]] = counts.get(q.probes[b, j], 0.0) + w
                        best = max(counts.items(), key=lambda kv: kv[1])[0]
                        row = tally.setdefault((m, w), [0.0, 0.0, 0.0])
                        row[0] += best == q.gold_id
                        row[1] += np.minimum(length, t_m).sum()
                        row[2] += 1
    for (m, w), (right, tokens, n) in sorted(tally.items()):
        print(f"{a.dataset}-{a.half} m={m:2d} w={w:.2f}: {100 * right / n:.1f}% "
              f"{tokens / n / 1e3:.0f}k", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("probe", choices=("quit", "late-votes"))
    ap.add_argument("--dataset", default="aime24")
    ap.add_argument("--half", default="A", choices=("A", "B"))
    ap.add_argument("--transfer", help="a design_transfer.py job file (quit: its designs)")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=Path("/tmp/autotts-inner"),
                    help="where the halves and the baseline caches are kept")
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("AUTOTTS_DATA",
                                                                      "../shared/replay")))
    a = ap.parse_args()
    if a.probe == "quit" and not a.transfer:
        ap.error("quit needs --transfer")
    (quit_probe if a.probe == "quit" else late_votes)(a)


if __name__ == "__main__":
    main()
