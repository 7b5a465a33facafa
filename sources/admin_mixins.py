"""The editors' admin: no lost edits, and one revision for each save.

A change form carries its row's version, checked under a row lock on save: an edit over
someone else's save is refused and comes back with a link to the current version.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core import checks
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME
from simple_history.utils import get_m2m_reverse_field_name

from sources.versioning import VersionConflict, record_revision

VERSION_FIELD = "_version"


def column(attr: str, description: str, **options):
    """A list or read-only column showing an attribute of the row (e.g. an annotation)."""
    return admin.display(description=description, **options)(lambda _, obj: getattr(obj, attr))


def revision_of(instance):
    """The revision an instance was rebuilt from (on a revert form), or None."""
    return getattr(instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None)


def revision_related_ids(historical, field) -> list[int]:
    """The ids a tracked many-to-many relation held at a revision."""
    related = getattr(historical, field.name)
    return list(related.values_list(get_m2m_reverse_field_name(field), flat=True))


class VersionField(forms.IntegerField):
    """The row's version when the form was opened, sent back with the form."""

    widget = forms.HiddenInput

    def to_python(self, value):
        # A missing or garbled version is the form's error, not this field's:
        # an error on a hidden field is never shown to the editor.
        try:
            return super().to_python(value)
        except ValidationError:
            return None

    def has_changed(self, initial, data) -> bool:
        # Bookkeeping, not an edit: it never appears in the change message.
        return False


class VersionedModelForm(forms.ModelForm):
    """A model form that refuses to save over a version its editor has not seen."""

    _version = VersionField(required=False)

    # Set by EditorAdmin.get_form, for the link to the current version.
    admin_site_name = "admin"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound or self.instance.pk is None:
            return
        # Read from the row, not the instance: a revert form's instance has an old version.
        self.initial[VERSION_FIELD] = self._current_version()
        if historical := revision_of(self.instance):
            # A revision's instance has its fields, not its relations: the revision has those.
            for field in self.instance._meta.many_to_many:
                if field.name in self.fields and hasattr(historical, field.name):
                    self.initial[field.name] = revision_related_ids(historical, field)

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None:
            self._check_version(cleaned_data.get(VERSION_FIELD))
        return cleaned_data

    def _current_version(self, *, lock: bool = False) -> int | None:
        rows = self.instance._meta.default_manager.filter(pk=self.instance.pk)
        if lock:
            # Held until the admin's transaction commits (PostgreSQL; without row locks,
            # SQLite relies on the model's conditional UPDATE).
            rows = rows.select_for_update()
        return rows.values_list("version", flat=True).first()

    def _check_version(self, submitted: int | None) -> None:
        opts = self.instance._meta
        current = self._current_version(lock=True)
        if current is None:
            raise ValidationError(
                f"This {opts.verbose_name} has been deleted, so nothing was saved.",
                code="deleted",
            )
        if submitted is None:
            raise ValidationError(
                f"This form does not say which version of the {opts.verbose_name} it changes, "
                "so nothing was saved. Reload the page and make your changes again.",
                code="version_missing",
            )
        if current == submitted:
            return
        # Saving again is then a deliberate choice to replace the current version.
        self.data = self.data.copy()
        self.data[self.add_prefix(VERSION_FIELD)] = str(current)
        current_url = reverse(
            f"{self.admin_site_name}:{opts.app_label}_{opts.model_name}_change",
            args=[self.instance.pk],
        )
        raise ValidationError(
            format_html(
                "Someone else saved this {} (now version {}) after you opened it. "
                "Nothing was saved. Your changes are still in the form below: compare with "
                '<a href="{}" target="_blank" rel="noopener">the current version</a> '
                "(opens in a new tab) and save again to replace it, or reload to start over.",
                opts.verbose_name,
                current,
                current_url,
            ),
            code="version_conflict",
        )


class EditorAdmin(SimpleHistoryAdmin):
    """Base of every editors' admin: version checks, one revision per save, history.

    Its ``form`` must derive from ``VersionedModelForm`` (``manage.py check`` says so).
    """

    form = VersionedModelForm
    history_list_display = ["version"]

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if not issubclass(self.form, VersionedModelForm):
            errors.append(
                checks.Error(
                    f"{type(self).__name__}.form must derive from VersionedModelForm, "
                    "so that a save cannot overwrite someone else's.",
                    obj=type(self),
                    id="sources.E001",
                )
            )
        return errors

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.admin_site_name = self.admin_site.name
        return form

    def get_fieldsets(self, request, obj=None):
        # Only a form that can save carries the version (not the add form,
        # not a view-only one, which would show it as a read-only field).
        (name, options), *rest = super().get_fieldsets(request, obj)
        fields = [field for field in options["fields"] if field != VERSION_FIELD]
        if obj is not None and self.has_change_permission(request, obj):
            fields.append(VERSION_FIELD)
        return [(name, {**options, "fields": fields}), *rest]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except VersionConflict as conflict:
            return self.version_conflict_response(request, conflict)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history lets anyone who may view the history post a revert;
        # reverting is changing.
        if request.method == "POST" and self.revert_disabled(
            request, self.get_object(request, unquote(object_id))
        ):
            raise PermissionDenied
        try:
            # Atomic like the change form, so the version check's lock holds until the save.
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().history_form_view(request, object_id, version_id, extra_context)
        except VersionConflict as conflict:
            return self.version_conflict_response(request, conflict)

    def version_conflict_response(self, request, conflict: VersionConflict):
        # The row moved on between the form's check and the write (no row locks).
        instance = conflict.instance
        self.message_user(
            request,
            f"Someone else saved {instance._meta.verbose_name} “{instance}” (now version "
            f"{conflict.current_version}) while yours was being saved. Nothing was saved: "
            "this is the current version; make your changes again.",
            messages.ERROR,
        )
        return HttpResponseRedirect(request.get_full_path())

    def save_form(self, request, form, change):
        obj = super().save_form(request, form, change)
        if historical := revision_of(obj):
            # A revert restores what its form shows; the rest (publication, timestamps) stays.
            obj.refresh_from_db(
                fields=[
                    field.attname
                    for field in obj._meta.concrete_fields
                    if not field.primary_key and field.name not in form.fields
                ]
            )
            obj._change_reason = f"Reverted to version {historical.version}"
        # The change and revert forms both call form.save_m2m() after save_model():
        # the one revision is recorded then, with the final relations.
        save_m2m = form.save_m2m

        def save_m2m_and_record_revision():
            save_m2m()
            obj.__dict__.pop("skip_history_when_saving", None)
            record_revision(obj, "~" if change else "+")

        form.save_m2m = save_m2m_and_record_revision
        return obj

    def save_model(self, request, obj, form, change):
        submitted = form.cleaned_data.get(VERSION_FIELD)
        if change and submitted is not None:
            # The write checks the version again, in the UPDATE itself.
            obj.version = submitted
        if self.save_through_service(request, obj, form):
            # The service recorded the one revision, relations included: the change and
            # revert views' form.save_m2m() has nothing left to do.
            form.save_m2m = lambda: None
            return
        obj.skip_history_when_saving = True
        super().save_model(request, obj, form, change)

    def save_through_service(self, request, obj, form) -> bool:
        """Save a write that spans models as the API does, through a service (True), or
        leave it to the model's save and the form's relations (False)."""
        return False
