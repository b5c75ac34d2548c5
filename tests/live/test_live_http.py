"""The HTTP path against an OpenAI-compatible server on 127.0.0.1 that speaks
vLLM's shapes (token-id prompts, ``/tokenize``).

The server here is one we wrote for these tests: ``tiny_openai_server.py``, a
stdlib HTTP server around the tiny HF model. The real third-party server
(llama-cpp-python's) is exercised in ``test_live_llamacpp.py``. Same seeds give the same tokens
in-process and over HTTP, so the two stores must be identical.
"""

from __future__ import annotations

import asyncio
import json
import socket

import pytest
from click.testing import CliRunner

from autotts.cli.main import cli
from autotts.live.backend import Sampling, sticky_index
from autotts.live.client import BackendError, OpenAIBackend
from autotts.live.collect import CollectPlan, run_collect
from autotts.live.connect import open_backend
from autotts.live.decode import DecodeConfig
from autotts.live.questions import load_jsonl

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("httpx")
pytest.importorskip("math_verify")

from tests.live.tiny_openai_server import TinyOpenAIServer  # noqa: E402

CFG = DecodeConfig(delta=8, max_tokens=40, sampling=Sampling(1.0),
                   probe_suffix="Final Answer : \\boxed{", probe_tokens=4, seed=5)


@pytest.fixture(scope="module")
def hf(tiny_model):
    from autotts.live.hf_backend import HFBackend

    return HFBackend(str(tiny_model), threads=1)


@pytest.fixture
def servers(hf):
    pair = [TinyOpenAIServer(hf, fail_first=2), TinyOpenAIServer(hf)]
    yield pair
    for s in pair:
        s.close()


def test_http_collect_over_two_servers_matches_in_process(hf, tiny_model, servers,
                                                          questions_file, tmp_path):
    questions = load_jsonl(questions_file)
    http = open_backend(endpoints=[s.url for s in servers], retries=4)  # server-side tokenizer
    http.backoff_s = 0.01
    remote = run_collect(http, questions, CollectPlan(tmp_path / "http.json", 4, CFG),
                         source="q", progress=False)
    local = run_collect(hf, questions, CollectPlan(tmp_path / "local.json", 4, CFG),
                        source="q", progress=False)
    assert json.loads((tmp_path / "http.json").read_text()) == \
        json.loads((tmp_path / "local.json").read_text())
    rows = [json.loads(x) for x in (tmp_path / "http.raw.jsonl").read_text().splitlines()]
    requests = sum(len(r["interval_ends"]) + len(r["probes"]) for r in rows)
    assert servers[0].failures == 2  # retried, not lost
    assert servers[0].completions + servers[1].completions == requests
    assert min(s.completions for s in servers) > 0
    manifest = json.loads((tmp_path / "http.manifest.json").read_text())
    assert manifest["model"] == "tiny" and manifest["server"] == "tiny-test-server"
    assert manifest["backend"]["token_ids"] == "server"
    assert remote["tokens"] == local["tokens"]


def test_requests_of_one_branch_stick_to_one_endpoint(hf, servers):
    backend = OpenAIBackend([s.url for s in servers], None, model="tiny")
    prompt = hf.render("what is 1 plus 1")
    key = "q7/3"

    async def go():
        for _ in range(4):
            await backend.generate(prompt, 2, sampling=None, key=key)
        await backend.aclose()

    servers[0].fail_left = 0
    asyncio.run(go())
    counts = [s.completions for s in servers]
    assert counts[sticky_index(key, 2)] == 4 and sum(counts) == 4


def test_run_over_http_with_a_local_tokenizer(tiny_model, servers):
    servers[0].fail_left = 0
    run = CliRunner().invoke(cli, [
        "run", "--controller", "cmc", "--set", "beta=0.5", "--question", "what is 2 plus 2",
        "--endpoint", servers[1].url, "--tokenizer", str(tiny_model), "--max-branches", "6",
        "--delta", "8", "--max-tokens", "40", "--probe-suffix", "Final Answer : \\boxed{",
        "--probe-tokens", "4", "--json"])
    assert run.exit_code == 0, run.output
    row = json.loads(run.stdout)
    assert row["answer"] and row["tokens"] > 0 and servers[1].completions > 0


def test_unreachable_endpoint_is_a_clear_error(questions_file, tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    result = CliRunner().invoke(cli, ["collect", str(tmp_path / "x.json"), "--questions",
                                      str(questions_file), "--endpoint", url, "--retries", "0"])
    assert result.exit_code != 0
    assert f"endpoint http://127.0.0.1:{port} is unreachable" in result.output
    assert "Traceback" not in result.output


def test_client_errors_are_not_retried(servers):
    backend = OpenAIBackend([servers[1].url], None, model="tiny", retries=3)

    async def go():
        try:
            await backend.generate([1, 2], 2, sampling=None)  # fine
            backend.endpoints = [servers[1].url.replace("/v1", "/nope")]
            await backend.generate([1, 2], 2, sampling=None)
        finally:
            await backend.aclose()

    with pytest.raises(BackendError, match="HTTP 404"):
        asyncio.run(go())
    assert servers[1].completions == 1
