"""A stand-in screener: made-up but design-dependent curves, instantly."""

from __future__ import annotations

from autotts.discovery.proposers.search.space import knob_values

BETAS = (0.0, 0.5, 1.0)


def fake_curves(genome: dict, n_seeds: int = 2) -> dict:
    """Wider starts cost more and help a little; the vote variant and the
    stop threshold matter; more seeds shave a little off (regression to the
    mean), so promotions change the ranking as real ones do."""
    bonus = {"completed": 2.0, "first": 3.0, "length": 2.5}.get(genome["parts"]["vote"], 0.0)
    out = {}
    for store, shift in (("A/aime24", 0.0), ("B/aime24", 5.0)):
        pts = []
        for b in BETAS:
            v = knob_values(genome, b)
            tokens = 60_000 + 30_000 * v["n_init"] + 200_000 * b
            acc = (40 + shift + bonus + 2 * min(v["n_init"], 8) + 5 * v.get("conf_thresh", 0.8)
                   + 4 * b - 1.0 / n_seeds)
            pts.append({"beta": b, "accuracy": acc, "tokens": tokens})
        out[store] = pts
    return out


class FakeScreener:
    """Counts what it was asked to screen."""

    betas = BETAS

    def __init__(self):
        self.calls: list[tuple[int, int]] = []   # (designs, seeds) per call

    def curves(self, genomes, seeds):
        self.calls.append((len(genomes), len(seeds)))
        return [fake_curves(g, len(seeds)) for g in genomes]

    def close(self):
        pass
