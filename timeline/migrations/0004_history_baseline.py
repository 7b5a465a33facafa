"""Give every row that existed before history was kept a first revision.

Without it, the first edit of an old row would have nothing to be compared
with, and a row deleted before its first edit could not be restored.
"""

from django.db import migrations
from django.utils import timezone

REASON = "History starts here"
MODELS = {
    "sources": {"source": {}},
    "timeline": {
        "actor": {},
        "place": {},
        "tag": {},
        "citation": {},
        "event": {"actors": "actor", "tags": "tag"},
        "timeline": {"events": "event"},
    },
}


def create_baseline(apps, schema_editor):
    now = timezone.now()
    for app_label, models in MODELS.items():
        for model_name, m2m_fields in models.items():
            model = apps.get_model(app_label, model_name)
            historical = apps.get_model(app_label, f"historical{model_name}")
            # The fields the history keeps (it leaves out derived ones).
            kept = {f.attname for f in historical._meta.concrete_fields}
            fields = [f for f in model._meta.concrete_fields if f.attname in kept]
            for obj in model.objects.all().iterator():
                record = historical.objects.create(
                    history_date=now,
                    history_type="+",
                    history_change_reason=REASON,
                    **{f.attname: getattr(obj, f.attname) for f in fields},
                )
                for field_name, target in m2m_fields.items():
                    rows = getattr(model, field_name).through.objects.filter(**{model_name: obj})
                    historical_rows = apps.get_model(
                        app_label, f"historical{model_name}_{field_name}"
                    )
                    historical_rows.objects.bulk_create(
                        historical_rows(
                            history=record,
                            id=row.id,
                            **{
                                f"{model_name}_id": obj.pk,
                                f"{target}_id": getattr(row, f"{target}_id"),
                            },
                        )
                        for row in rows
                    )


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0003_versions_and_history"),
        ("sources", "0002_versions_and_history"),
    ]

    operations = [migrations.RunPython(create_baseline, migrations.RunPython.noop)]
