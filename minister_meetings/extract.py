"""`python -m minister_meetings extract`: turn folders of articles into a table of meetings.

Inputs are files or folders of .txt, .html/.htm (text extracted) and .jsonl (a `text` field per
line). Documents stream through `nlp.pipe`, so memory stays flat however many there are; each
meeting becomes one row of JSONL or CSV with the document it comes from. `--resume` skips the
documents already processed (recorded in a `.done` file beside the output). Unreadable, binary
or non-UTF-8 inputs are reported by name and skipped; the summary counts them.
"""
from __future__ import annotations

import csv
import html
import json
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Iterable, Iterator, List, Optional, Set, Tuple

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, help="Extract ministerial meetings from French news.")

SUFFIXES = {".txt", ".html", ".htm", ".jsonl"}
LABEL_COLOURS = {
    "MINISTER": "#f4a261", "PERSON": "#e9c46a", "ROLE": "#a8dadc", "SUMMIT": "#b5838d",
    "COUNTRY": "#90be6d", "LOC": "#cdeac0", "ORG": "#bde0fe", "DATE": "#ddd",
}
CSV_FIELDS = ["source", "participants", "participant_labels", "roles", "date", "place", "summit", "score", "sentence"]


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


@dataclass
class Summary:
    documents: int = 0
    meetings: int = 0
    resumed: int = 0
    skipped: List[Tuple[str, str]] = field(default_factory=list)

    def report(self) -> str:
        lines = [f"{self.documents} documents processed, {self.meetings} meetings written, "
                 f"{self.resumed} skipped as already done, {len(self.skipped)} inputs skipped as unreadable"]
        lines += [f"  skipped {source}: {reason}" for source, reason in self.skipped]
        return "\n".join(lines)


def list_inputs(inputs: Iterable[Path]) -> Iterator[Path]:
    for path in inputs:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        else:
            yield path


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise ValueError("binary file (NUL bytes)")
    try:
        return data.decode("utf8")
    except UnicodeDecodeError as error:
        raise ValueError(f"not UTF-8 ({error.reason} at byte {error.start})") from None


def read_documents(paths: Iterable[Path], summary: Summary) -> Iterator[Tuple[str, str]]:
    """(source, text) for every document; unreadable inputs are recorded in the summary."""
    for path in paths:
        suffix = path.suffix.lower()
        try:
            if suffix not in SUFFIXES:
                raise ValueError(f"unsupported file type {suffix or '(none)'}; expected one of {sorted(SUFFIXES)}")
            content = _read_text(path)
        except (OSError, ValueError) as error:
            summary.skipped.append((str(path), str(error)))
            continue
        if suffix == ".jsonl":
            for number, line in enumerate(content.splitlines(), start=1):
                if not line.strip():
                    continue
                source = f"{path}:{number}"
                try:
                    record = json.loads(line)
                    text = record["text"]
                    if not isinstance(text, str):
                        raise TypeError("'text' is not a string")
                except (json.JSONDecodeError, KeyError, TypeError) as error:
                    summary.skipped.append((source, f"bad JSONL record: {error}"))
                    continue
                yield source, text
        elif suffix in (".html", ".htm"):
            yield str(path), html_to_text(content)
        else:
            yield str(path), content


def meeting_rows(source: str, meetings: List[dict]) -> List[dict]:
    return [{"source": source, **meeting} for meeting in meetings]


def _csv_row(row: dict) -> dict:
    participants = row["participants"]
    return {
        "source": row["source"],
        "participants": "; ".join(p["name"] for p in participants),
        "participant_labels": "; ".join(p["label"] for p in participants),
        "roles": "; ".join(", ".join(p["roles"]) for p in participants),
        "date": row["date"] or "",
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


def render_html(records: List[Tuple[str, object]]) -> str:
    """A page showing each document with displaCy's entities, its relations and its meetings."""
    import warnings

    from spacy import displacy

    sections = []
    for source, doc in records:
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
        sections.append(
            f"<section class='document'><h2>{html.escape(source)}</h2><div class='columns'>"
            f"<div class='text'>{entities}</div><div class='side'><h3>Relations</h3><ul class='relations'>{relations}</ul>"
            f"<h3>Meetings</h3><ul class='meetings'>{meetings}</ul></div></div></section>"
        )
    style = ("body{font-family:sans-serif;margin:2em}.columns{display:flex;gap:2em}.text{flex:3}.side{flex:2}"
             "section{border-bottom:1px solid #ccc;padding-bottom:1em}")
    return (f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Meetings</title><style>{style}</style></head>"
            f"<body><h1>Meetings extracted from {len(records)} documents</h1>{''.join(sections)}</body></html>")


@app.command()
def extract(
    model: str = typer.Argument(..., help="Installed pipeline name (fr_minister_meetings_md) or a pipeline directory."),
    inputs: List[Path] = typer.Argument(..., help="Files or folders of .txt, .html or .jsonl (a 'text' field per line)."),
    output: Path = typer.Option(..., "--output", "-o", help="Output file, one meeting per row."),
    output_format: str = typer.Option("jsonl", "--format", help="jsonl or csv."),
    batch_size: int = typer.Option(32, help="Documents per nlp.pipe batch."),
    n_process: int = typer.Option(1, help="Processes for nlp.pipe."),
    resume: bool = typer.Option(False, "--resume", help="Skip documents already processed into OUTPUT."),
    html_report: Optional[Path] = typer.Option(None, "--html", help="Also write a page showing each document, its entities, relations and meetings."),
    html_limit: int = typer.Option(200, help="At most this many documents in the HTML page."),
) -> None:
    """Extract one row per meeting from every document of the inputs."""
    import spacy

    from . import facts  # noqa: F401  (registers the components for pipeline directories)

    if output_format not in ("jsonl", "csv"):
        raise typer.BadParameter("--format must be jsonl or csv")
    nlp = spacy.load(model)
    if "meeting_facts" not in nlp.pipe_names:
        nlp.add_pipe("meeting_facts")
    done_path = output.with_name(output.name + ".done")
    done: Set[str] = set()
    if resume and done_path.exists():
        done = set(done_path.read_text(encoding="utf8").splitlines())
    elif not resume:
        done_path.unlink(missing_ok=True)
    summary = Summary()

    def pending() -> Iterator[Tuple[str, str]]:
        for source, text in read_documents(list_inputs(inputs), summary):
            if source in done:
                summary.resumed += 1
                continue
            yield text, source

    append = resume and output.exists()
    output.parent.mkdir(parents=True, exist_ok=True)
    html_records: List[Tuple[str, object]] = []
    start = time.perf_counter()
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = [TextColumn("{task.completed} documents"), BarColumn(bar_width=None), TextColumn("{task.fields[rate]:.1f} docs/s"), TimeElapsedColumn()]
    with output.open("a" if append else "w", encoding="utf8", newline="") as handle, done_path.open("a", encoding="utf8") as done_handle, \
            Progress(*columns, console=None, transient=False, disable=not sys.stderr.isatty()) as progress:
        writer = RowWriter(handle, output_format, write_header=not append)
        task = progress.add_task("extract", total=None, rate=0.0)
        for doc, source in nlp.pipe(pending(), as_tuples=True, batch_size=batch_size, n_process=n_process):
            for row in meeting_rows(source, doc._.meetings or []):
                writer.write(row)
                summary.meetings += 1
            done_handle.write(source + "\n")
            summary.documents += 1
            if html_report is not None and len(html_records) < html_limit:
                html_records.append((source, doc))
            # rows first, then the .done line: a crash never marks a document done without its rows
            handle.flush()
            done_handle.flush()
            progress.update(task, advance=1, rate=summary.documents / max(time.perf_counter() - start, 1e-9))
    if html_report is not None:
        html_report.parent.mkdir(parents=True, exist_ok=True)
        html_report.write_text(render_html(html_records), encoding="utf8")
    elapsed = time.perf_counter() - start
    typer.echo(summary.report() + f" in {elapsed:.1f} s ({summary.documents / max(elapsed, 1e-9):.1f} docs/s)", err=True)


@app.command()
def version() -> None:
    """Print the package version."""
    from importlib.metadata import PackageNotFoundError, version as package_version

    try:
        typer.echo(package_version("minister-meetings"))
    except PackageNotFoundError:
        typer.echo("vendored in a model package")

