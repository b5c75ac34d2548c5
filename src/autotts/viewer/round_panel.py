"""One round's panel: what it is, its error, its contract check, its numbers,
its source (highlighted by Pygments), its diff against the parent round, the
proposer's transcript and its traces."""

from __future__ import annotations

from html import escape

from autotts.controllers.contract import contract_violations
from autotts.discovery.run.config import RunConfig
from autotts.discovery.sandbox.evaluate import CellResult
from autotts.viewer.rundata import RoundData
from autotts.viewer.timeline import traces_html

_FORMATTER_OPTS = {"cssclass": "hl", "wrapcode": True}


def highlight(code: str, lexer_name: str) -> str:
    """``code`` as highlighted HTML (classes only; the page carries the style sheet)."""
    from pygments import highlight as pyg
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name

    return pyg(code, get_lexer_by_name(lexer_name), HtmlFormatter(**_FORMATTER_OPTS))


def highlight_css() -> str:
    """Pygments' style sheet for the classes :func:`highlight` emits."""
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(**_FORMATTER_OPTS).get_style_defs(".hl")


def sc64_tokens(baselines: list[dict]) -> dict[str, float]:
    """SC@64's tokens per store, the contract's yardstick."""
    return {b["store"]: b["tokens"] for b in baselines
            if b["controller"] == "sc" and b["params"].get("n") == 64}


def _reach(cells: list[CellResult], sc64: dict[str, float]) -> list[str]:
    out = []
    for store in dict.fromkeys(c.store for c in cells):
        top = max((c for c in cells if c.store == store), key=lambda c: c.params["beta"])
        share = top.tokens / sc64[store] if sc64.get(store) else float("nan")
        out.append(f"{store} at beta={top.params['beta']:g}: {top.opened:.1f} branches opened, "
                   f"{100 * share:.0f}% of SC@64's tokens")
    return out


def contract_html(rd: RoundData, cfg: RunConfig, baselines: list[dict]) -> str:
    """The beta contract re-checked on the archived cells, with the budget reach per store."""
    if not cfg.beta_contract:
        return "<p>No beta contract in this run (ablation): the class lists its own SETTINGS.</p>"
    if not rd.cells:
        return "<p>Not checked: the round has no evaluated cells.</p>"
    cells = [CellResult(**c) for c in rd.cells]
    sc64 = sc64_tokens(baselines)
    problems = contract_violations(cells, sc64_tokens=sc64, **cfg.contract.rule())
    verdict = ("<p class=bad><b>Broken:</b></p><ul>" + "".join(
        f"<li>{escape(p)}</li>" for p in problems) + "</ul>") if problems else \
        (f"<p class=good><b>Holds</b>: tokens never fall by more than "
         f"{100 * cfg.contract_tolerance:g}% as beta grows, and beta = {max(cfg.betas):g} "
         f"reaches the budget bar (>= {cfg.contract_min_branches:g} branches or "
         f">= {100 * cfg.contract_min_sc_share:g}% of SC@64's tokens on some store).</p>")
    return verdict + "<ul class=small>" + "".join(
        f"<li>{escape(x)}</li>" for x in _reach(cells, sc64)) + "</ul>"


def cells_html(cells: list[dict]) -> str:
    """The round's search-split numbers, one row per (store, setting)."""
    if not cells:
        return ""
    rows = "".join(
        f"<tr><td>{escape(c['store'])}</td><td>{escape(_fmt(c['params']))}</td>"
        f"<td class=num>{c['accuracy']:.2f}</td><td class=num>{c['tokens'] / 1e3:.1f}k</td>"
        f"<td class=num>{c['opened']:.1f}</td></tr>" for c in cells)
    return ("<details><summary>Search-split numbers per store and setting</summary><table>"
            "<thead><tr><th>store</th><th>setting</th><th>accuracy (%)</th><th>tokens</th>"
            "<th>branches</th></tr></thead><tbody>" + rows + "</tbody></table></details>")


def _fmt(params: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items())


def header_html(rd: RoundData) -> str:
    """Status, origin, parent, class, seeds, wall time and proposer cost in one list."""
    st = rd.state
    cost = st.get("cost_usd")
    toks = (st.get("input_tokens") or 0) + (st.get("output_tokens") or 0)
    facts = [f"status <b>{escape(str(st.get('status') or st.get('phase')))}</b>",
             f"origin {escape(str(st.get('origin')))}", f"parent {escape(rd.parent_name)}",
             f"class {escape(str(st.get('class_name') or '?'))}",
             f"seeds {st.get('seeds', '?')}" + (" (screened)" if st.get("screened") else ""),
             f"wall {st.get('wall_s', 0.0):.1f} s",
             f"proposer {toks} tokens, ${cost:.4f}" if cost is not None else
             f"proposer {toks} tokens"]
    return "<p class=facts>" + " &middot; ".join(facts) + "</p>"


def round_panel_html(rd: RoundData, cfg: RunConfig, baselines: list[dict]) -> str:
    """The whole panel of round ``rd`` (hidden until its row or a curve point is clicked)."""
    parts = [f'<section class=round-panel id="panel-{rd.n}" data-round="{rd.n}" hidden>',
             f"<h3>Round {rd.n} ({rd.label})</h3>", header_html(rd)]
    if rd.state.get("error"):
        parts.append(f"<h4>Error</h4><pre class=error>{escape(rd.state['error'])}</pre>")
    parts += ["<h4>Contract check</h4>", contract_html(rd, cfg, baselines), cells_html(rd.cells)]
    parts += ["<h4>Source</h4>", f"<div class=source>{highlight(rd.source, 'python')}</div>"
              if rd.source else "<p class=small>No source yet.</p>"]
    parts += [f"<h4>Diff against {escape(rd.parent_name)}</h4>",
              highlight(rd.diff, "diff") if rd.diff.strip() else "<p class=small>No change.</p>"]
    if rd.transcript.strip():
        parts.append("<details><summary>Proposer transcript</summary>"
                     f"<pre>{escape(rd.transcript)}</pre></details>")
    parts += ["<h4>Traces</h4>", traces_html(rd.traces), "</section>"]
    return "\n".join(parts)
