"""The shipping label: one 4 x 6 inch page whose codes scan back to the parcel."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from doorstep.documents.label import HEIGHT, WIDTH, LabelData, drawable, render_label
from doorstep.domain.model import Priority, ServiceLevel
from doorstep.domain.parcel import ParcelAction
from tests import factories

TRACKING_URL = "http://127.0.0.1:8000/t/Xq3v9Lw2Zk8Rb4Nc1Yt6Hs0p"


def label(**changes: object) -> LabelData:
    data = LabelData(
        sender="Camden Coffee Co",
        recipient_name="Ada Lovelace",
        address_lines=("Flat 3", "1 Parkhill Road"),
        postcode="NW3 2YJ",
        service_level=ServiceLevel.NEXT_DAY,
        barcode="DS7K2M9Q4ZC1XW",
        tracking_url=TRACKING_URL,
        parcel_number=1,
        parcel_count=2,
        weight_kg=1.2,
        window_start=datetime(2026, 11, 26, 10, tzinfo=UTC),
        window_end=datetime(2026, 11, 26, 12, tzinfo=UTC),
        reference="SHOP-1001",
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def page_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def scanned(pdf: bytes) -> dict[str, str]:
    """Rasterise at thermal-printer resolution and read every code, as a scanner would."""
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=203 / 72).to_pil()
    return {str(code.format): code.text for code in zxingcpp.read_barcodes(image)}


def test_label_is_one_page_of_four_by_six_inches() -> None:
    reader = PdfReader(io.BytesIO(render_label(label())))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == (WIDTH, HEIGHT) == (288, 432)


def test_label_shows_barcode_postcode_window_and_parcel_count() -> None:
    text = page_text(render_label(label(bay="B12", priority=Priority.HIGH)))
    for expected in (
        "DS7K2M9Q4ZC1XW",
        "NW3 2YJ",
        "Ada Lovelace",
        "Camden Coffee Co",
        "NEXT DAY",
        "HIGH PRIORITY",
        "PARCEL 1 OF 2",
        "1.2 kg",
        "10:00",
        "B12",
    ):
        assert expected in text


def test_window_is_printed_in_london_time() -> None:
    summer = label(
        window_start=datetime(2026, 7, 1, 9, tzinfo=UTC),
        window_end=datetime(2026, 7, 1, 11, tzinfo=UTC),
    )
    assert "10:00\u201312:00" in page_text(render_label(summer))


def test_barcode_and_qr_code_scan_back_to_parcel_and_tracking_link() -> None:
    codes = scanned(render_label(label()))
    assert codes == {"Code 128": "DS7K2M9Q4ZC1XW", "QR Code": TRACKING_URL}


def test_codes_still_scan_when_names_and_addresses_are_very_long() -> None:
    long = label(
        sender="The Extraordinarily Long-Named Artisan Coffee Roasting Company of London",
        recipient_name="Dr Maximiliana Wolfeschlegelsteinhausenbergerdorff " * 4,
        address_lines=("Flat 1234, The Very Long Building Name With Many Words " * 3,) * 6,
        reference="X" * 100,
    )
    pdf = render_label(long)
    assert scanned(pdf)["Code 128"] == "DS7K2M9Q4ZC1XW"
    assert "NW3 2YJ" in page_text(pdf)


def test_text_that_would_overflow_is_shortened_with_an_ellipsis() -> None:
    text = page_text(render_label(label(recipient_name="Wolfeschlegelsteinhausenberger" * 6)))
    assert "\u2026" in text


def test_non_latin_text_is_transliterated_instead_of_failing() -> None:
    text = page_text(render_label(label(recipient_name="Łukasz Москва", address_lines=("北京",))))
    assert "Lukasz Moskva" in text
    assert "BeiJing" in text


@pytest.mark.parametrize(("raw", "expected"), [("Zoë Ó", "Zoë Ó"), ("Łódź", "Lódz"), ("☃", "?")])
def test_drawable_keeps_what_the_fonts_have_and_replaces_the_rest(raw: str, expected: str) -> None:
    assert drawable(raw) == expected


def test_label_of_an_order_never_shows_its_access_code_or_phone() -> None:
    order = factories.order(
        parcels=2,
        address=factories.address(access_code="4711-SECRET", access_notes="Key under mat"),
    )
    parcel = order.parcels[1]
    parcel.apply(ParcelAction.RECEIVE, actor="test", at=factories.MORNING)
    parcel.apply(ParcelAction.SORT, actor="test", at=factories.MORNING, bay="B7")
    data = LabelData.for_parcel(order, parcel, sender="Camden Coffee Co", tracking_url=TRACKING_URL)
    pdf = render_label(data)
    text = page_text(pdf)
    assert "PARCEL 2 OF 2" in text and "B7" in text and parcel.barcode in text
    for secret in ("4711-SECRET", "Key under mat", "+447700900123"):
        assert secret not in text
        assert secret.encode() not in pdf
