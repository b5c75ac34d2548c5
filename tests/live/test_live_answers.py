"""Answer extraction (last boxed, brace matching), normalisation, grading."""

from __future__ import annotations

import threading

import pytest

from autotts.live.answers import (
    ERR,
    answer_from_probe,
    answer_from_text,
    last_boxed,
    normalize_answer,
)


@pytest.mark.parametrize("text, expected", [
    ("so \\boxed{12} and later \\boxed{\\frac{1}{2}}", "\\frac{1}{2}"),
    ("\\fbox{7}", "7"),
    ("\\boxed {3}", "3"),
    ("\\boxed{a^{2}+b}", "a^{2}+b"),
    ("\\boxed{5} then \\boxed{unclosed", "5"),  # an unclosed last box falls back
    ("no box here", None),
    ("\\boxed", None),
])
def test_last_boxed_matches_braces(text, expected):
    assert last_boxed(text) == expected


@pytest.mark.parametrize("raw, expected", [
    (" 42. ", "42"), ("$\\dfrac{1}{2}$", "\\frac{1}{2}"), ("\\text{No}", "No"),
    ("1,000", "1000"), ("90^\\circ", "90"), ("\\left( 1, 2 \\right)", "( 1, 2 )"),
    (None, ERR), ("  ", ERR), ("1,2", "1,2"),
])
def test_normalize_answer(raw, expected):
    assert normalize_answer(raw) == expected


def test_final_answer_prefers_the_text_after_think():
    text = "<think>maybe \\boxed{3}</think> so the answer is \\boxed{4}"
    assert answer_from_text(text) == "4"
    assert answer_from_text("<think>only \\boxed{3}</think> no box after") == "3"
    assert answer_from_text("nothing") == ERR


def test_probe_answer_closes_the_suffix_box():
    suffix = "**Final Answer** \\[ \\boxed{"
    assert answer_from_probe(suffix, "\\frac{3}{4}} \\]") == "\\frac{3}{4}"
    assert answer_from_probe(suffix, "12") == ERR  # never closed within the probe budget


def test_grader_maps_equivalents_off_the_main_thread():
    pytest.importorskip("math_verify")
    from autotts.live.answers import Grader

    grader = Grader()
    out: list = []
    # math-verify's signal-based timeouts would raise on a non-main thread.
    worker = threading.Thread(target=lambda: out.append(
        grader.canonical("\\frac{1}{2}", ["0.5", "1/2", "\\frac{2}{4}", "3", ERR, "No"])))
    worker.start()
    worker.join()
    grader.close()
    assert out == [["\\frac{1}{2}", "\\frac{1}{2}", "\\frac{1}{2}", "3", ERR, "No"]]
    assert Grader().equivalent("70", "70.0") and not Grader().equivalent("70", "7")
