"""docs/events.md says what domain/events.py defines: every event, and its payload fields."""

from __future__ import annotations

import re
from pathlib import Path

from doorstep.domain.events import PAYLOAD_FIELDS, EventName

PAGE = Path(__file__).parents[3] / "docs" / "events.md"
EVENT_ROW = re.compile(r"^\| `([a-z_]+\.[a-z_]+)` \|.*\]\(#([a-z-]+)\) \|$")
FIELD_ROW = re.compile(r"^\| `([a-z_]+)` \| [^|]+ \| [^|]+ \|$")


def _slug(heading: str) -> str:
    return re.sub(r"[^a-z0-9 -]", "", heading.strip().lower()).replace(" ", "-")


def _documented() -> tuple[dict[str, str], dict[str, list[str]]]:
    """The events table (name -> payload section) and each section's field names."""
    events: dict[str, str] = {}
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            current = sections.setdefault(_slug(line.lstrip("#")), [])
        elif (event := EVENT_ROW.match(line)) is not None:
            events[event[1]] = event[2]
        elif (row := FIELD_ROW.match(line)) is not None and current is not None:
            current.append(row[1])
    return events, sections


def test_the_page_lists_every_event_name_and_no_other() -> None:
    events, _ = _documented()
    assert sorted(events) == sorted(name.value for name in EventName)


def test_each_event_links_to_a_section_listing_exactly_its_payload_fields() -> None:
    events, sections = _documented()
    for name, anchor in events.items():
        assert anchor in sections, f"{name} links to #{anchor}, which is not a heading"
        assert tuple(sections[anchor]) == PAYLOAD_FIELDS[EventName(name)], name


def test_every_event_name_has_its_payload_fields_declared() -> None:
    assert set(PAYLOAD_FIELDS) == set(EventName)
