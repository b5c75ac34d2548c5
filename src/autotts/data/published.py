"""The published replay stores (``autotts data pull``): which exist, where to
get them, which local copies are verified, and fetching the missing ones.

The twelve stores are fetched from the authors' repository at a pinned commit
(:mod:`autotts.data.transfer` moves the bytes) and each file's SHA-256 is
checked against the digests shipped in ``autotts/data/published.json``.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import os
import urllib.parse
import zlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rich.console import Console

from autotts.data.catalog import PUBLISHED, SPLITS, StoreRef, find_stores
from autotts.data.transfer import DigestMismatchError, DownloadError, fetch, sha256_bytes_of
from autotts.errors import InputError
from autotts.progress import make_progress

__all__ = ["DigestMismatchError", "DownloadError", "UnpublishedStoreError", "Published",
           "PullResult", "ensure_data", "fetch", "find_verified", "published_stores", "pull",
           "resolve_base_url", "select_published", "sha256_bytes_of"]

PUBLISHED_REPOSITORY = "zhengkid/AutoTTS"
PUBLISHED_COMMIT = "3cd98d12c7cb999afc5c21381f22ea5811ac6c05"
DEFAULT_BASE_URL = (f"https://raw.githubusercontent.com/{PUBLISHED_REPOSITORY}/{PUBLISHED_COMMIT}"
                    "/efficient_reasoning_controller/test_environment")
BASE_URL_ENV = "AUTOTTS_BASE_URL"


class UnpublishedStoreError(InputError, DownloadError):
    """A store name asked for is not among the published ones (bad usage, exit code 2)."""


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
