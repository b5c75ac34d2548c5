"""OpenAI-compatible ``/v1/completions`` backend (vLLM, SGLang, llama.cpp server).

Prompts go out as token-id lists; the new token ids come back from vLLM's
``return_token_ids`` (or ``return_tokens_as_token_ids`` logprobs). A server
that returns neither forces a re-tokenisation of the text, which can drift at
interval boundaries; ``describe()`` then reports ``token_ids: "re-tokenised"``.

Each (question, branch) key is hashed onto one endpoint so its growing prefix
stays in that server's prefix cache. Timeouts, connection errors, 429 and 5xx
answers are retried with exponential backoff; anything else fails at once
with the server's message.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

from autotts import install_hint
from autotts.errors import AutoTTSError
from autotts.live.backend import Generation, Sampling, TokenizerPassThrough, sticky_index

RETRY_STATUS = {408, 429, 500, 502, 503, 504}


def refuses_token_ids(status: int, text: str) -> bool:
    """Whether an error answer says the server takes string prompts only:
    llama-cpp-python's schema does, and it answers a token-id list with a
    validation error on ``prompt`` (HTTP 500 from its error handler; 422 is
    FastAPI's usual status for it)."""
    return status in (400, 422, 500) and "prompt" in text and "valid string" in text


class BackendError(AutoTTSError, RuntimeError):
    """A request failed for good (after retries, or with a non-retryable answer);
    ``status`` is the HTTP status of a refused request, else None."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def base_url(url: str) -> str:
    """``http://host:port`` from a URL given with or without ``/v1``."""
    url = url.rstrip("/")
    return url[:-3] if url.endswith("/v1") else url


def _require_httpx():
    try:
        import httpx
    except ImportError as exc:
        raise ImportError(f"the HTTP backend needs httpx: {install_hint('live')}") from exc
    return httpx


class OpenAIBackend(TokenizerPassThrough):
    """One or more OpenAI-compatible servers serving the same model."""

    def __init__(self, endpoints: list[str], tokenizer, *, model: str | None = None,
                 timeout_s: float = 600.0, retries: int = 5, backoff_s: float = 0.5,
                 api_key: str | None = None):
        if not endpoints:
            raise ValueError("at least one endpoint URL is needed")
        self._httpx = _require_httpx()
        self.endpoints = [base_url(u) for u in endpoints]
        self.tokenizer = tokenizer
        self.model = model
        self.retries, self.backoff_s = retries, backoff_s
        self._timeout = timeout_s
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._clients: dict[int, Any] = {}  # one per event loop (httpx pools are loop-bound)
        self.retokenised = False
        self.text_prompts = False  # set once a server refuses token-id prompts
        self.server_version: str | None = None

    # ---- HTTP --------------------------------------------------------------
    def _client(self):
        loop_id = id(asyncio.get_running_loop())
        client = self._clients.get(loop_id)
        if client is None:
            limits = self._httpx.Limits(max_connections=None, max_keepalive_connections=64)
            client = self._httpx.AsyncClient(timeout=self._timeout, limits=limits,
                                             headers=self._headers)
            self._clients = {loop_id: client}  # earlier loops are closed by now
        return client

    async def _request(self, method: str, url: str, body: dict | None = None,
                       client: Any = None) -> dict:
        """JSON answer of one request, retried on transient failures."""
        httpx = self._httpx
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                await asyncio.sleep(self.backoff_s * 2 ** (attempt - 1) * (0.5 + random.random()))
            try:
                resp = await (client or self._client()).request(method, url, json=body)
            except httpx.TimeoutException:
                last = "timed out"
                continue
            except httpx.TransportError as exc:
                last = f"cannot connect ({type(exc).__name__}: {exc})"
                continue
            if resp.status_code in RETRY_STATUS and not refuses_token_ids(resp.status_code,
                                                                          resp.text):
                last = f"HTTP {resp.status_code}: {resp.text[:200]}"
                continue
            if resp.status_code != 200:
                raise BackendError(f"{url} answered HTTP {resp.status_code}: {resp.text[:500]}",
                                   status=resp.status_code)
            return resp.json()
        raise BackendError(f"{url}: {last} (gave up after {self.retries + 1} tries)")

    async def check(self) -> str:
        """Ask every endpoint for its models; returns the model name to use.
        Raises BackendError naming the endpoint that cannot be reached."""
        names: list[str] = []
        # A client of its own: check() may run on a throwaway event loop.
        async with self._httpx.AsyncClient(timeout=30.0, headers=self._headers) as client:
            for url in self.endpoints:
                try:
                    data = await self._request("GET", f"{url}/v1/models", client=client)
                except BackendError as exc:
                    raise BackendError(f"endpoint {url} is unreachable or not OpenAI-compatible: "
                                       f"{exc}") from None
                names += [m.get("id", "") for m in data.get("data", [])]
            try:  # vLLM and SGLang answer /version; others need not
                resp = await client.get(f"{self.endpoints[0]}/version", timeout=5.0)
                if resp.status_code == 200:
                    self.server_version = str(resp.json().get("version"))
            except (self._httpx.HTTPError, ValueError, AttributeError):
                pass
        if self.model is None:
            if not names:
                raise BackendError(f"{self.endpoints[0]}/v1/models lists no model; pass --model")
            self.model = names[0]
        return self.model

    async def generate(self, prompt_ids: list[int], max_tokens: int, *, sampling: Sampling | None,
                       seed: int | None = None, key: str | None = None) -> Generation:
        if max_tokens <= 0:
            return Generation([], "", "length")
        url = self.endpoints[sticky_index(key, len(self.endpoints))]
        prompt = self._prompt_text(prompt_ids) if self.text_prompts else list(prompt_ids)
        body: dict[str, Any] = {"model": self.model, "prompt": prompt,
                                "max_tokens": max_tokens, "temperature": 0.0,
                                "return_token_ids": True, "skip_special_tokens": True}
        if sampling is not None and sampling.temperature > 0:
            body.update(temperature=sampling.temperature, top_p=sampling.top_p)
            if sampling.top_k > 0:
                body["top_k"] = sampling.top_k
        if seed is not None:
            body["seed"] = seed
        data = await self._complete(url, body, prompt_ids)
        try:
            choice = data["choices"][0]
            text = choice.get("text") or ""
            reason = choice.get("finish_reason") or "stop"
        except (KeyError, IndexError, TypeError):
            raise BackendError(f"{url}/v1/completions: unexpected answer "
                               f"{str(data)[:300]}") from None
        ids = self._token_ids(choice, text)
        return Generation(ids, text, "length" if reason == "length" else "stop")

    async def _complete(self, url: str, body: dict, prompt_ids: list[int]) -> dict:
        """JSON answer of ``/v1/completions``. A server that refuses token-id
        prompts (llama-cpp-python's) gets the prompt as text from then on,
        re-tokenised on its side."""
        try:
            return await self._request("POST", f"{url}/v1/completions", body)
        except BackendError as exc:
            if not (isinstance(body["prompt"], list) and exc.status is not None
                    and refuses_token_ids(exc.status, str(exc))):
                raise
        self.text_prompts = self.retokenised = True
        body = {**body, "prompt": self._prompt_text(prompt_ids)}
        return await self._request("POST", f"{url}/v1/completions", body)

    def _prompt_text(self, ids: list[int]) -> str:
        """Text of a prompt with its special tokens kept (the server parses
        them back), less a leading BOS (llama.cpp adds one as its model asks)."""
        tok = getattr(self.tokenizer, "tok", None)  # a local Hugging Face tokenizer
        if tok is None:
            return self.decode(ids)
        if ids and tok.bos_token_id is not None and ids[0] == tok.bos_token_id:
            ids = ids[1:]
        return tok.decode(ids, skip_special_tokens=False)

    def _token_ids(self, choice: dict, text: str) -> list[int]:
        ids = choice.get("token_ids")
        if isinstance(ids, list):
            return [int(t) for t in ids]
        toks = (choice.get("logprobs") or {}).get("tokens")
        if isinstance(toks, list) and all(str(t).startswith("token_id:") for t in toks):
            return [int(str(t).split(":", 1)[1]) for t in toks]
        self.retokenised = True
        return self.encode(text)

    def describe(self) -> dict[str, Any]:
        return {"backend": "openai-http", "model": self.model, "endpoints": self.endpoints,
                "tokenizer": getattr(self.tokenizer, "name", None),
                "template": getattr(self.tokenizer, "template", None),
                "token_ids": "re-tokenised" if self.retokenised else "server",
                "prompt": "text" if self.text_prompts else "token ids",
                "server": self.server_version}

    async def aclose(self) -> None:
        # The tokenizer stays open: the backend may serve later event loops.
        for client in self._clients.values():
            await client.aclose()
        self._clients = {}
