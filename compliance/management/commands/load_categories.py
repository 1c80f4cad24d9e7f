from django.core.management.base import BaseCommand

from compliance import loaders


class Command(BaseCommand):
    help = (
        "Load the category tree, qualification types, screening rule lists and violation "
        "types from the "
        "seed (reference data, not demo data). Existing rows are kept as reviewers edited "
        "them unless --update is given. Safe to run repeatedly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--update", action="store_true", help="Reset existing rows to the seed values."
        )

    def handle(self, *args, update=False, **options):
        categories = loaders.load_categories(update=update)
        terms = loaders.load_screening_rules(update=update)
        loaders.load_violation_types()
        self.stdout.write(
            self.style.SUCCESS(
                f"categories created: {categories}; screening terms created: {terms}"
            )
        )
