"""Validate doccano relation-extraction JSONL files against the label scheme.

Reports every problem as FILE:LINE: message and exits with status 1 if there is any; when the
corpus is sound, prints its statistics (documents, words, mentions, relations, variety).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from meetings_tooling.validation import validate_paths

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command(help=__doc__)
def main(
    paths: List[Path] = typer.Argument(..., help="JSONL files, e.g. corpus/annotations/*.jsonl"),
    stats_output: Optional[Path] = typer.Option(None, "--stats-output", help="Also write the statistics to this JSON file."),
) -> None:
    validator = validate_paths(paths)
    if validator.problems:
        for problem in validator.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"{len(validator.problems)} problem(s) found", err=True)
        raise typer.Exit(code=1)
    stats = json.dumps(validator.stats.as_dict(), ensure_ascii=False, indent=2)
    typer.echo(stats)
    if stats_output is not None:
        stats_output.parent.mkdir(parents=True, exist_ok=True)
        stats_output.write_text(stats + "\n", encoding="utf8")


if __name__ == "__main__":
    app()
