"""From mentions to meetings: the `meeting_facts` component.

It sets two Doc attributes, both made of plain lists and dicts so that they survive DocBin,
pickling and `nlp.pipe(n_process=...)`:

- `doc._.facts`: document-level MET_WITH / HAS_ROLE / ATTENDED facts between canonical entities
  (a person is one entity however often and however spelled), each with its supporting
  mentions, a score and where it comes from (`relation` or the anaphora rule that produced it);
- `doc._.meetings`: one record per meeting: participants with their roles, date, place,
  summit and the sentence that states it.

Anaphora is resolved by rules over our own entities and the words around them, each of which can
be switched off in the config so that its gain is measurable (scripts/evaluate.py reports it).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span

from .cues import MEETING as _MEETING
from .relations import register_extensions
from .schema import PEOPLE, SYMMETRIC_RELATIONS, canonical_key, one_edit_apart, person_key

RULES: Tuple[str, ...] = ("subject_anaphor", "pair_anaphor", "homologue")

_SENTENCE_END = re.compile(r"(?<=[.!?»])\s+|\n+")
_SUBJECT_ANAPHOR = re.compile(
    r"(?:^|[,;:]\s*|\bpuis\s+|\bensuite\s+)(?:le|la|l['’])\s*(?:ministre|cheffe?|premier ministre|secr[ée]taire|responsable|"
    r"locataire|patron|patronne|pr[ée]sident|h[ôo]te|diplomate)\b[^.,;]{0,40}?\s(?:a|avait|aura|s['’]est|s['’]était|"
    r"va|doit|est|était)\b|(?:^|[,;:]\s*)(?:il|elle)\s+(?:a|avait|aura|s['’]est|s['’]était|va|doit|est|était)\b",
    re.IGNORECASE,
)
_PAIR_ANAPHOR = re.compile(r"\bles deux (?:ministres|responsables|hommes|femmes|homologues|dirigeants|parties|chefs|délégations)\b", re.IGNORECASE)
_HOMOLOGUE = re.compile(r"\bhomologues?\b", re.IGNORECASE)
_PARTICIPATION = re.compile(
    r"\b(?:particip\w*|pris part|prend part|prendra part|pr[ée]sid\w*|assist\w*|en marge|lors d[eu]s?|pris la parole|"
    r"intervenu\w*|repr[ée]sent\w*|d[ée]l[ée]gation|ouvert|cl[ôo]tur\w*|si[ée]g\w*)\b",
    re.IGNORECASE,
)


@dataclass
class PersonCluster:
    """All mentions of one person, however spelled."""

    key: str
    label: str
    mentions: List[Span] = field(default_factory=list)

    @property
    def name(self) -> str:
        return max((mention.text for mention in self.mentions), key=lambda text: (len(text.split()), len(text)))


def _near_duplicate(a: str, b: str) -> bool:
    """Keys that differ by one edit (typos: "laftitt"/"laftit") or by a hyphenated part ("marlaska")."""
    if a == b:
        return True
    if "-" in a and b in a.split("-") or "-" in b and a in b.split("-"):
        return True
    return one_edit_apart(a, b)


def cluster_people(doc: Doc) -> Dict[Tuple[int, int], PersonCluster]:
    """Map each MINISTER/PERSON mention (start, end) to its person cluster."""
    clusters: List[PersonCluster] = []
    by_mention: Dict[Tuple[int, int], PersonCluster] = {}
    people = [ent for ent in doc.ents if ent.label_ in PEOPLE]
    # longest mentions first, so "Fernando Grande-Marlaska" founds the cluster "Marlaska" joins
    for ent in sorted(people, key=lambda span: -len(span.text)):
        key = person_key(ent.text)
        if not key:
            continue
        cluster = next((c for c in clusters if _near_duplicate(c.key, key)), None)
        if cluster is None:
            cluster = PersonCluster(key=key, label=ent.label_)
            clusters.append(cluster)
        if ent.label_ == "MINISTER":
            cluster.label = "MINISTER"
        cluster.mentions.append(ent)
        by_mention[(ent.start, ent.end)] = cluster
    for cluster in clusters:
        cluster.mentions.sort(key=lambda span: span.start)
    return by_mention


def _sentences(text: str) -> List[Tuple[int, int]]:
    """Character ranges of sentences (no parser needed: punctuation and line breaks)."""
    bounds = [0] + [match.end() for match in _SENTENCE_END.finditer(text)] + [len(text)]
    return [(start, end) for start, end in zip(bounds, bounds[1:]) if text[start:end].strip()]


def _protagonist(doc: Doc, clusters: Dict[Tuple[int, int], PersonCluster]) -> Optional[PersonCluster]:
    """The article's main minister: most mentions, then earliest; a person if no minister is named."""
    unique = {id(cluster): cluster for cluster in clusters.values()}.values()
    if not unique:
        return None
    ranked = sorted(unique, key=lambda c: (c.label != "MINISTER", -len(c.mentions), c.mentions[0].start))
    return ranked[0]


@Language.factory(
    "meeting_facts",
    assigns=["doc._.facts", "doc._.meetings"],
    requires=["doc.ents", "doc._.relations"],
    default_config={"rules": list(RULES), "rule_score": 0.6},
)
def make_meeting_facts(nlp: Language, name: str, rules: List[str], rule_score: float) -> "MeetingFacts":
    return MeetingFacts(name=name, rules=rules, rule_score=rule_score)


class MeetingFacts:
    """Document-level facts and meetings from entities, relations and anaphora rules."""

    def __init__(self, name: str = "meeting_facts", rules: Sequence[str] = RULES, rule_score: float = 0.6) -> None:
        unknown = set(rules) - set(RULES)
        if unknown:
            raise ValueError(f"meeting_facts: unknown rules {sorted(unknown)}; known rules are {list(RULES)}")
        if not 0.0 <= rule_score <= 1.0:
            raise ValueError(f"meeting_facts: rule_score must lie in [0, 1], got {rule_score}")
        self.name = name
        self.rules = list(rules)
        self.rule_score = rule_score
        register_extensions()
        for attribute in ("facts", "meetings"):
            if not Doc.has_extension(attribute):
                Doc.set_extension(attribute, default=None)

    def __call__(self, doc: Doc) -> Doc:
        facts, meetings = extract_facts(doc, self.rules, self.rule_score)
        doc._.facts = facts
        doc._.meetings = meetings
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    # stateless: nothing to serialise beyond the config
    def to_bytes(self, *, exclude: Sequence[str] = tuple()) -> bytes:
        return b""

    def from_bytes(self, data: bytes, *, exclude: Sequence[str] = tuple()) -> "MeetingFacts":
        return self

    def to_disk(self, path, *, exclude: Sequence[str] = tuple()) -> None:
        return None

    def from_disk(self, path, *, exclude: Sequence[str] = tuple()) -> "MeetingFacts":
        return self


class _FactTable:
    def __init__(self) -> None:
        self.items: Dict[Tuple[str, str, str], dict] = {}
        self.met_in: Dict[Tuple[int, int], List[Tuple[str, str]]] = defaultdict(list)

    def add(self, head: str, label: str, tail: str, score: float, source: str, mentions: List[List[int]], sentence: Tuple[int, int]) -> None:
        if label in SYMMETRIC_RELATIONS:
            if head == tail:
                return
            head, tail = sorted((head, tail))
        key = (head, label, tail)
        fact = self.items.get(key)
        if fact is None:
            fact = self.items[key] = {"head": head, "label": label, "tail": tail, "score": 0.0, "sources": [], "mentions": [], "sentences": []}
        fact["score"] = round(max(fact["score"], score), 4)
        if source not in fact["sources"]:
            fact["sources"].append(source)
        fact["mentions"].extend(mention for mention in mentions if mention not in fact["mentions"])
        if list(sentence) not in fact["sentences"]:
            fact["sentences"].append(list(sentence))
        if label == "MET_WITH":
            self.met_in[tuple(sentence)].append((head, tail))


def extract_facts(doc: Doc, rules: Sequence[str] = RULES, rule_score: float = 0.6) -> Tuple[List[dict], List[dict]]:
    # Doc.text joins every token on each access: read it once
    full_text = doc.text
    clusters = cluster_people(doc)
    sentences = _sentences(full_text)

    starts = [start for start, _end in sentences]

    def sentence_of(char: int) -> Tuple[int, int]:
        index = bisect_right(starts, char) - 1
        if index >= 0 and char < sentences[index][1]:
            return sentences[index]
        return (0, len(full_text))

    def key_of(span: Span) -> str:
        cluster = clusters.get((span.start, span.end))
        return cluster.key if cluster is not None else canonical_key(span.label_, span.text)

    table = _FactTable()
    for relation in doc._.relations or []:
        mention = [relation.head.start_char, relation.head.end_char, relation.tail.start_char, relation.tail.end_char]
        table.add(key_of(relation.head), relation.label, key_of(relation.tail), relation.score, "relation", [mention],
                  sentence_of(min(relation.head.start_char, relation.tail.start_char)))

    protagonist = _protagonist(doc, clusters)
    ents_by_sentence: Dict[Tuple[int, int], List[Span]] = defaultdict(list)
    for ent in doc.ents:
        ents_by_sentence[sentence_of(ent.start_char)].append(ent)
    last_pair: Optional[Tuple[str, str]] = None
    for sentence in sentences:
        start, end = sentence
        text = full_text[start:end]
        ents = ents_by_sentence.get(sentence, [])
        people = [ent for ent in ents if ent.label_ in PEOPLE and key_of(ent)]
        summits = [ent for ent in ents if ent.label_ == "SUMMIT"]
        meeting = _MEETING.search(text)
        first_person_char = people[0].start_char - start if people else len(text)
        subject = _SUBJECT_ANAPHOR.search(text)
        subject_is_anaphor = subject is not None and subject.start() < first_person_char
        if protagonist is not None and subject_is_anaphor:
            main = protagonist.key
            if "subject_anaphor" in rules and meeting and meeting.start() > subject.start():
                for person in people:
                    if key_of(person) != main:
                        table.add(main, "MET_WITH", key_of(person), rule_score, "subject_anaphor",
                                  [[person.start_char, person.end_char]], sentence)
        if "homologue" in rules and protagonist is not None and meeting:
            homologue = _HOMOLOGUE.search(text)
            if homologue and homologue.start() < first_person_char + 60:
                named_before = [p for p in people if p.start_char - start < homologue.start()]
                host = key_of(named_before[0]) if named_before else protagonist.key
                for person in people:
                    if person.start_char - start > homologue.start() and key_of(person) != host:
                        table.add(host, "MET_WITH", key_of(person), rule_score, "homologue", [[person.start_char, person.end_char]], sentence)
                        break
        if "pair_anaphor" in rules and last_pair is not None and _PAIR_ANAPHOR.search(text):
            for member in last_pair:
                if meeting:
                    for person in people:
                        if key_of(person) not in last_pair:
                            table.add(member, "MET_WITH", key_of(person), rule_score, "pair_anaphor", [[person.start_char, person.end_char]], sentence)
                if _PARTICIPATION.search(text):
                    for summit in summits:
                        table.add(member, "ATTENDED", key_of(summit), rule_score, "pair_anaphor", [[summit.start_char, summit.end_char]], sentence)
        met = table.met_in.get(sentence)
        if met:
            last_pair = met[-1]

    facts = sorted(table.items.values(), key=lambda fact: (fact["label"], fact["head"], fact["tail"]))
    for fact in facts:
        fact["source"] = "relation" if "relation" in fact["sources"] else fact["sources"][0]
    return facts, _meetings(doc, full_text, facts, clusters, sentence_of)


def _meetings(doc: Doc, full_text: str, facts: List[dict], clusters: Dict[Tuple[int, int], PersonCluster], sentence_of) -> List[dict]:
    people = {cluster.key: cluster for cluster in clusters.values()}
    roles: Dict[str, List[str]] = defaultdict(list)
    attended: Dict[str, Set[str]] = defaultdict(set)
    for fact in facts:
        if fact["label"] == "HAS_ROLE" and fact["tail"] not in roles[fact["head"]]:
            roles[fact["head"]].append(fact["tail"])
        elif fact["label"] == "ATTENDED":
            attended[fact["head"]].add(fact["tail"])
    summit_names = {canonical_key("SUMMIT", ent.text): ent.text for ent in doc.ents if ent.label_ == "SUMMIT"}
    first_line_end = full_text.find("\n") if "\n" in full_text else len(full_text)
    dateline_date = next((ent.text for ent in doc.ents if ent.label_ == "DATE"), None)
    dateline_place = next((ent.text for ent in doc.ents if ent.label_ in ("LOC", "COUNTRY") and ent.start_char < max(first_line_end, 80)), None)

    grouped: Dict[Tuple[int, int], dict] = {}
    for fact in facts:
        if fact["label"] != "MET_WITH":
            continue
        sentence = tuple(fact["sentences"][0])
        meeting = grouped.setdefault(sentence, {"keys": [], "score": 0.0, "sources": set()})
        for key in (fact["head"], fact["tail"]):
            if key not in meeting["keys"]:
                meeting["keys"].append(key)
        meeting["score"] = max(meeting["score"], fact["score"])
        meeting["sources"].update(fact["sources"])
    records = []
    ents_by_sentence: Dict[Tuple[int, int], List[Span]] = defaultdict(list)
    for ent in doc.ents:
        ents_by_sentence[sentence_of(ent.start_char)].append(ent)
    for (start, end), meeting in sorted(grouped.items()):
        in_sentence = ents_by_sentence.get((start, end), [])
        date = next((ent.text for ent in in_sentence if ent.label_ == "DATE"), dateline_date)
        place = next((ent.text for ent in in_sentence if ent.label_ == "LOC"), None) or next(
            (ent.text for ent in in_sentence if ent.label_ == "COUNTRY"), None) or dateline_place
        summit_ent = next((ent.text for ent in in_sentence if ent.label_ == "SUMMIT"), None)
        if summit_ent is None:
            shared = set.intersection(*(attended[key] for key in meeting["keys"])) if meeting["keys"] else set()
            summit_ent = summit_names.get(sorted(shared)[0]) if shared else None
        participants = []
        for key in meeting["keys"]:
            cluster = people.get(key)
            participants.append({
                "key": key,
                "name": cluster.name if cluster else key,
                "label": cluster.label if cluster else "PERSON",
                "roles": roles.get(key, []),
            })
        records.append({
            "participants": participants,
            "date": date,
            "place": place,
            "summit": summit_ent,
            "sentence": " ".join(full_text[start:end].split()),
            "score": round(meeting["score"], 4),
            "sources": sorted(meeting["sources"]),
        })
    return records


def fact_triples(facts: Iterable[dict]) -> Set[Tuple[str, str, str]]:
    return {(fact["head"], fact["label"], fact["tail"]) for fact in facts}


__all__ = ["MeetingFacts", "extract_facts", "cluster_people", "fact_triples", "RULES"]
