"""The order rules every door calls: each limit is stated in its refusal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from doorstep.domain import order_rules as rules
from doorstep.domain.order_rules import OrderField, RuleBroken, field_at
from doorstep.domain.text import check_no_control, check_text, spreadsheet_cell


def refusal(check: object, *args: object) -> tuple[OrderField, str]:
    assert callable(check)
    with pytest.raises(RuleBroken) as caught:
        check(*args)
    return caught.value.field, caught.value.reason


def test_weight_limit_is_named_in_the_refusal() -> None:
    assert rules.weight_kg(70.0) == 70.0
    assert refusal(rules.weight_kg, 70.5) == (
        OrderField.WEIGHT_KG,
        "must be at most 70 kg, not 70.5",
    )
    assert refusal(rules.weight_kg, 0.0)[1] == "must be greater than 0 kg, not 0"


def test_side_limit_names_the_side_it_was_asked_for() -> None:
    assert rules.side_cm(300.0, OrderField.HEIGHT_CM) == 300.0
    assert refusal(rules.side_cm, 301.0, OrderField.HEIGHT_CM) == (
        OrderField.HEIGHT_CM,
        "must be at most 300 cm, not 301",
    )


def test_parcel_count_allows_1_to_99() -> None:
    assert rules.parcel_count(99) == 99
    assert refusal(rules.parcel_count, 100)[1] == "an order has 1 to 99 parcels, not 100"
    assert refusal(rules.parcel_count, 0)[0] is OrderField.PARCEL_COUNT


@pytest.mark.parametrize("good", ["SHOP-1001", "#1001", "a.b:c/d_e", "X" * 64])
def test_accepts_references_of_the_documented_shape(good: str) -> None:
    assert rules.reference(good) == good


@pytest.mark.parametrize("bad", ['=HYPERLINK("x")', "-1", "+1", "@a", "SHOP 1", "X" * 65])
def test_refuses_references_a_spreadsheet_or_a_search_would_misread(bad: str) -> None:
    assert refusal(rules.reference, bad)[0] is OrderField.REFERENCE


def test_postcodes_have_one_normal_form() -> None:
    assert rules.postcode(" nw19ll ") == "NW1 9LL"
    assert refusal(rules.postcode, "12345")[0] is OrderField.POSTCODE


def test_phone_and_email_have_one_normal_form() -> None:
    assert rules.phone("+44 (0)7700 900-123") == "+4407700900123"
    assert rules.email("Ada@Example.COM") == "ada@example.com"
    assert refusal(rules.email, "ada@example.com\x00")[0] is OrderField.RECIPIENT_EMAIL


def test_delivery_notes_may_span_lines_but_never_hold_nul() -> None:
    assert rules.access_notes("Ring twice\r\nthen knock") == "Ring twice\nthen knock"
    assert refusal(rules.access_notes, "Ring\x00twice")[0] is OrderField.ACCESS_NOTES
    assert refusal(rules.recipient_name, "Ada\nLovelace")[0] is OrderField.RECIPIENT_NAME


def test_a_window_ends_after_it_starts() -> None:
    moment = datetime(2026, 11, 26, 10, tzinfo=UTC)
    assert refusal(rules.window, moment, moment)[0] is OrderField.WINDOW_END


def test_fields_given_together_name_each_missing_one() -> None:
    broken = rules.together({OrderField.LAT: True, OrderField.LON: False})
    assert [(b.field, b.reason) for b in broken] == [
        (OrderField.LON, "is empty; give both lat and lon, or neither")
    ]
    assert rules.together({OrderField.LAT: False, OrderField.LON: False}) == []


def test_one_identity_maps_to_the_api_path_and_the_csv_column() -> None:
    broken = RuleBroken(OrderField.WEIGHT_KG, "x")
    assert (broken.api_path(3), broken.column) == ("parcels[3].weight_kg", "weight_kg")
    assert field_at("parcels[3].weight_kg") is OrderField.WEIGHT_KG
    assert field_at("address.lines[1]") is OrderField.ADDRESS_LINE2
    assert field_at("brand_id") is None


def test_text_refuses_control_characters_and_says_the_limit() -> None:
    assert check_text("  Ada ", max_length=3) == "Ada"
    with pytest.raises(ValueError, match="at most 3"):
        check_text("Adam", max_length=3)
    for control in ("\x00", "\x1b", "\x7f", "\x85", "\n"):
        with pytest.raises(ValueError, match="control character"):
            check_no_control(f"a{control}b")
    assert check_no_control("a\nb", line_breaks=True) == "a\nb"


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_spreadsheet_cells_that_would_run_as_formulas_get_an_apostrophe(cell: str) -> None:
    assert spreadsheet_cell(cell) == "'" + cell


def test_spreadsheet_cells_leave_numbers_and_plain_text_alone() -> None:
    assert spreadsheet_cell(-0.12) == -0.12
    assert spreadsheet_cell("NW1 9LL") == "NW1 9LL"
    assert spreadsheet_cell(None) is None


def test_a_delivery_pin_is_4_to_8_digits_and_keeps_its_leading_zero() -> None:
    assert rules.delivery_pin(" 0427 ") == "0427"
    assert rules.delivery_pin("12345678") == "12345678"
    for bad in ("123", "123456789", "12a4", "12 34", "-1234"):
        field, reason = refusal(rules.delivery_pin, bad)
        assert (field, reason) == (OrderField.DELIVERY_PIN, "must be 4 to 8 digits")
        assert bad.strip() not in reason  # a secret is never quoted back


def test_a_minimum_age_is_1_to_99() -> None:
    assert rules.minimum_age(1) == 1 and rules.minimum_age(99) == 99
    assert refusal(rules.minimum_age, 0) == (OrderField.MINIMUM_AGE, "must be between 1 and 99")
    assert refusal(rules.minimum_age, 100)[0] is OrderField.MINIMUM_AGE


def test_a_safe_place_is_short_text_on_one_line() -> None:
    assert rules.safe_place(" behind the bins ") == "behind the bins"
    assert refusal(rules.safe_place, "x" * 201)[0] is OrderField.SAFE_PLACE
    assert refusal(rules.safe_place, "porch\nback")[0] is OrderField.SAFE_PLACE


def test_the_proof_fields_have_the_same_name_in_both_doors() -> None:
    for field in (OrderField.DELIVERY_PIN, OrderField.MINIMUM_AGE, OrderField.SAFE_PLACE):
        assert field_at(field.value) is field
        assert rules.PLACES[field].csv == field.value
