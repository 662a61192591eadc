"""Find annotation inconsistencies across the corpus: a second pass for the annotators.

The validator checks that each record is well formed; this audit compares records with each
other. It reports, as `SOURCE:LINE: doc-id: message` (the markup file and the line of the
document's header), every occurrence of a name that the corpus annotates elsewhere but that is
left unannotated here ("Alger" in a dateline), and every mention whose label disagrees with how
the rest of the corpus labels the same string ("Casablanca" as ORG where it is LOC 30 times).
MINISTER and PERSON are not compared, since the same person can be either at different dates.
Some findings are right as they stand (the city and the country "Luxembourg"; "veille" that is
not a date): read each one against the guidelines. With --strict it exits non-zero on findings.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

# labels whose identical strings may legitimately differ: a person's office changes with the date
_INTERCHANGEABLE = {frozenset({"MINISTER", "PERSON"})}
# ROLE mentions are annotated only when they refer to a specific holder, so an unannotated
# "ministre de l'Intérieur" is often right; the audit does not second-guess them
_SKIPPED_LABELS = {"ROLE"}


def _records(paths: List[Path]) -> Iterator[dict]:
    for path in paths:
        with path.open(encoding="utf8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError as error:
                        # the audit compares sound records; the validator explains every other problem
                        raise typer.BadParameter(f"{path}:{number}: invalid JSON ({error.msg}); run scripts/validate_corpus.py first") from None
                    record.setdefault("source", f"{path}:{number}")
                    yield record


def _is_name(surface: str, label: str) -> bool:
    # lower-case strings ("sommet", "capitale") are anaphors as often as names; dates are the exception
    return len(surface) >= 2 and (label == "DATE" or surface[0].isupper() or surface[0].isdigit())


def _label_table(records: List[dict], min_count: int) -> Dict[str, Counter]:
    table: Dict[str, Counter] = defaultdict(Counter)
    for record in records:
        for entity in record["entities"]:
            surface = record["text"][entity["start_offset"] : entity["end_offset"]]
            if entity["label"] not in _SKIPPED_LABELS and _is_name(surface, entity["label"]):
                table[surface][entity["label"]] += 1
    return {surface: labels for surface, labels in table.items() if sum(labels.values()) >= min_count}


def _unannotated(record: dict, patterns: Dict[str, re.Pattern]) -> Iterator[Tuple[int, str]]:
    covered = [(e["start_offset"], e["end_offset"]) for e in record["entities"]]
    text = record["text"]
    for surface, pattern in patterns.items():
        if surface not in text:
            continue
        for match in pattern.finditer(text):
            start, end = match.span()
            if not any(s < end and start < e for s, e in covered):
                yield start, surface


def _disagreements(record: dict, table: Dict[str, Counter], min_share: float) -> Iterator[Tuple[int, str, str, str, int]]:
    for entity in record["entities"]:
        surface = record["text"][entity["start_offset"] : entity["end_offset"]]
        labels = table.get(surface)
        if not labels:
            continue
        majority, count = labels.most_common(1)[0]
        if entity["label"] == majority or frozenset({entity["label"], majority}) in _INTERCHANGEABLE:
            continue
        if count / sum(labels.values()) >= min_share:
            yield entity["start_offset"], surface, entity["label"], majority, count


@app.command(help=__doc__)
def main(
    paths: List[Path] = typer.Argument(..., help="Corpus files, e.g. corpus/annotations/*.jsonl."),
    min_count: int = typer.Option(3, help="Only strings annotated at least this many times are checked."),
    min_share: float = typer.Option(0.8, help="A label disagrees when the majority label holds at least this share."),
    output: Path = typer.Option(None, help="Also write the findings as JSON lines to this file."),
    strict: bool = typer.Option(False, help="Exit with code 1 when there is any finding."),
) -> None:
    records = list(_records(paths))
    table = _label_table(records, min_count)
    patterns = {s: re.compile(rf"(?<![\w-]){re.escape(s)}(?![\w-])") for s in table}
    findings: List[dict] = []
    for record in records:
        for start, surface in _unannotated(record, patterns):
            label = table[surface].most_common(1)[0][0]
            findings.append({"source": record["source"], "id": record["id"], "offset": start, "surface": surface,
                             "problem": f"unannotated, labelled {label} {sum(table[surface].values())} times elsewhere"})
        for start, surface, label, majority, count in _disagreements(record, table, min_share):
            findings.append({"source": record["source"], "id": record["id"], "offset": start, "surface": surface,
                             "problem": f"labelled {label}, but {majority} {count} times elsewhere"})
    for finding in findings:
        typer.echo(f"{finding['source']}: {finding['id']}: «{finding['surface']}» at {finding['offset']}: {finding['problem']}")
    if output is not None:
        output.write_text("".join(json.dumps(f, ensure_ascii=False) + "\n" for f in findings), encoding="utf8")
    typer.echo(f"{len(findings)} findings in {len({f['id'] for f in findings})} of {len(records)} documents", err=True)
    if strict and findings:
        raise typer.Exit(code=1)


if __name__ == "__main__":
    app()
