"""Install the packaged pipelines the way users do, load them from an empty folder, and check that
they give what the trained pipeline gives.

For each environment checked, `pip install --find-links DIST NAME...` (pip resolves the wheels'
dependencies itself, from DIST, pip's cache and the registry), then one subprocess started in an
empty folder loads every pipeline with `spacy.load(NAME)`, runs the examples with `nlp.pipe` and
`nlp.pipe(n_process=2)`, runs the usage snippet of the model card, and prints entities, relations,
facts and meetings. Each pipeline's output must equal that of its trained directory (`--reference`)
loaded in this project's environment.

Environments:
- fresh: a venv with none of the project's code on its path; its third-party packages are
  constrained to this environment's versions (a CPU torch, not the CUDA build an unpinned
  requirement pulls). Built once and kept in `--venv-dir`; the project's distributions are
  uninstalled from it before each check, so what is checked is the install from DIST.
- project: this interpreter's own environment (the project's `.venv`), the wheels installed on top.
Several names in one call are installed together and loaded in one process.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import venv
from importlib.metadata import PackageNotFoundError, version as installed_version
from pathlib import Path
from typing import Dict, List, Optional

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

COMPONENTS_DIST = "minister-meetings"
# the project's own distributions (components, tooling, pipelines), never taken from a constraint or left in the fresh venv
OURS = re.compile(r"(?i)(fr[-_]minister[-_]meetings|minister[-_]meetings)")
CHECKOUT_COMPONENTS = Path(__file__).resolve().parent.parent / "minister_meetings"
EXAMPLES = [
    "Rabat, 25 novembre 2025 (MAP) - Le ministre de l'Intérieur, Abdelouafi Laftit, a reçu mardi à Rabat "
    "son homologue espagnol, Fernando Grande-Marlaska, en marge du Sommet-G6 des ministres de l'intérieur.",
    "TUNIS, 3 mars 2024 (TAP) – Le ministre de l’Intérieur, Kamel FEKI, s’est entretenu, lundi, au siège du "
    "ministère, avec l’Ambassadeur d’Italie en Tunisie, M. Alessandro Prunas. Les deux parties ont évoqué la "
    "coopération en matière de migration.",
    "",
    "   ",
    "Pas d'entité ici 🙂 مرحبا <div>html</div>",
]
PROBE = r'''
import contextlib, importlib.metadata, io, json, re, sys
from pathlib import Path
import spacy

def describe(doc):
    return {
        "entities": [[ent.start_char, ent.end_char, ent.label_] for ent in doc.ents],
        "relations": sorted([[r.head.start_char, r.tail.start_char, r.label, round(float(r.score), 4)] for r in doc._.relations]),
        "facts": doc._.facts,
        "meetings": doc._.meetings,
    }

def run(nlp, texts, n_process):
    return [describe(doc) for doc in nlp.pipe(texts, batch_size=2, n_process=n_process)]

if __name__ == "__main__":
    names, texts, check_install = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3] == "1"
    report = {}
    for name in names:
        nlp = spacy.load(name)
        if check_install:
            import minister_meetings
            code = Path(minister_meetings.__file__).resolve().parent
            component = sys.modules[type(nlp.get_pipe("relation_extractor")).__module__].__file__
            card = importlib.metadata.metadata(name)
            snippet = re.search(r"```python\n(.*?)```", card.get_payload() or card.get("Description", ""), re.S)
            if snippet is None:
                sys.exit(f"{name}: the installed package has no model card with a python usage snippet")
            with contextlib.redirect_stdout(io.StringIO()):
                exec(snippet.group(1), {})
        one = run(nlp, texts, 1)
        # torch's thread pool does not survive the fork of nlp.pipe(n_process=2): a transformer
        # pipeline runs in one process (spacy-transformers' advice too), the CPU pipeline in both
        multiprocess = check_install and "transformer" not in nlp.pipe_names
        two = run(nlp, texts, 2) if multiprocess else None
        report[name] = {"version": nlp.meta["version"], "pipes": nlp.pipe_names, "results": one,
                        "same_with_n_process_2": one == two if multiprocess else None}
        if check_install:
            report[name]["components_file"] = str(Path(component).resolve().parent)
    if check_install:
        report["_components"] = {"file": str(code), "distributions": sorted(
            d.metadata["Name"] for d in importlib.metadata.distributions() if (d.metadata["Name"] or "").lower().replace("_", "-") == "minister-meetings")}
    print(json.dumps(report, ensure_ascii=False))
'''


class CheckError(Exception):
    """A problem with the wheels or the environment, reported as one line."""


def find_wheel(dist: Path, distribution: str, version: str) -> Path:
    """The wheel of `distribution` at `version` in DIST, or a message saying what is there instead."""
    stem = distribution.replace("-", "_")
    wheel = dist / f"{stem}-{version}-py3-none-any.whl"
    if wheel.exists():
        return wheel
    others = sorted(path.name for path in dist.glob(f"{stem}-*.whl")) if dist.exists() else []
    if others:
        raise CheckError(f"{dist}: {', '.join(others)} found, but the project is at version {version}; run `spacy project run package` again")
    raise CheckError(f"{wheel}: wheel not found; run `spacy project run package` first")


def constraints(path: Path) -> Path:
    """This environment's third-party versions, so the fresh venv resolves to the same packages."""
    frozen = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"], check=True, capture_output=True, text=True).stdout
    lines = [line for line in frozen.splitlines() if "==" in line and not OURS.match(line)]
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return path


def fresh_venv(venv_dir: Path) -> Path:
    python = venv_dir / "bin" / "python"
    if not python.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(venv_dir)
    installed = subprocess.run([str(python), "-m", "pip", "list", "--format=json"], check=True, capture_output=True, text=True).stdout
    ours = [row["name"] for row in json.loads(installed) if OURS.match(row["name"])]
    if ours:
        subprocess.run([str(python), "-m", "pip", "uninstall", "--quiet", "--yes", *ours], check=True)
    return python


def pip_install(python: Path, dist: Path, names: List[str], constraint_file: Optional[Path]) -> None:
    command = [str(python), "-m", "pip", "install", "--quiet", "--find-links", str(dist.resolve())]
    if constraint_file is not None:
        command += ["--constraint", str(constraint_file)]
    result = subprocess.run(command + names, capture_output=True, text=True)
    if result.returncode != 0:
        raise CheckError(f"pip install --find-links {dist} {' '.join(names)} failed in {python}: {result.stderr.strip().splitlines()[-1] if result.stderr.strip() else result.stdout[-500:]}")


def probe(python: Path, names: List[str], check_install: bool, workdir: Path) -> dict:
    script = workdir / "probe.py"
    script.write_text(PROBE, encoding="utf8")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONNOUSERSITE": "1"})
    result = subprocess.run([str(python), str(script), json.dumps(names), json.dumps(EXAMPLES, ensure_ascii=False), "1" if check_install else "0"],
                            cwd=workdir, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        tail = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "no output"
        raise CheckError(f"{python}: loading {', '.join(names)} failed: {tail}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def has_torch(python: Path) -> bool:
    return subprocess.run([str(python), "-c", "import torch"], capture_output=True).returncode == 0


@app.command(help=__doc__)
def main(
    dist: Path = typer.Argument(..., help="Folder with the model wheels and the minister-meetings wheel (packages/dist)."),
    names: List[str] = typer.Option(..., "--name", help="Pipeline package to install and load, e.g. fr_minister_meetings_md (repeatable)."),
    references: List[Path] = typer.Option(..., "--reference", help="Trained pipeline directory of each --name, in the same order."),
    version: str = typer.Option(..., help="Version the project packaged (project.yml's vars.version)."),
    environments: List[str] = typer.Option(["fresh", "project"], "--env", help="fresh and/or project (repeatable)."),
    venv_dir: Path = typer.Option(Path("packages/venvs/fresh"), help="Where the fresh venv is kept between checks."),
    output: Path = typer.Option(..., help="JSON report of what each environment's pipelines produced."),
) -> None:
    try:
        report = check(dist, names, references, version, environments, venv_dir)
    except CheckError as error:
        typer.echo(f"install-check: {error}", err=True)
        raise typer.Exit(code=1)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf8")
    for environment, result in report["environments"].items():
        typer.echo(f"{environment}: {', '.join(names)} installed and loaded in one process; same entities, relations, facts and meetings as "
                   f"{', '.join(map(str, references))}, with n_process=1 (and 2 for pipelines without a transformer); components from {result['components']['file']}")


def check(dist: Path, names: List[str], references: List[Path], version: str, environments: List[str], venv_dir: Path) -> dict:
    if len(names) != len(references):
        raise CheckError(f"{len(names)} --name but {len(references)} --reference; give one trained directory per pipeline")
    unknown = set(environments) - {"fresh", "project"}
    if unknown:
        raise CheckError(f"unknown --env {', '.join(sorted(unknown))}; use fresh and/or project")
    try:
        components_version = installed_version(COMPONENTS_DIST)
    except PackageNotFoundError as error:
        raise CheckError(f"{COMPONENTS_DIST} is not installed in {sys.prefix}; run `pip install -e .` (make setup)") from error
    find_wheel(dist, COMPONENTS_DIST, components_version)
    for name in names:
        find_wheel(dist, name, version)
    needs_torch = any("spacy-transformers" in (reference / "config.cfg").read_text(encoding="utf8") for reference in references)
    report: Dict[str, dict] = {"pipelines": names, "version": version, "environments": {}}
    with tempfile.TemporaryDirectory(prefix="install-check-") as tmp:
        workdir = Path(tmp) / "empty"
        workdir.mkdir()
        expected = probe(Path(sys.executable), [str(reference.resolve()) for reference in references], False, workdir)
        for environment in environments:
            if environment == "fresh":
                if needs_torch and not has_torch(Path(sys.executable)):
                    raise CheckError(f"{sys.prefix} has no torch, so the fresh venv would pull an unpinned CUDA build; pip install torch==2.13.0 first")
                python = fresh_venv(venv_dir.absolute())
                pip_install(python, dist, names, constraints(Path(tmp) / "constraints.txt"))
            else:
                python = Path(sys.executable)
                if needs_torch and not has_torch(python):
                    raise CheckError(f"{sys.prefix} has no torch, which {', '.join(names)} need; pip install torch==2.13.0 first")
                pip_install(python, dist, names, None)
            got = probe(python, names, True, workdir)
            components = got.pop("_components")
            for name, reference in zip(names, references):
                result = got[name]
                if result["version"] != version:
                    raise CheckError(f"{environment}: {name} {result['version']} was loaded, not {version}")
                if result["results"] != expected[str(reference.resolve())]["results"]:
                    raise CheckError(f"{environment}: {name} gives other results than {reference}")
                if result["same_with_n_process_2"] is False:
                    raise CheckError(f"{environment}: {name} gives other results with nlp.pipe(n_process=2)")
                if result["components_file"] != components["file"]:
                    raise CheckError(f"{environment}: {name}'s relation_extractor comes from {result['components_file']}, not {components['file']}")
            if components["distributions"] != [COMPONENTS_DIST]:
                raise CheckError(f"{environment}: expected one {COMPONENTS_DIST} distribution, found {components['distributions']}")
            if environment == "fresh" and Path(components["file"]) == CHECKOUT_COMPONENTS:
                raise CheckError(f"fresh: the components were imported from the project checkout ({components['file']}), not from the wheel")
            report["environments"][environment] = {"python": str(python), "components": components, "results": got}
    return report


if __name__ == "__main__":
    app()
