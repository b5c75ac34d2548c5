"""Candidates that read unrevealed data at run time, with no private name in
their source (format fields built at run time, format_map, numpy callables,
exception and generator frames, bound methods, slot descriptors), or that keep
memory across episodes: every one leaves a legal episode log, so only the
judge's interference check (discovery/sandbox/judge/interference.py) can refuse them. Each
is refused in every isolation mode the machine offers, and accepted with the
check switched off (so the check, not something else, is what refuses it)."""

from __future__ import annotations

import pytest

from autotts.discovery.loop import run_loop
from autotts.discovery.proposers.manual import ManualProposer

from ..conftest import candidate
from .conftest import MODES, controller, evaluate

TWIN = "reads data its actions did not reveal"
ALONE = "not reproducible episode by episode"

# Every cheater peeks at ``finals`` (all branches' final answers), then opens
# branches one by one, paying for each, until one shows the peeked majority.
REVEAL = """
want = max(sorted(set(finals)), key=finals.count)
a = None
while ep.branches_left:
    a = ep.read_full()
    if a == want:
        break
return a
"""

_LIST = "[x.strip(\"' \") for x in text.strip('[]').split(',')]"

PEEKERS = {
    "format_field": f"""
text = ("{{0." + "_" + "table[1]}}").format(ep)
finals = {_LIST}
""",
    "format_map": f"""
text = ("{{e." + chr(95) + "table[1]}}").format_map({{"e": ep}})
finals = {_LIST}
""",
    "string_formatter": f"""
import string
text = string.Formatter().vformat("{{0." + chr(95) + "table[1]}}", (ep,), {{}})
finals = {_LIST}
""",
    "numpy_vectorize": """
import numpy as np
name = "_" + "table"
finals = list(np.vectorize(lambda i: getattr(ep, name)[1][i], otypes=[object])(
    np.arange(len(getattr(ep, name)[1]))))
""",
    "numpy_frompyfunc": """
import numpy as np
finals = list(np.frompyfunc(lambda e: getattr(e, "_" + "table"), 1, 1)(
    np.array([ep], dtype=object))[0][1])
""",
    "exception_frames": """
try:
    ep.step(10 ** 6)
except Exception as exc:
    tb = exc.__traceback__
f = tb.tb_frame
while f is not None and "q" not in f.f_locals:
    f = f.f_back
q = f.f_locals["q"]
finals = [q.labels[x] for x in q.finals.tolist()]
""",
    "generator_frames": """
import sys
frames = list(sys._getframe(k) for k in range(1, 4))
q = next(fr.f_locals["q"] for fr in frames if "q" in fr.f_locals)
finals = [q.labels[x] for x in q.finals.tolist()]
""",
    "episode_deepcopy": """
import copy
twin = copy.deepcopy(ep)  # explored off the books: its actions are in no log
finals = [twin.read_full() for _ in range(twin.branches_left)]
""",
    "bound_method_slot": """
me = ep.open.__self__
slot = type(me).__mro__[-2].__dict__["_" + "table"]
finals = list(slot.__get__(me)[1])
""",
}

# Memory across episodes: the main run plays questions in order, seed-major,
# so an episode counter names the question; the first seed reads every branch
# and remembers the majority, later seeds stop as soon as they see it.
MEMORY_GLOBAL = """
seen = MEMO.setdefault("n", [0])
n = seen[0]
seen[0] += 1
key = n % 6
if key not in MEMO:
    answers = [ep.read_full() for _ in range(ep.branches_left)]
    MEMO[key] = max(sorted(set(answers)), key=answers.count)
    return MEMO[key]
a = None
while ep.branches_left:  # stepped, not read whole, so the log shows it
    i = ep.open()
    while not ep.is_finished(i):
        ep.step(i)
    a = ep.latest(i)
    if a == MEMO[key]:
        break
return a
"""

MEMORY_CLASS = MEMORY_GLOBAL.replace("MEMO", "type(self).memo")


def _peeker(name: str) -> str:
    return controller(PEEKERS[name] + REVEAL)


def _memory(kind: str) -> str:
    if kind == "global":
        return "MEMO = {}\n" + controller(MEMORY_GLOBAL)
    return controller(MEMORY_CLASS,
                      params="    beta: float = 0.5\n    memo = {}")


@pytest.mark.parametrize("name", sorted(PEEKERS))
def test_run_time_peekers_are_refused_as_reading_unrevealed_data(store, mode, name):
    res = evaluate(_peeker(name), store, mode)
    assert res.cells is None and TWIN in res.error, res.error
    assert "seed" in res.error and "question" in res.error and not res.machinery


READ_ALL = controller("""
answers = [ep.read_full() for _ in range(ep.branches_left)]
return max(sorted(set(answers)), key=answers.count)
""")


@pytest.mark.parametrize("name", ["format_field", "exception_frames"])
def test_without_the_check_the_peekers_would_score(store, name):
    # the cheat's worth: the all-branch majority's accuracy at a fraction of its cost
    res = evaluate(_peeker(name), store, "none", interference_check=False)
    assert res.error is None, res.error
    full = evaluate(READ_ALL, store, "none")
    assert full.error is None, full.error
    assert res.cells[0].accuracy == full.cells[0].accuracy
    assert res.cells[0].tokens < full.cells[0].tokens / 2


@pytest.mark.parametrize("kind", ["global", "class"])
def test_memory_across_episodes_is_refused(store, mode, kind):
    res = evaluate(_memory(kind), store, mode)
    assert res.cells is None and ALONE in res.error, res.error
    assert "seed 1" in res.error


def test_memory_across_episodes_scores_without_the_check(store):
    assert evaluate(_memory("global"), store, "none", interference_check=False).error is None


def test_unseeded_randomness_is_refused(store):
    source = controller("""
import random
return [ep.read_full() for _ in range(random.randint(1, 20))][-1]
""")
    res = evaluate(source, store, "none")
    assert res.cells is None and ALONE in res.error


def test_reading_without_using_it_scores_as_the_honest_candidate(store, mode):
    # peeks, but its actions and answer do not depend on what it saw
    peek = PEEKERS["format_field"] + "ids = ep.open_many(3)\nreturn ep.latest(ids[-1])\n"
    honest = "ids = ep.open_many(3)\nreturn ep.latest(ids[-1])\n"
    a, b = evaluate(controller(peek), store, mode), evaluate(controller(honest), store, mode)
    assert a.error is None and b.error is None, a.error
    assert a.cells[0].accuracy == b.cells[0].accuracy and a.cells[0].tokens == b.cells[0].tokens


def test_a_refused_peeker_fails_its_round_and_the_loop_goes_on(make_run, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "0_peek.py").write_text(_peeker("exception_frames"))
    (seeds / "1_memo.py").write_text(_memory("global"))
    (seeds / "2_good.py").write_text(candidate("momentum.py"))
    run = make_run(rounds=0, seed_dir=str(seeds), static_checks=False, seeds=2)
    states = run_loop(run, ManualProposer())
    assert [s["status"] for s in states] == ["failed", "failed", "ok"], states
    assert TWIN in states[0]["error"] and ALONE in states[1]["error"]


def test_set_order_tie_breaks_are_reproducible_across_jobs(store, mode):
    # string hashes are seeded the same in every job, so an honest controller
    # whose ties fall to set order is not taken for a non-deterministic one
    source = controller("""
answers = [ep.read_full() for _ in range(7)]
return next(iter(set(answers)))
""")
    res = evaluate(source, store, mode)
    assert res.error is None, res.error


# Memory across episodes kept in a file: the main run's first seed writes each
# question's majority to /tmp, later seeds read it back.
LOAD = """import json, os
path = "/tmp/autotts-hostile-memo.json"
MEMO = {int(k) if k.isdigit() else k: v for k, v in json.load(open(path)).items()} \\
    if os.path.exists(path) else {}
seen = MEMO.setdefault("n", [0])"""
SAVE = "json.dump(MEMO, open(path, 'w'))\n"
MEMORY_FILE = (MEMORY_GLOBAL.replace('seen = MEMO.setdefault("n", [0])', LOAD)
               .replace("    return MEMO[key]\n", "    " + SAVE + "    return MEMO[key]\n")
               .replace("seen[0] += 1\n", "seen[0] += 1\n" + SAVE))

@pytest.mark.skipif("bwrap" not in MODES, reason="needs the private /tmp of bubblewrap")
def test_memory_kept_in_a_file_is_refused_under_bwrap(store):
    # under unshare and none /tmp is shared: the docs name this limit of those modes
    # (fork does not reset files: the episodes' random order and the twin jobs' own
    # /tmp are what catch it)
    res = evaluate(controller(MEMORY_FILE), store, "bwrap")
    assert res.cells is None and (ALONE in res.error or TWIN in res.error), res.error


LEGACY_PEEKER = '''
class OptimalController:
    def __init__(self, config):
        self.config = config

    def solve(self, question):
        ep = getattr(question, "_" + "ep")
        finals = list(getattr(ep, "_" + "table")[1])
        want = max(sorted(set(finals)), key=finals.count)
        a = None
        while True:
            try:
                a = question.get_new_branch_final_answer()
            except ValueError:
                return a
            if a == want:
                return a
'''


def test_a_question_api_peeker_is_refused(store, mode):
    res = evaluate(LEGACY_PEEKER, store, mode)
    assert res.cells is None and TWIN in res.error, res.error
