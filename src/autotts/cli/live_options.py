"""Click options shared by ``autotts collect`` and ``autotts run``: which
model to talk to and how to decode and probe its branches."""

from __future__ import annotations

import functools

import click

from autotts.live.backend import Sampling
from autotts.live.decode import DEFAULT_PROBE_SUFFIX, DecodeConfig

_BACKEND_OPTIONS = [
    click.option("--endpoint", "endpoints", multiple=True, metavar="URL",
                 help="OpenAI-compatible server (vLLM, SGLang, llama.cpp), e.g. "
                      "http://127.0.0.1:8000/v1; repeat for several replicas (each branch "
                      "sticks to one)."),
    click.option("--hf-model", metavar="PATH", help="Run a Hugging Face model in-process on "
                 "the CPU instead (a local directory or cached hub name; small models only)."),
    click.option("--tokenizer", metavar="NAME", help="HTTP only: tokenise locally with this "
                 "Hugging Face tokenizer instead of the server's /tokenize route."),
    click.option("--model", metavar="NAME", help="HTTP only: model name to request "
                 "(default: the first one the server lists)."),
    click.option("--revision", metavar="REV",
                 help="Model/tokenizer revision (recorded in the manifest)."),
    click.option("--template", default="chat", show_default=True,
                 help="'chat' (the tokenizer's chat template) or a format string with {question}."),
    click.option("--timeout", "timeout_s", type=float, default=600.0, show_default=True,
                 help="Seconds per HTTP request before it is retried."),
    click.option("--retries", type=int, default=5, show_default=True,
                 help="Retries (exponential backoff) on timeouts, connection errors, 429 and 5xx."),
    click.option("--threads", type=int, help="In-process only: torch CPU threads."),
]

_DECODE_OPTIONS = [
    click.option("--delta", type=click.IntRange(min=1), default=500, show_default=True,
                 help="Interval length Δ in tokens (probe frequency)."),
    click.option("--max-tokens", type=click.IntRange(min=1), default=32768, show_default=True,
                 help="Most tokens one branch may generate."),
    click.option("--temperature", type=float, default=0.7, show_default=True,
                 help="Sampling temperature of the branches (probes are greedy)."),
    click.option("--top-p", type=float, default=1.0, show_default=True, help="Nucleus sampling."),
    click.option("--top-k", type=int, default=-1, show_default=True, help="Top-k (-1: off)."),
    click.option("--probe-suffix", default=DEFAULT_PROBE_SUFFIX, show_default="Dynasor's "
                 "'... **Final Answer** \\[ \\boxed{'", help="Text appended to a branch to probe "
                 "it, taken literally (use $'...' in bash for newlines)."),
    click.option("--probe-tokens", type=click.IntRange(min=1), default=16, show_default=True,
                 help="Greedy tokens decoded per probe."),
    click.option("--seed", type=int, default=0, show_default=True,
                 help="Run seed; every request's seed derives from it, its question and branch."),
]


def _stack(options):
    def deco(fn):
        for opt in reversed(options):
            fn = opt(fn)
        return fn
    return deco


backend_options = _stack(_BACKEND_OPTIONS)
decode_options = _stack(_DECODE_OPTIONS)


def backend_kwargs(kw: dict) -> dict:
    """Pop the backend options out of a command's keyword arguments."""
    keys = ("endpoints", "hf_model", "tokenizer", "model", "revision", "template", "timeout_s",
            "retries", "threads")
    return {k: kw.pop(k) for k in keys}


def decode_config(kw: dict) -> DecodeConfig:
    """Pop the decoding options out of a command's keyword arguments."""
    sampling = Sampling(kw.pop("temperature"), kw.pop("top_p"), kw.pop("top_k"))
    return DecodeConfig(delta=kw.pop("delta"), max_tokens=kw.pop("max_tokens"), sampling=sampling,
                        probe_suffix=kw.pop("probe_suffix"), probe_tokens=kw.pop("probe_tokens"),
                        seed=kw.pop("seed"))


def live_errors(fn):
    """Turn expected failures (bad input, unreachable server, missing extra)
    into a one-line click error instead of a traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from autotts.env.store import StoreError
        from autotts.live.client import BackendError
        from autotts.live.collect import CollectError
        from autotts.live.questions import QuestionsError

        try:
            return fn(*args, **kwargs)
        except (QuestionsError, CollectError, BackendError, StoreError, ValueError,
                ImportError, KeyError) as exc:
            # KeyError's str() adds quotes; its message is its first argument.
            text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            raise click.ClickException(str(text)) from None
    return wrapper
