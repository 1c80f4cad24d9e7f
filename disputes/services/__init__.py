"""Every write of after-sales and arbitration.

One transition service, `after_sale_request_transition`, performs every status change of
a request: it checks the rules table, sets the clocks of the new state (clearing the
others) and the columns the lists order by (next_deadline, finished), saves with
update_fields and appends an AfterSaleEvent. Changes that are not
status moves (contacted, a missed clock, a message) append an event with from == to.

Money moves exactly once per request: refunds through `payment_refund` with the key
``aftersale:<id>:refund``; when the platform pays first (先行赔付), `payment_payout` with
``aftersale:<id>:payout`` and then one deposit deduction per attempt whose cause is the
request (``<id>``, then ``<id>/<attempt>``). The provider may answer later (the request
waits in "refunding" until the refund-check sweep reads the answer) or refuse (the key is
freed: a person's action fails whole; the system tries again, and a payout that failed
after its deduction gets the deduction given back).

The package is split along its seams: transitions (the one writer and its event rows),
requests (opening and the parties' actions), refunds (money), conversation (messages and
evidence), arbitration (support agents and rulings) and clocks (what the sweeps do).
"""

from disputes.services.arbitration import (  # noqa: F401
    HAND_OVER_REFUSALS,
    _require_agent,
    _require_impartial,
    after_sale_case_assign,
    after_sale_case_take,
    fee_suggestion,
    ruling_issue,
    ruling_reopen,
)
from disputes.services.clocks import (  # noqa: F401
    _system_escalate,
    after_sale_request_auto_approve,
    after_sale_request_auto_receive,
    after_sale_request_quality_timeout,
    after_sale_request_refusal_refund,
    refused_parcel_intake,
    refused_parcel_note,
)
from disputes.services.conversation import (  # noqa: F401
    _may_talk,
    _prepared_files,
    _store_files,
    after_sale_evidence_add,
    after_sale_message_post,
)
from disputes.services.refunds import (  # noqa: F401
    AFTERSALE_PAYOUT,
    AFTERSALE_REFUND,
    _amount_due,
    _close_order_if_fully_refunded,
    _deduction_cause_id,
    _deposit_deduct,
    _deposit_deduction_give_back,
    _note_silently,
    _pay_buyer,
    _refund_now,
    _refunded,
    _retry_later,
    _send_back,
    _settled_fields,
    after_sale_payment_settled,
    after_sale_request_refund_check,
)
from disputes.services.requests import (  # noqa: F401
    _PAID_STATUSES,
    _RECEIVED_STATUSES,
    OFFLINE_PROPOSAL_MAX_LENGTH,
    _receive,
    _return_address_or_none,
    after_sale_request_accept_ruling,
    after_sale_request_approve,
    after_sale_request_cancel,
    after_sale_request_confirm_receipt,
    after_sale_request_contact,
    after_sale_request_escalate,
    after_sale_request_open,
    after_sale_request_propose_offline,
    after_sale_request_reject,
    after_sale_request_reship,
    after_sale_request_ship_return,
    merchant_return_address_set,
)
from disputes.services.transitions import (  # noqa: F401
    _bad_move,
    _clean_waybill,
    _event,
    _list_fields,
    _note,
    _record_violation,
    _require,
    _side_of,
    _text,
    after_sale_request_lock,
    after_sale_request_transition,
    after_sale_requests_note_batch,
    after_sale_requests_transition_batch,
    clock_settings,
)
