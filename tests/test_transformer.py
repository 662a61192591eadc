"""The transformer variant: the real configs/trf.cfg trained on a tiny local CamemBERT, packaged,
then installed with the CPU pipeline into one venv and loaded with it in one process, offline and
with the tiny model's folder gone."""
from __future__ import annotations

import json
import shutil

from conftest import ROOT, run_script
from test_package import FRESH_VENV, TEST_NAME, TEST_PACKAGE, TEST_VERSION, uninstall

TRF_NAME = "minister_meetings_trf_test"
TRF_PACKAGE = f"fr_{TRF_NAME}"


def test_trf_and_md_pipelines_install_and_load_side_by_side(tmp_path, corpus_slice, trained_model):
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
    run_script("scripts/package_model.py", str(training / "model-last"), str(packages), "--name", TRF_NAME, "--version", TEST_VERSION)
    run_script("scripts/package_model.py", str(trained_model), str(packages), "--name", TEST_NAME, "--version", TEST_VERSION)
    shutil.rmtree(tiny)
    report_path = tmp_path / "install-check.json"
    try:
        run_script(
            "scripts/check_package.py", str(packages / "dist"), "--name", TRF_PACKAGE, "--reference", str(training / "model-last"),
            "--name", TEST_PACKAGE, "--reference", str(trained_model), "--version", TEST_VERSION,
            "--env", "fresh", "--env", "project", "--venv-dir", str(FRESH_VENV), "--output", str(report_path),
        )
    finally:
        uninstall(TRF_PACKAGE, TEST_PACKAGE)
    report = json.loads(report_path.read_text(encoding="utf8"))
    for environment in report["environments"].values():
        trf, md = environment["results"][TRF_PACKAGE], environment["results"][TEST_PACKAGE]
        assert trf["pipes"] == ["transformer", "ner", "entity_edges", "relation_extractor", "people_labels", "meeting_facts"]
        assert md["pipes"] == ["tok2vec", "ner", "entity_edges", "relation_extractor", "people_labels", "meeting_facts"]
        assert trf["components_file"] == md["components_file"] == environment["components"]["file"]
        # n_process=2 is checked for the CPU pipeline; a transformer pipeline runs in one process
        assert md["same_with_n_process_2"] is True and trf["same_with_n_process_2"] is None
    assert report["environments"]["fresh"]["components"]["file"].startswith(str(FRESH_VENV / "lib"))


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
