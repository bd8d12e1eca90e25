"""The hash chain of a parcel's events: any change, deletion, insertion or reordering shows."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import timedelta, timezone
from typing import Any

import pytest

from doorstep.domain import chain
from doorstep.domain.chain import EventRecord, StoredLink, verify_chain, verify_proof_files
from doorstep.domain.parcel import Parcel, ParcelAction
from tests import factories
from tests.factories import MORNING

A = ParcelAction
SIGNATURE = hashlib.sha256(b"signature").hexdigest()
PHOTO_1 = hashlib.sha256(b"photo 1").hexdigest()
PHOTO_2 = hashlib.sha256(b"photo 2").hexdigest()
FIELDS = [f.name for f in dataclasses.fields(EventRecord)]


def _delivered() -> Parcel:
    parcel = factories.parcel(barcode="DS123")
    steps = [
        (A.RECEIVE, {}),
        (A.SORT, {"bay": "B4"}),
        (A.LOAD, {"vehicle_id": "veh_a"}),
        (A.DEPART, {}),
        (A.DELIVER, {}),
    ]
    for minute, (action, kw) in enumerate(steps):
        details = {"signature": SIGNATURE, "photos": f"{PHOTO_1},{PHOTO_2}"}
        parcel.apply(
            action,
            actor="usr_test",
            at=MORNING + timedelta(minutes=minute, microseconds=123),
            place="hub_kentish" if action is not A.DELIVER else None,
            details=details if action is A.DELIVER else None,
            **kw,
        )
    return parcel


def _stored(parcel: Parcel) -> list[StoredLink]:
    records = [EventRecord.of(event) for event in parcel.events]
    hashes = chain.link(records)
    return [
        StoredLink(record, prev, own)
        for record, prev, own in zip(records, [chain.GENESIS, *hashes[:-1]], hashes, strict=True)
    ]


def _changed(value: object) -> object:
    if isinstance(value, int):
        return value + 10
    if isinstance(value, str):
        return value + "x"
    if value is None:
        return "added"
    if isinstance(value, dict):
        return {**value, "note": "added"}
    return value + timedelta(microseconds=1)  # type: ignore[operator]


def test_an_untouched_history_has_no_problem() -> None:
    parcel = _delivered()
    assert verify_chain("DS123", _stored(parcel), state=parcel.state.value) == []


def test_hashes_are_stable_across_equal_times_in_other_zones() -> None:
    record = EventRecord.of(_delivered().events[0])
    elsewhere = dataclasses.replace(record, at=record.at.astimezone(timezone(timedelta(hours=5))))
    assert chain.event_hash(record, chain.GENESIS) == chain.event_hash(elsewhere, chain.GENESIS)
    assert len(chain.event_hash(record, chain.GENESIS)) == 64


def test_detail_order_does_not_change_the_hash() -> None:
    record = EventRecord.of(_delivered().events[-1])
    reordered = dataclasses.replace(record, details=dict(reversed(list(record.details.items()))))
    assert chain.event_hash(record, "a" * 64) == chain.event_hash(reordered, "a" * 64)


@pytest.mark.parametrize("index", range(5))
@pytest.mark.parametrize("name", [n for n in FIELDS if n != "sequence"])
def test_changing_any_field_of_any_event_is_reported_for_that_event(index: int, name: str) -> None:
    parcel = _delivered()
    links = _stored(parcel)
    link = links[index]
    change: dict[str, Any] = {name: _changed(getattr(link.record, name))}
    record = dataclasses.replace(link.record, **change)
    links[index] = dataclasses.replace(link, record=record)

    problems = verify_chain("DS123", links)

    assert problems == [
        f"parcel DS123 event {index + 1} ({record.to_state}) was changed after it was written"
    ]


@pytest.mark.parametrize("index", range(5))
def test_renumbering_an_event_is_reported(index: int) -> None:
    links = _stored(_delivered())
    link = links[index]
    links[index] = dataclasses.replace(
        link, record=dataclasses.replace(link.record, sequence=link.record.sequence + 10)
    )
    problems = verify_chain("DS123", links)
    assert any("was changed after it was written" in p for p in problems), problems


def test_swapping_two_events_sequence_numbers_is_reported() -> None:
    """A reorder in the database: the rows keep their hashes, their sequences are swapped."""
    links = _stored(_delivered())
    second, third = links[1], links[2]
    links[1] = dataclasses.replace(third, record=dataclasses.replace(third.record, sequence=2))
    links[2] = dataclasses.replace(second, record=dataclasses.replace(second.record, sequence=3))

    problems = verify_chain("DS123", links)

    assert "parcel DS123 event 2 (loaded) was changed after it was written" in problems
    assert "parcel DS123 event 3 (sorted) was changed after it was written" in problems
    assert "parcel DS123 event 2 does not follow event 1" in problems


def test_a_list_handed_over_out_of_order_is_walked_by_sequence() -> None:
    links = _stored(_delivered())
    assert verify_chain("DS123", list(reversed(links))) == []


@pytest.mark.parametrize("index", range(4))
def test_deleting_an_event_is_reported_as_missing(index: int) -> None:
    parcel = _delivered()
    links = _stored(parcel)
    del links[index]

    problems = verify_chain("DS123", links, state=parcel.state.value)

    assert problems == [f"parcel DS123 event {index + 1} is missing"]


def test_deleting_two_events_in_a_row_names_both() -> None:
    links = _stored(_delivered())
    del links[1:3]
    assert verify_chain("DS123", links) == ["parcel DS123 events 2 to 3 are missing"]


def test_deleting_the_last_event_shows_against_the_parcels_state() -> None:
    parcel = _delivered()
    links = _stored(parcel)[:-1]
    assert verify_chain("DS123", links, state="delivered") == [
        "parcel DS123 is delivered but its history ends at event 4 (out_for_delivery): "
        "later events are missing or its state was changed"
    ]


def test_a_parcel_with_a_state_and_no_history_is_reported() -> None:
    assert verify_chain("DS123", [], state="delivered") == [
        "parcel DS123 is delivered but has no history: its events are missing"
    ]
    assert verify_chain("DS123", [], state="created") == []


def test_inserting_an_event_with_a_made_up_hash_is_reported() -> None:
    parcel = _delivered()
    links = _stored(parcel)
    forged = dataclasses.replace(links[3].record, sequence=4, actor="usr_forger")
    renumbered = [
        dataclasses.replace(x, record=dataclasses.replace(x.record, sequence=x.record.sequence + 1))
        for x in links[3:]
    ]
    links = [*links[:3], StoredLink(forged, links[2].hash, "f" * 64), *renumbered]

    problems = verify_chain("DS123", links)

    assert "parcel DS123 event 4 (out_for_delivery) was changed after it was written" in problems
    assert "parcel DS123 event 5 (out_for_delivery) was changed after it was written" in problems
    assert "parcel DS123 event 5 does not follow event 4" in problems


def test_inserting_a_correctly_hashed_event_in_the_middle_breaks_the_next_link() -> None:
    """Even a forger who hashes their insertion right cannot make the next event follow it."""
    links = _stored(_delivered())
    forged = dataclasses.replace(links[2].record, sequence=3, actor="usr_forger")
    forged_link = StoredLink(forged, links[1].hash, chain.event_hash(forged, links[1].hash or ""))
    links = [*links[:2], forged_link, *links[3:]]
    assert verify_chain("DS123", links) == ["parcel DS123 event 4 does not follow event 3"]


def test_an_event_stored_twice_is_reported() -> None:
    links = _stored(_delivered())
    links.insert(2, links[1])
    assert "parcel DS123 event 2 (sorted) is stored twice" in verify_chain("DS123", links)


def test_a_first_event_that_does_not_start_from_genesis_is_reported() -> None:
    links = _stored(_delivered())
    record = links[0].record
    links[0] = StoredLink(record, "1" * 64, chain.event_hash(record, "1" * 64))
    problems = verify_chain("DS123", links)
    assert problems == [
        "parcel DS123 event 1 (at_hub) does not begin the parcel's history",
        "parcel DS123 event 2 does not follow event 1",
    ]


def test_an_event_with_no_hash_is_reported() -> None:
    links = _stored(_delivered())
    links[4] = dataclasses.replace(links[4], hash=None)
    assert verify_chain("DS123", links) == [
        "parcel DS123 event 5 (delivered) has no hash: it was not written by Doorstep"
    ]


# Proof files --------------------------------------------------------------------------------


def _files(*present: str, changed: dict[str, str] | None = None) -> chain.FileHash:
    def file_hash(sha: str) -> str | None:
        if changed and sha in changed:
            return changed[sha]
        return sha if sha in present else None

    return file_hash


def test_present_unchanged_proof_files_pass() -> None:
    check = verify_proof_files("DS123", _stored(_delivered()), _files(SIGNATURE, PHOTO_1, PHOTO_2))
    assert check.problems == [] and check.notes == []


def test_a_missing_photo_is_a_problem() -> None:
    check = verify_proof_files("DS123", _stored(_delivered()), _files(SIGNATURE, PHOTO_1))
    assert check.problems == [
        f"parcel DS123 event 5 (delivered): the photo file {PHOTO_2} is missing"
    ]


def test_a_changed_signature_file_is_a_problem() -> None:
    other = hashlib.sha256(b"forged").hexdigest()
    found = _files(SIGNATURE, PHOTO_1, PHOTO_2, changed={SIGNATURE: other})
    check = verify_proof_files("DS123", _stored(_delivered()), found)
    assert check.problems == [
        f"parcel DS123 event 5 (delivered): the signature file {SIGNATURE} was changed "
        f"(its content now hashes to {other})"
    ]


def test_a_photo_purged_after_retention_is_a_note_not_tampering() -> None:
    check = verify_proof_files(
        "DS123", _stored(_delivered()), _files(SIGNATURE, PHOTO_1), purged=lambda sha: True
    )
    assert check.problems == []
    assert check.notes == [
        f"parcel DS123 event 5 (delivered): the photo file {PHOTO_2} was purged after retention"
    ]


def test_a_purge_recorded_in_an_event_counts_as_purged() -> None:
    parcel = factories.parcel(barcode="DS9")
    parcel.apply(A.RECEIVE, actor="usr_test", at=MORNING)
    parcel.apply(A.SORT, actor="usr_test", at=MORNING, bay="B1")
    parcel.apply(A.LOAD, actor="usr_test", at=MORNING, vehicle_id="veh_a")
    parcel.apply(A.DEPART, actor="usr_test", at=MORNING)
    parcel.apply(
        A.FAIL_ATTEMPT, actor="usr_test", at=MORNING, reason_code="recipient_not_home",
        details={"photos": PHOTO_1},
    )  # fmt: skip
    parcel.apply(A.RECEIVE, actor="usr_test", at=MORNING, details={"photos_purged": PHOTO_1})
    check = verify_proof_files("DS9", _stored(parcel), _files())
    assert check.problems == []
    assert [n.split(":")[1].strip() for n in check.notes] == [
        f"the photo file {PHOTO_1} was purged after retention"
    ]


def test_a_proof_reference_that_is_not_a_sha256_is_a_problem() -> None:
    parcel = _delivered()
    links = _stored(parcel)
    record = dataclasses.replace(links[4].record, details={"signature": "not-a-hash"})
    links[4] = dataclasses.replace(links[4], record=record)
    check = verify_proof_files("DS123", links, _files())
    assert check.problems == [
        "parcel DS123 event 5 (delivered) names a signature file 'not-a-hash' that is not a SHA-256"
    ]
