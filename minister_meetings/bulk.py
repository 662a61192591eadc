"""Bulk extraction: an archive of articles to plain rows, in this process or on a Dask cluster.

One core, `extract_rows`, turns a batch of records (source, text, meta) into plain row dicts
(one per document, one per meeting): no `Doc` and no `nlp` ever cross a process boundary, so the
local path and every Dask worker produce the same rows. The input is cut into partitions (a group
of .txt/.html files, one .jsonl file, one Parquet row group); each partition becomes one Parquet
file per table, written to a temporary name and renamed, so a rerun skips finished partitions and
a failed or killed partition is redone without duplicates. Reading is done through fsspec, so a
local folder, a glob or any fsspec URL (s3://, gs://, ...) is an input.
"""
from __future__ import annotations

import hashlib
import json
import os
import resource
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from .dates import article_date, resolve
from .optional import require
from .store import write_parquet

SUFFIXES = (".txt", ".html", ".htm", ".jsonl", ".parquet")
TEXT_SUFFIXES = (".txt", ".html", ".htm")
# documents per memory zone: spaCy frees the strings of a zone's documents when it closes
ZONE_SIZE = 2000
Skip = Tuple[str, str]  # (file, FILE:LINE or partition; reason)


class BulkError(Exception):
    """A run that cannot start at all (no scheduler at the address, no input found)."""


class _TextExtractor(HTMLParser):
    """Visible text of an HTML page: scripts and styles dropped, blocks on their own lines."""

    _BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "article", "section", "header", "footer", "figcaption", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: List[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("script", "style", "noscript"):
            self._skip += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "noscript"):
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class Record:
    """One document to read: where it comes from, its text, and its other fields (a `date`, a `url`...)."""

    source: str
    text: str
    meta: Dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Partition:
    """A unit of work and of output: a group of text files, one JSONL file or one Parquet row group."""

    kind: str  # "files", "jsonl" or "parquet"
    paths: Tuple[str, ...]
    row_group: Optional[int] = None
    first_row: int = 0  # row number (0-based) of the row group's first row in its file

    @property
    def label(self) -> str:
        if self.kind == "parquet":
            return f"{self.paths[0]}#row-group-{self.row_group}"
        if self.kind == "files" and len(self.paths) > 1:
            return f"{self.paths[0]} (+{len(self.paths) - 1} files)"
        return self.paths[0]

    @property
    def id(self) -> str:
        """A name that stays the same from one run to the next, hence the output file of a rerun."""
        spec = json.dumps([self.kind, list(self.paths), self.row_group])
        return hashlib.sha1(spec.encode("utf8")).hexdigest()[:16]


@dataclass
class Summary:
    """What a run did, and everything it skipped, by name."""

    documents: int = 0
    meetings: int = 0
    resumed: int = 0
    skipped: List[Skip] = field(default_factory=list)
    partitions_written: int = 0
    partitions_resumed: int = 0
    partitions_empty: int = 0
    failed: List[Skip] = field(default_factory=list)
    peak_rss_mb: Dict[str, float] = field(default_factory=dict)  # worker (pid or Dask address) -> MB
    load_seconds: Dict[str, float] = field(default_factory=dict)  # worker -> seconds spent loading the pipeline
    partitioned: bool = False

    def add(self, result: dict) -> None:
        """Count one partition's result (see `process_partition`)."""
        status = result["status"]
        if status == "failed":
            self.failed.append((result["partition"], result["error"]))
            return
        self.skipped.extend(tuple(item) for item in result.get("skipped", []))
        if status == "resumed":
            self.partitions_resumed += 1
            return
        self.documents += result["documents"]
        self.meetings += result["meetings"]
        self.partitions_written += 1
        if result["documents"] == 0:
            self.partitions_empty += 1
        worker = str(result["worker"])
        self.peak_rss_mb[worker] = max(self.peak_rss_mb.get(worker, 0.0), result["peak_rss_mb"])
        self.load_seconds[worker] = round(self.load_seconds.get(worker, 0.0) + result["load_seconds"], 2)

    def report(self) -> str:
        lines = [f"{self.documents} documents processed, {self.meetings} meetings written, "
                 f"{self.resumed} skipped as already done, {len(self.skipped)} inputs skipped as unreadable"]
        if self.partitioned:
            lines.append(f"partitions: {self.partitions_written} written ({self.partitions_empty} empty), "
                         f"{self.partitions_resumed} skipped as already done, {len(self.failed)} failed")
        lines += [f"  skipped {source}: {reason}" for source, reason in self.skipped]
        lines += [f"  failed partition {partition}: {reason} (rerun to redo it)" for partition, reason in self.failed]
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {
            "documents": self.documents, "meetings": self.meetings, "skipped": [list(item) for item in self.skipped],
            "partitions_written": self.partitions_written, "partitions_resumed": self.partitions_resumed,
            "partitions_empty": self.partitions_empty, "failed": [list(item) for item in self.failed],
            "peak_rss_mb": self.peak_rss_mb, "load_seconds": self.load_seconds,
        }


# ---------------------------------------------------------------- inputs

def _filesystem(url: str):
    from fsspec.core import url_to_fs  # a dependency of the package itself: jsonl/csv extraction reads through it too

    return url_to_fs(url)


def _suffix(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _name(fs, path: str) -> str:
    """How a file is named in rows and messages: its path for local files, its URL otherwise."""
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    return path if protocol in ("file", "local") else fs.unstrip_protocol(path)


def list_files(inputs: Sequence[str], summary: Summary) -> List[Tuple[object, str]]:
    """(filesystem, path) of every input file: folders searched for our suffixes, globs expanded."""
    files: List[Tuple[object, str]] = []
    for url in inputs:
        fs, root = _filesystem(str(url))
        if any(char in root for char in "*?["):
            found = sorted(path for path in fs.glob(root) if fs.isfile(path))
        elif fs.isdir(root):
            found = sorted(path for path in fs.find(root) if _suffix(path) in SUFFIXES)
        elif fs.exists(root):
            found = [root]
        else:
            summary.skipped.append((str(url), "no such file or folder"))
            continue
        for path in found:
            if _suffix(path) not in SUFFIXES:
                summary.skipped.append((_name(fs, path), f"unsupported file type {_suffix(path) or '(none)'}; expected one of {list(SUFFIXES)}"))
            else:
                files.append((fs, path))
    return files


def plan_partitions(inputs: Sequence[str], summary: Summary, files_per_partition: int = 256) -> List[Partition]:
    """Cut the inputs into partitions; Parquet files without a `text` column or unreadable are skipped here."""
    partitions: List[Partition] = []
    text_files: List[str] = []
    for fs, path in list_files(inputs, summary):
        name = _name(fs, path)
        suffix = _suffix(path)
        if suffix in TEXT_SUFFIXES:
            text_files.append(name)
        elif suffix == ".jsonl":
            partitions.append(Partition("jsonl", (name,)))
        else:
            pq = require("pyarrow.parquet")
            try:
                with fs.open(path, "rb") as handle:
                    metadata = pq.ParquetFile(handle).metadata
                    columns = metadata.schema.names
            except Exception as error:  # pyarrow raises ArrowInvalid, OSError...: all mean "not readable"
                summary.skipped.append((name, f"not a readable Parquet file ({error})"))
                continue
            if "text" not in columns:
                summary.skipped.append((name, f"Parquet file without a 'text' column (columns: {', '.join(columns)})"))
                continue
            first_row = 0
            for index in range(metadata.num_row_groups):
                partitions.append(Partition("parquet", (name,), row_group=index, first_row=first_row))
                first_row += metadata.row_group(index).num_rows
            if metadata.num_row_groups == 0:
                partitions.append(Partition("parquet", (name,), row_group=0))
    for start in range(0, len(text_files), files_per_partition):
        partitions.append(Partition("files", tuple(text_files[start:start + files_per_partition])))
    return partitions


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise ValueError("binary file (NUL bytes)")
    try:
        return data.decode("utf8")
    except UnicodeDecodeError as error:
        raise ValueError(f"not UTF-8 ({error.reason} at byte {error.start})") from None


def _read_bytes(url: str) -> bytes:
    fs, path = _filesystem(url)
    with fs.open(path, "rb") as handle:
        return handle.read()


def _meta(record: dict) -> Dict[str, Any]:
    """The other scalar fields of an input record (date, url, title, id...), kept with the document."""
    return {key: value for key, value in record.items() if key != "text" and isinstance(value, (str, int, float, bool))}


def read_partition(partition: Partition, skipped: List[Skip]) -> Iterator[Record]:
    """The records of a partition, in order; each unreadable file, line or row is added to `skipped`."""
    if partition.kind == "files":
        for url in partition.paths:
            try:
                content = _decode(_read_bytes(url))
            except (OSError, ValueError) as error:
                skipped.append((url, str(error)))
                continue
            yield Record(url, html_to_text(content) if _suffix(url) in (".html", ".htm") else content)
    elif partition.kind == "jsonl":
        url = partition.paths[0]
        try:
            data = _read_bytes(url)
        except OSError as error:
            skipped.append((url, str(error)))
            return
        if b"\x00" in data[:8192]:
            skipped.append((url, "binary file (NUL bytes)"))
            return
        for number, raw in enumerate(data.split(b"\n"), start=1):
            if not raw.strip():
                continue
            source = f"{url}:{number}"
            try:
                record = json.loads(_decode(raw))
                if not isinstance(record, dict):
                    raise TypeError("not a JSON object")
                text = record["text"]
                if not isinstance(text, str):
                    raise TypeError("'text' is not a string")
            except ValueError as error:  # JSONDecodeError and non-UTF-8 lines
                skipped.append((source, f"bad JSONL record: {error}"))
                continue
            except (KeyError, TypeError) as error:
                skipped.append((source, f"bad JSONL record: {'no ' + str(error) + ' field' if isinstance(error, KeyError) else error}"))
                continue
            yield Record(source, text, _meta(record))
    else:
        pq = require("pyarrow.parquet")
        url = partition.paths[0]
        try:
            fs, path = _filesystem(url)
            with fs.open(path, "rb") as handle:
                parquet = pq.ParquetFile(handle)
                rows = parquet.read_row_group(partition.row_group).to_pylist() if parquet.metadata.num_row_groups else []
        except Exception as error:  # a file changed or damaged since planning
            skipped.append((partition.label, f"not a readable Parquet row group ({error})"))
            return
        for offset, row in enumerate(rows):
            source = f"{url}:{partition.first_row + offset + 1}"
            if not isinstance(row.get("text"), str):
                skipped.append((source, "'text' is not a string"))
                continue
            yield Record(source, row["text"], _meta(row))


# ---------------------------------------------------------------- the core

_PIPELINES: Dict[str, object] = {}
_LOCK = threading.Lock()
# a worker's threads take turns on its pipeline: memory zones and nlp.pipe are not thread-safe
_PIPE_LOCK = threading.Lock()


def load_pipeline(model: str) -> Tuple[object, float]:
    """The pipeline, loaded once per process (each Dask worker keeps its own) with `meeting_facts`
    last, and the seconds this call spent loading it (0 when it was already loaded)."""
    with _LOCK:
        nlp = _PIPELINES.get(model)
        if nlp is not None:
            return nlp, 0.0
        start = time.perf_counter()
        import spacy

        from . import facts  # noqa: F401  (registers the components for pipeline directories)

        nlp = spacy.load(model)
        if "meeting_facts" not in nlp.pipe_names:
            nlp.add_pipe("meeting_facts")
        _PIPELINES[model] = nlp
        return nlp, time.perf_counter() - start


def pipe_documents(nlp, records: Iterable[Record], batch_size: int = 32, n_process: int = 1, zone_size: int = ZONE_SIZE) -> Iterator[Tuple[Record, object]]:
    """(record, Doc) in input order, `zone_size` documents per memory zone.

    A Doc is valid only until the next one of the following zone is asked for: use it at once.
    """
    chunk: List[Record] = []
    iterator = iter(records)
    while True:
        chunk = [record for _, record in zip(range(zone_size), iterator)]
        if not chunk:
            return
        with nlp.memory_zone():
            for doc, record in nlp.pipe(((record.text, record) for record in chunk), as_tuples=True, batch_size=batch_size, n_process=n_process):
                yield record, doc


def _iso(day: Optional[date]) -> Optional[str]:
    return day.isoformat() if day is not None else None


def meeting_rows(source: str, meetings: Sequence[dict], base: Optional[date], resolve_dates: bool = True) -> List[dict]:
    """Rows of a document's `doc._.meetings` records, each with its DATE mention resolved against `base`."""
    rows = []
    for index, meeting in enumerate(meetings):
        resolved = resolve(meeting["date"], base) if resolve_dates else None
        place = meeting["place"]
        rows.append({
            "source": source,
            "meeting": index,
            **meeting,
            "date_start": _iso(resolved.start) if resolved else None,
            "date_end": _iso(resolved.end) if resolved else None,
            "article_date": _iso(base),
            "place_in_sentence": bool(place) and " ".join(place.split()) in meeting["sentence"],
        })
    return rows


def document_rows(record: Record, doc, partition: str = "", default_date: Optional[date] = None,
                  resolve_dates: bool = True) -> Tuple[dict, List[dict]]:
    """The document's row and one row per meeting, its article date taken from the record, the dateline or `default_date`.

    `resolve_dates=False` leaves dates empty: the jsonl/csv path runs without the `bulk` extra.
    """
    base, origin = article_date(record.text, record.meta.get("date"), default_date) if resolve_dates else (None, None)
    meetings = meeting_rows(record.source, doc._.meetings or [], base, resolve_dates)
    document = {
        "source": record.source, "partition": partition, "article_date": _iso(base), "date_origin": origin,
        "characters": len(record.text), "meetings": len(meetings), "meta": json.dumps(record.meta, ensure_ascii=False, sort_keys=True),
    }
    return document, meetings


def extract_rows(nlp, records: Iterable[Record], batch_size: int = 32, n_process: int = 1, partition: str = "",
                 default_date: Optional[date] = None) -> Tuple[List[dict], List[dict]]:
    """Plain rows of a batch of records: (document rows, meeting rows), in input order."""
    documents: List[dict] = []
    meetings: List[dict] = []
    for record, doc in pipe_documents(nlp, records, batch_size, n_process):
        document, rows = document_rows(record, doc, partition, default_date)
        documents.append(document)
        meetings.extend(rows)
    return documents, meetings


# ---------------------------------------------------------------- partition outputs

def output_paths(out_dir: Path, partition: Partition) -> Dict[str, Path]:
    return {table: Path(out_dir) / table / f"part-{partition.id}.parquet" for table in ("meetings", "documents")}


def peak_rss_mb() -> float:
    """This process's peak memory, or its nlp.pipe children's if larger, in MB."""
    try:  # VmHWM is this process image's own peak; ru_maxrss may carry a parent's over fork and exec
        with open("/proc/self/status", encoding="ascii") as status:
            own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def process_partition(partition: Partition, model: str, out_dir: str, batch_size: int = 32, n_process: int = 1,
                      default_date: Optional[date] = None, worker: Optional[str] = None) -> dict:
    """Read, extract and write one partition; skip it if its output is already complete.

    The documents file is written last: it is what marks the partition done, so a partition
    interrupted between the two files is redone whole on the next run.
    """
    paths = output_paths(Path(out_dir), partition)
    if paths["documents"].exists():
        return {"partition": partition.label, "status": "resumed", "skipped": []}
    skipped: List[Skip] = []
    records = list(read_partition(partition, skipped))
    documents: List[dict] = []
    meetings: List[dict] = []
    load_seconds = 0.0
    if records:
        nlp, load_seconds = load_pipeline(model)
        with _PIPE_LOCK:
            documents, meetings = extract_rows(nlp, records, batch_size, n_process, partition.label, default_date)
    write_parquet(meetings, "meetings", paths["meetings"])
    write_parquet(documents, "documents", paths["documents"])
    return {
        "partition": partition.label, "status": "written", "documents": len(documents), "meetings": len(meetings),
        "skipped": skipped, "worker": worker or os.getpid(), "peak_rss_mb": peak_rss_mb(),
        "load_seconds": round(load_seconds, 2),
    }


def _failure(partition: Partition, error: BaseException) -> dict:
    return {"partition": partition.label, "status": "failed", "error": f"{type(error).__name__}: {error}"}


def run_local(partitions: Sequence[Partition], model: str, out_dir: Path, on_result: Callable[[dict], None],
              batch_size: int = 32, n_process: int = 1, default_date: Optional[date] = None) -> None:
    """Every partition in this process, one after the other (nlp.pipe may fork `n_process` processes)."""
    for partition in partitions:
        try:
            result = process_partition(partition, model, str(out_dir), batch_size, n_process, default_date)
        except Exception as error:  # a failed partition is reported and redone on the next run
            result = _failure(partition, error)
        on_result(result)


def _dask_task(partition: Partition, model: str, out_dir: str, pipe_batch_size: int, default_date: Optional[date]) -> dict:
    # not `batch_size`: Client.map has a parameter of that name and would take it
    distributed = require("distributed")
    return process_partition(partition, model, out_dir, pipe_batch_size, 1, default_date, worker=distributed.get_worker().address)


def run_dask(partitions: Sequence[Partition], model: str, out_dir: Path, on_result: Callable[[dict], None],
             batch_size: int = 32, default_date: Optional[date] = None, scheduler: Optional[str] = None,
             n_workers: int = 2, threads_per_worker: int = 1, connect_timeout: float = 10.0, retries: int = 2) -> None:
    """Every partition on a Dask cluster: the one at `scheduler`, or a LocalCluster of `n_workers` processes.

    A task lost with its worker is retried on another one (`retries`); since outputs are
    renamed into place, a partition written twice is written identically, never duplicated.
    """
    distributed = require("distributed")
    cluster = None
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout=connect_timeout)
        except (OSError, TimeoutError) as error:
            raise BulkError(f"no Dask scheduler answered at {scheduler} within {connect_timeout:g} s ({type(error).__name__}: {error})") from None
    else:
        import logging

        cluster = distributed.LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker, processes=True,
                                           dashboard_address=None, silence_logs=logging.ERROR)
        client = distributed.Client(cluster)
    try:
        futures = client.map(_dask_task, list(partitions), model=model, out_dir=str(Path(out_dir).resolve()), pipe_batch_size=batch_size,
                             default_date=default_date, key=[f"partition-{partition.id}" for partition in partitions], retries=retries)
        by_key = {future.key: partition for future, partition in zip(futures, partitions)}
        for future in distributed.as_completed(futures):
            try:
                result = future.result()
            except Exception as error:  # KilledWorker after the retries, or the task's own error
                result = _failure(by_key[future.key], error)
            on_result(result)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def read_table(folder: Path, table: str) -> List[dict]:
    """All rows of one table of a partitioned output folder, in a stable order (by source, then meeting)."""
    pq = require("pyarrow.parquet")
    files = sorted((Path(folder) / table).glob("part-*.parquet"))
    rows = [row for path in files for row in pq.read_table(path).to_pylist()]
    return sorted(rows, key=lambda row: (row["source"], row.get("meeting", 0)))
