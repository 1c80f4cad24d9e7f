"""Fill the holiday calendar of a year from `chinesecalendar` (weekday holidays and weekend
adjusted working days). Existing days are left alone; idempotent."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from compliance.enforcement.sampling import calendar_days_load


class Command(BaseCommand):
    help = "Load a year's public holidays and adjusted working days from chinesecalendar."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)

    def handle(self, *args, year, **options):
        try:
            import chinese_calendar
        except ImportError as exc:
            raise CommandError("chinesecalendar is not installed") from exc
        rows, day = [], date(year, 1, 1)
        try:
            while day.year == year:
                holiday, name = chinese_calendar.get_holiday_detail(day)
                weekend = day.weekday() >= 5
                if holiday and not weekend:
                    rows.append((day, "holiday", name or ""))
                elif not holiday and weekend:
                    rows.append((day, "workday", name or ""))
                day += timedelta(days=1)
        except NotImplementedError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{calendar_days_load(rows)} days added")
