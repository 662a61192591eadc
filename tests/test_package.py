"""End to end: the trained slice model is packaged, installed into a fresh venv and loaded from elsewhere."""
from __future__ import annotations

import json
import zipfile

from conftest import run_script


def test_wheel_installs_and_loads_in_a_fresh_venv(trained_model, tmp_path):
    packages = tmp_path / "packages"
    run_script("scripts/package_model.py", str(trained_model), str(packages), "--name", "minister_meetings_md", "--version", "0.0.1")
    wheel = packages / "fr_minister_meetings_md-0.0.1" / "dist" / "fr_minister_meetings_md-0.0.1-py3-none-any.whl"
    assert wheel.exists()
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        meta = json.loads(archive.read("fr_minister_meetings_md/meta.json"))
    assert "fr_minister_meetings_md/minister_meetings/relation_extractor.py" in names
    assert meta["license"] and meta["author"] and meta["sources"] and meta["description"] is not None
    assert set(meta["labels"]["relation_extractor"] if "relation_extractor" in meta["labels"] else []) <= {"MET_WITH", "HAS_ROLE", "ATTENDED"}
    report_path = tmp_path / "install-check.json"
    run_script("scripts/check_package.py", str(wheel), "--name", "fr_minister_meetings_md", "--output", str(report_path))
    report = json.loads(report_path.read_text(encoding="utf8"))
    assert report["pipes"] == ["tok2vec", "ner", "relation_extractor", "meeting_facts"]
    assert report["empty_docs_ok"] is True
    for relation in report["relations"]:
        assert relation["label"] in {"MET_WITH", "HAS_ROLE", "ATTENDED"}
        assert 0.0 <= relation["score"] <= 1.0
