from datetime import date

from django.core.management.base import BaseCommand, CommandError

from common.errors import ApplicationError
from shop.services.deposits import deposit_monthly_adjust


class Command(BaseCommand):
    help = ("Run (or resume) the monthly deposit adjustment by the sales of a month "
            "(default: last natural month in the platform time zone). Running it again changes nothing. "
            "A month that has not ended yet is refused: its sales are not complete.")

    def add_arguments(self, parser):
        parser.add_argument("--month", help="sales month as YYYY-MM (a month that has ended)")

    def handle(self, *args, month=None, **options):
        sales_month = None
        if month:
            try:
                sales_month = date.fromisoformat(f"{month}-01")
            except ValueError:
                raise CommandError("--month must look like 2025-06")
        try:
            run = deposit_monthly_adjust(sales_month=sales_month)
        except ApplicationError as exc:
            raise CommandError(str(exc))
        self.stdout.write(
            f"{run.sales_month:%Y-%m}: {run.status}, {run.done}/{run.total} stores, "
            f"{run.changed} changed"
        )
