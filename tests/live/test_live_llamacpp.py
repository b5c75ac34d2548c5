"""The HTTP path against a real OpenAI-compatible server: llama-cpp-python's
``python -m llama_cpp.server`` on 127.0.0.1, serving a tiny random-weight
LLaMA that the test writes as a GGUF file (byte-level BPE tokenizer included;
see ``gguf_model.py``). Nothing is downloaded.

llama-cpp-python's server (0.3.36) takes string prompts only (a token-id
list answers HTTP 500 with a validation error), has no ``/tokenize`` route
(only ``/extras/tokenize``) and returns no token ids. So the client tokenises
with a local copy of the same tokenizer (``--tokenizer``), falls back to text
prompts and re-tokenises the answers; ``describe()`` says so.

Skipped when llama-cpp-python (with its ``[server]`` extra) is not installed.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from autotts.cli.main import cli
from autotts.env.store import load_store
from autotts.live.client import BackendError, OpenAIBackend

httpx = pytest.importorskip("httpx")

TEMPLATE = "Q: {question}\nA:"
DECODE = ["--template", TEMPLATE, "--delta", "6", "--max-tokens", "18", "--temperature", "1.0",
          "--probe-suffix", " Final Answer: \\boxed{", "--probe-tokens", "4", "--seed", "3"]
START_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(proc: subprocess.Popen, url: str, log: Path) -> None:
    """Poll ``/v1/models`` until the server answers; fail with its log if it dies."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"llama_cpp.server exited with {proc.returncode}:\n"
                        f"{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/models", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"llama_cpp.server not ready after {START_TIMEOUT_S:.0f}s:\n"
                f"{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    """(endpoint URL, local tokenizer dir) of a llama-cpp-python server on 127.0.0.1."""
    for module in ("llama_cpp", "llama_cpp.server.app", "gguf", "transformers", "math_verify"):
        pytest.importorskip(module)  # llama_cpp.server.app: the [server] extra (fastapi, ...)
    from tests.live.gguf_model import write_gguf, write_hf_tokenizer

    root = tmp_path_factory.mktemp("llamacpp")
    model = write_gguf(root / "tiny.gguf")
    tokenizer = write_hf_tokenizer(root / "tokenizer")
    port = _free_port()
    log = root / "server.log"
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
           "--model_alias", "tiny", "--host", "127.0.0.1", "--port", str(port),
           "--n_ctx", "512", "--n_threads", "1", "--n_batch", "64"]
    with log.open("wb") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_ready(proc, url, log)
        yield url, tokenizer
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _questions(path: Path) -> Path:
    rows = [{"id": f"q{i}", "question": f"what is {i} plus {i + 1}", "answer": str(2 * i + 1)}
            for i in range(2)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _collect(url: str, tokenizer: Path, out: Path, questions: Path):
    return CliRunner().invoke(cli, [
        "collect", str(out), "--questions", str(questions), "--endpoint", url,
        "--tokenizer", str(tokenizer), "-n", "3", "--concurrency", "3", "--no-progress",
        "--retries", "1", *DECODE])


def test_gguf_tokenizer_matches_the_local_one(llama_server):
    from transformers import AutoTokenizer

    from tests.live.gguf_model import vocabulary

    url, tokenizer = llama_server
    text = "Q: what is 3 plus 4\nA: \\boxed{7}"
    local = AutoTokenizer.from_pretrained(tokenizer).encode(text, add_special_tokens=False)
    served = httpx.post(url.replace("/v1", "/extras/tokenize"),
                        json={"input": text}, timeout=10).json()["tokens"]
    assert served == local
    assert max(local) < len(vocabulary()[0]) - 1  # plain text never yields the EOS id


def test_client_sends_text_prompts_to_llamacpp(llama_server):
    from autotts.live.connect import open_backend

    url, tokenizer = llama_server
    backend = open_backend(endpoints=[url], tokenizer=str(tokenizer), template=TEMPLATE)
    prompt = backend.render("what is 1 plus 2")

    async def go():
        try:
            return [await backend.generate(prompt, 5, sampling=None) for _ in range(2)]
        finally:
            await backend.aclose()

    first, again = asyncio.run(go())
    assert first == again  # greedy
    assert 0 < len(first.token_ids) <= 5 and backend.decode(first.token_ids) == first.text
    info = backend.describe()
    assert info["model"] == "tiny"
    assert info["prompt"] == "text" and info["token_ids"] == "re-tokenised"


def test_collect_against_llamacpp_server(llama_server, tmp_path):
    url, tokenizer = llama_server
    questions = _questions(tmp_path / "q.jsonl")
    out = tmp_path / "store.json.gz"
    result = _collect(url, tokenizer, out, questions)
    assert result.exit_code == 0, result.output

    store = load_store(out)  # raises StoreError if the store is malformed
    assert len(store) == 2 and store.n_branches == 3
    rows = [json.loads(x) for x in (tmp_path / "store.raw.jsonl").read_text().splitlines()]
    assert sorted((r["qid"], r["branch"]) for r in rows) == \
        [(f"q{i}", b) for i in range(2) for b in range(3)]
    for r in rows:
        assert 0 < r["n_tokens"] <= 18 and r["text"]
        assert r["interval_ends"] == sorted(r["interval_ends"])
        assert len(r["probes"]) == len(r["interval_ends"]) - 1  # none after the last one
    manifest = json.loads((tmp_path / "store.manifest.json").read_text())
    assert manifest["model"] == "tiny" and manifest["delta"] == 6
    assert manifest["backend"]["backend"] == "openai-http"


def test_collect_is_reproducible_through_request_seeds(llama_server, tmp_path):
    url, tokenizer = llama_server
    questions = _questions(tmp_path / "q.jsonl")
    texts = []
    for name in ("a", "b"):
        result = _collect(url, tokenizer, tmp_path / f"{name}.json", questions)
        assert result.exit_code == 0, result.output
        rows = [json.loads(x) for x in (tmp_path / f"{name}.raw.jsonl").read_text().splitlines()]
        texts.append({(r["qid"], r["branch"]): r["text"] for r in rows})
    assert texts[0] == texts[1]
    assert len(set(texts[0].values())) > 1  # branches differ: sampling, not one greedy path


def test_run_cmc_against_llamacpp_server(llama_server):
    url, tokenizer = llama_server
    result = CliRunner().invoke(cli, [
        "run", "--controller", "cmc", "--set", "beta=0.5", "--question", "what is 2 plus 2",
        "--endpoint", url, "--tokenizer", str(tokenizer), "--max-branches", "4",
        "--concurrency", "4", "--json", *DECODE])
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)
    assert isinstance(row["answer"], str) and row["answer"]
    assert 0 < row["tokens"] <= 4 * 18 and 1 <= row["branches"] <= 4


class CharTokenizer:
    """One token per character (ids are code points): enough for the client."""

    def encode(self, text: str) -> list[int]:
        return [ord(c) for c in text]

    def decode(self, ids: list[int]) -> str:
        return "".join(map(chr, ids))


def _string_only_server(seen: list):
    """A transport answering token-id prompts as llama-cpp-python 0.3 does:
    HTTP 500 with the schema's validation error (retryable status, yet final)."""
    def handle(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append(body["prompt"])
        if not isinstance(body["prompt"], str):
            message = ("2 validation errors:\n  {'type': 'string_type', 'loc': ('body', "
                       "'prompt', 'str'), 'msg': 'Input should be a valid string'}")
            return httpx.Response(500, json={"error": {"message": message}})
        return httpx.Response(200, json={"choices": [{"text": "ab", "finish_reason": "length"}]})
    return httpx.MockTransport(handle)


def test_client_falls_back_to_text_prompts_when_ids_are_refused():
    seen: list = []
    backend = OpenAIBackend(["http://127.0.0.1:9/v1"], CharTokenizer(), model="m", retries=3)
    client = httpx.AsyncClient(transport=_string_only_server(seen))
    backend._client = lambda: client

    async def go():
        first = await backend.generate([ord("h"), ord("i")], 2, sampling=None)
        second = await backend.generate([ord("y")], 2, sampling=None)
        await client.aclose()
        return first, second

    first, second = asyncio.run(go())
    assert seen == [[104, 105], "hi", "y"]  # refused once, not retried; then text at once
    assert first.token_ids == second.token_ids == [97, 98] and first.text == "ab"
    info = backend.describe()
    assert info["prompt"] == "text" and info["token_ids"] == "re-tokenised"


def test_other_refusals_are_not_retried_as_text():
    backend = OpenAIBackend(["http://127.0.0.1:9/v1"], CharTokenizer(), model="m", retries=0)
    client = httpx.AsyncClient(transport=httpx.MockTransport(
        lambda request: httpx.Response(400, json={"error": "bad"})))
    backend._client = lambda: client

    async def go():
        try:
            await backend.generate([1, 2], 2, sampling=None)
        finally:
            await client.aclose()

    with pytest.raises(BackendError, match="HTTP 400") as info:
        asyncio.run(go())
    assert info.value.status == 400 and not backend.text_prompts
