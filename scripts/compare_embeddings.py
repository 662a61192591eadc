"""Measure which embeddings the CPU pipeline should use: train configs/md.cfg three ways and
score each on dev (never on test).

Variants: the config as it is (hash embeddings + fr_core_news_md static vectors); hash
embeddings alone; fr_core_news_md's own tok2vec sourced and fine-tuned (96 wide, trained for
PER/LOC/ORG/MISC, tagging and parsing). Writes a JSON file and a Markdown table.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

import typer
from thinc.api import Config

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def _sourced_config(config_path: Path, output: Path) -> Path:
    config = Config().from_disk(config_path, interpolate=False)
    config["components"]["tok2vec"] = {"source": "fr_core_news_md"}
    for listener in ("ner", "relation_extractor"):
        config["components"][listener]["model"]["tok2vec"]["width"] = 96
    config.to_disk(output)
    return output


@app.command(help=__doc__)
def main(
    config_path: Path = typer.Argument(Path("configs/md.cfg"), help="The CPU config."),
    train_path: Path = typer.Option(Path("corpus/train.spacy"), help="Training split."),
    dev_path: Path = typer.Option(Path("corpus/dev.spacy"), help="Dev split, used for scoring."),
    output_dir: Path = typer.Option(Path("training/embeddings"), help="Where the variants are trained."),
    report: Path = typer.Option(Path("metrics/embeddings.md"), help="Markdown table of the results."),
    max_steps: int = typer.Option(2000, help="Training steps of each variant."),
) -> None:
    output_dir.mkdir(parents=True, exist_ok=True)
    variants: Dict[str, List[str]] = {
        "static vectors (configs/md.cfg)": [str(config_path)],
        "hash embeddings only": [str(config_path), "--components.tok2vec.model.embed.include_static_vectors", "false", "--paths.vectors", "null"],
        "sourced fr_core_news_md tok2vec": [str(_sourced_config(config_path, output_dir / "sourced.cfg"))],
    }
    results = {}
    for name, config_args in variants.items():
        folder = output_dir / name.split(" ")[0]
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "scripts/train.py", config_args[0], str(folder), *config_args[1:],
             "--paths.train", str(train_path), "--paths.dev", str(dev_path), "--training.max_steps", str(max_steps)],
            check=True,
        )
        seconds = time.perf_counter() - start
        scores_path = folder / "dev-scores.json"
        subprocess.run([sys.executable, "-m", "spacy", "evaluate", str(folder / "model-best"), str(dev_path), "--output", str(scores_path)],
                       check=True, capture_output=True)
        scores = json.loads(scores_path.read_text(encoding="utf8"))
        results[name] = {
            "ents_f": scores["ents_f"],
            "rel_micro_f": scores["rel_micro_f"],
            "rel_per_type": {label: row["f"] for label, row in scores["rel_per_type"].items()},
            "words_per_second": scores["speed"],
            "train_seconds": round(seconds, 1),
        }
        typer.echo(f"{name}: ents F {scores['ents_f']:.3f}, relations F {scores['rel_micro_f']:.3f}")
    report.parent.mkdir(parents=True, exist_ok=True)
    report.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf8")
    lines = [
        f"# Embeddings of the CPU pipeline, scored on dev ({max_steps} training steps each)",
        "",
        f"Reproduce with `python scripts/compare_embeddings.py --max-steps {max_steps}`.",
        "",
        "| variant | entities F | relations micro F | MET_WITH | HAS_ROLE | ATTENDED | words/s | training s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, row in results.items():
        per_type = row["rel_per_type"]
        lines.append(
            f"| {name} | {row['ents_f']:.3f} | {row['rel_micro_f']:.3f} | {per_type['MET_WITH']:.3f} | {per_type['HAS_ROLE']:.3f} | "
            f"{per_type['ATTENDED']:.3f} | {row['words_per_second']:.0f} | {row['train_seconds']:.0f} |"
        )
    report.write_text("\n".join(lines) + "\n", encoding="utf8")
    typer.echo(f"report: {report}")


if __name__ == "__main__":
    app()
