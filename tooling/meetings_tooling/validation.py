"""Check doccano relation-extraction records against the label scheme and compute corpus statistics.

Every problem is reported as ``FILE:LINE: message`` so that it can be fixed at once; nothing is
skipped silently. The statistics are the counts the corpus issue asks for.
"""
from __future__ import annotations

import json
import re
import string
from collections import Counter
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set, Tuple

from minister_meetings.sentences import sentence_char_ranges
from minister_meetings.schema import (
    ENTITY_LABELS,
    RELATION_LABELS,
    RELATION_TYPES,
    SYMMETRIC_RELATIONS,
    canonical_key,
    is_allowed,
)

REQUIRED_KEYS = ("id", "text", "entities", "relations", "doc_relations")
_EDGE_PUNCTUATION = set(string.punctuation + "«»“”‘’…–—·") - {"%"}

# Phrasings that state a meeting, by name. The statistics count how many distinct ones occur in
# sentences that hold an annotated MET_WITH relation, to make sure the corpus does not repeat one
# template. This is a catalogue of phrasings for the corpus statistics; whether a word signals a
# meeting, for the model and the rules, is minister_meetings.cues.MEETING.
MEETING_EXPRESSIONS: Dict[str, str] = {
    "s'entretenir avec": r"\bs['’]\s*(?:est|sont|étaient|était|était) entretenus? avec|\bs['’]entretiendr|\bs['’]entretenir avec|\bs['’]entretient avec",
    "entretien avec": r"\bentretiens? (?:avec|bilatéra|en tête|téléphonique|approfondi|en marge|élargi|de travail)",
    "a reçu": r"\b(?:a|ont|avait|aura) reçu\b|\breçoit\b|\brecevra\b|\brecevant\b|\bsera reçu",
    "été reçu par": r"\b(?:été|a été|ont été) reçus? par",
    "a rencontré": r"\brencontr(?:é|er|era|ent|e|ait|ant)\b",
    "rencontre avec": r"\brencontre (?:avec|bilatérale|entre)",
    "tête-à-tête": r"\btête[- ]à[- ]tête",
    "séance de travail": r"\bséance de travail",
    "réunion de travail": r"\bréunion de travail",
    "s'est réuni avec": r"\bs['’]\s*(?:est|sont) réuni(?:e|s|es)? avec|\bse sont réunis\b",
    "a eu des entretiens": r"\b(?:a|ont) eu des (?:entretiens|discussions|échanges|pourparlers)",
    "entretien téléphonique": r"\b(?:entretien|échange|conversation) téléphonique|\bau téléphone\b|\bpar téléphone\b|\bappel téléphonique",
    "visioconférence": r"\bvisio(?:conférence)?\b|\bpar vidéo\b|\bvidéoconférence",
    "a accueilli": r"\baccueill(?:i|ait|e|era|ant)\b",
    "s'est rendu auprès": r"\brendu(?:e)? visite\b|\brendre visite\b",
    "audience": r"\baudience\b",
    "a échangé avec": r"\béchang(?:é|e|er|ent|eront) avec\b|\bont échangé\b",
    "a discuté avec": r"\bdiscut(?:é|e|er|ent) avec\b|\bont discuté\b",
    "pourparlers": r"\bpourparlers\b",
    "consultations": r"\bconsultations? (?:avec|bilatérales|politiques)",
    "s'est concerté": r"\bconcert(?:é|er|ation)\b",
    "a fait le point avec": r"\bfait le point avec\b|\bfaire le point\b",
    "a passé en revue avec": r"\bpassé en revue\b|\bpasser en revue\b",
    "a examiné avec": r"\bexamin(?:é|er|ent) avec\b|\bont examiné\b",
    "face-à-face": r"\bface[- ]à[- ]face\b",
    "poignée de main": r"\bpoignée de main|\bserré la main",
    "déjeuner de travail": r"\bdéjeuner de travail|\bdîner de travail|\bpetit[- ]déjeuner de travail",
    "en marge": r"\ben marge (?:de|du|des)\b",
    "aux côtés de": r"\baux côtés de\b",
    "s'est entretenu en tête-à-tête": r"\bhuis clos\b",
    "a été l'hôte de": r"\bl['’]hôte de\b|\bhôte\b",
    "rencontre bilatérale": r"\bbilatérale?s?\b",
    "réunion avec": r"\bréunion (?:avec|bilatérale|restreinte)",
    "a tenu des discussions": r"\btenu (?:des|une) (?:discussions?|réunion|séance|rencontre|session)",
    "a reçu en audience": r"\breçu en audience",
    "a croisé": r"\bcrois(?:é|er)\b",
    "visite de travail": r"\bvisite (?:de travail|officielle|d['’]amitié)",
    "s'est entendu avec": r"\bentend(?:u|re) avec\b",
    "ont convenu": r"\bont convenu\b|\bsont convenus\b|\bconvenu\b",
    "ont signé": r"\b(?:ont|a) signé\b|\bparaph(?:é|er)\b",
    "mission conjointe": r"\bconjointe?s?\b",
    "a sollicité un entretien": r"\bsollicit(?:é|er)\b",
    "homologue": r"\bhomologues?\b",
    "a fait escale": r"\bescale\b",
    "conférence de presse conjointe": r"\bconférence de presse (?:conjointe|commune)",
    "a été accueilli par": r"\baccueilli(?:e|s)? par\b",
    "a réuni": r"\b(?:a|ont) réuni\b",
    "a conféré avec": r"\bconfér(?:é|er) avec\b",
    "table ronde": r"\btable ronde\b",
    "dialogue": r"\bdialogue (?:stratégique|politique|avec|bilatéral)",
}
_MEETING_PATTERNS = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in MEETING_EXPRESSIONS.items()}

_NOISE = re.compile(
    r"(?im)^(?:lire aussi|à lire aussi|a lire aussi|voir aussi|les plus lus|à la une|dernières infos|"
    r"publié le|mis à jour|partager|photo ?:|crédit|©|#\w|par [^\n]{2,60}\((?:avec|source)|tags?\s*:|"
    r"newsletter|abonnez-vous|vidéo ?:|en continu|annonces?)"
)


@dataclass
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class CorpusStats:
    documents: int = 0
    words: int = 0
    entities: Counter = field(default_factory=Counter)
    relations: Counter = field(default_factory=Counter)
    doc_facts: Counter = field(default_factory=Counter)
    minister_surnames: Set[str] = field(default_factory=set)
    countries: Set[str] = field(default_factory=set)
    summits: Set[str] = field(default_factory=set)
    meeting_expressions: Counter = field(default_factory=Counter)
    documents_without_met_with: int = 0
    documents_with_noise: int = 0
    documents_with_anaphoric_meeting: int = 0
    documents_per_file: Dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        share = lambda n: round(n / self.documents, 3) if self.documents else 0.0  # noqa: E731
        return {
            "documents": self.documents,
            "documents_per_file": self.documents_per_file,
            "words": self.words,
            "entity_mentions": sum(self.entities.values()),
            "entities_per_label": dict(sorted(self.entities.items())),
            "relations_per_label": dict(sorted(self.relations.items())),
            "doc_facts_per_label": dict(sorted(self.doc_facts.items())),
            "distinct_minister_surnames": len(self.minister_surnames),
            "distinct_countries": len(self.countries),
            "distinct_summits": len(self.summits),
            "distinct_meeting_expressions": len(self.meeting_expressions),
            "share_without_met_with": share(self.documents_without_met_with),
            "share_with_page_noise": share(self.documents_with_noise),
            "share_with_anaphoric_meeting": share(self.documents_with_anaphoric_meeting),
        }


class CorpusValidator:
    """Validate records file by file; keep the problems and the statistics of sound records."""

    def __init__(self) -> None:
        import spacy

        self.tokenizer = spacy.blank("fr").tokenizer
        self.problems: List[Problem] = []
        self.stats = CorpusStats()
        self._doc_ids: Dict[str, str] = {}
        self._texts: Dict[str, str] = {}

    def validate_file(self, path: Path) -> None:
        where = str(path)
        if not path.exists():
            self.problems.append(Problem(where, 0, "file not found"))
            return
        try:
            content = path.read_text(encoding="utf8")
        except UnicodeDecodeError as error:
            self.problems.append(Problem(where, 0, f"not UTF-8 text ({error.reason} at byte {error.start})"))
            return
        count = 0
        for number, line in enumerate(content.splitlines(), start=1):
            if not line.strip():
                continue
            count += 1
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                self.problems.append(Problem(where, number, f"invalid JSON: {error.msg} (column {error.colno})"))
                continue
            self.validate_record(record, where, number)
        if count == 0:
            self.problems.append(Problem(where, 0, "file holds no records"))
        self.stats.documents_per_file[where] = count

    def validate_record(self, record: object, path: str, line: int) -> None:
        before = len(self.problems)

        def report(message: str) -> None:
            self.problems.append(Problem(path, line, message))

        if not isinstance(record, dict):
            report(f"record is a {type(record).__name__}, expected a JSON object")
            return
        missing = [key for key in REQUIRED_KEYS if key not in record]
        if missing:
            report(f"missing keys: {', '.join(missing)}")
            return
        doc_id, text = record["id"], record["text"]
        if not isinstance(text, str) or not text.strip():
            report("'text' must be a non-empty string")
            return
        for key in ("entities", "relations", "doc_relations"):
            if not isinstance(record[key], list):
                report(f"'{key}' must be a list")
                return
        if str(doc_id) in self._doc_ids:
            report(f"duplicate document id {doc_id!r} (first seen at {self._doc_ids[str(doc_id)]})")
        else:
            self._doc_ids[str(doc_id)] = f"{path}:{line}"
        normalised_text = " ".join(text.split())
        if normalised_text in self._texts:
            report(f"duplicate text: same document as {self._texts[normalised_text]} (leakage between splits)")
        else:
            self._texts[normalised_text] = f"{path}:{line}"

        entities = self._check_entities(record["entities"], text, report)
        relations = self._check_relations(record["relations"], entities, report)
        self._check_doc_relations(record["doc_relations"], report)
        if len(self.problems) == before:
            self._count(record, text, entities, relations)

    def _check_entities(self, raw_entities: list, text: str, report) -> Dict[object, dict]:
        entities: Dict[object, dict] = {}
        doc = self.tokenizer(text)
        starts = {token.idx for token in doc}
        ends = {token.idx + len(token) for token in doc}
        spans: List[Tuple[int, int, object]] = []
        for entity in raw_entities:
            if not isinstance(entity, dict) or any(k not in entity for k in ("id", "label", "start_offset", "end_offset")):
                report(f"entity {entity!r} must have id, label, start_offset and end_offset")
                continue
            entity_id, label = entity["id"], entity["label"]
            start, end = entity["start_offset"], entity["end_offset"]
            name = f"entity {entity_id}"
            if entity_id in entities:
                report(f"duplicate entity id {entity_id!r}")
                continue
            if label not in ENTITY_LABELS:
                report(f"{name}: unknown label {label!r} (expected one of {', '.join(ENTITY_LABELS)})")
            if not isinstance(start, int) or not isinstance(end, int):
                report(f"{name}: offsets must be integers, got {start!r} and {end!r}")
                continue
            if start < 0 or end > len(text):
                report(f"{name}: offsets {start}-{end} fall outside the text (length {len(text)})")
                continue
            if end <= start:
                report(f"{name}: empty span {start}-{end}")
                continue
            surface = text[start:end]
            if surface[0].isspace() or surface[-1].isspace():
                report(f"{name}: span {surface!r} starts or ends with whitespace")
            elif surface[0] in _EDGE_PUNCTUATION or (surface[-1] in _EDGE_PUNCTUATION and surface[-1] != "."):
                report(f"{name}: span {surface!r} starts or ends with punctuation")
            elif start not in starts or end not in ends:
                report(f"{name}: span {surface!r} ({start}-{end}) does not align with spaCy tokens: {self._misalignment(doc, start, end)}")
            entities[entity_id] = {**entity, "surface": surface}
            spans.append((start, end, entity_id))
        spans.sort()
        for (start_a, end_a, id_a), (start_b, end_b, id_b) in zip(spans, spans[1:]):
            if start_b < end_a:
                report(f"entities {id_a} ({text[start_a:end_a]!r}) and {id_b} ({text[start_b:end_b]!r}) overlap")
        return entities

    @staticmethod
    def _misalignment(doc, start: int, end: int) -> str:
        details = []
        for token in doc:
            token_end = token.idx + len(token)
            if token.idx < start < token_end:
                details.append(f"start {start} falls inside token {token.text!r} ({token.idx}-{token_end})")
            if token.idx < end < token_end:
                details.append(f"end {end} falls inside token {token.text!r} ({token.idx}-{token_end})")
        return "; ".join(details) or "boundary falls on whitespace inside the span"

    def _check_relations(self, raw_relations: list, entities: Dict[object, dict], report) -> List[dict]:
        relations: List[dict] = []
        seen_ids: Set[object] = set()
        seen_triples: Set[Tuple[object, str, object]] = set()
        for relation in raw_relations:
            if not isinstance(relation, dict) or any(k not in relation for k in ("id", "from_id", "to_id", "type")):
                report(f"relation {relation!r} must have id, from_id, to_id and type")
                continue
            rel_id, label = relation["id"], relation["type"]
            if rel_id in seen_ids:
                report(f"duplicate relation id {rel_id!r}")
                continue
            seen_ids.add(rel_id)
            if label not in RELATION_LABELS:
                report(f"relation {rel_id}: unknown type {label!r} (expected one of {', '.join(RELATION_LABELS)})")
                continue
            head, tail = entities.get(relation["from_id"]), entities.get(relation["to_id"])
            if head is None or tail is None:
                absent = relation["from_id"] if head is None else relation["to_id"]
                report(f"relation {rel_id}: endpoint entity {absent!r} does not exist")
                continue
            if relation["from_id"] == relation["to_id"]:
                report(f"relation {rel_id}: an entity cannot relate to itself")
                continue
            if not is_allowed(label, head["label"], tail["label"]):
                heads, tails = RELATION_TYPES[label]
                report(
                    f"relation {rel_id}: {label} cannot join {head['label']} {head['surface']!r} to "
                    f"{tail['label']} {tail['surface']!r} (expects {'|'.join(sorted(heads))} -> {'|'.join(sorted(tails))})"
                )
                continue
            triple = (relation["from_id"], label, relation["to_id"])
            mirrored = (relation["to_id"], label, relation["from_id"])
            if triple in seen_triples or (label in SYMMETRIC_RELATIONS and mirrored in seen_triples):
                report(f"relation {rel_id}: duplicate of an earlier {label} between the same mentions")
                continue
            seen_triples.add(triple)
            relations.append(relation)
        return relations

    @staticmethod
    def _check_doc_relations(doc_relations: list, report) -> None:
        for fact in doc_relations:
            if not (isinstance(fact, list) and len(fact) == 3 and all(isinstance(part, str) and part for part in fact)):
                report(f"doc_relations entry {fact!r} must be [key, LABEL, key] with non-empty strings")
            elif fact[1] not in RELATION_LABELS:
                report(f"doc_relations entry {fact!r}: unknown relation label {fact[1]!r}")

    def _count(self, record: dict, text: str, entities: Dict[object, dict], relations: List[dict]) -> None:
        stats = self.stats
        stats.documents += 1
        stats.words += len(text.split())
        for entity in entities.values():
            stats.entities[entity["label"]] += 1
            if entity["label"] == "MINISTER":
                stats.minister_surnames.add(entity_key(entity))
            elif entity["label"] == "COUNTRY":
                stats.countries.add(entity["surface"].lower())
            elif entity["label"] == "SUMMIT":
                stats.summits.add(entity_key(entity))
        for relation in relations:
            stats.relations[relation["type"]] += 1
        for fact in record["doc_relations"]:
            stats.doc_facts[fact[1]] += 1
        met_with = [relation for relation in relations if relation["type"] == "MET_WITH"]
        if not met_with and not any(fact[1] == "MET_WITH" for fact in record["doc_relations"]):
            stats.documents_without_met_with += 1
        if _NOISE.search(text):
            stats.documents_with_noise += 1
        mention_facts = set()
        for relation in met_with:
            head, tail = entities[relation["from_id"]], entities[relation["to_id"]]
            mention_facts.add(frozenset({entity_key(head), entity_key(tail)}))
        for fact in record["doc_relations"]:
            if fact[1] == "MET_WITH" and frozenset({fact[0], fact[2]}) not in mention_facts:
                stats.documents_with_anaphoric_meeting += 1
                break
        for sentence in _sentences_with_relations(text, met_with, entities):
            for name, pattern in _MEETING_PATTERNS.items():
                if pattern.search(sentence):
                    stats.meeting_expressions[name] += 1


def _sentences_with_relations(text: str, relations: Iterable[dict], entities: Dict[object, dict]) -> List[str]:
    """The sentences (minister_meetings.sentences, on spaCy's French tokens) that hold each relation."""
    ranges = sentence_char_ranges(_tokenizer()(text))
    sentences = []
    for relation in relations:
        first = min(entities[relation["from_id"]]["start_offset"], entities[relation["to_id"]]["start_offset"])
        last = max(entities[relation["from_id"]]["end_offset"], entities[relation["to_id"]]["end_offset"])
        start = max((a for a, _b in ranges if a <= first), default=0)
        end = min((b for _a, b in ranges if b >= last), default=len(text))
        sentences.append(text[start:end])
    return sentences


@lru_cache(maxsize=1)
def _tokenizer():
    import spacy

    return spacy.blank("fr").make_doc


def entity_key(entity: dict) -> str:
    """The canonical key of a validated entity: its explicit `key` if the corpus gives one."""
    return entity.get("key") or canonical_key(entity["label"], entity["surface"])


def read_records(path: Path) -> List[dict]:
    """Read a JSONL corpus file that has passed validation."""
    with path.open(encoding="utf8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def validate_paths(paths: Iterable[Path], validator: Optional[CorpusValidator] = None) -> CorpusValidator:
    validator = validator or CorpusValidator()
    for path in paths:
        validator.validate_file(Path(path))
    return validator
