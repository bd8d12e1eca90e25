"""A brand's notification settings, STOP and START words, and how numbers are keyed."""

from __future__ import annotations

import pytest

from doorstep.domain.errors import InvalidValue
from doorstep.domain.notifications import (
    Channel,
    NotificationKind,
    NotificationSettings,
    TemplateOverride,
    opt_out_change,
    phone_key,
)


def test_a_brand_that_never_chose_gets_every_email_and_the_days_texts() -> None:
    settings = NotificationSettings.defaults("brd_1")
    assert all(settings.is_on(kind, Channel.EMAIL) for kind in NotificationKind)
    assert settings.is_on(NotificationKind.OUT_FOR_DELIVERY, Channel.SMS)
    assert not settings.is_on(NotificationKind.ORDER_CONFIRMED, Channel.SMS)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reply_to": "not an address"}, "reply_to"),
        ({"reply_to": "a@b.com\r\nBcc: x@y.com"}, "reply_to"),
        ({"sender_name": "Camden\nCoffee"}, "sender_name"),
        ({"sender_name": "x" * 61}, "sender_name"),
        ({"sender_name": "  "}, "sender_name"),
    ],
)
def test_a_careless_sender_or_reply_to_is_refused_naming_the_field(
    changes: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        NotificationSettings.defaults("brd_1").changed(**changes)
    assert refused.value.field == field


def test_a_subject_for_a_text_message_is_refused() -> None:
    overrides = {
        (NotificationKind.DELIVERED, Channel.SMS): TemplateOverride(subject="Delivered"),
    }
    with pytest.raises(InvalidValue) as refused:
        NotificationSettings.defaults("brd_1").changed(overrides=overrides)
    assert refused.value.field == "templates.sms.delivered.subject"


@pytest.mark.parametrize("body", ["STOP", "stop", " Stop. ", "UNSUBSCRIBE", "stopall"])
def test_stop_words_opt_out(body: str) -> None:
    assert opt_out_change(body) is True


@pytest.mark.parametrize("body", ["START", "start", "Unstop"])
def test_start_words_opt_back_in(body: str) -> None:
    assert opt_out_change(body) is False


@pytest.mark.parametrize("body", ["please stop by after 5", "thanks", ""])
def test_other_replies_change_nothing(body: str) -> None:
    assert opt_out_change(body) is None


def test_a_number_is_keyed_the_same_however_it_is_written_and_never_kept() -> None:
    key = phone_key("secret", "+44 7700 900123")
    assert key == phone_key("secret", "+447700900123")
    assert "7700900123" not in key
    assert key != phone_key("another secret", "+447700900123")
