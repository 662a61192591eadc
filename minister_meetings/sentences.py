"""One definition of a sentence for the whole pipeline, read from the Doc's tokens.

A sentence ends at a token ".", "!", "?" or "…", or at a whitespace token holding a line break
(headlines, datelines and credits of real pages carry no final full stop). spaCy's French
tokenizer keeps abbreviations such as "M." or "Mme." whole, so "le ministre, M. X, a reçu" stays
one sentence, which a regular expression over the text splits. The relation model counts these
breaks between two entities; `meeting_facts`, the evaluation and the corpus statistics group
entities and cues by the sentences they give.
"""
from __future__ import annotations

from typing import List, Tuple

import numpy
from spacy.attrs import IDX, IS_SPACE, LENGTH, ORTH
from spacy.tokens import Doc

SENTENCE_END_TOKENS = frozenset({".", "!", "?", "…"})


def sentence_breaks(doc: Doc) -> numpy.ndarray:
    """A boolean per token: whether the token ends a sentence."""
    if len(doc) == 0:
        return numpy.zeros(0, dtype=bool)
    # arrays rather than Token objects: iterating tokens costs more than the relation model
    attributes = doc.to_array([ORTH, IS_SPACE]).reshape((-1, 2))
    strings = doc.vocab.strings
    ends = numpy.asarray([strings.add(text) for text in sorted(SENTENCE_END_TOKENS)], dtype="uint64")
    is_break = numpy.isin(attributes[:, 0], ends)
    for index in numpy.nonzero(attributes[:, 1])[0]:
        is_break[index] = "\n" in strings[int(attributes[index, 0])]
    return is_break


def sentence_token_ranges(doc: Doc) -> List[Tuple[int, int]]:
    """(start, end) token offsets of the sentences, whitespace-only ones left out."""
    is_break = sentence_breaks(doc)
    is_space = doc.to_array([IS_SPACE]).reshape(-1).astype(bool) if len(doc) else numpy.zeros(0, dtype=bool)
    ranges, start = [], 0
    for end in list(numpy.nonzero(is_break)[0] + 1) + [len(doc)]:
        end = int(end)
        if end > start and not is_space[start:end].all():
            ranges.append((start, end))
        start = max(start, end)
    return ranges


def sentence_char_ranges(doc: Doc) -> List[Tuple[int, int]]:
    """(start, end) character offsets of the sentences, trimmed of surrounding whitespace."""
    if len(doc) == 0:
        return []
    # token offsets from arrays: building Token objects costs more than the rules that read this
    is_space = doc.to_array([IS_SPACE]).reshape(-1).astype(bool)
    starts = doc.to_array([IDX]).reshape(-1)
    ends = starts + doc.to_array([LENGTH]).reshape(-1)
    ranges = []
    for start, end in sentence_token_ranges(doc):
        words = numpy.nonzero(~is_space[start:end])[0]
        ranges.append((int(starts[start + words[0]]), int(ends[start + words[-1]])))
    return ranges


__all__ = ["SENTENCE_END_TOKENS", "sentence_breaks", "sentence_token_ranges", "sentence_char_ranges"]
