"""Run `spacy debug data` on a config and keep its report; fail if spaCy finds errors in the data."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import List

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command(help=__doc__, context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def main(
    ctx: typer.Context,
    config_path: Path = typer.Argument(..., help="Training config."),
    output: Path = typer.Argument(..., help="Text file for the report."),
) -> None:
    """Extra arguments are passed on to `spacy debug data` (config overrides)."""
    command: List[str] = [sys.executable, "-m", "spacy", "debug", "data", str(config_path), *ctx.args]
    result = subprocess.run(command, capture_output=True, text=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(result.stdout + result.stderr, encoding="utf8")
    typer.echo(result.stdout[-3000:])
    if result.returncode != 0:
        typer.echo(result.stderr, err=True)
        typer.echo(f"spacy debug data found problems; full report in {output}", err=True)
        raise typer.Exit(code=result.returncode)


if __name__ == "__main__":
    app()
