"""Opening a store (开通小店): apply, review, resubmit; approval opens the store."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from common import roles
from common.errors import ApplicationError
from common.reasons import reason_fields
from common.uploads import reencode_image, validate_upload
from common.workflows import can_move, transition_apply
from compliance.enforcement.selectors import credit_barred
from shop.identity import validate_resident_id, validate_unified_social_credit_code
from shop.models import MerchantApplication, MerchantApplicationEvent, Store
from shop.notifications import notify_application_decided
from shop.reasons import R
from shop.rules.onboarding import APPLICATION_TRANSITIONS
from shop.services.deposits import deposit_accounts_open
from shop.services.stores import store_name_taken, store_name_taken_error

APPLICATION_FIELDS = (
    "real_name",
    "id_number",
    "entity_type",
    "credit_code",
    "registered_name",
    "business_scope",
    "contact_phone",
    "store_name",
)


@transaction.atomic
def merchant_signup(*, username: str, password: str):
    """A new merchant account (the user, in the merchant role); the next step is the
    store application. The caller has validated the username and password."""
    user = get_user_model()(username=username)
    user.set_password(password)
    user.save()
    roles.sync_role_groups()
    user.groups.add(Group.objects.get(name=roles.MERCHANT))
    return user


def _clean(data: dict) -> dict:
    from django.core.exceptions import ValidationError

    cleaned = {k: (data.get(k) or "").strip() for k in APPLICATION_FIELDS}
    errors = {}
    for key, value in cleaned.items():
        if not value:
            errors[key] = _("This field is required.")
    try:
        cleaned["id_number"] = validate_resident_id(cleaned["id_number"])
    except ValidationError as exc:
        errors.setdefault("id_number", exc.messages[0])
    try:
        cleaned["credit_code"] = validate_unified_social_credit_code(cleaned["credit_code"])
    except ValidationError as exc:
        errors.setdefault("credit_code", exc.messages[0])
    if cleaned["entity_type"] not in MerchantApplication.EntityType.values:
        errors.setdefault("entity_type", _("Choose enterprise or individual business."))
    phone = cleaned["contact_phone"]
    if phone and not (phone.isdigit() and len(phone) == 11 and phone.startswith("1")):
        errors["contact_phone"] = _("Enter an 11-digit mobile number.")
    if cleaned["store_name"] and store_name_taken(cleaned["store_name"]):
        errors.setdefault("store_name", store_name_taken_error(cleaned["store_name"]).message)
    if errors:
        first_field = next(iter(errors))
        raise ApplicationError(
            errors[first_field], code="invalid", field=first_field, extra={"errors": errors}
        )
    return cleaned


def _stored_document(uploaded, info):
    """Images are re-encoded (drops metadata and anything appended); PDFs are stored under
    a random name."""
    if info.kind in ("jpg", "png"):
        content = reencode_image(uploaded, info.kind)
        content.name = info.safe_name
        return content
    uploaded.name = info.safe_name
    return uploaded


def _event(application, old, new, actor, reason, now):
    MerchantApplicationEvent.objects.create(
        application=application, from_status=old, to_status=new, actor=actor, at=now,
        **reason_fields(reason),
    )


def merchant_application_transition(
    application: MerchantApplication, to: str, *, actor, reason="", now,
    fields: dict | None = None,
) -> MerchantApplicationEvent:
    """The one writer of `MerchantApplication.status`: move a locked application along
    `APPLICATION_TRANSITIONS`, saving the fields of the new state with it, and append its
    timeline row. Runs inside the caller's transaction."""
    assert connection.in_atomic_block, "a transition must run inside transaction.atomic"
    return transition_apply(
        application, table=APPLICATION_TRANSITIONS, to=to, actor=actor, reason=reason,
        now=now, event_model=MerchantApplicationEvent, event_fk="application", fields=fields,
    )


def _has_open_application(applicant) -> bool:
    return MerchantApplication.objects.filter(
        applicant=applicant,
        status__in=[MerchantApplication.Status.PENDING, MerchantApplication.Status.APPROVED],
    ).exists()


def _licence_document(licence_file):
    """The licence checked and, when an image, re-encoded: done before the transaction
    opens, so that nobody waits for the write lock while Pillow works. Returns what to
    store and its content type."""
    from django.conf import settings
    from django.core.exceptions import ValidationError

    try:
        info = validate_upload(licence_file, max_bytes=settings.UPLOAD_MAX_BYTES)
        document = _stored_document(licence_file, info)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], code="licence_invalid", field="licence_file")
    return document, info.mime


def application_submit(*, applicant, data: dict, licence_file, now=None) -> MerchantApplication:
    """A first application. A user has at most one application in review or approved."""
    now = now or timezone.now()
    duplicate = ApplicationError(
        _("You already have an application in review or an open store."), code="duplicate"
    )
    if _has_open_application(applicant):
        raise duplicate
    cleaned = _clean(data)
    if credit_barred(applicant=applicant, credit_code=cleaned.get("credit_code", "")):
        raise ApplicationError(
            _("You may not apply again: a store of yours reached a credit score of 0."),
            code="credit_barred")
    if licence_file is None:
        raise ApplicationError(
            _("Upload the business licence."), code="licence_missing", field="licence_file"
        )
    licence, content_type = _licence_document(licence_file)
    with transaction.atomic():
        # One open application per user, also when two submissions race: serialise on the
        # user and look again.
        get_user_model().objects.select_for_update().filter(pk=applicant.pk).first()
        if _has_open_application(applicant):
            raise duplicate
        application = MerchantApplication.objects.create(
            applicant=applicant,
            licence_file=licence,
            licence_content_type=content_type,
            submitted_at=now,
            **cleaned,
        )
        _event(application, "", application.status, applicant, R("submitted_application"), now)
    return application


def _check_resubmittable(application: MerchantApplication, actor) -> None:
    if application.applicant_id != actor.pk:
        raise ApplicationError(_("This is not your application."), code="forbidden")
    if not can_move(APPLICATION_TRANSITIONS, application.status, "pending"):
        raise ApplicationError(
            _("Only a rejected application can be corrected and resubmitted."), code="bad_state"
        )


def application_resubmit(
    *, application: MerchantApplication, actor, data: dict, licence_file=None, now=None
) -> MerchantApplication:
    """A rejected application, corrected and sent back to the queue."""
    now = now or timezone.now()
    _check_resubmittable(MerchantApplication.objects.get(pk=application.pk), actor)
    fields = _clean(data)
    if licence_file is not None:
        fields["licence_file"], fields["licence_content_type"] = _licence_document(licence_file)
    fields.update(submitted_at=now, rejection_reason="")
    with transaction.atomic():
        application = MerchantApplication.objects.select_for_update().get(pk=application.pk)
        _check_resubmittable(application, actor)
        merchant_application_transition(
            application, MerchantApplication.Status.PENDING, actor=actor,
            reason=R("resubmitted"), now=now, fields=fields,
        )
    return application


def _unique_slug(name: str) -> str:
    base = slugify(name, allow_unicode=False)[:24] or "store"
    slug = base
    while Store.objects.filter(slug=slug).exists():
        slug = f"{base}-{get_random_string(5).lower()}"
    return slug


@transaction.atomic
def application_approve(*, application: MerchantApplication, actor, reason="", now=None) -> Store:
    now = now or timezone.now()
    application = MerchantApplication.objects.select_for_update().get(pk=application.pk)
    if not can_move(APPLICATION_TRANSITIONS, application.status, "approved"):
        raise ApplicationError(_("Only a pending application can be approved."), code="bad_state")
    merchant_application_transition(
        application, MerchantApplication.Status.APPROVED, actor=actor,
        reason=reason or R("approved"), now=now, fields={"decided_at": now, "reviewer": actor},
    )
    if store_name_taken(application.store_name):
        raise store_name_taken_error(application.store_name)
    try:
        with transaction.atomic():
            store = Store.objects.create(
                merchant=application.applicant,
                application=application,
                name=application.store_name,
                slug=_unique_slug(application.store_name),
                opened_at=now,
            )
    except IntegrityError:
        # Another store took the name since the check (`uniq_store_name_not_closed`).
        raise store_name_taken_error(application.store_name)
    # The deposit accounts and the store account open with the store: the first-payment
    # clock (deposit.first_payment_days) runs from the opening, and pages only read them.
    deposit_accounts_open(store=store, now=now)
    notify_application_decided(application, now=now)
    return store


@transaction.atomic
def application_reject(*, application: MerchantApplication, actor, reason: str, now=None):
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("A rejection needs a reason."), code="reason_required", field="reason"
        )
    application = MerchantApplication.objects.select_for_update().get(pk=application.pk)
    if not can_move(APPLICATION_TRANSITIONS, application.status, "rejected"):
        raise ApplicationError(_("Only a pending application can be rejected."), code="bad_state")
    merchant_application_transition(
        application, MerchantApplication.Status.REJECTED, actor=actor, reason=reason, now=now,
        fields={"decided_at": now, "reviewer": actor, "rejection_reason": reason},
    )
    notify_application_decided(application, now=now)
    return application
