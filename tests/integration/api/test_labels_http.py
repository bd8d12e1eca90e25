"""Labels over real HTTP on SQLite and PostgreSQL: the PDF, and the brand scoping."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.factories import order_payload
from tests.integration.live_server import LiveApi


def test_a_brand_prints_its_parcels_label_and_no_one_elses(live_api: LiveApi) -> None:
    _, key = live_api.create_brand("Camden Coffee Co")
    _, other_key = live_api.create_brand("Peckham Plants")
    http, other = live_api.client(key), live_api.client(other_key)
    parcel = http.post("/v1/orders", json=order_payload()).json()["parcels"][0]

    label = http.get(parcel["label_url"])

    assert label.status_code == 200, label.text
    assert label.headers["content-type"] == "application/pdf"
    assert label.headers["content-disposition"] == f'inline; filename="{parcel["barcode"]}.pdf"'
    text = PdfReader(io.BytesIO(label.content)).pages[0].extract_text()
    assert parcel["barcode"] in text and "Camden Coffee Co" in text
    foreign = other.get(parcel["label_url"])
    assert foreign.status_code == 404 and foreign.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert http.get("/v1/parcels/par_0000000000000000/label").status_code == 404
