"""Open a backend from command-line style options (shared by ``collect`` and ``run``)."""

from __future__ import annotations

import asyncio

from autotts.live.backend import Backend
from autotts.live.prompts import DEFAULT_TEMPLATE, HFTokenizer, ServerTokenizer


def open_backend(*, endpoints: list[str] | None = None, hf_model: str | None = None,
                 tokenizer: str | None = None, template: str = DEFAULT_TEMPLATE,
                 model: str | None = None, revision: str | None = None, timeout_s: float = 600.0,
                 retries: int = 5, threads: int | None = None) -> Backend:
    """An in-process model (``hf_model``) or HTTP endpoints, checked reachable.

    For HTTP, prompts are tokenised with ``tokenizer`` (a local Hugging Face
    tokenizer) when given, else by the server's ``/tokenize`` route. Raises
    ValueError for bad options and BackendError for unreachable endpoints.
    """
    if bool(endpoints) == bool(hf_model):
        raise ValueError("give exactly one of --endpoint URL (repeatable) or --hf-model PATH")
    if hf_model:
        from autotts.live.hf_backend import HFBackend

        return HFBackend(hf_model, template=template, revision=revision, threads=threads)
    from autotts.live.client import OpenAIBackend

    backend = OpenAIBackend(list(endpoints or []), None, model=model, timeout_s=timeout_s,
                            retries=retries)
    asyncio.run(backend.check())
    if tokenizer:
        backend.tokenizer = HFTokenizer(tokenizer, template, revision=revision)
    else:
        backend.tokenizer = ServerTokenizer(backend.endpoints[0], backend.model, template)
    return backend
