"""Winter dates (EDTF ``YYYY-24``) run from December to the end of February.

timeline.dates used to end them with December, as the edtf package does; the
derived, indexed columns of every event with a winter in its date are derived
again. Nothing else changes; history keeps what was stored then.
"""

from django.db import migrations


def derive_again(apps, schema_editor):
    from timeline.dates import parse_event_date

    Event = apps.get_model("timeline", "Event")
    changed = []
    for event in Event.objects.filter(date__regex=r"[0-9]{4}-24"):
        parsed = parse_event_date(event.date)
        event.start, event.end = parsed.start, parsed.end
        event.span_days = (parsed.end - parsed.start).days
        changed.append(event)
    Event.objects.bulk_update(changed, ["start", "end", "span_days"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("timeline", "0008_lookups_share_a_base")]

    operations = [migrations.RunPython(derive_again, migrations.RunPython.noop)]
