from django.core.management.base import BaseCommand

from common import config
from common.schedules import ensure_schedules


class Command(BaseCommand):
    help = "Create or update the worker's schedules and the configuration rows (idempotent)."

    def handle(self, *args, **options):
        for name in ensure_schedules():
            self.stdout.write(f"schedule ok: {name}")
        self.stdout.write(f"configuration rows added: {config.ensure_defaults()}")
