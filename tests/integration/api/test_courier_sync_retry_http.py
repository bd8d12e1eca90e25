"""An action naming a file the server does not have is answered ``retry``: the phone (as
the app does) keeps it queued, uploads the file again and sends it again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from doorstep.services.ports import BlobVariant
from tests.courier_day import dispatched_day, door_files, offline_queue
from tests.courier_phone import Phone
from tests.integration.live_server import PASSWORD, LiveApi


def test_an_action_answered_retry_stays_queued_until_its_file_is_uploaded(
    live_api: LiveApi,
) -> None:
    container = live_api.container
    day = dispatched_day(
        container.uow_factory, stops=2, password_hash=container.passwords.hash(PASSWORD)
    )
    login = live_api.client().post(
        "/v1/auth/token", json={"email": day.email, "password": PASSWORD}
    )
    taken = door_files(2, seed=7)
    worked = datetime.now(UTC).replace(hour=7, minute=0, second=0, microsecond=0)
    # Start, arrive at the first stop, deliver there: signed by the recipient.
    queue = offline_queue(day, files=taken, first=worked - timedelta(days=1))[:3]
    files = {taken[0].sha256: taken[0]}
    # The phone believes its files are uploaded, but the server never received them.
    phone = Phone(live_api.client(login.json()["access_token"]), queue, files, uploaded=set(files))

    phone.sync()

    assert phone.pending == [queue[2]]
    assert phone.retries == 1 and phone.uploaded == set() and phone.uploads == 0
    assert all(not container.blobs.exists(sha, BlobVariant.ORIGINAL) for sha in files)

    phone.sync()  # the next try: upload, then send the kept actions again

    assert phone.pending == [] and phone.uploads == 1
    assert {a["client_event_id"]: a["status"] for a in phone.answers.values()} == {
        a["client_event_id"]: "applied" for a in queue
    }
    for sha, kept in files.items():
        assert container.blobs.get(sha, BlobVariant.ORIGINAL) == kept.data
