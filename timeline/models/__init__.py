"""Events, their citations and claims, and the timelines, actors, places and tags around them.

One module a family of models; everything is importable from here.
"""

from timeline.models.claims import (
    Claim,
    ClaimCitation,
    ClaimProperty,
    ClaimRank,
    PropertyKind,
)
from timeline.models.events import (
    ANCHOR_FIELDS,
    DATE_FIELDS,
    INDEX_ONLY_FIELDS,
    Citation,
    Event,
    EventHistoryExtras,
    EventStatus,
    Precision,
    annotation_selectors,
)
from timeline.models.lookups import SLUG_HELP, WIKIDATA_HELP, Actor, ActorKind, Place, Tag
from timeline.models.timelines import ContentGeneration, Timeline

__all__ = [
    "ANCHOR_FIELDS",
    "DATE_FIELDS",
    "INDEX_ONLY_FIELDS",
    "SLUG_HELP",
    "WIKIDATA_HELP",
    "Actor",
    "ActorKind",
    "Citation",
    "Claim",
    "ClaimCitation",
    "ClaimProperty",
    "ClaimRank",
    "ContentGeneration",
    "Event",
    "EventHistoryExtras",
    "EventStatus",
    "Place",
    "Precision",
    "PropertyKind",
    "Tag",
    "Timeline",
    "annotation_selectors",
]
