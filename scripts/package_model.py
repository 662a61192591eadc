"""Package a trained pipeline as a pip-installable wheel, next to the wheel of its components.

Two wheels land in the output's `dist/` folder:
- `minister_meetings-<version>-py3-none-any.whl`, the run-time components (factories, the relation
  model's architecture, the scorer, `doc._` extensions, the extraction CLI), built from this
  project's `pyproject.toml`;
- `fr_<name>-<version>-py3-none-any.whl`, the pipeline's data, which requires exactly that
  version of the components, spaCy's range and (trf) spacy-transformers, and nothing else.
One copy of the component code per environment, however many pipelines are installed, so a
factory is registered once (`@Language.factory`) and no second copy can replace the first.
`pip install --find-links packages/dist fr_<name>` installs both in one command.

The model card (the wheel's README.md, written by `spacy package` from meta.json) gets the
evaluation's figures, the real-page figures when given, the data's origin and a usage snippet.
"""
from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import List, Optional

import minister_meetings
import srsly
import typer
from spacy.cli.package import package

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

COMPONENTS_DIST = "minister-meetings"
PROJECT_ROOT = Path(minister_meetings.__file__).resolve().parent.parent
USAGE = '''```python
import spacy

nlp = spacy.load("{full_name}")
doc = nlp("Rabat, 25 novembre 2025 (MAP) – Le ministre de l’Intérieur, Abdelouafi Laftit, a reçu mardi "
          "son homologue espagnol, Fernando Grande-Marlaska, en marge du Sommet-G6 des ministres de l’Intérieur.")
print([(ent.text, ent.label_) for ent in doc.ents])
for relation in doc._.relations:
    print(relation.head.text, relation.label, relation.tail.text, round(relation.score, 2))
print(doc._.facts)
print(doc._.meetings)
```'''


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


def _figures_table(title: str, rows: dict) -> str:
    lines = [f"| {title} | P | R | F |", "|---|---|---|---|"]
    lines += [f"| {label} | {row['p']:.3f} | {row['r']:.3f} | {row['f']:.3f} |" for label, row in rows.items()]
    return "\n".join(lines)


def _notes(full_name: str, metrics_path: Optional[Path], real_pages: Optional[Path]) -> str:
    sections = ["### Usage", f"`pip install --find-links packages/dist {full_name}` from the project's folder "
                "installs this pipeline and its components (`minister-meetings`); then:", USAGE.format(full_name=full_name)]
    if metrics_path is not None:
        metrics = json.loads(metrics_path.read_text(encoding="utf8"))
        sections += ["### Corpus test split", "Scores of this build on the project's own test split (`spacy project run evaluate`).",
                     _figures_table("entities", {k: v for k, v in metrics["entities"]["per_label"].items()}),
                     _figures_table("`doc._.facts`" if metrics["doc_facts"] else "document-level facts from relations",
                                    metrics["doc_facts"] or metrics["doc_facts_from_relations"])]
    if real_pages is not None:
        real = json.loads(real_pages.read_text(encoding="utf8"))
        rows = {"entities, exact": real["ents"], "entities, coarse PER/LOC/ORG": real["ents_coarse"]}
        rows.update({f"`doc._.facts` {label}": row for label, row in real["doc_facts"].items() if label != "micro"})
        sections += ["### Real news pages",
                     f"{real['docs']} real French news pages outside the repository (a development set of the team), "
                     f"scored with its `score.py` on the release build: {real.get('note', '')}",
                     _figures_table("measure", rows)]
    sections += ["### Training data",
                 "The project's own corpus (`corpus/annotations/{train,dev,test}.jsonl`): French news-style texts about "
                 "ministerial meetings written and annotated by the project's contributors (the facts are real, the "
                 "sentences are ours), CC BY 4.0. Static vectors of fr_core_news_md 3.8.0 (LGPL-LR). Code: MIT."]
    return "\n\n".join(sections)


def _requirements(model_path: Path, components_version: str, spacy_version: str) -> List[str]:
    """What the model needs at run time: its components at the exact version, spaCy, and (trf) spacy-transformers."""
    requirements = [f"{COMPONENTS_DIST}=={components_version}", f"spacy{spacy_version}"]
    config = (model_path / "config.cfg").read_text(encoding="utf8")
    if "spacy-transformers." in config:
        major, minor = installed_version("spacy-transformers").split(".")[:2]
        requirements.append(f"spacy-transformers>={major}.{minor}.0,<{major}.{int(minor) + 1}.0")
    return requirements


def build_wheel(source: Path, dist: Path, wheel_name: str) -> Path:
    """`pip wheel` of one source tree into DIST, offline with the environment's setuptools."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir", str(dist), str(source)],
        check=True,
    )
    wheel = dist / wheel_name
    if not wheel.exists():
        typer.echo(f"{source}: pip wheel wrote no {wheel_name} into {dist}; is `pip install -e .` current?", err=True)
        raise typer.Exit(code=1)
    return wheel


@app.command(help=__doc__)
def main(
    model_path: Path = typer.Argument(..., help="Trained (and threshold-tuned) pipeline directory."),
    output_dir: Path = typer.Argument(..., help="Folder for the package sources; both wheels go to its dist/ folder."),
    name: str = typer.Option(..., help="Package name without the language prefix, e.g. minister_meetings_md."),
    version: str = typer.Option(..., help="Package version."),
    metrics_path: Optional[Path] = typer.Option(None, "--metrics", help="metrics.json of the evaluation, copied into meta.json and the model card."),
    real_pages: Optional[Path] = typer.Option(None, help="JSON of real-page scores (score-real-pages) for the model card; skipped when the file does not exist."),
    description: str = typer.Option("", help="One-line description for meta.json."),
) -> None:
    dist = output_dir / "dist"
    components_version = installed_version(COMPONENTS_DIST)
    components_wheel = build_wheel(PROJECT_ROOT, dist, f"minister_meetings-{components_version}-py3-none-any.whl")
    meta = srsly.read_json(model_path / "meta.json")
    full_name = f"{meta['lang']}_{name}"
    meta.update(
        {
            "name": name,
            "version": version,
            "description": description or meta.get("description", ""),
            "author": "fr-minister-meetings contributors",
            "email": "",
            "url": "",
            "license": "MIT",
            "requirements": _requirements(model_path, components_version, meta["spacy_version"]),
            "sources": [
                {"name": "fr-minister-meetings corpus", "url": "corpus/annotations/", "license": "CC BY 4.0",
                 "author": "fr-minister-meetings contributors (original texts written for this project)"},
                {"name": "fr_core_news_md 3.8.0 static vectors", "url": "https://spacy.io/models/fr#fr_core_news_md",
                 "license": "LGPL-LR", "author": "Explosion"},
            ],
            "notes": _notes(full_name, metrics_path, real_pages if real_pages is not None and real_pages.exists() else None),
        }
    )
    if metrics_path is not None:
        meta["performance"] = _accuracy(metrics_path)
    output_dir.mkdir(parents=True, exist_ok=True)
    meta_path = output_dir / f"{name}.meta.json"
    srsly.write_json(meta_path, meta)
    package(model_path, output_dir, meta_path=meta_path, name=name, version=version, create_sdist=False, create_wheel=False, force=True)

    source_dir = output_dir / f"{full_name}-{version}"
    built_meta = srsly.read_json(source_dir / "meta.json")
    if sorted(built_meta["requirements"]) != sorted(meta["requirements"]):
        typer.echo(f"spacy package added requirements {built_meta['requirements']}; expected {meta['requirements']}", err=True)
        raise typer.Exit(code=1)
    init = source_dir / full_name / "__init__.py"
    init.write_text(
        init.read_text(encoding="utf8").replace(
            "from spacy.util import",
            "import minister_meetings  # noqa: F401  (registers the components and the doc._ extensions)\nfrom spacy.util import", 1,
        ),
        encoding="utf8",
    )
    wheel = build_wheel(source_dir, dist, f"{full_name}-{version}-py3-none-any.whl")
    typer.echo(f"wheels: {wheel} (requires {', '.join(meta['requirements'])}) and {components_wheel}")


if __name__ == "__main__":
    app()
