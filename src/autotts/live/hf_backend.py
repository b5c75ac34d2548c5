"""In-process backend: a Hugging Face transformers causal LM on the CPU.

Meant for small models and tests. Requests run one at a time on a worker
thread (a lock guards the model), so concurrent callers are served in turn;
each request seeds torch's generator from its own seed, which makes every
(question, branch, interval) reproducible whatever the order of requests.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from autotts import install_hint
from autotts.live.backend import Generation, Sampling, TokenizerPassThrough
from autotts.live.prompts import DEFAULT_TEMPLATE, HFTokenizer


def _require_torch():
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise ImportError("the in-process backend needs transformers and torch: "
                          + install_hint("hf")) from exc
    return torch, transformers


class HFBackend(TokenizerPassThrough):
    """A local model directory (or cached hub name) served in-process."""

    def __init__(self, model: str, *, template: str = DEFAULT_TEMPLATE, revision: str | None = None,
                 threads: int | None = None):
        torch, transformers = _require_torch()
        if threads:
            torch.set_num_threads(threads)
        self._torch = torch
        transformers.utils.logging.disable_progress_bar()  # ours is enough
        self.model_name = model
        self.revision = revision
        self.tokenizer = HFTokenizer(model, template, revision=revision)
        try:
            self.model = transformers.AutoModelForCausalLM.from_pretrained(
                model, revision=revision, dtype=torch.float32).eval()
        except OSError as exc:
            raise ValueError(f"cannot load model {model!r}: {exc}") from None
        eos = set(self.tokenizer.eos_ids)
        cfg_eos = self.model.generation_config.eos_token_id
        eos.update(cfg_eos if isinstance(cfg_eos, list) else [] if cfg_eos is None else [cfg_eos])
        self.eos_ids = sorted(eos)
        pad = self.tokenizer.tok.pad_token_id
        self.pad_id = pad if pad is not None else (self.eos_ids[0] if self.eos_ids else 0)
        self._lock = threading.Lock()
        self.tokens_generated = 0

    async def generate(self, prompt_ids: list[int], max_tokens: int, *, sampling: Sampling | None,
                       seed: int | None = None, key: str | None = None) -> Generation:
        """Decode on a worker thread so the event loop stays responsive."""
        return await asyncio.to_thread(self._generate, list(prompt_ids), max_tokens, sampling, seed)

    def _generate(self, prompt_ids: list[int], max_tokens: int, sampling: Sampling | None,
                  seed: int | None) -> Generation:
        torch = self._torch
        if max_tokens <= 0:
            return Generation([], "", "length")
        x = torch.tensor([prompt_ids], dtype=torch.long)
        kwargs: dict[str, Any] = {"do_sample": False, "top_k": None, "top_p": None,
                                  "temperature": None}
        if sampling is not None and sampling.temperature > 0:
            kwargs = {"do_sample": True, "temperature": sampling.temperature,
                      "top_p": sampling.top_p, "top_k": sampling.top_k if sampling.top_k > 0 else 0}
        with self._lock, torch.inference_mode():
            if seed is not None:
                torch.manual_seed(seed)
            out = self.model.generate(x, attention_mask=torch.ones_like(x),
                                      max_new_tokens=max_tokens,
                                      eos_token_id=self.eos_ids or None, pad_token_id=self.pad_id,
                                      **kwargs)
        new = out[0, len(prompt_ids):].tolist()
        stop = next((k for k, t in enumerate(new) if t in self.eos_ids), None)
        if stop is not None:
            new = new[:stop + 1]  # the end-of-sequence token was generated: count it
        self.tokens_generated += len(new)
        reason = "stop" if stop is not None else "length"
        return Generation(new, self.decode(new), reason)

    def describe(self) -> dict[str, Any]:
        return {"backend": "hf", "model": self.model_name, "revision": self.revision,
                "template": self.tokenizer.template, "server": "in-process transformers "
                + self._torch.__version__}

    async def aclose(self) -> None:
        return None
