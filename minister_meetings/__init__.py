"""Components of the French ministerial-meetings pipelines (fr_minister_meetings_md / _trf).

Importing the package registers the `entity_edges`, `relation_extractor`, `people_labels` and `meeting_facts` factories, the
relation model's architecture and scorer, the training augmenter and the `doc._` extensions.
"""
from .augment import create_news_surface_augmenter
from .entity_edges import EntityEdges
from .facts import MeetingFacts, extract_facts
from .people_labels import PeopleLabels
from .relation_extractor import RelationExtractor, build_relation_model, make_relation_extractor
from .relations import Relation, register_extensions

register_extensions()

__all__ = ["create_news_surface_augmenter", "EntityEdges", "MeetingFacts", "extract_facts", "PeopleLabels", "RelationExtractor", "Relation", "build_relation_model", "make_relation_extractor", "register_extensions"]
