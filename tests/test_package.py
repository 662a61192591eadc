"""End to end: the trained slice model is packaged, installed the way users install it (a fresh venv
where pip resolves the wheel's dependencies, and this project's own venv) and loaded from elsewhere.

The test pipeline is packaged under its own name, `fr_minister_meetings_test`, so that the real
`fr_minister_meetings_md` that `make run` installed into the project's venv is left alone.
"""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from email.parser import Parser
from importlib.metadata import version as installed_version

import pytest
from conftest import ROOT, run_script

TEST_NAME = "minister_meetings_test"
TEST_PACKAGE = f"fr_{TEST_NAME}"
TEST_VERSION = "0.0.1"
FRESH_VENV = ROOT / "packages" / "venvs" / "fresh"


def wheel_metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(name for name in archive.namelist() if name.endswith(".dist-info/METADATA"))
        return Parser().parsestr(archive.read(metadata).decode("utf8"))


def uninstall(*names: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "uninstall", "--quiet", "--yes", *names], capture_output=True)


@pytest.fixture(scope="module")
def packaged(trained_model, tmp_path_factory):
    packages = tmp_path_factory.mktemp("packages")
    run_script("scripts/package_model.py", str(trained_model), str(packages), "--name", TEST_NAME, "--version", TEST_VERSION)
    return packages / "dist"


def test_model_wheel_requires_exactly_what_it_needs(packaged):
    components = installed_version("minister-meetings")
    wheel = packaged / f"{TEST_PACKAGE}-{TEST_VERSION}-py3-none-any.whl"
    metadata = wheel_metadata(wheel)
    requirements = sorted(metadata.get_all("Requires-Dist") or [])
    assert f"minister-meetings=={components}" in requirements
    assert any(requirement.startswith("spacy") and "<" in requirement and ">=" in requirement for requirement in requirements)
    assert len(requirements) == 2, requirements
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        meta = json.loads(archive.read(f"{TEST_PACKAGE}/meta.json"))
    # the model wheel carries data only: no copy of the components, none of the project tooling
    assert not [name for name in names if name.endswith(".py") and name != f"{TEST_PACKAGE}/__init__.py"]
    assert meta["license"] and meta["author"] and meta["sources"]
    assert set(meta["labels"]["relation_extractor"]) == {"MET_WITH", "HAS_ROLE", "ATTENDED"}
    card = metadata.get_payload()
    assert "```python" in card and f'spacy.load("{TEST_PACKAGE}")' in card and "### Training data" in card


def test_components_wheel_carries_only_run_time_code(packaged):
    wheel = packaged / f"minister_meetings-{installed_version('minister-meetings')}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        modules = sorted(name for name in archive.namelist() if name.endswith(".py"))
    assert "minister_meetings/relation_extractor.py" in modules and "minister_meetings/__main__.py" in modules
    assert not [name for name in modules if any(tool in name for tool in ("markup", "validation", "evaluation", "meetings_tooling"))]


def test_wheel_installs_and_loads_in_a_fresh_venv_and_in_the_project_venv(packaged, trained_model, tmp_path):
    report_path = tmp_path / "install-check.json"
    try:
        run_script(
            "scripts/check_package.py", str(packaged), "--name", TEST_PACKAGE, "--reference", str(trained_model),
            "--version", TEST_VERSION, "--env", "fresh", "--env", "project", "--venv-dir", str(FRESH_VENV), "--output", str(report_path),
        )
    finally:
        uninstall(TEST_PACKAGE)
    report = json.loads(report_path.read_text(encoding="utf8"))
    assert set(report["environments"]) == {"fresh", "project"}
    fresh, project = report["environments"]["fresh"], report["environments"]["project"]
    assert fresh["components"]["file"].startswith(str(FRESH_VENV / "lib"))
    assert project["components"]["file"] == str(ROOT / "minister_meetings")
    for environment in (fresh, project):
        result = environment["results"][TEST_PACKAGE]
        assert result["pipes"] == ["tok2vec", "ner", "entity_edges", "relation_extractor", "people_labels", "meeting_facts"]
        assert result["same_with_n_process_2"] is True
        assert environment["components"]["distributions"] == ["minister-meetings"]
        assert [len(doc["entities"]) for doc in result["results"]][2:4] == [0, 0]
    assert fresh["results"][TEST_PACKAGE]["results"] == project["results"][TEST_PACKAGE]["results"]


def check_error(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "scripts/check_package.py", *args], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    return result


def test_install_check_names_a_missing_wheel(tmp_path, trained_model):
    result = check_error(str(tmp_path), "--name", TEST_PACKAGE, "--reference", str(trained_model), "--version", TEST_VERSION, "--output", str(tmp_path / "r.json"))
    assert "wheel not found" in result.stderr and "spacy project run package" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_install_check_names_a_wheel_of_another_version(packaged, trained_model, tmp_path):
    result = check_error(str(packaged), "--name", TEST_PACKAGE, "--reference", str(trained_model), "--version", "9.9.9", "--output", str(tmp_path / "r.json"))
    assert f"{TEST_PACKAGE}-{TEST_VERSION}-py3-none-any.whl found" in result.stderr and "9.9.9" in result.stderr
