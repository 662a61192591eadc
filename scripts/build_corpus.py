"""Build corpus/annotations/{train,dev,test}.jsonl from the inline-markup sources in corpus/source/."""
from __future__ import annotations

import json
from pathlib import Path
from typing import List

import typer

from meetings_tooling.markup import MarkupError, parse_file
from meetings_tooling.validation import CorpusValidator

app = typer.Typer(add_completion=False, help=__doc__, pretty_exceptions_enable=False)


def _parse_all(paths: List[Path]) -> List[dict]:
    records: List[dict] = []
    errors: List[str] = []
    for path in paths:
        try:
            records.extend(parse_file(path))
        except MarkupError as error:
            errors.append(str(error))
    if errors:
        for error in errors:
            typer.echo(error, err=True)
        raise typer.Exit(code=1)
    return records


def _validate(records: List[dict]) -> CorpusValidator:
    validator = CorpusValidator()
    for record in records:
        path, line = record["source"].rsplit(":", 1)
        validator.validate_record(record, path, int(line))
    return validator


@app.command()
def check(sources: List[Path] = typer.Argument(..., help="Markup files to check (corpus/source/<split>/*.txt).")) -> None:
    """Parse markup files and validate the records they give, reporting problems as FILE:LINE."""
    validator = _validate(_parse_all(sources))
    for problem in validator.problems:
        typer.echo(str(problem), err=True)
    typer.echo(json.dumps(validator.stats.as_dict(), ensure_ascii=False, indent=2))
    if validator.problems:
        raise typer.Exit(code=1)


@app.command()
def build(
    source_dir: Path = typer.Option(Path("corpus/source"), help="Folder with one sub-folder of markup files per split."),
    output_dir: Path = typer.Option(Path("corpus/annotations"), help="Where {split}.jsonl are written."),
) -> None:
    """Convert every split's markup files into one doccano JSONL file per split."""
    for split_dir in sorted(path for path in source_dir.iterdir() if path.is_dir()):
        records = _parse_all(sorted(split_dir.glob("*.txt")))
        validator = _validate(records)
        if validator.problems:
            for problem in validator.problems:
                typer.echo(str(problem), err=True)
            raise typer.Exit(code=1)
        output_dir.mkdir(parents=True, exist_ok=True)
        output = output_dir / f"{split_dir.name}.jsonl"
        with output.open("w", encoding="utf8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        typer.echo(f"{output}: {len(records)} documents")


if __name__ == "__main__":
    app()
