"""Create the "Editors" group: everything curating needs, no user administration."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_MODELS = {
    "sources": ["source"],
    "timeline": ["event", "citation", "timeline", "actor", "place", "tag"],
}
ACTIONS = ["view", "add", "change", "delete"]


def create_editors_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they
    # exist now so the group can be given them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    codenames = [
        f"{action}_{model}" for models in EDITOR_MODELS.values() for model in models for action in ACTIONS
    ]
    permissions = Permission.objects.filter(
        content_type__app_label__in=EDITOR_MODELS, codename__in=codenames
    )
    group.permissions.add(*permissions)


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0001_initial"),
        ("sources", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
