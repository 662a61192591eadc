"""Shared fixtures: the corpus, and a pipeline trained for a few steps with the real config."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

ROOT = Path(__file__).resolve().parent.parent
ANNOTATIONS = ROOT / "corpus" / "annotations"


def run_script(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run a project script with this interpreter and fail with its output if it fails."""
    result = subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def read_jsonl(path: Path) -> List[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def train_records() -> List[dict]:
    return read_jsonl(ANNOTATIONS / "train.jsonl")


@pytest.fixture(scope="session")
def corpus_slice(tmp_path_factory, train_records) -> Path:
    """A small train/dev slice of the corpus converted to .spacy, as the project's convert step does."""
    folder = tmp_path_factory.mktemp("slice")
    dev_records = read_jsonl(ANNOTATIONS / "dev.jsonl")
    for name, records in (("train", train_records[:60]), ("dev", dev_records[:12])):
        jsonl = folder / f"{name}.jsonl"
        jsonl.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf8")
        run_script("scripts/convert_corpus.py", str(jsonl), str(folder / f"{name}.spacy"))
    return folder


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory, corpus_slice) -> Path:
    """configs/md.cfg trained on the slice for a few steps (only the step counts overridden)."""
    output = tmp_path_factory.mktemp("training")
    run_script(
        "scripts/train.py", "configs/md.cfg", str(output),
        "--paths.train", str(corpus_slice / "train.spacy"),
        "--paths.dev", str(corpus_slice / "dev.spacy"),
        "--training.max_steps", "120", "--training.eval_frequency", "60",
    )
    return output / "model-last"


@pytest.fixture(scope="session")
def nlp(trained_model):
    import spacy

    import minister_meetings  # noqa: F401

    return spacy.load(trained_model)
