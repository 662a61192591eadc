"""The project workflow stops at the validate step, with the validator's message, on a bad corpus."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def copy_project(target: Path) -> Path:
    shutil.copy(ROOT / "project.yml", target / "project.yml")
    shutil.copytree(ROOT / "scripts", target / "scripts")
    shutil.copytree(ROOT / "configs", target / "configs")
    shutil.copytree(ROOT / "minister_meetings", target / "minister_meetings")
    shutil.copytree(ROOT / "tooling", target / "tooling")
    shutil.copytree(ROOT / "corpus" / "annotations", target / "corpus" / "annotations")
    return target


def run_all(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "spacy", "project", "run", "all", str(project)], cwd=project,
                          capture_output=True, text=True, timeout=600)


def test_corrupt_corpus_stops_at_validate(tmp_path):
    project = copy_project(tmp_path)
    dev = project / "corpus" / "annotations" / "dev.jsonl"
    lines = dev.read_text(encoding="utf8").splitlines()
    lines[2] = lines[2][: len(lines[2]) // 2]
    dev.write_text("\n".join(lines) + "\n", encoding="utf8")
    result = run_all(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "corpus/annotations/dev.jsonl:3: invalid JSON" in output
    assert not (project / "corpus" / "train.spacy").exists()


def test_missing_corpus_file_stops_at_validate(tmp_path):
    project = copy_project(tmp_path)
    (project / "corpus" / "annotations" / "test.jsonl").unlink()
    result = run_all(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "corpus/annotations/test.jsonl" in output
    assert not (project / "corpus" / "train.spacy").exists()
