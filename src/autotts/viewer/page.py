"""The run page: one self-contained HTML file (plotly.js inlined, no network).

Order: what the run is, the search-split curves, the rounds table, the panel
of the chosen round, then (after selection only) the held-out section. A click
on a round's row or on a point of its curve opens its panel; served by
``autotts view`` the page polls ``api/version`` and re-renders when the run
directory changes, keeping the open round and the scroll position.
"""

from __future__ import annotations

from html import escape
from importlib import resources

from autotts.viewer import charts, deps
from autotts.viewer.final_section import final_html, search_score
from autotts.viewer.round_panel import highlight_css, round_panel_html
from autotts.viewer.rundata import RoundData, RunData

POLL_MS = 2000


def _asset(name: str) -> str:
    return resources.files("autotts.viewer").joinpath("assets", name).read_text()


def _header(data: RunData) -> str:
    cfg, meta = data.cfg, data.meta
    done = sum(r.done for r in data.rounds)
    grid = ", ".join(f"{b:g}" for b in cfg.betas) if cfg.beta_contract else "free SETTINGS"
    facts = [f"status <b>{escape(str(meta.get('status')))}</b>",
             f"rounds {done} done of {cfg.rounds}" + (f" (+{len(data.rounds) - done} running)"
                                                      if len(data.rounds) > done else ""),
             f"proposer <code>{escape(cfg.proposer.name)}</code>",
             f"seeds {cfg.seeds}" + (f" (rounds screened on {cfg.screen_seeds})"
                                     if cfg.screen_seeds else ""),
             f"grid {escape(grid)}", f"search stores {escape(', '.join(data.search_stores))}"]
    out = [f"<h1>Discovery run {escape(str(meta.get('id', '?')))}</h1>",
           f"<p class=facts>{' &middot; '.join(facts)}</p>",
           f"<p class=small>{escape(str(data.dir))}</p>"]
    if meta.get("stopped"):
        out.append(f"<p class=bad>Stopped early: {escape(str(meta['stopped']))}</p>")
    if meta.get("tampering"):
        out.append("<p class=bad>TAMPERING DETECTED: " + escape("; ".join(meta["tampering"]))
                   + "</p>")
    return "\n".join(out)


def _contract_cell(rd: RoundData, contract: bool) -> str:
    status, err = rd.state.get("status"), rd.state.get("error") or ""
    if not contract:
        return "off"
    if status == "ok":
        return "holds"
    return "broken" if "beta contract" in err else "-"


def _num(x, fmt: str) -> str:
    return format(x, fmt) if isinstance(x, (int, float)) else "-"


def _row(rd: RoundData, contract: bool, fitness: bool) -> str:
    st = rd.state
    score, basis = search_score(st)
    note = (st.get("error") or "").strip().splitlines()[:1]
    cost = st.get("cost_usd")
    status = st.get("status") or f"{st.get('phase')}..."
    tds = [rd.label, status, str(st.get("origin")), rd.parent_name,
           _num(score.get("best_accuracy"), ".2f"), _num(score.get("top_accuracy"), ".2f"),
           _num((score.get("top_tokens") or 0) / 1e3, ".1f") + "k" if score else "-",
           _num(score.get("area"), ".2f"),
           *([_num(score.get("fitness"), ".2f")] if fitness else []), basis if score else "-",
           _contract_cell(rd, contract), _num(st.get("wall_s"), ".1f"),
           f"${cost:.4f}" if cost is not None else "-", note[0][:90] if note else ""]
    cells = "".join(f"<td>{escape(t)}</td>" for t in tds)
    return f'<tr class="round-row status-{escape(str(status))}" data-round="{rd.n}">{cells}</tr>'


def rounds_table(data: RunData) -> str:
    """Every round (also one still running), one clickable row each; a fitness
    column when the proposer scores rounds by its own rule (the built-in search)."""
    fitness = any("fitness" in (rd.state.get("score") or {}) for rd in data.rounds)
    head = ("round", "status", "origin", "parent", "best acc", "top acc", "top tokens",
            "area", *(("fitness",) if fitness else ()), "search numbers", "contract",
            "wall (s)", "proposer cost", "note")
    rows = "".join(_row(rd, data.cfg.beta_contract, fitness) for rd in data.rounds)
    return ("<table id=rounds><thead><tr>" + "".join(f"<th>{h}</th>" for h in head)
            + f"</tr></thead><tbody>{rows}</tbody></table>")


def _curves(data: RunData) -> str:
    rounds = [(rd.n, rd.cells) for rd in data.rounds if rd.cells]
    if not data.search_stores or not (rounds or data.baselines):
        return "<p class=small>No curves yet.</p>"
    fig = charts.curves_figure(data.baselines, rounds, data.search_stores,
                               "Search split: every round against the baselines "
                               "(click a point to open its round)")
    return charts.figure_html(fig, "search-curves")


def build_page(data: RunData, *, live: bool = False, version: str = "") -> str:
    """The whole page as a string; ``live`` adds the polling used by ``autotts view``."""
    deps.require()
    panels = "\n".join(round_panel_html(rd, data.cfg, data.baselines) for rd in data.rounds)
    config = (f"<script>window.AUTOTTS = {{live: {str(live).lower()}, "
              f"version: '{escape(version)}', pollMs: {POLL_MS}}};</script>")
    body = ["<div id=live hidden>live: follows the run directory</div>", _header(data),
            "<h2>Curves</h2>", _curves(data), "<h2>Rounds</h2>",
            "<p class=small>Click a row (or a curve point) to see the round.</p>",
            rounds_table(data), "<div id=panels>", panels, "</div>", final_html(data)]
    return "\n".join([
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>autotts run {escape(str(data.meta.get('id', '')))}</title>",
        f"<style>{_asset('page.css')}\n{highlight_css()}</style>",
        f"<script>{deps.plotly_js()}</script>", config, "</head><body>", *body,
        f"<script>{_asset('page.js')}</script>", "</body></html>\n"])
