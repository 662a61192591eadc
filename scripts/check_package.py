"""Install a packaged pipeline into a fresh virtual environment and load it from outside the project.

The fresh venv sees this environment's third-party packages (spaCy, torch...) through a .pth
file, so the check runs offline, but not the project's own code: the project checkout is not on
its path and `minister_meetings` must come from inside the wheel. The pipeline is loaded in a
subprocess started in an empty folder, with the Hugging Face hub switched off, and its output
checked: entities, and `doc._.relations` objects with head, tail, label and score.
"""
from __future__ import annotations

import json
import os
import subprocess
import sysconfig
import tempfile
import venv
from pathlib import Path

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

PROBE = r"""
import importlib.util, json, sys
import spacy
name = sys.argv[1]
nlp = spacy.load(name)
assert importlib.util.find_spec("minister_meetings") is None, "the project's package leaked into the fresh venv"
component = type(nlp.get_pipe("relation_extractor"))
assert name in component.__module__, f"relation_extractor comes from {component.__module__}, not from the wheel"
texts = [
    "Rabat, 25 novembre (MAP) - Le ministre de l'Intérieur, Abdelouafi Laftit, a reçu mardi à Rabat "
    "son homologue espagnol, Fernando Grande-Marlaska, en marge du Sommet-G6 des ministres de l'intérieur.",
    "",
    "   ",
    "Pas d'entité ici 🙂 مرحبا <div>html</div>",
]
docs = list(nlp.pipe(texts, batch_size=2))
relations = []
for doc in docs:
    for relation in doc._.relations:
        assert relation.head.label_ and relation.tail.label_ and relation.label in ("MET_WITH", "HAS_ROLE", "ATTENDED")
        assert 0.0 <= relation.score <= 1.0
        relations.append(relation.as_dict())
meetings = docs[0]._.meetings if "meeting_facts" in nlp.pipe_names else []
assert all(isinstance(meeting["participants"], list) for meeting in meetings)
print(json.dumps({"pipeline": name, "version": nlp.meta["version"], "pipes": nlp.pipe_names, "meetings": meetings,
                  "entities": [(ent.text, ent.label_) for ent in docs[0].ents], "relations": relations,
                  "empty_docs_ok": all(len(doc.ents) == 0 for doc in docs[1:3])}, ensure_ascii=False))
"""


def parent_site_packages() -> str:
    return sysconfig.get_paths()["purelib"]


def _is_project_entry(name: str) -> bool:
    lowered = name.lower().replace("-", "_")
    return lowered.startswith(("minister_meetings", "__editable__.minister_meetings", "fr_minister_meetings"))


def make_fresh_venv(root: Path) -> Path:
    """A venv that sees this environment's dependencies but none of the project's code.

    The dependencies are linked one by one into a folder on the venv's path, leaving out the
    project's editable install (its module finder and its dist-info, whose spaCy entry points
    would otherwise import the project's checkout) and any installed model package.
    """
    venv.EnvBuilder(with_pip=True, clear=True).create(root)
    python = root / "bin" / "python"
    child_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    mirror = root / "parent-dependencies"
    mirror.mkdir()
    for entry in Path(parent_site_packages()).iterdir():
        if not _is_project_entry(entry.name) and entry.suffix != ".pth":
            (mirror / entry.name).symlink_to(entry)
    # a plain path line: .pth files of the mirror are not processed, only the folder is added
    (Path(child_site) / "_parent_dependencies.pth").write_text(f"{mirror}\n", encoding="utf8")
    return python


@app.command(help=__doc__)
def main(
    wheel: Path = typer.Argument(..., help="The pipeline wheel (packages/<name>-<version>/dist/*.whl)."),
    name: str = typer.Option(..., help="Package name to load, e.g. fr_minister_meetings_md."),
    output: Path = typer.Option(..., help="JSON file recording what the loaded pipeline produced."),
) -> None:
    if not wheel.exists():
        typer.echo(f"{wheel}: wheel not found; run the package step first", err=True)
        raise typer.Exit(code=1)
    with tempfile.TemporaryDirectory(prefix="install-check-") as tmp:
        python = make_fresh_venv(Path(tmp) / "venv")
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel.resolve())], check=True)
        workdir = Path(tmp) / "elsewhere"
        workdir.mkdir()
        env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONNOUSERSITE": "1"})
        result = subprocess.run([str(python), "-c", PROBE, name], cwd=workdir, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        typer.echo(result.stderr, err=True)
        typer.echo(f"{wheel}: the installed pipeline failed to load or run", err=True)
        raise typer.Exit(code=1)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf8")
    typer.echo(f"{name} {report['version']} loads from a fresh venv: pipes {report['pipes']}, "
               f"{len(report['entities'])} entities and {len(report['relations'])} relations on the probe text")


if __name__ == "__main__":
    app()
