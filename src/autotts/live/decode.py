r"""Decoding one branch in Δ-token intervals, and probing it.

Shared by the live episode and the store collector so both follow one rule:
an interval asks for ``min(Δ, max_tokens - generated)`` new tokens from
``prompt + generated`` (token ids, never re-tokenised text). If the model
stops inside the interval, or the branch reaches ``max_tokens``, the branch
is finished and its final answer is the last ``\boxed{}`` of its text.
Otherwise a probe may follow: ``prompt + generated + suffix`` decoded
greedily for a few tokens, answer parsed from ``suffix + output``. A probe
never changes the branch; the next interval continues the plain prefix.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from autotts.live.answers import answer_from_probe, answer_from_text
from autotts.live.backend import Backend, Sampling, request_seed

# Dynasor's probe (hao-ai-lab/Dynasor): open a boxed answer and let the model close it.
DEFAULT_PROBE_SUFFIX = ("\n\n... Oh, I suddenly got the answer to the whole problem, "
                        "**Final Answer**\n\n\\[ \\boxed{")


@dataclass(frozen=True)
class DecodeConfig:
    """How branches are decoded and probed (recorded in the manifest)."""

    delta: int = 500
    max_tokens: int = 32768
    sampling: Sampling = field(default_factory=Sampling)
    probe_suffix: str = DEFAULT_PROBE_SUFFIX
    probe_tokens: int = 16
    seed: int = 0

    def __post_init__(self):
        if self.delta <= 0 or self.max_tokens <= 0 or self.probe_tokens <= 0:
            raise ValueError("delta, max_tokens and probe_tokens must be positive")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["sampling"] = self.sampling.to_dict()
        return d


@dataclass
class BranchState:
    """One branch being decoded: generated ids and text, intervals taken,
    probe answers so far, and the final answer once finished."""

    key: str                     # "<question key>/<branch index>": routing and seeds
    ids: list[int] = field(default_factory=list)
    text: str = ""
    depth: int = 0
    probes: list[str] = field(default_factory=list)
    probe_tokens: int = 0
    finished: bool = False
    finish_reason: str | None = None
    final: str | None = None
    interval_ends: list[int] = field(default_factory=list)

    @property
    def n_tokens(self) -> int:
        return len(self.ids)


async def decode_interval(backend: Backend, prompt: list[int], br: BranchState,
                          cfg: DecodeConfig) -> int:
    """Take one interval of ``br``; returns the number of new tokens. Marks
    the branch finished when it stops or reaches ``max_tokens``."""
    want = min(cfg.delta, cfg.max_tokens - br.n_tokens)
    gen = await backend.generate(prompt + br.ids, want, sampling=cfg.sampling,
                                 seed=request_seed(cfg.seed, br.key, br.depth), key=br.key)
    br.ids.extend(gen.token_ids)
    br.text += gen.text
    br.depth += 1
    br.interval_ends.append(br.n_tokens)
    capped = br.n_tokens >= cfg.max_tokens
    if gen.stopped or capped or not gen.token_ids:
        br.finished = True
        br.finish_reason = "stop" if gen.stopped else "length"
        br.final = answer_from_text(br.text)
    return len(gen.token_ids)


async def probe(backend: Backend, prompt: list[int], br: BranchState, suffix_ids: list[int],
                cfg: DecodeConfig) -> str:
    """Probe ``br`` at its current depth (greedy); returns the normalised answer."""
    gen = await backend.generate(prompt + br.ids + suffix_ids, cfg.probe_tokens, sampling=None,
                                 key=br.key)
    br.probe_tokens += len(gen.token_ids)
    return answer_from_probe(cfg.probe_suffix, gen.text)


async def collect_branch(backend: Backend, prompt: list[int], br: BranchState,
                         suffix_ids: list[int], cfg: DecodeConfig) -> BranchState:
    """Decode ``br`` to the end, probing after every unfinished interval
    (the replay store's ``probe_list``); returns ``br``."""
    while not br.finished:
        await decode_interval(backend, prompt, br, cfg)
        if not br.finished:
            br.probes.append(await probe(backend, prompt, br, suffix_ids, cfg))
    return br
