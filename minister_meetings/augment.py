"""A training-time augmenter that gives our corpus the surface of real news pages.

Real pages differ from text our writers type in ways that do not change what a sentence means:
typographic apostrophes and quotes (’ « »), SURNAMES IN CAPITALS in press releases
("M. Albert Kan DAPAAH"), Title-Case offices in communiqués ("le Ministre de l’Intérieur").
The model should not learn that an entity needs ASCII quotes or a lowercase title, so the
augmenter rewrites a share of the training examples that way. Each change maps one character to
one character and keeps every token, so the entities and the relations (token offsets in
`user_data`) stay valid without re-alignment.
"""
from __future__ import annotations

import copy
import random
from typing import Callable, Iterator, List

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import registry

from .schema import PEOPLE

_TITLE_WORDS = ("ministre", "secrétaire", "président", "présidente", "premier", "première", "vice-", "ambassadeur",
                "ambassadrice", "commissaire", "directeur", "directrice", "gouverneur", "wali", "chef", "cheffe", "haut")


def _typographic(words: List[str]) -> List[str]:
    """' → ’ everywhere; straight double quotes → « and », alternately (one character each)."""
    opening = True
    result = []
    for word in words:
        word = word.replace("'", "’")
        if word == '"':
            word = "«" if opening else "»"
            opening = not opening
        result.append(word)
    return result


def _capitalise_surnames(words: List[str], doc: Doc, rate: float, rng: random.Random) -> List[str]:
    """The last word of a multi-word person name in capitals, as press releases write it."""
    for ent in doc.ents:
        if ent.label_ in PEOPLE and len(ent) >= 2 and ent[-1].text[:1].isalpha() and rng.random() < rate:
            words[ent.end - 1] = words[ent.end - 1].upper()
    return words


def _title_case_roles(words: List[str], doc: Doc, rate: float, rng: random.Random) -> List[str]:
    for ent in doc.ents:
        first = words[ent.start]
        if ent.label_ == "ROLE" and first.startswith(_TITLE_WORDS) and rng.random() < rate:
            words[ent.start] = first[:1].upper() + first[1:]
    return words


def news_surface_example(example: Example, rng: random.Random, typographic: float, capitalised_surnames: float, title_case_roles: float) -> Example:
    """One example rewritten with real-page typography; tokens, entities and relations kept."""
    reference = example.reference
    words = [token.text for token in reference]
    if rng.random() < typographic:
        words = _typographic(words)
    words = _capitalise_surnames(words, reference, capitalised_surnames, rng)
    words = _title_case_roles(words, reference, title_case_roles, rng)
    spaces = [bool(token.whitespace_) for token in reference]
    new_reference = Doc(reference.vocab, words=words, spaces=spaces)
    new_reference.ents = [Span(new_reference, ent.start, ent.end, label=ent.label_) for ent in reference.ents]
    new_reference.user_data = copy.deepcopy(reference.user_data)
    # same tokens on both sides, as the relation extractor's training requires
    predicted = Doc(reference.vocab, words=words, spaces=spaces)
    return Example(predicted, new_reference)


@registry.augmenters("minister_meetings.news_surface.v1")
def create_news_surface_augmenter(
    level: float = 0.5, typographic: float = 0.8, capitalised_surnames: float = 0.3, title_case_roles: float = 0.3, seed: int = 0
) -> Callable[[Language, Example], Iterator[Example]]:
    """Rewrite a share `level` of the examples with real-page surface.

    Within a rewritten example, `typographic` is the chance that its quotes and apostrophes become
    typographic, `capitalised_surnames` and `title_case_roles` the chance per person / per office.
    """
    for name, value in (("level", level), ("typographic", typographic), ("capitalised_surnames", capitalised_surnames), ("title_case_roles", title_case_roles)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"minister_meetings.news_surface.v1: {name} must lie in [0, 1], got {value}")
    rng = random.Random(seed)

    def augment(nlp: Language, example: Example) -> Iterator[Example]:
        if rng.random() >= level:
            yield example
        else:
            yield news_surface_example(example, rng, typographic, capitalised_surnames, title_case_roles)

    return augment


__all__ = ["create_news_surface_augmenter", "news_surface_example"]
