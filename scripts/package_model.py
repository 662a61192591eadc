"""Package a trained pipeline as a pip-installable wheel that ships the project's components.

`spacy package --code` copies single files flat into the model package, which breaks imports
between modules; instead this vendors the whole `minister_meetings` package as a sub-package of
the model package, imports it from the model's __init__.py (which registers the factories), and
builds the wheel without network access. The meta gets the accuracy figures of the evaluation.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional

import minister_meetings
import srsly
import typer
from spacy.cli.package import package

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

_SETUP_PACKAGES = "packages=[model_name],"


def _accuracy(metrics_path: Path) -> dict:
    metrics = json.loads(metrics_path.read_text(encoding="utf8"))
    entities = metrics["entities"]["per_label"]
    accuracy = {
        "ents_p": entities["micro"]["p"],
        "ents_r": entities["micro"]["r"],
        "ents_f": entities["micro"]["f"],
        "ents_per_type": {label: {k: row[k] for k in ("p", "r", "f")} for label, row in entities.items() if label != "micro"},
    }
    for key in ("relations_end_to_end", "relations_given_gold_entities", "doc_facts_from_relations"):
        accuracy[key] = {label: {k: row[k] for k in ("p", "r", "f")} for label, row in metrics[key].items()}
    return accuracy


@app.command(help=__doc__)
def main(
    model_path: Path = typer.Argument(..., help="Trained (and threshold-tuned) pipeline directory."),
    output_dir: Path = typer.Argument(..., help="Folder for the package source and its dist/ wheel."),
    name: str = typer.Option(..., help="Package name without the language prefix, e.g. minister_meetings_md."),
    version: str = typer.Option(..., help="Package version."),
    metrics_path: Optional[Path] = typer.Option(None, "--metrics", help="metrics.json of the evaluation, copied into meta.json."),
    description: str = typer.Option("", help="One-line description for meta.json."),
) -> None:
    meta = srsly.read_json(model_path / "meta.json")
    meta.update(
        {
            "name": name,
            "version": version,
            "description": description or meta.get("description", ""),
            "author": "fr-minister-meetings contributors",
            "email": "",
            "url": "",
            "license": "MIT",
            "sources": [
                {"name": "fr-minister-meetings corpus", "url": "corpus/annotations/", "license": "CC BY 4.0",
                 "author": "fr-minister-meetings contributors (original texts written for this project)"},
                {"name": "fr_core_news_md 3.8.0 static vectors", "url": "https://spacy.io/models/fr#fr_core_news_md",
                 "license": "LGPL-LR", "author": "Explosion"},
            ],
        }
    )
    if metrics_path is not None:
        meta["performance"] = _accuracy(metrics_path)
    output_dir.mkdir(parents=True, exist_ok=True)
    meta_path = output_dir / f"{name}.meta.json"
    srsly.write_json(meta_path, meta)
    package(model_path, output_dir, meta_path=meta_path, name=name, version=version, create_sdist=False, create_wheel=False, force=True)

    full_name = f"{meta['lang']}_{name}"
    source_dir = output_dir / f"{full_name}-{version}"
    package_dir = source_dir / full_name
    vendored = package_dir / "minister_meetings"
    if vendored.exists():
        shutil.rmtree(vendored)
    shutil.copytree(Path(minister_meetings.__file__).parent, vendored, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    init = package_dir / "__init__.py"
    init.write_text(
        init.read_text(encoding="utf8").replace(
            "from spacy.util import", "from . import minister_meetings  # registers the pipeline's components\nfrom spacy.util import", 1
        ),
        encoding="utf8",
    )
    setup = source_dir / "setup.py"
    setup_text = setup.read_text(encoding="utf8")
    if _SETUP_PACKAGES not in setup_text:
        raise typer.BadParameter(f"{setup} no longer contains {_SETUP_PACKAGES!r}; spaCy's package template changed")
    setup.write_text(setup_text.replace(_SETUP_PACKAGES, "packages=[model_name, model_name + '.minister_meetings'],"), encoding="utf8")
    dist = source_dir / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(dist), str(source_dir)],
        check=True,
    )
    wheels = sorted(dist.glob(f"{full_name}-{version}-*.whl"))
    if not wheels:
        raise typer.Exit(code=1)
    typer.echo(f"wheel: {wheels[-1]}")


if __name__ == "__main__":
    app()
