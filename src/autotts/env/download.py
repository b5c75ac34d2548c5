"""Downloading the published replay stores (``autotts data pull``).

The twelve stores are fetched from the authors' repository at a pinned commit
and each file's SHA-256 is checked against the digests shipped in
``autotts/data/published.json``. A file is written to ``<dest>.part``,
verified, then moved into place with ``os.replace``, so a killed pull never
leaves a half-written store. A broken transfer resumes with an HTTP Range
request from the ``.part`` size when the server honours it (a fresh download
otherwise); connection errors and 5xx answers are retried with exponential
backoff a bounded number of times.

HTTP is done with the standard library's urllib rather than httpx: the job is
a dozen sequential GETs of ~3 MB files with an optional Range header, which
urllib does well, and it keeps the core install free of an HTTP client
dependency. urllib also reads ``file://`` base URLs (a local mirror).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.client
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable

from rich.console import Console

from autotts import __version__
from autotts.env.catalog import PUBLISHED, SPLITS, StoreRef, find_stores
from autotts.errors import AutoTTSError, InputError
from autotts.progress import make_progress

PUBLISHED_REPOSITORY = "zhengkid/AutoTTS"
PUBLISHED_COMMIT = "3cd98d12c7cb999afc5c21381f22ea5811ac6c05"
DEFAULT_BASE_URL = (f"https://raw.githubusercontent.com/{PUBLISHED_REPOSITORY}/{PUBLISHED_COMMIT}"
                    "/efficient_reasoning_controller/test_environment")
BASE_URL_ENV = "AUTOTTS_BASE_URL"
CHUNK = 1 << 16

Report = Callable[[int], None]


class DownloadError(AutoTTSError, RuntimeError):
    """A published store could not be downloaded or verified."""


class UnpublishedStoreError(InputError, DownloadError):
    """A store name asked for is not among the published ones (bad usage, exit code 2)."""


class DigestMismatchError(DownloadError):
    """A downloaded file's SHA-256 differs from the published digest."""

    def __init__(self, name: str, url: str, expected: str, actual: str, size: int):
        super().__init__(f"{name}: SHA-256 mismatch for {url}: expected {expected}, got "
                         f"{actual} ({size} bytes); the download was discarded")
        self.name, self.url, self.expected, self.actual = name, url, expected, actual


class _Transient(Exception):
    """A failure worth retrying (connection error, 5xx, short body)."""


class _RangeRefused(_Transient):
    """HTTP 416: the partial file does not fit the server's; start afresh."""


@dataclass(frozen=True)
class Published:
    """One published store: name ``MODEL/DATASET``, SHA-256 and byte size of its ``.json``."""

    name: str
    sha256: str
    size: int

    def dest(self, root: Path) -> Path:
        return root / f"{self.name}.json"


@dataclass(frozen=True)
class PullResult:
    """Outcome for one store: status is ``present``, ``downloaded`` or ``replaced``."""

    name: str
    path: Path
    status: str
    attempts: int = 0


@functools.lru_cache(maxsize=1)
def published_stores() -> dict[str, Published]:
    """Returns the shipped digests, keyed by store name, in the published order."""
    text = resources.files("autotts").joinpath("data/published.json").read_text("utf-8")
    stores = json.loads(text)["stores"]
    return {name: Published(name, stores[name]["sha256"], int(stores[name]["size"]))
            for name in PUBLISHED}


def resolve_base_url(base_url: str | None = None) -> str:
    """Returns ``base_url``, else ``$AUTOTTS_BASE_URL``, else the pinned upstream URL."""
    url = base_url or os.environ.get(BASE_URL_ENV, "").strip() or DEFAULT_BASE_URL
    return url.rstrip("/")


def select_published(names: list[str] | tuple[str, ...] | None) -> list[Published]:
    """Returns the published stores named (``MODEL/DATASET`` or a split name); all if none."""
    table = published_stores()
    if not names:
        return list(table.values())
    chosen: dict[str, Published] = {}
    for name in names:
        expanded = SPLITS.get(name, (name,))
        for one in expanded:
            if one not in table:
                raise UnpublishedStoreError(f"'{name}' is not a published store; choose from "
                                    f"{', '.join(SPLITS)} or {', '.join(table)}")
            chosen.setdefault(one, table[one])
    return list(chosen.values())


def sha256_bytes_of(path: Path) -> str:
    """Returns the hex SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _store_digest(path: Path, item: Published) -> str | None:
    """SHA-256 of the store's JSON bytes (decompressed for .gz); None when unreadable."""
    try:
        if path.name.endswith(".gz"):
            return hashlib.sha256(gzip.decompress(path.read_bytes())).hexdigest()
        if path.stat().st_size != item.size:
            return None  # cheap rejection before hashing
        return sha256_bytes_of(path)
    except (OSError, EOFError, zlib.error):
        return None


def find_verified(root: Path, item: Published) -> Path | None:
    """Returns the existing ``.json`` or ``.json.gz`` copy of ``item`` whose digest matches."""
    for path in (item.dest(root), root / f"{item.name}.json.gz"):
        if path.is_file() and _store_digest(path, item) == item.sha256:
            return path
    return None


def _open(url: str, offset: int, timeout: float):
    """Opens ``url`` from byte ``offset``; raises _Transient for retryable failures."""
    headers = {"User-Agent": f"autotts/{__version__}"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 416:
            raise _RangeRefused(f"HTTP 416 for Range {offset}-") from None
        if exc.code >= 500 or exc.code in (408, 429):
            raise _Transient(f"HTTP {exc.code} {exc.reason}") from None
        raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, FileNotFoundError):
            raise DownloadError(f"{url}: no such file") from None
        raise _Transient(f"cannot connect ({exc.reason})") from None
    except ValueError as exc:  # malformed or unsupported URL: retrying cannot help
        raise DownloadError(f"{url}: {exc}") from None
    except (http.client.HTTPException, OSError) as exc:
        raise _Transient(f"connection failed ({exc!r})") from None


def _resume_offset(response, offset: int) -> int:
    """Byte offset the response body starts at: ``offset`` for a matching 206, else 0."""
    status = getattr(response, "status", None) or 200
    if status != 206:
        return 0  # the server ignored Range (or was not asked): a fresh download
    content_range = response.headers.get("Content-Range", "")
    if not content_range.startswith(f"bytes {offset}-"):
        raise _Transient(f"server answered Range {offset}- with '{content_range}'")
    return offset


def _copy_body(response, fh, start: int, limit: int, report: Report | None) -> int:
    """Streams the body into ``fh``; returns the byte count of the file afterwards."""
    received = start
    while True:
        try:
            chunk = response.read(CHUNK)
        except (http.client.HTTPException, OSError) as exc:
            raise _Transient(f"connection broken after {received} bytes ({exc!r})") from None
        if not chunk:
            return received
        fh.write(chunk)
        received += len(chunk)
        if received > limit:
            raise DownloadError(f"{response.geturl()}: server sent more than the expected "
                                f"{limit} bytes")
        if report:
            report(received)


def _transfer(url: str, part: Path, item: Published, timeout: float, report: Report | None) -> None:
    """One request: appends to ``part`` (resume) or rewrites it; _Transient if cut short."""
    offset = part.stat().st_size if part.exists() else 0
    if offset == item.size:
        return  # the previous try got every byte; verification decides
    if offset > item.size:
        part.unlink()
        offset = 0
    try:
        response = _open(url, offset, timeout)
    except _RangeRefused:
        part.unlink(missing_ok=True)
        raise
    with response:
        try:
            start = _resume_offset(response, offset)
        except _Transient:
            part.unlink(missing_ok=True)
            raise
        length = response.headers.get("Content-Length")
        with open(part, "ab" if start else "wb") as fh:
            received = _copy_body(response, fh, start, item.size, report)
    expected = start + int(length) if length and length.isdigit() else item.size
    if received < expected:
        raise _Transient(f"connection closed after {received} of {expected} bytes")


def _commit(part: Path, dest: Path, item: Published, url: str) -> None:
    """Verifies ``part`` and moves it onto ``dest``; deletes it on a digest mismatch."""
    actual = sha256_bytes_of(part)
    if actual != item.sha256:
        size = part.stat().st_size
        part.unlink(missing_ok=True)
        raise DigestMismatchError(item.name, url, item.sha256, actual, size)
    os.replace(part, dest)


def fetch(url: str, dest: Path, item: Published, *, retries: int = 4, backoff: float = 0.5,
          timeout: float = 30.0, report: Report | None = None) -> int:
    """Downloads ``url`` to ``dest`` atomically and verifies it; returns the tries used.

    Raises DigestMismatchError (nothing left behind) or DownloadError after
    ``retries + 1`` failed tries (the ``.part`` is kept so a later pull resumes).
    """
    part = dest.with_name(dest.name + ".part")
    dest.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(retries + 1):
        try:
            _transfer(url, part, item, timeout, report)
            break
        except _Transient as exc:
            if attempt == retries:
                raise DownloadError(
                    f"{item.name}: giving up on {url} after {attempt + 1} tries: {exc}. "
                    f"Run the pull again to resume from {part.name}") from None
            time.sleep(min(backoff * 2 ** attempt, 30.0))
        except DownloadError:
            part.unlink(missing_ok=True)
            raise
    _commit(part, dest, item, url)
    return attempt + 1


def pull(root: str | os.PathLike[str], names: list[str] | tuple[str, ...] | None = None, *,
         base_url: str | None = None, retries: int = 4, backoff: float = 0.5,
         timeout: float = 30.0, console: Console | None = None,
         progress: bool = True) -> list[PullResult]:
    """Downloads the published stores named (all by default) into ``root``.

    Stores already present with the right digest (as ``.json`` or
    ``.json.gz``) are skipped. Returns one PullResult per store, in order.
    Raises DownloadError (or DigestMismatchError) on the first store that fails.
    """
    root, base = Path(root), resolve_base_url(base_url)
    console = console or Console(stderr=True)
    items = select_published(names)
    results: dict[str, PullResult] = {}
    todo: list[Published] = []
    for item in items:
        found = find_verified(root, item)
        if found is not None:
            results[item.name] = PullResult(item.name, found, "present")
        else:
            todo.append(item)
    with make_progress(unit="bytes", console=console, enabled=progress, transient=False,
                       label_width=0) as bar:
        for item in todo:
            url = f"{base}/{urllib.parse.quote(item.name)}.json"
            dest = item.dest(root)
            status = "replaced" if dest.exists() else "downloaded"
            task = bar.add_task(item.name, total=item.size)
            attempts = fetch(url, dest, item, retries=retries, backoff=backoff, timeout=timeout,
                             report=lambda n, t=task: bar.update(t, completed=n))
            bar.update(task, completed=item.size)
            results[item.name] = PullResult(item.name, dest, status, attempts)
    return [results[item.name] for item in items]


def ensure_data(root: str | os.PathLike[str], *, console: Console | None = None,
                **pull_options) -> list[StoreRef]:
    """Returns the stores under ``root``, first pulling the published ones if there are none."""
    root = Path(root)
    refs = find_stores(root)
    if refs:
        return refs
    console = console or Console(stderr=True)
    total_mb = sum(p.size for p in published_stores().values()) / 1e6
    base = resolve_base_url(pull_options.get("base_url"))
    console.print(f"No replay stores under {root}; downloading the {len(PUBLISHED)} published "
                  f"stores ({total_mb:.0f} MB) from {base}")
    pull(root, console=console, **pull_options)
    return find_stores(root)
