"""Reads of invoices, already scoped to who asks: the merchant's to-do and list, the
buyer's own."""

from django.db.models import Prefetch, Q, QuerySet

from shop.models import Invoice, InvoiceEvent
from shop.rules.invoices import INVOICE_TO_DO, invoice_amount

# The list's newest-first order, served by the (store, [status,] requested_at, id) indexes.
INVOICE_KEYS = ("-requested_at", "-id")
TO_DO = "to_do"


def merchant_invoices(user, *, status: str = "", q: str = "") -> QuerySet[Invoice]:
    """The merchant's invoices, newest request first; `status` is one status or "to_do"
    (waiting for the merchant); `q` an order or invoice number."""
    qs = (Invoice.objects.for_merchant(user)
          .select_related("order", "store").order_by(*INVOICE_KEYS))
    if status == TO_DO:
        qs = qs.filter(status__in=INVOICE_TO_DO)
    elif status:
        qs = qs.filter(status=status)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(order__number=q) | Q(number=q) | Q(red_letter_number=q))
    return qs


def merchant_invoice_to_do_count(user) -> int:
    """How many invoices wait for the merchant (to issue, or to correct): for the
    dashboard and the invoice list."""
    return Invoice.objects.for_merchant(user).filter(status__in=INVOICE_TO_DO).count()


def invoices_to_issue(store, *, cap: int) -> dict:
    """The store's invoices waiting for the merchant (to issue, or to correct), counted up
    to `cap`, and when the oldest of them was requested: two reads of the
    (store, status, requested_at, id) index."""
    waiting = Invoice.objects.filter(store=store, status__in=INVOICE_TO_DO)
    count = waiting.order_by().values("pk")[:cap + 1].count()
    oldest = waiting.order_by("requested_at", "id").values_list("requested_at", flat=True)[:1]
    return {"count": count, "oldest": next(iter(oldest), None)}


def invoice_of_order_for_merchant(user, order) -> Invoice | None:
    """The invoice of one of the merchant's orders, if the buyer asked for one."""
    return Invoice.objects.for_merchant(user).filter(order=order).first()


def invoice_for_merchant(user, pk: int) -> Invoice:
    """Raises Invoice.DoesNotExist for another store's invoice (the view answers 404)."""
    return (Invoice.objects.for_merchant(user).select_related("order", "store")
            .prefetch_related(Prefetch("events",
                                       queryset=InvoiceEvent.objects.select_related("actor")))
            .get(pk=pk))


def invoice_amount_due(invoice: Invoice):
    """What the invoice should be for now: the order's amount paid after refunds."""
    return invoice_amount(invoice.order.paid_amount, invoice.order.refunded_amount)


def invoices_for_buyer(user) -> QuerySet[Invoice]:
    if not getattr(user, "is_authenticated", False):
        return Invoice.objects.none()
    return (Invoice.objects.filter(buyer=user).select_related("order", "store")
            .order_by(*INVOICE_KEYS))


def invoice_for_buyer(user, pk: int) -> Invoice:
    """Raises Invoice.DoesNotExist for anyone else's invoice (the API answers 404)."""
    return invoices_for_buyer(user).get(pk=pk)
