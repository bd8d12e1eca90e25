"""Tamper evidence: each parcel's events form a hash chain, and proof files are checked.

Every stored parcel event carries the SHA-256 of its canonical form (below) together with
the hash of the event before it (``GENESIS`` for a parcel's first event). Changing any
field of any event, deleting one, inserting one or swapping two then no longer adds up,
and :func:`verify_chain` says which event, in words a person can act on. The events of a
delivery or a failed attempt name their proof files by SHA-256 (``signature``, ``photos``
in ``details``); :func:`verify_proof_files` checks that each file is still there and still
has that hash.

The canonical form is part of every stored chain: changing it would make every existing
history look tampered with. It is versioned (``FORMAT``); a new form needs a new version
and a migration that re-links the chains.

What a chain cannot show alone: someone able to rewrite the whole history and every hash
after it (or to drop a parcel's last events and its state with them). Keeping a copy of a
parcel's latest hash elsewhere (a brand's own records, a webhook receiver) closes that.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from doorstep.domain.parcel import ParcelEvent

FORMAT = 1
GENESIS = "0" * 64
"""The "previous hash" of a parcel's first event."""

SIGNATURE_KEY = "signature"
PHOTOS_KEY = "photos"
PHOTOS_PURGED_KEY = "photos_purged"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

FileHash = Callable[[str], str | None]
"""A proof file's SHA-256 as its content hashes now, or None when the file is missing."""
Purged = Callable[[str], bool]
"""Whether a file was removed on purpose after its retention period."""


@dataclass(frozen=True, slots=True)
class EventRecord:
    """The fields of one parcel event that its hash covers, as plain values.

    Read back from the store as they are (no enums), so that a value nobody could have
    written through Doorstep is reported, not refused while reading.
    """

    parcel_id: str
    sequence: int
    action: str
    from_state: str
    to_state: str
    actor: str
    at: datetime
    place: str | None = None
    reason_code: str | None = None
    details: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def of(cls, event: ParcelEvent) -> EventRecord:
        return cls(
            parcel_id=event.parcel_id,
            sequence=event.sequence,
            action=event.action.value,
            from_state=event.from_state.value,
            to_state=event.to_state.value,
            actor=event.actor,
            at=event.at,
            place=event.place,
            reason_code=event.reason_code,
            details=dict(event.details),
        )


def canonical(record: EventRecord, prev_hash: str) -> bytes:
    """One byte string per event and predecessor: sorted-key JSON, ASCII, no spaces.

    ``at`` is UTC ISO 8601 with microseconds, which both databases keep exactly.
    """
    if record.at.tzinfo is None:
        raise ValueError("an event time must be timezone-aware")
    document = {
        "format": FORMAT,
        "parcel_id": record.parcel_id,
        "sequence": record.sequence,
        "action": record.action,
        "from_state": record.from_state,
        "to_state": record.to_state,
        "actor": record.actor,
        "at": record.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "place": record.place,
        "reason_code": record.reason_code,
        "details": {str(key): record.details[key] for key in record.details},
        "prev_hash": prev_hash,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def event_hash(event: ParcelEvent | EventRecord, prev_hash: str) -> str:
    """The SHA-256 hex of ``event`` following the event whose hash is ``prev_hash``."""
    record = event if isinstance(event, EventRecord) else EventRecord.of(event)
    return hashlib.sha256(canonical(record, prev_hash)).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredLink:
    """One event as stored, with the hashes stored beside it (None when absent)."""

    record: EventRecord
    prev_hash: str | None
    hash: str | None


@dataclass(frozen=True, slots=True)
class ParcelChain:
    """A parcel's stored history, in stored sequence order, and its current state."""

    parcel_id: str
    barcode: str
    state: str
    links: tuple[StoredLink, ...]


def link(events: Iterable[ParcelEvent | EventRecord], prev_hash: str = GENESIS) -> list[str]:
    """The hashes of ``events`` appended in order after the event hashed ``prev_hash``."""
    hashes = []
    for event in events:
        prev_hash = event_hash(event, prev_hash)
        hashes.append(prev_hash)
    return hashes


def verify_chain(label: str, links: Sequence[StoredLink], *, state: str | None = None) -> list[str]:
    """What is wrong with one parcel's stored history, one sentence per problem.

    ``label`` names the parcel to a person (its barcode); ``links`` are its stored events
    (walked by sequence, as the store orders them); ``state``, when given, is the parcel's
    current state, which its last event must lead to.
    """
    problems: list[str] = []
    expected_sequence, expected_prev = 1, GENESIS
    ordered = sorted(links, key=lambda stored: stored.record.sequence)
    for stored in ordered:
        record = stored.record
        sequence = record.sequence
        name = f"parcel {label} event {sequence} ({record.to_state})"
        if sequence < expected_sequence:
            problems.append(f"{name} is stored twice")
        elif sequence > expected_sequence:
            problems.append(_missing(label, expected_sequence, sequence - 1))
        if not stored.hash:
            problems.append(f"{name} has no hash: it was not written by Doorstep")
        elif event_hash(record, stored.prev_hash or "") != stored.hash:
            problems.append(f"{name} was changed after it was written")
        if sequence == expected_sequence and stored.prev_hash != expected_prev:
            if sequence == 1:
                problems.append(f"{name} does not begin the parcel's history")
            else:
                problems.append(
                    f"parcel {label} event {sequence} does not follow event {sequence - 1}"
                )
        expected_sequence = max(expected_sequence, sequence + 1)
        expected_prev = stored.hash or ""
    if state is not None:
        problems.extend(_state_problems(label, ordered, state))
    return problems


def _missing(label: str, first: int, last: int) -> str:
    if first == last:
        return f"parcel {label} event {first} is missing"
    return f"parcel {label} events {first} to {last} are missing"


def _state_problems(label: str, links: Sequence[StoredLink], state: str) -> list[str]:
    """A parcel's state is where its last event leads; anything else means a lost event."""
    if not links:
        if state == "created":
            return []
        return [f"parcel {label} is {state} but has no history: its events are missing"]
    last = links[-1].record
    if last.to_state == state:
        return []
    return [
        f"parcel {label} is {state} but its history ends at event {last.sequence} "
        f"({last.to_state}): later events are missing or its state was changed"
    ]


@dataclass(frozen=True, slots=True)
class FileCheck:
    """Proof-file findings: ``problems`` (tampering, loss) and ``notes`` (expected gaps)."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def proof_files(details: Mapping[str, object]) -> list[tuple[str, str]]:
    """The proof files an event names, as ``(kind, sha256)``: its signature, then photos."""
    found: list[tuple[str, str]] = []
    signature = details.get(SIGNATURE_KEY)
    if signature:
        found.append(("signature", str(signature).strip()))
    found.extend(("photo", sha) for sha in _hash_list(details.get(PHOTOS_KEY)))
    return found


def _hash_list(value: object) -> list[str]:
    return [part.strip() for part in str(value or "").split(",") if part.strip()]


def verify_proof_files(
    label: str,
    links: Sequence[StoredLink],
    file_hash: FileHash,
    purged: Purged | None = None,
) -> FileCheck:
    """Check every proof file the parcel's events name: present, and still that content.

    A file removed after its retention period (named in an event's ``photos_purged``, or
    said so by ``purged``) is a note, not a problem: it was deleted on purpose.
    """
    recorded_purged = {
        sha for stored in links for sha in _hash_list(stored.record.details.get(PHOTOS_PURGED_KEY))
    }
    check = FileCheck()
    for stored in links:
        record = stored.record
        name = f"parcel {label} event {record.sequence} ({record.to_state})"
        for kind, sha in proof_files(record.details):
            if not _SHA256.match(sha):
                check.problems.append(f"{name} names a {kind} file {sha!r} that is not a SHA-256")
                continue
            found = file_hash(sha)
            if found is None:
                if sha in recorded_purged or (purged is not None and purged(sha)):
                    check.notes.append(f"{name}: the {kind} file {sha} was purged after retention")
                else:
                    check.problems.append(f"{name}: the {kind} file {sha} is missing")
            elif found != sha:
                check.problems.append(
                    f"{name}: the {kind} file {sha} was changed (its content now hashes to {found})"
                )
    return check
