from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from common import demo


class Command(BaseCommand):
    help = "Load the demo users and demo data of every app. Safe to run repeatedly."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (demo users have a published password).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: demo users have a published "
                "password. Use --force if you really mean it."
            )
        for name, loader in demo.loaders():
            with transaction.atomic():
                loader()
            self.stdout.write(f"demo data ok: {name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo logins (password for all: {settings.DEMO_PASSWORD}): "
                + ", ".join(u for u, _, _ in demo.DEMO_USERS)
            )
        )
