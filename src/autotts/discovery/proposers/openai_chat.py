"""The openai proposer: any OpenAI-compatible chat endpoint (hosted, vLLM,
Ollama, llama.cpp server).

The model has no tools, so everything it needs goes into the messages: the
prompt, a summary of the history (each round's status, numbers and error,
plus the source of the best and the latest candidate). The code is parsed from
the reply; when it fails static validation the error is sent back once for a
repair. Settings: ``model`` (required), ``base_url`` (default
``https://api.openai.com/v1``), ``api_key_env`` (default ``OPENAI_API_KEY``;
no key is sent when unset, as local servers need none), ``temperature``,
``max_tokens``, ``timeout_s``, ``history_rounds``, ``class_name``, and
``usd_per_mtok_in`` / ``usd_per_mtok_out`` to price the reported tokens.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

from autotts.discovery.proposers.base import Proposal, ProposalContext, RoundSummary
from autotts.discovery.proposers.codeparse import extract_code
from autotts.discovery.sandbox.static_check import ValidationError, validate_source

SYSTEM = ("You design test-time scaling controllers. Reply with one complete Python file in a "
          "single ```python fenced block, preceded by two or three sentences on what you changed "
          "and why.")
SOURCE_CAP = 12_000


class OpenAIProposer:
    """Chat-completions proposer with one repair attempt."""

    name = "openai"

    def __init__(self, model: str = "", base_url: str = "https://api.openai.com/v1",
                 api_key_env: str = "OPENAI_API_KEY", temperature: float = 0.7,
                 max_tokens: int = 8000, timeout_s: float = 600, history_rounds: int = 8,
                 class_name: str | None = None, usd_per_mtok_in: float = 0.0,
                 usd_per_mtok_out: float = 0.0):
        if not model:
            raise ValueError("the openai proposer needs settings.model")
        self.model, self.base_url = model, base_url.rstrip("/")
        self.api_key = os.environ.get(api_key_env, "") if api_key_env else ""
        self.temperature, self.max_tokens, self.timeout_s = temperature, max_tokens, timeout_s
        self.history_rounds, self.class_name = history_rounds, class_name or None
        self.prices = (usd_per_mtok_in, usd_per_mtok_out)

    def propose(self, ctx: ProposalContext) -> Proposal:
        """Ask the model for a candidate; repair once on a validation error."""
        messages = [{"role": "system", "content": SYSTEM},
                    {"role": "user", "content": self.user_message(ctx)}]
        usage = [0, 0]
        reply = self._chat(messages, usage)
        source = extract_code(reply)
        transcript = [f"## user\n{messages[1]['content']}", f"## assistant\n{reply}"]
        try:
            validate_source(source, class_name=self.class_name)
        except ValidationError as exc:
            fix = (f"Your file failed validation:\n{exc}\n\nReply with the complete corrected file "
                   "in one ```python block.")
            messages += [{"role": "assistant", "content": reply}, {"role": "user", "content": fix}]
            reply = self._chat(messages, usage)
            source = extract_code(reply)
            transcript += [f"## user (repair)\n{fix}", f"## assistant\n{reply}"]
        cost = (usage[0] * self.prices[0] + usage[1] * self.prices[1]) / 1e6
        return Proposal(source=source, transcript="\n\n".join(transcript), input_tokens=usage[0],
                        output_tokens=usage[1], cost_usd=cost if any(self.prices) else None,
                        meta={"model": self.model})

    def user_message(self, ctx: ProposalContext) -> str:
        """Prompt + history summary + template/best source: all the model sees."""
        parts = [ctx.prompt, summarize_history(ctx.history, self.history_rounds)]
        template = ctx.workspace / "template.py"
        if template.is_file():
            parts.append("Controller template (our API):\n```python\n"
                         + template.read_text()[:SOURCE_CAP] + "```")
        if ctx.feedback:
            parts.append(f"The previous attempt in this round failed:\n{ctx.feedback}")
        parts.append(f"Write round {ctx.round}'s candidate now.")
        return "\n\n".join(parts)

    def _chat(self, messages: list[dict], usage: list[int]) -> str:
        body = json.dumps({"model": self.model, "messages": messages,
                           "temperature": self.temperature,
                           "max_tokens": self.max_tokens}).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(f"{self.base_url}/chat/completions", data=body,
                                     headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                doc = json.loads(resp.read().decode())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:500]
            raise RuntimeError(f"{self.base_url}: HTTP {exc.code}: {detail}") from None
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise RuntimeError(f"{self.base_url}: request failed ({exc})") from None
        u = doc.get("usage") or {}
        usage[0] += int(u.get("prompt_tokens", 0) or 0)
        usage[1] += int(u.get("completion_tokens", 0) or 0)
        try:
            return doc["choices"][0]["message"]["content"] or ""
        except (KeyError, IndexError, TypeError):
            raise RuntimeError(f"{self.base_url}: unexpected reply shape: "
                               f"{str(doc)[:300]}") from None


def summarize_history(history: tuple[RoundSummary, ...], last: int) -> str:
    """A compact text history: one line per round, then the best and latest sources."""
    if not history:
        return "History: no earlier rounds."
    lines = ["History (round, status, best search accuracy, frontier area, error):"]
    for h in history[-last:]:
        err = (h.error or "").strip().splitlines()[:1]
        acc, area = h.score.get('best_accuracy', float('nan')), h.score.get('area', float('nan'))
        lines.append(f"- r{h.round}: {h.status}, acc {acc:.2f}, area {area:.2f}"
                     + (f", error: {err[0]}" if err else ""))
    ok = [h for h in history if h.status == "ok"]
    if ok:
        best = max(ok, key=lambda h: h.score.get("best_accuracy", 0.0))
        lines.append(f"\nBest so far (round {best.round}):\n"
                     f"```python\n{best.source[:SOURCE_CAP]}```")
    latest = history[-1]
    if not ok or latest is not max(ok, key=lambda h: h.score.get("best_accuracy", 0.0)):
        lines.append(f"\nLatest (round {latest.round}, {latest.status}):\n```python\n"
                     f"{latest.source[:SOURCE_CAP]}```")
    return "\n".join(lines)
