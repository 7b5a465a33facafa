"""Small lookup models that events refer to: actors, places and tags."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from sources.validators import lowercase_slug, lowercase_slug_validator, wikidata_id_validator
from sources.versioning import History, VersionedModel

SLUG_HELP = "Short identifier used in web addresses: lowercase letters, digits and hyphens."


def valid_choice(field: str, choices: type[models.TextChoices]) -> models.CheckConstraint:
    """The database refuses a value of ``field`` outside its choices."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}),
        name=f"%(app_label)s_%(class)s_{field}_valid",
    )


def not_empty(field: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=~Q(**{field: ""}), name=f"%(app_label)s_%(class)s_{field}_not_empty"
    )


class ActorKind(models.TextChoices):
    PERSON = "person", "person"
    ORGANISATION = "organisation", "organisation"
    COUNTRY = "country", "country"


class Lookup(VersionedModel):
    """What actors, places and tags share: a name, a slug and a Wikidata item."""

    name = models.CharField(
        "name",
        max_length=200,
        help_text="As readers know it, e.g. “Xi Jinping”, “Busan, South Korea” or “Tariffs”.",
    )
    slug = models.SlugField(
        "slug",
        max_length=100,
        unique=True,
        validators=[lowercase_slug_validator],
        help_text=SLUG_HELP,
    )
    wikidata_id = models.CharField(
        "Wikidata id",
        max_length=20,
        blank=True,
        validators=[wikidata_id_validator],
        help_text="Wikidata item id (e.g. “Q148”), if there is one.",
    )

    class Meta:
        abstract = True
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Actor(Lookup):
    """A person, organisation or country that takes part in events."""

    kind = models.CharField(
        "kind", max_length=20, choices=ActorKind.choices, default=ActorKind.PERSON
    )

    history = History()

    class Meta(Lookup.Meta):
        constraints = [valid_choice("kind", ActorKind), lowercase_slug()]


class Place(Lookup):
    """Where an event happened, optionally with coordinates for maps."""

    latitude = models.DecimalField(
        "latitude",
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        help_text="Decimal degrees, −90 to 90. Give both coordinates or neither.",
    )
    longitude = models.DecimalField(
        "longitude",
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        help_text="Decimal degrees, −180 to 180.",
    )

    history = History()

    class Meta(Lookup.Meta):
        constraints = [
            lowercase_slug(),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="%(app_label)s_%(class)s_latitude_range",
                violation_error_message="Latitude must be between −90 and 90.",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="%(app_label)s_%(class)s_longitude_range",
                violation_error_message="Longitude must be between −180 and 180.",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="%(app_label)s_%(class)s_coordinates_paired",
                violation_error_message="Give both latitude and longitude, or neither.",
            ),
        ]

    def clean(self) -> None:
        errors = {}
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            errors["latitude"] = "Latitude must be between −90 and 90."
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            errors["longitude"] = "Longitude must be between −180 and 180."
        if (self.latitude is None) != (self.longitude is None) and not errors:
            missing = "longitude" if self.longitude is None else "latitude"
            errors[missing] = "Give both latitude and longitude, or neither."
        if errors:
            raise ValidationError(errors)


class Tag(Lookup):
    """A theme that groups events, e.g. “Tariffs” or “Rare earths”."""

    history = History()

    class Meta(Lookup.Meta):
        constraints = [lowercase_slug()]
