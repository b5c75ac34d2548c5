"""A deterministic fake backend for the live tests (no torch needed)."""

from __future__ import annotations

import asyncio
import random

from autotts.live.backend import Generation, Sampling

FAKE_WORDS = ["<eos>", *[str(d) for d in range(10)], "}", "\\boxed{", "hmm", "so", "then", "wait"]
EOS = 0


class FakeBackend:
    """A deterministic stand-in model over FAKE_WORDS.

    A sampled request draws tokens from ``Random(seed, len(prompt))`` and
    stops with probability 1/12 per token, writing ``\\boxed{ d }`` then EOS;
    a greedy probe answers a digit that depends on the prompt, then ``}``.
    ``delay`` makes requests take time so concurrency can be observed.
    """

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.in_flight = 0
        self.max_in_flight = 0
        self.calls: list[tuple[int, int, str | None]] = []  # (prompt len, max_tokens, key)

    def render(self, question: str) -> list[int]:
        return self.encode(question) or [13]

    def encode(self, text: str) -> list[int]:
        return [FAKE_WORDS.index(w) if w in FAKE_WORDS else 13 + len(w) % 4 for w in text.split()]

    def decode(self, ids: list[int]) -> str:
        return " ".join(FAKE_WORDS[i] for i in ids if i != EOS)

    async def generate(self, prompt_ids, max_tokens, *, sampling: Sampling | None, seed=None,
                       key=None) -> Generation:
        self.calls.append((len(prompt_ids), max_tokens, key))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.in_flight -= 1
        if sampling is None:  # probe: a digit tied to the prefix, then a closing brace
            ids = [1 + sum(prompt_ids) % 4, 11][:max_tokens]
            return Generation(ids, self.decode(ids), "length")
        rng = random.Random(f"{seed}/{len(prompt_ids)}")
        ids: list[int] = []
        while len(ids) < max_tokens:
            if rng.random() < 1 / 12:
                ids += [12, 1 + rng.randrange(3), 11, EOS]
                ids = ids[:max_tokens]
                return Generation(ids, self.decode(ids), "stop" if ids[-1] == EOS else "length")
            ids.append(13 + rng.randrange(4))
        return Generation(ids, self.decode(ids), "length")

    def describe(self) -> dict:
        return {"backend": "fake", "model": "fake-model", "revision": None, "template": "raw",
                "server": None}

    async def aclose(self) -> None:
        return None
