"""Rendering: our wording and a brand's, sandboxed, with values kept as data."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Brand
from doorstep.domain.notifications import (
    Channel,
    NotificationKind,
    NotificationSettings,
    TemplateOverride,
)
from doorstep.services.notifications.brand_settings import sample_variables
from doorstep.services.notifications.render import check_override, render, window_variables

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
BRAND = Brand(id="brd_1", name="Camden Coffee Co")
SETTINGS = NotificationSettings.defaults(BRAND.id)
SAMPLE = sample_variables(BRAND, SETTINGS, NOW, "https://deliver.example/t/")


def test_every_kind_renders_on_both_channels_with_the_tracking_link() -> None:
    for kind in NotificationKind:
        for channel in Channel:
            rendered = render(kind, channel, SETTINGS, SAMPLE)
            assert "https://deliver.example/t/SAMPLE-TOKEN" in rendered.text, (kind, channel)
            if channel is Channel.EMAIL:
                assert rendered.subject and "Camden Coffee Co" in rendered.subject
                assert 'href="https://deliver.example/t/SAMPLE-TOKEN"' in (rendered.html or "")


def test_the_out_for_delivery_email_names_the_window_in_london_time() -> None:
    summer = window_variables(
        datetime(2026, 7, 1, 9, 40, tzinfo=UTC), datetime(2026, 7, 1, 10, 40, tzinfo=UTC)
    )
    rendered = render(NotificationKind.OUT_FOR_DELIVERY, Channel.EMAIL, SETTINGS, SAMPLE | summer)
    assert "between 10:40 and 11:40" in rendered.text


def test_a_name_with_markup_is_escaped_in_html_and_kept_in_text() -> None:
    variables = SAMPLE | {"first_name": "<script>alert(1)</script>{{ 7*7 }}"}
    rendered = render(NotificationKind.DELIVERED, Channel.EMAIL, SETTINGS, variables)
    assert "<script>" not in (rendered.html or "")
    assert "&lt;script&gt;" in (rendered.html or "")
    assert "{{ 7*7 }}" in rendered.text  # a value is data, never template


def test_a_subject_never_breaks_into_two_header_lines() -> None:
    variables = SAMPLE | {"brand": "Evil\r\nBcc: victim@example.com"}
    rendered = render(NotificationKind.DELIVERED, Channel.EMAIL, SETTINGS, variables)
    assert rendered.subject is not None
    assert "\n" not in rendered.subject and "\r" not in rendered.subject


def test_a_brands_own_wording_replaces_ours() -> None:
    own = {
        (NotificationKind.DELIVERED, Channel.SMS): TemplateOverride(
            text="Ta, {{ first_name }}! {{ tracking_link }}"
        )
    }
    settings = SETTINGS.changed(overrides=own)
    rendered = render(NotificationKind.DELIVERED, Channel.SMS, settings, SAMPLE)
    assert rendered.text == "Ta, Ada! https://deliver.example/t/SAMPLE-TOKEN"


@pytest.mark.parametrize(
    "template",
    [
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        "{% include 'secret.txt' %}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ no_such_variable }}",
        "{{ first_name",
        "{{ first_name * 1000000000 }}",
        "{{ first_name|center(1000000000) }}",
        "{{ lipsum(1000000) }}",
        "{{ first_name.upper() }}",
    ],
)
def test_a_brand_template_that_could_do_harm_or_does_not_render_is_refused(
    template: str,
) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_override(template, "templates.email.delivered.text", SAMPLE)
    assert refused.value.field == "templates.email.delivered.text"


def test_if_blocks_comparisons_and_simple_filters_are_allowed_in_a_brand_template() -> None:
    check_override(
        "{% if window and reason != '' %}Between {{ window }}{% else %}Today{% endif %}"
        " {{ brand|upper }}",
        "t",
        SAMPLE,
    )


def test_our_own_wording_keeps_to_the_rules_brands_are_held_to() -> None:
    from doorstep.services.notifications.wording import default_body, default_subject

    for kind in NotificationKind:
        check_override(default_subject(kind), "subject", SAMPLE)
        for channel in Channel:
            check_override(default_body(kind, channel), "text", SAMPLE)
