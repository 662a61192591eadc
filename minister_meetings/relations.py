"""Relations on the Doc: the public `doc._.relations` API and its serialisable storage.

Spans cannot live in `doc.user_data` (DocBin and multiprocessing serialise it with msgpack),
so each relation is stored as token offsets and turned into `Relation` objects on access.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from spacy.tokens import Doc, Span

from .schema import SYMMETRIC_RELATIONS

# [head_start, head_end, label, tail_start, tail_end, score]: token offsets, end exclusive
StoredRelation = List
# [head_start, head_end, tail_start, tail_end, {label: score}] for every candidate pair
StoredScores = List


@dataclass(frozen=True)
class Relation:
    """A relation between two entity spans, with the score the relation extractor gave it."""

    head: Span
    tail: Span
    label: str
    score: float

    def as_dict(self) -> dict:
        return {
            "head": self.head.text,
            "head_label": self.head.label_,
            "head_start_char": self.head.start_char,
            "tail": self.tail.text,
            "tail_label": self.tail.label_,
            "tail_start_char": self.tail.start_char,
            "label": self.label,
            "score": round(self.score, 4),
        }


def _get_relations(doc: Doc) -> List[Relation]:
    stored: Sequence[StoredRelation] = doc._.relation_triples or []
    if not stored:
        return []
    entities = {(ent.start, ent.end): ent for ent in doc.ents}

    def span(start: int, end: int) -> Span:
        return entities.get((start, end)) or doc[start:end]

    return [Relation(span(hs, he), span(ts, te), label, float(score)) for hs, he, label, ts, te, score in stored]


def register_extensions() -> None:
    """Register the Doc attributes this package uses (idempotent)."""
    if not Doc.has_extension("relation_triples"):
        Doc.set_extension("relation_triples", default=None)
    if not Doc.has_extension("relation_scores"):
        Doc.set_extension("relation_scores", default=None)
    if not Doc.has_extension("relations"):
        Doc.set_extension("relations", getter=_get_relations)


def normalise_triple(hs: int, he: int, label: str, ts: int, te: int) -> Tuple[int, int, str, int, int]:
    """A symmetric relation is stored once, with the earlier mention as head."""
    if label in SYMMETRIC_RELATIONS and (ts, te) < (hs, he):
        return ts, te, label, hs, he
    return hs, he, label, ts, te


def set_relations(doc: Doc, triples: Iterable[Tuple[int, int, str, int, int, float]]) -> None:
    """Store relations on a Doc, once per symmetric pair, sorted by position."""
    best: Dict[Tuple[int, int, str, int, int], float] = {}
    for hs, he, label, ts, te, score in triples:
        key = normalise_triple(hs, he, label, ts, te)
        best[key] = max(score, best.get(key, float("-inf")))
    doc._.relation_triples = [[*key, score] for key, score in sorted(best.items())]


def relation_keys(doc: Doc, labels: Optional[Iterable[str]] = None) -> set:
    """The (head offsets, label, tail offsets) of a Doc's relations, for scoring."""
    wanted = set(labels) if labels is not None else None
    keys = set()
    for hs, he, label, ts, te, _score in doc._.relation_triples or []:
        if wanted is None or label in wanted:
            keys.add(normalise_triple(hs, he, label, ts, te))
    return keys
