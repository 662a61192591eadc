"""Read the inline markup in which the corpus is authored and turn it into doccano records.

A source file holds documents; each starts with a header line ``=== <doc-id>``, then the text
with entities marked inline, then an optional ``---`` line followed by relations::

    === train-a-001
    Rabat, [[25 novembre|DATE]] ([[MAP|ORG]]) - Le [[ministre de l'Intérieur|ROLE|r1]],
    [[Abdelouafi Laftit|MINISTER|laftit]], a reçu [[Laurent Nuñez|MINISTER|nunez]].
    ---
    laftit HAS_ROLE r1
    laftit MET_WITH nunez
    @ laftit ATTENDED g6

Entity markup is ``[[surface|LABEL]]``, ``[[surface|LABEL|id]]`` when a relation refers to the
mention, and ``[[surface|LABEL|id|key]]`` (id may be empty) to override the canonical key
(e.g. ``[[Mohammed VI|PERSON||mohammed vi]]``). A relation line is ``head-id LABEL tail-id``.
A line ``@ key LABEL key`` adds a document-level fact that the text states only through an
anaphor ("le ministre a reçu ..."); facts between annotated mentions are derived automatically.
Lines starting with ``#`` are comments.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

from minister_meetings.schema import ENTITY_LABELS, RELATION_LABELS, SYMMETRIC_RELATIONS, canonical_key

_ENTITY = re.compile(r"\[\[([^\[\]|]+)\|([A-Z]+)(?:\|([^\[\]|]*))?(?:\|([^\[\]|]*))?\]\]")
_HEADER = re.compile(r"^===\s*(\S+)\s*$")


class MarkupError(ValueError):
    """A problem in a source file, located as ``FILE:LINE``."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line


@dataclass
class _RawDocument:
    doc_id: str
    header_line: int
    text_lines: List[Tuple[int, str]] = field(default_factory=list)
    relation_lines: List[Tuple[int, str]] = field(default_factory=list)


def _split_documents(path: Path, content: str) -> Iterator[_RawDocument]:
    current: Optional[_RawDocument] = None
    in_relations = False
    for number, line in enumerate(content.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            if current is not None:
                yield current
            current = _RawDocument(doc_id=header.group(1), header_line=number)
            in_relations = False
            continue
        if current is None:
            if line.strip():
                raise MarkupError(path, number, "text before the first '=== <doc-id>' header")
            continue
        if line.strip() == "---" and not in_relations:
            in_relations = True
            continue
        if in_relations:
            current.relation_lines.append((number, line))
        else:
            current.text_lines.append((number, line))
    if current is not None:
        yield current


def _parse_text(path: Path, raw: _RawDocument) -> Tuple[str, List[dict], Dict[str, int], Dict[int, str]]:
    lines = list(raw.text_lines)
    while lines and not lines[0][1].strip():
        lines.pop(0)
    while lines and not lines[-1][1].strip():
        lines.pop()
    if not lines:
        raise MarkupError(path, raw.header_line, f"document {raw.doc_id} has no text")
    pieces: List[str] = []
    offset = 0
    entities: List[dict] = []
    ids: Dict[str, int] = {}
    keys: Dict[int, str] = {}
    for index, (number, line) in enumerate(lines):
        line = line.rstrip()
        cursor = 0
        for match in _ENTITY.finditer(line):
            before = line[cursor : match.start()]
            pieces.append(before)
            offset += len(before)
            surface, label, mention_id, key = match.groups()
            if label not in ENTITY_LABELS:
                raise MarkupError(path, number, f"unknown entity label {label!r} in {match.group(0)!r}")
            if surface != surface.strip():
                raise MarkupError(path, number, f"entity {match.group(0)!r} starts or ends with a space")
            entity_number = len(entities) + 1
            entity = {"id": entity_number, "label": label, "start_offset": offset, "end_offset": offset + len(surface)}
            if key:
                entity["key"] = key.strip().lower()
            entities.append(entity)
            if mention_id:
                if mention_id in ids:
                    raise MarkupError(path, number, f"mention id {mention_id!r} used twice in {raw.doc_id}")
                ids[mention_id] = entity_number
            keys[entity_number] = key.strip().lower() if key else canonical_key(label, surface)
            pieces.append(surface)
            offset += len(surface)
            cursor = match.end()
        rest = line[cursor:]
        if "[[" in rest or "]]" in rest:
            raise MarkupError(path, number, f"malformed entity markup near {rest[rest.find('[[') if '[[' in rest else 0:][:40]!r}")
        pieces.append(rest)
        offset += len(rest)
        if index < len(lines) - 1:
            pieces.append("\n")
            offset += 1
    return "".join(pieces), entities, ids, keys


def parse_file(path: Path) -> List[dict]:
    """Parse one source file into doccano relation-extraction records."""
    content = path.read_text(encoding="utf8")
    records: List[dict] = []
    for raw in _split_documents(path, content):
        text, entities, ids, keys = _parse_text(path, raw)
        relations: List[dict] = []
        facts: List[Tuple[str, str, str]] = []
        for number, line in raw.relation_lines:
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            is_fact = stripped.startswith("@")
            parts = stripped.lstrip("@").split()
            if is_fact:
                # keys may contain spaces ("mohammed vi", "ministre de l'intérieur"): split on the label
                label_positions = [i for i, part in enumerate(parts) if part in RELATION_LABELS]
                if len(label_positions) != 1 or label_positions[0] in (0, len(parts) - 1):
                    raise MarkupError(path, number, f"expected '@ key LABEL key', got {stripped!r}")
                position = label_positions[0]
                head_key, label, tail_key = " ".join(parts[:position]), parts[position], " ".join(parts[position + 1 :])
                known = set(keys.values())
                for key in (head_key, tail_key):
                    if key.lower() not in known:
                        raise MarkupError(path, number, f"document fact refers to key {key!r}, which no entity of {raw.doc_id} has")
                facts.append((head_key.lower(), label, tail_key.lower()))
                continue
            if len(parts) != 3:
                raise MarkupError(path, number, f"expected 'head-id LABEL tail-id', got {stripped!r}")
            head, label, tail = parts
            if label not in RELATION_LABELS:
                raise MarkupError(path, number, f"unknown relation label {label!r}")
            for mention in (head, tail):
                if mention not in ids:
                    raise MarkupError(path, number, f"relation refers to mention id {mention!r}, not defined in {raw.doc_id}")
            relations.append({"id": len(relations) + 1, "from_id": ids[head], "to_id": ids[tail], "type": label})
            facts.append((keys[ids[head]], label, keys[ids[tail]]))
        doc_relations = sorted({_normalise_fact(fact) for fact in facts})
        records.append(
            {
                "id": raw.doc_id,
                "text": text,
                "entities": entities,
                "relations": relations,
                "doc_relations": [list(fact) for fact in doc_relations],
                "source": f"{path.as_posix()}:{raw.header_line}",
            }
        )
    return records


def _normalise_fact(fact: Tuple[str, str, str]) -> Tuple[str, str, str]:
    head, label, tail = fact
    if label in SYMMETRIC_RELATIONS and tail < head:
        head, tail = tail, head
    return head, label, tail
