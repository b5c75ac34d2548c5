"""End-to-end tests of `autotts.data.published` against a local HTTP server.

The server (threaded ``http.server`` on 127.0.0.1, a free port) serves
decompressed copies of the real stores from $AUTOTTS_DATA and can corrupt a
file, drop the connection mid-file, answer 503, or ignore Range headers.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rich.console import Console

from autotts.data import catalog
from autotts.data.published import (
    DigestMismatchError,
    DownloadError,
    ensure_data,
    fetch,
    published_stores,
    pull,
    resolve_base_url,
    select_published,
)


def _data_root() -> Path:
    env = os.environ.get("AUTOTTS_DATA")
    if not env:
        pytest.skip("AUTOTTS_DATA is not set; the download tests serve the real stores")
    return Path(env)


@dataclass
class ServerState:
    """What the test server serves and how it misbehaves; ``log`` records each GET."""

    root: Path
    corrupt: set[str] = field(default_factory=set)
    # path -> bytes sent before the connection is dropped (once)
    drop_after: dict[str, int] = field(default_factory=dict)
    fail: dict[str, int] = field(default_factory=dict)  # path -> number of 503s still to send
    ranges: bool = True
    log: list[tuple[str, str | None, int]] = field(default_factory=list)

    def reset(self) -> None:
        self.corrupt.clear(), self.drop_after.clear(), self.fail.clear(), self.log.clear()
        self.ranges = True


class _Handler(BaseHTTPRequestHandler):
    state: ServerState

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        rel = self.path.lstrip("/")
        range_header = self.headers.get("Range")
        path = self.state.root / rel
        if self.state.fail.get(rel, 0) > 0:
            self.state.fail[rel] -= 1
            return self._answer(rel, range_header, 503, b"busy")
        if not path.is_file():
            return self._answer(rel, range_header, 404, b"not found")
        body = path.read_bytes()
        if rel in self.state.corrupt:
            mid = len(body) // 2
            body = body[:mid] + bytes([body[mid] ^ 0xFF]) + body[mid + 1:]
        start = 0
        if range_header and self.state.ranges:
            start = int(range_header.removeprefix("bytes=").rstrip("-"))
        self.state.log.append((rel, range_header, 206 if start else 200))
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        cut = self.state.drop_after.pop(rel, None)
        if cut is not None:
            # Promise the whole body, send part of it, then hang up.
            self.wfile.write(body[start:cut])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.wfile.write(body[start:])

    def _answer(self, rel: str, range_header: str | None, code: int, body: bytes) -> None:
        self.state.log.append((rel, range_header, code))
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def upstream(tmp_path_factory) -> Path:
    """Decompressed copies of the twelve real stores, laid out like the upstream repository."""
    src = _data_root()
    dst = tmp_path_factory.mktemp("upstream")
    for name in catalog.PUBLISHED:
        out = dst / f"{name}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(gzip.decompress((src / f"{name}.json.gz").read_bytes()))
    return dst


@pytest.fixture(scope="module")
def server(upstream):
    state = ServerState(root=upstream)
    handler = type("Handler", (_Handler,), {"state": state})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"  # type: ignore[attr-defined]
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def srv(server):
    server.reset()
    yield server
    server.reset()


def _pull(root: Path, srv: ServerState, names=None, **kw):
    kw.setdefault("backoff", 0.0)
    return pull(root, names, base_url=srv.url, progress=False, **kw)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_shipped_digests_match_the_real_stores(upstream):
    table = published_stores()
    assert list(table) == list(catalog.PUBLISHED)
    for name, item in table.items():
        path = upstream / f"{name}.json"
        assert item.size == path.stat().st_size, name
        assert item.sha256 == _sha(path), name


def test_full_pull_verifies_every_store(tmp_path, srv, upstream):
    results = _pull(tmp_path, srv)
    assert [r.name for r in results] == list(catalog.PUBLISHED)
    assert {r.status for r in results} == {"downloaded"}
    for r in results:
        assert r.path == tmp_path / f"{r.name}.json"
        assert r.path.read_bytes() == (upstream / f"{r.name}.json").read_bytes()
    assert not list(tmp_path.rglob("*.part"))
    assert [ref.name for ref in catalog.find_stores(tmp_path)] == list(catalog.PUBLISHED)
    assert len(srv.log) == 12 and all(code == 200 for _, _, code in srv.log)


def test_corrupted_file_is_rejected_and_nothing_left(tmp_path, srv, upstream):
    name = "Qwen3-1.7B/aime25"
    srv.corrupt.add(f"{name}.json")
    body = bytearray((upstream / f"{name}.json").read_bytes())
    body[len(body) // 2] ^= 0xFF
    with pytest.raises(DigestMismatchError) as err:
        _pull(tmp_path, srv, [name])
    message = str(err.value)
    assert name in message
    assert published_stores()[name].sha256 in message
    assert hashlib.sha256(bytes(body)).hexdigest() in message
    assert not (tmp_path / f"{name}.json").exists()
    assert not list(tmp_path.rglob("*.part"))


def test_dropped_connection_resumes_with_range(tmp_path, srv, upstream):
    name = "Qwen3-0.6B/aime24"
    half = published_stores()[name].size // 2
    srv.drop_after[f"{name}.json"] = half
    [result] = _pull(tmp_path, srv, [name])
    assert result.status == "downloaded" and result.attempts == 2
    assert srv.log == [(f"{name}.json", None, 200), (f"{name}.json", f"bytes={half}-", 206)]
    assert result.path.read_bytes() == (upstream / f"{name}.json").read_bytes()


def test_dropped_connection_without_range_support_starts_again(tmp_path, srv, upstream):
    name = "Qwen3-8B/hmmt25"
    srv.ranges = False
    srv.drop_after[f"{name}.json"] = 1000
    [result] = _pull(tmp_path, srv, [name])
    assert result.attempts == 2
    assert [code for _, _, code in srv.log] == [200, 200]
    assert result.path.read_bytes() == (upstream / f"{name}.json").read_bytes()


def test_partial_file_from_an_earlier_pull_is_resumed(tmp_path, srv, upstream):
    name = "Qwen3-4B/aime24"
    data = (upstream / f"{name}.json").read_bytes()
    part = tmp_path / f"{name}.json.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(data[:12345])
    [result] = _pull(tmp_path, srv, [name])
    assert result.attempts == 1
    assert srv.log == [(f"{name}.json", "bytes=12345-", 206)]
    assert result.path.read_bytes() == data and not part.exists()


def test_stale_partial_file_fails_the_digest_and_is_removed(tmp_path, srv):
    name = "Qwen3-4B/aime25"
    part = tmp_path / f"{name}.json.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"x" * 5000)
    with pytest.raises(DigestMismatchError):
        _pull(tmp_path, srv, [name])
    assert not part.exists() and not (tmp_path / f"{name}.json").exists()
    [result] = _pull(tmp_path, srv, [name])  # a second pull starts clean and succeeds
    assert result.status == "downloaded"


def test_server_errors_are_retried_then_given_up(tmp_path, srv):
    name = "Qwen3-8B/aime24"
    srv.fail[f"{name}.json"] = 2
    [result] = _pull(tmp_path, srv, [name], retries=2)
    assert result.attempts == 3
    srv.log.clear()
    srv.fail["Qwen3-8B/aime25.json"] = 5
    with pytest.raises(DownloadError, match=r"Qwen3-8B/aime25: giving up .* after 3 tries"):
        _pull(tmp_path, srv, ["Qwen3-8B/aime25"], retries=2)
    assert [code for _, _, code in srv.log] == [503, 503, 503]


def test_missing_file_is_not_retried(tmp_path, srv):
    with pytest.raises(DownloadError, match="HTTP 404"):
        pull(tmp_path, ["Qwen3-8B/aime24"], base_url=srv.url + "/nowhere", progress=False,
             backoff=0.0)
    assert len(srv.log) == 1
    assert not list(tmp_path.rglob("*.json*"))


def test_present_files_are_skipped(tmp_path, srv, upstream):
    names = ["Qwen3-0.6B/aime25", "Qwen3-1.7B/hmmt25"]
    _pull(tmp_path, srv, names)
    srv.log.clear()
    results = _pull(tmp_path, srv, names)
    assert [r.status for r in results] == ["present", "present"]
    assert srv.log == []


def test_gzipped_copy_counts_as_present_and_wrong_copy_is_replaced(tmp_path, srv, upstream):
    src = _data_root()
    good, bad = "Qwen3-0.6B/hmmt25", "Qwen3-4B/hmmt25"
    (tmp_path / "Qwen3-0.6B").mkdir()
    (tmp_path / f"{good}.json.gz").write_bytes((src / f"{good}.json.gz").read_bytes())
    (tmp_path / "Qwen3-4B").mkdir()
    (tmp_path / f"{bad}.json").write_text("[]")
    results = _pull(tmp_path, srv, [good, bad])
    assert [r.status for r in results] == ["present", "replaced"]
    assert results[0].path == tmp_path / f"{good}.json.gz"
    assert results[1].path.read_bytes() == (upstream / f"{bad}.json").read_bytes()
    assert [path for path, _, _ in srv.log] == [f"{bad}.json"]


def test_ensure_data_pulls_only_when_empty(tmp_path, srv):
    out = io.StringIO()
    console = Console(file=out, width=200)
    refs = ensure_data(tmp_path, base_url=srv.url, progress=False, backoff=0.0, console=console)
    assert [r.name for r in refs] == list(catalog.PUBLISHED)
    assert f"No replay stores under {tmp_path}; downloading the 12" in out.getvalue()
    assert srv.url in out.getvalue()
    srv.log.clear()
    out.truncate(0)
    assert ensure_data(tmp_path, base_url=srv.url, progress=False, console=console) == refs
    assert srv.log == [] and out.getvalue() == ""


def test_fetch_file_url_mirror(tmp_path, upstream):
    item = published_stores()["Qwen3-1.7B/aime24"]
    dest = tmp_path / "copy.json"
    url = (upstream / "Qwen3-1.7B" / "aime24.json").as_uri()
    assert fetch(url, dest, item, backoff=0.0) == 1
    assert _sha(dest) == item.sha256


def test_select_published_and_base_url(monkeypatch):
    assert [p.name for p in select_published(["search"])] == list(catalog.SEARCH_SPLIT)
    assert len(select_published(None)) == 12
    with pytest.raises(DownloadError, match="'Qwen3-2B/aime24' is not a published store"):
        select_published(["Qwen3-2B/aime24"])
    monkeypatch.delenv("AUTOTTS_BASE_URL", raising=False)
    assert resolve_base_url().endswith("3cd98d12c7cb999afc5c21381f22ea5811ac6c05/"
                                       "efficient_reasoning_controller/test_environment")
    monkeypatch.setenv("AUTOTTS_BASE_URL", "http://mirror/x/")
    assert resolve_base_url() == "http://mirror/x"
    assert resolve_base_url("http://other") == "http://other"
