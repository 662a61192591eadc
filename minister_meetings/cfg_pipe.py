"""`CfgPipe`: the serialization shared by the components that have no weights, only a cfg."""
from __future__ import annotations

from typing import Any, Dict, Iterable

import srsly
from spacy.pipeline import Pipe
from spacy.util import SimpleFrozenList, ensure_path


class CfgPipe(Pipe):
    """A `Pipe` whose whole state is `self.cfg`, written as msgpack bytes or as a `cfg` JSON file.

    Subclasses override `_load_cfg` when a loaded cfg must be checked or rebuilds derived state.
    A component folder without a `cfg` file keeps the values the pipeline's config gave it.
    """

    cfg: Dict[str, Any]

    def _load_cfg(self, cfg: Dict[str, Any]) -> None:
        self.cfg = dict(cfg)

    def to_bytes(self, *, exclude: Iterable[str] = SimpleFrozenList()) -> bytes:
        return srsly.msgpack_dumps(self.cfg)

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = SimpleFrozenList()) -> "CfgPipe":
        self._load_cfg(srsly.msgpack_loads(bytes_data))
        return self

    def to_disk(self, path, *, exclude: Iterable[str] = SimpleFrozenList()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg", self.cfg)

    def from_disk(self, path, *, exclude: Iterable[str] = SimpleFrozenList()) -> "CfgPipe":
        cfg_path = ensure_path(path) / "cfg"
        if cfg_path.exists():
            self._load_cfg(srsly.read_json(cfg_path))
        return self


__all__ = ["CfgPipe"]
