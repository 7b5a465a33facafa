"""Indexes for the read path: the public order, the longest span, and words.

``span_days`` is filled in for the events there are. On PostgreSQL, a trigger
keeps ``search_vector`` (the words of the title, summary and display date, as
the "simple" configuration splits and lowercases them) on every insert and
update, whatever writes it (the ORM, bulk inserts, COPY, SQL), and a GIN
index serves ``q``. Other databases keep neither and search substrings.
"""

import django.contrib.postgres.search
from django.db import migrations, models

TRIGGER = "timeline_event_search_vector"
SEARCH_INDEX = "timeline_event_search"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} BEFORE INSERT OR UPDATE ON timeline_event "
            "FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger("
            "search_vector, 'pg_catalog.simple', title, summary, display_date)"
        )
        # One pass fills both: the trigger fires on this update.
        schema_editor.execute('UPDATE timeline_event SET span_days = "end" - start')
        schema_editor.execute(
            f"CREATE INDEX {SEARCH_INDEX} ON timeline_event USING gin (search_vector)"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            'UPDATE timeline_event SET span_days = CAST(julianday("end") - julianday(start) AS INTEGER)'
        )
    else:
        Event = apps.get_model("timeline", "Event")
        for event in Event.objects.only("start", "end").iterator():
            Event.objects.filter(pk=event.pk).update(span_days=(event.end - event.start).days)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON timeline_event")


class Migration(migrations.Migration):

    dependencies = [
        ('timeline', '0005_content_generation'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='actor',
            options={'ordering': ['name', 'pk']},
        ),
        migrations.AlterModelOptions(
            name='tag',
            options={'ordering': ['name', 'pk']},
        ),
        migrations.AddField(
            model_name='event',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='event',
            name='span_days',
            field=models.PositiveIntegerField(default=0, editable=False, help_text='Days from the earliest to the latest day, derived from date.', verbose_name='span in days'),
        ),
        migrations.AddIndex(
            model_name='event',
            index=models.Index(condition=models.Q(('published_at__isnull', False)), fields=['start', 'end', 'title', 'id'], name='timeline_event_published_order'),
        ),
        migrations.AddIndex(
            model_name='event',
            index=models.Index(fields=['span_days'], name='timeline_event_span_days'),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
