"""short-m@k's single-beta form satisfies the discovery loop's beta contract
on the real search stores (monotone cost, budget reach at beta = 1)."""

from __future__ import annotations

from autotts.controllers import make
from autotts.controllers.contract import contract_violations
from autotts.discovery.run.baselines import BASELINE_GRIDS
from autotts.discovery.run.config import DEFAULT_BASELINES, DEFAULT_BETAS
from autotts.discovery.sandbox.evaluate import CellResult
from autotts.evaluation.fast import fast_block, to_result

SEARCH = ["Qwen3-0.6B/aime24", "Qwen3-1.7B/aime24", "Qwen3-4B/aime24", "Qwen3-8B/aime24"]


def test_short_mk_beta_is_a_seed_baseline():
    assert "short-m@k-beta" in DEFAULT_BASELINES
    key, values, head = BASELINE_GRIDS["short-m@k-beta"]
    assert key == "beta" and tuple(values) == DEFAULT_BETAS and head == 1.0


def test_beta_contract_holds_on_search_stores(real_store):
    cells, sc64 = [], {}
    for name in SEARCH:
        store = real_store(name)
        sc = to_result(fast_block(store, make("sc", n=64), range(20)), env=name,
                       controller="sc", params={})
        sc64[name] = sc.tokens
        for beta in DEFAULT_BETAS:
            c = make("short-m@k-beta", beta=beta)
            r = to_result(fast_block(store, c, range(20)), env=name, controller="x", params={})
            opened = min(c.km[0], min(q.n_branches for q in store.questions))
            cells.append(CellResult(store=name, params={"beta": beta}, accuracy=r.accuracy,
                                    tokens=r.tokens, opened=float(opened),
                                    seed_accuracy=r.seed_accuracy, seed_tokens=r.seed_tokens,
                                    question_correct_rate=r.question_correct_rate))
    assert contract_violations(cells, sc64_tokens=sc64) == []


def test_workspace_shows_the_short_mk_source(tmp_path):
    from autotts.discovery.run.config import RunConfig
    from autotts.discovery.workspace.agent_files import write_static

    write_static(tmp_path, RunConfig(), [])
    text = (tmp_path / "baselines" / "short-m@k-beta.py").read_text()
    assert "def beta_to_km" in text and "class ShortMKBeta" in text
