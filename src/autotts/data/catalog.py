"""Finding replay stores: the data directory, the files in it, and store names.

A data directory holds ``<Model>/<dataset>.json`` or ``<Model>/<dataset>.json.gz``
files. It is chosen as ``--data DIR``, else ``$AUTOTTS_DATA``, else the user
cache directory that ``autotts data pull`` fills. Stores are named
``MODEL/DATASET``; the names ``all``, ``search`` and ``held-out`` stand for the
published stores and the paper's two splits (aime24 is searched on, aime25 and
hmmt25 are held out).
"""

from __future__ import annotations

import fnmatch
import functools
import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_cache_dir

from autotts.env.store import ReplayStore, load_store, store_name_from_path
from autotts.errors import InputError

MODELS: tuple[str, ...] = ("Qwen3-0.6B", "Qwen3-1.7B", "Qwen3-4B", "Qwen3-8B")
DATASETS: tuple[str, ...] = ("aime24", "aime25", "hmmt25")
SEARCH_DATASETS: tuple[str, ...] = ("aime24",)
HELD_OUT_DATASETS: tuple[str, ...] = ("aime25", "hmmt25")

#: Store names (``MODEL/DATASET``) of the published stores and of each split.
PUBLISHED: tuple[str, ...] = tuple(f"{m}/{d}" for m in MODELS for d in DATASETS)
SEARCH_SPLIT: tuple[str, ...] = tuple(f"{m}/{d}" for m in MODELS for d in SEARCH_DATASETS)
HELD_OUT_SPLIT: tuple[str, ...] = tuple(f"{m}/{d}" for m in MODELS for d in HELD_OUT_DATASETS)
SPLITS: dict[str, tuple[str, ...]] = {
    "all": PUBLISHED, "search": SEARCH_SPLIT, "held-out": HELD_OUT_SPLIT,
}

DATA_ENV = "AUTOTTS_DATA"
STORE_SUFFIXES = (".json", ".json.gz")


class CatalogError(InputError, ValueError):
    """A store name, split name or data directory cannot be resolved."""


@dataclass(frozen=True)
class StoreRef:
    """Where one store lives: ``model``/``dataset`` name, file path and byte size."""

    model: str
    dataset: str
    path: Path
    size: int

    @property
    def name(self) -> str:
        return f"{self.model}/{self.dataset}"


def default_data_dir() -> Path:
    """The per-user cache directory that ``autotts data pull`` fills by default."""
    return Path(user_cache_dir("autotts")) / "replay"


def resolve_data_dir(data: str | os.PathLike[str] | None = None) -> Path:
    """Returns ``data`` if given, else ``$AUTOTTS_DATA`` if non-empty, else the cache dir."""
    if data is not None and str(data) != "":
        return Path(data).expanduser()
    env = os.environ.get(DATA_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return default_data_dir()


def _ref_for_file(path: Path) -> StoreRef | None:
    if not path.is_file() or not path.name.endswith(STORE_SUFFIXES):
        return None
    model, dataset = store_name_from_path(path).split("/", 1)
    return StoreRef(model=model, dataset=dataset, path=path, size=path.stat().st_size)


def find_stores(root: str | os.PathLike[str]) -> list[StoreRef]:
    """Returns every ``<Model>/<dataset>.json[.gz]`` under ``root``, sorted by name.

    A missing ``root`` yields an empty list. When both ``x.json`` and
    ``x.json.gz`` exist, the plain ``.json`` (what ``data pull`` writes) wins so
    that each name appears once. Partial downloads (``.part``) are ignored.
    """
    root = Path(root)
    if not root.is_dir():
        return []
    found: dict[str, StoreRef] = {}
    for model_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        # Sorting puts "x.json" before "x.json.gz", so setdefault keeps the plain file.
        for path in sorted(model_dir.iterdir()):
            ref = _ref_for_file(path)
            if ref is not None:
                found.setdefault(ref.name, ref)
    return [found[name] for name in sorted(found)]


def _expand(spec: str, by_name: dict[str, StoreRef], root: Path) -> list[StoreRef]:
    """Store refs named by one spec; raises CatalogError when it names nothing found."""
    if spec in SPLITS:
        missing = [n for n in SPLITS[spec] if n not in by_name]
        if missing:
            raise CatalogError(
                f"'{spec}' needs {len(SPLITS[spec])} stores but {len(missing)} are missing "
                f"under {root}: {', '.join(missing)}. Run `autotts data pull` to download them.")
        return [by_name[n] for n in SPLITS[spec]]
    if spec.endswith(STORE_SUFFIXES) and Path(spec).is_file():
        return [_ref_for_file(Path(spec))]  # type: ignore[list-item]
    if any(ch in spec for ch in "*?["):
        hits = [ref for name, ref in by_name.items() if fnmatch.fnmatchcase(name, spec)]
        if hits:
            return hits
    elif spec in by_name:
        return [by_name[spec]]
    raise CatalogError(_unknown_message(spec, by_name, root))


def _unknown_message(spec: str, by_name: dict[str, StoreRef], root: Path) -> str:
    if spec in PUBLISHED:
        return (f"store '{spec}' is not under {root}. Run `autotts data pull` to download "
                f"the published stores, or point --data / ${DATA_ENV} at them.")
    if not by_name:
        return (f"no store named '{spec}': no stores found under {root}. Run `autotts data "
                f"pull` or point --data / ${DATA_ENV} at a directory of "
                "<Model>/<dataset>.json files.")
    names = ", ".join(by_name)
    return (f"no store named '{spec}' under {root}. Use MODEL/DATASET, a store file path, "
            f"or one of {', '.join(SPLITS)}. Available: {names}")


def resolve_envs(specs: list[str] | tuple[str, ...],
                 root: str | os.PathLike[str]) -> list[StoreRef]:
    """Returns the stores named by ``specs``, in order and without repeats.

    A spec is ``MODEL/DATASET``, a split name (``all``, ``search``,
    ``held-out``), a glob such as ``Qwen3-4B/*``, or a path to a store file.
    Raises CatalogError naming what exists when a spec matches nothing.
    """
    root = Path(root)
    if not specs:
        raise CatalogError("no stores named; give MODEL/DATASET or one of "
                           f"{', '.join(SPLITS)}")
    by_name = {ref.name: ref for ref in find_stores(root)}
    chosen: dict[Path, StoreRef] = {}
    for spec in specs:
        for ref in _expand(spec.strip(), by_name, root):
            chosen.setdefault(ref.path, ref)
    return list(chosen.values())


@functools.lru_cache(maxsize=32)
def _load_cached(path: str, name: str, mtime_ns: int, size: int) -> ReplayStore:
    # mtime and size are part of the key so a rewritten file is loaded afresh.
    return load_store(path, name=name)


def load(ref: StoreRef) -> ReplayStore:
    """Returns the compiled store for ``ref``, cached in-process (same object on repeat calls)."""
    try:
        stat = ref.path.stat()
    except OSError:
        return load_store(ref.path, name=ref.name)  # raises StoreError naming the file
    return _load_cached(str(ref.path), ref.name, stat.st_mtime_ns, stat.st_size)
