"""Turn validated doccano records into spaCy Docs with gold entities and relations."""
from __future__ import annotations

from typing import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from minister_meetings.relations import register_extensions, set_relations


class RecordError(ValueError):
    """A record that cannot be turned into a Doc (run scripts/validate_corpus.py for details)."""


def record_to_doc(nlp: Language, record: dict) -> Doc:
    """Tokenise the record's text with `nlp`'s tokenizer and set its entities and relations."""
    register_extensions()
    doc = nlp.make_doc(record["text"])
    spans = {}
    for entity in record["entities"]:
        span = doc.char_span(entity["start_offset"], entity["end_offset"], label=entity["label"])
        if span is None:
            raise RecordError(
                f"document {record['id']}: entity {entity['id']} "
                f"({record['text'][entity['start_offset']:entity['end_offset']]!r}) does not align with tokens"
            )
        spans[entity["id"]] = span
    doc.ents = sorted(spans.values(), key=lambda span: span.start)
    triples = []
    for relation in record["relations"]:
        head, tail = spans[relation["from_id"]], spans[relation["to_id"]]
        triples.append((head.start, head.end, relation["type"], tail.start, tail.end, 1.0))
    set_relations(doc, triples)
    doc.user_data["doc_id"] = record["id"]
    doc.user_data["doc_relations"] = [list(fact) for fact in record.get("doc_relations", [])]
    return doc


def records_to_docs(nlp: Language, records: Iterable[dict]) -> Iterator[Doc]:
    for record in records:
        yield record_to_doc(nlp, record)
