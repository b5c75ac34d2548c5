"""The authors' question API: reference-style controllers run unchanged and give
the same numbers as their native twins."""

from __future__ import annotations

from collections import Counter

import pytest

from autotts.controllers.spec import ControllerSpec
from autotts.env.episode import Episode, IllegalAction
from autotts.env.legacy import LegacyController, LegacyQuestion
from autotts.evaluation.protocol import evaluate
from tests.conftest import make_question

LEGACY_SOURCE = '''
from collections import Counter
from abc import ABC, abstractmethod

class Base(ABC):
    def __init__(self, config=None):
        self.config = config or {}
    @abstractmethod
    def solve(self, question):
        pass

class OptimalController(Base):
    """Lockstep probing of w branches for d steps, vote over latest answers."""
    def solve(self, question):
        w = int(self.config.get("width", 4))
        d = int(self.config.get("depth", 6))
        latest, done = [], []
        for _ in range(w):
            try:
                ans, idx, fin = question.probe_new()
            except ValueError:
                break
            latest.append(ans)
            done.append(fin)
        for _ in range(d):
            for i in range(len(latest)):
                if not done[i]:
                    latest[i], done[i] = question.probe_more(i)
        return Counter(latest).most_common(1)[0][0] if latest else None
'''


class NativeTwin:
    name = "twin"

    def __init__(self, width, depth):
        self.width, self.depth = width, depth

    def params(self):
        return {"width": self.width, "depth": self.depth}

    def solve(self, ep: Episode):
        ids = ep.open_many(self.width)
        for _ in range(self.depth):
            for i in ids:
                if not ep.is_finished(i):
                    ep.step(i)
        return Counter(ep.latest(i) for i in ids).most_common(1)[0][0] if ids else None


def test_legacy_file_matches_native_twin(tmp_path, real_store):
    path = tmp_path / "method.py"
    path.write_text(LEGACY_SOURCE)
    store = real_store("Qwen3-4B/aime24")
    spec = ControllerSpec(file=f"{path}:OptimalController", params={"width": 5, "depth": 7})
    legacy = evaluate(store, spec.build(), seeds=10)
    native = evaluate(store, NativeTwin(5, 7), seeds=10)
    assert legacy.accuracy == native.accuracy
    assert legacy.tokens == native.tokens
    assert legacy.question_correct_rate == native.question_correct_rate


def test_legacy_full_read_matches_sc(real_store):
    class LegacySC:
        def __init__(self, config=None):
            self.n = (config or {}).get("n", 64)

        def solve(self, question):
            answers = [question.get_new_branch_final_answer() for _ in range(self.n)]
            return Counter(answers).most_common(1)[0][0]

    store = real_store("Qwen3-0.6B/aime25")
    legacy = evaluate(store, LegacyController(LegacySC({"n": 16})), seeds=5)
    native = evaluate(store, ControllerSpec("sc", params={"n": 16}).build(), seeds=5)
    assert (legacy.accuracy, legacy.tokens) == (native.accuracy, native.tokens)


def test_legacy_quirks_are_refused(tiny_store):
    store = tiny_store([make_question([(["1"], 600, "2"), (["3"], 700, "3")])])
    q = LegacyQuestion(Episode(store.questions[0]))
    assert q.probe_new() == ("1", 0, False)
    assert q.probe_more(0) == ("2", True)
    with pytest.raises(IllegalAction):  # the reference would re-charge the tail
        q.probe_more(0)
    with pytest.raises(ValueError):  # the reference would step the unopened branch 1
        q.probe_more(1)
    assert q.get_new_branch_final_answer() == "3"
    with pytest.raises(ValueError):
        q.probe_new()
    assert q.get_seq_and_total_tokens() == (0, 1300)


def test_get_last_trace_is_kept_in_traces(tiny_store):
    from autotts.evaluation.protocol import evaluate

    class Traced:
        def __init__(self, config=None):
            self.trace = []

        def solve(self, question):
            self.trace = [{"event": "read"}]
            return question.get_new_branch_final_answer()

        def get_last_trace(self):
            return self.trace

    store = tiny_store([make_question([([], 5, "1")])])
    r = evaluate(store, LegacyController(Traced()), seeds=2, traces=True)
    assert [row["controller_trace"] for row in r.traces] == [[{"event": "read"}]] * 2
