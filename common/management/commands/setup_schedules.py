from django.core.management.base import BaseCommand

from common.schedules import ensure_schedules


class Command(BaseCommand):
    help = "Create or update the worker's schedules (idempotent)."

    def handle(self, *args, **options):
        for name in ensure_schedules():
            self.stdout.write(f"schedule ok: {name}")
