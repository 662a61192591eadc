"""The corpus validator accepts the corpus and rejects each kind of broken record with a clear message."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from meetings_tooling.markup import MarkupError, parse_file
from meetings_tooling.validation import CorpusValidator

from conftest import ANNOTATIONS, ROOT

TEXT = "Rabat, 25 novembre (MAP) - Le ministre de l'Intérieur, Abdelouafi Laftit, a reçu Laurent Nuñez au G6."


def good_record() -> dict:
    def span(surface: str, label: str, number: int) -> dict:
        start = TEXT.index(surface)
        return {"id": number, "label": label, "start_offset": start, "end_offset": start + len(surface)}

    return {
        "id": "unit-001",
        "text": TEXT,
        "entities": [
            span("Rabat", "LOC", 1),
            span("25 novembre", "DATE", 2),
            span("MAP", "ORG", 3),
            span("ministre de l'Intérieur", "ROLE", 4),
            span("Abdelouafi Laftit", "MINISTER", 5),
            span("Laurent Nuñez", "MINISTER", 6),
            span("G6", "SUMMIT", 7),
        ],
        "relations": [
            {"id": 1, "from_id": 5, "to_id": 4, "type": "HAS_ROLE"},
            {"id": 2, "from_id": 5, "to_id": 6, "type": "MET_WITH"},
            {"id": 3, "from_id": 6, "to_id": 7, "type": "ATTENDED"},
        ],
        "doc_relations": [["laftit", "HAS_ROLE", "ministre de l'intérieur"], ["laftit", "MET_WITH", "nunez"], ["nunez", "ATTENDED", "g6"]],
    }


def problems_of(record: object) -> list:
    validator = CorpusValidator()
    validator.validate_record(record, "unit.jsonl", 7)
    return [str(problem) for problem in validator.problems]


def test_good_record_passes():
    assert problems_of(good_record()) == []


def test_corpus_is_sound_and_large_enough():
    validator = CorpusValidator()
    for split in ("train", "dev", "test"):
        validator.validate_file(ANNOTATIONS / f"{split}.jsonl")
    assert [str(p) for p in validator.problems] == []
    stats = validator.stats.as_dict()
    assert stats["documents"] >= 400
    assert stats["words"] >= 60000
    assert stats["entity_mentions"] >= 8000
    assert stats["relations_per_label"]["MET_WITH"] >= 600
    assert stats["relations_per_label"]["HAS_ROLE"] >= 800
    assert stats["relations_per_label"]["ATTENDED"] >= 300
    assert stats["distinct_minister_surnames"] >= 150
    assert stats["distinct_countries"] >= 40
    assert stats["distinct_summits"] >= 30
    assert stats["distinct_meeting_expressions"] >= 40
    assert stats["share_without_met_with"] >= 0.15
    assert stats["share_with_page_noise"] >= 0.10
    assert stats["share_with_anaphoric_meeting"] >= 0.20


def mutate(path: str, value) -> dict:
    record = good_record()
    target = record
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    target[int(last) if last.isdigit() else last] = value
    return record


@pytest.mark.parametrize(
    "record, message",
    [
        (mutate("entities.0.end_offset", 500), "fall outside the text"),
        (mutate("entities.0.end_offset", 0), "empty span 0-0"),
        (mutate("entities.0.label", "CITY"), "unknown label 'CITY'"),
        (mutate("entities.0.end_offset", 6), "starts or ends with punctuation"),
        (mutate("entities.0.end_offset", 3), "does not align with spaCy tokens: end 3 falls inside token 'Rabat'"),
        (mutate("entities.1.id", 1), "duplicate entity id 1"),
        (mutate("relations.0.to_id", 99), "endpoint entity 99 does not exist"),
        (mutate("relations.0.type", "KNOWS"), "unknown type 'KNOWS'"),
        (mutate("relations.0.to_id", 7), "HAS_ROLE cannot join MINISTER 'Abdelouafi Laftit' to SUMMIT 'G6'"),
        (mutate("relations.1.id", 1), "duplicate relation id 1"),
        (mutate("doc_relations", [["laftit", "MET"]]), "must be [key, LABEL, key]"),
        ({"id": "x", "text": TEXT}, "missing keys: entities, relations, doc_relations"),
        ([1, 2], "expected a JSON object"),
    ],
)
def test_broken_record_is_reported(record, message):
    problems = problems_of(record)
    assert any(message in problem for problem in problems), problems
    assert all(problem.startswith("unit.jsonl:7: ") for problem in problems)


def test_whitespace_edge_and_overlap():
    record = good_record()
    start = TEXT.index("Abdelouafi")
    record["entities"].append({"id": 8, "label": "PERSON", "start_offset": start - 1, "end_offset": start + 10})
    problems = problems_of(record)
    assert any("starts or ends with whitespace" in problem for problem in problems)
    assert any("overlap" in problem for problem in problems)


def test_duplicate_ids_and_texts_across_files(tmp_path: Path):
    first, second = tmp_path / "train.jsonl", tmp_path / "test.jsonl"
    first.write_text(json.dumps(good_record(), ensure_ascii=False) + "\n", encoding="utf8")
    second.write_text(json.dumps(good_record(), ensure_ascii=False) + "\n", encoding="utf8")
    validator = CorpusValidator()
    validator.validate_file(first)
    validator.validate_file(second)
    messages = [str(problem) for problem in validator.problems]
    assert f"{second}:1: duplicate document id 'unit-001' (first seen at {first}:1)" in messages
    assert any(message.startswith(f"{second}:1: duplicate text") and "leakage" in message for message in messages)


def test_cli_reports_file_and_line_and_exits_non_zero(tmp_path: Path):
    corrupt = tmp_path / "corrupt.jsonl"
    corrupt.write_text(json.dumps(good_record(), ensure_ascii=False) + "\n{not json\n", encoding="utf8")
    result = subprocess.run([sys.executable, "scripts/validate_corpus.py", str(corrupt)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert f"{corrupt}:2: invalid JSON" in result.stderr


def test_cli_reports_missing_file(tmp_path: Path):
    missing = tmp_path / "nope.jsonl"
    result = subprocess.run([sys.executable, "scripts/validate_corpus.py", str(missing)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert f"{missing}:0: file not found" in result.stderr


def test_cli_prints_statistics_for_a_sound_file(tmp_path: Path):
    sound = tmp_path / "sound.jsonl"
    sound.write_text(json.dumps(good_record(), ensure_ascii=False) + "\n", encoding="utf8")
    result = subprocess.run([sys.executable, "scripts/validate_corpus.py", str(sound)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["relations_per_label"] == {"ATTENDED": 1, "HAS_ROLE": 1, "MET_WITH": 1}


def test_markup_round_trip(tmp_path: Path):
    source = tmp_path / "m.txt"
    source.write_text(
        "=== m-001\nLe [[ministre|ROLE|r]] [[Mohammed VI|PERSON|k|mohammed vi]] a reçu [[Nuñez|MINISTER|n]].\n---\nk HAS_ROLE r\nk MET_WITH n\n@ nunez MET_WITH mohammed vi\n",
        encoding="utf8",
    )
    (record,) = parse_file(source)
    assert record["text"] == "Le ministre Mohammed VI a reçu Nuñez."
    assert record["doc_relations"] == [["mohammed vi", "HAS_ROLE", "ministre"], ["mohammed vi", "MET_WITH", "nunez"]]
    assert problems_of({key: value for key, value in record.items() if key != "source"}) == []


def test_markup_errors_name_file_and_line(tmp_path: Path):
    source = tmp_path / "bad.txt"
    source.write_text("=== b-001\nTexte [[X|MINISTER|x]].\n---\nx MET_WITH y\n", encoding="utf8")
    with pytest.raises(MarkupError, match=r"bad.txt:4: relation refers to mention id 'y'"):
        parse_file(source)
