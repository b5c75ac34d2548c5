r"""Prompt templates and tokenizers.

A template is either ``"chat"`` (the tokenizer's chat template with a
generation prompt; ``enable_thinking=True`` is passed for Qwen3-style
templates and ignored by others) or a format string with ``{question}``
(e.g. ``"Q: {question}\nA:"``). The rendered prompt is tokenised once; the
branch then continues in token-id space.

Two tokenizers: a Hugging Face tokenizer loaded locally, or the server's own
``/tokenize`` and ``/detokenize`` routes (vLLM's request shape; llama.cpp's
``content`` field is sent too), for HTTP runs with no local tokenizer.
"""

from __future__ import annotations

from typing import Any

from autotts import install_hint

DEFAULT_TEMPLATE = "chat"
USER_INSTRUCTION = ("{question}\nPlease reason step by step, "
                    "and put your final answer within \\boxed{{}}.")


def check_template(template: str) -> str:
    """Return ``template`` if usable, else raise ValueError saying why."""
    if template != "chat" and "{question}" not in template:
        raise ValueError(f"template must be 'chat' or contain '{{question}}', got {template!r}")
    return template


def user_message(question: str, instruction: str = USER_INSTRUCTION) -> str:
    """The user turn: ``instruction`` with ``question`` filled in."""
    return instruction.format(question=question)


class HFTokenizer:
    """A Hugging Face tokenizer (local path or cached hub name) plus a template."""

    def __init__(self, name_or_path: str, template: str = DEFAULT_TEMPLATE, *,
                 revision: str | None = None, tokenizer: Any = None):
        if tokenizer is None:
            try:
                from transformers import AutoTokenizer
            except ImportError as exc:
                raise ImportError("a local tokenizer needs transformers: "
                                  + install_hint("hf")) from exc
            tokenizer = AutoTokenizer.from_pretrained(name_or_path, revision=revision)
        self.tok = tokenizer
        self.name = name_or_path
        self.template = check_template(template)
        if template == "chat" and not getattr(tokenizer, "chat_template", None):
            raise ValueError(f"tokenizer {name_or_path} has no chat template; pass a "
                             "--template string with {question} instead")

    def render(self, question: str) -> list[int]:
        if self.template == "chat":
            text = self.tok.apply_chat_template(
                [{"role": "user", "content": user_message(question)}],
                tokenize=False, add_generation_prompt=True, enable_thinking=True)
            # The template already holds any BOS; adding it again would duplicate it.
            return self.encode(text)
        bos = [self.tok.bos_token_id] if getattr(self.tok, "add_bos_token", False) else []
        return bos + self.encode(self.template.format(question=question))

    def encode(self, text: str) -> list[int]:
        return list(self.tok.encode(text, add_special_tokens=False))

    def decode(self, ids: list[int]) -> str:
        return self.tok.decode(ids, skip_special_tokens=True)

    @property
    def eos_ids(self) -> list[int]:
        eos = self.tok.eos_token_id
        return [] if eos is None else [eos]


class ServerTokenizer:
    """Tokenise through the server's ``/tokenize`` and ``/detokenize`` routes."""

    def __init__(self, base_url: str, model: str, template: str = DEFAULT_TEMPLATE,
                 timeout_s: float = 30.0):
        import httpx

        self.name = f"{base_url} /tokenize"
        self.template = check_template(template)
        self._model = model
        self._http = httpx.Client(base_url=base_url, timeout=timeout_s)

    def _post(self, route: str, body: dict) -> dict:
        resp = self._http.post(route, json={"model": self._model, **body})
        if resp.status_code != 200:
            raise RuntimeError(f"{self._http.base_url}{route} answered HTTP {resp.status_code}: "
                               f"{resp.text[:300]} (pass --tokenizer to tokenise locally)")
        return resp.json()

    def render(self, question: str) -> list[int]:
        if self.template == "chat":
            body = {"messages": [{"role": "user", "content": user_message(question)}],
                    "add_generation_prompt": True,
                    "chat_template_kwargs": {"enable_thinking": True}}
            return list(self._post("/tokenize", body)["tokens"])
        text = self.template.format(question=question)
        return list(self._post("/tokenize", {"prompt": text, "content": text,
                                             "add_special_tokens": True})["tokens"])

    def encode(self, text: str) -> list[int]:
        body = {"prompt": text, "content": text, "add_special_tokens": False}
        return list(self._post("/tokenize", body)["tokens"])

    def decode(self, ids: list[int]) -> str:
        out = self._post("/detokenize", {"tokens": list(ids)})
        return out.get("prompt", out.get("content", ""))

    def close(self) -> None:
        self._http.close()
