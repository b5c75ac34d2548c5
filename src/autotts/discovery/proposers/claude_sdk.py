"""The claude-sdk proposer: the Claude Agent SDK, as in the paper (extra ``[claude]``).

The agent works in the workspace with file tools (Read, Grep, Glob, Edit,
Write) and leaves the controller in ``candidate.py``. The SDK is imported
only when this proposer runs. Settings: ``model``, ``max_turns`` (default
40), ``allowed_tools``, ``permission_mode`` (default ``acceptEdits``),
``system_prompt``. Tokens and cost come from the SDK's result message.
"""

from __future__ import annotations

import asyncio
import importlib
from typing import Any

from autotts import install_hint
from autotts.discovery.proposers.base import Proposal, ProposalContext

DEFAULT_TOOLS = ("Read", "Grep", "Glob", "Edit", "Write")


class ClaudeSDKProposer:
    """Drives ``claude_agent_sdk.query`` in the workspace."""

    name = "claude-sdk"

    def __init__(self, model: str | None = None, max_turns: int = 40,
                 allowed_tools: list[str] | None = None, permission_mode: str = "acceptEdits",
                 system_prompt: str | None = None):
        self.model, self.max_turns = model, max_turns
        self.allowed_tools = list(allowed_tools or DEFAULT_TOOLS)
        self.permission_mode, self.system_prompt = permission_mode, system_prompt

    def _sdk(self):
        try:
            return importlib.import_module("claude_agent_sdk")
        except ImportError:
            raise RuntimeError("the claude-sdk proposer needs the Claude Agent SDK: "
                               + install_hint("claude")) from None

    def propose(self, ctx: ProposalContext) -> Proposal:
        """Run one agent session; returns the candidate it wrote and its accounting."""
        sdk = self._sdk()
        kwargs: dict[str, Any] = {"cwd": str(ctx.workspace), "allowed_tools": self.allowed_tools,
                                  "permission_mode": self.permission_mode,
                                  "max_turns": self.max_turns}
        if self.model:
            kwargs["model"] = self.model
        if self.system_prompt:
            kwargs["system_prompt"] = self.system_prompt
        options = sdk.ClaudeAgentOptions(**kwargs)
        prompt = ctx.prompt + (f"\n\nThe previous attempt failed:\n{ctx.feedback}"
                               if ctx.feedback else "")
        lines, acct = asyncio.run(self._session(sdk, prompt, options))
        source = ctx.candidate_path.read_text() if ctx.candidate_path.is_file() else ""
        return Proposal(source=source, transcript="\n".join(lines), **acct)

    async def _session(self, sdk, prompt: str, options) -> tuple[list[str], dict]:
        lines: list[str] = []
        acct: dict[str, Any] = {}
        async for message in sdk.query(prompt=prompt, options=options):
            lines.append(_describe(message))
            cost = getattr(message, "total_cost_usd", None)
            if cost is not None:
                acct["cost_usd"] = float(cost)
            usage = getattr(message, "usage", None)
            if isinstance(usage, dict) and "input_tokens" in usage:
                acct["input_tokens"] = int(usage.get("input_tokens") or 0) + int(
                    usage.get("cache_read_input_tokens") or 0) + int(
                    usage.get("cache_creation_input_tokens") or 0)
                acct["output_tokens"] = int(usage.get("output_tokens") or 0)
        return lines, acct


def _describe(message: Any) -> str:
    """One transcript line per SDK message: its type and any text it carries."""
    kind = type(message).__name__
    content = getattr(message, "content", None)
    if isinstance(content, list):
        texts = [getattr(b, "text", None) or f"[{type(b).__name__}]" for b in content]
        return f"[{kind}] " + " ".join(texts)
    if isinstance(content, str):
        return f"[{kind}] {content}"
    result = getattr(message, "result", None)
    return f"[{kind}] {result}" if result else f"[{kind}]"
