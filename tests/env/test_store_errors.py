"""Malformed replay stores: every problem raises StoreError naming file, question, branch, field.

Errors are placed in question 1 / branch 2 (not 0) so a wrong index in the
message is caught. One test checks that a valid tiny store compiles exactly.
"""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from autotts.env.store import StoreError, load_store


def _question(i: int = 0) -> dict:
    return {
        "question": f"q{i}",
        "gold_answer": "7",
        "probe_freq": 500,
        "final_answers_trace": ["7", "3", "7"],
        "each_branch": [
            [["ERR", "7"], 1200, "7"],
            [["3"], 400, "3"],
            [["7", "7", "7"], 1700, "7"],
        ],
    }


def _store() -> list[dict]:
    return [_question(0), _question(1)]


def _write(tmp_path: Path, data, name: str = "M/d.json") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(json.dumps(data))
    return path


def _error(tmp_path: Path, data, name: str = "M/d.json") -> StoreError:
    path = _write(tmp_path, data, name)
    with pytest.raises(StoreError) as err:
        load_store(path)
    assert str(path) in str(err.value)
    assert err.value.path == str(path)
    return err.value


def _broken(edit) -> list[dict]:
    """A valid store with ``edit`` applied to question 1."""
    data = copy.deepcopy(_store())
    edit(data[1])
    return data


def _assert_where(err: StoreError, question=None, branch=None, field=None) -> None:
    assert (err.question, err.branch, err.field) == (question, branch, field)
    text = str(err)
    if question is not None:
        assert f"question {question}" in text
    if branch is not None:
        assert f"branch {branch}" in text
    if field is not None:
        assert f"'{field}'" in text


# --- the file itself -------------------------------------------------------------------

def test_missing_file(tmp_path):
    with pytest.raises(StoreError, match="file not found"):
        load_store(tmp_path / "M" / "absent.json")


def test_empty_file(tmp_path):
    assert "file is empty" in str(_error(tmp_path, b""))
    assert "file is empty" in str(_error(tmp_path, b"  \n", name="M/blank.json"))


def test_empty_gzip_file(tmp_path):
    assert "file is empty" in str(_error(tmp_path, b"", name="M/d.json.gz"))


def test_truncated_json(tmp_path):
    raw = json.dumps(_store()).encode()
    err = _error(tmp_path, raw[: len(raw) // 2])
    assert "not valid JSON" in str(err) and "truncated" in str(err)


def test_truncated_gzip(tmp_path):
    raw = gzip.compress(json.dumps(_store()).encode())
    err = _error(tmp_path, raw[: len(raw) // 2], name="M/d.json.gz")
    assert "bad or truncated gzip" in str(err)


def test_bad_gzip_stream(tmp_path):
    raw = bytearray(gzip.compress(json.dumps(_store()).encode()))
    raw[12:40] = b"\x00" * 28  # keep the magic number, wreck the deflate stream
    assert "bad or truncated gzip" in str(_error(tmp_path, bytes(raw), name="M/d.json.gz"))


def test_gz_name_but_not_gzip(tmp_path):
    err = _error(tmp_path, json.dumps(_store()).encode(), name="M/d.json.gz")
    assert "not gzip" in str(err)


def test_not_json(tmp_path):
    assert "not valid JSON" in str(_error(tmp_path, b"hello, world"))


def test_not_utf8(tmp_path):
    assert "not UTF-8" in str(_error(tmp_path, b'["\xff\xfe"]'))


@pytest.mark.parametrize("top", [{"questions": []}, "text", 3, None])
def test_top_level_not_a_list(tmp_path, top):
    err = _error(tmp_path, top)
    assert "expected a JSON list of questions at top level" in str(err)
    _assert_where(err)


def test_empty_list(tmp_path):
    assert "list of questions is empty" in str(_error(tmp_path, []))


# --- questions -------------------------------------------------------------------------

def test_question_not_an_object(tmp_path):
    err = _error(tmp_path, [_question(0), ["not", "an", "object"]])
    assert "expected an object, got list" in str(err)
    _assert_where(err, question=1)


@pytest.mark.parametrize("key", ["question", "gold_answer", "probe_freq", "each_branch"])
def test_missing_key(tmp_path, key):
    err = _error(tmp_path, _broken(lambda q: q.pop(key)))
    assert "missing required key" in str(err)
    _assert_where(err, question=1, field=key)


@pytest.mark.parametrize("key,value", [
    ("question", 12), ("gold_answer", 7), ("gold_answer", None),
    ("each_branch", {"0": []}), ("each_branch", []), ("final_answers_trace", "7"),
])
def test_wrong_question_field_types(tmp_path, key, value):
    err = _error(tmp_path, _broken(lambda q: q.__setitem__(key, value)))
    assert "expected" in str(err)
    _assert_where(err, question=1, field=key)


@pytest.mark.parametrize("value", [0, -500, 500.0, True, "500", None])
def test_probe_freq_not_a_positive_integer(tmp_path, value):
    err = _error(tmp_path, _broken(lambda q: q.__setitem__("probe_freq", value)))
    assert "expected a positive integer" in str(err) and repr(value) in str(err)
    _assert_where(err, question=1, field="probe_freq")


# --- branches --------------------------------------------------------------------------

def _set_branch(value):
    return lambda q: q["each_branch"].__setitem__(2, value)


@pytest.mark.parametrize("branch,shape", [
    ([["7"], 1700], "list of length 2"),
    ([["7"], 1700, "7", "extra"], "list of length 4"),
    ({"probes": ["7"]}, "got dict"),
    ("7", "got str"),
])
def test_branch_not_a_three_item_list(tmp_path, branch, shape):
    err = _error(tmp_path, _broken(_set_branch(branch)))
    assert "expected a 3-item list" in str(err) and shape in str(err)
    _assert_where(err, question=1, branch=2, field="each_branch")


def test_probe_list_not_a_list(tmp_path):
    err = _error(tmp_path, _broken(_set_branch(["7", 1700, "7"])))
    assert "expected a list of answers, got str" in str(err)
    _assert_where(err, question=1, branch=2, field="probe_list")


def test_negative_tokens(tmp_path):
    err = _error(tmp_path, _broken(_set_branch([["7"], -1, "7"])))
    assert "non-negative integer, got -1" in str(err)
    _assert_where(err, question=1, branch=2, field="branch_tokens")


@pytest.mark.parametrize("tokens", [1700.0, 1700.5, True, False, "1700", None, [1700]])
def test_non_integer_tokens(tmp_path, tokens):
    err = _error(tmp_path, _broken(_set_branch([["7"], tokens, "7"])))
    assert f"non-negative integer, got {tokens!r}" in str(err)
    _assert_where(err, question=1, branch=2, field="branch_tokens")


@pytest.mark.parametrize("probe", [7, 7.0, None, True, ["7"]])
def test_non_string_probe_answer(tmp_path, probe):
    err = _error(tmp_path, _broken(_set_branch([["7", "3", probe], 1700, "7"])))
    assert f"expected an answer string, got {type(probe).__name__}" in str(err)
    _assert_where(err, question=1, branch=2, field="probe_list[2]")


@pytest.mark.parametrize("final", [7, None, False])
def test_non_string_final_answer(tmp_path, final):
    err = _error(tmp_path, _broken(_set_branch([["7"], 1700, final])))
    assert f"expected an answer string, got {type(final).__name__}" in str(err)
    _assert_where(err, question=1, branch=2, field="final_answer")


# --- a valid store ---------------------------------------------------------------------

@pytest.mark.parametrize("name", ["M/d.json", "M/d.json.gz"])
def test_valid_tiny_store_compiles(tmp_path, name):
    raw = json.dumps(_store()).encode()
    path = _write(tmp_path, gzip.compress(raw) if name.endswith(".gz") else raw, name)
    store = load_store(path)
    assert store.name == "M/d" and store.path == str(path)
    assert len(store) == 2 and store.n_branches == 3 and store.delta == 500
    q = store.questions[1]
    assert (q.index, q.text, q.gold, q.delta) == (1, "q1", "7", 500)
    # Answers are interned in first-seen order: probes of branch 0, its final, branch 1, ...
    assert q.labels == ("ERR", "7", "3")
    assert q.gold_id == 1
    np.testing.assert_array_equal(q.probes, [[0, 1, -1], [2, -1, -1], [1, 1, 1]])
    np.testing.assert_array_equal(q.n_probes, [2, 1, 3])
    np.testing.assert_array_equal(q.tokens, [1200, 400, 1700])
    np.testing.assert_array_equal(q.finals, [1, 2, 1])
    assert q.branch_answers() == [("ERR", "7"), ("3",), ("7", "7", "7")]


def test_gold_never_produced_has_id_minus_one_and_empty_probes_pad(tmp_path):
    q = _question(0)
    q["gold_answer"] = "42"
    q["each_branch"] = [[[], 300, "5"], [[], 0, "ERR"]]
    store = load_store(_write(tmp_path, [q]))
    cq = store.questions[0]
    assert cq.gold_id == -1 and cq.labels == ("5", "ERR")
    assert cq.probes.shape == (2, 1) and (cq.probes == -1).all()
    np.testing.assert_array_equal(cq.n_probes, [0, 0])
    np.testing.assert_array_equal(cq.tokens, [300, 0])
