"""The `entity_edges` component: no entity ends on a dangling function word.

The annotation guidelines stop a ROLE before the organisation, country or place it names
("[[présidente]] de la [[Commission européenne]]"), and no entity of any label ends on "de",
"du", "de la", "pour le" or a comma. On real pages the entity recognizer, trained on our corpus,
often stops one or two words into such a name ("présidente de la", "envoyé spécial français pour
le") when the name itself is unknown to it; the span is then wrong at its boundary and the
document-level HAS_ROLE fact built on it is lost. Trimming the trailing function words restores
the span the guidelines define. It runs right after `ner`, so that the relation extractor and the
facts see the corrected spans.
"""
from __future__ import annotations

from typing import Iterable, List, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

from .cfg_pipe import CfgPipe

# words an entity never ends on (lowercased): articles, prepositions, conjunctions, punctuation
TRAILING_WORDS: Sequence[str] = (
    "de", "du", "des", "d'", "d’", "la", "le", "les", "l'", "l’", "pour", "à", "au", "aux", "en", "et", "ou",
    "chargé", "chargée", "auprès", ",", ";", ":", "-", "–", "(",
)


@Language.factory(
    "entity_edges",
    assigns=["doc.ents"],
    requires=["doc.ents"],
    default_config={"trailing_words": list(TRAILING_WORDS)},
)
def make_entity_edges(nlp: Language, name: str, trailing_words: List[str]) -> "EntityEdges":
    return EntityEdges(name=name, trailing_words=trailing_words)


class EntityEdges(CfgPipe):
    """Trim trailing function words off every entity; an entity left empty is removed."""

    def __init__(self, name: str = "entity_edges", trailing_words: Iterable[str] = TRAILING_WORDS) -> None:
        self.name = name
        self.cfg = {"trailing_words": sorted({word.lower() for word in trailing_words})}
        self._trailing = frozenset(self.cfg["trailing_words"])

    def __call__(self, doc: Doc) -> Doc:
        trimmed = []
        changed = False
        for ent in doc.ents:
            end = ent.end
            while end > ent.start and doc[end - 1].lower_ in self._trailing:
                end -= 1
            if end != ent.end:
                changed = True
            if end > ent.start:
                trimmed.append(Span(doc, ent.start, end, label=ent.label_, kb_id=ent.kb_id_))
        if changed:
            doc.ents = trimmed
        return doc

    def _load_cfg(self, cfg: dict) -> None:
        self.__init__(self.name, cfg["trailing_words"])


__all__ = ["EntityEdges", "make_entity_edges", "TRAILING_WORDS"]
