"""The recipient's form partial: its places are the domain's list, and every field has a
label the screen reader reads out."""

from __future__ import annotations

import re
from datetime import date

from doorstep.domain.preferences import SAFE_PLACE_LABELS
from doorstep.services.tracking.actions import RecipientActions
from doorstep.web.tracking_actions import _templates

STATE = RecipientActions(
    can_act=True,
    safe_place_choice="shed",
    has_safe_place_note=True,
    neighbour="No. 14",
    has_access_notes=True,
    has_access_code=True,
    needs_more_time=False,
    due=date(2026, 11, 25),
    days=[date(2026, 11, 26), date(2026, 11, 27)],
    loaded=False,
)


def _render(**context: object) -> str:
    base = {"token": "T" * 22, "csrf": "c" * 64}
    return _templates().get_template("tracking/_actions.html").render(base | context)


def test_the_places_offered_are_the_domains_list_in_its_order() -> None:
    html = _render(actions=STATE)
    offered = re.findall(r'name="choice" value="([a-z_]+)"', html)
    labels = re.findall(
        r'name="choice" value="[a-z_]+" required(?: checked)?> ([^<]+)</label>', html
    )
    assert offered == [p.value for p in SAFE_PLACE_LABELS]
    assert labels == list(SAFE_PLACE_LABELS.values())
    assert 'value="shed" required checked' in html


def test_every_field_has_a_label_and_every_form_its_csrf_value() -> None:
    html = _render(actions=STATE)
    for field_id in re.findall(r'<(?:input|textarea|select)[^>]* id="([^"]+)"', html):
        assert f'for="{field_id}"' in html, field_id
    assert html.count('name="csrf" value="' + "c" * 64 + '"') == 5
    assert 'value="2026-11-26"' in html and "Thursday 26 November" in html


def test_the_tracking_page_without_the_actions_state_links_to_the_days() -> None:
    class View:
        can_act = True

    html = _render(view=View(), done="neighbour")
    assert 'href="/t/' + "T" * 22 + '/reschedule"' in html
    assert 'role="status"' in html and "neighbour you named" in html


def test_nothing_is_offered_once_the_order_cannot_change() -> None:
    class View:
        can_act = False

    assert "<form" not in _render(view=View())
