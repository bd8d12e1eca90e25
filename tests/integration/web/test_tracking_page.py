"""The recipient's tracking page over real HTTP, on SQLite and PostgreSQL: what it shows at
each point of the day, what it never shows, and how it answers an attacker."""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from doorstep.domain.access import Principal
from doorstep.domain.delivery_policy import AfterLastAttempt, DeliveryPolicy
from doorstep.domain.model import Role
from doorstep.services.returns import set_delivery_policy
from doorstep.services.routes.courier_actions import ActionKind
from tests.images import photo, sha256
from tests.integration.live_server import HANG_GUARD_S, LiveApi, serve
from tests.tracking_day import T0, TrackingDay, tracking_day
from tests.unit.fakes import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0 + timedelta(minutes=1))


@pytest.fixture
def live(database_url: str, clock: FakeClock) -> Iterator[LiveApi]:
    with serve(database_url, clock=clock) as api:
        yield api


@pytest.fixture
def today(live: LiveApi, clock: FakeClock) -> TrackingDay:
    return tracking_day(live.container.uow_factory, clock=clock)


def page(live: LiveApi, token: str) -> httpx.Response:
    return live.client().get(f"/t/{token}")


def live_position(live: LiveApi, token: str) -> dict[str, float] | None:
    """The position the live events send first, or None when none comes at once."""
    timeout = httpx.Timeout(10.0, read=3.0)
    with (
        httpx.Client(base_url=live.base_url, timeout=timeout) as client,
        client.stream("GET", f"/t/{token}/events") as answer,
    ):
        assert answer.status_code == 200
        try:
            for line in answer.iter_lines():
                if line.startswith("data:") and "position" in line:
                    found: dict[str, float] = json.loads(line[5:])["position"]
                    return found
        except httpx.ReadTimeout:
            return None
    return None


def text(answer: httpx.Response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.text)))


def test_a_loaded_parcel_reads_at_the_hub_with_noindex_and_a_strict_policy(
    live: LiveApi, today: TrackingDay
) -> None:
    answer = page(live, today.tokens[0])

    assert answer.status_code == 200
    assert "Your parcel is at our London hub" in text(answer)
    assert answer.headers["x-robots-tag"].startswith("noindex")
    assert answer.headers["referrer-policy"] == "no-referrer"
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert '<meta name="robots" content="noindex' in answer.text
    assert "<script>" not in answer.text and " style=" not in answer.text
    assert not re.search(r'(src|href)="(https?:)?//', answer.text)  # nothing from elsewhere


def test_out_for_delivery_shows_the_courier_first_name_and_stops_before_but_no_one_else(
    live: LiveApi, today: TrackingDay
) -> None:
    today.start()
    answer = page(live, today.tokens[4])
    shown = text(answer)

    assert "Your parcel is out for delivery" in shown
    assert "4 stops before yours" in shown
    courier = live.container.uow_factory
    with courier(today.day.courier_principal) as uow:
        stored = uow.couriers.get(today.day.courier_id)
    assert stored is not None
    first, *rest = stored.name.split()
    assert f"Your courier is {first}" in shown
    assert all(part not in shown for part in rest)
    assert "Example Road" not in shown  # no address, not even the recipient's own
    assert "NW1" not in shown


def test_the_next_stop_sees_the_courier_on_the_road_and_then_never_after_delivery(
    live: LiveApi, today: TrackingDay, clock: FakeClock
) -> None:
    today.start()
    clock.advance(minutes=2)
    today.ping()
    clock.advance(seconds=31)
    before = page(live, today.tokens[0])

    assert "You're the next stop" in text(before)
    assert "data-lat" not in before.text and "51.5" not in before.text  # never in the page
    shown = live_position(live, today.tokens[0])
    assert shown is not None and shown != {"lat": 51.5395, "lon": -0.1430}  # snapped to a road
    assert abs(shown["lat"] - 51.5395) < 0.003
    assert live_position(live, today.tokens[4]) is None  # four stops away: no position

    today.deliver(0)
    after = page(live, today.tokens[0])
    assert "Delivered" in text(after)
    assert live_position(live, today.tokens[0]) is None  # never once the stop is done
    assert "Left in your safe place (front porch)" in text(after)
    photo = re.search(r'<img class="photo" src="([^"]+)"', after.text)
    assert photo is not None and photo.group(1).startswith("/v1/blobs/")
    assert "variant=display" in photo.group(1)


def test_a_kept_page_is_read_afresh_as_soon_as_its_order_changes(
    database_url: str, clock: FakeClock
) -> None:
    """Pages are kept for an hour here: only the change's notice can make one new."""
    with serve(database_url, clock=clock, page_cache_seconds=3600) as kept:
        today = tracking_day(kept.container.uow_factory, clock=clock)
        assert "Your parcel is at our London hub" in text(page(kept, today.tokens[4]))
        today.start()
        deadline = time.monotonic() + HANG_GUARD_S
        while "Your parcel is out for delivery" not in (shown := text(page(kept, today.tokens[4]))):
            assert time.monotonic() < deadline, "the kept page never changed"
            time.sleep(0.05)
        today.deliver(0)
        while "3 stops before yours" not in shown:
            assert time.monotonic() < deadline, "the kept page missed the stop done"
            time.sleep(0.05)
            shown = text(page(kept, today.tokens[4]))


def test_a_failed_attempt_says_why_and_what_happens_next(live: LiveApi, today: TrackingDay) -> None:
    today.start()
    today.fail(0)
    shown = text(page(live, today.tokens[0]))

    assert "We couldn't deliver your parcel" in shown
    assert "recipient not home" in shown
    assert "try again on the next working day" in shown


def test_the_words_after_a_failed_attempt_follow_the_brands_policy(
    live: LiveApi, today: TrackingDay, clock: FakeClock
) -> None:
    admin = Principal.user("usr_admin", Role.ADMIN)
    policy = DeliveryPolicy(attempts_allowed=1, after_last_attempt=AfterLastAttempt.HOLD_AT_HUB)
    set_delivery_policy(live.container.uow_factory(admin), today.day.brand_id, policy, clock=clock)
    today.start()
    today.fail(0)
    shown = text(page(live, today.tokens[0]))

    assert "That was the last attempt" in shown
    assert "waits at our hub for you to collect for 7 working days" in shown
    assert "try again" not in shown


def test_a_link_expires_thirty_days_after_delivery(
    live: LiveApi, today: TrackingDay, clock: FakeClock
) -> None:
    today.start()
    today.deliver(0)
    clock.advance(days=29, hours=23)
    assert page(live, today.tokens[0]).status_code == 200
    clock.advance(hours=2)
    expired = page(live, today.tokens[0])
    assert expired.status_code == 410
    assert "expired" in expired.text
    assert "Delivered" not in expired.text
    assert expired.headers["x-robots-tag"].startswith("noindex")


@pytest.mark.parametrize(
    "path",
    [
        "/t/" + "A" * 24,  # well formed, unknown
        "/t/abc",  # too short
        "/t/" + "a" * 5000,  # huge
        "/t/%00" + "a" * 20,  # control character
        "/t/%0d%0aSet-Cookie:x=1" + "a" * 10,  # header injection attempt
        "/t/%E2%80%AE" + "a" * 20,  # right-to-left override
    ],
)
def test_unknown_and_malformed_tokens_get_the_same_plain_404(
    live: LiveApi, today: TrackingDay, path: str
) -> None:
    answer = live.client().get(path)
    assert answer.status_code == 404
    assert "We can't find this tracking link" in answer.text
    assert "set-cookie" not in answer.headers
    assert answer.headers["x-robots-tag"].startswith("noindex")


def test_a_path_climbing_out_of_the_page_is_a_404_too(live: LiveApi) -> None:
    answer = live.client().get("/t/..%2f..%2fetc%2fpasswd")
    assert answer.status_code == 404
    assert "root:" not in answer.text


def test_a_token_opens_only_its_own_order(live: LiveApi, today: TrackingDay) -> None:
    today.start()
    today.deliver(0)
    other = page(live, today.tokens[1])
    near_miss = page(live, today.tokens[0][:-1] + ("A" if today.tokens[0][-1] != "A" else "B"))

    assert "Delivered" not in text(other).split("Progress")[0]
    assert near_miss.status_code == 404


def test_head_answers_like_get_without_a_body(live: LiveApi, today: TrackingDay) -> None:
    answer = live.client().head(f"/t/{today.tokens[0]}")
    missing = live.client().head("/t/" + "B" * 24)
    assert answer.status_code == 200 and answer.content == b""
    assert missing.status_code == 404


def test_the_brand_stylesheet_takes_only_a_hex_colour(live: LiveApi) -> None:
    good = live.client().get("/t/_brand/1d4ed8.css")
    bad = live.client().get("/t/_brand/red;}body{x:url(x).css")
    assert good.status_code == 200 and "--brand:#1d4ed8" in good.text
    assert bad.status_code == 404


def test_the_live_events_of_an_unknown_token_are_a_404(live: LiveApi) -> None:
    assert live.client().get("/t/" + "C" * 24 + "/events").status_code == 404


def test_a_returned_courier_action_is_the_story_not_an_error(
    live: LiveApi, today: TrackingDay
) -> None:
    today.start()
    today.act(ActionKind.ARRIVE, 1)
    assert page(live, today.tokens[1]).status_code == 200


def test_an_admin_dresses_the_page_in_the_brands_colour_and_logo(
    live: LiveApi, today: TrackingDay
) -> None:
    admin = live.client(live.create_operator(Role.ADMIN))
    brand_id = today.day.brand_id
    coloured = admin.put(f"/v1/brands/{brand_id}/appearance", json={"colour": "#0A7D32"})
    logo = admin.put(
        f"/v1/brands/{brand_id}/logo", content=photo(), headers={"Content-Type": "image/jpeg"}
    )
    assert coloured.status_code == 200 and coloured.json()["colour"] == "#0a7d32"
    assert logo.status_code == 200
    logo_url = logo.json()["logo_url"]
    assert logo_url == f"/t/_logo/{brand_id}/{sha256(photo())}"

    shown = page(live, today.tokens[0])
    assert '<link rel="stylesheet" href="/t/_brand/0a7d32.css">' in shown.text
    assert f'src="{logo_url}"' in shown.text
    image = live.client().get(logo_url)
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert image.content[:2] == b"\xff\xd8" and b"Exif" not in image.content[:64]


def test_brand_appearance_refuses_bad_colours_non_images_and_non_admins(
    live: LiveApi, today: TrackingDay
) -> None:
    admin = live.client(live.create_operator(Role.ADMIN))
    dispatcher = live.client(live.create_operator(Role.DISPATCHER))
    path = f"/v1/brands/{today.day.brand_id}"

    bad = admin.put(f"{path}/appearance", json={"colour": "red"})
    assert bad.status_code == 422 and "colour" in bad.text
    text_logo = admin.put(
        f"{path}/logo", content=b"<svg/>", headers={"Content-Type": "image/svg+xml"}
    )
    assert text_logo.status_code == 415
    assert dispatcher.put(f"{path}/appearance", json={"colour": "#000000"}).status_code == 403
    unknown = admin.put("/v1/brands/brd_0000000000000000/appearance", json={"colour": "#000000"})
    assert unknown.status_code == 404


def test_a_logo_is_served_only_as_its_brands_current_logo(
    live: LiveApi, today: TrackingDay
) -> None:
    photo_sha = sha256(photo())
    assert live.client().get(f"/t/_logo/{today.day.brand_id}/{photo_sha}").status_code == 404
