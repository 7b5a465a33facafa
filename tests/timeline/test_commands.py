import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import RequestFactory

from tests.factories import UserFactory


def run_ensure_editor() -> str:
    out = StringIO()
    call_command("ensure_editor", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_ensure_editor_creates_an_editor_with_a_random_password_that_works():
    output = run_ensure_editor()
    username = re.search(r"username: (\S+)", output).group(1)
    password = re.search(r"password: (\S+)", output).group(1)
    assert len(password) >= 16

    # As the admin's login form would: django-axes needs the request.
    user = authenticate(
        RequestFactory().post("/admin/login/"), username=username, password=password
    )
    assert user is not None
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]
    assert user.has_perm("timeline.change_event") and not user.has_perm("auth.add_user")


@pytest.mark.django_db
def test_ensure_editor_passwords_differ_between_installs():
    first = re.search(r"password: (\S+)", run_ensure_editor()).group(1)
    get_user_model().objects.all().delete()
    second = re.search(r"password: (\S+)", run_ensure_editor()).group(1)
    assert first != second


@pytest.mark.django_db
def test_ensure_editor_does_nothing_once_a_user_exists():
    UserFactory()
    output = run_ensure_editor()
    assert "password:" not in output and "changepassword" in output
    assert get_user_model().objects.count() == 1
