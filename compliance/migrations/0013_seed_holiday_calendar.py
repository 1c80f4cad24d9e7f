"""Seed the holiday calendar: the public holidays on weekdays and the adjusted working days
(调休) on weekends, as `chinesecalendar` 1.11.0 gives them. It covers 2026 and not 2027
yet: reviewers add 2027 in the admin (Holiday calendar) once the State Council publishes
it, or run `manage.py load_holiday_calendar 2027` with a release of the library that
covers it."""

from datetime import date

from django.db import migrations

DAYS_2026 = [
    ("2026-01-01", "holiday", "New Year's Day"), ("2026-01-02", "holiday", "New Year's Day"),
    ("2026-01-04", "workday", "New Year's Day"), ("2026-02-14", "workday", "Spring Festival"),
    ("2026-02-16", "holiday", "Spring Festival"), ("2026-02-17", "holiday", "Spring Festival"),
    ("2026-02-18", "holiday", "Spring Festival"), ("2026-02-19", "holiday", "Spring Festival"),
    ("2026-02-20", "holiday", "Spring Festival"), ("2026-02-23", "holiday", "Spring Festival"),
    ("2026-02-28", "workday", "Spring Festival"), ("2026-04-06", "holiday", "Tomb-sweeping Day"),
    ("2026-05-01", "holiday", "Labour Day"), ("2026-05-04", "holiday", "Labour Day"),
    ("2026-05-05", "holiday", "Labour Day"), ("2026-05-09", "workday", "Labour Day"),
    ("2026-06-19", "holiday", "Dragon Boat Festival"), ("2026-09-20", "workday", "National Day"),
    ("2026-09-25", "holiday", "Mid-autumn Festival"), ("2026-10-01", "holiday", "National Day"),
    ("2026-10-02", "holiday", "National Day"), ("2026-10-05", "holiday", "National Day"),
    ("2026-10-06", "holiday", "National Day"), ("2026-10-07", "holiday", "National Day"),
    ("2026-10-10", "workday", "National Day"),
]


def seed(apps, schema_editor):
    CalendarDay = apps.get_model("compliance", "CalendarDay")
    for day, kind, name in DAYS_2026:
        CalendarDay.objects.get_or_create(day=date.fromisoformat(day),
                                          defaults={"kind": kind, "name": name})


class Migration(migrations.Migration):

    dependencies = [("compliance", "0012_sampling_inspections")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
