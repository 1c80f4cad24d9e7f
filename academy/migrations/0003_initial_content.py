"""The handbook's chapters as the academy's first courses, lessons and case studies."""

from django.db import migrations
from django.utils import timezone

MODELS = ["Topic", "Course", "Lesson", "LessonLink", "CaseStudy"]


def load_content(apps, schema_editor):
    from academy.content import load

    load({name: apps.get_model("academy", name) for name in MODELS}, now=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("academy", "0002_search_index")]

    operations = [migrations.RunPython(load_content, migrations.RunPython.noop)]
