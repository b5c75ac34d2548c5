"""The genome space: schedules are monotone in beta, genomes normalise with
clear errors, and behaviour keys see through no-op coefficient changes."""

from __future__ import annotations

import random

import pytest

from autotts.discovery.proposers.search.designs import SEEDS, random_genome, seed_genome
from autotts.discovery.proposers.search.operators import move_knobs, switch_part
from autotts.discovery.proposers.search.space import KNOBS, behaviour_key, knob_values, normalize

BETAS = [i / 50 for i in range(51)]


def random_genomes(n: int, seed: int = 0) -> list[dict]:
    """Random designs, and seed designs after chains of random mutations."""
    rng = random.Random(seed)
    out = [random_genome(rng) for _ in range(n)]
    for _ in range(n):
        g = seed_genome(rng.choice(sorted(SEEDS)))
        for _ in range(rng.randint(1, 30)):
            g, _ = (switch_part if rng.random() < 0.3 else move_knobs)(g, rng)
        out.append(g)
    return out


@pytest.mark.parametrize("genome", random_genomes(40) + list(SEEDS.values()))
def test_every_schedule_is_monotone_in_beta(genome):
    series = [knob_values(genome, b) for b in BETAS]
    for name in genome["coefs"]:
        values = [s[name] for s in series]
        rising = all(a <= b for a, b in zip(values, values[1:]))
        falling = all(a >= b for a, b in zip(values, values[1:]))
        sign = KNOBS[name].sign
        assert (rising if sign > 0 else falling if sign < 0 else rising or falling), (name, values)
        assert all(KNOBS[name].lo <= v <= KNOBS[name].hi for v in values)


def test_normalize_fills_defaults_and_drops_unused_knobs():
    g = normalize({"parts": {"vote": "latest", "widen": "none", "depth": "oldest",
                             "prune": "none", "stop": "stable"},
                   "coefs": {"lanes": [3, 1], "decay": [0.5, 0]}})
    assert g["coefs"]["lanes"] == [3, 1]
    assert "decay" not in g["coefs"]
    assert g["coefs"]["stable_steps"] == list(KNOBS["stable_steps"].default)


def test_normalize_forces_the_slope_sign_and_the_range():
    g = seed_genome("cmc")
    g["coefs"]["n_init"] = [-5, -3]        # below range, wrong slope sign
    g["coefs"]["slack"] = [0.05, 0.02]     # slack may only shrink with beta
    g = normalize(g)
    assert g["coefs"]["n_init"] == [1, 0]
    assert g["coefs"]["slack"] == [0.05, 0]


@pytest.mark.parametrize("bad, field", [
    ({"parts": {"vote": "telepathy"}}, "vote"),
    ({"parts": dict(seed_genome("cmc")["parts"], extra="x")}, "extra"),
])
def test_normalize_names_what_is_wrong(bad, field):
    with pytest.raises(ValueError, match=field):
        normalize(bad)


def test_behaviour_key_ignores_changes_that_rounding_hides():
    g = seed_genome("asc")
    g["coefs"]["depth_burst"] = [4, 0]
    h = seed_genome("asc")
    h["coefs"]["depth_burst"] = [4, 1.5]  # clipped to the knob's top (4) at every beta
    assert behaviour_key(g) == behaviour_key(h)
    h["coefs"]["depth_burst"] = [3, 0]
    assert behaviour_key(g) != behaviour_key(h)


def test_seed_genome_is_a_copy():
    g = seed_genome("cmc")
    g["coefs"]["n_init"][0] = 40
    assert SEEDS["cmc"]["coefs"]["n_init"][0] == 2
    with pytest.raises(ValueError, match="unknown seed"):
        seed_genome("nope")


def test_random_designs_span_each_knobs_range():
    """A blank start draws knobs over their whole range, not around preset values."""
    rng = random.Random(4)
    starts = [knob_values(random_genome(rng), 0.0).get("n_init") for _ in range(300)]
    assert min(starts) <= 2 and max(starts) >= 40
