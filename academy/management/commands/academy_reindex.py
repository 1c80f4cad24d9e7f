"""Render and segment every lesson and case study again, e.g. after the platform terms of
the segmenter (academy.words.PLATFORM_TERMS) or the sanitiser's allow-list changed."""

from django.core.management.base import BaseCommand

from academy.services import academy_reindex


class Command(BaseCommand):
    help = "Re-render and re-segment every lesson and case study (the search index follows)."

    def handle(self, *args, **options):
        lessons, cases = academy_reindex()
        self.stdout.write(f"Reindexed {lessons} lessons and {cases} case studies.")
