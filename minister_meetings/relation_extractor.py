"""The `relation_extractor` pipeline component and its Thinc architecture.

For every pair of entities that the label scheme allows and that lie within `max_distance`
tokens of each other (in both orders), the model pools the token vectors of the head, of the
tail and of the words between them (mean and max), adds the entity types, the distance, the
number of sentence breaks between them, whether a meeting cue lies between or just before the
pair and how many people stand between them, and scores each relation label independently
(sigmoid). The max-pooled words and the cue features keep a meeting verb visible when real-page
material (a weekday, a place, a long title) stands between the two people, where a mean dilutes
it. At run time the pairs come from the entities that `ner` predicted; in training from the
gold entities.

The pooling and the loss run on `model.ops` (NumPy on CPU, CuPy on GPU): a batch's token
vectors are flattened once, the pairs' token positions gathered, and `ops.reduce_mean` /
`ops.reduce_max` pool them, so nothing leaves the device between the tok2vec and the output.
The entity labels used as pair features are part of the component's cfg, saved with the
weights: a pipeline keeps the scheme it was trained with, and a cfg that disagrees with the
weights fails to load with a message that says so.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.scorer import PRFScore
from spacy.tokens import Doc, Span
from spacy.training import Example, validate_examples, validate_get_examples
from spacy.util import SimpleFrozenList, registry
from spacy.vocab import Vocab
from thinc.api import Linear, Model, Ops, Optimizer, Relu, chain, set_dropout_rate
from thinc.types import Floats2d, Ints2d

from .cues import is_meeting_word
from .sentences import sentence_breaks
from .relations import register_extensions, relation_keys, set_relations
from .schema import ENTITY_LABELS, PEOPLE, RELATION_LABELS, SYMMETRIC_RELATIONS, allowed_labels

register_extensions()

DISTANCE_BUCKETS: Tuple[int, ...] = (0, 1, 2, 3, 5, 8, 12, 20, 35, 60)
# tokens before the pair searched for a meeting cue ("Entretien entre X et Y", "audience accordée à X par Y")
CUE_WINDOW_BEFORE = 6


def pair_feature_width(n_entity_labels: int) -> int:
    """Width of the one-hot pair features: types of head and tail, distance bucket, order,
    sentence breaks (0/1/2+), meeting cue between and before, people between (0/1/2+)."""
    return 2 * n_entity_labels + len(DISTANCE_BUCKETS) + 1 + 3 + 2 + 3

# pooled token vectors: head mean, tail mean, between mean, between max
N_POOLED = 4


@dataclass
class Candidates:
    """The entity pairs of one Doc that the model scores.

    `spans` holds rows of (head_start, head_end, tail_start, tail_end) token offsets, `features`
    the one-hot pair features, `allowed` a 0/1 mask of the labels the scheme allows per pair.
    """

    spans: Ints2d
    features: Floats2d
    allowed: Floats2d

    def __len__(self) -> int:
        return int(self.spans.shape[0])


def _bucket(distance: int) -> int:
    for index, bound in reversed(list(enumerate(DISTANCE_BUCKETS))):
        if distance >= bound:
            return index
    return 0


def make_candidates(
    doc: Doc,
    entities: Sequence[Span],
    labels: Sequence[str],
    max_distance: int,
    entity_labels: Sequence[str] = ENTITY_LABELS,
) -> Candidates:
    """Pair the entities of a Doc, both orders, within `max_distance` tokens, as the scheme allows.

    `entity_labels` are the entity types one-hot encoded in the pair features (the component's
    cfg); an entity of another type is never paired.
    """
    label_index = {label: index for index, label in enumerate(entity_labels)}
    n_features = pair_feature_width(len(entity_labels))
    breaks = numpy.concatenate([[0], numpy.cumsum(sentence_breaks(doc))]).astype("int32")
    strings = doc.vocab.strings
    orths = doc.to_array([ORTH]).reshape(-1) if len(doc) else numpy.zeros(0, dtype="uint64")
    is_cue = numpy.asarray([is_meeting_word(strings[int(orth)]) for orth in orths], dtype="int32")
    cues = numpy.concatenate([[0], numpy.cumsum(is_cue)]).astype("int32")
    person_starts = numpy.zeros(len(doc) + 1, dtype="int32")
    for ent in entities:
        if ent.label_ in PEOPLE:
            person_starts[ent.start] += 1
    people = numpy.concatenate([[0], numpy.cumsum(person_starts)]).astype("int32")
    rows, features, allowed = [], [], []
    ents = sorted((ent for ent in entities if ent.label_ in label_index), key=lambda span: span.start)
    ends = [ent.end for ent in ents]
    for i, head in enumerate(ents):
        # entities are sorted by start: scan outwards from the head and stop past the window
        first = i
        while first > 0 and head.start - ends[first - 1] <= max_distance:
            first -= 1
        for j in range(first, len(ents)):
            tail = ents[j]
            if tail.start - head.end > max_distance:
                break
            if i == j:
                continue
            gap = max(tail.start - head.end, head.start - tail.end, 0)
            if gap > max_distance:
                continue
            possible = [label for label in allowed_labels(head.label_, tail.label_) if label in labels]
            if not possible:
                continue
            left, right = (head, tail) if head.start < tail.start else (tail, head)
            n_breaks = int(breaks[right.start] - breaks[left.end]) if right.start > left.end else 0
            vector = numpy.zeros(n_features, dtype="float32")
            vector[label_index[head.label_]] = 1.0
            vector[len(entity_labels) + label_index[tail.label_]] = 1.0
            offset = 2 * len(entity_labels)
            vector[offset + _bucket(gap)] = 1.0
            offset += len(DISTANCE_BUCKETS)
            vector[offset] = float(head.start < tail.start)
            vector[offset + 1 + min(n_breaks, 2)] = 1.0
            offset += 4
            inner_start, inner_end = left.end, max(left.end, right.start)
            vector[offset] = float(cues[inner_end] > cues[inner_start])
            vector[offset + 1] = float(cues[left.start] > cues[max(0, left.start - CUE_WINDOW_BEFORE)])
            vector[offset + 2 + min(int(people[inner_end] - people[inner_start]), 2)] = 1.0
            rows.append((head.start, head.end, tail.start, tail.end))
            features.append(vector)
            allowed.append([1.0 if label in possible else 0.0 for label in labels])
    return Candidates(
        spans=numpy.asarray(rows, dtype="int32").reshape((-1, 4)),
        features=numpy.asarray(features, dtype="float32").reshape((-1, n_features)),
        allowed=numpy.asarray(allowed, dtype="float32").reshape((-1, len(labels))),
    )


@registry.architectures("minister_meetings.RelationModel.v1")
def build_relation_model(
    tok2vec: Model[List[Doc], List[Floats2d]],
    hidden_width: int = 128,
    dropout: float = 0.1,
    nO: Optional[int] = None,
) -> Model[Tuple[List[Doc], List[Candidates]], Floats2d]:
    """Pool head, tail and in-between token vectors of each candidate pair and score every label.

    The output is one logit per label and pair; the component applies the sigmoid, so that the
    loss is a numerically stable binary cross-entropy.
    """
    output_layer = Linear(nO=nO)
    pair = pair_representation(tok2vec)
    model: Model = chain(
        pair,
        Relu(nO=hidden_width, dropout=dropout),
        output_layer,
    )
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("pair_representation", pair)
    model.set_ref("output_layer", output_layer)
    return model


def pair_representation(tok2vec: Model[List[Doc], List[Floats2d]]) -> Model[Tuple[List[Doc], List[Candidates]], Floats2d]:
    """Pooled token vectors of each pair, then its one-hot features.

    Dims: `nF`, the width of the pair features (set by the component from its entity labels
    before initialisation), and `nO`, `N_POOLED` token-vector widths plus `nF`.
    """
    return Model("pair_representation", _pair_forward, layers=[tok2vec], init=_pair_init, dims={"nO": None, "nF": None})


def _token_vector_width(tok2vec: Model) -> int:
    """The width of the token vectors: the first layer whose output width is known.

    A Tok2VecListener knows its width; a transformer listener is wrapped in a chain whose own
    width stays unset, but the listener inside it gets the transformer's hidden size.
    """
    for node in tok2vec.walk():
        if node.has_dim("nO") is True:
            return int(node.get_dim("nO"))
    raise ValueError("relation_extractor: cannot tell the width of the token vectors; initialise the upstream component first")


def _pair_init(model: Model, X=None, Y=None) -> None:
    tok2vec = model.layers[0]
    if X is not None:
        tok2vec.initialize(X=X[0])
    if model.has_dim("nF") is not True:
        raise ValueError("relation_extractor: the pair-feature width nF must be set before the model is initialised")
    model.set_dim("nO", N_POOLED * _token_vector_width(tok2vec) + model.get_dim("nF"))


def _ranges(starts: numpy.ndarray, lengths: numpy.ndarray) -> numpy.ndarray:
    """The concatenated token positions start, start+1, ..., start+length-1 of every row."""
    total = int(lengths.sum())
    offsets = numpy.repeat(numpy.cumsum(lengths) - lengths, lengths)
    return (numpy.arange(total) - offsets + numpy.repeat(starts, lengths)).astype("int32")


def pair_segments(candidates: Sequence[Candidates], n_tokens: Sequence[int]) -> List[Tuple[numpy.ndarray, numpy.ndarray]]:
    """(positions, lengths) of the token segments pooled for every pair of a batch.

    Positions index the batch's flattened token vectors. The segments are head, tail, the words
    between (averaged; empty when the entities touch), and the words between widened to the
    pair's inner edge tokens (max-pooled, so never empty). The offsets are small integer arrays
    computed on the CPU; only the pooling runs on the device.
    """
    doc_offsets = numpy.concatenate([[0], numpy.cumsum(n_tokens)[:-1]]).astype("int32") if len(n_tokens) else numpy.zeros(0, dtype="int32")
    spans = [c.spans + offset for c, offset in zip(candidates, doc_offsets)]
    spans = numpy.vstack(spans).astype("int32") if spans else numpy.zeros((0, 4), dtype="int32")
    doc_ends = numpy.concatenate([numpy.full(len(c), offset + n, dtype="int32") for c, offset, n in zip(candidates, doc_offsets, n_tokens)] or [numpy.zeros(0, dtype="int32")])
    head_start, head_end, tail_start, tail_end = spans.T
    between_start = numpy.minimum(head_end, tail_end)
    between_end = numpy.maximum(between_start, numpy.maximum(head_start, tail_start))
    # between_start is an entity's end, so between_start - 1 lies inside the same document
    window_start = between_start - 1
    window_end = numpy.minimum(between_end + 1, doc_ends)
    segments = []
    for start, end in ((head_start, head_end), (tail_start, tail_end), (between_start, between_end), (window_start, window_end)):
        lengths = (end - start).astype("int32")
        segments.append((_ranges(start, lengths), lengths))
    return segments


def _pair_forward(model: Model, inputs: Tuple[List[Doc], List[Candidates]], is_train: bool):
    docs, candidates = inputs
    tok2vec = model.layers[0]
    ops = model.ops
    n_features = model.get_dim("nF")
    width = (model.get_dim("nO") - n_features) // N_POOLED
    token_vectors, backprop_tok2vec = tok2vec(docs, is_train)
    n_tokens = [int(vectors.shape[0]) for vectors in token_vectors]
    flat = ops.flatten(token_vectors) if token_vectors else ops.alloc2f(0, width)
    pooled, cached = [], []
    segments = pair_segments(candidates, n_tokens)
    for index, (positions, lengths) in enumerate(segments):
        positions, lengths = ops.asarray1i(positions), ops.asarray1i(lengths)
        gathered = flat[positions]
        if index == len(segments) - 1:
            maxima, which = ops.reduce_max(gathered, lengths)
            pooled.append(maxima)
            cached.append((positions, lengths, which))
        else:
            pooled.append(ops.reduce_mean(gathered, lengths))
            cached.append((positions, lengths, None))
    features = [c.features for c in candidates]
    pooled.append(ops.asarray2f(numpy.vstack(features) if features else numpy.zeros((0, n_features), dtype="float32")))
    output = ops.xp.hstack(pooled)

    def backprop(d_output: Floats2d) -> List[Floats2d]:
        d_flat = ops.alloc2f(sum(n_tokens), width)
        for index, (positions, lengths, which) in enumerate(cached):
            d_pooled = ops.xp.ascontiguousarray(d_output[:, index * width : (index + 1) * width])
            if which is None:
                d_gathered = ops.backprop_reduce_mean(d_pooled, lengths)
            else:
                d_gathered = ops.backprop_reduce_max(d_pooled, which, lengths)
            ops.scatter_add(d_flat, positions, d_gathered)
        return backprop_tok2vec(ops.unflatten(d_flat, ops.asarray1i(n_tokens)))

    return output, backprop


@Language.factory(
    "relation_extractor",
    assigns=["doc._.relations", "doc._.relation_scores"],
    requires=["doc.ents"],
    default_config={
        "model": {
            "@architectures": "minister_meetings.RelationModel.v1",
            "hidden_width": 128,
            "dropout": 0.1,
            "tok2vec": {
                "@architectures": "spacy.Tok2Vec.v2",
                "embed": {
                    "@architectures": "spacy.MultiHashEmbed.v2",
                    "width": 96,
                    "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"],
                    "rows": [5000, 1000, 2500, 2500],
                    "include_static_vectors": False,
                },
                "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 96, "depth": 2, "window_size": 1, "maxout_pieces": 3},
            },
        },
        "max_distance": 40,
        "threshold": 0.5,
        "scorer": {"@scorers": "minister_meetings.relation_scorer.v1"},
    },
    default_score_weights={"rel_micro_f": 1.0, "rel_micro_p": 0.0, "rel_micro_r": 0.0},
)
def make_relation_extractor(
    nlp: Language,
    name: str,
    model: Model,
    max_distance: int,
    threshold: float,
    scorer: Optional[Callable],
) -> "RelationExtractor":
    return RelationExtractor(nlp.vocab, model, name, max_distance=max_distance, threshold=threshold, scorer=scorer)


class RelationExtractor(TrainablePipe):
    """Predict MET_WITH, HAS_ROLE and ATTENDED between the entities of a Doc.

    `doc._.relation_scores` keeps the raw score of every label for every candidate pair;
    `doc._.relations` holds those at or above the threshold (per label if `thresholds` has been
    tuned on dev, see scripts/tune_threshold.py).
    """

    def __init__(
        self,
        vocab: Vocab,
        model: Model,
        name: str = "relation_extractor",
        *,
        max_distance: int = 40,
        threshold: float = 0.5,
        scorer: Optional[Callable] = None,
    ) -> None:
        if max_distance < 0:
            raise ValueError(f"relation_extractor: max_distance must be >= 0, got {max_distance}")
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"relation_extractor: threshold must lie in [0, 1], got {threshold}")
        self.vocab = vocab
        self.model = model
        self.name = name
        self.scorer = scorer
        # labels and entity labels are set by `initialize` and saved with the weights
        self.cfg: Dict = {
            "labels": [],
            "entity_labels": [],
            "max_distance": max_distance,
            "threshold": threshold,
            "thresholds": {},
        }

    @property
    def labels(self) -> Tuple[str, ...]:
        return tuple(self.cfg["labels"])

    @property
    def entity_labels(self) -> Tuple[str, ...]:
        return tuple(self.cfg["entity_labels"])

    @property
    def label_data(self) -> List[str]:
        """The labels, as `spacy init labels` stores them for `initialize(labels=...)`."""
        return list(self.labels)

    def threshold_for(self, label: str) -> float:
        return float(self.cfg.get("thresholds", {}).get(label, self.cfg["threshold"]))

    def set_thresholds(self, thresholds: Dict[str, float]) -> None:
        unknown = set(thresholds) - set(self.labels)
        if unknown:
            raise ValueError(f"relation_extractor: unknown labels in thresholds: {sorted(unknown)}")
        self.cfg["thresholds"] = {label: float(value) for label, value in thresholds.items()}

    def add_label(self, label: str) -> int:
        if label not in RELATION_LABELS:
            raise ValueError(f"relation_extractor: {label!r} is not in the label scheme {RELATION_LABELS}")
        if label in self.labels:
            return 0
        if self.model.get_ref("output_layer").has_dim("nO") is True:
            raise ValueError(f"relation_extractor: cannot add label {label!r} after the model has been initialised")
        self.cfg["labels"].append(label)
        return 1

    def _candidates(self, doc: Doc, entities: Optional[Sequence[Span]] = None) -> Candidates:
        return make_candidates(
            doc, list(doc.ents) if entities is None else entities, self.labels, self.cfg["max_distance"], self.entity_labels
        )

    def predict(self, docs: Iterable[Doc]) -> Tuple[List[Candidates], numpy.ndarray]:
        docs = list(docs)
        candidates = [self._candidates(doc) for doc in docs]
        total = sum(len(c) for c in candidates)
        if total == 0:
            return candidates, numpy.zeros((0, len(self.labels)), dtype="float32")
        logits = self.model.predict((docs, candidates))
        # one copy to the host per batch: the annotations are Python objects
        return candidates, self.model.ops.to_numpy(_sigmoid(self.model.ops, logits))

    def set_annotations(self, docs: Iterable[Doc], predictions: Tuple[List[Candidates], Floats2d]) -> None:
        candidates, scores = predictions
        row = 0
        for doc, doc_candidates in zip(docs, candidates):
            n_rows = len(doc_candidates)
            doc_scores = scores[row : row + n_rows] * doc_candidates.allowed
            row += n_rows
            raw, kept = self._collect(doc_candidates, doc_scores)
            doc._.relation_scores = raw
            set_relations(doc, kept)

    def _collect(self, candidates: Candidates, scores: numpy.ndarray):
        """Raw scores of every pair, and the relations that pass their label's threshold.

        A symmetric label gets the mean of the scores of both orders of the pair.
        """
        by_pair: Dict[Tuple[int, int, int, int], numpy.ndarray] = {}
        allowed_by_pair: Dict[Tuple[int, int, int, int], numpy.ndarray] = {}
        for (hs, he, ts, te), row, allowed in zip(candidates.spans.tolist(), scores, candidates.allowed):
            by_pair[(hs, he, ts, te)] = row
            allowed_by_pair[(hs, he, ts, te)] = allowed
        raw, kept = [], []
        for (hs, he, ts, te), row in by_pair.items():
            label_scores = {}
            for index, label in enumerate(self.labels):
                if not allowed_by_pair[(hs, he, ts, te)][index]:
                    continue
                score = float(row[index])
                if label in SYMMETRIC_RELATIONS:
                    mirrored = by_pair.get((ts, te, hs, he))
                    if mirrored is not None:
                        score = (score + float(mirrored[index])) / 2
                label_scores[label] = round(score, 5)
                if score >= self.threshold_for(label):
                    kept.append((hs, he, label, ts, te, score))
            raw.append([hs, he, ts, te, label_scores])
        return raw, kept

    def _gold_matrix(self, example: Example, candidates: Candidates) -> numpy.ndarray:
        gold = relation_keys(example.reference)
        matrix = numpy.zeros((len(candidates), len(self.labels)), dtype="float32")
        for row, (hs, he, ts, te) in enumerate(candidates.spans.tolist()):
            for index, label in enumerate(self.labels):
                key = (hs, he, label, ts, te)
                mirrored = (ts, te, label, hs, he)
                if key in gold or (label in SYMMETRIC_RELATIONS and mirrored in gold):
                    matrix[row, index] = 1.0
        return matrix

    def _training_candidates(self, example: Example) -> Candidates:
        # the reference and predicted docs share the tokenizer, so gold token offsets carry over
        predicted = example.predicted
        entities = [Span(predicted, ent.start, ent.end, label=ent.label_) for ent in example.reference.ents]
        return self._candidates(predicted, entities)

    def update(
        self,
        examples: Iterable[Example],
        *,
        drop: float = 0.0,
        sgd: Optional[Optimizer] = None,
        losses: Optional[Dict[str, float]] = None,
    ) -> Dict[str, float]:
        losses = {} if losses is None else losses
        losses.setdefault(self.name, 0.0)
        examples = list(examples)
        validate_examples(examples, "RelationExtractor.update")
        validate_examples_tokens(examples)
        candidates = [self._training_candidates(example) for example in examples]
        if sum(len(c) for c in candidates) == 0:
            return losses
        set_dropout_rate(self.model, drop)
        docs = [example.predicted for example in examples]
        logits, backprop = self.model.begin_update((docs, candidates))
        loss, gradient = self.get_loss(examples, (candidates, logits))
        backprop(gradient)
        if sgd is not None:
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    def get_loss(self, examples: Iterable[Example], scores: Tuple[List[Candidates], Floats2d]) -> Tuple[float, Floats2d]:
        """Binary cross-entropy of every allowed label of every pair, averaged over the pairs."""
        candidates, logits = scores
        ops = self.model.ops
        gold = ops.asarray2f(numpy.vstack([self._gold_matrix(example, c) for example, c in zip(examples, candidates)]))
        allowed = ops.asarray2f(numpy.vstack([c.allowed for c in candidates]))
        probabilities = _sigmoid(ops, logits)
        eps = 1e-7
        log_likelihood = gold * ops.xp.log(probabilities + eps) + (1 - gold) * ops.xp.log(1 - probabilities + eps)
        n_rows = max(1, gold.shape[0])
        loss = -float((log_likelihood * allowed).sum()) / n_rows
        return loss, (probabilities - gold) * allowed / n_rows

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]],
        *,
        nlp: Optional[Language] = None,
        labels: Optional[List[str]] = None,
    ) -> None:
        """Set the labels (given, e.g. by `init labels` or the config, or else read from the
        training examples), the entity labels of the scheme, and the model's dimensions."""
        validate_get_examples(get_examples, "RelationExtractor.initialize")
        if labels is None:
            found = {key[2] for example in get_examples() for key in relation_keys(example.reference)}
            labels = [label for label in RELATION_LABELS if label in found]
            if not labels:
                raise ValueError("relation_extractor: the training examples hold no relations and no labels were given")
        for label in labels:
            self.add_label(label)
        self.cfg["entity_labels"] = list(ENTITY_LABELS)
        self.model.get_ref("output_layer").set_dim("nO", len(self.labels))
        self.model.get_ref("pair_representation").set_dim("nF", pair_feature_width(len(self.entity_labels)))
        sample = [example for example in islice(get_examples(), 20)]
        docs = [example.predicted for example in sample]
        candidates = [self._training_candidates(example) for example in sample]
        if sum(len(c) for c in candidates) == 0:
            raise ValueError("relation_extractor: the first 20 training examples hold no candidate entity pairs")
        self.model.initialize(X=(docs, candidates))

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = SimpleFrozenList()) -> "RelationExtractor":
        super().from_bytes(bytes_data, exclude=exclude)
        self._check_scheme()
        return self

    def from_disk(self, path, *, exclude: Iterable[str] = SimpleFrozenList()) -> "RelationExtractor":
        super().from_disk(path, exclude=exclude)
        self._check_scheme()
        return self

    def _check_scheme(self) -> None:
        """Fail with a clear message when the saved cfg and weights disagree, or name labels that
        this version of the scheme does not know."""
        unknown = [label for label in self.labels if label not in RELATION_LABELS]
        unknown += [label for label in self.entity_labels if label not in ENTITY_LABELS]
        if unknown:
            raise ValueError(
                f"relation_extractor: the saved pipeline uses labels {unknown} that this version of "
                f"minister_meetings does not know (relations {list(RELATION_LABELS)}, entities {list(ENTITY_LABELS)})"
            )
        pair = self.model.get_ref("pair_representation")
        expected = pair_feature_width(len(self.entity_labels))
        if pair.has_dim("nF") is True and pair.get_dim("nF") != expected:
            raise ValueError(
                f"relation_extractor: the saved weights expect {pair.get_dim('nF')} pair features, but the saved "
                f"cfg's {len(self.entity_labels)} entity labels {list(self.entity_labels)} give {expected}: "
                "the label scheme changed since training; retrain the pipeline or restore its cfg"
            )
        output = self.model.get_ref("output_layer")
        if output.has_dim("nO") is True and output.get_dim("nO") != len(self.labels):
            raise ValueError(
                f"relation_extractor: the saved weights score {output.get_dim('nO')} labels, but the saved cfg "
                f"names {len(self.labels)}: {list(self.labels)}; retrain the pipeline or restore its cfg"
            )


def validate_examples_tokens(examples: Sequence[Example]) -> None:
    for example in examples:
        if len(example.reference) != len(example.predicted):
            raise ValueError(
                "relation_extractor: reference and predicted docs are tokenised differently "
                f"({len(example.reference)} vs {len(example.predicted)} tokens); the corpus must be "
                "converted with the pipeline's own tokenizer (scripts/convert_corpus.py)"
            )


def _sigmoid(ops: Ops, logits: Floats2d) -> Floats2d:
    return 1.0 / (1.0 + ops.xp.exp(-ops.xp.clip(logits, -30, 30)))


@registry.scorers("minister_meetings.relation_scorer.v1")
def make_relation_scorer() -> Callable:
    return score_relations


def score_relations(examples: Iterable[Example], **kwargs) -> Dict[str, object]:
    """P/R/F of predicted relations against gold ones, matched on entity offsets and label.

    A gold relation whose entities were not predicted counts as a false negative: this is the
    end-to-end score when the predicted docs carry predicted entities.
    """
    scores = {label: PRFScore() for label in RELATION_LABELS}
    for example in examples:
        gold = relation_keys(example.reference)
        predicted = relation_keys(example.predicted)
        for label, score in scores.items():
            score.score_set({key for key in predicted if key[2] == label}, {key for key in gold if key[2] == label})
    micro = PRFScore()
    for score in scores.values():
        micro += score
    return {
        "rel_micro_p": micro.precision, "rel_micro_r": micro.recall, "rel_micro_f": micro.fscore,
        "rel_per_type": {label: score.to_dict() for label, score in scores.items()},
    }


__all__ = ["RelationExtractor", "make_relation_extractor", "build_relation_model", "make_candidates", "pair_feature_width", "pair_segments", "score_relations"]
