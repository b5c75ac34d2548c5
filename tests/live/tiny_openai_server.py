"""A minimal OpenAI-compatible test server, written by us for these tests.

It is NOT vLLM, SGLang or llama.cpp: it is a small stdlib ``http.server``
around the in-process :class:`~autotts.live.hf_backend.HFBackend`, speaking
the subset of vLLM's HTTP API that the collector uses: ``GET /v1/models``,
``GET /version``, ``POST /tokenize`` (``prompt`` or chat ``messages``),
``POST /detokenize`` and ``POST /v1/completions`` with a token-id prompt,
``seed`` and ``return_token_ids``. ``fail_first`` makes the first N
completion requests answer 503, to exercise the client's retries.
It listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from autotts.live.backend import Sampling


class TinyOpenAIServer:
    """Serve ``backend`` on 127.0.0.1 (a free port) in a daemon thread."""

    def __init__(self, backend, name: str = "tiny", fail_first: int = 0):
        self.backend, self.name, self.fail_left = backend, name, fail_first
        self.completions = 0
        self.failures = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def _send(self, code: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/v1/models":
                    return self._send(200, {"object": "list", "data": [{"id": server.name}]})
                if self.path == "/version":
                    return self._send(200, {"version": "tiny-test-server"})
                self._send(404, {"error": "not found"})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                route = {"/tokenize": server.tokenize, "/detokenize": server.detokenize,
                         "/v1/completions": server.complete}.get(self.path)
                if route is None:
                    return self._send(404, {"error": "not found"})
                self._send(*route(body))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def tokenize(self, body: dict) -> tuple[int, dict]:
        tok = self.backend.tokenizer.tok
        if "messages" in body:
            text = tok.apply_chat_template(body["messages"], tokenize=False,
                                           add_generation_prompt=body.get("add_generation_prompt"))
            return 200, {"tokens": tok.encode(text, add_special_tokens=False)}
        return 200, {"tokens": tok.encode(body["prompt"],
                                          add_special_tokens=body.get("add_special_tokens", True))}

    def detokenize(self, body: dict) -> tuple[int, dict]:
        return 200, {"prompt": self.backend.decode(body["tokens"])}

    def complete(self, body: dict) -> tuple[int, dict]:
        with self._lock:
            if self.fail_left > 0:
                self.fail_left -= 1
                self.failures += 1
                return 503, {"error": "overloaded (injected by the test)"}
            self.completions += 1
        prompt = body["prompt"]
        if not (isinstance(prompt, list) and all(isinstance(t, int) for t in prompt)):
            return 400, {"error": "this test server takes token-id prompts only"}
        t = body.get("temperature", 1.0)
        sampling = Sampling(t, body.get("top_p", 1.0), body.get("top_k", -1)) if t > 0 else None
        gen = self.backend._generate(prompt, body["max_tokens"], sampling, body.get("seed"))
        choice = {"index": 0, "text": gen.text, "finish_reason": gen.finish_reason}
        if body.get("return_token_ids"):
            choice["token_ids"] = gen.token_ids
        return 200, {"object": "text_completion", "model": self.name, "choices": [choice],
                     "usage": {"prompt_tokens": len(prompt),
                               "completion_tokens": len(gen.token_ids)}}

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
