"""The extract command: mixed and broken inputs, resume, multiprocessing, the HTML page in Chromium."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture()
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(
        "Rabat, 25 novembre (MAP) - Le ministre de l'Intérieur, Abdelouafi Laftit, a reçu mardi à Rabat "
        "son homologue espagnol, Fernando Grande-Marlaska.", encoding="utf8")
    (folder / "sub" / "b.html").write_text(
        "<html><head><script>var x = 'Laftit';</script></head><body><h1>Diplomatie</h1><p>Paris (AFP) - Le ministre "
        "des Affaires étrangères, Stéphane Séjourné, s'est entretenu lundi avec son homologue marocain, Nasser Bourita.</p></body></html>",
        encoding="utf8")
    lines = [json.dumps({"text": t}, ensure_ascii=False) for t in (
        "Alger (APS) - Le ministre de l'Intérieur, Brahim Merad, a reçu jeudi Matteo Piantedosi.",
        "Aucune réunion ici.",
    )]
    (folder / "c.jsonl").write_text("\n".join(lines) + "\n{cassé\n", encoding="utf8")
    (folder / "empty.txt").write_text("", encoding="utf8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\x03binary")
    (folder / "latin1.txt").write_bytes("Le ministre a reçu".encode("latin-1"))
    return folder


def run_extract(model: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "minister_meetings", "extract", str(model), *args], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def rows(path: Path) -> list:
    return [json.loads(line) for line in path.read_text(encoding="utf8").splitlines() if line.strip()]


def test_folder_with_broken_empty_html_and_jsonl(trained_model, inputs, tmp_path):
    output = tmp_path / "meetings.jsonl"
    result = run_extract(trained_model, str(inputs), "--output", str(output))
    assert "5 documents processed" in result.stderr  # a.txt, b.html, empty.txt and the two good lines of c.jsonl
    for name in ("binary.txt: binary file", "latin1.txt: not UTF-8", "c.jsonl:3: bad JSONL record"):
        assert name in result.stderr
    assert "3 inputs skipped as unreadable" in result.stderr
    for row in rows(output):
        assert row["source"].startswith(str(inputs))
        assert {"participants", "date", "place", "summit", "sentence", "score"} <= set(row)


def test_csv_output(trained_model, inputs, tmp_path):
    output = tmp_path / "meetings.csv"
    run_extract(trained_model, str(inputs / "a.txt"), "--output", str(output), "--format", "csv")
    assert output.read_text(encoding="utf8").splitlines()[0].startswith("source,participants,")


def test_resume_does_not_duplicate_rows(trained_model, inputs, tmp_path):
    output = tmp_path / "meetings.jsonl"
    run_extract(trained_model, str(inputs / "a.txt"), "--output", str(output))
    first = rows(output)
    result = run_extract(trained_model, str(inputs), "--output", str(output), "--resume")
    assert "1 skipped as already done" in result.stderr
    again = run_extract(trained_model, str(inputs), "--output", str(output), "--resume")
    assert "0 documents processed" in again.stderr
    all_rows = rows(output)
    assert all_rows[: len(first)] == first
    keys = [(row["source"], row["sentence"], tuple(p["key"] for p in row["participants"])) for row in all_rows]
    assert len(keys) == len(set(keys))


def test_two_processes_give_the_same_rows(trained_model, inputs, tmp_path):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    run_extract(trained_model, str(inputs), "--output", str(one), "--batch-size", "2")
    run_extract(trained_model, str(inputs), "--output", str(two), "--batch-size", "2", "--n-process", "2")
    assert rows(one) == rows(two)


def test_html_page_shows_entities_and_meetings_in_chromium(tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Debian's chromium must be installed (the Makefile's setup-dev installs it)"
    import spacy

    import minister_meetings  # noqa: F401
    from minister_meetings.extract import render_html
    from minister_meetings.facts import MeetingFacts
    from minister_meetings.relations import set_relations

    nlp = spacy.blank("fr")
    text = "Rabat - Le ministre Abdelouafi Laftit a reçu Laurent Nuñez mardi."
    doc = nlp.make_doc(text)
    laftit = doc.char_span(text.index("Abdelouafi"), text.index(" a reçu"), label="MINISTER")
    nunez = doc.char_span(text.index("Laurent"), text.index(" mardi"), label="MINISTER")
    doc.ents = [doc.char_span(0, 5, label="LOC"), laftit, nunez]
    set_relations(doc, [(laftit.start, laftit.end, "MET_WITH", nunez.start, nunez.end, 0.93)])
    doc = MeetingFacts()(doc)
    page = tmp_path / "report.html"
    page.write_text(render_html([("exemple.txt", doc)]), encoding="utf8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([chromium, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert "Abdelouafi Laftit" in dom and "MINISTER" in dom, "displaCy's entity marks are rendered"
    assert "class=\"meeting\"" in dom and "Abdelouafi Laftit &amp; Laurent Nuñez" in dom
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "extract-report.png"
    subprocess.run([chromium, *flags, f"--screenshot={screenshot}", "--window-size=1200,800", page.as_uri()],
                   capture_output=True, timeout=120)
    assert screenshot.exists() and screenshot.stat().st_size > 1000
