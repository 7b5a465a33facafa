"""The editors' admin: no lost edits, one revision for each save, and a history to read.

A change form carries its row's version, checked under a row lock on save: an edit over
someone else's save is refused and comes back with a link to the current version. A save
that changes nothing records no revision. The history shows whole values with the words
changed marked, and compares any two versions.
"""

import dataclasses
import datetime
import difflib
import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core import checks
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from simple_history.admin import SimpleHistoryAdmin
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_m2m_reverse_field_name

from sources.versioning import VersionConflict, record_revision

VERSION_FIELD = "_version"
# "30 October 2025, 14:05": the history speaks in words, not ISO timestamps.
DATETIME_IN_WORDS = "j F Y, H:i"
DATE_IN_WORDS = "j F Y"
NOTHING = "—"
# Words and the spaces between them, so that the marked values keep their spacing.
WORDS_AND_SPACES = re.compile(r"\S+|\s+")


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


def in_words(value) -> str:
    """A value as an editor reads it: dates in words, lists joined, nothing as empty."""
    if value is None or value == [] or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, DATETIME_IN_WORDS)
    if isinstance(value, datetime.date):
        return formats.date_format(value, DATE_IN_WORDS)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def marked_differences(old: str, new: str) -> tuple[SafeString, SafeString]:
    """Both values whole and escaped, the words taken out in ``<del>``, those put in ``<ins>``.

    simple-history's own display cuts long values short ("[70 chars]"), which hides
    the very words that changed; difflib over words shows them in place.
    """
    old_words, new_words = WORDS_AND_SPACES.findall(old), WORDS_AND_SPACES.findall(new)
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    old_parts: list[str] = []
    new_parts: list[str] = []
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        taken_out = escape("".join(old_words[old_start:old_end]))
        put_in = escape("".join(new_words[new_start:new_end]))
        if tag == "equal":
            old_parts.append(taken_out)
            new_parts.append(put_in)
            continue
        if taken_out:
            old_parts.append(f"<del>{taken_out}</del>")
        if put_in:
            new_parts.append(f"<ins>{put_in}</ins>")
    # Every part was escaped above: only the marks are markup.
    return (
        mark_safe("".join(old_parts) or NOTHING),
        mark_safe("".join(new_parts) or NOTHING),
    )


class ReadableChanges(HistoricalRecordContextHelper):
    """simple-history's changes of a revision, whole, in words, with the changed words marked."""

    def context_for_delta_changes(self, delta):
        # In the form's order, not the order of simple-history's set of field names.
        order = {field.name: n for n, field in enumerate(self.model._meta.get_fields())}
        changes = sorted(delta.changes, key=lambda change: order.get(change.field, len(order)))
        return super().context_for_delta_changes(dataclasses.replace(delta, changes=changes))

    def prepare_delta_change_value(self, change, value):
        prepared = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if field.choices and not isinstance(prepared, list):
            # The label an editor picked, not the value stored.
            return dict(field.flatchoices).get(prepared, prepared)
        return prepared

    def stringify_delta_change_values(self, change, old, new):
        return marked_differences(in_words(old), in_words(new))


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
    object_history_template = "admin/sources/object_history.html"
    object_history_list_template = "admin/sources/object_history_list.html"

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

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)

    def history_view(self, request, object_id, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "comparison": self.comparison(request, unquote(object_id)),
            "may_view_users": self.may_view_users(request),
        }
        return super().history_view(request, object_id, extra_context)

    def comparison(self, request, object_id) -> dict | None:
        """The differences between the two versions picked on the history page (``?compare=``
        twice, history ids), older against newer, or None."""
        try:
            picked = {int(history_id) for history_id in request.GET.getlist("compare")}
        except ValueError:
            return None
        if len(picked) != 2:
            return None
        # A historical model's pk is its history_id: the object's id is under its own name.
        history = self.model.history.filter(
            **{self.opts.pk.attname: object_id}, history_id__in=picked
        )
        versions = list(history.order_by("history_date", "history_id"))
        if len(versions) != 2:
            return None
        older, newer = versions
        delta = newer.diff_against(older, foreign_keys_are_objs=True)
        helper = self.get_historical_record_context_helper(request, newer)
        return {
            "older": older,
            "newer": newer,
            "changes": helper.context_for_delta_changes(delta),
        }

    def may_view_users(self, request) -> bool:
        """Whether "changed by" may link to the user: editors may not open users (a 403)."""
        try:
            users_admin = self.admin_site.get_model_admin(get_user_model())
        except NotRegistered:
            return False
        return users_admin.has_view_permission(request)

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

    def response_change(self, request, obj):
        if (historical := revision_of(obj)) is None:
            return super().response_change(request, obj)
        # Back to the record the editor reverted, not to the list of all of them.
        opts = obj._meta
        self.message_user(
            request,
            f"Reverted {opts.verbose_name} “{obj}” to version {historical.version}; "
            f"it is now version {obj.version}.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=[obj.pk],
            )
        )

    def changes_nothing(self, form, change) -> bool:
        """A change form sent back as it was opened (a revert always changes the row)."""
        return change and not form.has_changed() and revision_of(form.instance) is None

    def save_model(self, request, obj, form, change):
        # Whether anything changed is known once the inlines are seen (save_related).
        if not self.changes_nothing(form, change):
            self.write_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if self.changes_nothing(form, change):
            if not any(formset.has_changed() for formset in formsets):
                # As the API does: no write, no new revision, the same version. The
                # formsets only note that they have nothing to save (for the change message).
                for formset in formsets:
                    formset.save(commit=False)
                return
            self.write_model(request, form.instance, form, change)
        super().save_related(request, form, formsets, change)

    def write_model(self, request, obj, form, change):
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
