"""factory_boy factories: the smallest valid objects, published unless said otherwise."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from sources.models import Source
from timeline.models import Actor, Citation, Claim, ClaimProperty, Event, Place, Tag, Timeline

SAMPLE_TEXT = (
    "The trade ministers met in Geneva on Monday. “We have agreed a pause,” the minister said "
    "after the talks — the first in a year. Tariffs will fall from 57% to 47%. "
    "The talks will resume in spring."
)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Report number {n}")
    slug = factory.Sequence(lambda n: f"report-{n}")
    publisher = "Example Wire"
    url = factory.Sequence(lambda n: f"https://news.example.org/report-{n}")
    language = "en"
    text = SAMPLE_TEXT


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    name = factory.Sequence(lambda n: f"Actor {n}")
    slug = factory.Sequence(lambda n: f"actor-{n}")
    kind = "person"


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    name = factory.Sequence(lambda n: f"Place {n}")
    slug = factory.Sequence(lambda n: f"place-{n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"Tag {n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")


# How an editor explains a date no quote states: publishing needs it (or a stating quote).
DATE_NOTE = "Worked out from the wire's report of the talks, filed the day after."


class EventFactory(factory.django.DjangoModelFactory):
    """An event; ``explained=True`` gives it a date note, so that a draft can be published."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    class Params:
        explained = factory.Trait(date_note=DATE_NOTE)

    slug = factory.Sequence(lambda n: f"event-{n}")
    title = factory.Sequence(lambda n: f"Event {n}")
    summary = "Something happened."
    date = "2025-10-30"
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def actors(self, create, extracted, **kwargs):
        if create and extracted:
            self.actors.set(extracted)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    event = factory.SubFactory(EventFactory)
    source = factory.SubFactory(SourceFactory)
    quote = "Tariffs will fall from 57% to 47%."


class ClaimPropertyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClaimProperty
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Property {n}")
    slug = factory.Sequence(lambda n: f"property-{n}")
    kind = "quantity"


class ClaimFactory(factory.django.DjangoModelFactory):
    """A claim citing, unless told otherwise, a new citation of its event."""

    class Meta:
        model = Claim
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    property = factory.SubFactory(ClaimPropertyFactory)
    value = "47%"

    @factory.post_generation
    def citations(self, create, extracted, **kwargs):
        if create:
            self.citations.set(extracted or [CitationFactory(event=self.event)])


class TimelineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Timeline
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"timeline-{n}")
    title = factory.Sequence(lambda n: f"Timeline {n}")
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def events(self, create, extracted, **kwargs):
        if create and extracted:
            self.events.set(extracted)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


def make_editor(**kwargs):
    """A staff user in the Editors group that the data migration creates."""
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name="Editors"))
    return user
