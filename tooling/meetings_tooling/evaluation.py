"""Scores of a trained pipeline: entities, relations (end to end and given gold entities),
document-level facts, threshold sweeps and samples of errors."""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from spacy.language import Language
from spacy.scorer import PRFScore
from spacy.tokens import Doc, Span

from minister_meetings.facts import FactRule, extract_facts, fact_triples
from minister_meetings.relations import normalise_triple, relation_keys
from minister_meetings.sentences import sentence_char_ranges
from minister_meetings.schema import ENTITY_LABELS, RELATION_LABELS, SYMMETRIC_RELATIONS, one_edit_apart

RelationKey = Tuple[int, int, str, int, int]
THRESHOLD_GRID: Tuple[float, ...] = tuple(round(0.05 * step, 2) for step in range(1, 20))


def prf(tp: int, fp: int, fn: int) -> Dict[str, float]:
    """spaCy's PRFScore of these counts, rounded for the reports, with the counts themselves."""
    score = PRFScore(tp=tp, fp=fp, fn=fn)
    return {"p": round(score.precision, 4), "r": round(score.recall, 4), "f": round(score.fscore, 4), "tp": tp, "fp": fp, "fn": fn}


def _table(counts: Dict[str, List[int]]) -> Dict[str, Dict[str, float]]:
    table = {label: prf(*values) for label, values in counts.items()}
    total = [sum(values[i] for values in counts.values()) for i in range(3)]
    table["micro"] = prf(*total)
    return table


def entity_scores(pairs: Sequence[Tuple[Doc, Doc]], labels: Sequence[str] = ENTITY_LABELS) -> dict:
    """Per-label and micro P/R/F, a confusion table of label errors and counts of boundary errors."""
    counts = {label: [0, 0, 0] for label in labels}
    confusion: Counter = Counter()
    boundary: Counter = Counter()
    for gold_doc, predicted_doc in pairs:
        gold = {(ent.start, ent.end): ent.label_ for ent in gold_doc.ents}
        predicted = {(ent.start, ent.end): ent.label_ for ent in predicted_doc.ents}
        for span, label in predicted.items():
            if label not in counts:
                continue
            if gold.get(span) == label:
                counts[label][0] += 1
            else:
                counts[label][1] += 1
                if span in gold:
                    confusion[(gold[span], label)] += 1
                elif any(start < span[1] and span[0] < end for start, end in gold):
                    boundary[label] += 1
        for span, label in gold.items():
            if label in counts and predicted.get(span) != label:
                counts[label][2] += 1
    return {
        "per_label": _table(counts),
        "label_confusion": [{"gold": g, "predicted": p, "count": n} for (g, p), n in confusion.most_common()],
        "boundary_errors": dict(boundary.most_common()),
    }


def relation_counts(pairs: Sequence[Tuple[Doc, Doc]]) -> dict:
    counts = {label: [0, 0, 0] for label in RELATION_LABELS}
    for gold_doc, predicted_doc in pairs:
        gold = relation_keys(gold_doc)
        predicted = relation_keys(predicted_doc)
        for key in predicted:
            counts[key[2]][0 if key in gold else 1] += 1
        for key in gold - predicted:
            counts[key[2]][2] += 1
    return _table(counts)


def triples_at(stored_scores: Optional[list], thresholds: Dict[str, float]) -> Set[RelationKey]:
    """The relations that raw candidate scores give at the given per-label thresholds."""
    kept = set()
    for hs, he, ts, te, label_scores in stored_scores or []:
        for label, score in label_scores.items():
            if score >= thresholds[label]:
                kept.add(normalise_triple(hs, he, label, ts, te))
    return kept


def threshold_sweep(pairs: Sequence[Tuple[Doc, Doc]], grid: Sequence[float] = THRESHOLD_GRID) -> Dict[str, List[dict]]:
    """P/R/F of each label at each threshold, from the raw scores kept on the predicted docs."""
    sweep: Dict[str, List[dict]] = {label: [] for label in RELATION_LABELS}
    golds = [relation_keys(gold_doc) for gold_doc, _ in pairs]
    for threshold in grid:
        thresholds = {label: threshold for label in RELATION_LABELS}
        counts = {label: [0, 0, 0] for label in RELATION_LABELS}
        for gold, (_, predicted_doc) in zip(golds, pairs):
            predicted = triples_at(predicted_doc._.relation_scores, thresholds)
            for key in predicted:
                counts[key[2]][0 if key in gold else 1] += 1
            for key in gold - predicted:
                counts[key[2]][2] += 1
        for label in RELATION_LABELS:
            sweep[label].append({"threshold": threshold, **prf(*counts[label])})
    return sweep


def best_thresholds(sweep: Dict[str, List[dict]]) -> Dict[str, float]:
    """Per label, the threshold with the best F (the lowest such threshold on ties: favours recall)."""
    chosen = {}
    for label, rows in sweep.items():
        best = max(rows, key=lambda row: (row["f"], -row["threshold"]))
        chosen[label] = best["threshold"] if best["f"] > 0 else 0.5
    return chosen


def doc_facts(doc: Doc, rules: Optional[Dict[str, FactRule]] = None) -> Set[Tuple[str, str, str]]:
    """Document-level facts of a predicted Doc: from its relations, plus the given anaphora rules
    (none by default: the facts the relation extractor alone gives)."""
    facts, _meetings = extract_facts(doc, rules or {})
    return fact_triples(facts)


def same_entity_key(predicted: str, gold: str) -> bool:
    """Whether two canonical keys of one document name the same entity.

    Equal keys match; so do a surname and the compound surname it ends ("sall" / "tall sall",
    "diaz" / "fernandez diaz"), and keys of five letters or more that differ by one letter
    (misspelt names: "cazenueve" / "cazeneuve").
    """
    if predicted == gold:
        return True
    short, long = sorted((predicted.split(), gold.split()), key=len)
    if len(short) < len(long) and long[-len(short):] == short:
        return True
    return one_edit_apart(predicted, gold)


def _align_facts(predicted: Set[Tuple[str, str, str]], gold: Set[Tuple[str, str, str]]) -> Set[Tuple[str, str, str]]:
    """Rewrite predicted keys to the gold key of the same entity, where there is one."""
    gold_keys = sorted({key for fact in gold for key in (fact[0], fact[2])})

    def align(key: str) -> str:
        return next((gold_key for gold_key in gold_keys if same_entity_key(key, gold_key)), key)

    aligned = set()
    for head, label, tail in predicted:
        head, tail = align(head), align(tail)
        if label in SYMMETRIC_RELATIONS:
            head, tail = sorted((head, tail))
        aligned.add((head, label, tail))
    return aligned


def fact_scores(gold_facts: Sequence[Iterable[Sequence[str]]], predicted_facts: Sequence[Set[Tuple[str, str, str]]]) -> dict:
    """P/R/F of document-level facts, keys matched within each document by `same_entity_key`."""
    counts = {label: [0, 0, 0] for label in RELATION_LABELS}
    for gold_raw, predicted_raw in zip(gold_facts, predicted_facts):
        gold = {tuple(fact) for fact in gold_raw}
        predicted = _align_facts(set(predicted_raw), gold)
        for fact in predicted:
            counts[fact[1]][0 if fact in gold else 1] += 1
        for fact in gold - predicted:
            counts[fact[1]][2] += 1
    return _table(counts)


def with_gold_entities(nlp: Language, gold_doc: Doc, skip: Sequence[str] = ("ner",)) -> Doc:
    """Run the pipeline on a copy of the text whose entities are the gold ones (NER skipped)."""
    doc = nlp.make_doc(gold_doc.text)
    doc.ents = [Span(doc, ent.start, ent.end, label=ent.label_) for ent in gold_doc.ents]
    with nlp.select_pipes(disable=[name for name in skip if name in nlp.pipe_names]):
        return nlp(doc)


def sentence_of(doc: Doc, start_char: int, end_char: int) -> str:
    """The sentences (minister_meetings.sentences) that hold the characters start_char..end_char."""
    ranges = sentence_char_ranges(doc)
    start = max((first for first, _last in ranges if first <= start_char), default=0)
    end = min((last for _first, last in ranges if last >= end_char), default=len(doc.text))
    return " ".join(doc.text[start:end].split())


def relation_errors(pairs: Sequence[Tuple[Doc, Doc]], limit: int = 15) -> Dict[str, List[dict]]:
    """False positives and false negatives with the sentence that holds them."""
    errors: Dict[str, List[dict]] = defaultdict(list)
    for gold_doc, predicted_doc in pairs:
        gold, predicted = relation_keys(gold_doc), relation_keys(predicted_doc)
        for kind, keys, doc in (("false_positives", predicted - gold, predicted_doc), ("false_negatives", gold - predicted, gold_doc)):
            for hs, he, label, ts, te in sorted(keys):
                if len(errors[kind]) >= limit:
                    break
                head, tail = doc[hs:he], doc[ts:te]
                first, last = min(head.start_char, tail.start_char), max(head.end_char, tail.end_char)
                errors[kind].append(
                    {
                        "doc_id": gold_doc.user_data.get("doc_id"),
                        "label": label,
                        "head": head.text,
                        "tail": tail.text,
                        "sentence": sentence_of(doc, first, last),
                    }
                )
    return dict(errors)


def entity_errors(pairs: Sequence[Tuple[Doc, Doc]], limit: int = 15) -> Dict[str, List[dict]]:
    errors: Dict[str, List[dict]] = defaultdict(list)
    for gold_doc, predicted_doc in pairs:
        gold = {(ent.start, ent.end, ent.label_) for ent in gold_doc.ents}
        predicted = {(ent.start, ent.end, ent.label_) for ent in predicted_doc.ents}
        for kind, keys, doc in (("false_positives", predicted - gold, predicted_doc), ("false_negatives", gold - predicted, gold_doc)):
            for start, end, label in sorted(keys):
                if len(errors[kind]) >= limit:
                    break
                span = doc[start:end]
                errors[kind].append(
                    {"doc_id": gold_doc.user_data.get("doc_id"), "label": label, "text": span.text,
                     "sentence": sentence_of(doc, span.start_char, span.end_char)}
                )
    return dict(errors)
