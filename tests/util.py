"""Helpers shared by the test modules (as spaCy's own `spacy/tests/util.py`)."""
from __future__ import annotations

from typing import Sequence, Tuple

import spacy
from spacy.tokens import Doc

from minister_meetings.relations import register_extensions, set_relations

register_extensions()
NLP = spacy.blank("fr")


def doc_with(text: str, entities: Sequence[Tuple[str, str]], relations: Sequence[Tuple[int, str, int]] = ()) -> Doc:
    """A Doc with the given entities (surface, label; the n-th occurrence in order) and relations
    between them (head index, label, tail index into `entities`)."""
    doc = NLP.make_doc(text)
    spans, cursor = [], 0
    for surface, label in entities:
        start = text.index(surface, cursor)
        cursor = start + len(surface)
        spans.append(doc.char_span(start, cursor, label=label))
    doc.ents = spans
    set_relations(doc, [(spans[h].start, spans[h].end, label, spans[t].start, spans[t].end, 0.9) for h, label, t in relations])
    return doc
