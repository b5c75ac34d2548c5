"""The run report (RUN/report.md plus figures): per-round Figure-4 points,
picks against baselines on held-out, Table-1-style rows, time and cost."""

from __future__ import annotations

import json
from pathlib import Path

from autotts.discovery.round.scoring import mean_points
from autotts.discovery.round.state import round_states
from autotts.discovery.run.directory import Run
from autotts.discovery.run.files import read_json
from autotts.discovery.run.integrity import file_intact, tampered_rounds
from autotts.discovery.sandbox.evaluate import CellResult
from autotts.discovery.selection.heldout_summary import beta_curve_rows, summary_lines
from autotts.discovery.selection.report_integrity import integrity_lines
from autotts.fileio import write_atomic

HEADLINES = {"sc": "SC@64", "asc": "ASC", "esc": "ESC", "parallel-probe": "Parallel-Probe",
             "short-m@k-beta": "short-m@k (k=64, m=16; not in the paper)"}


def _held(run: Run, n: int) -> dict | None:
    """A round's held-out result, unless its seal shows it was edited."""
    rel = f"final/heldout_r{n:04d}.json"
    intact = file_intact(run, rel, n)
    if intact is False or (intact is None and run.meta.get("seals")):  # edited, or unsealed
        return None                                                   # in a sealing run
    return read_json(run.dir / rel)


def _cells(doc: dict | None) -> list[CellResult]:
    return [CellResult(**c) for c in (doc or {}).get("cells") or []]


def _mean_at(cells: list[CellResult], params: dict) -> tuple[float, float] | None:
    pts = [p for p in mean_points(cells) if p["params"] == params]
    return (pts[0]["accuracy"], pts[0]["tokens"]) if pts else None


def search_numbers(st: dict, cfg_seeds: int) -> tuple[dict, str]:
    """A round's search score and what it rests on: its full re-run when there is
    an ok one, else its own evaluation ("N seeds, screened" or "N seeds, full")."""
    full = st.get("full") or {}
    if full.get("status") == "ok":
        return full["score"], f"{full['seeds']} seeds, full"
    kind = "screened" if st.get("screened") else "full"
    return st.get("score") or {}, f"{st.get('seeds', cfg_seeds)} seeds, {kind}"


def round_rows(run: Run, done: list[dict]) -> list[dict]:
    """Per ok round: the top point on search and on held-out (means over stores)."""
    rows = []
    for st in done:
        if st.get("status") != "ok":
            continue
        top = _mean_at(_cells(_held(run, st["round"])), st["score"]["top_params"])
        score, label = search_numbers(st, run.cfg.seeds)
        rows.append({"round": st["round"], "search": score["top_accuracy"],
                     "search_tokens": score["top_tokens"], "search_kind": label,
                     "area": score["area"], "fitness": score.get("fitness"),
                     "held_out": top[0] if top else float("nan"),
                     "held_out_tokens": top[1] if top else float("nan")})
    return rows


def _k(x: float) -> str:
    return f"{x / 1e3:.1f}k"


def baseline_means(rows: list[dict]) -> dict[str, list[tuple[float, float]]]:
    """Mean over stores of every baseline setting: name -> [(tokens, accuracy)]."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["controller"], json.dumps(r["params"], sort_keys=True)), []).append(r)
    out: dict[str, list[tuple[float, float]]] = {}
    for (name, _), g in groups.items():
        out.setdefault(name, []).append((sum(r["tokens"] for r in g) / len(g),
                                         sum(r["accuracy"] for r in g) / len(g)))
    return out


def table1(run: Run, sel: dict, baselines: list[dict]) -> list[str]:
    """Rows per held-out store: headline baselines and the picks at two settings."""
    lines = ["| store | method | accuracy | tokens |", "|---|---|---|---|"]
    pick_cells = {k: _cells(_held(run, n)) for k, n in sel["picks"].items() if n is not None}
    for ref in run.store_refs("held_out"):
        s = ref["name"]
        for b in baselines:
            if b["store"] == s and b.get("headline") and b["controller"] in HEADLINES:
                lines.append(f"| {s} | {HEADLINES[b['controller']]} | {b['accuracy']:.2f} | "
                             f"{_k(b['tokens'])} |")
        for kind, cells in pick_cells.items():
            mine = [c for c in cells if c.store == s]
            for c in (mine[len(mine) // 2], mine[-1]) if mine else ():
                label = ", ".join(f"{k}={v}" for k, v in c.params.items())
                lines.append(f"| {s} | pick by {kind} (r{sel['picks'][kind]}, {label}) | "
                             f"{c.accuracy:.2f} | {_k(c.tokens)} |")
    return lines


def write_report(run: Run, compare: Run | None = None) -> Path:
    """Write RUN/report.md (and figures next to it); returns its path."""
    sel = read_json(run.dir / "final" / "selection.json") or {"picks": {}}
    every = [s for s in round_states(run) if s["phase"] == "done"]
    bad = set(tampered_rounds(run, every))
    done = [s for s in every if s["round"] not in bad]
    base = run.baselines("held_out")
    rows = round_rows(run, done)
    by_round = {r["round"]: r for r in rows}
    out = _header_lines(run, sel, every, bad, done) + _rounds_table(every, bad, by_round)
    out += ["", "## Picks", ""]
    for kind, n in sel.get("picks", {}).items():
        basis = (f" (picked on search numbers: {by_round[n]['search_kind']})" if n in by_round
                 else "")
        out.append(f"- by {kind}: " + (f"round {n}{basis}" if n is not None
                                       else "none (no ok round)"))
    held = {n: _cells(_held(run, n)) for n in set(sel.get("picks", {}).values()) if n}
    out += ["", "## The verdict (pre-registered)", ""] + _verdict(run, sel)
    out += ["", "## Held-out points against the references", "",
            "Descriptive: every beta of the picks against SC@64's bar and the references; "
            "the verdict above is the one pre-registered number.", ""]
    out += summary_lines(run, sel, base, held)
    out += ["", "## Held-out, Table-1 style", ""] + table1(run, sel, base)
    env_rows = _envelope_section(run, sel, done, held, out)
    if compare is not None:
        out += ["", "## Compared with " + str(compare.dir), ""] + _comparison(run, compare)
    _figures(run, rows, sel, base, out, env_rows)
    path = run.dir / "report.md"
    write_atomic(path, "\n".join(out) + "\n")
    return path


def _header_lines(run: Run, sel: dict, every: list[dict], bad: set[int],
                  done: list[dict]) -> list[str]:
    """The report's title and run facts: integrity warnings first, then setup,
    cost, sandbox, screening, early stop, budget and where the page is."""
    from autotts.viewer.export import page_note

    wall = sum(s.get("wall_s", 0.0) for s in done)
    cost = sum(s.get("cost_usd") or 0.0 for s in done)
    toks = sum((s.get("input_tokens") or 0) + (s.get("output_tokens") or 0) for s in done)
    iso = next((s["isolation"] for s in done if s.get("isolation")), None)
    grid = (', '.join(f'{b:g}' for b in run.cfg.betas) if run.cfg.beta_contract
            else 'free SETTINGS')
    out = [f"# Discovery run {run.meta['id']}", "",
           f"- proposer: `{run.cfg.proposer.name}`; rounds: {len(done)}; seeds: {run.cfg.seeds}; "
           f"grid: {grid}",
           f"- ablations: traces in history = {run.cfg.history_traces}; "
           f"single-beta contract = {run.cfg.beta_contract}",
           f"- total round wall time: {wall / 60:.1f} min; proposer tokens: {toks}; "
           f"proposer cost: ${cost:.2f}",
           f"- sandbox: {json.dumps(iso) if iso else 'n/a'}"] + _screening_lines(run, sel)
    out[2:2] = integrity_lines(run, every, bad)  # what the reader must know first
    if run.meta.get("stopped"):
        out.append(f"- stopped early: {run.meta['stopped']}")
    out += [f"- budget: {note}" for note in run.meta.get("budget", [])
            if note != run.meta.get("stopped")]
    return out + [page_note(run.dir)]


def _rounds_table(every: list[dict], bad: set[int], by_round: dict[int, dict]) -> list[str]:
    """The rounds table: one row per finished round, tampered ones marked; a
    "fitness" column when the proposer scores rounds by its own rule."""
    fit = any(r.get("fitness") is not None for r in by_round.values())
    out = ["", "## Rounds", "", "| round | origin | status | search numbers | search acc (top) | "
           "tokens | held-out acc (top) | tokens | frontier area | " + ("fitness | " if fit else "")
           + "note |", "|---|---|---|---|---|---|---|---|---|" + ("---|" if fit else "") + "---|"]
    for st in every:
        r = by_round.get(st["round"])
        note = (st.get("error") or "").strip().splitlines()[:1]
        if st["round"] in bad:
            note = ["TAMPERED: excluded from selection and from this report's numbers"]
        nums = (f"{r['search_kind']} | {r['search']:.2f} | {_k(r['search_tokens'])} | "
                f"{r['held_out']:.2f} | {_k(r['held_out_tokens'])} | {r['area']:.2f}") if r \
            else "- | - | - | - | - | -"
        if fit:
            nums += f" | {r['fitness']:.2f}" if r and r.get("fitness") is not None else " | -"
        out.append(f"| r{st['round']:04d} | {st.get('origin')} | {st.get('status')} | {nums} | "
                   f"{note[0][:100] if note else ''} |")
    return out


def _screening_lines(run: Run, sel: dict) -> list[str]:
    """What the search numbers rest on (screened or full) and what held-out uses."""
    scr = sel.get("screening")
    if not scr:
        return [f"- search numbers: full ({run.cfg.seeds} seeds) unless marked; held-out: "
                f"full ({run.cfg.seeds} seeds)"]
    return [f"- SCREENING: rounds evaluated on {scr['screen_seeds']} seeds (screened numbers); "
            f"re-run on all {scr['seeds']} seeds before selection (full numbers): rounds "
            f"{', '.join(map(str, scr['considered'])) or 'none'} (top {scr['topk']} by screened "
            f"accuracy and by screened {'fitness' if run.fitness else 'area'}); "
            f"picks made on full numbers; held-out: full "
            f"({run.cfg.seeds} seeds)"]


def _comparison(run: Run, other: Run) -> list[str]:
    lines = ["| run | pick | held-out acc (top) | tokens |", "|---|---|---|---|"]
    for r in (run, other):
        sel = read_json(r.dir / "final" / "selection.json") or {"picks": {}}
        for kind, n in sel["picks"].items():
            st = read_json(r.dir / "rounds" / f"r{n:04d}" / "state.json") if n else None
            top = _mean_at(_cells(_held(r, n)), st["score"]["top_params"]) if st else None
            if top:
                lines.append(f"| {r.dir.name} | {kind} (r{n}) | {top[0]:.2f} | {_k(top[1])} |")
    return lines


def _verdict(run: Run, sel: dict) -> list[str]:
    """The verdict section: the figures ``autotts verdict`` prints."""
    from autotts.discovery.selection.envelope_report import envelope_rows
    from autotts.discovery.selection.run_verdict import run_picks_verdict, verdict_markdown

    envelope_rows(run)  # evaluates and keeps the envelope families once; the verdict reads them
    return verdict_markdown(run_picks_verdict(run, sel))


def _envelope_section(run: Run, sel: dict, done: list[dict], held: dict,
                      out: list[str]) -> list[dict]:
    """Append the picks' gaps to the best-baseline envelope; returns the envelope rows."""
    from autotts.discovery.selection.envelope_report import envelope_lines, envelope_rows

    states = {st["round"]: st for st in done}
    picks = {kind: (n, states[n]["score"]["top_params"], held.get(n) or [])
             for kind, n in sel.get("picks", {}).items()
             if n is not None and (states.get(n) or {}).get("score")}
    rows = envelope_rows(run)
    out += ["", "## Against the best-baseline envelope (held-out)", ""]
    out += envelope_lines(run, picks, rows) if picks else ["No pick to compare."]
    return rows


def _beta_curves(run: Run, skip: set[str]) -> dict[str, list[tuple[float, float, float]]]:
    """CMC (and short-m@k when registered) over the run's betas: name -> (beta, mean
    tokens, mean accuracy) over the held-out stores, for the held-out curves figure."""
    out = {}
    for name, rows in beta_curve_rows(run, skip).items():
        by_beta: dict[float, list[dict]] = {}
        for r in rows:
            by_beta.setdefault(r["beta"], []).append(r)
        out[name] = [(b, sum(r["tokens"] for r in g) / len(g),
                      sum(r["accuracy"] for r in g) / len(g)) for b, g in by_beta.items()]
    return out


def _figures(run: Run, rows: list[dict], sel: dict, base: list[dict], out: list[str],
             env_rows: list[dict] | None = None) -> None:
    try:
        from autotts.report.discovery_plots import curves_plot, figure4
    except ImportError:
        return
    try:
        if rows:
            figure4(run.dir / "figure4.png", rows)
            out += ["", "![per-round top point](figure4.png)"]
        curves = {k: v for k, v in baseline_means(base).items()}
        if env_rows:
            from autotts.discovery.selection.envelope_report import envelope_points

            held_names = [r["name"] for r in run.store_refs("held_out")]
            curves["best-baseline envelope"] = envelope_points(env_rows, held_names)
        labels: dict[str, list[str]] = {}
        for name, pts in _beta_curves(run, skip=set(curves)).items():
            curves[name] = [(p[1], p[2]) for p in pts]
        for kind, n in sel.get("picks", {}).items():
            if n is not None:
                pts = mean_points(_cells(_held(run, n)))
                name = f"pick by {kind} (r{n})"
                curves[name] = [(p["tokens"], p["accuracy"]) for p in pts]
                labels[name] = [", ".join(f"{v:g}" if isinstance(v, float) else str(v)
                                          for v in p["params"].values()) for p in pts]
        curves_plot(run.dir / "heldout_curves.png", curves,
                    "held-out (mean over stores); a pick's points are labelled with its "
                    "setting", labels=labels)
        out += ["", "![held-out curves](heldout_curves.png)"]
    except ImportError:
        pass
