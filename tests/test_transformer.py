"""The transformer variant: the real configs/trf.cfg trained on a tiny local CamemBERT, packaged,
installed into a fresh venv and loaded offline with the tiny model's folder gone."""
from __future__ import annotations

import json
import shutil

from conftest import run_script


def test_trf_pipeline_trains_packages_and_loads_offline(tmp_path, corpus_slice):
    tiny = tmp_path / "tiny-camembert"
    run_script("scripts/make_tiny_transformer.py", str(tiny))
    run_script("scripts/check_transformer.py", str(tiny), "--output", str(tmp_path / "transformer.json"))
    training = tmp_path / "training"
    run_script(
        "scripts/train.py", "configs/trf.cfg", str(training),
        "--paths.train", str(corpus_slice / "train.spacy"), "--paths.dev", str(corpus_slice / "dev.spacy"),
        "--paths.transformer", str(tiny), "--training.max_steps", "6", "--training.eval_frequency", "3",
    )
    packages = tmp_path / "packages"
    run_script("scripts/package_model.py", str(training / "model-last"), str(packages), "--name", "minister_meetings_trf", "--version", "0.0.1")
    shutil.rmtree(tiny)
    wheel = packages / "fr_minister_meetings_trf-0.0.1" / "dist" / "fr_minister_meetings_trf-0.0.1-py3-none-any.whl"
    report_path = tmp_path / "install-check.json"
    run_script("scripts/check_package.py", str(wheel), "--name", "fr_minister_meetings_trf", "--output", str(report_path))
    report = json.loads(report_path.read_text(encoding="utf8"))
    assert report["pipes"] == ["transformer", "ner", "relation_extractor", "meeting_facts"]
    assert report["empty_docs_ok"] is True


def test_unloadable_transformer_stops_with_a_clear_message(tmp_path):
    import subprocess
    import sys

    from conftest import ROOT

    missing = tmp_path / "no-such-model"
    result = subprocess.run(
        [sys.executable, "scripts/check_transformer.py", str(missing / "camembert"), "--output", str(tmp_path / "t.json")],
        cwd=ROOT, capture_output=True, text=True, env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert "Cannot load the transformer" in result.stderr
    assert "--vars.transformer=/path/to/model" in result.stderr
    assert "Traceback" not in result.stderr
