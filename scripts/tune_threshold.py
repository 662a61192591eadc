"""Choose the relation extractor's per-label thresholds on the dev split and save the tuned pipeline.

Runs the trained pipeline end to end on dev (predicted entities), sweeps the threshold of each
relation label over a grid, keeps the one with the best F, and writes a copy of the pipeline
with those thresholds plus the sweep (JSON) that the evaluation report plots.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import spacy
import typer
from spacy.tokens import DocBin

import minister_meetings  # noqa: F401  (registers the relation extractor)
from meetings_tooling.evaluation import best_thresholds, threshold_sweep

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command(help=__doc__)
def main(
    model_path: Path = typer.Argument(..., help="Trained pipeline (model-best)."),
    dev_path: Path = typer.Argument(..., help="Dev split as .spacy."),
    output_path: Path = typer.Argument(..., help="Where the tuned pipeline is written."),
    sweep_output: Path = typer.Option(..., "--sweep-output", help="JSON file for the sweep and the chosen thresholds."),
    component: str = typer.Option("relation_extractor", help="Name of the relation component."),
) -> None:
    nlp = spacy.load(model_path)
    gold_docs = list(DocBin().from_disk(dev_path).get_docs(nlp.vocab))
    predicted = list(nlp.pipe(doc.text for doc in gold_docs))
    sweep = threshold_sweep(list(zip(gold_docs, predicted)))
    chosen = best_thresholds(sweep)
    nlp.get_pipe(component).set_thresholds(chosen)
    if output_path.exists():
        shutil.rmtree(output_path)
    nlp.to_disk(output_path)
    sweep_output.parent.mkdir(parents=True, exist_ok=True)
    sweep_output.write_text(json.dumps({"chosen": chosen, "sweep": sweep}, indent=2) + "\n", encoding="utf8")
    for label, threshold in chosen.items():
        best = next(row for row in sweep[label] if row["threshold"] == threshold)
        typer.echo(f"{label}: threshold {threshold:.2f} (dev F {best['f']:.3f})")


if __name__ == "__main__":
    app()
