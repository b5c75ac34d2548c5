"""The proposer backends: a real executable for `command`, a local canned HTTP
server for `openai`, a fake SDK module for `claude-sdk`, and the registry."""

from __future__ import annotations

import json
import stat
import sys
import threading
import types
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from autotts.discovery.loop import run_loop
from autotts.discovery.proposers import ProposerError, make_proposer
from autotts.discovery.proposers.base import ProposalContext
from autotts.discovery.proposers.codeparse import extract_code
from autotts.discovery.proposers.command import parse_usage
from autotts.discovery.sandbox.static_check import validate_source
from tests.discovery.conftest import candidate


def context(tmp_path: Path, feedback=None) -> ProposalContext:
    ws = tmp_path / "ws"
    ws.mkdir(exist_ok=True)
    (ws / "template.py").write_text("# template\n")
    return ProposalContext(round=1, workspace=ws, candidate_path=ws / "candidate.py",
                           prompt="Write a controller.", history=(), seed=1, feedback=feedback)


AGENT_SCRIPT = '''#!{python}
"""A stand-in coding agent: reads the prompt file, writes candidate.py in its cwd."""
import json, sys, pathlib
prompt = pathlib.Path(sys.argv[1]).read_text()
assert "beta" in prompt
pathlib.Path("candidate.py").write_text(pathlib.Path({source!r}).read_text())
print("edited candidate.py")
print(json.dumps({{"type": "result", "total_cost_usd": 0.25,
                  "usage": {{"input_tokens": 1200, "output_tokens": 300}}}}))
'''


def test_command_proposer_drives_a_real_executable(make_run, tmp_path):
    agent = tmp_path / "fake-agent"
    src = Path(__file__).parent.parent / "candidates" / "momentum.py"
    agent.write_text(AGENT_SCRIPT.format(python=sys.executable, source=str(src)))
    agent.chmod(agent.stat().st_mode | stat.S_IEXEC)
    run = make_run(rounds=1, proposer="command",
                   proposer_settings={"command": [str(agent), "{prompt_file}"]})
    proposer = make_proposer(run.cfg.proposer.name, run.cfg.proposer.settings)
    (st,) = run_loop(run, proposer)
    assert st["status"] == "ok", st.get("error")
    assert (st["input_tokens"], st["output_tokens"], st["cost_usd"]) == (1200, 300, 0.25)
    assert "edited candidate.py" in (run.dir / "rounds" / "r0001" / "transcript.txt").read_text()
    assert (run.dir / "rounds" / "r0001" / "candidate.py").read_text() == src.read_text()


def test_command_needs_a_command():
    with pytest.raises(ProposerError, match="settings.command"):
        make_proposer("command", {})


def test_parse_usage_reads_claude_and_codex_json():
    reply = '{"total_cost_usd": 1.5, "usage": {"input_tokens": 3, "output_tokens": 4}}'
    assert parse_usage(reply) \
        == {"input_tokens": 3, "output_tokens": 4, "cost_usd": 1.5}
    assert parse_usage("plain text only") == {}


class CannedChat(BaseHTTPRequestHandler):
    """Serves canned chat-completion replies, in order; records every request body."""

    replies: list[str] = []
    requests: list[dict] = []

    def do_POST(self):  # noqa: N802 - the http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "body": body,
                                    "auth": self.headers.get("Authorization")})
        content = type(self).replies[len(type(self).requests) - 1]
        doc = {"choices": [{"message": {"role": "assistant", "content": content}}],
               "usage": {"prompt_tokens": 100, "completion_tokens": 50}}
        data = json.dumps(doc).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def canned_server():
    """A local HTTP server on 127.0.0.1 that serves CANNED replies (no model behind it)."""
    CannedChat.requests = []
    server = HTTPServer(("127.0.0.1", 0), CannedChat)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def test_openai_proposer_over_http_with_one_repair(canned_server, tmp_path, monkeypatch):
    # The canned server answers first with code that fails validation (imports os),
    # then, asked to repair, with a valid controller.
    bad = ("Here it is:\n```python\nimport os\nclass A:\n    def solve(self, e):\n"
           "        return None\n```")
    good = "Fixed:\n```python\n" + candidate("momentum.py") + "```\nDone."
    CannedChat.replies = [bad, good]
    monkeypatch.setenv("TEST_KEY", "sk-test")
    host, port = canned_server.server_address
    p = make_proposer("openai", {"model": "canned", "base_url": f"http://{host}:{port}/v1",
                                 "api_key_env": "TEST_KEY", "usd_per_mtok_in": 1.0,
                                 "usd_per_mtok_out": 2.0})
    out = p.propose(context(tmp_path))
    assert validate_source(out.source).class_name == "Momentum"
    assert len(CannedChat.requests) == 2
    first, second = CannedChat.requests
    assert first["path"] == "/v1/chat/completions" and first["auth"] == "Bearer sk-test"
    assert "import of 'os' is not allowed" in second["body"]["messages"][-1]["content"]
    assert (out.input_tokens, out.output_tokens) == (200, 100)
    assert out.cost_usd == pytest.approx((200 * 1.0 + 100 * 2.0) / 1e6)


def test_openai_proposer_in_the_loop(canned_server, make_run):
    CannedChat.replies = ["```python\n" + candidate("greedy_width.py") + "```"]
    host, port = canned_server.server_address
    run = make_run(rounds=1, proposer="openai",
                   proposer_settings={"model": "canned", "base_url": f"http://{host}:{port}/v1",
                                      "api_key_env": ""})
    (st,) = run_loop(run, make_proposer(run.cfg.proposer.name, run.cfg.proposer.settings))
    assert st["status"] == "ok", st.get("error")
    sent = CannedChat.requests[0]["body"]["messages"][1]["content"]
    assert "History: no earlier rounds." in sent and "Controller template" in sent


def test_extract_code_prefers_the_controller_block():
    reply = ("```python\nx = 1\n```\ntext\n"
             "```python\nclass A:\n    def solve(self, e):\n        pass\n```")
    assert extract_code(reply).startswith("class A")
    assert extract_code("class A: pass") == "class A: pass\n"


def test_claude_sdk_message_flow_with_a_fake_sdk(tmp_path, monkeypatch):
    # No API key here: a fake claude_agent_sdk module stands in for the real one and
    # plays the agent, writing the candidate into the working directory it was given.
    seen = {}

    class ClaudeAgentOptions:
        def __init__(self, **kw):
            seen["options"] = kw

    class AssistantMessage:
        def __init__(self, text):
            self.content = [types.SimpleNamespace(text=text)]

    class ResultMessage:
        total_cost_usd = 0.42
        usage = {"input_tokens": 10, "cache_read_input_tokens": 5, "output_tokens": 7}
        result = "done"

    async def query(prompt, options):
        seen["prompt"] = prompt
        Path(seen["options"]["cwd"], "candidate.py").write_text(candidate("momentum.py"))
        yield AssistantMessage("I wrote candidate.py")
        yield ResultMessage()

    fake = types.ModuleType("claude_agent_sdk")
    fake.ClaudeAgentOptions, fake.query = ClaudeAgentOptions, query
    monkeypatch.setitem(sys.modules, "claude_agent_sdk", fake)
    p = make_proposer("claude-sdk", {"model": "claude-test", "max_turns": 3})
    out = p.propose(context(tmp_path))
    assert seen["options"]["cwd"] == str(tmp_path / "ws") and seen["options"]["max_turns"] == 3
    assert "Write" in seen["options"]["allowed_tools"]
    assert validate_source(out.source).class_name == "Momentum"
    assert (out.cost_usd, out.input_tokens, out.output_tokens) == (0.42, 15, 7)
    assert "I wrote candidate.py" in out.transcript


def test_claude_sdk_missing_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "claude_agent_sdk", None)
    with pytest.raises(RuntimeError, match=r"pip install 'autotts-scaling\[claude\]'"):
        make_proposer("claude-sdk", {}).propose(context(tmp_path))


def test_registry():
    with pytest.raises(ProposerError, match="unknown proposer 'nope'"):
        make_proposer("nope", {})
    assert make_proposer("manual", {}).name == "manual"
    try:  # the search proposer is built by another module; resolved lazily by name
        p = make_proposer(None, {})
    except ProposerError as exc:
        assert "not available" in str(exc) or "bad settings" in str(exc)
    else:
        assert callable(p.propose)


def test_only_a_proposer_with_a_fitness_rule_gives_the_run_one():
    from autotts.discovery.proposers import ProposerError, proposer_fitness

    for name in ("manual", "command", "openai"):
        assert proposer_fitness(name, {}) is None
    rule = proposer_fitness("search", {"token_lo": 1_000, "token_hi": 2_000})
    flat = {"s": [{"beta": 0.0, "accuracy": 40.0, "tokens": 1_000.0},
                  {"beta": 1.0, "accuracy": 40.0, "tokens": 2_000.0}]}
    assert rule(flat) == pytest.approx(40.0)  # a flat curve's area is its accuracy
    falling = {"s": [{"beta": 0.0, "accuracy": 40.0, "tokens": 2_000.0},
                     {"beta": 1.0, "accuracy": 50.0, "tokens": 1_000.0}]}
    assert rule(falling) is None  # cost falling as beta rises: the search never scores it
    assert rule({"s": [{"n": 4, "accuracy": 40.0, "tokens": 1_000.0}]}) is None
    with pytest.raises(ProposerError):
        proposer_fitness("search", {"colour": "red"})
