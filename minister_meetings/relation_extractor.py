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
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy
from spacy.attrs import IS_SPACE, ORTH
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.scorer import PRFScore
from spacy.tokens import Doc, Span
from spacy.training import Example, validate_get_examples
from spacy.util import registry
from spacy.vocab import Vocab
from thinc.api import Linear, Model, Optimizer, Relu, chain
from thinc.types import Floats2d, Ints2d

from .cues import is_meeting_word
from .relations import register_extensions, relation_keys, set_relations
from .schema import ENTITY_LABELS, PEOPLE, RELATION_LABELS, SYMMETRIC_RELATIONS, allowed_labels

register_extensions()

DISTANCE_BUCKETS: Tuple[int, ...] = (0, 1, 2, 3, 5, 8, 12, 20, 35, 60)
_SENTENCE_BREAKS = {".", "!", "?", "…"}
# tokens before the pair searched for a meeting cue ("Entretien entre X et Y", "audience accordée à X par Y")
CUE_WINDOW_BEFORE = 6
# types of head and tail, distance bucket, order, sentence breaks (0/1/2+), meeting cue between
# and before, people between (0/1/2+)
N_FEATURES = 2 * len(ENTITY_LABELS) + len(DISTANCE_BUCKETS) + 1 + 3 + 2 + 3
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


def make_candidates(doc: Doc, entities: Sequence[Span], labels: Sequence[str], max_distance: int) -> Candidates:
    """Pair the entities of a Doc, both orders, within `max_distance` tokens, as the scheme allows."""
    label_index = {label: index for index, label in enumerate(ENTITY_LABELS)}
    # sentence breaks counted with arrays: iterating Token objects costs more than the model
    attributes = doc.to_array([ORTH, IS_SPACE]).reshape((-1, 2))
    is_break = numpy.isin(attributes[:, 0], numpy.asarray([doc.vocab.strings.add(text) for text in _SENTENCE_BREAKS], dtype="uint64"))
    for index in numpy.nonzero(attributes[:, 1])[0]:
        is_break[index] = "\n" in doc.vocab.strings[int(attributes[index, 0])]
    breaks = numpy.concatenate([[0], numpy.cumsum(is_break)]).astype("int32")
    strings = doc.vocab.strings
    is_cue = numpy.asarray([is_meeting_word(strings[int(orth)]) for orth in attributes[:, 0]], dtype="int32")
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
            possible = allowed_labels(head.label_, tail.label_)
            if not possible:
                continue
            left, right = (head, tail) if head.start < tail.start else (tail, head)
            n_breaks = int(breaks[right.start] - breaks[left.end]) if right.start > left.end else 0
            vector = numpy.zeros(N_FEATURES, dtype="float32")
            vector[label_index[head.label_]] = 1.0
            vector[len(ENTITY_LABELS) + label_index[tail.label_]] = 1.0
            offset = 2 * len(ENTITY_LABELS)
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
        features=numpy.asarray(features, dtype="float32").reshape((-1, N_FEATURES)),
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
    model: Model = chain(
        pair_representation(tok2vec),
        Relu(nO=hidden_width, dropout=dropout),
        output_layer,
    )
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("output_layer", output_layer)
    return model


def pair_representation(tok2vec: Model[List[Doc], List[Floats2d]]) -> Model[Tuple[List[Doc], List[Candidates]], Floats2d]:
    return Model("pair_representation", _pair_forward, layers=[tok2vec], init=_pair_init, dims={"nO": None})


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
    model.set_dim("nO", N_POOLED * _token_vector_width(tok2vec) + N_FEATURES)


def _ranges(starts: numpy.ndarray, lengths: numpy.ndarray) -> numpy.ndarray:
    """The concatenated token positions start, start+1, ..., start+length-1 of every row."""
    total = int(lengths.sum())
    offsets = numpy.repeat(numpy.cumsum(lengths) - lengths, lengths)
    return (numpy.arange(total) - offsets + numpy.repeat(starts, lengths)).astype("int64")


def _pair_forward(model: Model, inputs: Tuple[List[Doc], List[Candidates]], is_train: bool):
    docs, candidates = inputs
    tok2vec = model.layers[0]
    token_vectors, backprop_tok2vec = tok2vec(docs, is_train)
    ops = model.ops
    width = (model.get_dim("nO") - N_FEATURES) // N_POOLED
    outputs, cached = [], []
    for vectors, doc_candidates in zip(token_vectors, candidates):
        vectors = ops.to_numpy(vectors)
        spans = doc_candidates.spans
        n_tokens = vectors.shape[0]
        cumulative = numpy.zeros((n_tokens + 1, width), dtype="float32")
        numpy.cumsum(vectors, axis=0, out=cumulative[1:])
        head_start, head_end, tail_start, tail_end = spans.T
        between_start = numpy.minimum(head_end, tail_end)
        between_end = numpy.maximum(head_start, tail_start)
        between_end = numpy.maximum(between_start, between_end)
        segments = [(head_start, head_end), (tail_start, tail_end), (between_start, between_end)]
        pooled = []
        for start, end in segments:
            length = numpy.maximum(end - start, 1).astype("float32")[:, None]
            pooled.append((cumulative[end] - cumulative[start]) / length)
        # max over the words between, widened to the pair's inner edge tokens so that it is never empty
        window_start = numpy.maximum(between_start - 1, 0)
        window_end = numpy.minimum(between_end + 1, n_tokens)
        lengths = window_end - window_start
        positions = _ranges(window_start, lengths)
        gathered = vectors[positions]
        seq_starts = numpy.concatenate([[0], numpy.cumsum(lengths)[:-1]]).astype("int64") if len(lengths) else numpy.zeros(0, dtype="int64")
        maxima = numpy.maximum.reduceat(gathered, seq_starts, axis=0) if len(lengths) else numpy.zeros((0, width), dtype="float32")
        pooled.append(maxima)
        outputs.append(numpy.hstack(pooled + [doc_candidates.features]))
        cached.append((segments, n_tokens, positions, lengths, gathered == numpy.repeat(maxima, lengths, axis=0)))
    features = ops.asarray2f(numpy.vstack(outputs) if outputs else numpy.zeros((0, N_POOLED * width + N_FEATURES), dtype="float32"))

    def backprop(d_features: Floats2d) -> List[Doc]:
        d_features = ops.to_numpy(d_features)
        d_vectors = []
        row = 0
        for (segments, n_tokens, positions, lengths, is_max), doc_candidates in zip(cached, candidates):
            n_rows = len(doc_candidates)
            grads = d_features[row : row + n_rows]
            row += n_rows
            # gradients of span means, spread back with a difference array over token positions
            difference = numpy.zeros((n_tokens + 1, width), dtype="float32")
            for index, (start, end) in enumerate(segments):
                length = numpy.maximum(end - start, 1).astype("float32")[:, None]
                grad = grads[:, index * width : (index + 1) * width] / length
                grad = grad * (end > start)[:, None]
                numpy.add.at(difference, start, grad)
                numpy.add.at(difference, end, -grad)
            d_tokens = numpy.cumsum(difference, axis=0)[:n_tokens]
            # the max's gradient goes to the positions that held the maximum
            grad_max = numpy.repeat(grads[:, len(segments) * width : (len(segments) + 1) * width], lengths, axis=0) * is_max
            numpy.add.at(d_tokens, positions, grad_max)
            d_vectors.append(ops.asarray2f(d_tokens))
        return backprop_tok2vec(d_vectors)

    return features, backprop


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
        self.cfg: Dict = {
            "labels": list(RELATION_LABELS),
            "max_distance": max_distance,
            "threshold": threshold,
            "thresholds": {},
        }

    @property
    def labels(self) -> Tuple[str, ...]:
        return tuple(self.cfg["labels"])

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
        self.cfg["labels"].append(label)
        return 1

    def _candidates(self, doc: Doc, entities: Optional[Sequence[Span]] = None) -> Candidates:
        return make_candidates(doc, list(doc.ents) if entities is None else entities, self.labels, self.cfg["max_distance"])

    def predict(self, docs: Iterable[Doc]) -> Tuple[List[Candidates], Floats2d]:
        docs = list(docs)
        candidates = [self._candidates(doc) for doc in docs]
        total = sum(len(c) for c in candidates)
        if total == 0:
            return candidates, numpy.zeros((0, len(self.labels)), dtype="float32")
        logits = self.model.predict((docs, candidates))
        return candidates, _sigmoid(self.model.ops.to_numpy(logits))

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
        validate_examples_tokens(examples)
        candidates = [self._training_candidates(example) for example in examples]
        if sum(len(c) for c in candidates) == 0:
            return losses
        docs = [example.predicted for example in examples]
        logits, backprop = self.model.begin_update((docs, candidates))
        loss, gradient = self.get_loss(examples, (candidates, logits))
        backprop(gradient)
        if sgd is not None:
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    def get_loss(self, examples: Iterable[Example], scores: Tuple[List[Candidates], Floats2d]) -> Tuple[float, Floats2d]:
        candidates, logits = scores
        gold = numpy.vstack([self._gold_matrix(example, c) for example, c in zip(examples, candidates)])
        allowed = numpy.vstack([c.allowed for c in candidates])
        probabilities = _sigmoid(self.model.ops.to_numpy(logits))
        gradient = (probabilities - gold) * allowed
        eps = 1e-7
        loss = -float(((gold * numpy.log(probabilities + eps) + (1 - gold) * numpy.log(1 - probabilities + eps)) * allowed).sum())
        n_rows = max(1, gold.shape[0])
        return loss / n_rows, self.model.ops.asarray2f(gradient / n_rows)

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]],
        *,
        nlp: Optional[Language] = None,
        labels: Optional[List[str]] = None,
    ) -> None:
        validate_get_examples(get_examples, "RelationExtractor.initialize")
        for label in labels or RELATION_LABELS:
            self.add_label(label)
        self.model.get_ref("output_layer").set_dim("nO", len(self.labels))
        sample = [example for example in islice(get_examples(), 20)]
        docs = [example.predicted for example in sample]
        candidates = [self._training_candidates(example) for example in sample]
        if sum(len(c) for c in candidates) == 0:
            raise ValueError("relation_extractor: the first 20 training examples hold no candidate entity pairs")
        self.model.initialize(X=(docs, candidates))


def validate_examples_tokens(examples: Sequence[Example]) -> None:
    for example in examples:
        if len(example.reference) != len(example.predicted):
            raise ValueError(
                "relation_extractor: reference and predicted docs are tokenised differently "
                f"({len(example.reference)} vs {len(example.predicted)} tokens); the corpus must be "
                "converted with the pipeline's own tokenizer (scripts/convert_corpus.py)"
            )


def _sigmoid(logits: numpy.ndarray) -> numpy.ndarray:
    return 1.0 / (1.0 + numpy.exp(-numpy.clip(logits, -30, 30)))


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


__all__ = ["RelationExtractor", "make_relation_extractor", "build_relation_model", "make_candidates", "score_relations"]
