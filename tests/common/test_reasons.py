"""Reasons written by the system are codes rendered in the reader's language."""

import pytest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from common import reasons
from common.reasons import Catalogue, Label, Reason, reason_fields

# Messages that exist in the translation catalogue, so both languages can be checked.
R = Catalogue("test_reasons", {
    "plain": _("System"),
    "with_status": _("This cannot be done now: it is %(status)s."),
})


def test_a_reason_renders_in_the_language_of_whoever_reads_it():
    reason = R("plain")
    with override("en"):
        assert str(reason) == "System"
    with override("zh-hans"):
        assert str(reason) == "系统"


def test_parameters_can_name_a_choice_label_rendered_in_the_readers_language():
    fields = reason_fields(R("with_status", status=Label("shop.Order.status", "paid")))
    assert fields["reason"] == ""
    assert fields["reason_code"] == "test_reasons.with_status"
    with override("en"):
        english = reasons.render(fields["reason_code"], fields["reason_params"])
    with override("zh-hans"):
        chinese = reasons.render(fields["reason_code"], fields["reason_params"])
    assert english == "This cannot be done now: it is Paid, to ship."
    assert "待发货" in chinese


def test_words_a_person_typed_are_kept_as_written():
    assert reason_fields("买家说尺码不对") == {
        "reason": "买家说尺码不对", "reason_code": "", "reason_params": {}}
    assert reasons.display("", {}, "买家说尺码不对") == "买家说尺码不对"
    with override("en"):
        assert reasons.display("test_reasons.plain", {}, "note") == "System — note"


def test_an_unknown_code_is_refused_when_written_and_translated_text_as_a_parameter_too():
    with pytest.raises(KeyError):
        Reason("test_reasons.nope")
    with pytest.raises(TypeError):
        reason_fields(R("with_status", status=_("paid")))


def test_a_code_cannot_be_registered_twice_with_another_message():
    with pytest.raises(ValueError):
        Catalogue("test_reasons", {"plain": _("Something else")})


def test_old_text_in_either_language_is_matched_back_to_its_code_and_parameters():
    with override("zh-hans"):
        chinese = str(R("with_status", status="x1"))
    assert reasons.match_text(chinese) == ("test_reasons.with_status", {"status": "x1"})
    assert reasons.match_text("This cannot be done now: it is x2.") == (
        "test_reasons.with_status", {"status": "x2"})
    assert reasons.match_text("something a reviewer typed") is None


@pytest.mark.django_db
def test_an_event_row_stores_the_code_and_shows_it_in_the_readers_language():
    from shop.models import StoreEvent
    from tests.factories import StoreFactory

    store = StoreFactory()
    event = StoreEvent.objects.create(store=store, from_status="a", to_status="b",
                                      **reason_fields(R("plain")))
    event.refresh_from_db()
    with override("en"):
        assert event.reason_display == "System"
    with override("zh-hans"):
        assert event.reason_display == "系统"


def test_a_reason_can_carry_what_a_person_typed_after_it():
    reason = R("plain").noting("尺码偏小")
    assert reason_fields(reason) == {
        "reason": "尺码偏小", "reason_code": "test_reasons.plain", "reason_params": {}}
    with override("en"):
        assert str(reason) == "System — 尺码偏小"
    assert reasons.clean("  typed  ") == "typed" and reasons.clean(reason) is reason
