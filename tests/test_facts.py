"""Document-level facts and meetings: entity linking and each anaphora rule."""
from __future__ import annotations

from typing import List, Sequence, Tuple

import pytest
import spacy
from spacy.tokens import Doc

from meetings_tooling.evaluation import fact_scores, same_entity_key
from minister_meetings.facts import MeetingFacts, cluster_people, default_rules, fact_triples
from util import NLP, doc_with


def annotate(text: str, entities: Sequence[Tuple[str, str]], relations: Sequence[Tuple[int, str, int]] = ()) -> Doc:
    """`doc_with`, then the meeting_facts component with its default rules."""
    return MeetingFacts()(doc_with(text, entities, relations))


def triples(doc: Doc) -> set:
    return fact_triples(doc._.facts)


def test_one_person_however_spelled():
    doc = annotate(
        "Fernando Grande-Marlaska a reçu Abdelouafi Laftit. M. Laftitt a remercié Marlaska.",
        [("Fernando Grande-Marlaska", "MINISTER"), ("Abdelouafi Laftit", "MINISTER"), ("Laftitt", "MINISTER"), ("Marlaska", "MINISTER")],
        [(0, "MET_WITH", 1)],
    )
    keys = {cluster.key for cluster in cluster_people(doc).values()}
    assert keys == {"grande-marlaska", "laftit"}
    assert triples(doc) == {("grande-marlaska", "MET_WITH", "laftit")}


def test_accents_are_one_person():
    doc = annotate("Laurent Nuñez et Nunez.", [("Laurent Nuñez", "MINISTER"), ("Nunez", "MINISTER")])
    assert len({cluster.key for cluster in cluster_people(doc).values()}) == 1


def test_subject_anaphor_le_ministre():
    doc = annotate(
        "Rabat - Le ministre de l'Intérieur, Abdelouafi Laftit, a présidé une réunion. Le ministre a eu des entretiens avec Laurent Nuñez.",
        [("Rabat", "LOC"), ("ministre de l'Intérieur", "ROLE"), ("Abdelouafi Laftit", "MINISTER"), ("Laurent Nuñez", "MINISTER")],
        [(2, "HAS_ROLE", 1)],
    )
    assert ("laftit", "MET_WITH", "nunez") in triples(doc)
    fact = next(f for f in doc._.facts if f["label"] == "MET_WITH")
    assert fact["source"] == "subject_anaphor" and fact["mentions"]


def test_subject_anaphor_il_after_a_dateline_naming_the_minister():
    doc = annotate(
        "Bruno Retailleau en visite à Alger. Il a ensuite rencontré Brahim Merad au siège du ministère.",
        [("Bruno Retailleau", "MINISTER"), ("Alger", "LOC"), ("Brahim Merad", "MINISTER")],
    )
    assert triples(doc) == {("merad", "MET_WITH", "retailleau")}


def test_pair_anaphor_les_deux_ministres():
    doc = annotate(
        "Nancy Faeser a reçu Gérald Darmanin à Berlin. Les deux ministres ont ensuite rencontré Ylva Johansson.",
        [("Nancy Faeser", "MINISTER"), ("Gérald Darmanin", "MINISTER"), ("Berlin", "LOC"), ("Ylva Johansson", "PERSON")],
        [(0, "MET_WITH", 1)],
    )
    assert {("darmanin", "MET_WITH", "johansson"), ("faeser", "MET_WITH", "johansson")} <= triples(doc)


def test_homologue_names_the_other_side():
    doc = annotate(
        "Nasser Bourita a été reçu à Madrid. Dans l'après-midi, il s'est entretenu avec son homologue espagnol, José Manuel Albares.",
        [("Nasser Bourita", "MINISTER"), ("Madrid", "LOC"), ("José Manuel Albares", "MINISTER")],
    )
    assert ("albares", "MET_WITH", "bourita") in triples(doc)


def test_cue_objects_links_the_subject_with_every_visitor_of_a_list():
    doc = annotate(
        "Nasser Bourita s'est entretenu jeudi avec les ministres des Affaires étrangères de la Pologne, Jacek Nowak, "
        "du Danemark, Lars Holm, et du Chili, Ana Rojas, en marge de l'Assemblée générale.",
        [("Nasser Bourita", "MINISTER"), ("Jacek Nowak", "MINISTER"), ("Lars Holm", "MINISTER"), ("Ana Rojas", "MINISTER")],
    )
    assert triples(doc) == {("bourita", "MET_WITH", "nowak"), ("bourita", "MET_WITH", "holm"), ("bourita", "MET_WITH", "rojas")}
    assert {fact["source"] for fact in doc._.facts} == {"cue_objects"}


def test_cue_objects_needs_the_subject_before_the_cue():
    doc = annotate(
        "Lors de l'entretien, Jacek Nowak a salué Lars Holm.",
        [("Jacek Nowak", "MINISTER"), ("Lars Holm", "MINISTER")],
    )
    assert triples(doc) == set()


def test_plural_anaphor_stands_for_the_people_of_the_sentence_before():
    doc = annotate(
        "Jean Morel et Karl Weber se sont rendus ensemble à Niamey le 3 mai. "
        "Ils y ont notamment rencontré le président Issa Garba et le Premier ministre Ali Sani.",
        [("Jean Morel", "MINISTER"), ("Karl Weber", "MINISTER"), ("Niamey", "LOC"), ("Issa Garba", "PERSON"), ("Ali Sani", "MINISTER")],
    )
    assert triples(doc) == {("garba", "MET_WITH", "morel"), ("garba", "MET_WITH", "weber"),
                            ("morel", "MET_WITH", "sani"), ("sani", "MET_WITH", "weber")}
    assert {fact["source"] for fact in doc._.facts} == {"plural_anaphor"}


def test_no_meeting_word_no_fact():
    doc = annotate(
        "Le ministre de l'Intérieur, Gérald Darmanin, a salué le travail de Laurent Nuñez.",
        [("ministre de l'Intérieur", "ROLE"), ("Gérald Darmanin", "MINISTER"), ("Laurent Nuñez", "PERSON")],
        [(1, "HAS_ROLE", 0)],
    )
    assert triples(doc) == {("darmanin", "HAS_ROLE", "ministre de l'intérieur")}
    assert doc._.meetings == []


def test_meeting_record_has_participants_roles_date_place_summit():
    doc = annotate(
        "Varsovie, 25 novembre - En marge du G6, le ministre de l'Intérieur Abdelouafi Laftit a reçu Marcin Kierwiński.",
        [("Varsovie", "LOC"), ("25 novembre", "DATE"), ("G6", "SUMMIT"), ("ministre de l'Intérieur", "ROLE"),
         ("Abdelouafi Laftit", "MINISTER"), ("Marcin Kierwiński", "MINISTER")],
        [(4, "HAS_ROLE", 3), (4, "MET_WITH", 5), (4, "ATTENDED", 2)],
    )
    (meeting,) = doc._.meetings
    names = {p["name"]: p for p in meeting["participants"]}
    assert set(names) == {"Abdelouafi Laftit", "Marcin Kierwiński"}
    assert names["Abdelouafi Laftit"]["roles"] == ["ministre de l'intérieur"]
    assert (meeting["date"], meeting["place"], meeting["summit"]) == ("25 novembre", "Varsovie", "G6")
    assert meeting["sentence"].startswith("Varsovie, 25 novembre")


def test_rules_can_be_switched_off():
    text = "Le ministre Abdelouafi Laftit est à Madrid. Le ministre a reçu Fernando Grande-Marlaska."
    entities = [("Abdelouafi Laftit", "MINISTER"), ("Madrid", "LOC"), ("Fernando Grande-Marlaska", "MINISTER")]
    doc = annotate(text, entities)
    assert triples(doc) == {("grande-marlaska", "MET_WITH", "laftit")}
    assert doc._.facts[0]["source"] == "subject_anaphor"
    plain = MeetingFacts(rules={})(doc)
    assert fact_triples(plain._.facts) == set()
    with pytest.raises(ValueError, match="is not a function"):
        MeetingFacts(rules={"telepathy": "subject_anaphor"})


def test_rules_are_registered_functions_named_in_the_config(tmp_path):
    import spacy

    nlp = spacy.blank("fr")
    only_homologue = {"@misc": "minister_meetings.fact_rules.v1", "rules": ["minister_meetings.homologue_rule.v1"]}
    component = nlp.add_pipe("meeting_facts", config={"rules": only_homologue, "rule_score": 0.4})
    assert list(component.rules) == ["homologue"] and component.rule_score == 0.4
    # "le ministre a reçu X" is the subject anaphor's: the homologue rule alone adds nothing
    text = "Le ministre Abdelouafi Laftit est à Madrid. Le ministre a reçu Fernando Grande-Marlaska."
    doc = nlp.make_doc(text)
    doc.ents = [doc.char_span(text.index(s), text.index(s) + len(s), label=l) for s, l in
                [("Abdelouafi Laftit", "MINISTER"), ("Fernando Grande-Marlaska", "MINISTER")]]
    assert nlp.get_pipe("meeting_facts")(doc)._.facts == []
    nlp.to_disk(tmp_path / "facts")
    reloaded = spacy.load(tmp_path / "facts").get_pipe("meeting_facts")
    assert reloaded.cfg == {"rules": ["homologue"], "rule_score": 0.4}
    restored = MeetingFacts(rules=default_rules()).from_bytes(component.to_bytes())
    assert restored.cfg == {"rules": ["homologue"], "rule_score": 0.4} and list(restored.rules) == ["homologue"]
    with pytest.raises(ValueError, match="does not define"):
        MeetingFacts(rules={}).from_bytes(component.to_bytes())
    with pytest.raises(ValueError, match="no rule is registered as 'telepathy'"):
        spacy.blank("fr").add_pipe("meeting_facts", config={"rules": {"@misc": "minister_meetings.fact_rules.v1", "rules": ["telepathy"]}})


def test_empty_doc_has_no_facts():
    doc = MeetingFacts()(NLP.make_doc(""))
    assert doc._.facts == [] and doc._.meetings == []


@pytest.mark.parametrize("predicted, gold, same", [
    ("sall", "tall sall", True), ("cazenueve", "cazeneuve", True), ("nunez", "nunez", True),
    ("li", "xi", False), ("moor", "de moor", True), ("laftit", "bourita", False),
])
def test_fact_keys_match_within_a_document(predicted, gold, same):
    assert same_entity_key(predicted, gold) is same


def test_fact_scores_count_true_and_false():
    gold: List[List[str]] = [["laftit", "MET_WITH", "nunez"], ["laftit", "ATTENDED", "g6"]]
    table = fact_scores([gold], [{("laftit", "MET_WITH", "nunez"), ("bourita", "MET_WITH", "laftit")}])
    assert (table["MET_WITH"]["tp"], table["MET_WITH"]["fp"], table["ATTENDED"]["fn"]) == (1, 1, 1)


def test_facts_and_meetings_survive_docbin_and_pickle():
    import json
    import pickle

    from spacy.tokens import DocBin

    doc = annotate(
        "Rabat - Abdelouafi Laftit a reçu Laurent Nuñez mardi.",
        [("Rabat", "LOC"), ("Abdelouafi Laftit", "MINISTER"), ("Laurent Nuñez", "MINISTER"), ("mardi", "DATE")],
        [(1, "MET_WITH", 2)],
    )
    doc_bin = DocBin(store_user_data=True)
    doc_bin.add(doc)
    (restored,) = DocBin().from_bytes(doc_bin.to_bytes()).get_docs(NLP.vocab)
    # msgpack gives tuples for lists: compare the JSON a user would write out
    as_json = lambda value: json.dumps(value, ensure_ascii=False)  # noqa: E731
    assert as_json(restored._.facts) == as_json(doc._.facts) and as_json(restored._.meetings) == as_json(doc._.meetings)
    assert as_json(pickle.loads(pickle.dumps(doc))._.meetings) == as_json(doc._.meetings)
