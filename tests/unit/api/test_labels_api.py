"""``GET /v1/parcels/{id}/label`` through the app: a 4 x 6 PDF, scoped like every parcel read."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.factories import order_payload

Auth = tuple[str, dict[str, str]]


def test_the_label_is_a_pdf_named_after_the_barcode(client: TestClient, brand: Auth) -> None:
    payload = order_payload(parcels=[{"weight_kg": 1.0}, {"weight_kg": 2.5}])
    made = client.post("/v1/orders", json=payload, headers=brand[1]).json()
    second = made["parcels"][1]

    answer = client.get(second["label_url"], headers=brand[1])

    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == f'inline; filename="{second["barcode"]}.pdf"'
    page = PdfReader(io.BytesIO(answer.content)).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (288.0, 432.0)
    text = page.extract_text()
    assert second["barcode"] in text and "PARCEL 2 OF 2" in text
    assert "Camden Coffee Co" in text and "4711" not in text  # sender yes, access code never


def test_an_operator_prints_any_brands_label(
    client: TestClient, brand: Auth, admin: dict[str, str]
) -> None:
    made = client.post("/v1/orders", json=order_payload(), headers=brand[1]).json()
    answer = client.get(made["parcels"][0]["label_url"], headers=admin)
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")


def test_an_unknown_or_malformed_parcel_id_is_404(client: TestClient, brand: Auth) -> None:
    for parcel_id in ("par_0000000000000000", "ord_nope", "x" * 300):
        answer = client.get(f"/v1/parcels/{parcel_id}/label", headers=brand[1])
        assert answer.status_code == 404, parcel_id
        assert answer.headers["content-type"] == "application/problem+json"
