import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "For local use: if there is no user yet, create an editor account with a "
        "random password and print the login. Does nothing once any user exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor")
        parser.add_argument(
            "--admin-url",
            default="http://127.0.0.1:8000/admin/",
            help="Where the admin is served, for the printed login.",
        )

    def handle(self, *args, username: str, admin_url: str, **options):
        User = get_user_model()
        if User.objects.exists():
            self.stdout.write(
                "Users already exist; no editor account created. Forgot the password? "
                "Run: .venv/bin/python manage.py changepassword USERNAME"
            )
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(username=username, password=password, is_staff=True)
        user.groups.add(Group.objects.get(name="Editors"))
        self.stdout.write(
            self.style.SUCCESS(f"Created a local editor account for {admin_url}\n")
            + f"  username: {username}\n  password: {password}\n"
            + "(shown once; change it in the admin or with `manage.py changepassword`)"
        )
