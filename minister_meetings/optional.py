"""Imports of the optional bulk dependencies, with one message saying how to install them.

The model wheels require only spaCy and this package's core: a user who only runs `nlp(text)`
should not download Dask, Arrow and DuckDB. The bulk commands (Dask engine, Parquet, dates,
merge, database, graph) import their libraries through `require`, which names the extra.
"""
from __future__ import annotations

import importlib
from types import ModuleType

INSTALL_HINT = 'pip install "minister-meetings[bulk]"'


def require(module: str) -> ModuleType:
    """Import `module` or fail with an ImportError that says which extra provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(f"{module} is needed for bulk extraction, merging and the database; install it with: {INSTALL_HINT}") from error
