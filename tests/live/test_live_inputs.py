"""Question files, the resumable raw log, and seeds/routing helpers."""

from __future__ import annotations

import json
import sys
import types

import pytest

from autotts.live.backend import request_seed, sticky_index
from autotts.live.questions import QuestionsError, load_hf_dataset, load_jsonl
from autotts.live.rawlog import RawLog


def write(tmp_path, text):
    path = tmp_path / "q.jsonl"
    path.write_text(text)
    return path


def test_jsonl_questions_with_and_without_ids(tmp_path):
    path = write(tmp_path, '{"question": "a?", "answer": 3}\n\n{"id": "x", "question": "b?", '
                           '"answer": "\\\\frac{1}{2}"}\n')
    items = load_jsonl(path)
    assert [(q.id, q.question, q.answer) for q in items] == [("0", "a?", "3"),
                                                            ("x", "b?", "\\frac{1}{2}")]


@pytest.mark.parametrize("text, message", [
    ('{"question": "a?"}\n', "line 1: missing field 'answer'"),
    ('{"question": "a?", "answer": 1}\nnot json\n', "line 2: not valid JSON"),
    ('[1, 2]\n', "line 1: expected a JSON object"),
    ('{"question": "", "answer": 1}\n', "line 1: field 'question' is empty"),
    ('{"question": ["a"], "answer": 1}\n', "field 'question' must be a string or number"),
    ('{"id": 1, "question": "a", "answer": 1}\n{"id": "1", "question": "b", "answer": 2}\n',
     "duplicate question id '1'"),
    ("\n", "no questions found"),
])
def test_bad_question_files_name_file_line_and_field(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(QuestionsError, match=message) as err:
        load_jsonl(path)
    assert str(path) in str(err.value)


def test_missing_questions_file(tmp_path):
    with pytest.raises(QuestionsError, match="questions file not found"):
        load_jsonl(tmp_path / "none.jsonl")


def test_hf_dataset_fields_are_mapped(monkeypatch):
    rows = [{"problem": "p0", "answer": 5, "uid": "a"},
            {"problem": "p1", "answer": "6", "uid": "b"}]
    fake = types.SimpleNamespace(load_dataset=lambda name, config, split: rows)
    monkeypatch.setitem(sys.modules, "datasets", fake)
    items = load_hf_dataset("org/set", id_field="uid")
    assert [(q.id, q.question, q.answer) for q in items] == [("a", "p0", "5"), ("b", "p1", "6")]
    with pytest.raises(QuestionsError, match="row 0: missing field 'question'"):
        load_hf_dataset("org/set", question_field="question")


def test_raw_log_drops_a_torn_last_line_and_resumes(tmp_path):
    path = tmp_path / "r.raw.jsonl"
    log = RawLog(path)
    log.append({"qid": "a", "branch": 0, "n_tokens": 5})
    log.close()
    with path.open("a") as fh:
        fh.write('{"qid": "a", "branch": 1, "n_to')  # a kill in the middle of a write
    log = RawLog(path)
    assert log.done("a", 0) and not log.done("a", 1)
    log.append({"qid": "a", "branch": 1, "n_tokens": 7})
    log.close()
    rows = [json.loads(x) for x in path.read_text().splitlines()]
    assert [(r["branch"], r["n_tokens"]) for r in rows] == [(0, 5), (1, 7)]


def test_raw_log_refuses_a_foreign_file(tmp_path):
    path = tmp_path / "r.raw.jsonl"
    path.write_text('{"something": "else"}\n')
    with pytest.raises(ValueError, match="line 1: not a collection row"):
        RawLog(path)


def test_seeds_and_routing_are_stable_and_spread():
    assert request_seed(0, "q1/0", 3) == request_seed(0, "q1/0", 3)
    assert len({request_seed(0, "q1/0", d) for d in range(50)}) == 50
    assert len({request_seed(s, "q", 0) for s in range(50)}) == 50
    picks = [sticky_index(f"q/{b}", 4) for b in range(200)]
    assert all(p == sticky_index(f"q/{b}", 4) for b, p in enumerate(picks))
    assert set(picks) == {0, 1, 2, 3}
    assert sticky_index(None, 4) == 0 and sticky_index("x", 1) == 0
