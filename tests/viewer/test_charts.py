"""Chart data: mean curves over stores and the best-baseline envelope."""

from __future__ import annotations

import bisect

from autotts.viewer.charts import baseline_curves, envelope, mean_curve

ROWS = [  # two stores, two baselines; asc's 4-sample setting is missing on store B
    {"store": "A", "controller": "sc", "params": {"n": 1}, "accuracy": 10.0, "tokens": 100.0},
    {"store": "B", "controller": "sc", "params": {"n": 1}, "accuracy": 20.0, "tokens": 300.0},
    {"store": "A", "controller": "sc", "params": {"n": 8}, "accuracy": 40.0, "tokens": 800.0},
    {"store": "B", "controller": "sc", "params": {"n": 8}, "accuracy": 50.0, "tokens": 2400.0},
    {"store": "A", "controller": "asc", "params": {"m": 2}, "accuracy": 30.0, "tokens": 150.0},
    {"store": "B", "controller": "asc", "params": {"m": 2}, "accuracy": 34.0, "tokens": 250.0},
    {"store": "A", "controller": "asc", "params": {"m": 4}, "accuracy": 90.0, "tokens": 900.0},
]


def test_mean_curve_keeps_settings_present_on_every_store():
    assert mean_curve(ROWS, ["A", "B"]) == [(200.0, 15.0, "n=1"), (1600.0, 45.0, "n=8"),
                                            (200.0, 32.0, "m=2")]
    assert baseline_curves(ROWS, ["A"])["asc"] == [(150.0, 30.0, "m=2"), (900.0, 90.0, "m=4")]


def test_envelope_is_never_below_a_baseline_point():
    curves = baseline_curves(ROWS, ["A", "B"])
    env, shape = envelope(curves)
    xs = [t for t, _ in env]
    assert xs == sorted(xs) and shape in ("hv", "linear")
    for pts in curves.values():
        for t, a, _ in pts:
            j = bisect.bisect_right(xs, t) - 1  # the envelope at t tokens (steps or samples)
            assert j >= 0 and env[j][1] >= a - 1e-9
    assert max(a for _, a in env) == 45.0
