from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination


class _StrictPageSize:
    """A `page_size` that is not a whole number in range is a 400 naming the parameter (DRF
    quietly used the default size instead), and the schema states the range."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def _positive_int(self, request, name: str, maximum: int | None = None) -> int | None:
        values = request.query_params.getlist(name)
        if not values:
            return None
        raw = values[-1]
        if not raw.isascii() or not raw.isdigit() or int(raw) < 1 or (
                maximum is not None and int(raw) > maximum):
            message = (
                _("Enter a whole number from 1 to %(max)d.") % {"max": maximum}
                if maximum is not None else _("Enter a whole number, 1 or more.")
            )
            raise ValidationError({name: [message]})
        return int(raw)

    def get_page_size(self, request):
        size = self._positive_int(request, self.page_size_query_param, self.max_page_size)
        return size if size is not None else self.page_size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class Pagination(_StrictPageSize, PageNumberPagination):
    """DRF's page-number pagination, strict about its parameters: a `page` or `page_size`
    that is not a whole number in range is a 400 naming the parameter."""

    def paginate_queryset(self, queryset, request, view=None):
        self._positive_int(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters


class NewestFirstCursorPagination(_StrictPageSize, CursorPagination):
    """Keyset pages, newest first, for tables with a (owner, -created_at, -id) index: the
    cost of a page does not grow with how deep it is. A malformed cursor is DRF's 404."""

    ordering = ("-created_at", "-id")
    page_size = 20


# --- admin changelists -----------------------------------------------------------------------
ADMIN_COUNT_CAP = 10_000


class EstimatedCountPaginator(Paginator):
    """A changelist paginator whose count does not grow with the table: it counts at most
    `cap + 1` rows (one query reading at most that many index entries); past the cap, an
    unfiltered list on PostgreSQL takes the planner's estimate of the table's rows
    (pg_class.reltuples, kept by ANALYZE/autovacuum), and anything else answers cap + 1
    (the pages stop there: narrow the filters). Use with `show_full_result_count = False`
    so the admin does not count the whole table a second time."""

    cap = ADMIN_COUNT_CAP

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        if not isinstance(qs, QuerySet) or qs.query.is_sliced:
            return super().count
        capped = qs.order_by().values("pk")[:self.cap + 1].count()
        if capped <= self.cap:
            return capped
        estimate = _table_estimate(qs) if not qs.query.where else None
        return max(estimate or 0, self.cap + 1)


def _table_estimate(qs: QuerySet) -> int | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                       [qs.model._meta.db_table])
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] and row[0] > 0 else None
