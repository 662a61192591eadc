"""Components of the French ministerial-meetings pipelines (fr_minister_meetings_md / _trf).

Importing the package registers the `relation_extractor` and `meeting_facts` factories, the
relation model's architecture and scorer, the training augmenter and the `doc._` extensions.
"""
from .augment import create_news_surface_augmenter
from .facts import MeetingFacts, extract_facts
from .relation_extractor import RelationExtractor, build_relation_model, make_relation_extractor
from .relations import Relation, register_extensions

register_extensions()

__all__ = ["create_news_surface_augmenter", "MeetingFacts", "extract_facts", "RelationExtractor", "Relation", "build_relation_model", "make_relation_extractor", "register_extensions"]
