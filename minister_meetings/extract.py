"""`python -m minister_meetings extract` and `merge`: from folders of articles to meetings, events and a database.

`extract` reads files, folders, globs or fsspec URLs of .txt, .html/.htm (text extracted),
.jsonl (a `text` field per line) and .parquet (a `text` column). With `--format jsonl` or `csv`
(the default) it writes one file, one row per meeting, streaming through `nlp.pipe`; `--resume`
skips the documents already processed (recorded in a `.done` file beside the output). With
`--format parquet` (the default of `--engine dask`) the output is a folder with one Parquet file
per input partition and table, and a rerun skips the partitions already written. Unreadable,
binary or non-UTF-8 inputs and bad JSONL lines are reported by name and skipped; the summary
counts them. `merge` groups the meetings of many documents into events and builds the DuckDB
database, the GraphML graph and the HTML page (see `minister_meetings.events`, `.store`, `.graph`).
"""
from __future__ import annotations

import csv
import html
import importlib.util
import json
import os
import sys
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Iterator, List, Optional, Set, Tuple

import typer

from .bulk import (BulkError, Summary, document_rows, load_pipeline, peak_rss_mb, pipe_documents, plan_partitions, read_partition,
                   run_dask, run_local)
from .optional import INSTALL_HINT

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, help="Extract ministerial meetings from French news.")

LABEL_COLOURS = {
    "MINISTER": "#f4a261", "PERSON": "#e9c46a", "ROLE": "#a8dadc", "SUMMIT": "#b5838d",
    "COUNTRY": "#90be6d", "LOC": "#cdeac0", "ORG": "#bde0fe", "DATE": "#ddd",
}
CSV_FIELDS = ["source", "participants", "participant_labels", "roles", "date", "date_start", "date_end", "place", "summit", "score", "sentence"]


def _csv_row(row: dict) -> dict:
    participants = row["participants"]
    return {
        "source": row["source"],
        "participants": "; ".join(p["name"] for p in participants),
        "participant_labels": "; ".join(p["label"] for p in participants),
        "roles": "; ".join(", ".join(p["roles"]) for p in participants),
        "date": row["date"] or "",
        "date_start": row["date_start"] or "",
        "date_end": row["date_end"] or "",
        "place": row["place"] or "",
        "summit": row["summit"] or "",
        "score": row["score"],
        "sentence": row["sentence"],
    }


class RowWriter:
    def __init__(self, handle: IO[str], output_format: str, write_header: bool) -> None:
        self.handle = handle
        self.format = output_format
        self.csv = csv.DictWriter(handle, fieldnames=CSV_FIELDS) if output_format == "csv" else None
        if self.csv is not None and write_header:
            self.csv.writeheader()

    def write(self, row: dict) -> None:
        if self.csv is not None:
            self.csv.writerow(_csv_row(row))
        else:
            self.handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def render_section(source: str, doc) -> str:
    """One document of the page: displaCy's entities, its relations and its meetings.

    Rendered while the Doc is alive: pipelines run inside memory zones, so Docs are not kept.
    """
    import warnings

    from spacy import displacy

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # W006: a document without entities is rendered as plain text
        entities = displacy.render(doc, style="ent", page=False, jupyter=False, options={"colors": LABEL_COLOURS})
    relations = "".join(
        f"<li><b>{html.escape(r.head.text)}</b> <code>{r.label}</code> <b>{html.escape(r.tail.text)}</b> ({r.score:.2f})</li>"
        for r in doc._.relations
    ) or "<li>none</li>"
    meetings = "".join(
        "<li class='meeting'>" + html.escape(" & ".join(p["name"] for p in m["participants"]))
        + f" — date: {html.escape(m['date'] or '?')}, place: {html.escape(m['place'] or '?')}"
        + (f", summit: {html.escape(m['summit'])}" if m["summit"] else "") + "</li>"
        for m in doc._.meetings or []
    ) or "<li>none</li>"
    return (f"<section class='document'><h2>{html.escape(source)}</h2><div class='columns'>"
            f"<div class='text'>{entities}</div><div class='side'><h3>Relations</h3><ul class='relations'>{relations}</ul>"
            f"<h3>Meetings</h3><ul class='meetings'>{meetings}</ul></div></div></section>")


def render_page(sections: List[str]) -> str:
    style = ("body{font-family:sans-serif;margin:2em}.columns{display:flex;gap:2em}.text{flex:3}.side{flex:2}"
             "section{border-bottom:1px solid #ccc;padding-bottom:1em}")
    return (f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Meetings</title><style>{style}</style></head>"
            f"<body><h1>Meetings extracted from {len(sections)} documents</h1>{''.join(sections)}</body></html>")


def render_html(records: List[Tuple[str, object]]) -> str:
    """A page showing each document with displaCy's entities, its relations and its meetings."""
    return render_page([render_section(source, doc) for source, doc in records])


@contextmanager
def _progress(unit: str) -> Iterator:
    """A rich progress line on a terminal (nothing when stderr is a file or a pipe)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = [TextColumn(f"{{task.completed}} {unit}"), BarColumn(bar_width=None), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]:.1f} docs/s"), TimeElapsedColumn()]
    with Progress(*columns, transient=False, disable=not sys.stderr.isatty()) as progress:
        yield progress


def _parse_date_option(value: Optional[str]) -> Optional[date]:
    from .dates import parse_article_date

    if value is None:
        return None
    parsed = parse_article_date(value)
    if parsed is None:
        raise typer.BadParameter(f"--date {value!r} is not a date (write it as 2025-11-26)")
    return parsed


def _extract_to_file(model: str, inputs: List[str], output: Path, output_format: str, batch_size: int, n_process: int,
                     resume: bool, html_report: Optional[Path], html_limit: int, default_date: Optional[date], summary: Summary) -> None:
    """One JSONL/CSV file of meetings, documents streamed through nlp.pipe in this process."""
    nlp, load_seconds = load_pipeline(model)
    summary.load_seconds[str(os.getpid())] = round(load_seconds, 2)
    resolve_dates = importlib.util.find_spec("dateparser") is not None
    if not resolve_dates:
        typer.echo(f"note: without dateparser, date_start and date_end stay empty; install it with: {INSTALL_HINT}", err=True)
    done_path = output.with_name(output.name + ".done")
    done: Set[str] = set()
    if resume and done_path.exists():
        done = set(done_path.read_text(encoding="utf8").splitlines())
    elif not resume:
        done_path.unlink(missing_ok=True)

    def pending():
        for partition in plan_partitions(inputs, summary):
            for record in read_partition(partition, summary.skipped):
                if record.source in done:
                    summary.resumed += 1
                    continue
                yield record

    append = resume and output.exists()
    output.parent.mkdir(parents=True, exist_ok=True)
    sections: List[str] = []
    start = time.perf_counter()
    with output.open("a" if append else "w", encoding="utf8", newline="") as handle, done_path.open("a", encoding="utf8") as done_handle, \
            _progress("documents") as progress:
        writer = RowWriter(handle, output_format, write_header=not append)
        task = progress.add_task("extract", total=None, rate=0.0)
        for record, doc in pipe_documents(nlp, pending(), batch_size, n_process):
            _document, rows = document_rows(record, doc, default_date=default_date, resolve_dates=resolve_dates)
            for row in rows:
                writer.write(row)
                summary.meetings += 1
            done_handle.write(record.source + "\n")
            summary.documents += 1
            if html_report is not None and len(sections) < html_limit:
                sections.append(render_section(record.source, doc))
            # rows first, then the .done line: a crash never marks a document done without its rows
            handle.flush()
            done_handle.flush()
            progress.update(task, advance=1, rate=summary.documents / max(time.perf_counter() - start, 1e-9))
    if html_report is not None:
        html_report.parent.mkdir(parents=True, exist_ok=True)
        html_report.write_text(render_page(sections), encoding="utf8")


def _extract_to_folder(model: str, inputs: List[str], output: Path, engine: str, batch_size: int, n_process: int,
                       default_date: Optional[date], files_per_partition: int, scheduler: Optional[str], workers: int,
                       threads_per_worker: int, connect_timeout: float, summary: Summary) -> None:
    """A folder of Parquet files, one per partition and table, by the local or the Dask engine."""
    summary.partitioned = True
    partitions = plan_partitions(inputs, summary, files_per_partition)
    if Path(model).exists():
        model = str(Path(model).resolve())  # workers may run in another folder
    start = time.perf_counter()
    with _progress("partitions") as progress:
        task = progress.add_task("extract", total=len(partitions), rate=0.0)

        def on_result(result: dict) -> None:
            summary.add(result)
            progress.update(task, advance=1, rate=summary.documents / max(time.perf_counter() - start, 1e-9))

        if engine == "dask":
            run_dask(partitions, model, output, on_result, batch_size, default_date, scheduler, workers, threads_per_worker, connect_timeout)
        else:
            run_local(partitions, model, output, on_result, batch_size, n_process, default_date)


@app.command()
def extract(
    model: str = typer.Argument(..., help="Installed pipeline name (fr_minister_meetings_md) or a pipeline directory (on every worker, for Dask)."),
    inputs: List[str] = typer.Argument(..., help="Files, folders, globs ('archive/*.jsonl') or fsspec URLs (s3://bucket/news/) of .txt, .html, "
                                                 ".jsonl (a 'text' field per line) or .parquet (a 'text' column); an optional 'date' field or column gives the article date."),
    output: Path = typer.Option(..., "--output", "-o", help="Output file (jsonl, csv: one meeting per row) or folder (parquet: meetings/ and documents/, one file per partition)."),
    output_format: Optional[str] = typer.Option(None, "--format", help="jsonl, csv or parquet; default jsonl, parquet with --engine dask."),
    engine: str = typer.Option("local", help="local: this process (nlp.pipe with --n-process); dask: a Dask cluster (--scheduler) or a LocalCluster of --workers processes. Needs --format parquet."),
    scheduler: Optional[str] = typer.Option(None, help="Address of a running Dask scheduler (tcp://host:8786); without it a LocalCluster starts on this machine."),
    workers: int = typer.Option(2, help="Worker processes of the LocalCluster (--engine dask without --scheduler); each loads the pipeline once."),
    threads_per_worker: int = typer.Option(1, help="Threads per LocalCluster worker; keep 1: a worker's threads take turns on its one pipeline."),
    connect_timeout: float = typer.Option(10.0, help="Seconds to wait for the --scheduler to answer."),
    files_per_partition: int = typer.Option(256, help="Text/HTML files per partition (a JSONL file and a Parquet row group are one partition each)."),
    article_date_option: Optional[str] = typer.Option(None, "--date", help="Article date (2025-11-26) for inputs whose records have no 'date' field and no dated dateline; relative dates ('mardi') resolve against it."),
    batch_size: int = typer.Option(32, help="Documents per nlp.pipe batch."),
    n_process: int = typer.Option(1, help="Processes for nlp.pipe (local engine)."),
    resume: bool = typer.Option(False, "--resume", help="jsonl/csv: skip documents already processed into OUTPUT (parquet always skips finished partitions)."),
    html_report: Optional[Path] = typer.Option(None, "--html", help="jsonl/csv: also write a page showing each document, its entities, relations and meetings."),
    html_limit: int = typer.Option(200, help="At most this many documents in the HTML page."),
    summary_json: Optional[Path] = typer.Option(None, help="Also write the run's summary (counts, skipped inputs, failed partitions, seconds, peak memory per worker) as JSON."),
) -> None:
    """Extract one row per meeting, with its date resolved, from every document of the inputs."""
    output_format = output_format or ("parquet" if engine == "dask" else "jsonl")
    if output_format not in ("jsonl", "csv", "parquet"):
        raise typer.BadParameter("--format must be jsonl, csv or parquet")
    if engine not in ("local", "dask"):
        raise typer.BadParameter("--engine must be local or dask")
    if engine == "dask" and output_format != "parquet":
        raise typer.BadParameter("--engine dask writes one Parquet file per partition: use --format parquet")
    if output_format == "parquet" and html_report is not None:
        raise typer.BadParameter("--html is for jsonl/csv output; `merge` writes the page of a Parquet output")
    default_date = _parse_date_option(article_date_option)
    summary = Summary()
    start = time.perf_counter()
    try:
        if output_format == "parquet":
            _extract_to_folder(model, inputs, output, engine, batch_size, n_process, default_date, files_per_partition,
                               scheduler, workers, threads_per_worker, connect_timeout, summary)
        else:
            _extract_to_file(model, inputs, output, output_format, batch_size, n_process, resume, html_report, html_limit, default_date, summary)
    except (BulkError, ImportError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2)
    elapsed = time.perf_counter() - start
    if not summary.peak_rss_mb:  # the jsonl/csv path: this process and its nlp.pipe children
        summary.peak_rss_mb[str(os.getpid())] = peak_rss_mb()
    typer.echo(summary.report() + f"\nin {elapsed:.1f} s ({summary.documents / max(elapsed, 1e-9):.1f} docs/s)", err=True)
    if summary_json is not None:
        summary_json.write_text(json.dumps({**summary.as_dict(), "seconds": round(elapsed, 3), "engine": engine}, indent=2), encoding="utf8")
    if summary.failed:
        raise typer.Exit(1)


def _load_meetings(inputs: List[Path]) -> Tuple[List[dict], List[dict]]:
    """(meeting rows, document rows) of extract outputs: Parquet folders, or JSONL files of meeting rows."""
    from .bulk import read_table

    meetings: List[dict] = []
    documents: List[dict] = []
    for path in inputs:
        if path.is_dir():
            if not (path / "meetings").is_dir():
                raise typer.BadParameter(f"{path} has no meetings/ folder: pass the --output folder of `extract --format parquet`")
            meetings.extend(read_table(path, "meetings"))
            documents.extend(read_table(path, "documents"))
        elif path.suffix == ".jsonl":
            rows = [json.loads(line) for line in path.read_text(encoding="utf8").splitlines() if line.strip()]
            meetings.extend(rows)
            seen = {}
            for row in rows:  # a JSONL file holds meetings only: its documents are those that have one
                seen.setdefault(row["source"], {"source": row["source"], "partition": str(path), "article_date": row.get("article_date"),
                                                "date_origin": None, "characters": None, "meetings": 0, "meta": "{}"})["meetings"] += 1
            documents.extend(seen.values())
        else:
            raise typer.BadParameter(f"{path}: expected a folder written by `extract --format parquet` or a .jsonl file of meetings")
    return meetings, documents


@app.command()
def merge(
    inputs: List[Path] = typer.Argument(..., help="Outputs of extract: folders of `--format parquet` (meetings/, documents/) or .jsonl files."),
    output: Path = typer.Option(..., "--output", "-o", help="Folder for the tables (documents, meetings, mentions, events, people) as Parquet, "
                                                           "meetings.duckdb, people.graphml and events.html."),
    window: int = typer.Option(2, help="Days between the dates of two reports of one meeting (0: the same day only)."),
    html_page: bool = typer.Option(True, "--html/--no-html", help="Write events.html: timeline and network, filterable by person and year."),
    graphml: bool = typer.Option(True, "--graphml/--no-graphml", help="Write people.graphml (people, and who met whom weighted by events) for Gephi."),
) -> None:
    """Merge the meetings reported by many documents into events, and build the database, the graph and the page."""
    try:
        from .events import merge_meetings, meeting_id
        from .graph import write_graphml, write_page
        from .store import write_database

        meetings, documents = _load_meetings(inputs)
        events, mentions, people = merge_meetings(meetings, window=window)
        event_of = {member: event["event_id"] for event in events for member in event["meetings"]}
        merged = [{"meeting_id": meeting_id(row), "event_id": event_of[meeting_id(row)], **row} for row in meetings]
        tables = {"documents": documents, "meetings": merged, "mentions": mentions, "events": events, "people": people}
        database = write_database(output, tables)
        written = [str(database)]
        if graphml:
            written.append(str(write_graphml(events, people, output / "people.graphml")))
        if html_page:
            written.append(str(write_page(events, people, output / "events.html")))
    except ImportError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2)
    several = sum(1 for event in events if event["n_documents"] > 1)
    typer.echo(f"{len(meetings)} meetings from {len(documents)} documents -> {len(events)} events ({several} reported by several documents), "
               f"{len(people)} people; wrote {', '.join(written)} and the Parquet tables", err=True)


@app.command()
def version() -> None:
    """Print the package version."""
    from importlib.metadata import PackageNotFoundError, version as package_version

    try:
        typer.echo(package_version("minister-meetings"))
    except PackageNotFoundError:
        typer.echo("vendored in a model package")
