"""The one KEY=VALUE parser behind --set, controller specs and --setting."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from autotts.cli.main import cli
from autotts.errors import InputError
from autotts.keyvalue import (
    KeyValueError,
    parse_controller_spec,
    parse_grid,
    parse_pairs,
    parse_value,
)


@pytest.mark.parametrize("text, value", [
    ("3", 3), ("0.5", 0.5), (" 2 ", 2), ("true", True), ("False", False), ("none", None),
    ("null", None), ("abc", "abc"), ("[1, 2]", [1, 2]), ('{"a": 1}', {"a": 1}),
    ('"x y"', "x y"), ("[oops", "[oops"), ("qwen2.5-coder", "qwen2.5-coder"),
])
def test_parse_value(text, value):
    assert parse_value(text) == value and type(parse_value(text)) is type(value)


def test_pairs_grid_and_spec():
    assert parse_pairs(["a=1", " b = x "]) == {"a": 1, "b": "x"}
    assert parse_pairs(["m=1,2"], lists=True) == {"m": [1, 2]}
    assert parse_pairs(["m=1,2"]) == {"m": "1,2"}
    assert parse_grid(["beta=0,0.5", "n=8"]) == [{"beta": 0, "n": 8}, {"beta": 0.5, "n": 8}]
    assert parse_grid([]) == [{}]
    assert parse_controller_spec("cmc:beta=0.5,x=true") == ("cmc", {"beta": 0.5, "x": True})
    assert parse_controller_spec("sc") == ("sc", {})


@pytest.mark.parametrize("call", [
    lambda: parse_pairs(["novalue"]), lambda: parse_pairs(["=1"]),
    lambda: parse_pairs(["a=1", "a=2"]), lambda: parse_grid(["beta="]),
    lambda: parse_grid(["a=1", "a=2"]), lambda: parse_controller_spec("cmc:beta"),
])
def test_malformed_settings_are_input_errors(call):
    with pytest.raises(KeyValueError) as info:
        call()
    assert isinstance(info.value, InputError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize("args", [
    ["eval", "--controller", "cmc", "--set", "beta"],
    ["compare", "cmc:beta", "sc"],
    ["run", "--controller", "cmc", "--set", "beta", "--question", "1+1?"],
])
def test_malformed_settings_exit_2_with_one_line(args):
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and "expected KEY=V" in res.output
