"""Pure rules of opening a store (开通小店). No ORM."""

# Store-application statuses: a pending application is approved (the store opens) or
# rejected; a rejected one is corrected and sent back to the queue. Approval is final.
# `shop.services.onboarding.merchant_application_transition` is the one writer.
APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"approved", "rejected"}),
    "rejected": frozenset({"pending"}),
    "approved": frozenset(),
}
