"""The label scheme: entity labels, relation labels and which entity types each relation joins.

This module is the single source of truth for the contract described in
docs/annotation-guidelines.md; the validator, the relation component and the
evaluation all read it.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Dict, FrozenSet, Tuple

ENTITY_LABELS: Tuple[str, ...] = (
    "MINISTER",
    "PERSON",
    "ROLE",
    "SUMMIT",
    "COUNTRY",
    "LOC",
    "ORG",
    "DATE",
)
PEOPLE: FrozenSet[str] = frozenset({"MINISTER", "PERSON"})

RELATION_LABELS: Tuple[str, ...] = ("MET_WITH", "HAS_ROLE", "ATTENDED")
SYMMETRIC_RELATIONS: FrozenSet[str] = frozenset({"MET_WITH"})

# relation label -> (allowed head labels, allowed tail labels)
RELATION_TYPES: Dict[str, Tuple[FrozenSet[str], FrozenSet[str]]] = {
    "MET_WITH": (PEOPLE, PEOPLE),
    "HAS_ROLE": (PEOPLE, frozenset({"ROLE"})),
    "ATTENDED": (PEOPLE, frozenset({"SUMMIT"})),
}

_G6 = re.compile(r"\bg\s*-?\s*6\b")
_PARTICLES = {"de", "du", "des", "le", "la", "von", "van", "der", "den", "al", "el", "ben", "bou", "ould", "da", "di", "dos", "ibn", "abu", "bin", "ter", "ten", "d'"}
_ROMAN = re.compile(r"[ivx]+")
_HONORIFICS = {"m", "m.", "mme", "mmes", "mm", "mm.", "sm", "s.m.", "sar", "dr", "pr", "me"}


def is_allowed(label: str, head_label: str, tail_label: str) -> bool:
    """Whether the scheme allows `label` between entities of these two types (in this order)."""
    heads, tails = RELATION_TYPES[label]
    return head_label in heads and tail_label in tails


@lru_cache(maxsize=256)
def allowed_labels(head_label: str, tail_label: str) -> Tuple[str, ...]:
    """The relation labels the scheme allows from an entity of `head_label` to one of `tail_label`."""
    return tuple(label for label in RELATION_LABELS if is_allowed(label, head_label, tail_label))


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def person_key(name: str) -> str:
    """A person's canonical key: the accent-stripped lowercase surname.

    The surname is the last word, with the particles before it ("le drian", "von der leyen",
    "de moor") and, for a regnal number, the name before it ("mohammed vi"). Compound surnames
    without a particle ("Tall Sall") need an explicit key in the corpus markup.
    """
    words = [word for word in strip_accents(name).lower().replace("’", "'").split() if word]
    while words and words[0].strip(".") in {h.strip(".") for h in _HONORIFICS}:
        words = words[1:]
    words = [word.strip(".,;:") for word in words if word.strip(".,;:")]
    if not words:
        return ""
    # "de Moor", "Le Drian", "von der Leyen", "Al Jaber", "Bou Habib"; "Mohammed VI"
    surname = [words[-1]]
    index = len(words) - 2
    if _ROMAN.fullmatch(words[-1]) and index >= 0:
        surname.insert(0, words[index])
        index -= 1
    while index >= 0 and words[index] in _PARTICLES:
        surname.insert(0, words[index])
        index -= 1
    return " ".join(surname)


def one_edit_apart(a: str, b: str, min_length: int = 5) -> bool:
    """Whether two keys of `min_length` letters or more differ by one letter: a substitution, an
    insertion, a deletion or two swapped neighbours (typos in names: "laftitt", "cazenueve")."""
    if min(len(a), len(b)) < min_length or abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        differences = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        if len(differences) == 1:
            return True
        return len(differences) == 2 and differences[1] == differences[0] + 1 and a[differences[0]] == b[differences[1]] and a[differences[1]] == b[differences[0]]
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def role_key(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def summit_key(text: str) -> str:
    lowered = " ".join(text.lower().replace("’", "'").split())
    if _G6.search(lowered):
        return "g6"
    return lowered


def canonical_key(label: str, text: str) -> str:
    """The document-level key of an entity mention, as used in `doc_relations`."""
    if label in PEOPLE:
        return person_key(text)
    if label == "SUMMIT":
        return summit_key(text)
    return role_key(text)
