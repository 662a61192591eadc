"""How rows are stored: Parquet files with fixed schemas, and one DuckDB file to query them with SQL.

Parquet is what Dask workers write (one file per partition and table) and what other tools read;
DuckDB (`meetings.duckdb`, tables documents, meetings, mentions, events, people) lets an analyst
ask `SELECT ... FROM events WHERE ...` with no server. The schemas are fixed here, once, so that
an empty partition still writes a file every reader understands, and every file of a table has the
same columns whichever worker wrote it. Dates are ISO strings in Parquet and DATE in DuckDB.
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List

from .optional import require

TABLES = ("documents", "meetings", "mentions", "events", "people")
_DATE_COLUMNS = {"documents": ("article_date",), "meetings": ("date_start", "date_end", "article_date"), "events": ("date_start", "date_end")}


def schemas() -> Dict[str, object]:
    """The Arrow schema of each table (meetings rows are those of `bulk.document_rows`)."""
    pa = require("pyarrow")
    text = pa.string()
    participant = pa.struct([("key", text), ("name", text), ("label", text), ("roles", pa.list_(text))])
    meeting_columns = [
        ("source", text), ("meeting", pa.int32()), ("participants", pa.list_(participant)), ("date", text),
        ("date_start", text), ("date_end", text), ("article_date", text), ("place", text), ("place_in_sentence", pa.bool_()),
        ("summit", text), ("sentence", text), ("score", pa.float64()), ("sources", pa.list_(text)),
    ]
    return {
        "documents": pa.schema([
            ("source", text), ("partition", text), ("article_date", text), ("date_origin", text),
            ("characters", pa.int64()), ("meetings", pa.int32()), ("meta", text),
        ]),
        "meetings": pa.schema(meeting_columns),
        # the database's meetings: the same columns, with their id and their event
        "merged_meetings": pa.schema([("meeting_id", text), ("event_id", text), *meeting_columns]),
        "mentions": pa.schema([
            ("meeting_id", text), ("event_id", text), ("source", text), ("person", text), ("name", text),
            ("label", text), ("roles", pa.list_(text)),
        ]),
        "events": pa.schema([
            ("event_id", text), ("participants", pa.list_(participant)), ("date_start", text), ("date_end", text),
            ("date_mentions", pa.list_(text)), ("place", text), ("summit", text), ("documents", pa.list_(text)),
            ("n_documents", pa.int32()), ("meetings", pa.list_(text)), ("sentences", pa.list_(text)), ("confidence", pa.float64()),
        ]),
        "people": pa.schema([
            ("person", text), ("name", text), ("label", text), ("roles", pa.list_(text)), ("meetings", pa.int32()), ("events", pa.int32()),
        ]),
    }


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside `path`, renamed to it when the block succeeds: a reader (or a
    rerun deciding what is done) never sees half a file; on failure nothing is left."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
        Path(str(temporary) + ".wal").unlink(missing_ok=True)  # DuckDB's journal, if a build failed


def write_parquet(rows: List[dict], schema: str, path: Path) -> None:
    """Rows to a Parquet file with the table's fixed schema, atomically."""
    pa = require("pyarrow")
    pq = require("pyarrow.parquet")
    with atomic_path(path) as temporary:
        pq.write_table(pa.Table.from_pylist(rows, schema=schemas()[schema]), temporary)


def read_parquet_rows(path: Path) -> List[dict]:
    return require("pyarrow.parquet").read_table(path).to_pylist()


def write_database(folder: Path, tables: Dict[str, List[dict]]) -> Path:
    """Parquet files `folder/<table>.parquet` and the DuckDB file `folder/meetings.duckdb` holding all five tables.

    `tables` maps each name of TABLES to its rows; meetings rows carry `meeting_id` and `event_id`.
    The database is built under a temporary name and renamed, like every output.
    """
    duckdb = require("duckdb")
    folder = Path(folder)
    for table in TABLES:
        write_parquet(tables[table], "merged_meetings" if table == "meetings" else table, folder / f"{table}.parquet")
    database = folder / "meetings.duckdb"
    with atomic_path(database) as temporary, duckdb.connect(str(temporary)) as connection:
        for table in TABLES:
            casts = ", ".join(f"CAST({column} AS DATE) AS {column}" for column in _DATE_COLUMNS.get(table, ()))
            columns = f"* REPLACE ({casts})" if casts else "*"
            parquet = str(folder / f"{table}.parquet").replace("'", "''")
            connection.execute(f"CREATE TABLE {table} AS SELECT {columns} FROM read_parquet('{parquet}')")
    return database
