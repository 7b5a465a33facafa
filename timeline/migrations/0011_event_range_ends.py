from django.db import migrations, models


def derive_range_ends(apps, schema_editor):
    """The new derived columns of the events already written, as Event.save() derives them."""
    from timeline.dates import parse_event_date

    Event = apps.get_model("timeline", "Event")
    db = schema_editor.connection.alias
    batch = []
    for event in Event.objects.using(db).only("pk", "date").order_by("pk").iterator(2000):
        parsed = parse_event_date(event.date)
        event.starts_by, event.ends_from = parsed.starts_by, parsed.ends_from
        batch.append(event)
        if len(batch) >= 2000:
            Event.objects.using(db).bulk_update(batch, ["starts_by", "ends_from"])
            batch = []
    Event.objects.using(db).bulk_update(batch, ["starts_by", "ends_from"])


class Migration(migrations.Migration):
    dependencies = [("timeline", "0010_date_evidence")]

    operations = [
        migrations.AddField(
            model_name="event",
            name="starts_by",
            field=models.DateField(null=True, editable=False),
        ),
        migrations.AddField(
            model_name="event",
            name="ends_from",
            field=models.DateField(null=True, editable=False),
        ),
        migrations.RunPython(derive_range_ends, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="event",
            name="starts_by",
            field=models.DateField(
                editable=False,
                help_text=(
                    "The last day the date can start on (for a range, the end of its first part)."
                ),
                verbose_name="starts by",
            ),
        ),
        migrations.AlterField(
            model_name="event",
            name="ends_from",
            field=models.DateField(
                editable=False,
                help_text=(
                    "The first day the date can end on (for a range, the start of its last part)."
                ),
                verbose_name="ends from",
            ),
        ),
    ]
