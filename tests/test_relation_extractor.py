"""The relation extractor: candidates, serialization, odd input, multiprocessing, Doc round trips."""
from __future__ import annotations

import pickle

import pytest
import spacy
from spacy.tokens import Doc, DocBin, Span

from meetings_tooling.corpus import record_to_doc
from minister_meetings.relation_extractor import make_candidates
from minister_meetings.relations import Relation
from minister_meetings.schema import RELATION_LABELS, SYMMETRIC_RELATIONS, is_allowed

TEXTS = [
    "Rabat, 25 novembre (MAP) - Le ministre de l'Intérieur, Abdelouafi Laftit, a reçu mardi son homologue "
    "espagnol Fernando Grande-Marlaska, en marge du Sommet-G6 des ministres de l'intérieur à Varsovie.",
    "Le ministre des Affaires étrangères, Nasser Bourita, s'est entretenu au téléphone avec Antony Blinken.",
    "",
    "   \n  ",
    "Aucune entité dans cette phrase, seulement du texte ordinaire.",
    "🙂🙂 <p>Réunion à <b>Paris</b></p> مرحبا بكم Привет 你好 &nbsp; &amp;",
]


def doc_with_entities(nlp, text: str, entities: list) -> Doc:
    doc = nlp.make_doc(text)
    spans = []
    for surface, label in entities:
        start = text.index(surface)
        spans.append(doc.char_span(start, start + len(surface), label=label))
    doc.ents = spans
    return doc


def relation_signature(doc: Doc) -> list:
    return [(r.head.start, r.head.end, r.label, r.tail.start, r.tail.end, round(r.score, 5)) for r in doc._.relations]


def test_candidates_respect_types_window_and_both_orders():
    nlp = spacy.blank("fr")
    text = "Laftit a reçu Nuñez à Rabat au G6 ; le ministre de l'Intérieur " + "bla " * 50 + "puis Dobrindt."
    doc = doc_with_entities(
        nlp, text,
        [("Laftit", "MINISTER"), ("Nuñez", "MINISTER"), ("Rabat", "LOC"), ("G6", "SUMMIT"), ("ministre de l'Intérieur", "ROLE"), ("Dobrindt", "MINISTER")],
    )
    candidates = make_candidates(doc, list(doc.ents), RELATION_LABELS, max_distance=10)
    labels_by_start = {ent.start: ent.label_ for ent in doc.ents}
    pairs = set()
    for (hs, _he, ts, _te), allowed in zip(candidates.spans.tolist(), candidates.allowed.tolist()):
        head, tail = labels_by_start[hs], labels_by_start[ts]
        assert any(allowed), (head, tail)
        for label, flag in zip(RELATION_LABELS, allowed):
            assert bool(flag) == is_allowed(label, head, tail)
        pairs.add((doc[hs].text, doc[ts].text))
    assert ("Laftit", "Nuñez") in pairs and ("Nuñez", "Laftit") in pairs
    assert ("Laftit", "G6") in pairs and ("G6", "Laftit") not in pairs
    assert not any("Rabat" in pair for pair in pairs)
    assert not any("Dobrindt" in pair for pair in pairs), "pairs beyond the window must not be scored"


def test_pipeline_components_and_labels(nlp):
    assert nlp.pipe_names == ["tok2vec", "ner", "entity_edges", "relation_extractor", "people_labels", "meeting_facts"]
    assert set(nlp.get_pipe("relation_extractor").labels) == set(RELATION_LABELS)


@pytest.mark.parametrize("text", TEXTS)
def test_odd_and_empty_docs(nlp, text):
    doc = nlp(text)
    assert isinstance(doc._.relations, list)
    for relation in doc._.relations:
        assert isinstance(relation, Relation)
    if not text.strip():
        assert len(doc.ents) == 0 and doc._.relations == [] and doc._.relation_scores == []


def test_very_long_document(nlp):
    text = (TEXTS[0] + "\n") * 1100
    assert len(text) > 200_000
    nlp.max_length = len(text) + 1
    doc = nlp(text)
    assert len(doc) > 30_000
    window = nlp.get_pipe("relation_extractor").cfg["max_distance"]
    assert len(doc._.relation_scores) > 1100, "every repeated sentence gives candidate pairs"
    for hs, he, ts, te, _scores in doc._.relation_scores:
        assert max(ts - he, hs - te, 0) <= window


def test_predictions_on_gold_entities_are_typed_and_thresholded(nlp):
    doc = doc_with_entities(
        nlp, TEXTS[0],
        [("Rabat", "LOC"), ("25 novembre", "DATE"), ("MAP", "ORG"), ("ministre de l'Intérieur", "ROLE"), ("Abdelouafi Laftit", "MINISTER"),
         ("mardi", "DATE"), ("Fernando Grande-Marlaska", "MINISTER"), ("Sommet-G6 des ministres de l'intérieur", "SUMMIT"), ("Varsovie", "LOC")],
    )
    with nlp.select_pipes(disable=["ner"]):
        doc = nlp(doc)
    component = nlp.get_pipe("relation_extractor")
    scored_pairs = doc._.relation_scores
    assert scored_pairs, "gold entities must give candidate pairs"
    for hs, he, ts, te, label_scores in scored_pairs:
        head, tail = doc[hs:he], doc[ts:te]
        head_label = next(ent.label_ for ent in doc.ents if ent.start == hs)
        tail_label = next(ent.label_ for ent in doc.ents if ent.start == ts)
        assert set(label_scores) == {label for label in RELATION_LABELS if is_allowed(label, head_label, tail_label)}, (head, tail)
    assert doc._.relations, "the trained test pipeline finds a relation among these gold entities"
    for relation in doc._.relations:
        assert is_allowed(relation.label, relation.head.label_, relation.tail.label_)
        assert relation.score >= component.threshold_for(relation.label)
    met = [(r.head.start, r.tail.start) for r in doc._.relations if r.label == "MET_WITH"]
    assert len(met) == len({frozenset(pair) for pair in met}), "MET_WITH is exposed once per pair"


def test_threshold_controls_output(nlp):
    component = nlp.get_pipe("relation_extractor")
    saved = dict(component.cfg["thresholds"])
    try:
        component.set_thresholds({label: 0.0 for label in RELATION_LABELS})
        everything = nlp(TEXTS[0])
        component.set_thresholds({label: 1.01 for label in RELATION_LABELS})
        nothing = nlp(TEXTS[0])
    finally:
        component.cfg["thresholds"] = saved
    assert nothing._.relations == [] and nothing._.relation_scores
    # at threshold 0 every scored label is a relation, a symmetric one once per unordered pair
    expected = {
        (frozenset({(hs, he), (ts, te)}), label) if label in SYMMETRIC_RELATIONS else ((hs, he), (ts, te), label)
        for hs, he, ts, te, scores in everything._.relation_scores for label in scores
    }
    assert expected and len(everything._.relations) == len(expected)
    with pytest.raises(ValueError, match="unknown labels"):
        component.set_thresholds({"KNOWS": 0.3})


def test_to_bytes_round_trip_gives_identical_predictions(nlp):
    expected = [relation_signature(doc) for doc in nlp.pipe(TEXTS)]
    nlp_bytes = nlp.to_bytes()
    reloaded = spacy.util.load_model_from_config(nlp.config, auto_fill=True)
    reloaded.from_bytes(nlp_bytes)
    assert [relation_signature(doc) for doc in reloaded.pipe(TEXTS)] == expected
    component_bytes = nlp.get_pipe("relation_extractor").to_bytes()
    reloaded.get_pipe("relation_extractor").from_bytes(component_bytes)
    assert reloaded.get_pipe("relation_extractor").cfg == nlp.get_pipe("relation_extractor").cfg


def test_to_disk_round_trip_gives_identical_predictions(nlp, tmp_path):
    expected = [(relation_signature(doc), doc._.relation_scores) for doc in nlp.pipe(TEXTS)]
    nlp.to_disk(tmp_path / "model")
    reloaded = spacy.load(tmp_path / "model")
    assert [(relation_signature(doc), doc._.relation_scores) for doc in reloaded.pipe(TEXTS)] == expected


def test_pipe_with_two_processes_equals_one(nlp):
    texts = TEXTS * 4
    one = [(relation_signature(doc), doc._.relation_scores, [(e.start, e.end, e.label_) for e in doc.ents]) for doc in nlp.pipe(texts, batch_size=3)]
    two = [(relation_signature(doc), doc._.relation_scores, [(e.start, e.end, e.label_) for e in doc.ents]) for doc in nlp.pipe(texts, batch_size=3, n_process=2)]
    assert one == two


def test_relations_survive_docbin_and_pickle(nlp, train_records):
    gold = record_to_doc(nlp, train_records[0])
    assert gold._.relations, "the first training record has relations"
    doc_bin = DocBin(store_user_data=True)
    doc_bin.add(gold)
    (restored,) = DocBin().from_bytes(doc_bin.to_bytes()).get_docs(nlp.vocab)
    assert [(r.head.text, r.label, r.tail.text) for r in restored._.relations] == [(r.head.text, r.label, r.tail.text) for r in gold._.relations]
    predicted = nlp(TEXTS[0])
    unpickled = pickle.loads(pickle.dumps(predicted))
    assert relation_signature(unpickled) == relation_signature(predicted)


def test_gold_relation_types_follow_the_scheme(nlp, train_records):
    for record in train_records[:50]:
        doc = record_to_doc(nlp, record)
        for relation in doc._.relations:
            assert isinstance(relation.head, Span)
            assert is_allowed(relation.label, relation.head.label_, relation.tail.label_)


def _position_tok2vec(width: int):
    """A stand-in for tok2vec whose vector for token i is i in every dimension."""
    import numpy
    from thinc.api import Model

    def forward(model, docs, is_train):
        vectors = [model.ops.asarray2f(numpy.repeat(numpy.arange(len(doc), dtype="float32")[:, None], width, axis=1)) for doc in docs]
        return vectors, lambda d_vectors: []

    return Model("positions", forward, dims={"nO": width})


def test_pair_representation_pools_head_tail_and_between():
    from minister_meetings.relation_extractor import N_POOLED, pair_feature_width, pair_representation
    from minister_meetings.schema import ENTITY_LABELS

    n_features = pair_feature_width(len(ENTITY_LABELS))
    nlp = spacy.blank("fr")
    text = "Hier à Rabat Laftit a reçu Nuñez pour un long entretien ."
    doc = doc_with_entities(nlp, text, [("Laftit", "MINISTER"), ("Nuñez", "MINISTER")])
    candidates = make_candidates(doc, list(doc.ents), RELATION_LABELS, max_distance=10)
    layer = pair_representation(_position_tok2vec(4))
    layer.set_dim("nF", n_features)
    layer.initialize(X=([doc], [candidates]))
    output = layer.predict(([doc], [candidates]))
    assert output.shape == (2, N_POOLED * 4 + n_features)
    # head Laftit (token 3), tail Nuñez (token 6), between "a reçu" (tokens 4 and 5), and the max over
    # the words between widened to the pair's inner edges (tokens 3 to 6); then the reverse pair
    assert [output[0][i * 4] for i in range(4)] == [3.0, 6.0, 4.5, 6.0]
    assert [output[1][i * 4] for i in range(4)] == [6.0, 3.0, 4.5, 6.0]


def test_pair_features_see_a_meeting_cue_and_people_between():
    from minister_meetings.relation_extractor import CUE_WINDOW_BEFORE, DISTANCE_BUCKETS, pair_feature_width
    from minister_meetings.schema import ENTITY_LABELS

    nlp = spacy.blank("fr")
    doc = doc_with_entities(nlp, "Laftit a reçu, mardi, au siège du ministère, Nuñez . Entretien entre Piantedosi et Faeser",
                            [("Laftit", "MINISTER"), ("Nuñez", "MINISTER"), ("Piantedosi", "MINISTER"), ("Faeser", "MINISTER")])
    candidates = make_candidates(doc, list(doc.ents), RELATION_LABELS, max_distance=40)
    cue_offset = 2 * 8 + len(DISTANCE_BUCKETS) + 1 + 3
    rows = {tuple(row): features for row, features in zip(candidates.spans.tolist(), candidates.features)}
    laftit, nunez, piantedosi, faeser = [(ent.start, ent.end) for ent in doc.ents]
    assert pair_feature_width(len(ENTITY_LABELS)) == cue_offset + 5 and CUE_WINDOW_BEFORE >= 2
    # the verb is between Laftit and Nuñez, however long the apposition; nobody stands between them
    assert list(rows[(*laftit, *nunez)][cue_offset:]) == [1.0, 0.0, 1.0, 0.0, 0.0]
    # "Entretien entre" comes before the pair, and no cue lies between its two names
    assert list(rows[(*piantedosi, *faeser)][cue_offset:]) == [0.0, 1.0, 1.0, 0.0, 0.0]
    # from Nuñez to Faeser: a cue ("Entretien") between, and Piantedosi between them
    assert list(rows[(*nunez, *faeser)][cue_offset:]) == [1.0, 0.0, 0.0, 1.0, 0.0]
