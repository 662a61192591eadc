"""The news-surface augmenter: real-page typography and capitals, entities and relations kept."""
from __future__ import annotations

import random

import pytest
import spacy
from spacy.training import Example

from minister_meetings.augment import create_news_surface_augmenter, news_surface_example
from minister_meetings.relations import set_relations


@pytest.fixture
def example():
    nlp = spacy.blank("fr")
    text = "Le ministre de l'Intérieur, Abdelouafi Laftit, a reçu \"mardi\" Fernando Grande-Marlaska."
    doc = nlp.make_doc(text)
    spans = [("ministre de l'Intérieur", "ROLE"), ("Abdelouafi Laftit", "MINISTER"), ("mardi", "DATE"), ("Fernando Grande-Marlaska", "MINISTER")]
    doc.ents = [doc.char_span(text.index(surface), text.index(surface) + len(surface), label=label) for surface, label in spans]
    role, laftit, _date, marlaska = doc.ents
    set_relations(doc, [(laftit.start, laftit.end, "HAS_ROLE", role.start, role.end, 1.0),
                        (laftit.start, laftit.end, "MET_WITH", marlaska.start, marlaska.end, 1.0)])
    return nlp, Example(nlp.make_doc(text), doc)


def test_augmented_example_has_real_page_surface_and_same_annotations(example):
    nlp, original = example
    augmented = news_surface_example(original, random.Random(0), typographic=1.0, capitalised_surnames=1.0, title_case_roles=1.0)
    reference = augmented.reference
    assert reference.text == "Le Ministre de l’Intérieur, Abdelouafi LAFTIT, a reçu «mardi» Fernando GRANDE-MARLASKA."
    assert len(reference.text) == len(original.reference.text)
    assert [(ent.start, ent.end, ent.label_) for ent in reference.ents] == [(ent.start, ent.end, ent.label_) for ent in original.reference.ents]
    assert [ent.text for ent in reference.ents][1] == "Abdelouafi LAFTIT"
    assert reference._.relation_triples == original.reference._.relation_triples
    assert [token.text for token in augmented.predicted] == [token.text for token in reference]
    # the original is untouched
    assert original.reference.text.startswith("Le ministre de l'Intérieur")


def test_augmenter_rewrites_the_configured_share(example):
    nlp, original = example
    never = create_news_surface_augmenter(level=0.0)
    always = create_news_surface_augmenter(level=1.0, typographic=1.0)
    assert [eg.reference.text for eg in never(nlp, original)] == [original.reference.text]
    assert "’" in next(iter(always(nlp, original))).reference.text


def test_augmenter_rejects_a_rate_outside_zero_one():
    with pytest.raises(ValueError, match="capitalised_surnames must lie in"):
        create_news_surface_augmenter(capitalised_surnames=1.5)


def test_augmenter_is_resolved_from_the_config():
    from spacy.util import registry

    augmenter = registry.resolve({"a": {"@augmenters": "minister_meetings.news_surface.v1", "level": 0.3}})["a"]
    assert callable(augmenter)


def test_empty_doc_is_augmented_to_an_empty_doc():
    nlp = spacy.blank("fr")
    empty = Example(nlp.make_doc(""), nlp.make_doc(""))
    assert news_surface_example(empty, random.Random(0), 1.0, 1.0, 1.0).reference.text == ""
