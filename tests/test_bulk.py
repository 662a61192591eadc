"""Bulk extraction (local and Dask engines), dates, events merged across outlets, the database,
the graph and the page (in headless Chromium), and bad inputs.

The reports in tests/data/reports/ are our own short texts: six outlets telling four meetings,
dates written relatively ("mardi", "hier", "avant-hier", "aujourd'hui"). A pipeline trained for
120 steps finds few meetings in them, so the merge is tested on the meetings a good pipeline gives
(tests/data/reports-meetings.json, written by hand in the `doc._.meetings` format), passed
through the same row code as extraction; the trained model is used for the engines and a smoke run.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Dict, List

import pytest

from conftest import ANNOTATIONS, ROOT, read_jsonl

REPORTS = ROOT / "tests" / "data" / "reports"
ARTIFACTS = ROOT / "tests" / "artifacts"


def run_cli(*args: str, expect: int = 0) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "minister_meetings", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == expect, f"exit {result.returncode}:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    return result


def hand_rows() -> List[dict]:
    """Meeting rows of the reports: the hand-written `doc._.meetings`, article dates read as extraction reads them."""
    from minister_meetings.bulk import Summary, meeting_rows, plan_partitions, read_partition
    from minister_meetings.dates import article_date

    meetings = json.loads((ROOT / "tests" / "data" / "reports-meetings.json").read_text(encoding="utf8"))
    rows: List[dict] = []
    summary = Summary()
    for partition in plan_partitions([str(REPORTS)], summary):
        for record in read_partition(partition, summary.skipped):
            name = record.source[len(str(REPORTS)) + 1:]
            base, _origin = article_date(record.text, record.meta.get("date"))
            rows.extend(meeting_rows(name, meetings[name], base))
    assert not summary.skipped
    return rows


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize("mention, expected", [
    ("mardi", ("2025-11-25", "2025-11-25")),            # the example: a Wednesday dispatch
    ("mercredi", ("2025-11-26", "2025-11-26")),         # the dispatch's own weekday is that day
    ("hier", ("2025-11-25", "2025-11-25")),
    ("avant-hier", ("2025-11-24", "2025-11-24")),
    ("mardi matin", ("2025-11-25", "2025-11-25")),
    ("le 24 novembre", ("2025-11-24", "2025-11-24")),
    ("samedi 22 novembre", ("2025-11-22", "2025-11-22")),
    ("25 novembre 2024", ("2024-11-25", "2024-11-25")),
    ("en novembre", ("2025-11-01", "2025-11-30")),
    ("les 24 et 25 novembre", ("2025-11-24", "2025-11-25")),
    ("la veille", None),                                # relative to another date of the text: left unresolved
])
def test_dates_resolve_against_the_article_date(mention, expected):
    from minister_meetings.dates import resolve

    resolved = resolve(mention, date(2025, 11, 26))
    assert (None if resolved is None else (resolved.start.isoformat(), resolved.end.isoformat())) == expected


def test_article_date_from_field_dateline_or_option():
    from minister_meetings.dates import article_date, resolve

    dispatch = "Rabat, 26 novembre 2025 (MAP) - Le ministre a reçu mardi son homologue."
    assert article_date(dispatch) == (date(2025, 11, 26), "dateline")
    assert article_date(dispatch, "2025-11-20T08:00:00Z") == (date(2025, 11, 20), "field")
    assert article_date("PARIS, le mercredi 4 février 2025 - Le ministre...") == (date(2025, 2, 4), "dateline")
    assert article_date("Sans dateline.", None, date(2025, 1, 3)) == (date(2025, 1, 3), "option")
    assert article_date("Rabat, 25 novembre (MAP) - sans année") == (None, None)
    assert resolve("mardi", None) is None, "a relative date without an article date stays unresolved"


# ---------------------------------------------------------------- events

def test_reports_of_several_outlets_merge_into_events():
    from minister_meetings.events import merge_meetings

    rows = hand_rows()
    assert {row["source"]: row["date_start"] for row in rows} == {
        "map-laftit-marlaska.txt": "2025-11-25", "le360-rabat.html": "2025-11-25", "fil-efe-aps.jsonl:1": "2025-11-25",
        "afp-barrot-bourita.txt": "2025-11-20", "map-bourita-paris.txt": "2025-11-20", "ansa-naples-g6.txt": "2025-11-24",
        "map-bourita-barrot-2024.txt": "2024-03-04",
    }
    events, mentions, people = merge_meetings(rows, window=2)
    assert sorted(tuple(p["key"] for p in event["participants"]) for event in events) == [
        ("barrot", "bourita"), ("barrot", "bourita"), ("grande-marlaska", "laftit"), ("laftit", "piantedosi")]
    rabat = next(e for e in events if {p["key"] for p in e["participants"]} == {"laftit", "grande-marlaska"})
    assert rabat["documents"] == ["fil-efe-aps.jsonl:1", "le360-rabat.html", "map-laftit-marlaska.txt"]  # "Laftitt" joined "Laftit"
    assert (rabat["date_start"], rabat["date_end"], rabat["place"], rabat["summit"]) == ("2025-11-25", "2025-11-25", "Rabat", None)
    assert sorted(rabat["date_mentions"]) == ["aujourd'hui", "avant-hier", "mardi"]
    roles = {p["key"]: p["roles"] for p in rabat["participants"]}
    assert roles == {"laftit": ["ministre de l'intérieur"], "grande-marlaska": ["ministre espagnol de l'intérieur"]}
    assert {p["name"] for p in rabat["participants"]} == {"Abdelouafi Laftit", "Fernando Grande-Marlaska"}
    paris = [e for e in events if {p["key"] for p in e["participants"]} == {"barrot", "bourita"}]
    assert sorted((e["date_start"], e["n_documents"]) for e in paris) == [("2024-03-04", 1), ("2025-11-20", 2)]
    naples = next(e for e in events if e["summit"])
    assert (naples["summit"], naples["date_start"], naples["place"]) == ("sommet du G6", "2025-11-24", "Naples")
    single = max(e["confidence"] for e in events if e["n_documents"] == 1 and e["summit"] is None)
    assert rabat["confidence"] > single, "three independent reports are surer than one"
    assert {m["person"] for m in mentions} == {"laftit", "grande-marlaska", "barrot", "bourita", "piantedosi"}
    assert {p["person"]: p["events"] for p in people} == {"laftit": 2, "grande-marlaska": 1, "barrot": 2, "bourita": 2, "piantedosi": 1}


def test_dates_and_places_keep_reports_apart():
    from minister_meetings.events import merge_meetings

    rows = [row for row in hand_rows() if row["source"] in ("map-laftit-marlaska.txt", "le360-rabat.html")]
    assert len(merge_meetings(rows, window=0)[0]) == 1, "same day: one event even with window 0"
    later = dict(rows[1], date_start="2025-11-29", date_end="2025-11-29")
    assert len(merge_meetings([rows[0], later], window=2)[0]) == 2, "four days apart"
    elsewhere = dict(rows[1], place="Madrid", sentence=rows[1]["sentence"].replace("à Rabat", "à Madrid"))
    assert len(merge_meetings([rows[0], elsewhere], window=2)[0]) == 2, "Rabat and Madrid, both stated"
    dateline_only = dict(rows[1], place="Paris", place_in_sentence=False)
    assert len(merge_meetings([rows[0], dateline_only], window=2)[0]) == 1, "an outlet's dateline place does not split"


# ---------------------------------------------------------------- database, graph, page

def readme_queries() -> Dict[str, str]:
    """The analyst queries of the README's database section, by their heading line."""
    readme = (ROOT / "README.md").read_text(encoding="utf8")
    section = readme[readme.index("### The database"):]
    return dict(re.findall(r"^-- ([^\n]+)\n(.*?);$", section, flags=re.MULTILINE | re.DOTALL))


@pytest.fixture(scope="module")
def merged(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("merged")
    meetings = folder / "meetings.jsonl"
    meetings.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in hand_rows()), encoding="utf8")
    result = run_cli("merge", str(meetings), "--output", str(folder / "events"))
    assert "7 meetings from 7 documents -> 4 events (2 reported by several documents), 5 people" in result.stderr
    return folder / "events"


def test_database_tables_and_readme_queries(merged):
    import duckdb

    queries = readme_queries()
    assert len(queries) == 3, queries
    with duckdb.connect(str(merged / "meetings.duckdb"), read_only=True) as connection:
        counts = {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ("documents", "mentions", "meetings", "events", "people")}
        assert counts == {"documents": 7, "mentions": 14, "meetings": 7, "events": 4, "people": 5}
        assert connection.execute("SELECT typeof(date_start) FROM events LIMIT 1").fetchone()[0] == "DATE"
        by_year, pairs, summit = (connection.execute(sql).fetchall() for sql in queries.values())
    assert by_year == [(2024, 1), (2025, 1)]
    assert pairs[0] == ("barrot", "bourita", 2)
    assert sorted(pairs[1:]) == [("grande-marlaska", "laftit", 1), ("laftit", "piantedosi", 1)]
    assert summit == [("Abdelouafi Laftit", "sommet du G6", date(2025, 11, 24)), ("Matteo Piantedosi", "sommet du G6", date(2025, 11, 24))]
    for table in ("documents", "mentions", "meetings", "events", "people"):
        assert (merged / f"{table}.parquet").exists()
    assert not list(merged.glob(".*.tmp")), "no temporary file left"


def test_graphml_reads_back_in_networkx(merged):
    import networkx as nx

    graph = nx.read_graphml(merged / "people.graphml")
    assert set(graph.nodes) == {"laftit", "grande-marlaska", "barrot", "bourita", "piantedosi"}
    assert graph.nodes["laftit"]["name"] == "Abdelouafi Laftit" and graph.nodes["laftit"]["label"] == "MINISTER"
    assert graph.edges["barrot", "bourita"]["weight"] == 2
    assert graph.edges["barrot", "bourita"]["first"] == "2024-03-04" and graph.edges["barrot", "bourita"]["last"] == "2025-11-20"
    assert graph.number_of_edges() == 3


def test_events_page_runs_in_chromium_without_errors(merged, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Debian's chromium must be installed (the Makefile's setup-dev installs it)"
    page = merged / "events.html"
    markup = page.read_text(encoding="utf8")
    assert not re.search(r"<(?:script|link|img)[^>]+(?:src|href)=", markup), "self-contained: no external script, style or image"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0"]
    run = subprocess.run([chromium, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    dom = run.stdout
    assert 'data-ready="1"' in dom, "the page's script ran to its end"
    assert not re.search(r"<body[^>]*data-error", dom) and '<pre id="errors"></pre>' in dom, "no JavaScript error reported"
    assert "Uncaught" not in run.stderr, run.stderr[-2000:]
    assert "4 of 4 events shown" in dom
    assert "Abdelouafi Laftit" in dom and "sommet du G6" in dom
    assert "a reçu mardi à Rabat son homologue espagnol" in dom, "sentences shown as evidence"
    assert dom.count('class="node"') == 5
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "events-page.png"
    subprocess.run([chromium, *flags, f"--screenshot={screenshot}", "--window-size=1400,1000", page.as_uri()], capture_output=True, timeout=120)
    assert screenshot.exists() and screenshot.stat().st_size > 5000


# ---------------------------------------------------------------- engines

@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """Texts the 120-step model finds meetings in (its training texts), as JSONL, Parquet row groups and .txt, with one bad line."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path_factory.mktemp("archive")
    texts = [record["text"] for record in read_jsonl(ANNOTATIONS / "train.jsonl")[:36]]
    lines = [json.dumps({"text": text, "date": "2025-11-26"}, ensure_ascii=False) for text in texts[:12]]
    (folder / "a.jsonl").write_text("\n".join(lines[:6]) + "\n", encoding="utf8")
    (folder / "b.jsonl").write_text("\n".join(lines[6:]) + "\n{pas du json\n", encoding="utf8")
    table = pa.table({"text": texts[12:24], "date": ["2025-11-26"] * 12, "url": [f"https://example.org/{i}" for i in range(12)]})
    pq.write_table(table, folder / "c.parquet", row_group_size=6)
    (folder / "txt").mkdir()
    for index, text in enumerate(texts[24:]):
        (folder / "txt" / f"{index:02d}.txt").write_text(text, encoding="utf8")
    return folder


def test_dask_gives_the_rows_of_the_local_path(trained_model, archive, tmp_path):
    from minister_meetings.bulk import read_table

    local, dask = tmp_path / "local", tmp_path / "dask"
    common = ["--batch-size", "4", "--files-per-partition", "5", "--date", "2025-11-26"]
    run_cli("extract", str(trained_model), str(archive), "-o", str(local), "--format", "parquet", "--summary-json", str(tmp_path / "local.json"), *common)
    result = run_cli("extract", str(trained_model), str(archive), "-o", str(dask), "--engine", "dask", "--workers", "2",
                     "--threads-per-worker", "1", "--summary-json", str(tmp_path / "dask.json"), *common)
    assert "36 documents processed" in result.stderr and "partitions: 7 written (0 empty)" in result.stderr, result.stderr
    for table in ("documents", "meetings"):
        assert read_table(dask, table) == read_table(local, table), table
    assert len(read_table(local, "meetings")) > 10, "the rows compared include meetings"
    local_summary, dask_summary = (json.loads((tmp_path / f"{name}.json").read_text()) for name in ("local", "dask"))
    assert dask_summary["skipped"] == local_summary["skipped"] == [[f"{archive}/b.jsonl:7", dask_summary["skipped"][0][1]]]
    assert len(dask_summary["peak_rss_mb"]) == 2, "peak memory reported for each of the two workers"
    parquet_rows = [row for row in read_table(local, "documents") if row["source"].startswith(f"{archive}/c.parquet")]
    assert {row["partition"] for row in parquet_rows} == {f"{archive}/c.parquet#row-group-0", f"{archive}/c.parquet#row-group-1"}
    assert json.loads(parquet_rows[0]["meta"])["url"].startswith("https://example.org/")
    documents = read_table(local, "documents")
    assert {row["article_date"] for row in documents if row["date_origin"] == "field"} == {"2025-11-26"}
    assert {row["date_origin"] for row in documents if row["source"].endswith(".txt")} <= {"dateline", "option"}, "a dated dateline wins over --date"

    # a rerun skips every finished partition and rewrites nothing
    before = {path: path.stat().st_mtime_ns for path in dask.rglob("*.parquet")}
    again = run_cli("extract", str(trained_model), str(archive), "-o", str(dask), "--engine", "dask", *common)
    assert "partitions: 0 written (0 empty), 7 skipped as already done, 0 failed" in again.stderr
    assert {path: path.stat().st_mtime_ns for path in dask.rglob("*.parquet")} == before


def test_interrupted_partition_is_redone_without_duplicates(trained_model, archive, tmp_path):
    from minister_meetings.bulk import read_table

    output = tmp_path / "out"
    glob = f"{archive}/*.jsonl"  # a glob as input
    run_cli("extract", str(trained_model), glob, "-o", str(output), "--format", "parquet")
    complete = {table: read_table(output, table) for table in ("documents", "meetings")}
    # as if a worker died after writing one partition's meetings and before its documents file
    victim = sorted((output / "documents").glob("part-*.parquet"))[0]
    victim.unlink()
    (output / "documents" / f".{victim.name}.dead.tmp").write_bytes(b"half a file")
    result = run_cli("extract", str(trained_model), f"file://{archive}/*.jsonl", "-o", str(output), "--format", "parquet")
    assert "partitions: 1 written (0 empty), 1 skipped as already done" in result.stderr
    assert {table: read_table(output, table) for table in ("documents", "meetings")} == complete


def test_bad_inputs_are_named_skipped_and_counted(trained_model, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from minister_meetings.bulk import read_table

    inputs = tmp_path / "bad"
    inputs.mkdir()
    good = "Rabat, 26 novembre 2025 (MAP) - Le ministre de l'Intérieur, Abdelouafi Laftit, a reçu mardi Fernando Grande-Marlaska."
    (inputs / "lines.jsonl").write_bytes(
        (json.dumps({"text": good}, ensure_ascii=False) + "\n{cassé\n" + json.dumps({"titre": "sans texte"}) + "\n").encode("utf8")
        + '{"text": "Le ministre a reçu"}'.encode("latin-1") + b"\n" + json.dumps({"text": 3}).encode() + b"\n")
    (inputs / "empty.jsonl").write_text("", encoding="utf8")
    (inputs / "latin1.txt").write_bytes("Le ministre a reçu son homologue".encode("latin-1"))
    (inputs / "binary.html").write_bytes(b"\x00\x01\x02binary")
    pq.write_table(pa.table({"body": ["pas de colonne text"]}), inputs / "notext.parquet")
    (inputs / "broken.parquet").write_bytes(b"PAR1 not really parquet")
    (inputs / "ok.txt").write_text(good, encoding="utf8")
    output = tmp_path / "out"
    result = run_cli("extract", str(trained_model), str(inputs), "-o", str(output), "--format", "parquet")
    err = result.stderr
    for message in (f"{inputs}/lines.jsonl:2: bad JSONL record", f"{inputs}/lines.jsonl:3: bad JSONL record: no 'text' field",
                    f"{inputs}/lines.jsonl:4: bad JSONL record: not UTF-8", f"{inputs}/lines.jsonl:5: bad JSONL record: 'text' is not a string",
                    f"{inputs}/latin1.txt: not UTF-8", f"{inputs}/binary.html: binary file",
                    f"{inputs}/notext.parquet: Parquet file without a 'text' column (columns: body)",
                    f"{inputs}/broken.parquet: not a readable Parquet file"):
        assert message in err, f"{message!r} not in:\n{err}"
    assert "2 documents processed" in err and "8 inputs skipped as unreadable" in err
    assert "partitions: 3 written (1 empty), 0 skipped as already done, 0 failed" in err
    assert [row["source"] for row in read_table(output, "documents")] == [f"{inputs}/lines.jsonl:1", f"{inputs}/ok.txt"]
    assert not [path for path in output.rglob("*") if path.name.endswith(".tmp")], "nothing written half"


def test_failed_partition_is_named_the_rest_goes_on_and_a_rerun_redoes_it(trained_model, archive, tmp_path):
    from minister_meetings.bulk import Partition, read_table

    output = tmp_path / "out"
    blocked = output / "meetings" / f"part-{Partition('jsonl', (str(archive / 'a.jsonl'),)).id}.parquet"
    blocked.mkdir(parents=True)  # a directory where the partition's file must go: its write fails
    result = run_cli("extract", str(trained_model), f"{archive}/*.jsonl", "-o", str(output), "--format", "parquet", expect=1)
    assert f"failed partition {archive}/a.jsonl: IsADirectoryError" in result.stderr and "(rerun to redo it)" in result.stderr
    assert "partitions: 1 written (0 empty), 0 skipped as already done, 1 failed" in result.stderr
    assert {row["source"].split(":")[0] for row in read_table(output, "documents")} == {f"{archive}/b.jsonl"}
    blocked.rmdir()
    again = run_cli("extract", str(trained_model), f"{archive}/*.jsonl", "-o", str(output), "--format", "parquet")
    assert "partitions: 1 written (0 empty), 1 skipped as already done, 0 failed" in again.stderr
    assert len(read_table(output, "documents")) == 12


def test_bulk_dependencies_are_an_extra_of_the_components():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf8"))["project"]
    extra = " ".join(project["optional-dependencies"]["bulk"])
    for name in ("dask[distributed]", "pyarrow", "duckdb", "networkx", "dateparser"):
        assert name in extra and name not in " ".join(project["dependencies"])
    pinned = (ROOT / "requirements.txt").read_text(encoding="utf8")
    for name in ("dask[distributed]", "pyarrow", "duckdb", "networkx", "dateparser"):
        assert re.search(rf"^{re.escape(name)}==\d", pinned, flags=re.MULTILINE), f"{name} pinned in requirements.txt"


def test_scheduler_that_does_not_answer(tmp_path):
    output = tmp_path / "out"
    result = run_cli("extract", "any_model", str(REPORTS), "-o", str(output), "--engine", "dask",
                     "--scheduler", "tcp://127.0.0.1:9", "--connect-timeout", "3", expect=2)
    assert "no Dask scheduler answered at tcp://127.0.0.1:9 within 3 s" in result.stderr
    assert not output.exists(), "nothing written"


def test_missing_bulk_dependency_names_the_extra(monkeypatch):
    from minister_meetings.optional import require

    monkeypatch.setitem(sys.modules, "duckdb", None)  # what an environment without the extra sees
    with pytest.raises(ImportError, match=re.escape('pip install "minister-meetings[bulk]"')):
        require("duckdb")


def test_extract_and_merge_end_to_end(trained_model, tmp_path):
    """Smoke run of the whole chain on our reports with the weak test model: plumbing and dates, not accuracy."""
    import duckdb

    output = tmp_path / "meetings"
    run_cli("extract", str(trained_model), str(REPORTS), "-o", str(output), "--format", "parquet")
    run_cli("merge", str(output), "--output", str(tmp_path / "events"))
    with duckdb.connect(str(tmp_path / "events" / "meetings.duckdb"), read_only=True) as connection:
        documents = dict(connection.execute("SELECT source, CAST(article_date AS VARCHAR) FROM documents").fetchall())
        assert len(documents) == 8
        assert documents[f"{REPORTS}/map-laftit-marlaska.txt"] == "2025-11-26"  # dateline
        assert documents[f"{REPORTS}/fil-efe-aps.jsonl:1"] == "2025-11-25"     # the record's date field
        meetings, linked = connection.execute("SELECT count(*), count(event_id) FROM meetings").fetchone()
        assert meetings == linked, "every meeting belongs to an event"
    assert (tmp_path / "events" / "events.html").exists() and (tmp_path / "events" / "people.graphml").exists()
