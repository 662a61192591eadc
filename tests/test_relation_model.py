"""The relation extractor's TrainablePipe contract, in process, the way spaCy tests its own
components: dropout, labels from `initialize`, a saved scheme that disagrees with the weights,
the hand-written pooling's gradient on every available backend, and overfitting a few examples."""
from __future__ import annotations

import numpy
import pytest
import spacy
from spacy.tokens import Doc
from spacy.training import Example
from thinc.api import Model, NumpyOps, get_current_ops
from thinc.util import has_cupy_gpu

from minister_meetings.relation_extractor import Candidates, make_candidates, pair_feature_width, pair_representation
from minister_meetings.relations import relation_keys, set_relations
from minister_meetings.schema import ENTITY_LABELS, RELATION_LABELS

# (text, entities as (surface, label), relations as (head surface, label, tail surface))
TRAIN_DATA = [
    ("Le ministre Laftit a reçu mardi à Rabat son homologue Nuñez .",
     [("Laftit", "MINISTER"), ("mardi", "DATE"), ("Rabat", "LOC"), ("Nuñez", "MINISTER")],
     [("Laftit", "MET_WITH", "Nuñez")]),
    ("Bourita , ministre des Affaires étrangères , a participé au sommet du G7 .",
     [("Bourita", "MINISTER"), ("ministre des Affaires étrangères", "ROLE"), ("sommet du G7", "SUMMIT")],
     [("Bourita", "HAS_ROLE", "ministre des Affaires étrangères"), ("Bourita", "ATTENDED", "sommet du G7")]),
    ("Faeser et Piantedosi ont lu la presse , puis Darmanin s' est entretenu avec Wissing .",
     [("Faeser", "MINISTER"), ("Piantedosi", "MINISTER"), ("Darmanin", "MINISTER"), ("Wissing", "PERSON")],
     [("Darmanin", "MET_WITH", "Wissing")]),
]


def make_doc(nlp, text: str, entities, relations=()) -> Doc:
    doc = nlp.make_doc(text)
    spans = {}
    for surface, label in entities:
        start = text.index(surface)
        spans[surface] = doc.char_span(start, start + len(surface), label=label)
    doc.ents = list(spans.values())
    set_relations(doc, [(spans[h].start, spans[h].end, label, spans[t].start, spans[t].end, 1.0) for h, label, t in relations])
    return doc


def make_examples(nlp):
    examples = []
    for text, entities, relations in TRAIN_DATA:
        reference = make_doc(nlp, text, entities, relations)
        predicted = make_doc(nlp, text, entities)
        examples.append(Example(predicted, reference))
    return examples


def blank_with_relation_extractor(config=None):
    nlp = spacy.blank("fr")
    nlp.add_pipe("relation_extractor", config=config or {})
    return nlp


def predicted_keys(nlp, examples):
    return [relation_keys(doc) for doc in nlp.pipe(example.predicted.copy() for example in examples)]


def test_update_honours_dropout():
    nlp = blank_with_relation_extractor()
    examples = make_examples(nlp)
    nlp.initialize(lambda: examples)
    component = nlp.get_pipe("relation_extractor")
    dropout_layers = [node for node in component.model.walk() if node.name == "dropout"]
    assert dropout_layers, "the relation model has a dropout layer"
    nlp.update(examples, drop=0.5)
    assert [node.attrs["dropout_rate"] for node in dropout_layers] == [0.5] * len(dropout_layers)
    nlp.update(examples, drop=0.0)
    assert [node.attrs["dropout_rate"] for node in dropout_layers] == [0.0] * len(dropout_layers)


def test_labels_come_from_initialize():
    nlp = blank_with_relation_extractor()
    examples = make_examples(nlp)
    component = nlp.get_pipe("relation_extractor")
    assert component.labels == ()
    component.initialize(lambda: examples, nlp=nlp, labels=["MET_WITH"])
    assert component.labels == ("MET_WITH",) and component.label_data == ["MET_WITH"]
    assert component.model.get_ref("output_layer").get_dim("nO") == 1
    doc = nlp(make_examples(nlp)[1].predicted)
    assert all(scores.keys() <= {"MET_WITH"} for *_offsets, scores in doc._.relation_scores)
    with pytest.raises(ValueError, match="after the model has been initialised"):
        component.add_label("HAS_ROLE")


def test_labels_are_read_from_the_examples_when_not_given():
    nlp = blank_with_relation_extractor()
    examples = make_examples(nlp)[1:2]
    nlp.initialize(lambda: examples)
    assert nlp.get_pipe("relation_extractor").labels == ("HAS_ROLE", "ATTENDED")


def test_config_labels_via_initialize_section():
    config = spacy.util.load_config_from_str(
        "[nlp]\nlang = \"fr\"\npipeline = [\"relation_extractor\"]\n[components]\n[components.relation_extractor]\n"
        "factory = \"relation_extractor\"\n[initialize]\n[initialize.components]\n"
        "[initialize.components.relation_extractor]\nlabels = [\"HAS_ROLE\"]\n"
    )
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    examples = make_examples(nlp)
    nlp.initialize(lambda: examples)
    assert nlp.get_pipe("relation_extractor").labels == ("HAS_ROLE",)


def test_a_saved_scheme_that_disagrees_with_the_weights_fails_clearly(tmp_path):
    import srsly

    nlp = blank_with_relation_extractor()
    examples = make_examples(nlp)
    nlp.initialize(lambda: examples)
    nlp.to_disk(tmp_path / "model")
    assert spacy.load(tmp_path / "model").get_pipe("relation_extractor").entity_labels == ENTITY_LABELS
    cfg_path = tmp_path / "model" / "relation_extractor" / "cfg"
    cfg = srsly.read_json(cfg_path)
    srsly.write_json(cfg_path, {**cfg, "entity_labels": cfg["entity_labels"][:-1]})
    with pytest.raises(ValueError, match="pair features.*label scheme changed"):
        spacy.load(tmp_path / "model")
    srsly.write_json(cfg_path, {**cfg, "labels": cfg["labels"][:-1]})
    with pytest.raises(ValueError, match="saved weights score 3 labels"):
        spacy.load(tmp_path / "model")
    srsly.write_json(cfg_path, {**cfg, "labels": ["MET_WITH", "HAS_ROLE", "KNOWS"]})
    with pytest.raises(ValueError, match="does not know"):
        spacy.load(tmp_path / "model")


def _fixed_tok2vec(vectors):
    """A stand-in for tok2vec that returns the given arrays and records their gradient."""

    def forward(model, docs, is_train):
        def backprop(d_vectors):
            model.attrs["d_vectors"] = d_vectors
            return []

        return [model.ops.asarray2f(v) for v in vectors], backprop

    return Model("fixed", forward, dims={"nO": vectors[0].shape[1]}, attrs={"d_vectors": None})


def _backends():
    backends = [NumpyOps()]
    if has_cupy_gpu:
        from thinc.api import CupyOps

        backends.append(CupyOps())
    return backends


@pytest.mark.parametrize("ops", _backends(), ids=lambda ops: type(ops).__name__)
def test_pooling_gradient_matches_finite_differences(ops):
    nlp = spacy.blank("fr")
    texts = ["Laftit a reçu , mardi , au siège du ministère , Nuñez et Faeser .", "Bourita et Blinken ."]
    ents = [[("Laftit", "MINISTER"), ("Nuñez", "MINISTER"), ("Faeser", "MINISTER")], [("Bourita", "MINISTER"), ("Blinken", "PERSON")]]
    docs = [make_doc(nlp, text, entities) for text, entities in zip(texts, ents)]
    candidates = [make_candidates(doc, list(doc.ents), RELATION_LABELS, 40) for doc in docs]
    assert all(len(c) for c in candidates)
    width = 3
    rng = numpy.random.default_rng(0)
    vectors = [rng.normal(size=(len(doc), width)).astype("float32") for doc in docs]
    layer = pair_representation(_fixed_tok2vec(vectors))
    layer.set_dim("nF", pair_feature_width(len(ENTITY_LABELS)))
    layer.to_gpu(0) if type(ops).__name__ == "CupyOps" else None
    layer.initialize(X=(docs, candidates))
    output, backprop = layer((docs, candidates), is_train=True)
    weights = rng.normal(size=output.shape).astype("float32")
    backprop(layer.ops.asarray2f(weights))
    analytic = [layer.ops.to_numpy(d) for d in layer.layers[0].attrs["d_vectors"]]

    def loss(perturbed) -> float:
        fixed = _fixed_tok2vec(perturbed)
        probe = pair_representation(fixed)
        probe.set_dim("nF", layer.get_dim("nF"))
        probe.set_dim("nO", layer.get_dim("nO"))
        probe.to_gpu(0) if type(ops).__name__ == "CupyOps" else None
        return float((probe.ops.to_numpy(probe.predict((docs, candidates))).astype("float64") * weights).sum())

    eps = 1e-2
    for doc_index, doc_vectors in enumerate(vectors):
        numeric = numpy.zeros_like(doc_vectors, dtype="float64")
        for position in numpy.ndindex(*doc_vectors.shape):
            plus = [v.astype("float64").copy() for v in vectors]
            minus = [v.astype("float64").copy() for v in vectors]
            plus[doc_index][position] += eps
            minus[doc_index][position] -= eps
            numeric[position] = (loss([v.astype("float32") for v in plus]) - loss([v.astype("float32") for v in minus])) / (2 * eps)
        numpy.testing.assert_allclose(analytic[doc_index], numeric, rtol=2e-2, atol=2e-2)
    assert any(numpy.abs(d).sum() > 0 for d in analytic)


def test_pooling_runs_on_the_current_ops_without_host_copies(monkeypatch):
    """The forward and backward passes call no `to_numpy` on the token vectors or gradients."""
    nlp = spacy.blank("fr")
    doc = make_doc(nlp, "Laftit a reçu Nuñez .", [("Laftit", "MINISTER"), ("Nuñez", "MINISTER")])
    candidates = [make_candidates(doc, list(doc.ents), RELATION_LABELS, 40)]
    layer = pair_representation(_fixed_tok2vec([numpy.ones((len(doc), 2), dtype="float32")]))
    layer.set_dim("nF", pair_feature_width(len(ENTITY_LABELS)))
    layer.initialize(X=([doc], candidates))
    calls = []
    monkeypatch.setattr(type(layer.ops), "to_numpy", lambda self, data, **kwargs: calls.append(1) or data)
    output, backprop = layer(([doc], candidates), is_train=True)
    backprop(layer.ops.alloc2f(*output.shape))
    assert calls == [] and isinstance(get_current_ops(), type(layer.ops))


def test_overfitting_io(tmp_path):
    """A few examples, 50 updates: the component learns them; a disk round trip keeps predictions."""
    spacy.util.fix_random_seed(0)
    nlp = blank_with_relation_extractor({"threshold": 0.5})
    examples = make_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    losses = {}
    for _ in range(50):
        losses = {}
        nlp.update(examples, sgd=optimizer, losses=losses)
    assert losses["relation_extractor"] < 0.01
    gold = [relation_keys(example.reference) for example in examples]
    assert predicted_keys(nlp, examples) == gold
    before = [nlp(example.predicted.copy())._.relation_scores for example in examples]
    nlp.to_disk(tmp_path / "model")
    reloaded = spacy.load(tmp_path / "model")
    assert predicted_keys(reloaded, examples) == gold
    assert [reloaded(example.predicted.copy())._.relation_scores for example in examples] == before


def test_candidates_type():
    nlp = spacy.blank("fr")
    doc = make_doc(nlp, "Laftit a reçu Nuñez .", [("Laftit", "MINISTER"), ("Nuñez", "MINISTER")])
    candidates = make_candidates(doc, list(doc.ents), ["MET_WITH"], 40, entity_labels=("MINISTER",))
    assert isinstance(candidates, Candidates) and len(candidates) == 2
    assert candidates.features.shape == (2, pair_feature_width(1)) and candidates.allowed.shape == (2, 1)
