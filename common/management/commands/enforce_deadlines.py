from django.core.management.base import BaseCommand

from common import tasks


class Command(BaseCommand):
    help = "Run every registered deadline sweep once (the worker runs this every minute)."

    def handle(self, *args, **options):
        result = tasks.enforce_deadlines()
        if not result:
            self.stdout.write("No deadline sweeps registered.")
        for name, moved in result.items():
            self.stdout.write(f"{name}: {moved}")
        self.stdout.write(self.style.SUCCESS(f"Done: {sum(result.values())} moved."))
