"""Compliance services: whether a listing may be submitted, the automatic screening of
its text, and the qualification workflow (upload, review, expiry clock). What an expiry or
an approval means for the store's products is the shop's to do: compliance announces it
through `compliance.hooks` and records the delistings the shop reports back."""

from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy  # not aliased: makemessages must see it

from common import config
from common.errors import ApplicationError
from common.reasons import reason_fields
from common.sweeps import sweep_due
from common.uploads import sanitize_filename
from common.workflows import transition_apply
from compliance import hooks, rules
from compliance.models import (
    CATEGORY_PARENT_PROBLEMS,
    Category,
    Qualification,
    QualificationDelisting,
    QualificationEvent,
    QualificationFile,
)
from compliance.notifications import notify_qualifications_expired, notify_qualifications_expiring
from compliance.reasons import R
from compliance.rules import FOOD_LABEL_FIELDS, category_effective
from compliance.selectors import (
    category_node,
    qualification_missing_types,  # noqa: F401 (part of the API)
)


def category_resolve(category: Category):
    """Effective flags of a category (inheritance resolved). Three levels: at most three
    small queries (parents and their requirements)."""
    ids = _ancestor_ids(category)
    chain = list(
        Category.objects.filter(pk__in=ids).prefetch_related("required_qualifications")
    )
    chain.sort(key=lambda c: ids.index(c.pk))  # root first, whatever `level` says
    return category_effective([category_node(c) for c in chain])


def _ancestor_ids(category):
    return [node.pk for node in category.ancestors_and_self()]


@transaction.atomic
def category_save(*, category: Category, actor=None) -> Category:
    """Save a category edited by a reviewer: refuse a parent that would make a loop or a
    fourth level, set its level from its parent, and move the levels of the categories
    below it along (each with a history row)."""
    parents = dict(Category.objects.select_for_update().values_list("pk", "parent_id"))
    problem = rules.category_parent_problem(
        pk=category.pk, parent_pk=category.parent_id, parents=parents
    )
    if problem:
        raise ApplicationError(
            CATEGORY_PARENT_PROBLEMS[problem] % {"levels": rules.CATEGORY_MAX_LEVEL},
            code=f"category_{problem}", field="parent",
        )
    category.level = 1 if category.parent_id is None else len(
        rules.category_ancestor_ids(category.parent_id, parents)
    ) + 1
    category.save()
    parents[category.pk] = category.parent_id
    levels = rules.category_levels(category.pk, category.level, parents)
    levels.pop(category.pk)
    for child in Category.objects.filter(pk__in=levels).order_by("level", "pk"):
        if child.level != levels[child.pk]:
            child.level = levels[child.pk]
            child.save(update_fields=["level"])
    return category


def product_submission_check(*, store, category, payload: dict, now=None,
                             invited_category_ids=frozenset()) -> None:
    """Refuse a submission, naming what is missing: a leaf category that is open (an
    invitation-only category is open to the stores invited into it, whose ids the caller
    passes in `invited_category_ids`), every qualification the category requires approved
    and unexpired, and the food label fields for prepackaged food."""
    now = now or timezone.now()
    if category is None:
        raise ApplicationError(_("Choose a category."), code="category_missing", field="category")
    if category.children.exists():
        raise ApplicationError(
            _("Choose a category of the lowest level."), code="category_not_leaf", field="category"
        )
    effective = category_resolve(category)
    if effective.status == Category.Status.PROHIBITED:
        raise ApplicationError(
            _("The category “%(name)s” is prohibited on this platform.") % {"name": effective.blocked_by},
            code="category_prohibited",
            field="category",
        )
    invitation_only = next(
        (node for node in category.ancestors_and_self() if node.invitation_only), None)
    if invitation_only is not None and invitation_only.pk not in invited_category_ids:
        raise ApplicationError(
            _("The category “%(name)s” is open by invitation only, to stores in an "
              "industry-belt base that the platform has invited.") % {"name": invitation_only.name},
            code="category_invitation_only",
            field="category",
        )
    if effective.status == Category.Status.NOT_OPEN and invitation_only is None:
        raise ApplicationError(
            _("The category “%(name)s” is not open for sale.") % {"name": effective.blocked_by},
            code="category_not_open",
            field="category",
        )
    missing = qualification_missing_types(
        store=store, type_ids=effective.qualification_type_ids, now=now
    )
    if missing:
        names = "、".join(t.name for t in missing)
        raise ApplicationError(
            _("This category needs an approved, unexpired qualification: %(names)s.")
            % {"names": names},
            code="qualification_missing",
            field="category",
            extra={"missing": [t.code for t in missing]},
        )
    if effective.prepackaged_food:
        from compliance.presentation import FOOD_LABEL_LABELS

        label = payload.get("food_label") or {}
        empty = [f for f in FOOD_LABEL_FIELDS if not str(label.get(f, "")).strip()]
        if empty:
            raise ApplicationError(
                _("Prepackaged food must fill in every label field; missing: %(fields)s.")
                % {"fields": "、".join(str(FOOD_LABEL_LABELS[f]) for f in empty)},
                code="food_label_missing",
                field="food_label",
                extra={"missing": empty},
            )


def listing_screen(*, payload: dict) -> list[dict]:
    """Screen a listing's texts against the reviewer-managed rule lists; returns hits as
    dicts {field, rule, rule_name, term, text, start, end} (offsets into that field)."""
    from compliance.screening.runtime import screen_listing

    return screen_listing(payload)


def store_profile_screen(*, name: str, introduction: str) -> list[dict]:
    """Screen a store's public texts with the same rule lists as listings; hits as in
    `listing_screen`, with the fields ``store_name`` and ``introduction``."""
    from compliance.screening.runtime import screen_texts

    return screen_texts({k: v for k, v in (("store_name", name), ("introduction", introduction)) if v})


# --- Qualifications ---------------------------------------------------------------------
_DATE_PROBLEMS = {
    "not_yet_valid": gettext_lazy("The validity starts in the future; upload it once it is valid."),
    "ends_before_start": gettext_lazy("The validity ends before it starts."),
    "already_expired": gettext_lazy("This document has already expired."),
    "too_old": gettext_lazy("This document must have been issued within %(days)s days."),
    "issued_too_early": gettext_lazy(
        "Check the issue date: it cannot be earlier than %(earliest)s."
    ),
    "ends_too_late": gettext_lazy(
        "Check the end of the validity: it cannot be later than %(latest)s."
    ),
}
_DATE_PROBLEM_FIELDS = {
    "ends_before_start": "valid_until", "already_expired": "valid_until",
    "ends_too_late": "valid_until",
}


def _date_problem_message(problem, *, max_age_days, today):
    return _DATE_PROBLEMS[problem] % {
        "days": max_age_days, "earliest": rules.EARLIEST_DOCUMENT_DATE.isoformat(),
        "latest": rules.latest_document_date(today).isoformat(),
    }


def _event(qualification, *, from_status, to_status, actor, reason="", now, data=None):
    return QualificationEvent(
        qualification=qualification,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        at=now,
        data=data or {},
        **reason_fields(reason),
    )


def _refuse_move(status_label):
    return ApplicationError(
        _("This qualification is “%(status)s” and can no longer be changed that way.")
        % {"status": status_label},
        code="invalid_transition",
    )


def qualification_transition(
    qualification, to_status, *, actor, reason="", now, fields: dict | None = None, data=None
) -> QualificationEvent:
    """The one writer of `Qualification.status`: move a locked qualification along
    `rules.QUALIFICATION_TRANSITIONS`, saving the fields of the new state with it, and
    append its event row. Runs inside the caller's transaction. A refused move raises
    `invalid_transition` and writes nothing."""
    if not rules.qualification_can_move(qualification.status, to_status):
        raise _refuse_move(qualification.get_status_display())
    return transition_apply(
        qualification, table=rules.QUALIFICATION_TRANSITIONS, to=to_status, actor=actor,
        reason=reason, now=now, event_model=QualificationEvent, event_fk="qualification",
        fields=fields, data=data,
    )


def qualifications_transition_batch(
    qualifications, to_status, *, actor=None, reason="", now, fields: dict | None = None,
    data=None,
) -> list[int]:
    """The same moves for a batch of qualifications the caller has locked
    (`select_for_update`, a sweep): every one is checked against the same table, then one
    UPDATE and one bulk insert of event rows per status moved from (one, in a sweep).
    Nothing is written when one of them may not move. Returns the ids moved."""
    assert connection.in_atomic_block, "a transition must run inside transaction.atomic"
    qualifications = list(qualifications)
    if not qualifications:
        return []
    for q in qualifications:
        if not rules.qualification_can_move(q.status, to_status):
            raise _refuse_move(q.get_status_display())
    fields = dict(fields or {})
    by_status: dict[str, list] = {}
    for q in qualifications:
        by_status.setdefault(q.status, []).append(q)
    moved = []
    for from_status, rows in by_status.items():
        Qualification.objects.filter(
            pk__in=[q.pk for q in rows], status=from_status
        ).update(status=to_status, **fields)
        QualificationEvent.objects.bulk_create(
            _event(q, from_status=from_status, to_status=to_status, actor=actor,
                   reason=reason, now=now, data=data)
            for q in rows
        )
        for q in rows:  # the callers go on with the rows as they are now
            q.status = to_status
            for name, value in fields.items():
                setattr(q, name, value)
        moved += [q.pk for q in rows]
    return moved


_DETAIL_PROBLEMS = {
    "missing": gettext_lazy("Fill in “%(field)s”."),
    "invalid_choice": gettext_lazy("Choose one of the offered values for “%(field)s”."),
    "invalid_date": gettext_lazy("Enter a valid date for “%(field)s”."),
    "issued_in_future": gettext_lazy("“%(field)s” is in the future (%(date)s)."),
    "document_too_old": gettext_lazy(
        "“%(field)s” is %(date)s: the document must have been issued within %(days)s days."
    ),
    "batch_mismatch": gettext_lazy(
        "The customs declaration is for batch “%(first)s” but the entry inspection "
        "certificate is for batch “%(second)s”: both must be for the same batch."
    ),
    "chain_missing": gettext_lazy(
        "Enter the chain of authorisations from the trademark holder to your store."
    ),
    "chain_link_incomplete": gettext_lazy(
        "Authorisation %(n)s is incomplete: fill in who grants it, who receives it and "
        "until when it is valid."
    ),
    "chain_link_expired": gettext_lazy(
        "Authorisation %(n)s (“%(authoriser)s” → “%(authorised)s”) expired on %(date)s."
    ),
    "chain_start": gettext_lazy(
        "The first authorisation must be granted by the trademark holder “%(holder)s”, "
        "not by “%(name)s”."
    ),
    "chain_gap": gettext_lazy(
        "Authorisation %(n)s is granted by “%(name)s”, but authorisation %(previous)s was "
        "given to “%(expected)s”: the chain has a gap."
    ),
    "chain_end": gettext_lazy(
        "The last authorisation must be given to your store's registered name "
        "“%(expected)s”, not to “%(name)s”."
    ),
    "chain_loop": gettext_lazy("“%(name)s” appears more than once in the chain of authorisations."),
    "date_out_of_range": gettext_lazy(
        "“%(field)s” is %(date)s: enter a date between %(earliest)s and %(latest)s."
    ),
}


def qualification_detail_problem_message(problem: rules.DetailProblem) -> str:
    """The merchant-facing sentence for one problem of a qualification's details."""
    from compliance.presentation import detail_label

    params = {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in problem.params.items()
    }
    params["field"] = detail_label(problem.field)
    return _DETAIL_PROBLEMS[problem.code] % params


def qualification_details_check(*, qualification, today=None) -> list[str]:
    """What is wrong with a stored qualification's details today (for reviewers)."""
    today = today or timezone.localdate()
    problems = rules.qualification_details_problems(
        qualification.type.code, qualification.details or {},
        registered_name=qualification.store.application.registered_name, today=today,
        max_age_days=qualification.type.max_age_days,
    )
    return [qualification_detail_problem_message(p) for p in problems]


def _refuse_details(problems, *, code_prefix="", intro=""):
    messages = [qualification_detail_problem_message(p) for p in problems]
    raise ApplicationError(
        " ".join([intro, *messages] if intro else messages),
        code=code_prefix + problems[0].code,
        field="details",
        extra={
            "problems": [
                {"code": p.code, "field": p.field, "message": m}
                for p, m in zip(problems, messages, strict=True)
            ]
        },
    )


@transaction.atomic
def qualification_submit(
    *, store, type, number="", issuer="", valid_from=None, valid_until=None, details=None,
    files=(), actor, now=None,
) -> Qualification:
    """A merchant uploads a qualification for review. `files` are (content, UploadInfo,
    original name) triples already validated by `common.uploads`. `details` holds the
    type's extra fields (`rules.QUALIFICATION_DETAIL_FIELDS`); every problem with them is
    named in one refusal (`extra["problems"]`), and nothing is written. `valid_from` may
    be left out when the type's documents carry their own issue dates (customs papers)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    details = rules.qualification_details_normalised(type.code, details)
    problems = rules.qualification_details_problems(
        type.code, details, registered_name=store.application.registered_name, today=today,
        max_age_days=type.max_age_days,
    )
    if problems:
        _refuse_details(problems)
    issued_on, _last_day = rules.qualification_effective_dates(
        type.code, valid_from=valid_from, valid_until=valid_until, details=details
    )
    if issued_on is None:
        raise ApplicationError(
            _("Enter the date the document was issued."), code="valid_from_missing",
            field="valid_from",
        )
    problem = rules.qualification_date_problem(
        valid_from=issued_on, valid_until=valid_until, max_age_days=type.max_age_days,
        today=today,
    )
    if problem:
        raise ApplicationError(
            _date_problem_message(problem, max_age_days=type.max_age_days, today=today),
            code=problem, field=_DATE_PROBLEM_FIELDS.get(problem, "valid_from"),
        )
    if type.requires_number and not number.strip():
        raise ApplicationError(
            _("Enter the certificate number."), code="number_missing", field="number"
        )
    if not files:
        raise ApplicationError(
            _("Attach at least one file of the document."), code="files_missing", field="files"
        )
    qualification = Qualification.objects.create(
        store=store, type=type, number=number.strip(), issuer=issuer.strip(),
        valid_from=valid_from or issued_on, valid_until=valid_until, details=details,
        status=Qualification.Status.PENDING, submitted_at=now,
    )
    for content, info, original_name in files:
        qf = QualificationFile(
            qualification=qualification, original_name=sanitize_filename(original_name),
            content_type=info.mime, size=info.size,
        )
        qf.file.save(info.safe_name, content, save=False)
        qf.save()
    _event(
        qualification, from_status="", to_status=qualification.status, actor=actor, now=now
    ).save()
    return qualification


@transaction.atomic
def qualification_approve(*, qualification, actor, reason="", now=None) -> Qualification:
    """Approve: start the expiry clocks, replace older approved ones of the type, and
    announce it (`hooks.QUALIFICATION_RESTORED`): the shop relists the products an
    expired qualification took off sale once nothing they need is missing."""
    now = now or timezone.now()
    qualification = Qualification.objects.select_for_update(of=("self",)).select_related(
        "type", "store__application"
    ).get(pk=qualification.pk)
    # The details are checked again: a link of the chain or a customs paper may have
    # aged out, or the store's registered name changed, since the merchant submitted.
    problems = rules.qualification_details_problems(
        qualification.type.code, qualification.details or {},
        registered_name=qualification.store.application.registered_name,
        today=timezone.localdate(now), max_age_days=qualification.type.max_age_days,
    )
    if problems:
        _refuse_details(
            problems, code_prefix="details_",
            intro=_("This qualification fails the checks today; reject it with the reason:"),
        )
    issued_on, last_day = rules.qualification_effective_dates(
        qualification.type.code, valid_from=qualification.valid_from,
        valid_until=qualification.valid_until, details=qualification.details or {},
    )
    # Uploads before the dates were bounded may carry 0001-01-01 or 9999-12-31.
    today = timezone.localdate(now)
    for problem, day in (("issued_too_early", issued_on), ("ends_too_late", last_day)):
        if day is not None and not rules.document_date_in_range(day, today):
            raise ApplicationError(
                _("The dates of this qualification are not plausible; reject it with the "
                  "reason:") + " "
                + _date_problem_message(problem, max_age_days=None, today=today),
                code=f"dates_{problem}",
            )
    expires_at = rules.qualification_expires_at(
        valid_from=issued_on, valid_until=last_day,
        max_age_days=qualification.type.max_age_days, tz=timezone.get_default_timezone(),
    )
    if expires_at is not None and expires_at <= now:
        raise ApplicationError(
            _("This qualification has already expired; reject it instead."), code="expired"
        )
    qualification_transition(
        qualification, Qualification.Status.APPROVED, actor=actor, reason=reason, now=now,
        fields={
            "expires_at": expires_at,
            "warn_at": rules.qualification_warn_at(
                expires_at, warning_days=config.get("qualification.expiry_warning_days")
            ),
            "warned_at": None,
            "reviewed_by": actor,
            "reviewed_at": now,
            "rejection_reason": "",
        },
    )
    others = list(
        Qualification.objects.select_for_update().filter(
            store_id=qualification.store_id, type_id=qualification.type_id,
            status=Qualification.Status.APPROVED,
        ).exclude(pk=qualification.pk).order_by("pk")
    )
    # One approved qualification per type: the one valid for longest (the one just
    # approved on a tie). Approving an older document must not demote a newer one.
    keeper = max([qualification, *others], key=_validity_key)
    for other in [qualification, *others]:
        if other is keeper:
            continue
        qualification_transition(
            other, Qualification.Status.SUPERSEDED, actor=actor, now=now,
            reason=R("superseded_by_newer") if keeper is qualification
            else R("superseded_by_longer"),
            data={"replaced_by": keeper.pk},
        )
    hooks.announce(
        hooks.QUALIFICATION_RESTORED, store_id=qualification.store_id,
        qualification=qualification,
        reason=R("restored", type=qualification.type.name),
        now=now,
    )
    return qualification


def _validity_key(qualification):
    """Orders qualifications by how long they stay valid (None: never expires)."""
    expires_at = qualification.expires_at
    return (expires_at is None, expires_at or _NEVER)


_NEVER = datetime.min.replace(tzinfo=UTC)  # stands in for "no expiry" in a key


@transaction.atomic
def qualification_reject(*, qualification, actor, reason, now=None) -> Qualification:
    now = now or timezone.now()
    if not (reason or "").strip():
        raise ApplicationError(_("Give the merchant a reason."), code="reason_missing", field="reason")
    qualification = Qualification.objects.select_for_update().get(pk=qualification.pk)
    qualification_transition(
        qualification, Qualification.Status.REJECTED, actor=actor, reason=reason.strip(),
        now=now,
        fields={"reviewed_by": actor, "reviewed_at": now, "rejection_reason": reason.strip()},
    )
    return qualification


def qualification_expiry_warn_due(*, now=None, batch_size=500) -> int:
    """Sweep: warn merchants whose approved qualification reaches its warning time. The
    warning is an event row, shown on the qualification center."""
    now = now or timezone.now()

    def warn(ids):
        batch = list(Qualification.objects.filter(pk__in=ids).order_by("pk"))
        Qualification.objects.filter(pk__in=ids).update(warned_at=now)
        QualificationEvent.objects.bulk_create(
            _event(
                q, from_status=q.status, to_status=q.status, actor=None,
                reason=R("expiry_warning"), now=now,
                data={"kind": "expiry_warning", "expires_at": q.expires_at.isoformat()},
            )
            for q in batch
        )
        notify_qualifications_expiring(ids, now=now)

    due = Qualification.objects.filter(
        status=Qualification.Status.APPROVED, warn_at__lte=now, warned_at=None,
        expires_at__gt=now,
    )
    return sweep_due(due, warn, batch_size, order=("warn_at",))


def qualification_expire_due(*, now=None, batch_size=200) -> int:
    """Sweep: approved qualifications past `expires_at` become expired; when the store has
    no other valid one of the type, that is announced (`hooks.QUALIFICATION_EXPIRED`) and
    the shop delists the listed products whose category needs it (recorded here, in
    QualificationDelisting, for relisting)."""
    now = now or timezone.now()

    def expire(ids):
        batch = list(Qualification.objects.filter(pk__in=ids).select_related("type")
                     .order_by("pk"))
        qualifications_transition_batch(
            batch, Qualification.Status.EXPIRED, actor=None, reason=R("expired"), now=now
        )
        for qualification in batch:
            _announce_expiry(qualification, now=now)
        notify_qualifications_expired(ids, now=now)

    due = Qualification.objects.filter(status=Qualification.Status.APPROVED, expires_at__lte=now)
    with translation.override(settings.LANGUAGE_CODE):
        return sweep_due(due, expire, batch_size, order=("expires_at",))


def categories_requiring_type_ids(type_id) -> set[int]:
    """Categories whose effective requirements include the type: those that name it and
    their descendants (three levels)."""
    return set(
        Category.objects.filter(
            Q(required_qualifications=type_id)
            | Q(parent__required_qualifications=type_id)
            | Q(parent__parent__required_qualifications=type_id)
        ).values_list("pk", flat=True)
    )


def _announce_expiry(qualification, *, now):
    """Tell the apps above (the shop delists) that the store lost the qualification's type,
    unless another approved, unexpired one of the type still covers it."""
    still_valid = (
        Qualification.objects.filter(
            store_id=qualification.store_id, type_id=qualification.type_id,
            status=Qualification.Status.APPROVED,
        )
        .exclude(expires_at__lte=now)
        .exists()
    )
    if still_valid:
        return
    reason = R("delisted_expired", type=qualification.type.name,
               date=str(timezone.localdate(qualification.expires_at)))
    hooks.announce(
        hooks.QUALIFICATION_EXPIRED, store_id=qualification.store_id,
        qualification=qualification,
        category_ids=frozenset(categories_requiring_type_ids(qualification.type_id)),
        reason=reason, now=now,
    )


def qualification_delistings_record(*, qualification, product_ids, reason, now) -> None:
    """Remember that the expiry of `qualification` keeps these products off sale: one row
    per (product, expired type), also for a product already off sale for another expired
    type, so the record is complete. Called by the app that delisted them."""
    QualificationDelisting.objects.bulk_create(
        [
            QualificationDelisting(
                qualification=qualification, product_id=product_id, delisted_at=now,
                reason=str(reason)[:200],
            )
            for product_id in sorted(set(product_ids))
        ],
        ignore_conflicts=True,  # already recorded: the first delisting time stays
    )


def qualification_delistings_close(
    *, store_id, relisted_by, relisted_ids, waiting_ids, now
) -> None:
    """Close the store's open delisting rows once an approval has been handled by the app
    that relists: the rows of the products it relisted (marked with the approved
    qualification), and those of products no longer waiting — put back on sale, or
    delisted since for another cause: not ours to undo, nothing left to wait for. The
    rows of products still waiting stay open; a later approval looks at them again."""
    open_rows = QualificationDelisting.objects.filter(
        product__store_id=store_id, relisted_at=None
    )
    relisted_ids, waiting_ids = set(relisted_ids), set(waiting_ids)
    if relisted_ids:
        open_rows.filter(product_id__in=relisted_ids).update(
            relisted_at=now, relisted_by=relisted_by
        )
    open_rows.exclude(product_id__in=relisted_ids | waiting_ids).update(
        relisted_at=now, relisted_by=None
    )


def relisting_blocker(product, *, now=None) -> str:
    """Why a product taken off sale by the expiry clock cannot go back on sale ("" when
    it can): its category is gone, closed (not open or prohibited since), or a
    qualification it needs is still missing."""
    if product.category_id is None:
        return "category_missing"
    effective = category_resolve(product.category)
    if effective.status != Category.Status.OPEN:
        return f"category_{effective.status}"
    if qualification_missing_types(
        store=product.store, type_ids=effective.qualification_type_ids, now=now
    ):
        return "qualification_missing"
    return ""
