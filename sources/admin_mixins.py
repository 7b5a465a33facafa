"""The editors' admin: no lost edits, and one revision for each save.

Every change form carries, hidden, the version of the row it was opened at.
Saving checks it against the row, locked until the save commits: when
someone else saved in between, nothing is written and the editor's form
comes back with their changes in it and a link to the current version.

A save through the admin records one revision (fields and many-to-many
relations as they end up), by the signed-in editor, including a revert from
the history page.
"""

from django import forms
from django.contrib import messages
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


class VersionField(forms.IntegerField):
    """The row's version when the form was opened, sent back with the form."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

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

    _version = VersionField()

    # Set by EditorAdmin.get_form, for the link to the current version.
    admin_site_name = "admin"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            return
        if self.editing:
            # Read from the row, not the instance: the history page's revert
            # form is built from an old revision and its old version.
            self.initial[VERSION_FIELD] = self._current_version()
        historical = getattr(self.instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None)
        if historical is not None:
            self._initial_relations_from(historical)

    @property
    def editing(self) -> bool:
        return self.instance.pk is not None

    def clean(self):
        cleaned_data = super().clean()
        if self.editing:
            self._check_version(cleaned_data.get(VERSION_FIELD))
        return cleaned_data

    def _current_version(self, *, lock: bool = False) -> int | None:
        rows = type(self.instance)._meta.default_manager.filter(pk=self.instance.pk)
        if lock:
            # Held until the admin's transaction commits the save (PostgreSQL;
            # SQLite has no row locks, and the model's conditional UPDATE
            # catches what slips through).
            rows = rows.select_for_update()
        return rows.values_list("version", flat=True).first()

    def _check_version(self, submitted: int | None) -> None:
        name = type(self.instance)._meta.verbose_name
        current = self._current_version(lock=True)
        if current is None:
            raise ValidationError(
                f"This {name} has been deleted, so nothing was saved.", code="deleted"
            )
        if submitted is None:
            raise ValidationError(
                f"This form does not say which version of the {name} it changes, so nothing "
                "was saved. Reload the page and make your changes again.",
                code="version_missing",
            )
        if current == submitted:
            return
        # Saving again is then a deliberate choice to replace the current version.
        self.data = self.data.copy()
        self.data[self.add_prefix(VERSION_FIELD)] = str(current)
        opts = type(self.instance)._meta
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
                name,
                current,
                current_url,
            ),
            code="version_conflict",
        )

    def _initial_relations_from(self, historical) -> None:
        # The instance rebuilt from a revision has its fields, not its
        # many-to-many relations: those the history tracks come from the revision.
        for field in type(self.instance)._meta.many_to_many:
            if field.name in self.fields and hasattr(historical, field.name):
                self.initial[field.name] = list(
                    getattr(historical, field.name).values_list(
                        get_m2m_reverse_field_name(field), flat=True
                    )
                )


class EditorAdmin(SimpleHistoryAdmin):
    """Base of every editors' admin: version checks, one revision per save, history.

    A subclass that sets its own ``form`` must derive it from
    ``VersionedModelForm``; ``manage.py check`` says so otherwise.
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
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f != VERSION_FIELD]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is not None and self.has_change_permission(request, obj):
            (name, options), *rest = fieldsets
            fieldsets = [(name, {**options, "fields": [*options["fields"], VERSION_FIELD]}), *rest]
        return fieldsets

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
        """The row moved on between the form's check and the write (no row locks)."""
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
        historical = getattr(obj, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None)
        if historical is not None:
            # A revert restores what its form shows; what it does not show
            # (publication, timestamps) stays as it is now.
            obj.refresh_from_db(
                fields=[
                    field.attname
                    for field in obj._meta.concrete_fields
                    if not field.primary_key and field.name not in form.fields
                ]
            )
            obj._change_reason = f"Reverted to version {historical.version}"
        # The change form and simple-history's revert form both save the
        # relations with form.save_m2m() after save_model(): the one revision
        # is recorded then, with the final relations.
        save_m2m = form.save_m2m

        def save_m2m_and_record_revision():
            save_m2m()
            obj.__dict__.pop("skip_history_when_saving", None)
            obj._history_user = request.user
            record_revision(obj, "~" if change else "+")

        form.save_m2m = save_m2m_and_record_revision
        return obj

    def save_model(self, request, obj, form, change):
        submitted = form.cleaned_data.get(VERSION_FIELD)
        if change and submitted is not None:
            # The write checks the version again, in the UPDATE itself.
            obj.version = submitted
        obj.skip_history_when_saving = True
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        obj._history_user = request.user
        super().delete_model(request, obj)
