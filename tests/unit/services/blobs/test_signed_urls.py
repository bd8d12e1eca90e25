"""Signed blob links: good until they expire, for the copy they name, under this secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.model import Role
from doorstep.services.blobs import BlobLinks, LinkRefused, linkable_variants
from doorstep.services.ports import BlobVariant

NAME = "ab" * 32
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
LINKS = BlobLinks("a-secret", "https://deliver.example/")


def _parts(url: str) -> tuple[str, dict[str, str]]:
    split = urlsplit(url)
    return split.path, {k: v[0] for k, v in parse_qs(split.query).items()}


def test_a_link_names_the_blob_the_copy_and_the_expiry_and_checks_out() -> None:
    expires_at = NOW + timedelta(minutes=15)
    url = LINKS.signed_url(NAME, BlobVariant.THUMBNAIL, expires_at)
    assert url.startswith(f"https://deliver.example/v1/blobs/{NAME}?")
    path, query = _parts(url)
    assert path == f"/v1/blobs/{NAME}"
    assert query["variant"] == "thumbnail"
    assert query["expires"] == str(int(expires_at.timestamp()))
    checked = LINKS.check(NAME, BlobVariant.THUMBNAIL, query["expires"], query["signature"], NOW)
    assert checked == expires_at


def test_an_expired_link_is_refused() -> None:
    url = LINKS.signed_url(NAME, BlobVariant.DISPLAY, NOW + timedelta(minutes=15))
    _, query = _parts(url)
    later = NOW + timedelta(minutes=15)
    with pytest.raises(LinkRefused, match="expired"):
        LINKS.check(NAME, BlobVariant.DISPLAY, query["expires"], query["signature"], later)


@pytest.mark.parametrize("change", ["variant", "expires", "name", "signature", "secret"])
def test_a_link_with_any_part_changed_is_refused(change: str) -> None:
    url = LINKS.signed_url(NAME, BlobVariant.DISPLAY, NOW + timedelta(hours=1))
    _, query = _parts(url)
    name, variant, expires, signature = (
        NAME,
        BlobVariant.DISPLAY,
        query["expires"],
        query["signature"],
    )
    links = LINKS
    if change == "variant":
        variant = BlobVariant.ORIGINAL  # a brand's display link must not open the original
    elif change == "expires":
        expires = str(int(expires) + 86400)
    elif change == "name":
        name = "cd" * 32
    elif change == "signature":
        signature = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    else:
        links = BlobLinks("another-secret", "https://deliver.example")
    with pytest.raises(LinkRefused, match="not valid"):
        links.check(name, variant, expires, signature, NOW)


@pytest.mark.parametrize("expires", ["", "soon", "-5", "1e9", "9" * 40])
def test_a_malformed_expiry_is_refused_not_an_error(expires: str) -> None:
    with pytest.raises(LinkRefused):
        LINKS.check(NAME, BlobVariant.DISPLAY, expires, "x", NOW)


def test_only_office_staff_and_the_system_are_given_links_to_originals() -> None:
    shown = (BlobVariant.DISPLAY, BlobVariant.THUMBNAIL)
    everything = (BlobVariant.ORIGINAL, *shown)
    for role in (Role.ADMIN, Role.DISPATCHER):
        assert linkable_variants(Principal.user(ids.new_id("usr"), role)) == everything
    assert linkable_variants(Principal.system("pdf")) == everything
    courier = Principal.user(ids.new_id("usr"), Role.COURIER, courier_id=ids.new_id("cou"))
    assert linkable_variants(courier) == shown
    assert linkable_variants(Principal.brand(ids.new_id("brd"), ids.new_id("key"))) == shown
