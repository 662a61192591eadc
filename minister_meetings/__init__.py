"""Components of the French ministerial-meetings pipelines (fr_minister_meetings_md / _trf).

Importing the package registers the `relation_extractor` factory, its architecture and scorer,
and the `doc._.relations` extension.
"""
from .facts import MeetingFacts, extract_facts
from .relation_extractor import RelationExtractor, build_relation_model, make_relation_extractor
from .relations import Relation, register_extensions

register_extensions()

__all__ = ["MeetingFacts", "extract_facts", "RelationExtractor", "Relation", "build_relation_model", "make_relation_extractor", "register_extensions"]
