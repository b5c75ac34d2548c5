"""The command proposer: run any coding-agent CLI in the workspace.

Settings: ``command`` (a list of arguments, or one string split like a shell
would), ``timeout_s`` (default 1800), ``stdin`` (send the prompt on stdin,
default false), ``env`` (extra environment variables). Placeholders in the
arguments: ``{prompt}`` (the prompt text), ``{prompt_file}``, ``{workspace}``,
``{candidate}``. The agent runs with the workspace as its working directory
and must leave the controller in ``candidate.py`` there. Tokens and cost are
read from the agent's JSON output when it reports them (``claude -p
--output-format json``, ``codex exec --json``). Recipes: docs/discovery.md.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess

from autotts.discovery.proposers.base import Proposal, ProposalContext

TRANSCRIPT_CAP = 200_000


class CommandProposer:
    """Runs a command line that edits ``candidate.py`` in the workspace."""

    name = "command"

    def __init__(self, command: str | list[str] = "", timeout_s: float = 1800, stdin: bool = False,
                 env: dict[str, str] | None = None):
        argv = shlex.split(command) if isinstance(command, str) else [str(a) for a in command]
        if not argv:
            raise ValueError("the command proposer needs settings.command "
                             "(e.g. [\"claude\", \"-p\", \"{prompt}\"])")
        self.argv, self.timeout_s, self.stdin, self.env = argv, float(timeout_s), stdin, env or {}

    def propose(self, ctx: ProposalContext) -> Proposal:
        """Run the command; returns the candidate it left in the workspace."""
        prompt = ctx.prompt + (f"\n\nThe previous attempt failed validation:\n{ctx.feedback}\n"
                               if ctx.feedback else "")
        values = {"prompt": prompt, "prompt_file": str(ctx.workspace / "PROMPT.md"),
                  "workspace": str(ctx.workspace), "candidate": str(ctx.candidate_path)}
        argv = [a.format(**values) if "{" in a else a for a in self.argv]
        try:
            proc = subprocess.run(argv, cwd=ctx.workspace, input=prompt if self.stdin else None,
                                  capture_output=True, text=True, timeout=self.timeout_s,
                                  env={**os.environ, **self.env})
            out, err, rc = proc.stdout, proc.stderr, proc.returncode
        except subprocess.TimeoutExpired as exc:
            out, err, rc = _text(exc.stdout), _text(exc.stderr), None
            err += f"\n[command killed after {self.timeout_s:g} s]"
        except FileNotFoundError:
            raise RuntimeError(f"command not found: {argv[0]}") from None
        transcript = (f"$ {shlex.join(argv[:1] + ['...'] if len(argv) > 1 else argv)}\n"
                      f"[exit code {rc}]\n--- stdout ---\n{out}\n--- stderr ---\n{err}"
                      )[:TRANSCRIPT_CAP]
        source = ctx.candidate_path.read_text() if ctx.candidate_path.is_file() else ""
        usage = parse_usage(out)
        return Proposal(source=source, transcript=transcript, meta={"returncode": rc}, **usage)


def _text(data) -> str:
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else (data or "")


def parse_usage(output: str) -> dict:
    """input_tokens / output_tokens / cost_usd summed from JSON lines of the output."""
    tin = tout = 0
    cost = 0.0
    seen = False
    for line in output.splitlines():
        line = line.strip()
        if not (line.startswith("{") and line.endswith("}")):
            continue
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        usage = doc.get("usage") or (doc.get("info") or {}).get("total_token_usage") or {}
        if isinstance(usage, dict) and usage:
            seen = True
            tin += int(usage.get("input_tokens", 0) or 0)
            tout += int(usage.get("output_tokens", 0) or 0)
        if isinstance(doc.get("total_cost_usd"), (int, float)):
            seen = True
            cost += float(doc["total_cost_usd"])
    if not seen:
        return {}
    return {"input_tokens": tin, "output_tokens": tout, "cost_usd": cost or None}
