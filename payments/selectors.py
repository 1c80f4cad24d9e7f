from payments.models import Payment


def payments_for_reference(reference: str):
    """The payments an owner filed under `reference` (e.g. an order's), oldest first."""
    return Payment.objects.filter(reference=reference).order_by("created_at", "pk")


def payment_pending(*, purpose: str, subject_id, amount) -> Payment | None:
    return (Payment.objects.filter(purpose=purpose, subject_id=str(subject_id), kind="payment",
                                   status="pending", amount=amount)
            .order_by("pk").first())


def payment_attempts(*, purpose: str, subject_id) -> int:
    return Payment.objects.filter(purpose=purpose, subject_id=str(subject_id)).count()


def payment_live(idempotency_key: str) -> Payment | None:
    """The succeeded or pending payment under a key (a failed one gave its key up)."""
    return Payment.objects.filter(idempotency_key=idempotency_key).first()
