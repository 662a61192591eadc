"""The rule components around the ner: `entity_edges` (span ends) and `people_labels`
(MINISTER/PERSON per person), with their serialization and odd input."""
from __future__ import annotations

import pickle

import pytest
import spacy
from spacy.tokens import Doc

from minister_meetings.people_labels import is_ministerial, is_outside_cabinet
from util import NLP, doc_with


def labels(doc: Doc):
    return [(ent.text, ent.label_) for ent in doc.ents]


def test_entity_edges_trims_dangling_function_words():
    nlp = spacy.blank("fr")
    edges = nlp.add_pipe("entity_edges")
    doc = doc_with("La présidente de la Commission européenne et l'envoyé spécial pour le Sahel , de .",
                   [("présidente de la", "ROLE"), ("envoyé spécial pour le", "ROLE"), ("Sahel ,", "LOC"), ("de", "ORG")])
    assert labels(edges(doc)) == [("présidente", "ROLE"), ("envoyé spécial", "ROLE"), ("Sahel", "LOC")]


def test_entity_edges_keeps_complete_spans_and_empty_docs():
    edges = spacy.blank("fr").add_pipe("entity_edges")
    doc = doc_with("Le ministre de l'Intérieur du Maroc .", [("ministre de l'Intérieur", "ROLE"), ("Maroc", "COUNTRY")])
    assert labels(edges(doc)) == [("ministre de l'Intérieur", "ROLE"), ("Maroc", "COUNTRY")]
    assert len(edges(NLP.make_doc("")).ents) == 0


def test_entity_edges_serialization_round_trip(tmp_path):
    nlp = spacy.blank("fr")
    nlp.add_pipe("entity_edges", config={"trailing_words": ["pour", "le"]})
    nlp.to_disk(tmp_path / "edges")
    reloaded = spacy.load(tmp_path / "edges").get_pipe("entity_edges")
    assert reloaded.cfg == {"trailing_words": ["le", "pour"]}
    other = spacy.blank("fr").add_pipe("entity_edges")
    assert other.from_bytes(reloaded.to_bytes()).cfg == reloaded.cfg
    doc = doc_with("l'envoyé spécial pour le Sahel", [("envoyé spécial pour le", "ROLE")])
    assert labels(other(doc)) == [("envoyé spécial", "ROLE")]


@pytest.mark.parametrize("role, ministerial, outside", [
    ("ministre de l'Intérieur", True, False), ("Premier ministre", True, False), ("secrétaire d'État américain", True, False),
    ("président du gouvernement espagnol", True, False), ("ancien ministre", False, True), ("ministre-conseiller", False, True),
    ("ambassadrice de France", False, True), ("vice-ministre russe de la Défense", False, True), ("président", False, False),
    ("conseiller fédéral", True, False), ("secrétaire général de l'ONU", False, True),
])
def test_offices(role, ministerial, outside):
    assert (is_ministerial(role), is_outside_cabinet(role)) == (ministerial, outside)


def test_people_labels_from_offices_and_majority():
    nlp = spacy.blank("fr")
    component = nlp.add_pipe("people_labels")
    text = ("Le ministre de l'Intérieur Ali Benali a reçu l'ambassadrice de France Anne Dupuis . "
            "Benali et Dupuis ont évoqué la visite de Marc Roux , président , puis de Paul Lenoir . Roux a salué Lenoir , Lenoir .")
    doc = doc_with(text, [
        ("ministre de l'Intérieur", "ROLE"), ("Ali Benali", "PERSON"), ("ambassadrice", "ROLE"), ("Anne Dupuis", "MINISTER"),
        ("Benali", "PERSON"), ("Dupuis", "MINISTER"), ("Marc Roux", "MINISTER"), ("président", "ROLE"), ("Paul Lenoir", "PERSON"),
        ("Roux", "PERSON"), ("Lenoir", "MINISTER"), ("Lenoir", "PERSON"),
    ], [(1, "HAS_ROLE", 0), (3, "HAS_ROLE", 2), (6, "HAS_ROLE", 7)])
    result = dict.fromkeys(labels(component(doc)))
    # an office decides; a bare "président" leaves Roux to his mentions (a tie goes to the first);
    # Lenoir has no office and two PERSON mentions out of three
    assert list(result) == [
        ("ministre de l'Intérieur", "ROLE"), ("Ali Benali", "MINISTER"), ("ambassadrice", "ROLE"), ("Anne Dupuis", "PERSON"),
        ("Benali", "MINISTER"), ("Dupuis", "PERSON"), ("Marc Roux", "MINISTER"), ("président", "ROLE"), ("Paul Lenoir", "PERSON"),
        ("Roux", "MINISTER"), ("Lenoir", "PERSON"),
    ]
    assert [r.head.label_ for r in doc._.relations] == ["MINISTER", "PERSON", "MINISTER"]


def test_people_labels_switched_off_and_serialized(tmp_path):
    nlp = spacy.blank("fr")
    nlp.add_pipe("people_labels", config={"use_roles": False, "harmonise": False})
    doc = doc_with("L'ambassadrice Anne Dupuis .", [("ambassadrice", "ROLE"), ("Anne Dupuis", "MINISTER")], [(1, "HAS_ROLE", 0)])
    assert labels(nlp.get_pipe("people_labels")(doc))[1] == ("Anne Dupuis", "MINISTER")
    nlp.to_disk(tmp_path / "labels")
    assert spacy.load(tmp_path / "labels").get_pipe("people_labels").cfg == {"use_roles": False, "harmonise": False}
    assert pickle.loads(pickle.dumps(doc)).ents[1].label_ == "MINISTER"
    assert len(nlp.get_pipe("people_labels")(NLP.make_doc("")).ents) == 0
