"""The generation interface shared by the HTTP and in-process backends.

Everything happens in token-id space: a prompt is a list of token ids, a
generation returns the new token ids, and the caller appends them to its
prefix. Decoded text is never re-tokenised (that would drift at interval
boundaries), except by a server that cannot return token ids (see client.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Generation:
    """One completion: new token ids, their text, and why decoding stopped
    (``"stop"``: end of sequence or a stop string; ``"length"``: max_tokens)."""

    token_ids: list[int]
    text: str
    finish_reason: str

    @property
    def stopped(self) -> bool:
        return self.finish_reason != "length"


@dataclass(frozen=True)
class Sampling:
    """Sampling of the reasoning branches (probes are always greedy)."""

    temperature: float = 0.7
    top_p: float = 1.0
    top_k: int = -1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class TokenizerPassThrough:
    """render/encode/decode delegated to ``self.tokenizer``, shared by the backends."""

    tokenizer: Any

    def render(self, question: str) -> list[int]:
        return self.tokenizer.render(question)

    def encode(self, text: str) -> list[int]:
        return self.tokenizer.encode(text)

    def decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids)


class Backend(Protocol):
    """What the live episode and the collector need from a model."""

    def render(self, question: str) -> list[int]:
        """Token ids of the prompt for ``question`` (template applied)."""

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text`` with no special tokens added."""

    def decode(self, ids: list[int]) -> str:
        """Text of ``ids``."""

    async def generate(self, prompt_ids: list[int], max_tokens: int, *, sampling: Sampling | None,
                       seed: int | None = None, key: str | None = None) -> Generation:
        """Continue ``prompt_ids`` by at most ``max_tokens`` tokens. ``sampling``
        None means greedy. ``key`` names the (question, branch) so requests of
        one branch go to one server (prefix-cache hits)."""

    def describe(self) -> dict[str, Any]:
        """Model, revision, template and server facts for the manifest."""

    async def aclose(self) -> None:
        """Release connections and threads."""


def request_seed(seed: int, *parts: object) -> int:
    """A stable 31-bit seed for one request from the run seed and its place
    (question, branch, interval), so reruns draw the same tokens."""
    h = hashlib.blake2b(repr((seed, *parts)).encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") & 0x7FFFFFFF


def sticky_index(key: str | None, n: int) -> int:
    """Which of ``n`` endpoints serves ``key``; the same key always maps to the
    same endpoint (Python's hash() is salted per process, so it is not used)."""
    if n <= 1 or key is None:
        return 0
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") % n
