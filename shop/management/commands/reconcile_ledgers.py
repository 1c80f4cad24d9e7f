from django.core.management.base import BaseCommand, CommandError

from shop.selectors.deposits import ledgers_reconcile


class Command(BaseCommand):
    help = ("Check every deposit and store-account ledger from one consistent snapshot "
            "(REPEATABLE READ on PostgreSQL, safe on a live system): each entry's balance_after "
            "is the running sum of the amounts, and each account's balance equals its last "
            "entry's balance_after and the sum of its entries. Exits non-zero on any mismatch.")

    def handle(self, *args, **options):
        report = ledgers_reconcile()
        for problem in report.problems:
            self.stderr.write(problem)
        summary = f"{report.accounts} accounts, {report.entries} entries checked"
        if report.problems:
            raise CommandError(f"{len(report.problems)} mismatches; {summary}.")
        self.stdout.write(self.style.SUCCESS(f"All ledgers balance: {summary}."))
