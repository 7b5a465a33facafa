"""Events, their citations and claims, and the timelines, actors, places and tags around them."""

from timeline.models.claims import (
    READING_FIELDS,
    Claim,
    ClaimCitation,
    ClaimProperty,
    ClaimRank,
    PropertyKind,
)
from timeline.models.clients import IdempotentResponse, TokenUse
from timeline.models.events import (
    ANCHOR_FIELDS,
    DATE_FIELDS,
    INDEX_ONLY_FIELDS,
    Citation,
    DateMention,
    Event,
    EventStatus,
    Precision,
    annotation_selectors,
    quote_anchored,
)
from timeline.models.lookups import Actor, ActorKind, Place, Tag
from timeline.models.timelines import ContentGeneration, Timeline

__all__ = [
    "ANCHOR_FIELDS",
    "DATE_FIELDS",
    "INDEX_ONLY_FIELDS",
    "READING_FIELDS",
    "Actor",
    "ActorKind",
    "Citation",
    "Claim",
    "ClaimCitation",
    "ClaimProperty",
    "ClaimRank",
    "ContentGeneration",
    "DateMention",
    "Event",
    "EventStatus",
    "IdempotentResponse",
    "Place",
    "Precision",
    "PropertyKind",
    "Tag",
    "Timeline",
    "TokenUse",
    "annotation_selectors",
    "quote_anchored",
]
