"""Moving bytes: one file over HTTP(S) or ``file://``, resumed, retried, verified.

A file is written to ``<dest>.part``, checked against its SHA-256, then moved
into place with ``os.replace``, so a killed transfer never leaves a
half-written file. A broken transfer resumes with an HTTP Range request from
the ``.part`` size when the server honours it (a fresh download otherwise);
connection errors and 5xx answers are retried with exponential backoff a
bounded number of times.

HTTP is done with the standard library's urllib rather than httpx: the job is
a dozen sequential GETs of ~3 MB files with an optional Range header, which
urllib does well, and it keeps the core install free of an HTTP client
dependency. urllib also reads ``file://`` base URLs (a local mirror).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable, Protocol

from autotts import __version__
from autotts.errors import AutoTTSError

CHUNK = 1 << 16
Report = Callable[[int], None]


class Expected(Protocol):
    """What a transfer checks the bytes against (a published store is one)."""

    name: str
    sha256: str
    size: int


class DownloadError(AutoTTSError, RuntimeError):
    """A published store could not be downloaded or verified."""


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


def sha256_bytes_of(path: Path) -> str:
    """Returns the hex SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


def _transfer(url: str, part: Path, item: Expected, timeout: float, report: Report | None) -> None:
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


def _commit(part: Path, dest: Path, item: Expected, url: str) -> None:
    """Verifies ``part`` and moves it onto ``dest``; deletes it on a digest mismatch."""
    actual = sha256_bytes_of(part)
    if actual != item.sha256:
        size = part.stat().st_size
        part.unlink(missing_ok=True)
        raise DigestMismatchError(item.name, url, item.sha256, actual, size)
    os.replace(part, dest)


def fetch(url: str, dest: Path, item: Expected, *, retries: int = 4, backoff: float = 0.5,
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
