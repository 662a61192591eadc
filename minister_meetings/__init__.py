"""Components of the French ministerial-meetings pipelines (fr_minister_meetings_md / _trf).

Importing the package registers the `relation_extractor` factory, its architecture and scorer,
and the `doc._.relations` extension.
"""
from .relation_extractor import RelationExtractor, build_relation_model, make_relation_extractor
from .relations import Relation, register_extensions

register_extensions()

__all__ = ["RelationExtractor", "Relation", "build_relation_model", "make_relation_extractor", "register_extensions"]
