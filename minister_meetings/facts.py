"""From mentions to meetings: the `meeting_facts` component.

It sets two Doc attributes, both made of plain lists and dicts so that they survive DocBin,
pickling and `nlp.pipe(n_process=...)`:

- `doc._.facts`: document-level MET_WITH / HAS_ROLE / ATTENDED facts between canonical entities
  (a person is one entity however often and however spelled), each with its supporting
  mentions, a score and where it comes from (`relation` or the anaphora rule that produced it);
- `doc._.meetings`: one record per meeting: participants with their roles, date, place,
  summit and the sentence that states it.

Anaphora is resolved by small rules over our own entities and the words around them. Each rule
is a registered function (`@registry.misc`) named in the config, the way spancat's suggesters
are, so that a rule can be removed, replaced or added without touching this module, and its gain
measured (scripts/evaluate.py reports what each one adds). Sentences are those of
`minister_meetings.sentences`, the definition the relation model uses too.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import registry

from .cfg_pipe import CfgPipe
from .cues import MEETING as _MEETING
from .relations import register_extensions
from .schema import PEOPLE, SYMMETRIC_RELATIONS, canonical_key, one_edit_apart, person_key
from .sentences import sentence_char_ranges

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


def same_person_key(a: str, b: str) -> bool:
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
        cluster = next((c for c in clusters if same_person_key(c.key, key)), None)
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


def _protagonist(doc: Doc, clusters: Dict[Tuple[int, int], PersonCluster]) -> Optional[PersonCluster]:
    """The article's main minister: most mentions, then earliest; a person if no minister is named."""
    unique = {id(cluster): cluster for cluster in clusters.values()}.values()
    if not unique:
        return None
    ranked = sorted(unique, key=lambda c: (c.label != "MINISTER", -len(c.mentions), c.mentions[0].start))
    return ranked[0]


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


@dataclass
class SentenceContext:
    """What a rule sees of one sentence: its text, the people and summits named in it, the first
    meeting cue, the article's protagonist, and the pair that met in the sentences before."""

    span: Tuple[int, int]
    text: str
    people: List[Span]
    summits: List[Span]
    meeting: Optional[re.Match]
    protagonist: Optional[str]
    last_pair: Optional[Tuple[str, str]]
    previous_people: List[Span]
    key_of: Callable[[Span], str]

    @property
    def first_person_char(self) -> int:
        """Offset in the sentence of the first person named, or its length if none is."""
        return self.people[0].start_char - self.span[0] if self.people else len(self.text)

    def mention(self, span: Span) -> List[List[int]]:
        return [[span.start_char, span.end_char]]


# a rule adds facts to the table for one sentence, each scored `score`, with its own name as source
FactRule = Callable[[SentenceContext, "_FactTable", float, str], None]


@registry.misc("minister_meetings.subject_anaphor_rule.v1")
def make_subject_anaphor_rule() -> FactRule:
    """ "Le ministre a reçu X" / "Il s'est entretenu avec X": the protagonist met every person named
    after the anaphoric subject and a meeting cue."""

    def subject_anaphor(context: SentenceContext, table: "_FactTable", score: float, source: str) -> None:
        subject = _SUBJECT_ANAPHOR.search(context.text)
        if context.protagonist is None or subject is None or subject.start() >= context.first_person_char:
            return
        if context.meeting is None or context.meeting.start() <= subject.start():
            return
        for person in context.people:
            if context.key_of(person) != context.protagonist:
                table.add(context.protagonist, "MET_WITH", context.key_of(person), score, source, context.mention(person), context.span)

    return subject_anaphor


@registry.misc("minister_meetings.homologue_rule.v1")
def make_homologue_rule() -> FactRule:
    """ "X a reçu son homologue Y": the person named after "homologue" met the one named before it
    (or the protagonist when nobody is)."""

    def homologue(context: SentenceContext, table: "_FactTable", score: float, source: str) -> None:
        if context.protagonist is None or context.meeting is None:
            return
        match = _HOMOLOGUE.search(context.text)
        if match is None or match.start() >= context.first_person_char + 60:
            return
        start = context.span[0]
        named_before = [p for p in context.people if p.start_char - start < match.start()]
        host = context.key_of(named_before[0]) if named_before else context.protagonist
        for person in context.people:
            if person.start_char - start > match.start() and context.key_of(person) != host:
                table.add(host, "MET_WITH", context.key_of(person), score, source, context.mention(person), context.span)
                break

    return homologue


@registry.misc("minister_meetings.pair_anaphor_rule.v1")
def make_pair_anaphor_rule() -> FactRule:
    """ "Les deux ministres ont ensuite reçu X" / "... ont participé au sommet": both members of
    the last pair that met take part in the new meeting or attend the summit."""

    def pair_anaphor(context: SentenceContext, table: "_FactTable", score: float, source: str) -> None:
        if context.last_pair is None or not _PAIR_ANAPHOR.search(context.text):
            return
        for member in context.last_pair:
            if context.meeting:
                for person in context.people:
                    if context.key_of(person) not in context.last_pair:
                        table.add(member, "MET_WITH", context.key_of(person), score, source, context.mention(person), context.span)
            if _PARTICIPATION.search(context.text):
                for summit in context.summits:
                    table.add(member, "ATTENDED", context.key_of(summit), score, source, context.mention(summit), context.span)

    return pair_anaphor


@registry.misc("minister_meetings.cue_objects_rule.v1")
def make_cue_objects_rule() -> FactRule:
    """ "X s'est entretenu avec les ministres de A, B, du C, D": the first person of the sentence,
    named before the meeting cue, met every person named after it. Lists of visitors outgrow the
    relation model's window and dilute its pooled words; the sentence's shape does not change."""

    def cue_objects(context: SentenceContext, table: "_FactTable", score: float, source: str) -> None:
        if context.meeting is None or not context.people:
            return
        cue = context.span[0] + context.meeting.start()
        subject = context.people[0]
        if subject.end_char > cue:
            return
        host = context.key_of(subject)
        for person in context.people:
            if person.start_char > cue and context.key_of(person) != host:
                table.add(host, "MET_WITH", context.key_of(person), score, source, context.mention(person), context.span)

    return cue_objects


_PLURAL_SUBJECT = re.compile(
    r"^\W*(?:(?:ensuite|puis|par ailleurs|plus tard)\W+)?(?:ils|elles|les deux (?:ministres|responsables|hommes|femmes|dirigeants|chefs|diplomates|personnalités)|"
    r"les (?:trois|quatre) (?:ministres|responsables|dirigeants))\b",
    re.IGNORECASE,
)


@registry.misc("minister_meetings.plural_anaphor_rule.v1")
def make_plural_anaphor_rule() -> FactRule:
    """ "X et Y se sont rendus à Z. Ils y ont rencontré W": a plural subject that opens the sentence
    stands for the people named in the sentence before, and each of them met the people named
    after the meeting cue."""

    def plural_anaphor(context: SentenceContext, table: "_FactTable", score: float, source: str) -> None:
        if context.meeting is None or not context.previous_people or not _PLURAL_SUBJECT.search(context.text):
            return
        cue = context.span[0] + context.meeting.start()
        subjects = {context.key_of(person) for person in context.previous_people}
        if len(subjects) < 2:
            return
        for person in context.people:
            if person.start_char > cue and context.key_of(person) not in subjects:
                for subject in sorted(subjects):
                    table.add(subject, "MET_WITH", context.key_of(person), score, source, context.mention(person), context.span)

    return plural_anaphor


DEFAULT_RULES: Tuple[str, ...] = (
    "minister_meetings.subject_anaphor_rule.v1",
    "minister_meetings.pair_anaphor_rule.v1",
    "minister_meetings.homologue_rule.v1",
    "minister_meetings.cue_objects_rule.v1",
    "minister_meetings.plural_anaphor_rule.v1",
)


def rule_name(registered_name: str) -> str:
    """The short name of a registered rule, used in reports and as a fact's source."""
    name = registered_name.rsplit(".", 2)[-2] if registered_name.count(".") >= 2 else registered_name
    return name[: -len("_rule")] if name.endswith("_rule") else name


@registry.misc("minister_meetings.fact_rules.v1")
def make_fact_rules(rules: List[str]) -> Dict[str, FactRule]:
    """The rules of `meeting_facts`, each by the name it is registered under in `registry.misc`
    (a rule of your own is a registered function returning a `FactRule`)."""
    resolved = {}
    for registered_name in rules:
        try:
            factory = registry.misc.get(registered_name)
        except Exception:  # catalogue raises its own RegistryError
            raise ValueError(f"meeting_facts: no rule is registered as {registered_name!r} in registry.misc") from None
        resolved[rule_name(registered_name)] = factory()
    return resolved


def default_rules() -> Dict[str, FactRule]:
    """The rules of the default config, by short name."""
    return make_fact_rules(list(DEFAULT_RULES))


@Language.factory(
    "meeting_facts",
    assigns=["doc._.facts", "doc._.meetings"],
    requires=["doc.ents", "doc._.relations"],
    default_config={
        "rules": {"@misc": "minister_meetings.fact_rules.v1", "rules": list(DEFAULT_RULES)},
        "rule_score": 0.6,
    },
)
def make_meeting_facts(nlp: Language, name: str, rules: Dict[str, "FactRule"], rule_score: float) -> "MeetingFacts":
    return MeetingFacts(name=name, rules=rules, rule_score=rule_score)


class MeetingFacts(CfgPipe):
    """Document-level facts and meetings from entities, relations and anaphora rules.

    It has no weights; what it saves is its cfg (the rule names and the score of a rule-only
    fact), so that a pipeline loaded from disk reports the rules it was evaluated with.
    """

    def __init__(self, name: str = "meeting_facts", rules: Optional[Dict[str, "FactRule"]] = None, rule_score: float = 0.6) -> None:
        if not 0.0 <= rule_score <= 1.0:
            raise ValueError(f"meeting_facts: rule_score must lie in [0, 1], got {rule_score}")
        self.name = name
        self.rules: Dict[str, FactRule] = dict(default_rules() if rules is None else rules)
        for rule_name, rule in self.rules.items():
            if not callable(rule):
                raise ValueError(f"meeting_facts: rule {rule_name!r} is not a function but {type(rule).__name__}")
        self.cfg = {"rules": list(self.rules), "rule_score": rule_score}
        register_extensions()
        for attribute in ("facts", "meetings"):
            if not Doc.has_extension(attribute):
                Doc.set_extension(attribute, default=None)

    @property
    def rule_score(self) -> float:
        return float(self.cfg["rule_score"])

    def __call__(self, doc: Doc) -> Doc:
        facts, meetings = extract_facts(doc, self.rules, self.rule_score)
        doc._.facts = facts
        doc._.meetings = meetings
        return doc

    def _load_cfg(self, cfg: dict) -> None:
        missing = [rule for rule in cfg.get("rules", []) if rule not in self.rules]
        if missing:
            raise ValueError(
                f"meeting_facts: the saved pipeline used rules {missing} that its config does not define; "
                f"defined rules: {list(self.rules)}"
            )
        self.rules = {rule: self.rules[rule] for rule in cfg.get("rules", list(self.rules))}
        self.cfg = {"rules": list(self.rules), "rule_score": float(cfg.get("rule_score", self.rule_score))}


def extract_facts(doc: Doc, rules: Optional[Dict[str, FactRule]] = None, rule_score: float = 0.6) -> Tuple[List[dict], List[dict]]:
    """Facts and meetings of a Doc from its relations and the given rules (default: all)."""
    rules = default_rules() if rules is None else rules
    # Doc.text joins every token on each access: read it once
    full_text = doc.text
    clusters = cluster_people(doc)
    sentences = sentence_char_ranges(doc)
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
    previous_people: List[Span] = []
    for sentence in sentences:
        text = full_text[sentence[0]:sentence[1]]
        ents = ents_by_sentence.get(sentence, [])
        context = SentenceContext(
            span=sentence,
            text=text,
            people=[ent for ent in ents if ent.label_ in PEOPLE and key_of(ent)],
            summits=[ent for ent in ents if ent.label_ == "SUMMIT"],
            meeting=_MEETING.search(text),
            protagonist=protagonist.key if protagonist is not None else None,
            last_pair=last_pair,
            previous_people=previous_people,
            key_of=key_of,
        )
        for name, rule in rules.items():
            rule(context, table, rule_score, name)
        met = table.met_in.get(sentence)
        if met:
            last_pair = met[-1]
        if context.people:
            previous_people = context.people

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


__all__ = ["MeetingFacts", "SentenceContext", "FactRule", "default_rules", "extract_facts", "cluster_people", "fact_triples", "same_person_key"]
