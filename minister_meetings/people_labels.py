"""The `people_labels` component: MINISTER or PERSON from what the document says of the person.

The guidelines make a person a MINISTER when they are a member of a national government at the
date of the text. The entity recognizer decides from a few words around each mention, so on real
pages one person is often MINISTER in one sentence and PERSON in the next, and a visiting
ambassador or a police chief received by a minister becomes a MINISTER by contagion. The offices
the relation extractor links to the person (HAS_ROLE) say it better: a person holding a
ministerial office ("ministre", "secrétaire d'État", "Premier ministre", "chef du gouvernement")
is a MINISTER, one whose offices are all outside a cabinet (ambassadeur, représentante,
directeur, colonel, roi) is a PERSON, and any other person (no office named, or an office such
as a bare "président") keeps the label most of their mentions have. Runs after `relation_extractor`, before `meeting_facts`.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Dict, List

from spacy.language import Language
from spacy.tokens import Doc, Span

from .cfg_pipe import CfgPipe

from .facts import cluster_people
from .schema import PEOPLE

# a ministerial office, at the date of the text, heads of government included (the guidelines'
# MINISTER); "ministre-conseiller" is an embassy rank and a "vice-ministre" is not in cabinet
MINISTERIAL_OFFICE = re.compile(
    r"\b(?:(?<!-)ministres?(?![- ]conseill)|secr[ée]taires? d['’][ée]tat|chef(?:fe)? du gouvernement|"
    r"pr[ée]sident(?:e)? du gouvernement|pr[ée]sident(?:e)? du conseil (?:des ministres|italien)|chanceli[eè]re?|"
    r"chef(?:fe)? de la diplomatie|garde des sceaux|conseill[eè]re? f[ée]d[ée]ral|"
    r"secr[ée]taires? (?:am[ée]ricaine?s? )?(?:à|au|aux) )",
    re.IGNORECASE,
)
# offices outside a cabinet: a person holding only these is a PERSON; any other office (a bare
# "président", "président du Conseil", "porte-parole du gouvernement") leaves the label to the ner
NON_CABINET_OFFICE = re.compile(
    r"\b(?:ambassad\w*|repr[ée]sentant\w*|directeur\w*|directrice\w*|secr[ée]taires? g[ée]n[ée]ra\w*|commissaire\w*|"
    r"conseill[eè]re?s?(?! f[ée]d[ée]ra)|porte-parole (?:du|de la) (?:minist|pr[ée]sid|commission)\w*|colonel\w*|g[ée]n[ée]ral(?:e)?\b|"
    r"commandant\w*|envoy[ée]\w*|coordinat\w*|chef d['’][ée]tat-major|gouverneur\w*|wali|pr[ée]f[eè]te?|maire|d[ée]put[ée]\w*|"
    r"s[ée]nat\w*|vice-ministre\w*|roi|reine|[ée]mir|pape|prince\w*|pdg|consul\w*|procureure? (?!g[ée]n[ée]ral des [ée]tats)|juge)",
    re.IGNORECASE,
)
FORMER_OFFICE = re.compile(r"\b(?:ancien|ancienne|anciens|ex-|futur|future|pressenti)", re.IGNORECASE)


def is_ministerial(role: str) -> bool:
    """Whether a ROLE mention names a current ministerial office."""
    return MINISTERIAL_OFFICE.search(role) is not None and FORMER_OFFICE.search(role) is None


def is_outside_cabinet(role: str) -> bool:
    """Whether a ROLE mention names an office that is not a cabinet one (or a former minister)."""
    return NON_CABINET_OFFICE.search(role) is not None or (MINISTERIAL_OFFICE.search(role) is not None and FORMER_OFFICE.search(role) is not None)


@Language.factory(
    "people_labels",
    assigns=["doc.ents"],
    requires=["doc.ents", "doc._.relations"],
    default_config={"use_roles": True, "harmonise": True},
)
def make_people_labels(nlp: Language, name: str, use_roles: bool, harmonise: bool) -> "PeopleLabels":
    return PeopleLabels(name=name, use_roles=use_roles, harmonise=harmonise)


class PeopleLabels(CfgPipe):
    """Relabel MINISTER/PERSON mentions per person, from their offices or their mentions' majority."""

    def __init__(self, name: str = "people_labels", use_roles: bool = True, harmonise: bool = True) -> None:
        self.name = name
        self.cfg = {"use_roles": bool(use_roles), "harmonise": bool(harmonise)}

    def __call__(self, doc: Doc) -> Doc:
        clusters = cluster_people(doc)
        if not clusters:
            return doc
        offices: Dict[str, List[str]] = defaultdict(list)
        for relation in doc._.relations or []:
            cluster = clusters.get((relation.head.start, relation.head.end))
            if relation.label == "HAS_ROLE" and cluster is not None:
                offices[cluster.key].append(relation.tail.text)
        labels: Dict[str, str] = {}
        for cluster in {id(c): c for c in clusters.values()}.values():
            held = offices.get(cluster.key, []) if self.cfg["use_roles"] else []
            if any(is_ministerial(role) for role in held):
                labels[cluster.key] = "MINISTER"
            elif held and all(is_outside_cabinet(role) for role in held):
                labels[cluster.key] = "PERSON"
            elif self.cfg["harmonise"]:
                # ties go to the first mention's label
                counts = Counter(mention.label_ for mention in cluster.mentions)
                labels[cluster.key] = max(counts, key=lambda label: (counts[label], label == cluster.mentions[0].label_))
        entities = []
        for ent in doc.ents:
            cluster = clusters.get((ent.start, ent.end))
            label = labels.get(cluster.key, ent.label_) if cluster is not None and ent.label_ in PEOPLE else ent.label_
            entities.append(ent if label == ent.label_ else Span(doc, ent.start, ent.end, label=label, kb_id=ent.kb_id_))
        doc.ents = entities
        return doc



__all__ = ["PeopleLabels", "make_people_labels", "is_ministerial", "is_outside_cabinet", "MINISTERIAL_OFFICE", "NON_CABINET_OFFICE"]
